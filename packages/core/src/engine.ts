import {
  canonicalModel,
  catalogue,
  isModelName,
  type JobStatusResponse,
  maxIdLength,
  responseSchemas,
} from "@decart/api";
import {
  aboutJob,
  asDecartError,
  callbackThrew,
  type DecartError,
  guard,
  InvalidResponseError,
  timedOut as jobTimedOut,
  type RateLimitError,
  randomFailed,
  shown,
} from "./errors.js";
import { completedDurationMs, MAX_JOB_MS } from "./poll.js";
import { renewable, retryDelay } from "./retry.js";
import type { DelayFunction, DownloadProgress, PollSchedule } from "./types.js";
import { breaks, copyOf, type Schema } from "./validate.js";
import { VERSION } from "./version.js";

/** A wait's default budget: a little past the server's own 10-minute job timeout, the longest a job can run. */
export const DEFAULT_WAIT_MS = MAX_JOB_MS;

/**
 * What happens to a watched job, in order: `submitted` (only for a job this watch submitted), `status` (only when it
 * changes, or again after `retrying`), `downloading` (the result's bytes, unless `download: false`), then `completed`
 * or `failed`, the last event; `retrying` whenever a status read or the download failed and will be tried again. A
 * watch that cannot go on ends with an error instead (`JobTimeoutError`, `AbortError` …, carrying `jobId`).
 */
export type JobEvent =
  /** The job was accepted; emitted before any waiting, so its id is never lost. */
  | { type: "submitted"; jobId: string; model: string | undefined }
  /**
   * The job is `pending` or `processing` (emitted first with the submit answer, then on change, and at the first read
   * that answers after `retrying` even when unchanged, so that a view leaves its retrying state).
   */
  | { type: "status"; jobId: string; status: "pending" | "processing"; job: JobStatusResponse }
  /**
   * The job completed and its result is being downloaded: first with `receivedBytes: 0`, then after each chunk.
   * `totalBytes` is the `Content-Length`, when known (not for an encoded answer, whose length is of the encoded
   * bytes). A download cut short (or failed) that is started again is back at 0: an event at 0 comes just before its
   * `retrying` (`totalBytes` the cut answer's), and the bytes after it count from 0.
   */
  | {
      type: "downloading";
      jobId: string;
      job: JobStatusResponse;
      receivedBytes: number;
      totalBytes: number | undefined;
    }
  /** The job completed; `data` is its result (absent with `download: false`). */
  | { type: "completed"; jobId: string; job: JobStatusResponse; data?: Blob }
  /** The job failed; `error` is the server's reason, or "Job failed". */
  | { type: "failed"; jobId: string; job: JobStatusResponse; error: string }
  /**
   * A status read (or the download) failed with `error` and the retry policy tries it again in `delayMs`, before the
   * deadline (a retry the deadline cuts emits nothing: the watch ends at it): the `attempt`th failure in a row
   * (1-based). The job's status is still the last one emitted.
   */
  | { type: "retrying"; jobId: string; error: DecartError; attempt: number; delayMs: number };

/**
 * What to do next: read the status in `read` ms, (re)start the result's download in `download` ms, nothing more
 * (`done`: the last event was `completed` or `failed`), or stop with `error`.
 */
export type JobWatchNext = { read: number } | { download: number } | { done: true } | { error: DecartError };

/** One step of a watch: the events to emit now, then what to do next. */
export interface JobWatchStep {
  events: JobEvent[];
  next: JobWatchNext;
}

/**
 * One status read's answer: the body as received (checked by the watch), the server's `x-poll-after-ms`, and its `Date`
 * (ms since the epoch: the server's clock, to the second).
 */
export interface StatusRead {
  job: unknown;
  hintMs?: number | undefined;
  date?: number | undefined;
}

/** Expected job durations per model, shared by the watches of a client and refined by what they observe. */
export interface DurationModel {
  /** The expected duration of a job of `model` (`catalogueMs` until one was observed). */
  typicalMs(model: string, catalogueMs: number): number;
  /** How much durations of `model` vary (the standard deviation of their logarithm), once observed. */
  spread(model: string): number | undefined;
  /** A job of `model` took `durationMs`. */
  observe(model: string, catalogueMs: number, durationMs: number): void;
}

