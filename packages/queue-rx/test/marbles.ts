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
