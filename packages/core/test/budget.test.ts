// One budget per wait: the deadline bounds requests in flight, retries back off even at Retry-After: 0, a download
// that runs out of budget is a JobTimeoutError, a call's own clock drives only its schedule, and a server hint wins.
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DelayFunction, JobTimeoutError, models } from "../src/index.js";
import { sleep } from "../src/poll.js";
import { clientFor, firstN, startFast } from "./helpers.js";

const t2v = models.video("lucy-pro-t2v");
let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

async function withEmulator<T>(options: Parameters<typeof startFast>[0], run: (e: Emulator) => Promise<T>) {
  const e = await startFast(options);
  try {
    return await run(e);
  } finally {
    await e.close();
  }
}

describe("the budget of submitAndPoll and wait", () => {
  it("bounds a status read in flight: a server that never answers in time ends in JobTimeoutError", async () => {
    // Status answers start after a minute; the call's budget is half a second (the per-read timeout is 60 s).
    await withEmulator({ faults: [{ route: "status", kind: "slow", delayMs: 60_000 }] }, async (slow) => {
      const error = await clientFor(slow)
        .queue.submitAndPoll({ model: t2v, prompt: "slow reads", timeoutMs: 500 })
        .catch((e) => e);
      expect(error).toBeInstanceOf(JobTimeoutError);
      expect(error.jobId).toMatch(/^job_/);
    });
  });

  it("backs off even when the server says Retry-After: 0, so a failing status cannot spin", async () => {
    await withEmulator({ faults: [{ route: "status", kind: "503", retryAfterSeconds: 0 }] }, async (busy) => {
      const error = await clientFor(busy)
        .queue.submitAndPoll({ model: t2v, prompt: "always 503", timeoutMs: 1500, poll: { initialDelayMs: 0 } })
        .catch((e) => e);
      expect(error).toBeInstanceOf(JobTimeoutError);
      // A floor of 50 ms doubling to 1 s allows about six reads in 1.5 s; without it there would be hundreds.
      expect(busy.stats().requests.byRoute.status).toBeLessThan(20);
    });
  });

  it("turns a download that outlasts the budget into JobTimeoutError with the job id", async () => {
    await withEmulator({ faults: [{ route: "content", kind: "stall" }] }, async (stalled) => {
      const error = await clientFor(stalled)
        .queue.submitAndPoll({ model: t2v, prompt: "stalled download", timeoutMs: 1500 })
        .catch((e) => e);
      expect(error).toBeInstanceOf(JobTimeoutError);
      expect(error.jobId).toMatch(/^job_/);
      expect(error.lastStatus).toBe("completed");
    });
  });

  it("keeps the deadline on the client's clock when a call brings its own clock for the schedule", async () => {
    await withEmulator({ faults: [{ route: "status", kind: "503", rate: 0.5 }], random: firstN(1) }, async (flaky) => {
      const result = await clientFor(flaky).queue.submitAndPoll({
        model: t2v,
        prompt: "own clock",
        poll: { now: () => 0, initialDelayMs: 20, intervalMs: 20 },
      });
      expect(result.status).toBe("completed");
      expect(flaky.stats().faultsInjected["503"]).toBe(1);
    });
  });
});

describe("the server's poll hint", () => {
  it("replaces the adaptive guess when the server sends x-poll-after-ms", async () => {
    // lucy-pro-t2v's catalogue duration is 40 s, so without the hint the adaptive schedule would wait 10 s first.
    await withEmulator({ pollHints: true, timing: { pendingMs: 150, processingMs: 300 } }, async (hinted) => {
      const client = clientFor(hinted);
      const job = await client.queue.submit({ model: t2v, prompt: "hinted" });
      const waits: number[] = [];
      const delay: DelayFunction = (ms, signal) => {
        waits.push(ms);
        return sleep(ms, signal);
      };
      const result = await client.queue.wait(job.job_id, { model: t2v, poll: { delay }, download: false });
      expect(result.status).toBe("completed");
      expect(waits[0]).toBe(0);
      expect(waits.length).toBeGreaterThan(1);
      for (const ms of waits) expect(ms).toBeLessThanOrEqual(450);
    });
  });
});
