import {
  checkWatchOptions,
  type DecartClient,
  type DecartError,
  InvalidInputError,
  InvalidResponseError,
  invalid,
  type JobEvent,
  ONCE,
  RateLimitError,
  readOnce,
  retryDelay,
  retryPolicyOf,
  shownValue as shown,
} from "@decart/core";
import {
  asyncScheduler,
  catchError,
  defer,
  EMPTY,
  finalize,
  isObservable,
  map,
  merge,
  mergeMap,
  type Observable,
  of,
  queueScheduler,
  repeat,
  retry,
  Subject,
  subscribeOn,
  takeUntil,
  throwError,
  timer,
} from "rxjs";
import { jobFailed } from "./operators.js";
import { createPacer, throughPacer } from "./pacing.js";
import { checkClient, clientResult, clientStatus, fromAbortable } from "./sources.js";
import type { SubmitInput, SubmitJobOptions } from "./types.js";
import { submitKeys, submitWith } from "./watch.js";

/**
 * An input of a batch: a model and its inputs, or `{ key, input }`, that with a key of yours (echoed on every event of
 * its job; none when not given).
 */
export type BatchInput = SubmitInput | { key?: string | number | undefined; input: SubmitInput };

/** The key of the events of inputs `I`: the type of their `key` (`undefined` for an input without one). */
export type BatchKeyOf<I> = I extends unknown ? ("key" extends keyof I ? I["key" & keyof I] : undefined) : never;

/**
 * Where the batch stands. `submitted` counts jobs the server accepted; `pending` and `processing` count the jobs in
 * that state now (a job downloading its result is still `processing`); `completed` and `failed` count finished jobs
 * (`failed` includes jobs that could not be submitted or watched). `total` is the number of inputs for an array, and
 * the number read so far for an iterable or an observable (all of them once it ends).
 */
export interface BatchSummary {
  total: number;
  submitted: number;
  pending: number;
  processing: number;
  completed: number;
  failed: number;
}

/**
 * One thing that happened in a batch, with the summary just after it. `K`: the inputs' key (`submitAll` makes it the
 * type of the keys given, `undefined` for inputs without one).
 */
export type BatchEvent<K = string | number | undefined> = {
  /** The input's position (from 0) in the inputs. */
  index: number;
  /** The input's key, when it had one. */
  key: K;
  summary: BatchSummary;
} & (
  | { type: "event"; event: JobEvent; error?: never }
  /** The job could not be submitted, or watching it ended with an error (`error.jobId` says whether a job exists). */
  | { type: "error"; error: DecartError; event?: never }
);

/**
 * Options of `submitAll`: `submitJob`'s (the watch's, for every job), an `onOrphan` told the input's index and key,
 * and the batch's own `concurrency` and `failFast`. `K`: the inputs' key type.
 */
export interface SubmitAllOptions<K = string | number | undefined> extends Omit<SubmitJobOptions, "onOrphan"> {
  /**
   * Called with the id of a job made after the batch ended (`failFast`, or you unsubscribed) while its submit was under
   * way, with its input's index and key: see `SubmitJobOptions.onOrphan`. One whose outcome turns unknown then is
   * reported as it says, its error carrying that `index` and `key` (and its `model`). A submit that has not started
   * when the batch ends (one waiting for a slot, or out a 429's pause) is not sent, nor sent again once answered 429
   * (or 503 …).
   */
  onOrphan?: ((jobId: string, index: number, key: K) => void) | undefined;
  /**
   * Jobs in flight at once (submitted and not finished): 1 or more, or `Infinity` for all at once (an iterable is then
   * read at once). Default 8. Anything else (`"2"`, `true`) errors with `InvalidInputError` before any request.
   */
  concurrency?: number | undefined;
  /**
   * End the batch (error, and stop watching the others) at the first job that fails or errors. Default `false`.
   * Anything but a boolean (`"false"`) errors with `InvalidInputError` before any request.
   */
  failFast?: boolean | undefined;
}

