import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adaptiveSchedule, type DelayFunction, JobTimeoutError, models, type PollContext } from "../src/index.js";
import { createDurationModel, mergePoll, scheduleFor } from "../src/poll.js";
import { clientFor, startFast } from "./helpers.js";

/** A small deterministic PRNG (mulberry32), so the simulations below are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The official SDK's schedule: 500 ms, then every 1500 ms. */
const official = ({ attempt }: PollContext) => (attempt === 0 ? 500 : 1500);

/** Polls a job that completes at `durationMs`: returns the lag after completion and the number of status reads. */
function simulate(schedule: (ctx: PollContext) => number, typicalMs: number, durationMs: number) {
  let t = 0;
  for (let attempt = 0; ; ) {
    t += schedule({ attempt, elapsedMs: t, status: t === 0 ? "pending" : "processing", typicalMs });
    attempt++;
    if (t >= durationMs) return { lag: t - durationMs, reads: attempt };
  }
}

const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]!;

describe("adaptiveSchedule", () => {
  const at = (elapsedMs: number, typicalMs = 40_000, random = () => 0.5) =>
    adaptiveSchedule({ attempt: 1, elapsedMs, status: "processing", typicalMs }, random);

  it("reads once at a quarter of the expected duration, then at half", () => {
    expect(adaptiveSchedule({ attempt: 0, elapsedMs: 0, status: "pending", typicalMs: 40_000 })).toBe(10_000);
    expect(at(10_003)).toBe(9_997);
  });

  it("then reads every 1.2 s ± 10 % until twice the expected duration", () => {
    expect(at(20_000)).toBe(1200);
    expect(at(79_000)).toBe(1200);
    expect(at(30_000, 40_000, () => 0)).toBeCloseTo(1080);
    expect(at(30_000, 40_000, () => 1)).toBeCloseTo(1320);
  });

  it("slows down for a late job, up to 5 s between reads", () => {
    expect(at(85_000)).toBeGreaterThan(1200);
    expect(at(85_000)).toBeLessThan(at(100_000));
    expect(at(600_000)).toBe(5000);
  });

  it("takes the server's hint when there is one, capped at a minute", () => {
    const ctx = { attempt: 1, elapsedMs: 0, status: "pending" as const, typicalMs: 40_000 };
    expect(adaptiveSchedule({ ...ctx, hintMs: 250 })).toBe(250);
    expect(adaptiveSchedule({ ...ctx, hintMs: 600_000 })).toBe(60_000);
    expect(adaptiveSchedule(ctx, () => 0.5)).toBe(10_000);
  });

  it("scales down for short jobs (T/12, at least 50 ms)", () => {
    expect(at(1000, 2400)).toBe(200);
    expect(at(100, 100)).toBe(50);
  });

  it("beats a fixed 0.5 s + 1.5 s schedule on median and p95 lag and on reads, for jobs of 0.5·T to 2·T", () => {
    for (const seconds of [20, 25, 30, 40, 45, 60]) {
      const T = seconds * 1000;
      const random = seeded(seconds);
      const ours = { lags: [] as number[], reads: 0 };
      const theirs = { lags: [] as number[], reads: 0 };
      const runs = 2000;
      for (let i = 0; i < runs; i++) {
        const duration = T * (0.5 + 1.5 * random());
        const a = simulate((ctx) => adaptiveSchedule(ctx, random), T, duration);
        const b = simulate(official, T, duration);
        ours.lags.push(a.lag);
        ours.reads += a.reads;
        theirs.lags.push(b.lag);
        theirs.reads += b.reads;
      }
      expect(quantile(ours.lags, 0.5), `median lag, T=${seconds}s`).toBeLessThan(quantile(theirs.lags, 0.5));
      expect(quantile(ours.lags, 0.95), `p95 lag, T=${seconds}s`).toBeLessThan(quantile(theirs.lags, 0.95));
      expect(ours.reads / runs, `reads per job, T=${seconds}s`).toBeLessThan(theirs.reads / runs);
    }
  });

  it("does not spend more reads than the fixed schedule even on jobs lasting exactly 0.5·T or 2·T", () => {
    for (const seconds of [20, 40, 60]) {
      const T = seconds * 1000;
      for (const duration of [0.5 * T, 2 * T]) {
        const a = simulate((ctx) => adaptiveSchedule(ctx, () => 0.5), T, duration);
        const b = simulate(official, T, duration);
        expect(a.reads, `T=${seconds}s, D=${duration}`).toBeLessThanOrEqual(b.reads);
      }
    }
  });
});

