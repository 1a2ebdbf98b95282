import {
  canWatchAgain,
  type DecartClient,
  type DecartError,
  failedJob,
  type JobEvent,
  type JobStatus,
  retryPolicyOf,
  retryWait,
} from "@decart/core";
import {
  asyncScheduler,
  catchError,
  distinctUntilChanged,
  filter,
  type MonoTypeOperatorFunction,
  map,
  type Observable,
  type OperatorFunction,
  switchMap,
  take,
  throwError,
  timer,
} from "rxjs";
import { checkClient, fromAbortable } from "./sources.js";
import type { JobEventOf, OutcomeOf, WatchJobOptions } from "./types.js";
import { watchJob } from "./watch.js";

type Terminal = Extract<JobEvent, { type: "completed" | "failed" }>;
const isTerminal = (event: JobEvent): event is Terminal => event.type === "completed" || event.type === "failed";

/** The `JobFailedError` for a `failed` event: the job id and the server's reason. */
export const jobFailed = (event: Extract<JobEvent, { type: "failed" }>) => failedJob(event.jobId, event.error);

/**
 * The job's status, only when it changes: `submitted` reads as `pending`, download progress and `retrying` are left
 * out (a failed read is no change of the job's status, nor is the status read again after it). For a badge or a log
 * line; a view that shows the failures too reads the `retrying` events themselves.
 *
 * ```text
 * events:  -S---s(pending)---s(processing)---R---R---s(processing)---d---d---C|
 *          statusChanges()
 * status:  -p-------------------r------------------------------------------c|
 * ```
 * (S `submitted`, s `status`, R `retrying`, d `downloading`, C `completed`; p `"pending"`, r `"processing"`, c
 * `"completed"`.)
 */
export function statusChanges(): OperatorFunction<JobEvent, JobStatus> {
  return (events) =>
    events.pipe(
      filter((event) => event.type !== "downloading" && event.type !== "retrying"),
      map(
        (event): JobStatus =>
          event.type === "submitted" ? "pending" : event.type === "status" ? event.status : event.type,
      ),
      distinctUntilChanged(),
    );
}

/**
 * How the job ended, as the core's `submitAndPoll` answers it: `{ status: "completed", job_id, data }` (no `data` with
 * `download: false`) or `{ status: "failed", job_id, error }`, typed as its (`OutcomeOf`: `QueueJobResult` after
 * events with the video, `QueueJobOutcome` after events without, either after `JobEvent`s). One value when the job
 * ends; for code that only wants the end (`await lastValueFrom(submitJob(…).pipe(toOutcome()))`).
 *
 * ```text
 * events:   -S---s---s---d---C|
 *           toOutcome()
 * outcome:  -----------------o|
 * ```
 */
export function toOutcome(): <E extends JobEvent>(events: Observable<E>) => Observable<OutcomeOf<E>> {
  return (events) =>
    (events as Observable<JobEvent>).pipe(
      filter(isTerminal),
      take(1),
      map((event) =>
        event.type === "failed"
          ? { status: "failed" as const, job_id: event.jobId, error: event.error }
          : { status: "completed" as const, job_id: event.jobId, ...(event.data && { data: event.data }) },
      ),
    ) as Observable<any>;
}

/**
 * A `failed` job as an error: the `failed` event becomes a `JobFailedError` (with `jobId` and the server's `reason`),
 * for pipelines that handle failure with `catchError` or `retry`. Other events pass through.
 *
 * ```text
 * events:  -S---s---F|
 *          throwOnFailure()
 * result:  -S---s---#      (# JobFailedError)
 * ```
 */
export function throwOnFailure(): <E extends JobEvent>(
  events: Observable<E>,
) => Observable<Exclude<E, { type: "failed" }>> {
  return (events) =>
    events.pipe(
      map((event) => {
        if (event.type === "failed") throw jobFailed(event);
        return event as Exclude<typeof event, { type: "failed" }>;
      }),
    );
}

