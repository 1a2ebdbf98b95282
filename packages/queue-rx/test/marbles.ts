import { createDecartClient, type JobStatus, type JobStatusResponse, RateLimitError } from "@decart/core";
import type { Observable } from "rxjs";
import { type RunHelpers, TestScheduler } from "rxjs/testing";
import { expect } from "vitest";

/**
 * Runs `body` on virtual time: inside it, `asyncScheduler` and every timer are the test scheduler's, `cold()` and
 * `hot()` make marble observables, and `expectObservable` compares with a marble diagram (deep equality).
 */
export function marbles(body: (helpers: RunHelpers & { scheduler: TestScheduler }) => void): void {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  scheduler.run((helpers) => body({ ...helpers, scheduler }));
}

export const JOB_ID = "job_0123456789abcdef0123456789abcdef";
export const silent = { warn: () => {}, debug: () => {} };

/** A 429's `RateLimitError`, as the client makes it, asking for `retryAfterMs` (none when undefined). */
export const limit = (retryAfterMs?: number) =>
  new RateLimitError("429", { status: 429, retryAfterMs, retryable: true });

/** A client that never reaches the network in these tests (every request goes through injected sources), on `scheduler`'s clock. */
export function virtualClient(scheduler: TestScheduler) {
  return createDecartClient({
    apiKey: "dct_virtual",
    baseUrl: "http://127.0.0.1:9",
    logger: silent,
    // (The batch lets the submits a pause held go as it ends, with no spread after it.)
    random: () => 0,
    poll: { now: () => scheduler.now() },
  });
}

/** A job's status body. */
export const job = (status: JobStatus, extra: Partial<JobStatusResponse> = {}): JobStatusResponse => ({
  job_id: JOB_ID,
  status,
  model: "lucy-pro-t2v",
  ...extra,
});

/**
 * A source that answers its n-th call with `answers[n]` (the last one again after the end), and records the frame of
 * each call.
 */
export function scripted<T>(scheduler: TestScheduler, answers: Observable<T>[]) {
  const calls: number[] = [];
  const source = (_request: unknown) => {
    calls.push(scheduler.now());
    return answers[Math.min(calls.length - 1, answers.length - 1)]!;
  };
  return Object.assign(source, { calls });
}
