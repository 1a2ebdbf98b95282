/**
 * A token request (`tokens.create`) is retried as a read is: a short-lived client token made twice expires, and nothing
 * is billed for it. A 5xx, a reset, an answer cut short or an attempt timed out after its body was sent is sent again
 * within the call's budget (a submit's is `SUBMIT_OUTCOME_UNKNOWN`, not sent again), and the last failure is a plain
 * retryable error that speaks of no job. Purpose-built servers on loopback answer the token POST.
 */
import { describe, expect, it } from "vitest";
import {
  ConnectionError,
  createDecartClient,
  type DecartClientOptions,
  ServerError,
  TimeoutError,
} from "../src/index.js";
import { type Handler, instantDelay, json, serve, silent } from "./helpers.js";

const KEY = "dct_token_retry_key_0123456789";
const token = { apiKey: "ek_made", expiresAt: "2999-01-01T00:00:00Z" };

const client = (url: string, options: DecartClientOptions = {}) =>
  createDecartClient({
    apiKey: KEY,
    baseUrl: url,
    logger: silent,
    random: () => 0,
    poll: { delay: instantDelay() },
    ...options,
  } as DecartClientOptions);

describe("tokens.create after a transient failure once its body was sent", () => {
  const failures: [string, Handler, DecartClientOptions?][] = [
    ["a 503", (_req, res) => json(res, 503, { detail: "Not now" })],
    ["a 500", (_req, res) => json(res, 500, { detail: "boom" })],
    ["a 502", (_req, res) => json(res, 502, { detail: "bad gateway" })],
    ["a 504", (_req, res) => json(res, 504, { detail: "gateway timeout" })],
    ["a reset", (_req, res) => void res.socket!.resetAndDestroy()],
    [
      "an answer cut short",
      (_req, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": "200" });
        res.write('{"apiKey": "ek_cu', () => res.socket!.destroy());
      },
    ],
    // (Never answered: the attempt's timer ends it.)
    ["an attempt timed out", () => {}, { timeoutMs: 300 }],
  ];
  it.each(failures)("%s, then a token: the token, asked for twice", async (_, first, options) => {
    // The first answer to the token POST, then a token.
    const api = await serve((req, res, body) => (api.arrived() === 1 ? first(req, res, body) : json(res, 200, token)));
    try {
      const created = await client(api.url, options).tokens.create({ expiresIn: 60 });
      expect(created).toEqual(token);
      expect(api.seen.map((r) => [r.method, r.path])).toEqual(Array(2).fill(["POST", "/v1/client/tokens"]));
      // The body went whole both times.
      expect(api.seen[0]!.bytes).toBeGreaterThan(0);
      expect(api.seen[1]!.bytes).toBe(api.seen[0]!.bytes);
    } finally {
      await api.close();
    }
  });
});

describe("tokens.create failing every time", () => {
  const always: [string, Handler, new (...args: never[]) => Error, string][] = [
    ["a 500", (_req, res) => json(res, 500, { detail: "boom" }), ServerError, "SERVER"],
    ["a reset", (_req, res) => void res.socket!.resetAndDestroy(), ConnectionError, "CONNECTION_ERROR"],
  ];
  it.each(always)(
    "%s each time: sent 1 + maxRetries times, a plain retryable error that speaks of no job",
    async (_, answer, type, code) => {
      const api = await serve(answer);
      try {
        const error = await client(api.url, { maxRetries: 2 })
          .tokens.create()
          .catch((e) => e);
        expect(error).toBeInstanceOf(type);
        expect(error).toMatchObject({ code, retryable: true });
        expect(error.message).not.toMatch(/job|file|may exist|SUBMIT_OUTCOME_UNKNOWN|retrySubmit/);
        expect(api.seen).toHaveLength(3);
      } finally {
        await api.close();
      }
    },
  );

  it("a silent API: each attempt timed out, then a TimeoutError, retryable, that speaks of no job", async () => {
    const api = await serve(() => {});
    try {
      const error = await client(api.url, { maxRetries: 1, timeoutMs: 200 })
        .tokens.create()
        .catch((e) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error).toMatchObject({ code: "TIMEOUT", retryable: true });
      expect(error.message).not.toMatch(/job|file|may exist|SUBMIT_OUTCOME_UNKNOWN|retrySubmit/);
      expect(api.seen).toHaveLength(2);
    } finally {
      await api.close();
    }
  });
});
