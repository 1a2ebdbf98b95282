/**
 * A burst of requests sent at once and answered 429 with `Retry-After` is one step of the floor under the server's
 * wait, as a burst answered without it is one step of the backoff: the 429s to requests sent before the latest pause
 * began are that pause's. On virtual time (the pacer's clock and timers are the test scheduler's).
 */
import { RateLimitError } from "@decart/core";
import { describe, expect, it } from "vitest";
import { createPacer, throughPacer } from "../src/pacing.js";
import { marbles } from "./marbles.js";

const limit = (retryAfterMs?: number) => new RateLimitError("429", { status: 429, retryAfterMs, retryable: true });

describe("throughPacer: a burst answered 429 with Retry-After", () => {
  it("8 requests sent at once and answered Retry-After: 0 together are one 50 ms pause; one sent after it, 100 ms", () => {
    marbles(({ cold, scheduler }) => {
      const pacer = createPacer(scheduler);
      for (let i = 0; i < 8; i++)
        cold("--#", undefined, limit(0))
          .pipe(throughPacer(pacer))
          .subscribe({ error: () => {} });
      const until: number[] = [];
      scheduler.schedule(() => {
        until.push(pacer.pausedUntil);
        // Held until 52 ms, then sent and answered 429 1 ms later: the floor's next step.
        cold("-#", undefined, limit(0))
          .pipe(throughPacer(pacer))
          .subscribe({ error: () => {} });
      }, 10);
      scheduler.schedule(() => until.push(pacer.pausedUntil), 1000);
      scheduler.flush();
      expect(until).toEqual([52, 153]);
    });
  });

  it("a 429 of the burst answered later with a longer Retry-After still holds the batch for it", () => {
    marbles(({ cold, scheduler }) => {
      const pacer = createPacer(scheduler);
      for (const [answer, wait] of [
        ["--#", 0],
        ["--#", 0],
        ["----#", 500],
      ] as const)
        cold(answer, undefined, limit(wait))
          .pipe(throughPacer(pacer))
          .subscribe({ error: () => {} });
      scheduler.flush();
      expect(pacer.pausedUntil).toBe(504);
    });
  });
});

describe("throughPacer: a pause of the other kind begun since a request was sent", () => {
  it("a 429 without Retry-After to it, after the client's gate closed for that 429, is still a step of the backoff", () => {
    marbles(({ cold, scheduler }) => {
      const pacer = createPacer(scheduler);
      // Sent at 0, answered 429 without Retry-After at 1; the client's gate closes for it first (its wait, 50 ms, given
      // as a Retry-After, as `submitAll` follows the client's gate), a pause of the floor's kind.
      scheduler.schedule(() => pacer.limited({ retryAfterMs: 50 }), 1);
      cold("-#", undefined, limit())
        .pipe(throughPacer(pacer))
        .subscribe({ error: () => {} });
      const until: number[] = [];
      scheduler.schedule(() => {
        until.push(pacer.pausedUntil);
        // Held until 51, then sent and answered 429 without Retry-After 1 ms later: the backoff's second step.
        cold("-#", undefined, limit())
          .pipe(throughPacer(pacer))
          .subscribe({ error: () => {} });
      }, 10);
      scheduler.schedule(() => until.push(pacer.pausedUntil), 1000);
      scheduler.flush();
      expect(until).toEqual([51, 152]);
    });
  });
});
