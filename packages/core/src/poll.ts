import type { DelayFunction, PollContext, PollOptions, PollSchedule } from "./types.js";

/** Waits `ms`; an abort clears the timer at once and rejects with the signal's reason. */
export const sleep: DelayFunction = (ms, signal) =>
  new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });

/** The densest cadence near the expected end, and the longest wait between reads (a stuck job). */
const DENSE_MS = 1300;
const LATE_MAX_MS = 10_000;
/** The spread assumed before any job of a model was seen: the catalogue's guess may be off by a factor of e either way. */
const COLD_SPREAD = 1;

/**
 * The default, adaptive poll schedule: the delay before the next status read, from the job's age `t`, the model's
 * expected duration `T` (`typicalMs`) and how widely its durations vary (`spread`: the standard deviation of
 * ln(duration); 1 until jobs of the model were seen, so the catalogue's guess is not trusted). Three curves, the
 * lowest wins:
 * - **expanding** from a first read at 0.5 s: `ρ·t + 0.5 s`, with ρ = 0.25 while `T` is only the catalogue's guess
 *   (reads at 0.5, 1.1, 1.9, 2.9, 4.1 s…: a job far shorter than expected is seen within max(1.5 s, 30 %) of its
 *   duration), then `min(4, 0.9/spread)`: once the model's jobs are known to end close together, the early reads
 *   thin out (for a spread of 0.3: 0.5 s, 2.5 s, then the approach to the expected end).
 * - **dense near the expected end**: every `d = min(1.3 s, T·spread/3)` (at least 50 ms) between
 *   `L = T·e^(−2.5·spread)` and `U = T·e^(1.5·spread)`; before `L` the wait contracts towards it (`d + 0.7·(L − t)`),
 *   after `U` it grows gently (`d + 0.1·(t − U)`) for a late or stuck job, up to 10 s.
 * - the server's `x-poll-after-ms` hint, when it sent one, replaces all of this (capped at a minute).
 *
 * The result carries ±10 % jitter (from `random`), so that jobs submitted together do not read together. Simulated
 * against the official SDK's fixed 0.5 s + 1.5 s polling (`pnpm --filter bench run poll-simulation`, batches of 30
 * jobs): jobs of 1–6 s on a model expected to take 40 s are seen with a median lag of 0.4 s (0.55 s for a job alone,
 * nothing learnt) against 0.74 s; jobs of 0.5–2× a learnt duration with a lower median and p95 lag (0.65 s and
 * 1.25 s against 0.74 s and 1.42 s) and 75–82 % of the status reads; any job of 0.5 s to 3× the expected duration
 * within max(1.5 s, 30 % of its duration) at the 95th percentile. The price of not trusting the guess: until a job of
 * the model finished, a job near the guess costs about 120 % of the official SDK's reads.
 */
export function adaptiveSchedule(ctx: PollContext, random: () => number = Math.random): number {
  if (ctx.hintMs !== undefined) return Math.min(ctx.hintMs, 60_000);
  const T = Math.max(ctx.typicalMs, 100);
  const s = Math.max(ctx.spread ?? COLD_SPREAD, 0.05);
  const t = ctx.elapsedMs;
  const L = T * Math.exp(-2.5 * s);
  const U = T * Math.exp(1.5 * s);
  const d = Math.max(50, Math.min(DENSE_MS, (T * s) / 3));
  const expanding = (ctx.spread === undefined ? 0.25 : Math.min(4, 0.9 / s)) * t + 500;
  const near = d + 0.7 * Math.max(0, L - t) + 0.1 * Math.max(0, t - U);
  return Math.max(50, Math.min(expanding, near, LATE_MAX_MS)) * (0.9 + 0.2 * random());
}

/** The schedule for `poll` options: a function, a fixed schedule, or the adaptive default (capped by `maxIntervalMs`). */
export function scheduleFor(poll: PollOptions): PollSchedule {
  if (poll.schedule) return poll.schedule;
  const max = poll.maxIntervalMs;
  if (poll.initialDelayMs !== undefined || poll.intervalMs !== undefined) {
    const { initialDelayMs = 500, intervalMs = 1500 } = poll;
    return ({ attempt }) =>
      attempt ? Math.min(intervalMs * 1.5 ** (attempt - 1), Math.max(max ?? 0, intervalMs)) : initialDelayMs;
  }
  return (ctx) => Math.min(adaptiveSchedule(ctx), max ?? Infinity);
}

/** Merges per-call poll options over the client's. A bare function is a schedule. */
export function mergePoll(base: PollOptions, override: PollOptions | PollSchedule | undefined): PollOptions {
  if (!override) return base;
  if (typeof override === "function") return { ...base, schedule: override };
  const fixed = override.initialDelayMs !== undefined || override.intervalMs !== undefined || override.schedule;
  return fixed
    ? { ...base, schedule: undefined, initialDelayMs: undefined, intervalMs: undefined, ...override }
    : { ...base, ...override };
}

/**
 * Expected job durations per model, learnt from every finished job this client saw (shared by all of its watchers,
 * so jobs still waiting benefit at their next read from one that just ended). Per model, a running mean and variance
 * of ln(duration): the catalogue's typical duration counts as one observation with spread 1, each finished job as
 * one more (after 16, as an exponential moving average of weight 1/16, so old jobs fade out as a model changes).
 * `typicalMs` is e^mean (the median of a log-normal), `spread` the standard deviation; `spread` is undefined until a
 * job of the model was seen.
 */
export function createDurationModel() {
  /** Per model: [mean of ln(duration), its variance, observations counted (at most 16)]. */
  const learnt = new Map<string, [number, number, number]>();
  return {
    typicalMs: (model: string, catalogueMs: number): number => {
      const m = learnt.get(model);
      return m ? Math.exp(m[0]) : catalogueMs;
    },
    spread: (model: string): number | undefined => {
      const m = learnt.get(model);
      return m && Math.sqrt(m[1]);
    },
    observe(model: string, catalogueMs: number, durationMs: number): void {
      if (!(durationMs > 0 && durationMs < 864e5)) return;
      const [mean, variance, count] = learnt.get(model) ?? [Math.log(catalogueMs), COLD_SPREAD ** 2, 1];
      const n = Math.min(count + 1, 16);
      const deviation = Math.log(durationMs) - mean;
      learnt.set(model, [mean + deviation / n, (1 - 1 / n) * (variance + (deviation * deviation) / n), n]);
    },
  };
}

/**
 * How long a completed job took, by the server's clock: `updated_at − created_at` (the moment it completed, less
 * the moment it was submitted). Undefined for another status or when either is missing or unreadable.
 */
export const completedDurationMs = (job: { status: string; created_at?: string; updated_at?: string }) =>
  job.status === "completed" ? Date.parse(job.updated_at!) - Date.parse(job.created_at!) || undefined : undefined;
