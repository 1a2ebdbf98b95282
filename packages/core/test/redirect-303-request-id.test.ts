/**
 * A submit (a POST) answered 303 was taken by the server there: whatever the GET it leads to answers, the error names
 * the POST's request id (the one support finds the job and its billing by) as its `requestId`, and the GET's answer's
 * id where its HTTP status is named. A purpose-built server on loopback plays the 303 and the GET's answers.
 */
import { describe, expect, it } from "vitest";
import { createDecartClient, type DecartClientOptions, models } from "../src/index.js";
import { drain, instantDelay, serve, silent } from "./helpers.js";

const client = (url: string) =>
  createDecartClient({
    apiKey: "dct_see_other_key_0123456789ab",
    baseUrl: url,
    logger: silent,
    maxRetries: 0,
    poll: { delay: instantDelay() },
  } as DecartClientOptions);

const submit = (url: string, signal?: AbortSignal) =>
  client(url)
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
        // The GET's headers and a part of its body, the rest held: once they are flushed (on loopback, the client's to
        // read) and the event loop has turned (the client read them and waits for more), the caller aborts.
        res.writeHead(200, { "content-type": "application/json", "content-length": "100", "x-request-id": "req_get" });
        res.write('{"job_id":', () => void drain().then(() => controller.abort()));
      }
    });
    try {
      const error = await submit(api.url, controller.signal);
      expect(api.seen.map((r) => r.method)).toEqual(["POST", "GET"]);
      expect(error).toMatchObject({ code: "ABORT", requestId: "req_post", mayExist: true });
      expect(error.message).toBe("The operation was aborted (request req_post); a job (or file) may exist");
    } finally {
      await api.close();
    }
  });
});
