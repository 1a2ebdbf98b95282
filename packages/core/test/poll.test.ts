import { createServer } from "node:http";
import { type Emulator, seededRandom } from "@decart/emulator";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  adaptiveSchedule,
  createDecartClient,
  DecartError,
  type DelayFunction,
  JobTimeoutError,
  models,
  type PollContext,
  type PollSchedule,
} from "../src/index.js";
import { completedDurationMs, createDurationModel, mergePoll, scheduleFor } from "../src/poll.js";
import { clientFor, firstN, instantDelay, silent, startFast } from "./helpers.js";

/** The official SDK's schedule: 500 ms, then every 1500 ms. */
const official = ({ attempt }: PollContext) => (attempt === 0 ? 500 : 1500);

type Schedule = (ctx: PollContext) => number;

/** The moments (ms after submit) a schedule reads a job that is never done, up to `untilMs`. */
function readTimes(schedule: Schedule, typicalMs: number, untilMs: number, spread?: number): number[] {
  const times: number[] = [];
  for (let attempt = 0, t = 0; t < untilMs; attempt++) {
    t += schedule({ attempt, elapsedMs: t, status: attempt ? "processing" : "pending", typicalMs, spread });
    times.push(t);
  }
  return times;
}

/** Polls a job that completes at `durationMs`: the lag after completion and the number of status reads. */
function simulate(schedule: Schedule, typicalMs: number, durationMs: number, spread?: number) {
  const times = readTimes(schedule, typicalMs, durationMs, spread);
  return { lag: times.at(-1)! - durationMs, reads: times.length };
}

const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]!;

/** Durations drawn as the benchmark's emulator draws them: pending 0.25·T and processing T, each ±60 %. */
const emulatorDuration = (T: number, random: () => number) =>
  0.25 * T * (0.4 + 1.2 * random()) + T * (0.4 + 1.2 * random());

/**
 * `jobs` jobs of one model submitted together, watched by one client: each read asks the schedule with what the
 * duration model knows at that moment, and a job seen completed is observed at once (as the client does).
 */
function batch(
  durations: number[],
  catalogueMs: number,
  model: ReturnType<typeof createDurationModel>,
  random: () => number,
) {
  const jobs = durations.map((d) => ({ d, next: 0, reads: 0, done: false }));
  const schedule = (t: number, attempt: number) =>
    adaptiveSchedule(
      {
        attempt,
        elapsedMs: t,
        status: "processing",
        typicalMs: model.typicalMs("m", catalogueMs),
        spread: model.spread("m"),
      },
      random,
    );
  for (const job of jobs) job.next = schedule(0, 0);
  const out: { d: number; lag: number; reads: number }[] = [];
  for (;;) {
    const job = jobs.filter((j) => !j.done).sort((a, b) => a.next - b.next)[0];
    if (!job) return out;
    job.reads++;
    if (job.next >= job.d) {
      job.done = true;
      out.push({ d: job.d, lag: job.next - job.d, reads: job.reads });
      model.observe("m", catalogueMs, job.d);
    } else job.next += schedule(job.next, job.reads);
  }
}

