/**
 * A watch whose next read was due before its deadline but goes after it (a page frozen, a machine asleep meanwhile)
 * reads the job once, in a short window of its own, before it ends: a job that completed meanwhile is the outcome (its
 * result downloaded), not a `JobTimeoutError` with no read made. Time passes only in the client's waits, on the test's
 * clock: the sleep is a jump of that clock during a wait, while the emulator's `[hold]` job is released.
 */
import { describe, expect, it, vi } from "vitest";
import { type DelayFunction, JobTimeoutError, models } from "../src/index.js";
import { clientFor, serve, useEmulatorClient, virtualClient } from "./helpers.js";

const t2v = models.video("lucy-pro-t2v");
const env = useEmulatorClient();

/** Job `jobId`'s status reads so far (the emulator's count). */
const readsOf = (jobId: string) => (env.emu.job(jobId) as { statusReads: number }).statusReads;

/**
 * A clock (from 0) that moves by each wait asked for; the first wait once the job is seen `processing` moves it on
 * past the budget too (`sleepMs` more), the job released meanwhile (`then`, when given, runs after that jump).
 */
function sleeper(jobId: () => string, sleepMs: number, then?: () => void) {
  let t = 0;
  const at = { reads: -1, release: true };
  const delay: DelayFunction = async (ms, signal) => {
    t += ms;
    signal?.throwIfAborted();
    const id = jobId();
    if (at.reads < 0 && (env.emu.job(id) as { status?: string } | undefined)?.status === "processing" && readsOf(id)) {
      t += sleepMs;
      if (at.release) expect(env.emu.release(id)).toBe(true);
      at.reads = readsOf(id);
      then?.();
    }
  };
  return { now: () => t, delay, at };
}

describe("a watch that finds its deadline passed at a read due before it", () => {
  it("reads the job once: completed meanwhile is the outcome, its result downloaded", async () => {
    const { job_id: jobId } = await env.client.queue.submit({ model: t2v, prompt: "A lake [hold]" });
    const time = sleeper(() => jobId, 60_000);
    const result = await clientFor(env.emu, { poll: { now: time.now, delay: time.delay } }).queue.wait(jobId, {
      timeoutMs: 10_000,
    });
    expect(result.status).toBe("completed");
    expect((result as { data: Blob }).data.size).toBeGreaterThan(0);
    // Exactly one status read after the jump.
    expect(time.at.reads).toBeGreaterThan(0);
    expect(readsOf(jobId) - time.at.reads).toBe(1);
  });

  it("still running: one read, then JobTimeoutError with the status it read, no request said to have failed", async () => {
    const { job_id: jobId } = await env.client.queue.submit({ model: t2v, prompt: "A lake [hold]" });
    const time = sleeper(() => jobId, 60_000);
    time.at.release = false;
    try {
      const error = await clientFor(env.emu, { poll: { now: time.now, delay: time.delay } })
        .queue.wait(jobId, { timeoutMs: 10_000 })
        .catch((e) => e);
      expect(error).toBeInstanceOf(JobTimeoutError);
      expect(error.message).toBe(`Job ${jobId} not done within 10000 ms (last status: processing)`);
      expect(readsOf(jobId) - time.at.reads).toBe(1);
    } finally {
      env.emu.release(jobId);
    }
  });
});

describe("a watch that ends on a request that was never sent", () => {
  it("says the last request was not sent, not that it failed (offline throughout)", async () => {
    // `navigator.onLine` false, as a page offline has it; the connection closed at once stands for the fetch failing.
    vi.stubGlobal("navigator", { onLine: false });
    const server = await serve((req) => void req.socket.destroy());
    try {
      const { client } = virtualClient(server.url);
      const error = await client.queue.wait("job_1", { timeoutMs: 10_000 }).catch((e) => e);
      expect(error).toBeInstanceOf(JobTimeoutError);
      expect(error.message).toBe(
        `Job job_1 not done within 10000 ms (last status: unknown); the last request was not sent: GET ${server.url}/v1/jobs/job_1: offline, not sent`,
      );
    } finally {
      vi.unstubAllGlobals();
      await server.close();
    }
  });
});
