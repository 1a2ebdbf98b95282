import type {
  JobEvent,
  JobSubmitResult,
  PollOptions,
  PollSchedule,
  QueueJobOutcome,
  QueueJobResult,
  StatusRead,
  SubmitOptions,
  VideoModel,
  VideoModelName,
} from "@decart/core";
import type { Observable, SchedulerLike } from "rxjs";
import type { ResultSource, StatusSource, SubmitSource } from "./sources.js";

/**
 * What `submitJob` submits: a video model and its inputs, as `client.queue.submit` takes them, `signal` too: it aborts
 * the submit as it does there (one already aborted sends nothing: an `AbortError`, no job; aborting a submit under way,
 * an upload say, ends it with an `AbortError`, and a job the server may have taken then is not heard of: your abort).
 * Unsubscribing never cuts a submit. Without a model name, any video model's inputs.
 */
export type SubmitInput<M extends VideoModelName = VideoModelName> = { [K in M]: SubmitOptions<K> }[M];

/** Options shared by `watchJob`, `submitJob` and `submitAll`. */
export interface JobOptions {
  /**
   * The watch's budget (waiting and downloading, from when the job is known) before a `JobTimeoutError` carrying the
   * job id (default: the core's, 11 minutes). A submit is bounded by the client's own timeouts.
   */
  timeoutMs?: number | undefined;
  /**
   * Instead of `timeoutMs`: the end of the watch's budget on the client's clock (`poll.now`), as a core `JobWatch`'s
   * `deadline` is, e.g. to watch a job again with what is left of an earlier watch's budget.
   */
  deadline?: number | undefined;
  /**
   * Polling for this job, merged over the client's `poll` (see the core's `PollOptions`), or a schedule function. Its
   * `delay` (the client's when this has none) does every wait, as in the core's watch (`delay(ms, signal)`, the signal
   * aborted on unsubscribe; one that throws or rejects ends the watch with a `CALLBACK_ERROR`), instead of `scheduler`.
   */
  poll?: PollOptions | PollSchedule | undefined;
  /**
   * `false` to end with the `completed` status event, without downloading the video. Default `true`: `downloading`
   * events, then `completed` with `data`, a Blob.
   */
  download?: boolean | undefined;
  /**
   * Whether the app is in the background (e.g. a hidden page: `@decart/react` passes the page's visibility). While the
   * latest value is `true`, status reads are at least 30 s apart (slower, never stopped); when it turns `false`, the
   * job is read at once. A poller shared by several subscribers (see `watchJob`) is slowed only while all of them are
   * in the background; one without `background`, or whose `background` has not emitted yet, is in the foreground.
   */
  background?: Observable<boolean> | undefined;
  /**
   * Where timers run (default `asyncScheduler`): a `TestScheduler` runs everything on virtual time. A `poll.delay`
   * (the call's or the client's) does the watch's waits instead.
   */
  scheduler?: SchedulerLike | undefined;
  /** Reads a job's status once (default: the client's, over HTTP, aborted on unsubscribe). */
  statusSource?: StatusSource | undefined;
  /**
   * Downloads a completed job's result (default: the client's `queue.download`, one attempt, aborted on unsubscribe:
   * the engine decides whether to download again).
   */
  resultSource?: ResultSource | undefined;
}

/** `watchJob` options: with the job's model when known, which sets its expected duration and so the poll schedule. */
export interface WatchJobOptions extends JobOptions {
  /** The job's model: a catalogue name, `models.video(…)`, or a definition of your own (`VideoModel<"my-model">`). */
  model?: VideoModel<string> | VideoModelName | undefined;
  /**
   * The submit's answer, for a job you have just submitted (`client.queue.submit`): the watch starts from it as
   * `submitJob`'s does, with `submitted` and the answer's status, and reads the job after the schedule's first wait
   * rather than at once. Checked as a status read is: another job's answer, or one whose
   * `status` is no job status, is an `InvalidInputError` naming `first`.
   */
  first?: JobSubmitResult | undefined;
}

/** `submitJob` options. */
export interface SubmitJobOptions extends JobOptions {
  /** Submits a job (default: the client's `queue.submit`, never cut by unsubscribing). */
  submitSource?: SubmitSource | undefined;
  /**
   * Called with the id of a job made after its subscriber left (a `switchMap` moved on, a `takeUntil` fired, a
   * `failFast` batch ended while the submit was under way): a submit under way is not cut when you unsubscribe, and
   * its job, which nobody hears of as `submitted` any more, is handed here. Every job is told once: as `submitted` or
   * here. One that throws is reported as an unhandled error (rxjs's `config.onUnhandledError`), a `CALLBACK_ERROR`
   * carrying the job id. A submit that fails then without a job id, its outcome unknown (`SUBMIT_OUTCOME_UNKNOWN`: a
   * job may exist, its id unknown) or your callback having thrown once the body was sent (`CALLBACK_ERROR` whose
   * `mayExist` is true: an `onUploadProgress` that threw on its last call, when a job may exist; one that threw before
   * sent nothing, and is not reported), or your `submitSource` having failed with an error (or a throw) that is no
   * `DecartError` (it may have sent the job: the `InvalidResponseError` a subscriber would have had, but with
   * `mayExist` true and its message ending `; a job may exist`, your error its `cause`), is reported there too, a copy
   * of its error (its class and fields) with the submit's `model` set on it (as `submitted` names it; from
   * `submitAll`, its input's `index` and `key` too), when `config.onUnhandledError` is set; left unset (rxjs's
   * default), it is warned of with `console.warn` (the error, with its request id), never thrown: a server's answer
   * does not end the process.
   */
  onOrphan?: ((jobId: string) => void) | undefined;
}

/**
 * The `completed` event.
 * @inline
 */
type Completed = Extract<JobEvent, { type: "completed" }>;

/**
 * A job's events as `download` makes them (`JobEvent`s, narrowed): with the video (`true`, the default), `completed`
 * has its `data`; without (`false`), it has none. `submitJob` and `watchJob` answer these when their options say
 * which (a literal `download: false`, or none), else `JobEvent`; `toOutcome()` follows them.
 */
export type JobEventOf<Download extends boolean> = Download extends true
  ? Exclude<JobEvent, Completed> | (Completed & { data: Blob })
  : Exclude<JobEvent, Completed> | (Completed & { data?: undefined });

/**
 * How a job ended as `toOutcome()` answers it for events `E`, as `submitAndPoll` types it: `QueueJobResult` (with
 * `data`) when their `completed` has the video, `QueueJobOutcome` when it has none (`download: false`), either when
 * not known (`JobEvent`).
 */
export type OutcomeOf<E extends JobEvent> = [Extract<E, Completed>] extends [{ data: Blob }]
  ? QueueJobResult
  : [Extract<E, Completed>] extends [{ data?: undefined }]
    ? QueueJobOutcome
    : QueueJobResult | QueueJobOutcome;

export type { JobEvent, StatusRead };