describe("adaptiveSchedule", () => {
  const half = () => 0.5;
  const ours =
    (random: () => number = half) =>
    (ctx: PollContext) =>
      adaptiveSchedule(ctx, random);

  it("while the catalogue's guess is all it knows: dense at the start, a middle whose gaps grow with the job's age within one read per 5 s of T, dense from T/1.5 to 2·T", () => {
    for (const seconds of [20, 40, 60]) {
      const T = seconds * 1000;
      // With no jitter and with the most jitter (±10 %, within 10 % more).
      for (const [random, slack] of [
        [half, 1],
        [() => 0, 1.1],
        [() => 0.999, 1.1],
      ] as const) {
        const times = readTimes(ours(random), T, 2 * T);
        const lag = (d: number) => times.find((t) => t >= d)! - d;
        // The first max(3, T / 10 s) reads: a job that ends among them is seen within max(1.5 s, 30 %).
        const early = times[Math.ceil(Math.max(3, T / 10_000)) - 1]!;
        for (let d = 500; d <= early; d *= 1.02) {
          expect(lag(d), `T=${seconds}s, duration ${d.toFixed(0)} ms`).toBeLessThanOrEqual(
            slack * Math.max(1500, 0.3 * d),
          );
        }
        // The middle, until T/1.5: within (80 s / T)·max(1.5 s, 30 %); before T/1.5, one read per 5 s of T at most
        // (one more when the jitter brings the first read of the dense part forward).
        for (let d = early; d <= T / 1.5; d *= 1.02) {
          expect(lag(d), `T=${seconds}s, duration ${d.toFixed(0)} ms`).toBeLessThanOrEqual(
            ((slack * 80_000) / T) * Math.max(1500, 0.3 * d),
          );
        }
        expect(times.filter((t) => t < T / 1.5).length, `T=${seconds}s`).toBeLessThanOrEqual(
          T / 5000 + (slack > 1 ? 1 : 0),
        );
        // Then one every 1.4 s (at most) until 2·T.
        const dense = times.filter((t) => t >= 0.69 * T);
        const gaps = dense.slice(1).map((t, i) => t - dense[i]!);
        expect(Math.max(...gaps), `T=${seconds}s`).toBeLessThan(slack * 1400 + 1);
      }
    }
    // A job of 0.05·T on a model expected to take 40 s: seen within a second.
    expect(simulate(ours(), 40_000, 2_000).lag).toBeLessThan(1000);
  });

  it("a lone job of 1–6 s on a model expected to take 40 s, nothing learnt: lower median lag than the official schedule", () => {
    const random = seededRandom(7);
    const durations = Array.from({ length: 300 }, () => 1000 * 6 ** random());
    const lags = (schedule: Schedule) => durations.map((d) => simulate(schedule, 40_000, d).lag);
    expect(quantile(lags(ours(random)), 0.5)).toBeLessThan(quantile(lags(official), 0.5));
  });

  it("once the model's jobs are known to end close together: sparse early, dense near the expected end", () => {
    const T = 24_000;
    const times = readTimes(ours(), T, 2 * T, 0.3);
    expect(times.filter((t) => t < 0.4 * T).length).toBeLessThanOrEqual(3);
    const dense = times.filter((t) => t >= 0.5 * T && t <= 1.5 * T);
    const gaps = dense.slice(1).map((t, i) => t - dense[i]!);
    expect(Math.max(...gaps)).toBeLessThan(1201);
    // A job that lasts T costs at most 85 % of the fixed schedule's reads.
    expect(readTimes(ours(), T, T, 0.3).length).toBeLessThanOrEqual(0.85 * readTimes(official, T, T).length);
  });

  it("once the model's jobs are known to vary widely: reads at most 1.1 s apart for the first 5 s", () => {
    for (const T of [3_000, 5_000, 20_000]) {
      const times = readTimes(ours(), T, 5_000, 1.4);
      const gaps = times.map((t, i) => t - (times[i - 1] ?? 0));
      expect(Math.max(...gaps), `T=${T} ms`).toBeLessThanOrEqual(1100);
    }
  });

  it("reads a late job less and less often, never more than 10 s apart", () => {
    const late = (t: number) =>
      adaptiveSchedule({ attempt: 9, elapsedMs: t, status: "processing", typicalMs: 20_000, spread: 0.3 }, half);
    expect(late(70_000)).toBeGreaterThan(late(60_000));
    expect(late(90_000)).toBeGreaterThan(late(70_000));
    expect(late(600_000)).toBe(10_000);
  });

  it("takes the server's hint when there is one, up to its own longest wait (10 s)", () => {
    const ctx = { attempt: 1, elapsedMs: 0, status: "pending" as const, typicalMs: 40_000 };
    expect(adaptiveSchedule({ ...ctx, hintMs: 250 })).toBe(250);
    expect(adaptiveSchedule({ ...ctx, hintMs: 600_000 })).toBe(10_000);
    expect(adaptiveSchedule(ctx, half)).toBe(500);
  });

  it("jitters by ±10 % with the random source it is given, and scales down for short jobs (at least 50 ms)", () => {
    const ctx = { attempt: 3, elapsedMs: 20_000, status: "processing" as const, typicalMs: 20_000, spread: 0.3 };
    expect(adaptiveSchedule(ctx, () => 0)).toBeCloseTo(1080);
    expect(adaptiveSchedule(ctx, () => 1)).toBeCloseTo(1320);
    expect(adaptiveSchedule({ ...ctx, elapsedMs: 100, typicalMs: 100 }, half)).toBe(50);
  });

  it("learning from jobs of the same batch: 1–6 s jobs on a model expected to take 40 s are seen sooner than by the official schedule", () => {
    const random = seededRandom(1);
    const lags: number[] = [];
    const theirs: number[] = [];
    for (let round = 0; round < 10; round++) {
      const durations = Array.from({ length: 30 }, () => 1000 * 6 ** random());
      lags.push(...batch(durations, 40_000, createDurationModel(), random).map((j) => j.lag));
      theirs.push(...durations.map((d) => simulate(official, 40_000, d).lag));
    }
    expect(quantile(lags, 0.5)).toBeLessThan(quantile(theirs, 0.5));
  });

  it("nothing learnt, and with what it learnt from a first batch: beats the official schedule on median and p95 lag with ≤ 80 % of its reads (≤ 85 % once learnt; jobs of 0.5·T to 2·T)", () => {
    for (const learnt of [false, true]) {
      for (const seconds of [20, 40, 60]) {
        const T = seconds * 1000;
        const random = seededRandom(seconds);
        const ourJobs: { lag: number; reads: number }[] = [];
        const theirJobs: { lag: number; reads: number }[] = [];
        for (let round = 0; round < 10; round++) {
          const model = createDurationModel();
          if (learnt)
            batch(
              Array.from({ length: 30 }, () => emulatorDuration(T, random)),
              T,
              model,
              random,
            );
          const durations = Array.from({ length: 30 }, () => emulatorDuration(T, random));
          ourJobs.push(...batch(durations, T, model, random));
          theirJobs.push(...durations.map((d) => simulate(official, T, d)));
        }
        const lag = (jobs: typeof ourJobs, q: number) =>
          quantile(
            jobs.map((j) => j.lag),
            q,
          );
        const reads = (jobs: typeof ourJobs) => jobs.reduce((sum, j) => sum + j.reads, 0);
        const what = `T=${seconds}s, ${learnt ? "learnt" : "nothing learnt"}`;
        expect(lag(ourJobs, 0.5), `median lag, ${what}`).toBeLessThan(lag(theirJobs, 0.5));
        expect(lag(ourJobs, 0.95), `p95 lag, ${what}`).toBeLessThan(lag(theirJobs, 0.95));
        expect(reads(ourJobs), `reads, ${what}`).toBeLessThanOrEqual((learnt ? 0.85 : 0.8) * reads(theirJobs));
      }
    }
  });

  it("nothing learnt, a batch of jobs of 0.5 s to 3·T: those that end first teach the rest (p95 lag within max(1.5 s, 30 %) at every duration)", () => {
    for (const seconds of [20, 40]) {
      const T = seconds * 1000;
      const random = seededRandom(seconds + 1);
      const jobs: { d: number; lag: number }[] = [];
      for (let round = 0; round < 20; round++) {
        const durations = Array.from({ length: 30 }, () => 500 * ((3 * T) / 500) ** random());
        jobs.push(...batch(durations, T, createDurationModel(), random));
      }
      for (let lo = 500; lo < 3 * T; lo *= 3) {
        const inside = jobs.filter((j) => j.d >= lo && j.d < 3 * lo).map((j) => j.lag / Math.max(1500, 0.3 * j.d));
        expect(quantile(inside, 0.95), `T=${seconds}s, jobs of ${lo}–${3 * lo} ms`).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe("the duration model", () => {
  it("starts from the catalogue's duration with no spread known, and moves towards observed durations", () => {
    const model = createDurationModel();
    expect(model.typicalMs("m", 40_000)).toBe(40_000);
    expect(model.spread("m")).toBeUndefined();
    model.observe("m", 40_000, 10_000);
    // The catalogue counts as one observation: the geometric mean of 40 s and 10 s.
    expect(model.typicalMs("m", 40_000)).toBeCloseTo(20_000);
    expect(model.spread("m")).toBeGreaterThan(0);
    for (let i = 0; i < 60; i++) model.observe("m", 40_000, 2_000 * 1.2 ** (i % 3));
    expect(model.typicalMs("m", 40_000)).toBeGreaterThan(2_000);
    expect(model.typicalMs("m", 40_000)).toBeLessThan(3_500);
    expect(model.spread("m")).toBeLessThan(0.5);
    expect(model.typicalMs("other", 7)).toBe(7);
  });

  it("ignores durations that cannot be real", () => {
    const model = createDurationModel();
    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) model.observe("m", 40_000, bad);
    expect(model.typicalMs("m", 40_000)).toBe(40_000);
    expect(model.spread("m")).toBeUndefined();
  });

  it("a job still waiting reads more often once jobs of its model were seen finishing far sooner than the guess", () => {
    const model = createDurationModel();
    const next = () =>
      adaptiveSchedule(
        {
          attempt: 5,
          elapsedMs: 8_000,
          status: "processing",
          typicalMs: model.typicalMs("m", 40_000),
          spread: undefined,
        },
        () => 0.5,
      );
    const before = next();
    for (const ms of [1000, 1200, 1500, 1800, 2000, 2500]) model.observe("m", 40_000, ms);
    expect(next()).toBeLessThan(0.85 * before);
  });

  it("reads a completed job's duration from the server's timestamps", () => {
    const job = { status: "completed", created_at: "2026-01-01T00:00:00.000Z", updated_at: "2026-01-01T00:00:02.500Z" };
    expect(completedDurationMs(job)).toBe(2500);
    expect(completedDurationMs({ ...job, status: "processing" })).toBeUndefined();
    expect(completedDurationMs({ ...job, updated_at: "garbage" })).toBeUndefined();
    expect(completedDurationMs({ status: "completed" })).toBeUndefined();
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
    const { asked, delay: wait } = recordingDelay();
    // The client's clock moves only by the waits it asks for: the time the machine takes between the submit and the
    // first wait (long on a loaded machine) is not taken off the first read's delay.
    let fakeNow = 0;
    const delay: DelayFunction = (ms, signal) => {
      fakeNow += ms;
      return wait(ms, signal);
    };
    const client = clientFor(emu, {
      poll: { initialDelayMs: undefined, intervalMs: undefined, delay, now: () => fakeNow },
    });
    await client.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "first" });
    // While the catalogue's 40 s is only a guess, the first read comes after 0.5 s (±10 % jitter).
    expect(asked[0]!).toBeGreaterThanOrEqual(450);
    expect(asked[0]!).toBeLessThan(560);
    // Jobs here take 80 ms (the server's timestamps say so): after a few, the first read comes far sooner.
    for (const prompt of ["second", "third", "fourth"]) {
      await client.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt });
    }
    asked.length = 0;
    await client.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "fifth" });
    expect(asked[0]!).toBeLessThan(300);
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
    // The first two status reads fail (seeded: the same on every run), the later ones succeed.
    const flaky = await startFast({ faults: [{ route: "status", kind: "503", rate: 0.5 }], random: firstN(2) });
    try {
      const client = clientFor(flaky);
      const result = await client.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "flaky" });
      expect(result.status).toBe("completed");
      expect(flaky.stats().faultsInjected["503"]).toBe(2);
    } finally {
      await flaky.close();
    }
  });

  /**
   * The waits a client asks for before its first `n` status reads of a job that never ends (the watch is stopped at
   * the n-th wait), with the client's `poll` (its delay added) and the call's.
   */
  async function firstWaits(n: number, clientPoll: object, callPoll?: object) {
    const stop = new AbortController();
    // Time moves only in waits (virtualTime): on the real clock a millisecond that ticks between a read and its wait
    // takes one off the wait.
    let t = 0;
    const delay = instantDelay((ms) => {
      t += ms;
      if (delay.calls.length === n) stop.abort();
    });
    const client = createDecartClient({
      apiKey: emu.apiKey,
      baseUrl: emu.url,
      logger: silent,
      poll: { ...clientPoll, delay, now: () => t } as never,
    });
    const error = await client.queue
      .submitAndPoll({
        model: models.video("lucy-pro-t2v"),
        prompt: "[stuck]",
        signal: stop.signal,
        ...(callPoll && { poll: callPoll as never }),
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(DecartError);
    expect(error.code).toBe("ABORT");
    return delay.calls;
  }

  it("a poll option of null is not given, on the client and on a call: its default or the client's holds", async () => {
    // A fixed schedule whose interval is null: the default 1.5 s (not every 0 ms), growing ×1.5 up to maxIntervalMs.
    expect(await firstWaits(4, { initialDelayMs: 10, intervalMs: null })).toEqual([10, 1500, 1500, 1500]);
    expect(await firstWaits(4, { initialDelayMs: 10, intervalMs: null, maxIntervalMs: 3000 })).toEqual([
      10, 1500, 2250, 3000,
    ]);
    // A call's null does not replace the client's value (nor clear its fixed schedule).
    expect(await firstWaits(3, { initialDelayMs: 10, intervalMs: 700 }, { intervalMs: null })).toEqual([10, 700, 700]);
    expect(
      await firstWaits(
        3,
        { initialDelayMs: 10, intervalMs: 700, maxIntervalMs: 2000 },
        { initialDelayMs: null, maxIntervalMs: null },
      ),
    ).toEqual([10, 700, 1050]);
    // Nothing fixed given: the adaptive schedule (its first read after 0.5 s ±10 %), not a fixed one of 0 ms.
    const [first] = await firstWaits(1, {
      initialDelayMs: null,
      intervalMs: null,
      maxIntervalMs: null,
      schedule: null,
    });
    expect(first).toBeGreaterThanOrEqual(450);
    expect(first).toBeLessThan(560);
  });

  it("each field of a call's poll options is read once, and what was read is used", async () => {
    let reads = 0;
    const poll = {
      initialDelayMs: 10,
      get intervalMs() {
        reads++;
        // A second read would answer another interval.
        return reads === 1 ? 700 : 5;
      },
    };
    expect(await firstWaits(3, {}, poll)).toEqual([10, 700, 700]);
    expect(reads).toBe(1);
  });

  it("maxIntervalMs caps every schedule: one of yours (the call's, under the client's cap, or with its own) and a fixed one", async () => {
    const stop = (n: number) => Array.from({ length: n }, () => 200);
    expect(await firstWaits(3, { maxIntervalMs: 200 }, () => 60_000)).toEqual(stop(3));
    expect(await firstWaits(3, {}, { schedule: () => 60_000, maxIntervalMs: 200 })).toEqual(stop(3));
    expect(await firstWaits(3, { maxIntervalMs: 200, schedule: () => 60_000 })).toEqual(stop(3));
    // A fixed schedule whose interval (and first delay) is longer than the cap: the cap.
    expect(await firstWaits(3, {}, { intervalMs: 5000, maxIntervalMs: 200 })).toEqual(stop(3));
    // A delay under the cap is the schedule's.
    expect(await firstWaits(3, {}, { schedule: () => 150, maxIntervalMs: 200 })).toEqual([150, 150, 150]);
  });

  it("a maxIntervalMs under the adaptive schedule's 50 ms is refused, on the client and on a call, before any request", async () => {
    const before = emu.stats().requests.total;
    for (const maxIntervalMs of [0, 49]) {
      let error: any;
      try {
        createDecartClient({ apiKey: emu.apiKey, baseUrl: emu.url, poll: { intervalMs: 1000, maxIntervalMs } });
      } catch (e) {
        error = e;
      }
      expect(error?.code).toBe("INVALID_INPUT");
      expect(error.field).toBe("poll.maxIntervalMs");
      expect(error.message).toContain("within 50..");
      const call = await clientFor(emu)
        .queue.submitAndPoll({
          model: models.video("lucy-pro-t2v"),
          prompt: "a",
          poll: { intervalMs: 1000, maxIntervalMs },
        })
        .catch((e) => e);
      expect(call.code).toBe("INVALID_INPUT");
      expect(call.field).toBe("poll.maxIntervalMs");
    }
    expect(emu.stats().requests.total).toBe(before);
    // 50 ms is a cap; `intervalMs: 0` still reads as fast as answers come, as asked.
    expect(await firstWaits(3, {}, { intervalMs: 1000, maxIntervalMs: 50 })).toEqual([50, 50, 50]);
    expect(await firstWaits(3, {}, { initialDelayMs: 0, intervalMs: 0 })).toEqual([0, 0, 0]);
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

describe("a schedule that answers no delay", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startFast();
  });
  afterAll(() => emu.close());

  it("NaN, a negative number, Infinity, a non-number or a throw ends the watch with CALLBACK_ERROR naming poll.schedule", async () => {
    const answers: [string, PollSchedule][] = [
      ["NaN", () => Number.NaN],
      ["-1", () => -1],
      ["Infinity", () => Number.POSITIVE_INFINITY],
      ["100", () => "100" as unknown as number],
      ["undefined", () => undefined as unknown as number],
      [
        "Error: no",
        () => {
          throw new Error("no");
        },
      ],
    ];
    // Under a cap too (maxIntervalMs): an answer that is no delay is not made one by it.
    for (const client of [clientFor(emu), clientFor(emu, { poll: { maxIntervalMs: 200 } })])
      for (const [shown, schedule] of answers) {
        const before = emu.stats().requests.byRoute.status ?? 0;
        // A budget of 2 s: a schedule read as "never" would end in JobTimeoutError, one read as "now" would complete.
        const error = await client.queue
          .submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: shown, poll: schedule, timeoutMs: 2000 })
          .catch((e) => e);
        expect(error, shown).toBeInstanceOf(DecartError);
        expect(error.code, shown).toBe("CALLBACK_ERROR");
        expect(error.jobId).toMatch(/^job_/);
        expect(error.message).toContain(`Job ${error.jobId}: poll.schedule failed (`);
        expect(error.message).toContain(shown);
        expect(error.message).toContain("the job goes on");
        // It was asked after the submit answer, before any status read.
        expect(emu.stats().requests.byRoute.status ?? 0).toBe(before);
      }
  });

  it("the same through queue.wait and a client-wide schedule", async () => {
    const client = clientFor(emu, { poll: { schedule: () => -5 } });
    // The schedule is asked after the first read: the job stays processing ([hold]) so that the first read cannot
    // find it completed on a busy machine (the watch would end without asking).
    const { job_id } = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "wait [hold]" });
    const error = await client.queue.wait(job_id, { download: false }).catch((e) => e);
    expect(error).toMatchObject({ code: "CALLBACK_ERROR", jobId: job_id });
    expect(error.message).toContain("poll.schedule failed (answered -5)");
    expect(emu.release(job_id)).toBe(true); // the job goes on
  });
});

