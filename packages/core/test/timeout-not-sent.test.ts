/**
 * A `JobTimeoutError` says "the last request was not sent" only for a failure marked so where it was made (offline, no
 * time left, the client's rate-limit gate: see late-read.test.ts), never by words in a message: a submit sent and
 * answered 500 ("…; not sent again …" follows it), or a server's own text saying "not sent", is a request that failed.
 * A purpose-built server on loopback answers every request with that failure; the client's clock is virtual.
 */
import { describe, expect, it } from "vitest";
import { timedOut } from "../src/errors.js";
import { JobTimeoutError, models } from "../src/index.js";
import { json, serve, virtualClient } from "./helpers.js";

const t2v = models.video("lucy-pro-t2v");

describe("a JobTimeoutError whose last request was sent and answered", () => {
  it("a submit answered 500, sent again (retrySubmit) until the budget ran out: 'failed', not 'was not sent'", async () => {
    const server = await serve((_req, res) => json(res, 500, { detail: "boom" }));
    try {
      const { client } = virtualClient(server.url, { retrySubmit: true });
      const error = await client.queue.submitAndPoll({ model: t2v, prompt: "x", timeoutMs: 300 }).catch((e) => e);
      expect(error).toBeInstanceOf(JobTimeoutError);
      // The words that follow the 500's own ("a job (or file) may exist: not sent again …") do not make it unsent.
      expect(error.message).toMatch(/not sent again/);
      expect(error.message).toContain("; the last request failed: boom (HTTP 500");
      expect(error.message).not.toContain("was not sent");
    } finally {
      await server.close();
    }
  });

  it("a status read answered 503 whose text says 'not sent', until the budget ran out: 'failed'", async () => {
    const server = await serve((_req, res) => json(res, 503, { detail: "upstream not sent" }));
    try {
      const { client } = virtualClient(server.url);
      const error = await client.queue.wait("job_1", { timeoutMs: 5_000 }).catch((e) => e);
      expect(error).toBeInstanceOf(JobTimeoutError);
      expect(error.message).toContain("; the last request failed: upstream not sent (HTTP 503");
      expect(error.message).not.toContain("was not sent");
    } finally {
      await server.close();
    }
  });
});

describe("a JobTimeoutError whose last request never left (marked so where it failed)", () => {
  it("no time left, or the client's rate-limit gate shut past the call's budget: 'was not sent'", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(429, { "content-type": "application/json", "retry-after": "30" });
      res.end(JSON.stringify({ detail: "Too many requests" }));
    });
    try {
      const { client } = virtualClient(server.url, { maxRetries: 0 });
      // The virtual clock stands at 0: a deadline of 0 is reached as the call begins.
      const late = await client.queue.submit({ model: t2v, prompt: "x", deadline: 0 }).catch((e) => e);
      expect(late.message).toContain("not sent, no time left");
      // The 429 shuts the gate for 30 s; the next read, its deadline 2 s on, is not sent.
      await client.queue.status("job_1").catch(() => {});
      const gated = await client.queue.status("job_1", { deadline: 2_000 }).catch((e) => e);
      expect(gated.message).toContain("not sent, rate-limited");
      expect(server.arrived()).toBe(1);
      for (const cause of [late, gated])
        expect(timedOut("job_1", cause, "processing", "5000 ms").message).toContain(
          `; the last request was not sent: ${cause.message}`,
        );
    } finally {
      await server.close();
    }
  });
});
