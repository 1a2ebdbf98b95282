/**
 * A watch started while the client's rate-limit gate is shut for longer than its budget (a 429 with `Retry-After: 30`
 * on an earlier read, a 2 s budget) ends at once, as a plain call fails at once: in `JobTimeoutError` whose `cause` is
 * the gate's `RateLimitError`, both with `retryAfterMs`, nothing sent and no event. Over HTTP, against a server that
 * answers the first read 429.
 */
import { describe, expect, it } from "vitest";
import { createDecartClient, JobTimeoutError, models, RateLimitError } from "../src/index.js";
import { instantDelay, json, serve, silent } from "./helpers.js";

const JOB = `job_${"cd".repeat(16)}`;

describe("a watch while the rate-limit gate is shut past its budget", () => {
  it("ends at once in JobTimeoutError, the gate's RateLimitError its cause, both with retryAfterMs; nothing sent", async () => {
    const server = await serve((req, res) => {
      if (server.arrived() === 1) {
        res.writeHead(429, { "content-type": "application/json", "retry-after": "30" });
        res.end(JSON.stringify({ detail: "Too many requests" }));
      } else if (req.method === "POST") json(res, 200, { job_id: JOB, status: "pending" });
      else json(res, 200, { job_id: JOB, status: "processing" });
    });
    try {
      // A delay that does not wait: a watch that waited at the gate would send its request at once.
      const delay = instantDelay();
      const client = createDecartClient({
        apiKey: "k",
        baseUrl: server.url,
        logger: silent,
        maxRetries: 0,
        poll: { delay },
      });
      const shut = await client.queue.status(JOB).catch((e) => e);
      expect(shut).toBeInstanceOf(RateLimitError);
      expect(client.rateLimit.pausedUntil()).toBeDefined();
      const model = models.video("lucy-pro-t2v");
      const events: string[] = [];
      const watches = {
        submitAndPoll: () => client.queue.submitAndPoll({ model, prompt: "x", timeoutMs: 2000 }),
        wait: () => client.queue.wait(JOB, { timeoutMs: 2000 }),
        submitAndWatch: async () => {
          for await (const event of client.queue.submitAndWatch({ model, prompt: "x", timeoutMs: 2000 }))
            events.push(event.type);
        },
      };
      for (const [name, watch] of Object.entries(watches)) {
        const error = await watch().catch((e) => e);
        expect(error, name).toBeInstanceOf(JobTimeoutError);
        expect(error.retryAfterMs, name).toBeGreaterThan(2000);
        expect(error.cause, name).toBeInstanceOf(RateLimitError);
        expect(error.cause.retryAfterMs, name).toBe(error.retryAfterMs);
        expect(error.jobId, name).toBe(name === "wait" ? JOB : undefined);
        expect(error.message, name).toMatch(
          name === "wait"
            ? /: not watched on: the last request was held, past the budget's end: GET .*: not sent, rate-limited for \d+ ms more$/
            : /^The submit: not watched on: the last request was held, past the budget's end: POST .*: not sent, rate-limited for \d+ ms more; no job was made$/,
        );
        // A submit the gate kept from being sent made no job: sending it again is safe.
        expect(error.retryable, name).toBe(name !== "wait");
      }
      expect(events).toEqual([]);
      // Nothing sent after the 429, nothing waited for (but a first read's 0 ms).
      expect(server.arrived()).toBe(1);
      expect(delay.calls.filter((ms) => ms > 0)).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