/** How to watch one job. Times are in ms on `now`'s clock. */
export interface JobWatchInit {
  jobId: string;
  /** The job's model, if known (any name; aliases resolve): it sets the expected duration. Else learnt from reads. */
  model?: string | undefined;
  /** The submit answer, for a job just submitted: the watch starts with `submitted`, and the job's age is known. */
  first?: JobStatusResponse | undefined;
  /** The clock of the deadline and of retry decisions. */
  now(): number;
  /** The clock of the schedule's `elapsedMs` (default `now`). */
  clock?: (() => number) | undefined;
  /** The end of the budget (default `now() + timeoutMs`): a `JobTimeoutError` after it, never before. */
  deadline?: number | undefined;
  /**
   * The budget's length, for the default deadline and the timeout's message (default 11 minutes; with a `deadline` but
   * no `timeoutMs`, the message says "within its deadline").
   */
  timeoutMs?: number | undefined;
  /** The delay before each status read. */
  schedule: PollSchedule;
  /** Where expected durations are read and observed durations go (default: the catalogue's, nothing learnt). */
  durations?: DurationModel | undefined;
  /** `false` to end with `completed` as soon as the job completes, without downloading (default `true`). */
  download?: boolean | undefined;
  /**
   * Bounds the result's downloads (default: none, until the deadline): once the bytes failed downloads brought add up
   * to more than `maxRetries + 1` times the result's size (its `totalBytes`), or more than 4 × (`maxRetries + 1`)
   * failed downloads brought bytes or were cut short (`TRUNCATED`, none handed on too; a size absent or false), the
   * last is not retried and ends the watch with its error, saying that the result stays on the server. Other failures
   * that bring no bytes (a 503, a refused connection) do not count. The client's watches pass their `maxRetries`.
   */
  maxRetries?: number | undefined;
  /**
   * Randomness of the retry backoff's jitter, in [0, 1) (default `Math.random`; seed it in tests). One that throws, or
   * answers no number or one outside [0, 1), ends the watch with a `CALLBACK_ERROR` carrying the job id.
   */
  random?: (() => number) | undefined;
  /** The least time between status reads while in the background (default 30 s). */
  backgroundMs?: number | undefined;
  /** The wait function of the poll options (`poll.delay`), if any: answered as the watch's `wait`. */
  wait?: DelayFunction | undefined;
  /** Told, as a line, of each try that will be made again (each `retrying` event): the client's logger's `debug`. */
  log?: ((message: string) => void) | undefined;
}

/**
 * A job-watching step machine, free of HTTP and of time: its owner does the waiting, the status reads and the
 * download, and tells the watch what came of them; each call answers with the events to emit and what to do next.
 * `@decart/core`'s own async iterables (`queue.watch`, `queue.submitAndWatch`) drive it with timers and `fetch`; a
 * view layer may drive it on its own scheduler (see `queue.createWatch`).
 */
