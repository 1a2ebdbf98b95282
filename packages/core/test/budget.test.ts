// One budget per wait: the deadline bounds requests in flight, retries back off even at Retry-After: 0, a download
// that runs out of budget is a JobTimeoutError, a call's own clock drives only its schedule, and a server hint wins.
import { createServer } from "node:http";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, type DelayFunction, JobTimeoutError, models, TimeoutError } from "../src/index.js";
import { sleep } from "../src/poll.js";
import { clientFor, firstN, silent, startFast } from "./helpers.js";

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

/** A server that takes every request and never answers it; it counts the requests and those the client gave up. */
async function neverAnswers() {
  const seen = { requests: 0, abandoned: 0 };
  const server = createServer((req) => {
    seen.requests++;
    req.socket.once("close", () => seen.abandoned++);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    seen,
    // Each attempt's own limit is ten minutes: only a deadline can end a read sooner.
    client: createDecartClient({
      apiKey: "dct_test",
      baseUrl: `http://127.0.0.1:${port}`,
      timeoutMs: 600_000,
      logger: silent,
    }),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Resolves once `condition` holds (the test's own timeout bounds it). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
}

describe("a status read's deadline", () => {
  it("readStatus ends a read in flight at its deadline, and a JobWatch with timeoutMs ends on time", async () => {
    const server = await neverAnswers();
    try {
      const { client, seen } = server;
      const watch = client.queue.createWatch("job_slow", { timeoutMs: 300 });
      const step = watch.start();
      expect(step.next).toEqual({ read: 0 });
      const failure = await client.queue.readStatus("job_slow", { deadline: watch.deadline }).catch((e) => e);
      expect(failure).toBeInstanceOf(TimeoutError);
      expect(failure.jobId).toBe("job_slow");
      // The watch sees the deadline passed: it ends with a timeout carrying the job id, and reads nothing more.
      const end = watch.error(failure);
      expect((end.next as { error: unknown }).error).toBeInstanceOf(JobTimeoutError);
      expect((end.next as { error: JobTimeoutError }).error.jobId).toBe("job_slow");
      await until(() => seen.abandoned === 1);
      expect(seen.requests).toBe(1);
    } finally {
      await server.close();
    }
  });

  it("rejects a deadline that is not a number", async () => {
    const server = await neverAnswers();
    try {
      const error = await server.client.queue.readStatus("job_x", { deadline: "soon" as never }).catch((e) => e);
      expect(error.name).toBe("InvalidInputError");
      expect(server.seen.requests).toBe(0);
    } finally {
      await server.close();
    }
  });
});