describe("poll options", () => {
  it("a fixed schedule: initialDelayMs, then intervalMs, growing ×1.5 up to maxIntervalMs", () => {
    const schedule = scheduleFor({ initialDelayMs: 100, intervalMs: 1000, maxIntervalMs: 2000 });
    const delays = [0, 1, 2, 3, 4].map((attempt) =>
      schedule({ attempt, elapsedMs: 0, status: "pending", typicalMs: 1 }),
    );
    expect(delays).toEqual([100, 1000, 1500, 2000, 2000]);
    const flat = scheduleFor({ intervalMs: 700 });
    expect([0, 1, 5].map((attempt) => flat({ attempt, elapsedMs: 0, status: "pending", typicalMs: 1 }))).toEqual([
      500, 700, 700,
    ]);
  });

  it("maxIntervalMs caps the adaptive schedule", () => {
    const schedule = scheduleFor({ maxIntervalMs: 300 });
    expect(schedule({ attempt: 0, elapsedMs: 0, status: "pending", typicalMs: 40_000 })).toBe(300);
  });

  it("per-call options override the client's; a function is a schedule", () => {
    const delay: DelayFunction = async () => {};
    const base = { initialDelayMs: 1, intervalMs: 2, delay };
    expect(mergePoll(base, { intervalMs: 9 })).toEqual({
      initialDelayMs: undefined,
      intervalMs: 9,
      delay,
      schedule: undefined,
    });
    const fn = () => 5;
    expect(mergePoll(base, fn)).toMatchObject({ schedule: fn, delay });
    expect(mergePoll(base, { maxIntervalMs: 3 })).toEqual({ ...base, maxIntervalMs: 3 });
  });

  it("refines the expected duration from observed jobs (EMA, weight 0.5)", () => {
    const model = createDurationModel();
    expect(model.typicalMs("m", 40_000)).toBe(40_000);
    model.observe("m", 40_000, 20_000);
    expect(model.typicalMs("m", 40_000)).toBe(30_000);
    model.observe("m", 40_000, 10_000);
    expect(model.typicalMs("m", 40_000)).toBe(20_000);
    model.observe("m", 40_000, -5);
    expect(model.typicalMs("m", 40_000)).toBe(20_000);
    expect(model.typicalMs("other", 7)).toBe(7);
  });
});

describe("polling a real job with an injected delay", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startFast();
  });
  afterAll(() => emu.close());

  /** A delay that waits at most 5 ms for real, and records what it was asked to wait. */
  function recordingDelay() {
    const asked: number[] = [];
    const delay: DelayFunction = (ms, signal) => {
      asked.push(ms);
      return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        setTimeout(resolve, Math.min(ms, 5));
      });
    };
    return { asked, delay };
  }

  it("starts from the catalogue's typical duration and adapts to what it observes", async () => {
    const { asked, delay } = recordingDelay();
    const client = clientFor(emu, { poll: { initialDelayMs: undefined, intervalMs: undefined, delay } });
    await client.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "first" });
    const firstWait = asked[0]!;
    // 0.25 × 40 s (the catalogue's typicalJobSeconds), less the few ms since the submit answer.
    expect(firstWait).toBeGreaterThan(9_900);
    expect(firstWait).toBeLessThanOrEqual(10_000);
    asked.length = 0;
    await client.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "second" });
    expect(asked[0]!).toBeLessThan(firstWait * 0.6); // jobs here take ~0.1 s: T fell by about half
    // Aliases share what was learnt: lucy-latest is lucy-2.1, a different model, so it starts afresh.
    expect(models.video("lucy-latest").canonical).toBe("lucy-2.1");
  });

  it("ends with JobTimeoutError carrying the job id when the job outlasts timeoutMs (clock injected)", async () => {
    let fakeNow = 0;
    const delay: DelayFunction = async (ms) => {
      fakeNow += ms;
    };
    const client = clientFor(emu, {
      poll: { initialDelayMs: undefined, intervalMs: undefined, delay, now: () => fakeNow },
    });
    const error = await client.queue
      .submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "[stuck]", timeoutMs: 60_000 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(JobTimeoutError);
    expect(error.jobId).toMatch(/^job_/);
    expect(error.lastStatus).toBe("processing");
    expect(fakeNow).toBe(60_000);
  });

  it("keeps polling through transient status errors until the deadline", async () => {
    const flaky = await startFast({ faults: [{ route: "status", kind: "503", rate: 0.5 }] });
    try {
      const client = clientFor(flaky);
      const result = await client.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "flaky" });
      expect(result.status).toBe("completed");
      expect(flaky.stats().faultsInjected["503"]).toBeGreaterThan(0);
    } finally {
      await flaky.close();
    }
  });

  it("uses a schedule function given per call", async () => {
    const seen: PollContext[] = [];
    const client = clientFor(emu);
    await client.queue.submitAndPoll({
      model: models.video("lucy-clip-latest"),
      prompt: "ctx",
      data: await (async () => {
        const r = await client.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "src" });
        if (r.status !== "completed") throw new Error("setup");
        return r.data;
      })(),
      poll: (ctx) => {
        seen.push(ctx);
        return 10;
      },
    });
    expect(seen[0]).toMatchObject({ attempt: 0, status: "pending", typicalMs: 20_000 });
    expect(seen.map((c) => c.attempt)).toEqual(seen.map((_, i) => i));
  });
});
