import type { DelayFunction, PollContext, PollOptions, PollSchedule } from "./types.js";

/** Per signal given to calls: its one listener, and what that runs (`s`). */
const shared = new WeakMap<AbortSignal, (() => void) & { s: Set<() => void> }>();

/**
 * Runs `then` when `signal` aborts, and answers what stops that: one listener per signal, shared by every request and
 * wait on it at the time and taken off once none is left. A signal given to many calls at once (a service's shutdown
 * signal) would otherwise gather one per call, and Node warns past 10. (Not `AbortSignal.any`: some implementations
 * put a listener on each of its signals for as long as they live.)
 */
export const onAbort = (signal: AbortSignal | undefined, then: () => void): (() => void) => {
  if (!signal) return () => {};
  let all = shared.get(signal);
  if (!all) {
    // A function, not an object with `handleEvent`: a polyfill's signal (abort-controller's) calls its listeners.
    const s = new Set<() => void>();
    all = Object.assign(
      () => {
        for (const f of s) f();
      },
      { s },
    );
    shared.set(signal, all);
    signal.addEventListener("abort", all);
  }
  all.s.add(then);
  return () => {
    // (Once: a second call finds it gone, and leaves a set made since as it is.)
    if (all.s.delete(then) && !all.s.size) {
      signal.removeEventListener("abort", all);
      shared.delete(signal);
    }
  };
};

/** Waits `ms`; an abort clears the timer at once and rejects with the signal's reason (its listener: see `onAbort`). */
export const sleep: DelayFunction = (ms, signal) =>
  new Promise((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer);
      off();
      reject(signal!.reason);
    };
    const off = onAbort(signal, abort);
    const timer = setTimeout(() => {
      off();
      resolve();
    }, ms);
    if (signal?.aborted) abort();
  });

/**
 * `own`'s signal, aborted by `signal` too (with its reason; at once if it is aborted already), and what lets go of
 * `signal` (see `onAbort`).
 */
export const either = (signal: AbortSignal | undefined, own: AbortController): [AbortSignal, () => void] => {
  const abort = () => own.abort(signal!.reason);
  if (signal?.aborted) abort();
  return [own.signal, onAbort(signal, abort)];
};

/** The cadence near the expected end: while the spread is unknown or wide, and once jobs are known to end close together. */
const DENSE_MS = 1400;
const DENSE_LEARNT_MS = 1200;
/** The longest wait between reads (a stuck job). */
const LATE_MAX_MS = 10_000;

