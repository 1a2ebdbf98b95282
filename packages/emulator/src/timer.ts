/**
 * The one rule for waits. A Node timer waits at most 2^31−1 ms (about 24.8 days): a longer wait fires after 1 ms
 * with a warning. So every duration the emulator takes (options, flags, fault delays) is at most MAX_TIMER_MS, and
 * every wait it computes (a body's deadline, a sleep) goes through timerMs: one that would be longer waits
 * MAX_TIMER_MS and is checked again then.
 */

/** The longest wait a timer takes: 2^31−1 ms, about 24.8 days. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A wait as a timer takes it: whole milliseconds from 0 (NaN and negative waits too) to MAX_TIMER_MS. */
export function timerMs(ms: number): number {
  return Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(ms) || 0));
}

/** Whether a duration option's value is within the rule: a number from `least` (0, or above 0) to MAX_TIMER_MS. */
export function durationOk(value: unknown, least: 0 | "positive"): value is number {
  return (
    typeof value === "number" && (least === 0 ? value >= 0 : value > 0) && value <= MAX_TIMER_MS // NaN fails both
  );
}

/** How the rule reads in messages. */
export const DURATION_RULE = `at most ${MAX_TIMER_MS} ms (about 24.8 days)`;
