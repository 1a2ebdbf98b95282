import { retryWait, ServerError } from "@decart/core";
import { merge, mergeMap, timer } from "rxjs";
import { describe, expect, it } from "vitest";
import { createPacer, type Pacer, throughPacer } from "../src/pacing.js";
import { limit, marbles } from "./marbles.js";

describe("createPacer", () => {
  it("lets a request through at once when no pause is in force", () => {
    marbles(({ cold, expectObservable }) => {
      const pacer = createPacer();
      expectObservable(pacer.gate(cold("-a|"))).toBe("-a|");
    });
  });

  it("holds requests until a pause ends, and honours a pause that grows while they wait", () => {
    marbles(({ cold, expectObservable, scheduler }) => {
      const pacer = createPacer(scheduler);
      pacer.limited(limit(100));
      // At 80 ms a second 429 asks for 200 ms: the request waiting since 0 goes at 280 ms, not at 100.
      scheduler.schedule(() => pacer.limited(limit(200)), 80);
      expectObservable(pacer.gate(cold("(a|)"))).toBe("280ms (a|)");
      // Once the pause is over, a request goes at once.
      expectObservable(timer(300, scheduler).pipe(mergeMap(() => pacer.gate(cold("(b|)"))))).toBe("300ms (b|)");
    });
  });

  it("a request waiting out a pause ends unsent when `stop` emits (its timer cleared); one that went is not cut", () => {
    marbles(({ cold, hot, expectObservable, expectSubscriptions, scheduler }) => {
      const pacer = createPacer(scheduler);
      pacer.limited(limit(100));
      const request = cold("(a|)");
      // `stop` at 30 ms: the request due at 100 ms is never subscribed, and the gate ends then.
      expectObservable(pacer.gate(request, hot("30ms s"))).toBe("30ms |");
      expectSubscriptions(request.subscriptions).toBe([]);
      // After the pause, a request goes at once; a `stop` after that changes nothing.
      const later = cold("-b 50ms c|");
      const gated = timer(200, scheduler).pipe(mergeMap(() => pacer.gate(later, hot("220ms s"))));
      expectObservable(gated).toBe("201ms b 50ms c|");
    });
  });

  it("backs off as the client does after 429s without Retry-After (its floor, without `random`), again after an answer", () => {
    marbles(({ scheduler }) => {
      const pacer = createPacer(scheduler);
      const pauses: number[] = [];
      for (const at of [0, 1000, 3000]) {
        scheduler.schedule(() => {
          pacer.limited(limit());
          pauses.push(pacer.pausedUntil - at);
        }, at);
      }
      scheduler.schedule(() => {
        pacer.passed();
        pacer.limited(limit());
        pauses.push(pacer.pausedUntil - 8000);
      }, 8000);
      scheduler.flush();
      // The core's backoff at `random` 0: its floor, 50 ms doubling.
      expect(pauses).toEqual([50, 100, 200, 50]);
    });
  });

  it("with `random`, a 429 without Retry-After pauses for the core's wait before that retry (`retryWait`)", () => {
    marbles(({ scheduler }) => {
      const draws = [0.5, 0.9, 0.01, 0.7];
      const pacer = createPacer(scheduler, undefined, () => draws.shift()!);
      const pauses: number[] = [];
      for (const at of [0, 10_000, 20_000]) {
        scheduler.schedule(() => {
          pacer.limited(limit());
          pauses.push(pacer.pausedUntil - at);
        }, at);
      }
      // A Retry-After of 0 is the floor's 50 ms; one of 90 s, 60 s (neither asks `random`).
      scheduler.schedule(() => {
        pacer.limited(limit(0));
        pauses.push(pacer.pausedUntil - 30_000);
        pacer.limited(limit(90_000));
        pauses.push(pacer.pausedUntil - 30_000);
      }, 30_000);
      scheduler.flush();
      const r = [0.5, 0.9, 0.01];
      expect(pauses).toEqual([...r.map((x, n) => retryWait(n, undefined, () => x)), 50, 60_000]);
      expect(pauses.slice(0, 3)).toEqual([250, 900, 200]);
    });
  });
  it("with `random`, a held request waits a part of the pause after it, and again after a pause begun meanwhile", () => {
    marbles(({ cold, expectObservable, scheduler }) => {
      // (Seeded: every draw 0.5, half the pause's length.)
      const pacer = createPacer(scheduler, undefined, () => 0.5);
      pacer.limited(limit(100));
      // Held at 0 by a 100 ms pause: it ends at 100, then 50 more; at 120 a 429 asks for 200 ms (to 320): held again,
      // it goes at 320 + 100.
      scheduler.schedule(() => pacer.limited(limit(200)), 120);
      expectObservable(pacer.gate(cold("(a|)"))).toBe("420ms (a|)");
      // One that comes at 400, the pause over, goes at once (not spread).
      expectObservable(timer(400, scheduler).pipe(mergeMap(() => pacer.gate(cold("(b|)"))))).toBe("400ms (b|)");
    });
  });

  it("with `random` and `within`, a spread that would reach the budget's end is not waited: sent at the pause's end", () => {
    marbles(({ cold, expectObservable, scheduler }) => {
      // (Seeded: every draw 0.5, half the pause's length.) A 100 ms pause; its spread after it, 50 ms, ends at 150.
      const pacer = createPacer(scheduler, undefined, () => 0.5);
      pacer.limited(limit(100));
      // A budget to 120: the pause ends within it, the spread would not: sent at 100, not at 150 (nor refused).
      expectObservable(pacer.gate(cold("(a|)"), undefined, { until: 120, error: "out" })).toBe("100ms (a|)");
      // A budget to 200: the spread ends within it and is waited.
      expectObservable(pacer.gate(cold("(b|)"), undefined, { until: 200, error: "out" })).toBe("150ms (b|)");
      // A budget to 90: the pause itself ends past it: refused at once, unsent.
      expectObservable(pacer.gate(cold("(c|)"), undefined, { until: 90, error: "out" })).toBe("#", undefined, "out");
    });
  });

  it("with `within.wave`, a pause grown past `until` by the rest of the request's own burst holds it; a later wave ends it", () => {
    marbles(({ cold, expectObservable, scheduler }) => {
      const pacer = createPacer(scheduler);
      // At 0 a 429 (Retry-After: 100 ms) of a request sent at wave 0 begins wave 1; the request's budget ends at 100.
      pacer.limited(limit(100), 0);
      const own = { until: 100, error: "out", wave: pacer.waves };
      // At 5 ms another of that burst (sent at wave 0) grows the pause to 105: the rest of its own burst.
      scheduler.schedule(() => pacer.limited(limit(100), 0), 5);
      expectObservable(pacer.gate(cold("(a|)"), undefined, own)).toBe("105ms (a|)");
      // Without its wave, the same growth ends it, unsent, when its wait to 100 ms ends.
      expectObservable(pacer.gate(cold("(b|)"), undefined, { until: 100, error: "out" })).toBe(
        "100ms #",
        undefined,
        "out",
      );
    });
    marbles(({ cold, expectObservable, scheduler }) => {
      const pacer = createPacer(scheduler);
      pacer.limited(limit(100), 0);
      const own = { until: 100, error: "out", wave: pacer.waves };
      // At 5 ms a 429 to a request sent after the pause began (wave 1): a later wave, past the budget: it ends.
      scheduler.schedule(() => pacer.limited(limit(100), 1), 5);
      expectObservable(pacer.gate(cold("(a|)"), undefined, own)).toBe("100ms #", undefined, "out");
    });
    marbles(({ cold, expectObservable, scheduler }) => {
      const pacer = createPacer(scheduler);
      pacer.limited(limit(100), 0);
      const own = { until: 100, error: "out", wave: pacer.waves };
      // At 5 ms a closing of the client's gate (wave -1) that no 429 of the batch matches: it ends so too.
      scheduler.schedule(() => pacer.limited(limit(100), -1), 5);
      expectObservable(pacer.gate(cold("(a|)"), undefined, own)).toBe("100ms #", undefined, "out");
    });
  });
});