/**
 * The default, adaptive poll schedule: the delay before the next status read, from the job's age `t`, the model's
 * expected duration `T` (`typicalMs`) and how widely its durations vary (`spread`: the standard deviation of
 * ln(duration), undefined until a job of the model was seen; taken as 0.2 until then, and as 0.05 to 1.5 after, so
 * that a spread learnt from jobs far from the catalogue's guess cannot make every read come early). Reads are dense
 * near the start, sparse in the middle and dense near the expected end; the lowest of three curves wins:
 * - **early**, for a job far shorter than expected. While `T` is only the catalogue's guess: `0.2·t + 0.5 s` for the
 *   first max(3, T / 10 s) reads (0.5, 1.1, 1.8 s, on to 2.7 s for T = 40 s and 5 s for T = 60 s), then
 *   `(24 s / T)·max(5 s, t)`, the middle, whose gaps grow with the job's age, from 1.2·max(5 s, t) for T = 20 s to
 *   0.4·max(5 s, t) for T = 60 s: a job that ends there is seen within `(80 s / T)·max(1.5 s, 30 %)` of its
 *   duration, and the reads before `L` stay within one per 5 s of `T` (4 for T = 20 s, 12 for T = 60 s). Once jobs
 *   were seen: `ρ·t + 0.5 s` with ρ = `min(4, 0.25/spread²)`: dense for a model whose durations vary widely, sparse
 *   for one whose jobs end close together (0.5 s, 2 s, then the approach to the expected end for a spread of 0.25);
 * - **near the expected end**: every `d` between `L` and `U = T·e^(3.5·min(spread, 0.7))` (11.6·T at most: a band
 *   of about 50 reads at most where `d` is under 1.2 s), where `L` is `T·e^(−2.5·spread)` once jobs were seen and
 *   `T / 1.5` before (`U`: 2·T), with `d` = 1.4 s (at most T/8) while the spread is unknown or wide and 1.2 s once
 *   it is 0.3 or less (at most T·spread/3, at least 50 ms); before `L` the wait contracts towards it
 *   (`d + 0.85·(L − t)`), after `U` it grows (`d + 0.1·(t − U)`) for a late or stuck job, up to 10 s;
 * - the server's `x-poll-after-ms` hint, when it sent one, replaces all of this, up to the longest wait the schedule
 *   takes itself (10 s, a stuck job's): the server may pace the reads, but a hint of hours (a misconfigured server)
 *   must not leave a job that ended unread until the watch's deadline.
 *
 * The result carries ±10 % jitter (from `random`), so that jobs submitted together do not read together. The read
 * budget sets the middle: with nothing learnt, jobs near the guess cost about 77 % of the official SDK's reads, and
 * the lag of a lone job of 2–13 s on a model expected to take 20 s can reach 4 times max(1.5 s, 30 %) (2 times for
 * 40 s, 1.33 for 60 s); a client learns from every job that ends, so jobs submitted together are read densely where
 * the first of them ended. Simulated against the official SDK's fixed 0.5 s + 1.5 s polling in
 * `bench/` (`pnpm --filter bench run poll-simulation`), where the figures are.
 */
export function adaptiveSchedule(ctx: PollContext, random: () => number = Math.random): number {
  if (ctx.hintMs != null) return Math.min(ctx.hintMs, LATE_MAX_MS);
  const T = Math.max(ctx.typicalMs, 100);
  const cold = ctx.spread == null;
  const s = Math.max(0.05, Math.min(1.5, ctx.spread ?? 0.2));
  const t = ctx.elapsedMs;
  const L = cold ? T / 1.5 : T * Math.exp(-2.5 * s);
  const U = T * Math.exp(3.5 * Math.min(s, 0.7));
  const d = Math.max(50, Math.min(DENSE_MS, cold ? T / 8 : Math.min((T * s) / 3, Math.max(DENSE_LEARNT_MS, 4000 * s))));
  const early = cold
    ? ctx.attempt < Math.max(3, T / 1e4)
      ? 0.2 * t + 500
      : (24_000 / T) * Math.max(5000, t)
    : Math.min(4, 0.25 / s / s) * t + 500;
  const near = d + 0.85 * Math.max(0, L - t) + 0.1 * Math.max(0, t - U);
  return Math.max(50, Math.min(early, near, LATE_MAX_MS)) * (0.9 + 0.2 * random());
}

/**
 * The schedule for `poll` options: a function, a fixed schedule, or the adaptive default (its jitter from `random`: the
 * client's, so that a seeded one repeats the waits); whichever it is, each delay is capped by `maxIntervalMs` when it
 * is given. The options are read as each delay is asked (they are a checked copy, the client's or merged for a call:
 * never changed).
 */
export const scheduleFor = (poll: PollOptions, random?: () => number): PollSchedule => {
  const schedule: PollSchedule =
    poll.schedule ??
    (poll.initialDelayMs != null || poll.intervalMs != null
      ? ({ attempt }) =>
          attempt
            ? Math.min(
                (poll.intervalMs ?? 1500) * 1.5 ** (attempt - 1),
                Math.max(poll.maxIntervalMs ?? 0, poll.intervalMs ?? 1500),
              )
            : (poll.initialDelayMs ?? 500)
      : (ctx) => adaptiveSchedule(ctx, random));
  // (Only a delay the watch would take: an answer it refuses, NaN, Infinity or "100", is refused as it is.)
  return (ctx, ms = schedule(ctx)) => (Number.isFinite(ms) && ms > poll.maxIntervalMs! ? poll.maxIntervalMs! : ms);
};