/**
 * Retries by watching the job again, never by submitting again: on an error that another watch of its job can get past,
 * by the core's one decision (`canWatchAgain`: it carries a job id, and the watch's budget ran out, a transient failure
 * outlasted the policy, your callback threw, your token source failed or a server's answer broke the spec), follows
 * that job with `watchJob(client, jobId, options)` instead, up to `count` times in all, each after the core's wait
 * between tries (`retryWait`: the error's `Retry-After`, else backoff with the client's jitter, at least 50 ms, 100 ms,
 * 200 ms …) on `options.scheduler`: `count` 3 tries within 3.5 s at most, too soon for a user to sign in again or a
 * network to come back after a longer drop (for those, keep the error's `jobId` and watch it again on your own event:
 * the user signed in, the browser online). A `retry()` after `submitJob`
 * submits a new (paid) job instead. Other errors pass on at once: those without a job id (a submit that failed: no job,
 * or a job of unknown id), and those another watch would only meet again: a 404 (`NotFoundError`), a 401 or 403 of a
 * fixed `apiKey` (`AuthenticationError`, `PermissionDeniedError`; a `token` source's client watches again: the source
 * may give a valid key once the user signed in again), a redirect the client refused (its `status` the 3xx's, or 0), an
 * unexpected throw wrapped as an `InvalidResponseError` (with a `cause`), `JobFailedError` (the job ended; a new one
 * would be a new submit). Each watch again starts at the job's latest status and has a budget of its own (`timeoutMs`;
 * a `deadline` would have passed already). Its events are typed as its source's and the watch again's (`JobEventOf` its
 * `download`):
 * `watchJob(client, id, { download: false }).pipe(retryWatch(client, 1, { download: false }))` stays
 * `JobEventOf<false>`; without `download: false` the watch again downloads, and a `completed` may have its `data`.
 *
 * ```text
 * events:  -S---s---#            (# JobTimeoutError, jobId J)
 *          retryWatch(client, 1)
 * result:  -S---s---s---d---C|   (watchJob(client, J) from the error on)
 * ```
 */
export function retryWatch(
  client: DecartClient,
  count: number,
  options: WatchJobOptions & { download: false },
): <E extends JobEvent>(events: Observable<E>) => Observable<E | JobEventOf<false>>;
export function retryWatch(
  client: DecartClient,
  count: number,
  options?: WatchJobOptions & { download?: true | undefined },
): <E extends JobEvent>(events: Observable<E>) => Observable<E | JobEventOf<true>>;
export function retryWatch(
  client: DecartClient,
  count: number,
  options?: WatchJobOptions,
): OperatorFunction<JobEvent, JobEvent>;
export function retryWatch(
  client: DecartClient,
  count: number,
  options: WatchJobOptions = {},
): MonoTypeOperatorFunction<JobEvent> {
  checkClient(client, "retryWatch(client, count)");
  // The client's jitter (`random`), as its own retries draw it; the watch's `poll.delay` (the call's, else the
  // client's), as a watch's own waits, else the scheduler.
  const { random, wait } = retryPolicyOf(client);
  const delay = (options.poll as { delay?: typeof wait } | undefined)?.delay ?? wait;
  const pause = (ms: number): Observable<unknown> =>
    delay
      ? fromAbortable((signal) => Promise.resolve(delay(ms, signal)))
      : timer(ms, options.scheduler ?? asyncScheduler);
  const again = (events: Observable<JobEvent>, left: number): Observable<JobEvent> =>
    events.pipe(
      catchError((error: DecartError & { retryAfterMs?: number }) =>
        left > 0 && canWatchAgain(error)
          ? // The core's wait between tries (`retryWait`: the error's `Retry-After`, else backoff, never under its floor),
            // by the watch's `poll.delay` or on its scheduler: a refusal that ends each watch at once (a token route's
            // 403 while the user is signed out) does not spend every try within milliseconds.
            pause(retryWait(count - left, error.retryAfterMs, random)).pipe(
              switchMap(() => again(watchJob(client, error.jobId!, options), left - 1)),
            )
          : throwError(() => error),
      ),
    );
  return (events) => again(events, count);
}
