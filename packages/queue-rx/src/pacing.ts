import { RateLimitError, releaseWait, retryWait } from "@decart/core";
import {
  asyncScheduler,
  defer,
  type MonoTypeOperatorFunction,
  NEVER,
  type Observable,
  type ObservableInput,
  type SchedulerLike,
  switchMap,
  takeUntil,
  tap,
  throwError,
  timer,
} from "rxjs";

/**
 * One pause shared by every request of a batch: a 429 anywhere (with its `Retry-After`, else a backoff) holds every
 * request that has not started yet until the pause ends, instead of each job meeting the limit on its own.
 */
export interface Pacer {
  /**
   * Runs `request` once no pause is in force (at once when none is); a pause that grows while waiting is honoured.
   * With `random` (`createPacer`'s), the requests a pause held are not all let go at its end: each at a random time
   * within the pause's length after it (the client's rate-limit gate's `releaseWait`), then once more after a pause
   * begun meanwhile; one that finds no pause in force goes at once. When `stop` emits first, it stops waiting (its
   * timer cleared) and ends without running `request`. With `within` (a budget, on the pacer's clock: read at each
   * look), a pause that ends past `within.until`, in force when it comes or grown while it waits, ends it without
   * running `request`, with the error `within.error`: at once when it comes, else as the wait it was in ends (the
   * pause's end as it stood then, or its spread's), not at the grown pause's end; a spread that would reach `until` is
   * not waited.
   * `within.wave`: `waves` just after the request's own 429 (`limited`): a pause grown past `until` only by the 429s
   * of that wave since (its burst's, answered after it) does not end it; one grown by a later wave, or by a closing
   * of the client's gate (wave -1) that no 429 of that wave ends as late, does.
   */
  gate<T>(
    request: Observable<T>,
    stop?: Observable<unknown>,
    within?: { until: number; error?: unknown; wave?: number | undefined },
  ): Observable<T>;
  /**
   * Starts (or lengthens) the batch-wide pause after a 429, as the client's rate-limit gate closes: for its
   * `Retry-After` (at most 60 s, at least the backoff's floor, 50 ms doubling to 1 s with each such 429 in a row),
   * else the core's backoff (`retryWait`, its step the 429s without one in a row; its jitter drawn from
   * `createPacer`'s `random`, without it its floor, 50 ms doubling to 1 s). `wave`:
   * `waves` as it was when the request answered 429 was sent (`throughPacer` gives it, of a pacer that has `waves`). A
   * 429 to a request sent before the latest pause of its kind began (the backoff's without `Retry-After`, the floor's
   * with one: one of the burst that began it, answered later) is of that pause: it doubles neither the backoff nor the
   * floor; without `Retry-After` it does not lengthen it either, with one the batch waits that out still. A pause of
   * the other kind begun since (the client's gate closing for the same 429) does not make it one. Without `wave`, each
   * 429 doubles its kind's. A `wave` below 0 (`-1`, as `submitAll` gives the closings of the client's rate-limit gate,
   * whose wait is the client's own step already, and which its own 429s close too) is of the pauses counted already: it
   * holds the batch for its `Retry-After` (over the floor's latest step), a step of neither count.
   */
  limited(error: { retryAfterMs?: number | undefined }, wave?: number): void;
  /** A request got through: the next 429 starts again from the shortest pause. */
  passed(): void;
  /** The end of the pause in force, on the pacer's clock (in the past when none is). */
  readonly pausedUntil: number;
  /**
   * How many pauses that were a step of the backoff or of the floor (after 429s with `Retry-After`) have begun: read it
   * when a request is sent. Optional (a pacer of yours may lack it): `throughPacer` then gives `limited` no `wave`, and
   * each 429 doubles the backoff or the floor.
   */
  readonly waves?: number;
}

/**
 * Creates a pacer whose pauses are waited out on `scheduler`'s timers, and measured on `now` (default the scheduler's
 * clock, `Date.now` for `asyncScheduler` but in `TestScheduler.run`): give it a steady clock, as `submitAll` gives it
 * the client's, so that a step of the wall clock neither stretches nor cuts a pause. The clock is read when a pause
 * starts or grows and when a request comes to the gate; the time left is then waited on the scheduler's timers, not
 * compared with the clock again (a clock other than the scheduler's, a real one beside virtual time, only shifts when
 * a pause is taken to end). `random` (in [0, 1), as `submitAll` gives it the client's): the requests a pause held are
 * let go gradually after it, as the client's gate lets its calls go (see `Pacer.gate`), and a backoff's pause is the
 * core's jittered one (see `Pacer.limited`); without it, all at its end, and a backoff's pause its floor.
 */
