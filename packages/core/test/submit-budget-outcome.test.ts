import { describe, expect, it } from "vitest";
import { JobTimeoutError, models } from "../src/index.js";
import { clientFor, serve, startFast, virtualTime } from "./helpers.js";

// A submit inside `submitAndPoll`'s budget that the budget ends is a `JobTimeoutError` (no job id: none came back).
// After a failure the server may have taken (a 500, sent again under `retrySubmit`), it keeps that failure's facts: a
// job may exist. After failures that took nothing (429, 503), it says no job was made, and sending it again is safe.
// Time passes only in the client's waits, on a clock of the test's.
const t2v = models.video("lucy-pro-t2v");

describe("a submit ended by the wait's budget", () => {
  it("after a 500 (sent again under retrySubmit), then 503s: SUBMIT_OUTCOME_UNKNOWN, mayExist, the 500's request id", async () => {
    let posts = 0;
    const api = await serve((_req, res) => {
      const first = posts++ === 0;
      res.writeHead(first ? 500 : 503, {
        "content-type": "application/json",
        "x-request-id": first ? "req_maybe" : `req_busy_${posts}`,
        ...(!first && { "retry-after": "0" }),
      });
      res.end(JSON.stringify({ detail: first ? "boom" : "busy" }));
    });
    try {
      const time = virtualTime();
      const error = await clientFor({ url: api.url, apiKey: "k" } as never, {
        retrySubmit: true,
        poll: { now: time.now, delay: time.delay },
      })
        .queue.submitAndPoll({ model: t2v, prompt: "x", timeoutMs: 1500 })
        .catch((e) => e);
      expect(error).toBeInstanceOf(JobTimeoutError);
      expect(error).toMatchObject({
        code: "SUBMIT_OUTCOME_UNKNOWN",
        mayExist: true,
        requestId: "req_maybe",
        retryable: false,
        jobId: undefined,
      });
      expect(error.toJSON()).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", mayExist: true, requestId: "req_maybe" });
      expect(error.message).toMatch(/a job \(or file\) may exist/);
      // No job came back: no "last status" to give.
      expect(error.message).toBe(`The submit not done within 1500 ms; the last request failed: ${error.cause.message}`);
      expect(error.message).not.toMatch(/no job was made/);
      expect(posts).toBeGreaterThan(2);
    } finally {
      await api.close();
    }
  });

  it("after 429s only: JOB_TIMEOUT, retryable, saying no job was made", async () => {
    const busy = await startFast({ faults: [{ route: "submit", kind: "429", retryAfterSeconds: 0 }] });
    try {
      const time = virtualTime();
      const error = await clientFor(busy, { poll: { now: time.now, delay: time.delay } })
        .queue.submitAndPoll({ model: t2v, prompt: "x", timeoutMs: 1500 })
        .catch((e) => e);
      expect(error).toBeInstanceOf(JobTimeoutError);
      expect(error).toMatchObject({ code: "JOB_TIMEOUT", retryable: true, jobId: undefined });
      expect(error.mayExist).toBeUndefined();
      expect(error.cause).toMatchObject({ status: 429 });
      expect(error.message).toBe(
        `The submit not done within 1500 ms; the last request failed: ${error.cause.message}; no job was made`,
      );
      expect(busy.stats().jobsCreated).toBe(0);
      expect(busy.stats().requests.byRoute.submit).toBeGreaterThan(1);
    } finally {
      await busy.close();
    }
  });
});