export interface JobWatch {
  /** Starts the watch: with `first`, `submitted` and the first status; then the first thing to do. */
  start(): JobWatchStep;
  /**
   * A status read answered (a body that is not a job status is handled as a failed read). The body is read as a copy,
   * never changed (a frozen one too); a field of it whose getter throws is left out.
   */
  status(read: StatusRead): JobWatchStep;
  /**
   * A status read or the download failed: the client's retry policy says when to try again (no later than the
   * deadline), with a `retrying` event when that try comes before the deadline, or the watch ends with a typed error
   * carrying the job id (a `JobTimeoutError` when only the deadline stopped a retry; downloads past `maxRetries`' bound,
   * the last one's error, of its class, saying that the result stays on the server).
   */
  error(error: unknown): JobWatchStep;
  /** The download received bytes: the `downloading` event to emit. */
  progress(progress: DownloadProgress): JobEvent[];
  /** The download finished: `completed` with `data`, and done. */
  downloaded(data: Blob): JobWatchStep;
  /**
   * The end of the watch's budget on `now`'s clock: read it as each read or download goes, and pass it on to it
   * (`readStatus`'s, `download`'s) so none outlasts it. Once, past it, for a read that was due before it (a page frozen, a
   * machine asleep meanwhile, a timer late): the end of that read's own short window (30 s, or the budget if shorter),
   * so that a job that ended meanwhile is seen so rather than a `JobTimeoutError` with no read made; and, when that read
   * says `completed`, a window as long again for the download (each one attempt: a failure ends the watch).
   */
  readonly deadline: number;
  /**
   * The budget's length in ms (`timeoutMs`; `undefined` for a `deadline` given without it): pass it on with `deadline`
   * (`readStatus`'s, `download`'s `budgetMs`) so that a read the deadline cuts names it, as the watch's timeout does;
   * read after `deadline`, in a late read's window (see there), that window's length. Optional: a watch of your own may
   * leave it out.
   */
  readonly budgetMs?: number | undefined;
  /**
   * The wait function of the poll options (the call's `poll.delay` over the client's), when one is given: its driver
   * waits with it (`wait(ms, signal)`), as the core's own watches do, else on its own timers.
   */
  readonly wait?: DelayFunction | undefined;
  /**
   * Into (`true`) or out of the background, e.g. a hidden page: meanwhile status reads are at least `backgroundMs`
   * apart (slower, never stopped; the deadline holds). Answers the wait that replaces the one for the next read, from
   * now, when one is being waited for (a read in flight is not: its answer's next wait is paced anew).
   */
  background(on: boolean): { read: number } | undefined;
  /**
   * Read now (e.g. the page became visible again): answers the wait that replaces the one for the next read, from now
   * (0, or what is left of a retry's backoff), when one is being waited for.
   */
  wake(): { read: number } | undefined;
}

/**
 * The longest job or file id the client takes, one it can send back in a path: the spec's `maxLength` of the `job_id`
 * and `file_id` path parameters (`maxIdLength` of @decart/api, 256 characters; the spec gives them no pattern).
 */
export const MAX_ID_LENGTH = maxIdLength;

/**
 * True for an id the client takes and can send back in a path (`/v1/jobs/{job_id}`, `/v1/files/{file_id}`): a string
 * of 1 to `MAX_ID_LENGTH` characters, counted as the spec's `maxLength` counts them (code points, as JSON Schema does:
 * an emoji is one), without a lone surrogate (half of an emoji: no URL can carry it, `encodeURIComponent` throws), that
 * is not `.` or `..`, which a URL's path resolves away (`/v1/jobs/..` is `/v1/`, another endpoint). Other characters
 * are sent percent-encoded (`%2e` as `%252e`).
 */
export const isUsableId = (id: unknown): id is string =>
  typeof id === "string" && !/^\.?\.?$|\p{Cs}/u.test(id) && [...id].length <= MAX_ID_LENGTH;

/**
 * An answer as `schema` describes it, whose id (its field `key`) is one the client can send back (see `isUsableId`: one
 * that cannot is as good as none), and is `id` when one was asked for: what is wrong with `body`, or nothing.
 */
export const checkAnswer = (schema: Schema, key: string, body: any, id?: string): string | undefined =>
  breaks(schema)(body) ??
  (!isUsableId(body[key]) || (id && id !== body[key]) ? `no ${key}${id ? ` ${id}` : ""}` : undefined);

/**
 * `value` as JSON text; one that JSON cannot write (an answer of your own holding a BigInt, a cycle, a getter that
 * throws; a function, a Symbol, a `toJSON` answering `undefined`), a short description of it instead of a throw.
 */
const jsonOf = (value: unknown) => {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {}
  return text ?? "(not JSON-writable)";
};

/**
 * A job's status as the spec describes it, of job `jobId` when given: what is wrong with `body`, or nothing. A `job_id`
 * that cannot be sent back (see `isUsableId`) is as good as none, and its `status` is one of the spec's. Its other
 * fields only inform (`model`, the timestamps the client learns durations from, an `error` of a job not failed): one
 * of another type than
 * the spec's (`created_at` as a number, `model` as an object) is dropped from `body`, not learnt from, not fatal. A
 * failed job's `error` that is no string (`{ code, message }`) is set in `body` to its `message` (else `detail`) when
 * that is text, else to its JSON (one JSON cannot write, a BigInt, a cycle or a function, described in a few words), cut to 200
 * characters. It changes `body` (a copy of the answer, see `copyOf`): the client's own reads; `checkJob` is yours.
 * @internal
 */
