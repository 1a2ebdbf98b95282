/**
 * A 408 (Request Timeout: a load balancer closed an idle connection before the request was read) is retried as a 429
 * or a 5xx is (README: "408, 429, 5xx"): the request was not acted on. A purpose-built server on loopback answers it.
 */
import { describe, expect, it } from "vitest";
import { canWatchAgain, createDecartClient, type DecartError } from "../src/index.js";
import { instantDelay, json, serve, silent } from "./helpers.js";

const client = (url: string, maxRetries?: number) =>
  createDecartClient({
    apiKey: "dct_request_timeout_key_0123456789",
    baseUrl: url,
    logger: silent,
    random: () => 0,
    maxRetries,
    poll: { delay: instantDelay() },
  });

describe("a 408 answer", () => {
  it("a status read answered 408 once, then the job: it succeeds on its retry, in 2 requests", async () => {
    const api = await serve((_req, res) => {
      if (api.seen.length === 1) {
        res.writeHead(408, { "content-type": "text/plain" });
        return void res.end("Request Timeout");
      }
      json(res, 200, { job_id: "job-1", status: "processing" });
    });
    try {
      expect(await client(api.url).queue.status("job-1")).toMatchObject({ job_id: "job-1", status: "processing" });
      expect(api.seen.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /v1/jobs/job-1", "GET /v1/jobs/job-1"]);
    } finally {
      await api.close();
    }
  });

  it("one the policy gave up on is retryable, and a watch again can get past it", async () => {
    const api = await serve((_req, res) => {
      res.writeHead(408, { "content-type": "text/plain" });
      res.end("Request Timeout");
    });
    try {
      const error: DecartError = await client(api.url, 0)
        .queue.status("job-1")
        .then(
          () => Promise.reject(new Error("it did not fail")),
          (e) => e,
        );
      expect(error).toMatchObject({ status: 408, retryable: true, jobId: "job-1" });
      expect(canWatchAgain(error)).toBe(true);
      expect(api.seen).toHaveLength(1);
    } finally {
      await api.close();
    }
  });
});