export function createPacer(
  scheduler: SchedulerLike = asyncScheduler,
  now = () => scheduler.now(),
  random?: () => number,
): Pacer {
  let pausedUntil = Number.NEGATIVE_INFINITY;
  // The latest pause's length: the window after it in which the requests it held are let go.
  let span = 0;
  let strikes = 0;
  // The 429s with `Retry-After` in a row: the floor under the server's wait doubles with each, as the client's does.
  let told = 0;
  let waves = 0;
  // `waves` as each kind's latest pause began (the backoff's, the floor's): a 429 of that kind to a request sent before
  // it is of it. A pause of the other kind does not count: the client's gate closing for a 429 (its wait given as a
  // `Retry-After`) leaves that 429, reported without one, a step of the backoff.
  const began = [0, 0];
  // `waves` when the pause last grew: a pause grown past a budget by no wave later than `by.wave` is the request's own.
  // A closing of the client's gate (wave -1) counts as a later wave, unless a 429 of the batch's own ends it.
  let grown = 0;
  // Waits `left` on the scheduler for a pause that ends at `until`, then again for as long as it grew meanwhile; a
  // pause that ends past the budget (`by`) fails it at the gate, or as the wait it grew during ends, unless it grew
  // only in the request's own wave (`by.wave`: the rest of its burst, answered just after it, is not a new wait).
  type By = { until: number; error?: unknown; wave?: number | undefined };
  const wait = (until: number, left: number, by: By): ObservableInput<unknown> =>
    pausedUntil > by.until && !(grown <= by.wave!)
      ? throwError(() => by.error)
      : left > 0
        ? timer(left, scheduler).pipe(switchMap(() => wait(pausedUntil, pausedUntil - until, by)))
        : [0];
  // Waits out the pause in force, then the core's spread after it (given `random`; not one that would reach the end of
  // the budget: sent at once, as the client's gate does), then again for a pause begun since. A request that finds no
  // pause in force goes at once: only the requests a pause held are spread.
  const held = (by: By): Observable<unknown> =>
    defer(() =>
      pausedUntil > now()
        ? defer(() => wait(pausedUntil, pausedUntil - now(), by)).pipe(
            switchMap(() => {
              const until = pausedUntil;
              const ms = random ? releaseWait(until - now(), span, random) : 0;
              return ms > 0 && now() + ms < by.until
                ? timer(ms, scheduler).pipe(switchMap(() => (pausedUntil > until ? held(by) : [0])))
                : [0];
            }),
          )
        : [0],
    );
  return {
    gate: (request, stop = NEVER, within = { until: Number.POSITIVE_INFINITY }) =>
      held(within).pipe(
        takeUntil(stop),
        switchMap(() => request),
      ),
    limited({ retryAfterMs }, wave = waves) {
      // One of the burst whose first answer began its kind's latest pause: that pause is its, a step of neither count.
      // Without `Retry-After` it changes nothing; with one, that wait is honoured still, over the floor's latest step.
      const kind = retryAfterMs === undefined ? 0 : 1;
      const burst = wave < began[kind]!;
      if (burst && !kind) return;
      if (!burst) began[kind] = ++waves;
      // The core's wait after a 429, as the client's gate closes for it: the server's `Retry-After` (at most 60 s),
      // else its backoff, step `strikes` (the 429s without one in a row, a burst counted once): a random time up to
      // 0.5 s·2ⁿ (at most 8 s, with `random`; without it, none); either never under a floor of 50 ms doubling to 1 s,
      // step n the 429s of that kind in a row, a burst counted once (`told` for those with `Retry-After`: a storm of
      // `Retry-After: 0` is answered about once a second, not every 50 ms, as the client's own retries are).
      const step = !kind ? strikes++ : burst ? Math.max(told - 1, 0) : told++;
      const ms = retryWait(step, retryAfterMs, random ?? (() => 0));
      const end = now() + ms;
      if (end >= pausedUntil) grown = wave < 0 ? Number.POSITIVE_INFINITY : waves;
      if (end > pausedUntil) [pausedUntil, span] = [end, ms];
    },
    passed() {
      strikes = told = 0;
    },
    get pausedUntil() {
      return pausedUntil;
    },
    get waves() {
      return waves;
    },
  };
}

/**
 * Sends each request through `pacer`: it starts once no pause is in force (or ends unsent when `stop` emits first);
 * a 429 (`RateLimitError`) it meets starts a batch-wide pause (the error still reaches the subscriber, who decides
 * whether to try again), one for all the requests sent before it began; an answer resets the backoff. The request is
 * taken as sent when it is subscribed to, past the gate: one that sends later (again after a failure, or after a wait
 * of its own) goes through `throughPacer` at each send, or is `late`, its 429 then doubling the backoff each time.
 * `within`: the request's budget at the gate (see `Pacer.gate`).
 */
export function throughPacer<T>(
  pacer: Pacer,
  stop?: Observable<unknown>,
  late?: boolean,
  within?: { until: number; error?: unknown; wave?: number | undefined },
): MonoTypeOperatorFunction<T> {
  return (request) =>
    pacer.gate(
      defer(() => {
        const wave = late ? undefined : pacer.waves;
        return request.pipe(
          tap({
            next: () => pacer.passed(),
            error: (error) => {
              if (RateLimitError.isInstance(error)) pacer.limited(error, wave);
            },
          }),
        );
      }),
      stop,
      within,
    );
}