export const fixJob = (body: any, jobId?: string): string | undefined => {
  // A job id as a number (against the spec's string), a safe integer: read as its text, the id it names (see `idOf`).
  if (Number.isSafeInteger(body?.job_id)) body.job_id = idOf(body.job_id);
  // A failed job's reason given as an object (`{ code, message }`): its `message` (else `detail`) when it is text, else
  // its JSON; cut to 200 characters, within a word (a string value of the JSON too) but never keeping in part a run of
  // the characters a key's forms are written with (the key is redacted once whole, after).
  const reason = body?.status === "failed" ? body.error : "";
  if (reason != null && typeof reason !== "string") {
    let text: unknown;
    // (A getter of your own that throws: the JSON then.)
    try {
      text = reason.message ?? reason.detail;
    } catch {}
    body.error = typeof text === "string" ? text : jsonOf(reason);
    // (One word of more: its length alone.)
    if (body.error[200])
      body.error = body.error.slice(0, 200).replace(/\s*[\w%+/=.-]*$/, "") || `${body.error.length} characters`;
  }
  const { properties } = responseSchemas.JobStatusResponse as Schema & { properties: Record<string, Schema> };
  for (const key in properties)
    if (
      !/^(job_id|status)$/.test(key) &&
      !(key === "error" && body?.status === "failed") &&
      body?.[key] != null &&
      breaks(properties[key]!)(body[key])
    )
      delete body[key];
  return checkAnswer(responseSchemas.JobStatusResponse, "job_id", body, jobId);
};

/**
 * `body` copied (see `copyOf`) and checked (see `fixJob`): the copy and what is wrong with it, `not a value that can
 * be read` for one that cannot be (its fields cannot be listed, one of the spec's throws when read; the copy then
 * `{}`). `checkJob`'s check, with what it checked: a view layer follows the copy's `job_id` (a safe integer read as its
 * text), not the answer's read again, which a getter may answer otherwise.
 */
export const readJob = (body: unknown, jobId?: string): [any, string | undefined] => {
  try {
    body = copyOf(body);
  } catch {
    return [{}, "not a value that can be read"];
  }
  return [body, fixJob(body, jobId)];
};

/**
 * A job's status as the spec describes it, of job `jobId` when given (a watch's `first`, a status read of your own):
 * what is wrong with `body`, or nothing. `body` is read, never changed (a frozen one too): what is checked is a copy
 * of it, read as the client reads an answer (a `job_id` given as a safe integer as its text, a field of another type
 * than the spec's left out, a field not in the spec whose getter throws too). The spec's fields of a job status are
 * read however they are given: own or inherited (a class instance's getters), enumerable or not. One that cannot be
 * read (its fields cannot be listed, or one of the spec's throws when read: a getter, a Proxy's trap, a revoked Proxy)
 * is `not a value that can be read`, as `createWatch` refuses it as its `first`.
 */
export const checkJob = (body: unknown, jobId?: string): string | undefined => readJob(body, jobId)[1];

/**
 * A job's id as an answer gives it: a safe integer (`12345`, against the spec's string) as its text, so that an error
 * can carry it; anything else as it is.
 */
export const idOf = (id: unknown) => (Number.isSafeInteger(id) ? String(id) : id);

/**
 * The errors of a job's answer that names the job (its usable `job_id`, the one asked for) but breaks the spec
 * otherwise (a status the API added since, `"queued"`, `"cancelled"`), and of a result in a video type the spec does
 * not list (`video/webm`, its `cause` the answer's Content-Type): not retryable (the same read answers it again),
 * its `cause` the answer's JSON text (the key redacted over HTTP; on a watch driven by reads of your own, the text as
 * you gave it, the engine holding no key; one JSON cannot write, a BigInt or a cycle, described in a few words); a
 * watch reads it again a few times all the same, as any answer that breaks the spec.
 */
