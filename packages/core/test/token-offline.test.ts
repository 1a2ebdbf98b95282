/**
 * A token fetch that fails while the browser is offline (`navigator.onLine` false when it failed) with no answer
 * sent nothing: the request waiting for that key fails as a request sent offline does, a retryable `ConnectionError`
 * (CONNECTION_REFUSED) "…: offline, not sent", retried within the call's budget, and it is no failure of the token
 * route's in a row (a route failing three times in a row is a final TOKEN_ERROR). A route that answered (a status, a
 * body that is no token) is the route's failure, offline or not. A purpose-built server on loopback is both the token
 * route and the API; the connection closed at once stands for the fetch that fails offline.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConnectionError, createDecartClient, fetchTokenFrom, models, type TokenFetcher } from "../src/index.js";
import { instantDelay, json, serve, silent } from "./helpers.js";

const t2v = () => models.video("lucy-pro-t2v");
const token = { apiKey: "ek_offline_test_0123456789", expiresAt: "2999-01-01T00:00:00Z" };

afterEach(() => {
  vi.unstubAllGlobals();
});

/** `navigator.onLine` as a page has it, set by the test. */
function fakeNavigator() {
  const state = { onLine: false };
  vi.stubGlobal("navigator", {
    get onLine() {
      return state.onLine;
    },
  });
  return state;
}

const fetchers: [string, (url: string) => TokenFetcher][] = [
  ["fetchTokenFrom", (url) => fetchTokenFrom(url)],
  // A function of the page's own, as the README shows one.
  [
    "a token function",
    (url) =>
      async ({ signal } = {}) =>
        (await fetch(url, { method: "POST", signal })).json(),
  ],
];

describe.each(fetchers)("a token fetch that fails offline (%s)", (_, fetcher) => {
  it("is the request's own 'offline, not sent', retried, and not counted among the route's failures", async () => {
    const net = fakeNavigator();
    // The route: closes the connection while offline (stands for the fetch failing), once more when `failOnce`, else
    // a token. The API: a job.
    let failOnce = false;
    const server = await serve((req, res) => {
      if (req.url === "/api/token") {
        if (!net.onLine || failOnce) {
          failOnce = false;
          return void req.socket.destroy();
        }
        return json(res, 200, token);
      }
      json(res, 200, { job_id: "job_1", status: "pending" });
    });
    const tokenCalls = () => server.seen.filter((r) => r.path === "/api/token").length;
    const client = createDecartClient({
      baseUrl: server.url,
      token: fetcher(`${server.url}/api/token`),
      logger: silent,
      random: () => 0,
      poll: { delay: instantDelay() },
    });
    try {
      // Offline throughout: retried as a request sent offline is (the default three attempts), then a retryable
      // ConnectionError in the request's words, not a TOKEN_ERROR of the route's.
      const error = await client.queue.submit({ model: t2v(), prompt: "x" }).catch((e) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ code: "CONNECTION_REFUSED", retryable: true });
      expect(error.message).toBe(`POST ${server.url}/v1/jobs/${t2v().name}: offline, not sent`);
      expect(tokenCalls()).toBe(3);
      expect(server.seen.some((r) => r.path.startsWith("/v1/"))).toBe(false);

      // Online again: the route fails once (a blip), then answers. That blip is the first in a row, not the fourth:
      // retried, and the job is made.
      net.onLine = true;
      failOnce = true;
      const job = await client.queue.submit({ model: t2v(), prompt: "x" });
      expect(job.job_id).toBe("job_1");
      expect(tokenCalls()).toBe(5);
    } finally {
      await server.close();
    }
  });

  it("back online before the retry: the retry gets the token and sends the request", async () => {
    const net = fakeNavigator();
    const server = await serve((req, res) => {
      if (req.url === "/api/token") return net.onLine ? json(res, 200, token) : void req.socket.destroy();
      json(res, 200, { job_id: "job_1", status: "pending" });
    });
    const client = createDecartClient({
      baseUrl: server.url,
      token: fetcher(`${server.url}/api/token`),
      logger: silent,
      random: () => 0,
      poll: {
        delay: instantDelay(() => {
          net.onLine = true;
        }),
      },
    });
    try {
      expect((await client.queue.submit({ model: t2v(), prompt: "x" })).job_id).toBe("job_1");
      expect(server.seen.map((r) => r.path)).toEqual(["/api/token", "/api/token", `/v1/jobs/${t2v().name}`]);
    } finally {
      await server.close();
    }
  });
});

describe("a token route's refusal while the browser says it is offline", () => {
  it("is still the route's refusal: a final TOKEN_ERROR keeping its status, asked once", async () => {
    fakeNavigator();
    const server = await serve((_req, res) => json(res, 403, { detail: "Sign in" }));
    const client = createDecartClient({
      baseUrl: server.url,
      token: fetchTokenFrom(`${server.url}/api/token`),
      logger: silent,
      random: () => 0,
      poll: { delay: instantDelay() },
    });
    try {
      const error = await client.queue.submit({ model: t2v(), prompt: "x" }).catch((e) => e);
      expect(error).toMatchObject({ code: "TOKEN_ERROR", status: 403, retryable: false });
      expect(server.seen.map((r) => r.path)).toEqual(["/api/token"]);
    } finally {
      await server.close();
    }
  });

  it("answered as the README's token function reads it (a 401's JSON, no token): the route's TOKEN_ERROR naming it", async () => {
    fakeNavigator();
    const server = await serve((_req, res) => json(res, 401, { error: "Sign in again" }));
    const client = createDecartClient({
      baseUrl: server.url,
      token: fetchers[1]![1](`${server.url}/api/token`),
      logger: silent,
      random: () => 0,
      poll: { delay: instantDelay() },
    });
    try {
      const error = await client.queue.submit({ model: t2v(), prompt: "x" }).catch((e) => e);
      expect(error).not.toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ code: "TOKEN_ERROR", retryable: false });
      expect(error.message).toContain('but an error: "Sign in again"');
      expect(server.seen.some((r) => r.path.startsWith("/v1/"))).toBe(false);
    } finally {
      await server.close();
    }
  });
});
