/**
 * A burst of requests sent at once and answered 429 with `Retry-After` is one step of the floor under the server's
 * wait, as a burst answered without it is one step of the backoff: the 429s to requests sent before the latest pause
 * began are that pause's. On virtual time (the pacer's clock and timers are the test scheduler's).
 */
import { models } from "@decart/core";
import { type SchedulerLike, VirtualTimeScheduler } from "rxjs";
import { rateLimitedServer } from "test-utils";
import { describe, expect, it } from "vitest";
import { type BatchEvent, submitAll } from "../src/batch.js";
import { createPacer, throughPacer } from "../src/pacing.js";
import { clientOnClock, seeded } from "./helpers.js";
import { limit, marbles } from "./marbles.js";

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

describe("submitAll over HTTP: a burst of 429s with Retry-After: 0, answered a few ms apart", () => {
  it("is one step of the floor: the client's gate, closing anew for each 429, does not step it again", async () => {
    const N = 6;
    const M = 8;
    // On virtual time: the batch's timers run when the test says, and the client's clock (its gate, the batch's
    // pauses) reads that time, stepped 3 ms at each 429 the client reads: the burst's answers are read 3 ms apart, each
    // closing the client's gate anew, however fast the machine reads them or when a timer of its fires (on real time,
    // a loaded machine read them over 100 ms apart, and the pause grew by as much: a wait of 146 ms, near the bound).
    const scheduler = new VirtualTimeScheduler();
    let step = 0;
    // The first N submits are held until the Nth comes, then all answered 429 with Retry-After: 0 at once; any other
    // submit makes a job; every status read answers it completed.
    const { seen, url: baseUrl, close } = await rateLimitedServer({ refuse: N, together: N }, { retryAfter: "0" });
    try {
      // Its status reads wait on timers of their own (`poll.delay`), not on the batch's scheduler: the waits recorded
      // below are the batch's alone (its pauses, their spread, its resends), not the poll schedule's.
      const client = clientOnClock(baseUrl, () => scheduler.now() + step, { apiKey: "k", random: seeded(7) });
      // The client's gate's closings (subscribed before the batch: the clock steps before the batch hears of the 429
      // that closed it), and every wait the batch's pacer schedules (its pauses, what is left of them when a submit
      // comes to it, and the spread after them), as it computes them: on the scheduler the batch is given.
      const closings: number[] = [];
      let burstRead = () => {};
      const read = new Promise<void>((resolve) => (burstRead = resolve));
      client.rateLimit.subscribe(({ waitMs }) => {
        closings.push(waitMs);
        step += 3;
        if (closings.length === N) burstRead();
      });
      // Once the burst is read, the batch's time runs as soon as the batch schedules a wait (once what it was doing
      // then is done).
      let running = false;
      const waits: number[] = [];
      const batchScheduler: SchedulerLike = {
        now: () => scheduler.now(),
        schedule: (work: any, delay?: number, state?: unknown) => {
          waits.push(delay ?? 0);
          const scheduled = scheduler.schedule(work, delay, state);
          if (running) setImmediate(() => scheduler.flush());
          return scheduled;
        },
      };
      const model = models.video("lucy-pro-t2v");
      const events: BatchEvent[] = [];
      const ended = new Promise<void>((resolve) =>
        submitAll(
          client,
          Array.from({ length: M }, (_, i) => ({ model, prompt: `p${i}` })),
          { concurrency: M, download: false, scheduler: batchScheduler },
        ).subscribe({ next: (e) => events.push(e), complete: resolve }),
      );
      // The whole burst read (the gate closed N times, 3 ms apart) before the batch's time runs.
      await read;
      running = true;
      scheduler.flush();
      await ended;
      expect(events.filter((e) => e.type === "error")).toEqual([]);
      expect(events.at(-1)!.summary).toMatchObject({ total: M, submitted: M, completed: M, failed: 0 });
      expect(seen.posts).toBe(M + N);
      // Each 429 of the burst closed the client's gate for the floor's first step, as the client waits after a first
      // 429.
      expect(closings).toEqual(Array(N).fill(50));
      // The batch's pauses are the floor's first step (50 ms), grown by the burst's own spread (15 ms), the spread
      // after them under 50 ms. Copied as steps, the closings doubled it once per 429: 100, 200, 400, 800 ms.
      expect(waits.filter((ms) => ms >= 100)).toEqual([]);
    } finally {
      await close();
    }
  }, 30_000);
});