describe("a job's age by the server's clock", () => {
  const HOURS = 3 * 3600_000;
  // The local clock stands still, at a whole second (only `Date` is faked; timers run as usual): the servers' clocks
  // are off it by exactly their offset, and the ages the watch reads are what the test set, however long the reads
  // take on a busy machine.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.UTC(2026, 0, 1, 12) });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /**
   * A server whose clock is `offsetMs` off the local one: its status answers carry `created_at` (the job was created
   * `ageMs` before, by its clock) and a `Date` (`date` gives the header, or none); three reads say `processing`, then
   * `completed`.
   */
  async function skewed(offsetMs: number, ageMs: number, date: (serverNow: number) => string | undefined) {
    const createdAt = Date.now() + offsetMs - ageMs;
    let reads = 0;
    const server = createServer((_req, res) => {
      const serverNow = Date.now() + offsetMs;
      const header = date(serverNow);
      res.sendDate = false;
      res.writeHead(200, { "content-type": "application/json", ...(header && { date: header }) });
      res.end(
        JSON.stringify({
          job_id: "job_1",
          status: ++reads > 3 ? "completed" : "processing",
          model: "lucy-pro-t2v",
          created_at: new Date(createdAt).toISOString(),
          updated_at: new Date(serverNow).toISOString(),
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  /** Watches job_1 on `url` with the default schedule (no time waited): its contexts, and the waits it asked for. */
  async function watch(url: string) {
    const seen: number[] = [];
    const waits: number[] = [];
    const client = createDecartClient({ apiKey: "k", baseUrl: url, logger: silent, poll: { delay: instantDelay() } });
    const outcome = await client.queue.wait("job_1", {
      download: false,
      poll: (ctx) => {
        seen.push(ctx.elapsedMs);
        waits.push(adaptiveSchedule(ctx, () => 0.5));
        return 0;
      },
    });
    expect(outcome.status).toBe("completed");
    return { seen, waits };
  }

  it("a fresh job on a server whose clock is hours behind or ahead is read as a fresh job", async () => {
    for (const offset of [-HOURS, HOURS]) {
      const server = await skewed(offset, 0, (serverNow) => new Date(serverNow).toUTCString());
      try {
        const { seen, waits } = await watch(server.url);
        // Its age is under the Date header's second, and the first waits are the early reads of a fresh job
        // (0.5 s, then 0.2·t + 0.5 s), not the late ones of a job hours old (10 s).
        for (const elapsed of seen) expect(elapsed, `offset ${offset}`).toBeLessThan(1500);
        expect(waits[0]!).toBeLessThan(1000);
      } finally {
        await server.close();
      }
    }
  });

  it("a job 20 s old is 20 s old: by the server's Date whatever the local clock says, else by the local clock", async () => {
    const httpDate = (serverNow: number) => new Date(serverNow).toUTCString();
    const cases: [string, number, (serverNow: number) => string | undefined][] = [
      ["a server 3 h behind, with its Date", -HOURS, httpDate],
      ["no Date, the clocks agreeing", 0, () => undefined],
      ["an unreadable Date, the clocks agreeing", 0, () => "soon"],
    ];
    for (const [what, offset, date] of cases) {
      const server = await skewed(offset, 20_000, date);
      try {
        const { seen } = await watch(server.url);
        expect(seen[0]!, what).toBeGreaterThanOrEqual(19_000);
        expect(seen[0]!, what).toBeLessThan(22_000);
      } finally {
        await server.close();
      }
    }
  });
});

describe("learnt durations, bounded", () => {
  it("keep the 64 models a job was last seen of: a name seen longer ago is forgotten, the others kept", () => {
    const durations = createDurationModel();
    durations.observe("lucy-pro-t2v", 30_000, 20_000);
    for (let i = 0; i < 64; i++) durations.observe(`own-${i}`, 30_000, 10_000);
    // The catalogue model was seen before 64 others: forgotten (back to the catalogue's figure).
    expect(durations.spread("lucy-pro-t2v")).toBeUndefined();
    expect(durations.typicalMs("lucy-pro-t2v", 30_000)).toBe(30_000);
    // Seeing a model again makes it the latest: `own-0` stays when `own-64` comes, `own-1` goes.
    durations.observe("own-0", 30_000, 10_000);
    durations.observe("own-64", 30_000, 10_000);
    expect(durations.spread("own-0")).toBeDefined();
    expect(durations.spread("own-1")).toBeUndefined();
    for (let i = 2; i <= 64; i++) expect(durations.spread(`own-${i}`)).toBeDefined();
  });
});