describe("throughPacer", () => {
  it("a 429 on one request pauses the others that have not started, by its Retry-After", () => {
    marbles(({ cold, expectObservable, scheduler }) => {
      const pacer = createPacer(scheduler);
      const limited = cold("--#", undefined, limit(500)).pipe(throughPacer(pacer));
      // A request starting at 1 ms goes at once; one starting at 10 ms waits for the pause (2 ms + 500 ms).
      const early = timer(1, scheduler).pipe(mergeMap(() => cold("-a|").pipe(throughPacer(pacer))));
      const late = timer(10, scheduler).pipe(mergeMap(() => cold("-b|").pipe(throughPacer(pacer))));
      expectObservable(limited).toBe("--#", undefined, limit(500));
      expectObservable(merge(early, late)).toBe("--a 500ms b|");
    });
  });

  it("429s without Retry-After to requests sent before the pause began are one step of the backoff; one sent after it doubles it", () => {
    marbles(({ cold, scheduler }) => {
      const pacer = createPacer(scheduler);
      // Three requests in flight at once, answered 429 at 2, 3 and 4 ms: one pause of 50 ms (the backoff's first step
      // at `random` 0), from 2 ms.
      for (const answer of ["--#", "---#", "----#"]) {
        cold(answer, undefined, limit())
          .pipe(throughPacer(pacer))
          .subscribe({ error: () => {} });
      }
      const until: number[] = [];
      scheduler.schedule(() => {
        until.push(pacer.pausedUntil);
        // Sent once that pause ends (52 ms) and answered 429 1 ms later: the next step, 100 ms.
        cold("-#", undefined, limit())
          .pipe(throughPacer(pacer))
          .subscribe({ error: () => {} });
      }, 10);
      scheduler.schedule(() => until.push(pacer.pausedUntil), 1100);
      scheduler.flush();
      expect(until).toEqual([52, 153]);
    });
  });

  it("with a pacer of yours without `waves`, or a request sent `late`, each 429 without Retry-After doubles the pause", () => {
    for (const late of [false, true]) {
      marbles(({ cold, scheduler }) => {
        const pacer = createPacer(scheduler);
        // Your own pacer (here one handing on to the package's), written before `waves` was: it compiles as it is.
        const yours: Pacer = {
          gate: (request, stop) => pacer.gate(request, stop),
          limited: (error, wave) => pacer.limited(error, wave),
          passed: () => pacer.passed(),
          get pausedUntil() {
            return pacer.pausedUntil;
          },
        };
        // Three requests in flight at once, answered 429 at 2, 3 and 4 ms: 50 ms from 2, 100 from 3, 200 from 4.
        for (const answer of ["--#", "---#", "----#"]) {
          cold(answer, undefined, limit())
            .pipe(late ? throughPacer(pacer, undefined, true) : throughPacer(yours))
            .subscribe({ error: () => {} });
        }
        scheduler.flush();
        expect(pacer.pausedUntil).toBe(204);
      });
    }
  });

  it("other errors pass through without pausing anyone", () => {
    marbles(({ cold, expectObservable, scheduler }) => {
      const pacer = createPacer(scheduler);
      const error = new ServerError("500", { status: 500 });
      expectObservable(cold("-#", undefined, error).pipe(throughPacer(pacer))).toBe("-#", undefined, error);
      expectObservable(timer(5, scheduler).pipe(mergeMap(() => pacer.gate(cold("(a|)"))))).toBe("-----(a|)");
    });
  });
});
