/**
 * A submit (a POST) answered 303 was taken by the server there: whatever the GET it leads to answers, the error names
 * the POST's request id (the one support finds the job and its billing by) as its `requestId`, and the GET's answer's
 * id where its HTTP status is named. A purpose-built server on loopback plays the 303 and the GET's answers.
 */
import { describe, expect, it } from "vitest";
import { createDecartClient, type DecartClientOptions, models } from "../src/index.js";
import { instantDelay, serve, silent } from "./helpers.js";

const client = (url: string, fetch?: typeof globalThis.fetch) =>
  createDecartClient({
    apiKey: "dct_see_other_key_0123456789ab",
    baseUrl: url,
    logger: silent,
    maxRetries: 0,
    poll: { delay: instantDelay() },
    ...(fetch && { fetch }),
  } as DecartClientOptions);

const submit = (url: string, signal?: AbortSignal, fetch?: typeof globalThis.fetch) =>
  client(url, fetch)
    .queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x", signal })
    .catch((e) => e);

describe("a submit answered 303, its GET failing", () => {
  it("a 500 on the GET: SUBMIT_OUTCOME_UNKNOWN with the POST's request id, the GET's named with its status", async () => {
    const api = await serve((req, res) => {
      if (req.method === "POST") res.writeHead(303, { location: "/v1/jobs/job_1", "x-request-id": "req_post" }).end();
      else
        res.writeHead(500, { "content-type": "application/json", "x-request-id": "req_get" }).end('{"detail":"boom"}');
    });
    try {
      const error = await submit(api.url);
      expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", status: 500, requestId: "req_post" });
      expect(error.message).toBe(
        "boom (HTTP 500, request req_get) (after the POST's request req_post); a job (or file) may exist: not sent again (that could bill twice): ask support before retrying",
      );
      expect(api.seen.map((r) => r.method)).toEqual(["POST", "GET"]);
    } finally {
      await api.close();
    }
  });

  it("aborted while the GET's answer comes: the abort names the POST's request id", async () => {
    const controller = new AbortController();
    const api = await serve((req, res) => {
      if (req.method === "POST") res.writeHead(303, { location: "/v1/jobs/job_1", "x-request-id": "req_post" }).end();
      else {
        res.writeHead(200, { "content-type": "application/json", "x-request-id": "req_get" });
        res.write('{"job_id":');
      }
    });
    // The real fetch, aborting the call as it reads the GET's answer's body (its headers came).
    const abortAtGet: typeof fetch = async (url, init) => {
      const response = await fetch(url, init);
      if (init?.method !== "GET") return response;
      response.body?.cancel();
      return new Response(new ReadableStream({ pull: () => controller.abort() }, { highWaterMark: 0 }), response);
    };
    try {
      const error = await submit(api.url, controller.signal, abortAtGet);
      expect(error).toMatchObject({ code: "ABORT", requestId: "req_post", mayExist: true });
      expect(error.message).toBe("The operation was aborted (request req_post); a job (or file) may exist");
    } finally {
      await api.close();
    }
  });
});