/**
 * submitAll's options besides `submitJob`'s (see watch.ts), each with what it must be: the one list of them.
 * `concurrency` is any value here and checked below (a number of lanes, or Infinity, which no schema's number is).
 */
const batchKeys = { ...submitKeys, concurrency: {}, failFast: { type: "boolean" } };

type State = "pending" | "processing" | "completed" | "failed";

/**
 * A submit's budget, on the client's clock: its end, the failure it ends with (its last), and the pacer's `waves` at
 * its latest 429 (a pause grown past its end by the rest of that 429's burst does not fail it at the gate).
 */
type Budget = { until: number; error?: unknown; wave?: number | undefined };

const isObject = (value: unknown): value is object => typeof value === "object" && value !== null;

/** What the inputs must be. */
const inputsExpected = "an array, an iterable or an observable of inputs";

/** What an input must be. */
const expected = "an input ({ model, … })";

/**
 * An iterable of inputs that broke (code of yours), as the batch reports it: naming `inputs` and what it did, what it
 * threw its `cause`.
 */
const inputsBroke = (can: string, did: string, cause?: unknown) =>
  new InvalidInputError(`Invalid input: "inputs" must be an iterable that can be ${can} (${did})`, {
    field: "inputs",
    expected: `an iterable that can be ${can}`,
    cause,
  });

/**
 * What `read` answers, reading an iterable of inputs (its iterator, or the input at `index`: code of yours). What it
 * throws ends the batch as an `InvalidInputError` naming `inputs` and the input it was reading, what was thrown its
 * `cause`, as an option whose getter throws is refused: the batch's errors are the core's typed errors. So does an
 * answer that is no object (a `next()` that answers `42` or `null`; a `for…of` throws a TypeError there); a function
 * is taken as the object it is, as a `for…of` takes it. The iterable's `[Symbol.iterator]()` is named as itself.
 */
function readInputs<T>(index: number | string, read: () => T): T {
  const what = typeof index === "string" ? index : `inputs[${index}]`;
  let answer: T;
  try {
    answer = read();
  } catch (cause) {
    throw inputsBroke("read", `reading ${what} threw`, cause);
  }
  // A function is an object too, as a `for…of` takes it.
  if (isObject(answer) || typeof answer === "function") return answer;
  throw inputsBroke("read", `reading ${what} answered ${shown(answer)}, not an object`);
}

/** Reads an iterator of inputs to its end, each input as `readInputs` reads it. */
function readAll(iterator: Iterator<BatchInput>): BatchInput[] {
  const all: BatchInput[] = [];
  for (;;) {
    const next = readInputs(all.length, () => iterator.next());
    if (next.done) return all;
    all.push(next.value);
  }
}

/**
 * Submits and follows many jobs with bounded concurrency. Inputs: an array, an iterable (read lazily, one input each
 * time a slot frees) or an observable. Every event of every job comes out tagged with its input's index and key,
 * with a running summary. A 429 anywhere pauses the whole batch (the server's `Retry-After`, else the core's backoff,
 * which a burst of 429s to submits sent at once grows once, but each 429 to a submit holding a stream doubles: the
 * batch cannot see when the client, which reads the stream first, let it through its rate-limit gate):
 * submits (one sent again after a 503 too), status reads and downloads not yet started wait for it, then go each at a
 * random time within its length after it (the core's `releaseWait`, the client's `random`), and a submit
 * answered 429 (the server did not take it) is sent again after it, within its budget (the client's `timeoutMs` from
 * its first failure, a 429 or not: one budget, as the client's own submit keeps). The batch also pauses whenever the
 * client's own rate-limit gate (`client.rateLimit`) closes, on a 429 to any of the client's requests. Each submit is
 * one attempt, sent again by the batch (not by the client's retries, whose waits it could not stop once it ended):
 * after a 429 as above, after another failure the client would retry (408, 503, a refused connection: the core's
 * `retryDelay`) within the client's `maxRetries` and the same budget; never an input holding a stream read already. A
 * failed job (or one that errors) does not end the batch unless `failFast`. Inputs that are none of these, or a string
 * or bytes (iterable, of no inputs) or a Map (of `[key, value]` pairs: give its `values()`), are refused before any
 * request. An element that is no input (`null`) fails alone, its `InvalidInputError` naming it (`inputs[3]`); an
 * iterable that throws as it is read ends the batch with an `InvalidInputError` naming `inputs`, what it threw as
 * `cause`. A batch that ends before its iterable (`failFast`, an error, unsubscribed) closes the iterator once
 * (`return()`, as a `for…of` that breaks: a generator's `finally` runs); what `return()` throws is reported as an
 * unhandled error.
 */