export const unreadable = new WeakSet<object>();

/**
 * What a message adds for a job's answer that `unreadable` holds (`body` names the job, `jobId` when given, by a usable
 * id or a safe integer, see `idOf`, and its `status` is text the spec does not list): this version cannot read it, and
 * upgrading is the remedy. Else nothing: an answer without a status (`{"job_id":"j1"}`, `"status": null`) is a garbled
 * one, transient, read again.
 */
export const unknownTo = (body: any, jobId?: string, id = idOf(body?.job_id)) =>
  typeof body?.status === "string" && isUsableId(id) && (!jobId || id === jobId) ? NEWER : "";

/**
 * How a message ends for an answer this version cannot read (a job's status the spec does not list, a result in a
 * video type it does not list): upgrading is the remedy.
 */
export const NEWER = `: an answer @decart/core ${VERSION} does not know (upgrade it)`;

/** Creates the step machine that watches one job (see `JobWatch`). */
export function createJobWatch(init: JobWatchInit): JobWatch {
  const { jobId, first, schedule, durations, wait, timeoutMs = DEFAULT_WAIT_MS, backgroundMs = 30_000 } = init;
  // The clocks may be the caller's (`poll.now`): one that throws ends the watch with `CALLBACK_ERROR` and the job id.
  const now = guard(init.now, jobId);
  const clock = guard(init.clock ?? init.now, jobId);
  const began = now();
  const deadline = init.deadline ?? began + timeoutMs;
  let model = canonicalModel(init.model);
  let last: JobStatusResponse | undefined;
  // The job's start on `clock`: known from `first`, or from `created_at` once read; else when watching began.
  let origin = 0;
  let originKnown: unknown = first;
  // When the previous read happened (ms after origin): a job seen completed finished between the two reads.
  let previousRead = 0;
  let hintMs: number | undefined;
  let reads = 0;
  let failures = 0;
  let invalid = 0;
  // The bytes of the download under way, its size (`totalBytes`), the bytes failed downloads brought, and how many.
  let got = 0;
  let size: number | undefined;
  let lost = 0;
  let cuts = 0;
  let ended: unknown;
  let hidden: unknown;
  // The last failed request since the last status read: the cause of a timeout at the deadline (the read at the
  // deadline, which has no time left, is none: a job that is only slow times out without a cause).
  let cut: DecartError | undefined;
  // When the next read is due (on `now`): one due a second or more before the deadline (half the budget or more, for
  // a budget under two seconds) that fails at it (a read that hung until the budget cut it) is the timeout's cause; one
  // due later (a read of a job only slow, still on its way at the deadline, or the read with no time left) is none.
  let dueAt = 0;
  // The wait for the next read: since when (on `now`), what it wants, the least it must be (a retry's backoff), and
  // whether it was woken.
  let pending: { at: number; ms: number; least: number; woken?: boolean | undefined } | undefined;
  // The end of the last try's window (see `JobWatch.deadline`), once the deadline was found passed at a read due
  // before it; 0 until then.
  let late = 0;
  // That window's length: 30 s, or the budget if shorter.
  const span = Math.min(deadline - began, 3e4);
  const lateFor = () => now() + span;

  // 30 s for a model the catalogue does not know, or none (undefined is no model name).
  const catalogueMs = () => (isModelName(model) ? catalogue[model].typicalJobSeconds : 30) * 1000;
  const step = (events: JobEvent[], next: JobWatchNext): JobWatchStep => {
    ended = "done" in next || "error" in next;
    if (!("read" in next)) pending = undefined;
    return { events, next };
  };
  /** The pending read's wait from now: as wanted (in the background, at least `backgroundMs`), within the deadline. */
  const due = (): { read: number } | undefined =>
    pending && {
      read: Math.max(
        0,
        // biome-ignore lint/suspicious/noAssignInExpressions: kept for `error`
        (dueAt = Math.min(
          pending.at + (pending.woken ? pending.least : hidden ? Math.max(pending.ms, backgroundMs) : pending.ms),
          deadline,
        )) - now(),
      ),
    };
  /** Waits `ms` (at least `least`) for the next read; `woken`, not slowed in the background. */
  const readIn = (events: JobEvent[], ms: number, least: number, woken?: boolean): JobWatchStep => {
    pending = { at: now(), ms, least, woken };
    return step(events, due()!);
  };
  // The budget asked: `timeoutMs`, or a `deadline` given without it.
  const budgetMs = init.deadline != null && init.timeoutMs == null ? undefined : timeoutMs;
  const timedOut = (cause?: DecartError, waited?: number) =>
    jobTimedOut(jobId, cause, last?.status, budgetMs ? `${budgetMs} ms` : "its deadline", waited);

  /** The next status read, by the schedule, no later than the deadline. */
  const read = (events: JobEvent[]): JobWatchStep => {
    if (now() >= deadline) return step(events, { error: timedOut() });
    // Read afresh before each wait: what other watches of this model learnt meanwhile counts at once.
    const typicalMs = (model && durations?.typicalMs(model, catalogueMs())) || catalogueMs();
    const spread = model ? durations?.spread(model) : undefined;
    let ms = 0;
    // The schedule may be the caller's: one that throws, or answers anything but a number of ms ≥ 0 (NaN, -1,
    // Infinity, "100"), ends the watch with `CALLBACK_ERROR` naming it, rather than reading as fast as answers come.
    if (last) {
      const elapsedMs = clock() - origin;
      try {
        ms = schedule({ attempt: reads, elapsedMs, status: last.status, typicalMs, hintMs, spread });
        if (!(Number.isFinite(ms) && ms >= 0)) throw `answered ${ms as unknown as string}`;
      } catch (cause) {
        // (The client's `random`, the default schedule's jitter, that failed: named as itself, as in a retry's wait,
        // and as this job's. Any other throw, a `CALLBACK_ERROR` of yours or one kept from another job too, is the
        // schedule's.)
        const own = randomFailed.has(cause as object);
        return step(events, {
          error: callbackThrew(
            jobId,
            own ? (cause as DecartError).cause : cause,
            own ? undefined : "poll.schedule failed",
          ),
        });
      }
    }
    return readIn(events, ms, 0, !last); // the first read is never slowed
  };

  /** A valid status: its event if it changed (or reads failed since the last), then the end or the next read. */
  const apply = (job: JobStatusResponse, events: JobEvent[]): JobWatchStep => {
    // A status never goes back: `pending` after `processing` (a replica behind the others) is read as `processing`.
    if (job.status === "pending" && last?.status === "processing") job = last;
    const changed = failures || job.status !== last?.status;
    failures = invalid = 0;
    cut = undefined;
    last = job;
    if (job.status === "failed")
      return end([...events, { type: "failed", jobId, job, error: job.error || "Job failed" }]);
    // (The download after a read made past the deadline: a window of its own.)
    if (job.status === "completed") {
      if (late) late = lateFor();
      return init.download === false
        ? end([...events, { type: "completed", jobId, job }])
        : // The download's first event: 0 bytes, its size (`totalBytes`) not known yet.
          step([...events, ...watch.progress({ receivedBytes: 0 } as DownloadProgress)], { download: 0 });
    }
    if (changed) events.push({ type: "status", jobId, status: job.status, job });
    return read(events);
  };

  /** The last events: the watch is done. */
  const end = (events: JobEvent[]) => step(events, { done: true });

  const watch: JobWatch = {
    start() {
      const events: JobEvent[] = first ? [{ type: "submitted", jobId, model }] : [];
      // A clock that throws (`CALLBACK_ERROR`) ends the watch after `submitted`, rather than throwing out of the watch
      // and losing the job.
      try {
        origin = clock();
        return first ? apply(first, events) : read(events);
      } catch (error) {
        return step(events, { error: error as DecartError });
      }
    },

    // (The body as received, copied: a job status once checked.)
    status({ job: answer, hintMs: hint, date }: StatusRead & { job: JobStatusResponse }) {
      if (ended) return end([]);
      // An answer that breaks the spec (or cannot be read) is a failed read, for the retry policy to judge.
      const [current, problem] = readJob(answer, jobId);
      if (problem) {
        const newer = unknownTo(current, jobId);
        const error = new InvalidResponseError(`Job ${shown(jobId)}: ${problem}${newer}`, {
          retryable: !newer,
          jobId,
          // (Its JSON text, as over HTTP: a value that a log or a structured clone takes as it is.)
          ...(newer && { cause: jsonOf(current) }),
        });
        if (newer) unreadable.add(error);
        return watch.error(error);
      }
      reads++;
      hintMs = hint;
      model ||= canonicalModel(current.model);
      if (!originKnown && current.created_at) {
        // The job's age by the server's clock: `created_at` is the server's, and so is the answer's `Date` (to the
        // second, taken as its middle). Without a readable `Date`, by the local clock. A client clock set hours wrong
        // does not make a fresh job look hours old; an age under 0 (a job younger than the `Date`'s precision) or past
        // the server's job timeout (`MAX_JOB_MS`: a `Date` or `created_at` off by 15 minutes or more, which would make
        // a fresh job look old and read every 10 s) is not believed: the job counts from when the watch began.
        const age = (date! + 500 || Date.now()) - Date.parse(current.created_at);
        if (age >= 0 && age < MAX_JOB_MS) origin = clock() - age;
        originKnown = 1;
      }
      const readAt = clock() - origin;
      // The server's timestamps give the duration of any completed job (one already done when first read, too);
      // without them, the middle of the last two reads when the job was seen unfinished before. A job this watch
      // submitted took no longer than the watch has seen, whatever the timestamps say (one bad pair would otherwise
      // teach the model hours).
      if (current.status === "completed" && model) {
        const took = completedDurationMs(current) ?? (last && originKnown ? (previousRead + readAt) / 2 : 0);
        durations?.observe(model, catalogueMs(), first ? Math.min(took, readAt) : took);
      }
      previousRead = readAt;
      return apply(current, []);
    },

    error(e) {
      if (ended) return end([]);
      const error = asDecartError(e, jobId);
      // The policy says whether and when (answers that break the spec only a few times in a row); the deadline alone
      // turns a retry it allows into a timeout. A 404 or 409 on the content right after a `completed` status (a
      // deployment's content may lag its status a moment), or on a status read of a job this watch submitted before
      // one answered (a replica that has not seen it yet: the job was made), is tried again as such an answer is, then
      // surfaces as it is. A token route's 404 (`TOKEN_ERROR`, the route's status) is no answer of the API's.
      const lag =
        (last?.status === "completed" || (first && !reads)) &&
        /^40[49]$/.test(error.status as never) &&
        error.code !== "TOKEN_ERROR";
      if (lag || error instanceof InvalidResponseError) invalid++;
      // A status read is tried until the deadline (the job's outcome is unknown until one answers), and so is a
      // download, until failed downloads brought more than `maxRetries + 1` results' worth of bytes (by its
      // `Content-Length`), or more than 4 × (`maxRetries + 1`) of them brought bytes or were cut short (a length absent
      // or false; `TRUNCATED` with none handed on: Bun's fetch hands on nothing of a body cut short) (`spent`): a
      // result cut short each time is not fetched again and again until the budget runs out, while one cut now and
      // then, or failures that bring nothing (a 503, a refused connection), are retried as long as the budget lasts.
      if (got || error.code === "TRUNCATED") cuts++;
      lost += got;
      got = 0;
      const tries = init.maxRetries! + 1;
      const spent = lost > tries * size! || cuts > 4 * tries;
      let wait: number | undefined;
      try {
        wait = retryDelay(lag || unreadable.has(error) ? { ...error, retryable: true } : error, failures++, {
          invalid,
          random: init.random && guard(init.random, jobId, "random", 1),
          maxRetries: spent ? 0 : undefined,
        });
      } catch (e) {
        // The client's `random` threw (or answered no number, or one outside [0, 1)): the watch ends with that
        // `CALLBACK_ERROR`, the job's. (The client's own `random`, held so already, threw its `CALLBACK_ERROR`: taken
        // as it is, not written again around it.)
        const { cause } = e as DecartError;
        return step([], {
          error: asDecartError((cause as DecartError)?.code === "CALLBACK_ERROR" ? cause : e, jobId),
        });
      }
      // Downloads ended so: the download's error, of its class and fields, saying what is left: the job is done, its
      // result on the server. (A 404 or 409 that ends it names the job, as `queue.status`'s does.) A 401 or 403 of the
      // API (the key revoked, a token expired) after the job was seen says that it exists, and how to follow it: with a
      // valid key (a client whose `token` source can give one again may watch it again, see `canWatchAgain`). So does
      // the token source's refusal (`TOKEN_ERROR`, its 401 or 403).
      if (wait === undefined && !spent && last && /^40[13]$/.test(error.status as never))
        error.message = `Job ${shown(jobId)} ${last.status === "completed" ? "completed; its result not downloaded" : "exists and goes on (it bills)"}: ${error.message}; follow it with queue.wait(jobId) ${renewable.has(error) || error.code === "TOKEN_ERROR" ? "once the token source gives a valid key" : "from a client with a valid key"}`;
      if (wait === undefined)
        return step([], {
          error: spent
            ? new (error.constructor as typeof DecartError)(
                `Job ${shown(jobId)} completed; its result not downloaded (queue.result or saveResult fetches it again): ${error.message}`,
                { ...error, cause: error },
              )
            : aboutJob(jobId, error),
        });
      // The budget is waited out, not given up early: a retry whose wait ends past the deadline is tried at it (a read
      // or download then has no time, and fails at once), and the watch ends there, the failure that began it the cause.
      // (A read or download made past it, in its own window, is tried once: its failure is the cause.)
      if (now() >= deadline)
        return step([], {
          error: timedOut(
            late ? error : (cut ?? (dueAt < deadline - Math.min(1e3, (deadline - began) / 2) ? error : undefined)),
          ),
        });
      cut = error;
      // A server's `Retry-After` as long as what is left or longer (also one beyond the 60 s honoured): no try can come within
      // the budget, and the watch ends at once, this failure the cause, as a plain call fails at once.
      // Its message says so: the budget did not run out.
      const { retryAfterMs } = error as RateLimitError;
      // (A job seen completed keeps saying so: its result not downloaded, to fetch again.)
      if (retryAfterMs! >= deadline - now()) return step([], { error: timedOut(cut, retryAfterMs) });
      const next =
        last?.status === "completed"
          ? step([], { download: Math.min(wait, deadline - now()) })
          : readIn([], wait, wait);
      const delayMs = (next.next as { read: number }).read ?? (next.next as { download: number }).download;
      // Said only of a try that will be made: its wait as `next` gives it (a status read's in the background, at least
      // `backgroundMs`), ending before the deadline. A wait the deadline cuts says nothing: the try at the deadline is
      // never sent, and the watch ends there with `JobTimeoutError` (in the background, `wake()` may still bring it
      // forward; its answer says the rest).
      if (delayMs < deadline - now()) {
        // (A download to start again is back at 0, its size the cut answer's: before `retrying`, which a view shows
        // until an event after it.)
        next.events = [
          ...(last?.status === "completed" ? watch.progress({ receivedBytes: 0, totalBytes: size }) : []),
          { type: "retrying", jobId, error, attempt: failures, delayMs },
        ];
        init.log?.(`Job ${shown(jobId)}: ${error.message}; retry ${failures} in ${Math.round(delayMs)} ms`);
      }
      return next;
    },

    progress({ receivedBytes, totalBytes }) {
      got = receivedBytes;
      size = totalBytes;
      return ended ? [] : [{ type: "downloading", jobId, job: last!, receivedBytes, totalBytes }];
    },

    downloaded: (data) => end(ended ? [] : [{ type: "completed", jobId, job: last!, data }]),

    get deadline() {
      // A read due before the deadline that goes past it (see `JobWatch.deadline`): once, a window of its own.
      if (!late && pending && dueAt < deadline && now() >= deadline) late = lateFor();
      return late || deadline;
    },
    // (Past it, the window's: what a read or download it cuts ran out of.)
    get budgetMs() {
      return late ? span : budgetMs;
    },
    wait,

    background(on) {
      hidden = on;
      return due();
    },

    wake() {
      if (pending) pending.woken = true;
      return due();
    },
  };
  return watch;
}
