/**
 * A read made past the deadline in a window of its own (a machine asleep meanwhile: see late-read.test.ts) that the
 * window cuts names that window's length, not the watch's budget: it is the window (30 s, or the budget if shorter)
 * that ran out. Over HTTP, against a purpose-built server that answers the first read and holds the next; the client's
 * clock is the test's, the read's timer a fake one moved to the window's end.
 */
import type { ServerResponse } from "node:http";
import { describe, expect, it, vi } from "vitest";
import { createDecartClient, JobTimeoutError, TimeoutError } from "../src/index.js";
import { json, serve, silent } from "./helpers.js";

const JOB = `job_${"ab".repeat(16)}`;

describe("a late read cut by its own window", () => {
  it("names the window's length (30000 ms), not the watch's budget (120000 ms)", async () => {
    let held: (res: ServerResponse) => void = () => {};
    const late = new Promise<ServerResponse>((resolve) => (held = resolve));
    const server = await serve((_req, res) => {
      if (server.arrived() === 1) json(res, 200, { job_id: JOB, status: "processing" });
      else held(res);
    });
    // The clock moves by each wait; the first wait after the job is seen processing sleeps 200 s past it, beyond the
    // budget of 120 s.
    let t = 0;
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const client = createDecartClient({
        apiKey: "k",
        baseUrl: server.url,
        logger: silent,
        poll: {
          now: () => t,
          delay: async (ms) => {
            t += ms + (ms && server.arrived() === 1 ? 200_000 : 0);
          },
        },
      });
      const ended = client.queue.wait(JOB, { timeoutMs: 120_000 }).catch((e) => e);
      await late;
      // The late read's timer runs to its window's end.
      await vi.advanceTimersByTimeAsync(30_000);
      const error = await ended;
      expect(error).toBeInstanceOf(JobTimeoutError);
      expect(error.cause).toBeInstanceOf(TimeoutError);
      expect(error.cause.message).toBe(`GET ${server.url}/v1/jobs/${JOB}: timed out (the budget of 30000 ms)`);
      expect(error.message).toBe(
        `Job ${JOB} not done within 120000 ms (last status: processing); the last request failed: ${error.cause.message}`,
      );
    } finally {
      vi.useRealTimers();
      await server.close();
    }
  });
});