export function submitAll<I extends BatchInput>(
  client: DecartClient,
  inputs: Iterable<I> | Observable<I>,
  options?: SubmitAllOptions<BatchKeyOf<I>>,
): Observable<BatchEvent<BatchKeyOf<I>>>;
export function submitAll(
  client: DecartClient,
  inputs: Iterable<BatchInput> | Observable<BatchInput>,
  options?: SubmitAllOptions,
): Observable<BatchEvent> {
  return defer(() => {
    checkClient(client, "submitAll(client, inputs)");
    // Its options, read and checked once for the whole batch, before any submit: options the watch would refuse end
    // the batch with their error (rather than fail each job in turn), as does a key that is none of submitAll's
    // options; each job's submit and watch take them as read here.
    const all = checkWatchOptions<SubmitAllOptions>(options, batchKeys);
    const { concurrency = 8, failFast = false, onOrphan, ...jobOptions } = all;
    // A number of lanes: 1 or more (a fraction counts its whole lanes), or Infinity for all at once; a number only
    // (`"2"` or `true` compare as 2 and 1, but are no number of lanes).
    if (typeof concurrency !== "number" || !(concurrency >= 1))
      throw invalid("Invalid options", "concurrency", "a number ≥ 1", concurrency);
    // Inputs refused, as what they are. A string and bytes are iterable, but of characters and numbers, none of them an
    // input, and a Map of its [key, value] pairs: refused as a whole, with what to give, rather than each element in
    // turn.
    const refused =
      typeof inputs === "string" || inputs instanceof String
        ? "a string"
        : ArrayBuffer.isView(inputs)
          ? "bytes"
          : inputs instanceof Map
            ? "a Map"
            : isObservable(inputs) || typeof (inputs as any)?.[Symbol.iterator] === "function"
              ? undefined
              : shown(inputs);
    if (refused)
      throw new InvalidInputError(
        `Invalid input: "inputs" must be ${inputsExpected} (got ${refused}): give ${refused === "a Map" ? "its values, map.values()" : "the inputs in an array, [{ model, prompt }, …]"}`,
        { field: "inputs", expected: inputsExpected },
      );
    // Once the batch ends (failFast, unsubscribed), a submit not yet sent (waiting out a pause) is not sent; one under
    // way is listened to by its submit (as submitJob's), which hands its job to `onOrphan`.
    let ended = false;
    const width = Math.floor(concurrency);
    // An iterable's iterator is made now, before anything is followed, and all at once (Infinity) it is read at once,
    // to know how many lanes.
    const iterator = isObservable(inputs)
      ? undefined
      : readInputs("inputs[Symbol.iterator]()", () => inputs[Symbol.iterator]());
    const given = iterator && width === Number.POSITIVE_INFINITY && !Array.isArray(inputs) ? readAll(iterator) : inputs;
    const scheduler = all.scheduler ?? asyncScheduler;
    // The client's retry policy: its `maxRetries` and its jitter's `random` (below), and its clock (`poll.now`, by
    // default steady), which its rate-limit gate is on too: the batch's pauses are measured on it, not on the wall
    // clock. Its budget (`timeoutMs`) too: what a plain call of the client may wait in all, kept to by a submit
    // answered 429. (The core's `retryPolicyOf`: a stand-in client of yours, without one, has the core's defaults.)
    const { maxRetries, random, retrySubmit, now = () => scheduler.now(), timeoutMs } = retryPolicyOf(client);
    // Its `random` too: the submits a pause held are let go after it as the client's gate lets its calls go.
    const pacer = createPacer(scheduler, now, random);
    // The client's own rate-limit gate closes on a 429 to any of its requests (this batch's or not): pause with it, for
    // as long as it closes, a step of neither count (wave -1: of the pauses counted already). Its wait is the client's
    // own step; a closing for one of the batch's 429s is that 429's, which its submit's own counts: copied with a wave,
    // a burst of 429s a few ms apart (each closing the gate anew) stepped the floor once per 429, to 1 s.
    const unfollow = client.rateLimit.subscribe(({ waitMs }) => pacer.limited({ retryAfterMs: waitMs }, -1));
    // A submit waiting out a pause (or starting to) once the batch has ended stops waiting: its timer would keep a
    // Node process alive until the pause's end, up to a minute after the batch.
    const ending = new Subject<void>();
    const over = defer(() => (ended ? [0] : ending));
    const end = () => {
      ended = true;
      unfollow();
      ending.next();
    };
    // The client's submit, one attempt each, that does not wait at the client's shut rate-limit gate either (the core's
    // submit takes `{ [ONCE]: { spare } }` as its second argument: `spare: 0` fails there at once, not sent, with a
    // RateLimitError that pauses the batch): the client's own retries, or its wait at the gate, would wait out a 429's
    // (or a 503's) pause where the batch cannot stop them, and send after the batch ended (a job nobody asked for, a
    // timer keeping a Node process alive). An input that cannot be sent again (a stream: the client reads it before
    // its gate refuses it) waits at the gate as before, its job the batch's `onOrphan`'s if the batch ended meanwhile.
    // A failure the client would retry (the core's `retryDelay`: `retryable`, where the server certainly did not
    // take it, 408, 429, 503, a refused connection; with its `retrySubmit`, one of unknown outcome too, an answer that
    // broke the spec no more than 3 times) is sent again by the batch, unless a stream of it was read: a 429 after the
    // batch's pause (below), any other after the wait `retryDelay` gives (the server's `Retry-After`, else the client's
    // backoff, jittered by its `random`), up to the client's `maxRetries` times in all (its 429s apart), within
    // the submit's one budget (below); each wait ends, with nothing sent, when the batch does. Each attempt goes
    // through the batch's pacer as it is sent: it waits out a pause in force, and a 429 to it is of the pauses begun
    // before it was sent; one holding a stream, which may wait at the client's gate and be sent later, is `late` (a 429
    // to it doubles the backoff).
    // A submit's failure: the first starts its budget, the client's `timeoutMs` on its clock; the last is its error.
    const failed = (budget: Budget, e: unknown) => {
      if (!budget.error) budget.until = now() + timeoutMs;
      if (RateLimitError.isInstance(e)) budget.wave = pacer.waves;
      budget.error = e;
    };
    const own = all.submitSource;
    const submit = own
      ? (input: SubmitInput, _: number[], budget: Budget) =>
          defer(() => (ended ? EMPTY : own(input))).pipe(throughPacer(pacer, over, false, budget))
      : (input: SubmitInput, failures: number[], budget: Budget) => {
          return defer(() =>
            ended
              ? EMPTY
              : fromAbortable(() =>
                  (client.queue.submit as any)(input, { [ONCE]: readOnce(input) ? {} : { spare: 0 } }),
                ),
          ).pipe(
            throughPacer(pacer, over, readOnce(input), budget),
            retry({
              // The core's one retry decision (`retryDelay`), as the client's own submit makes it: `failures` holds the
              // failures sent again and the answers that broke the spec, counted as the client counts them. Within the
              // submit's one budget too (from its first failure, a 429 or not), as the client's submit keeps to one: a
              // wait (or a `Retry-After` beyond the 60 s honoured) that would end past it fails at once. So does the
              // gate's refusal (its last failure again: a pause past the budget), not waited for nor counted again.
              delay: (e) => {
                if (e === budget.error) return throwError(() => e);
                failed(budget, e);
                if (InvalidResponseError.isInstance(e)) failures[1]!++;
                const wait =
                  RateLimitError.isInstance(e) || readOnce(input)
                    ? undefined
                    : retryDelay(e, failures[0]!, { retrySubmit, maxRetries, invalid: failures[1]!, random });
                if (wait === undefined || now() + Math.max(wait, (e as any).retryAfterMs ?? 0) > budget.until)
                  return throwError(() => e);
                failures[0]!++;
                return timer(wait, scheduler).pipe(takeUntil(over));
              },
            }),
          );
        };
    const status = all.statusSource ?? clientStatus(client);
    const result = all.resultSource ?? clientResult(client);
    const paced = {
      ...jobOptions,
      scheduler,
      // A submit answered 429 was not taken by the server: send it again once the batch's pause ends (unless it cannot
      // be sent again: a stream read already), within its budget, and 64 times at most: one whose pause ends past
      // that, or its 65th 429, fails with its 429. (The pause's floor doubles to 1 s with each 429 in a row: under the
      // default budget of 60 s the budget ends a storm first, whatever its `Retry-After`; the count bounds a long one.)
      // Its failures other than 429s are counted across them: up to `maxRetries` sent again in all, not after each 429.
      // One budget for both kinds, as the client's own submit keeps one: its `timeoutMs` from the submit's first
      // failure, a 429 or not. It is kept to while the submit waits at the batch's gate too: a pause that grows past it
      // there (other submits' 429s) fails it with its last failure, unsent (at once when it comes, else as the wait it
      // was in ends; a 503's wait not made again).
      submitSource: (input: SubmitInput, failures = [0, 0], budget: Budget = { until: Number.POSITIVE_INFINITY }) =>
        defer(() => (ended ? EMPTY : submit(input, failures, budget))).pipe(
          retry({
            count: 64,
            delay: (e) => {
              failed(budget, e);
              return RateLimitError.isInstance(e) && !readOnce(input) && pacer.pausedUntil <= budget.until
                ? of(0)
                : throwError(() => e);
            },
          }),
        ),
      // A read answered 429 pauses the batch; the engine decides when to read again.
      statusSource: (jobId: string, within: { deadline: number }) =>
        defer(() => status(jobId, within)).pipe(throughPacer(pacer)),
      resultSource: (jobId: string, within: { deadline: number }) =>
        defer(() => result(jobId, within)).pipe(throughPacer(pacer)),
    };

    const summary: BatchSummary = {
      total: Array.isArray(given) ? given.length : 0,
      submitted: 0,
      pending: 0,
      processing: 0,
      completed: 0,
      failed: 0,
    };
    const move = (from: State | undefined, to: State) => {
      if (from) summary[from]--;
      summary[to]++;
    };

    const run = (item: BatchInput, index: number): Observable<BatchEvent> => {
      // `{ key, input }` (one of the two at least, and no model), else an input as it is. An element or an `input`
      // that is no object (`null`, a number) fails alone, named by its place in the inputs, with nothing sent (the
      // submit would name `model`, as if the input lacked only that); an object's own fields are the submit's to check.
      // One that cannot be read (its `key` or `input` a getter that throws: code of yours) fails alone too, named by
      // its place, what it threw the `cause`.
      let keyed = false;
      let key: string | number | undefined;
      let input: SubmitInput | undefined;
      let unread: { cause: unknown } | undefined;
      try {
        keyed = isObject(item) && !("model" in item) && ("key" in item || "input" in item);
        key = keyed ? (item as { key: string | number }).key : undefined;
        input = keyed ? (item as { input: SubmitInput }).input : (item as SubmitInput);
      } catch (cause) {
        unread = { cause };
      }
      const field = `inputs[${index}]${keyed && !unread ? ".input" : ""}`;
      let state: State | undefined;
      const onJobOrphan = (jobId: string) => onOrphan?.(jobId, index, key);
      return (
        isObject(input)
          ? submitWith(client, input, undefined, { ...paced, onOrphan: onJobOrphan }, { index, key })
          : throwError(
              () =>
                new InvalidInputError(
                  unread
                    ? `Invalid input: "${field}" must be ${expected} that can be read (reading it threw)`
                    : `Invalid input: "${field}" must be ${keyed ? expected : `${expected} or { key, input }`} (got ${shown(input)}): give it its input, or leave it out of the batch`,
                  { field, expected, ...unread },
                ),
            )
      ).pipe(
        map((event): BatchEvent => {
          let to: State | undefined;
          if (event.type === "submitted") {
            summary.submitted++;
            to = "pending";
          } else if (event.type === "status") to = event.status;
          else if (event.type === "completed" || event.type === "failed") to = event.type;
          if (to && to !== state) {
            move(state, to);
            state = to;
          }
          if (failFast && event.type === "failed") throw jobFailed(event);
          return { type: "event", index, key, event, summary: { ...summary } };
        }),
        catchError((error: DecartError) => {
          if (state !== "failed") {
            move(state, "failed");
            state = "failed";
          }
          if (failFast) return throwError(() => error);
          return of<BatchEvent>({ type: "error", index, key, error, summary: { ...summary } });
        }),
      );
    };

    if (isObservable(given)) {
      return given.pipe(
        mergeMap((item, index) => {
          summary.total++;
          // Each job starts on the queue scheduler: inputs that came while every lane was busy, and end at once
          // (refused, nothing sent), are taken in a loop, as the lanes below take theirs, not a stack frame deeper for
          // each.
          return run(item, index).pipe(subscribeOn(queueScheduler));
        }, width),
        finalize(end),
      );
    }
    // An iterable is read lazily: each of `concurrency` lanes takes the next input when its job ends.
    const lanes = Math.min(width, Array.isArray(given) ? Math.max(1, given.length) : width);
    const inputsLeft = given === inputs ? iterator! : (given as BatchInput[]).values();
    let index = 0;
    // Whether the iterator has ended: by itself (its end, or a throw from its `next()`, after which it is not closed,
    // as a for…of does not close it), or closed by the batch.
    let done = false;
    // A lane takes its next input on the queue scheduler: after inputs that end at once (refused, nothing sent), in a
    // loop (a trampoline), not a stack frame deeper for each (thousands in a row overflowed the stack, and the batch
    // hung, never ending).
    const lane = defer(() => {
      if (done) return EMPTY;
      done = true; // until it answers: one whose `next()` throws has ended
      const next = readInputs(index, () => inputsLeft.next());
      done = !!next.done;
      if (done) return EMPTY;
      if (!Array.isArray(given)) summary.total++;
      return run(next.value, index++);
    }).pipe(repeat({ delay: () => (done ? EMPTY : timer(0, queueScheduler)) }));
    // A batch that ends before its iterator (`failFast`, an error, you unsubscribe) closes it once, as a for…of that
    // breaks does: its `return()` runs a generator's `finally`. What that throws cannot be the batch's outcome, which
    // is settled (or nobody listens): it is reported as an unhandled error (rxjs's `config.onUnhandledError`).
    const close = () => {
      if (done) return;
      done = true;
      try {
        inputsLeft.return?.();
      } catch (cause) {
        throwError(() => inputsBroke("closed", "its return() threw", cause)).subscribe();
      }
    };
    return merge(...Array.from({ length: lanes }, () => lane)).pipe(
      finalize(() => {
        end();
        close();
      }),
    );
  });
}