/** Merges per-call poll options over the client's. A bare function is a schedule. */
export const mergePoll = (base: PollOptions, override: PollOptions | PollSchedule | undefined): PollOptions =>
  !override
    ? base
    : typeof override === "function"
      ? { ...base, schedule: override }
      : override.initialDelayMs != null || override.intervalMs != null || override.schedule
        ? { ...base, schedule: undefined, initialDelayMs: undefined, intervalMs: undefined, ...override }
        : { ...base, ...override };

/**
 * The longest a job can run: the server fails a job at 10 minutes; with a margin, 11 (a duration or age beyond it is
 * one of odd timestamps or clocks).
 */
export const MAX_JOB_MS = 660_000;

/**
 * Expected job durations per model, learnt from every finished job this client saw (shared by all of its watchers,
 * so jobs still waiting benefit at their next read from one that just ended). Per model, a running mean and variance
 * of ln(duration): the catalogue's typical duration counts as one observation with spread 1, each finished job as
 * one more (after 16, as an exponential moving average of weight 1/16, so old jobs fade out as a model changes), each
 * after the first counted at most 3 standard deviations away (so that one outlier moves the estimate little), none
 * longer than a job can run (`MAX_JOB_MS`).
 * `typicalMs` is e^mean (the median of a log-normal), `spread` the standard deviation; `spread` is undefined until a
 * job of the model was seen. It keeps the 64 models a job was last seen of (the one seen longest ago is forgotten first).
 */
export function createDurationModel() {
  /** Per model: [mean of ln(duration), its variance, observations counted (at most 16)]. */
  const learnt = new Map<string, [number, number, number]>();
  return {
    typicalMs: (model: string, catalogueMs: number): number =>
      learnt.get(model) ? Math.exp(learnt.get(model)![0]) : catalogueMs,
    spread: (model: string): number | undefined => learnt.get(model) && learnt.get(model)![1] ** 0.5,
    observe(model: string, catalogueMs: number, durationMs: number): void {
      if (!(durationMs > 0 && durationMs < MAX_JOB_MS)) return;
      // Before any job, the catalogue's guess, its variance 1 (a spread of 1: it may be off by a factor of e).
      const [mean, variance, count] = learnt.get(model) ?? [Math.log(catalogueMs), 1, 1];
      const n = Math.min(count + 1, 16);
      // Once jobs were seen, one counts as at most 3 standard deviations (at least 0.1) away: one outlier (a job far
      // shorter or longer than the others, odd timestamps) moves the estimate a little, many in a row move it on. (The
      // first is taken as it is: the catalogue's guess is no job.)
      const limit = count > 1 ? Math.max(3 * variance ** 0.5, 0.1) : Infinity;
      const deviation = Math.max(-limit, Math.min(limit, Math.log(durationMs) - mean));
      // Kept in the order last learnt, at most the 64 models learnt of most recently: a name of your own is any text
      // (a backend passing generated names would grow it without end), and every catalogue model and dozens of your
      // own fit. The 65th latest, if there is one, goes.
      learnt.delete(model);
      learnt.set(model, [mean + deviation / n, (1 - 1 / n) * (variance + (deviation * deviation) / n), n]);
      learnt.delete([...learnt.keys()][learnt.size - 65]!);
    },
  };
}

/**
 * How long a completed job took, by the server's clock: `updated_at − created_at` (the moment it completed, less
 * the moment it was submitted). Undefined for another status or when either is missing or unreadable.
 */
export const completedDurationMs = (job: { status: string; created_at?: string; updated_at?: string }) =>
  job.status === "completed" ? Date.parse(job.updated_at!) - Date.parse(job.created_at!) || undefined : undefined;
