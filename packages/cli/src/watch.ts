import { setTimeout as sleep } from "node:timers/promises";
import { isVideoModelName } from "@decart/api";
import {
  AbortError,
  aborted,
  canonicalModel,
  createJobWatch,
  type DecartClient,
  type JobEvent,
  NotFoundError,
  type UploadBody,
  type UploadProgress,
  type VideoModel,
} from "@decart/core";
import { DEFAULT_WAIT_MS, mayHaveTaken } from "@decart/core/node";
import { now } from "./clock.js";
import { requestIdOf } from "./codes.js";
import { onRequestStart } from "./config.js";
import { SUBMITS_AGAIN } from "./errors.js";
import { CliError, EXIT } from "./exit.js";
import { jobIdProblem, shown } from "./job-id.js";
import { holdsSecret } from "./secrets.js";

export type { JobEvent };

export interface WatchOptions {
  /** The job's model, if known: it sets the expected duration that drives the client's poll schedule. */
  model?: VideoModel | string | undefined;
  /** Stops watching (never the job). */
  signal: AbortSignal;
  timeoutMs?: number | undefined;
  /** Given the end of the `timeoutMs` budget when the watch starts (see `Budget`). */
  budget?: Budget | undefined;
}

/**
 * The end of a `--timeout` budget on the client's clock (`Date.now`, as the watch's), set when the job's watch starts:
 * the download of its result keeps to it too (`follow` passes it to `saveResult`), so that `--timeout` bounds the wait
 * and the download. None without `--timeout`.
 */
export interface Budget {
  deadline?: number | undefined;
  /**
   * The end of the watch's budget, with `--timeout` or without (the client's default, `DEFAULT_WAIT_MS`), set when it
   * starts: a wait that the client ended before it was ended by a `Retry-After` beyond it (see `askedToWait`).
   */
  ends?: number | undefined;
}

/**
 * The name a job's model (or an image's) is told and journaled by: the model that runs for an alias (`lucy-latest` runs
 * `lucy-2.1`, `lucy-image-latest` runs `lucy-image-2`), as the client's own events name it; the request still goes to
 * the model as given.
 */
export const jobModel = (model: { name: string }): string => canonicalModel(model.name);

/** The model option of a watch, when it is a video model the catalogue knows (an image model's name is dropped, not refused). */
const modelOption = (model: VideoModel | string | undefined) =>
  typeof model === "string" ? (isVideoModelName(model) ? { model } : {}) : model ? { model } : {};

/**
 * A job's events until it ends, from the client's engine (`queue.watch`), without the download: the CLI streams the
 * result to disk itself (`downloadResult`). `again`: the end of an earlier watch's budget, which a watch of the job
 * started again keeps (see `watchSubmitted`).
 */
export function watchJob(
  client: DecartClient,
  jobId: string,
  options: WatchOptions,
  again?: number,
): AsyncIterable<JobEvent> {
  const { timeoutMs } = options;
  const ends = again ?? now() + (timeoutMs ?? DEFAULT_WAIT_MS);
  if (options.budget) {
    options.budget.ends = ends;
    if (timeoutMs !== undefined) options.budget.deadline = ends;
  }
  return client.queue.watch(jobId, {
    ...modelOption(options.model),
    signal: options.signal,
    download: false,
    // Started again (`again`: the end of the first watch's budget), what is left of it, 1 ms at least (a watch started
    // at its end times out at once).
    ...(again !== undefined ? { timeoutMs: Math.max(again - now(), 1) } : timeoutMs !== undefined && { timeoutMs }),
  });
}

/**
 * The watch of a job this run just submitted: a 404 on its status reads before one of them answered is a replica that
 * has not seen the job yet (its id came back: it was made), not "no such job". As the client's own watch of a job it
 * submitted decides (its engine, `createJobWatch`, given the submit), the job is watched again after the backoff, at
 * most 3 times in a row, within the budget, each try a `retrying` event; then the 404 ends it as it is (or the
 * budget's `JobTimeoutError`). A watch of a job id given to the CLI (`jobs wait`, a batch's `--resume`) takes a 404 as
 * no such job.
 */
async function* watchSubmitted(client: DecartClient, jobId: string, options: WatchOptions): AsyncGenerator<JobEvent> {
  const { signal, timeoutMs = DEFAULT_WAIT_MS } = options;
  const deadline = now() + timeoutMs;
  const engine = createJobWatch({
    jobId,
    now,
    deadline,
    timeoutMs,
    schedule: () => 0,
    first: { job_id: jobId, status: "pending" },
  });
  engine.start();
  for (let again = false; ; again = true) {
    let answered = false;
    try {
      for await (const event of watchJob(client, jobId, options, again ? deadline : undefined)) {
        answered ||= event.type !== "retrying";
        yield event;
      }
      return;
    } catch (error) {
      if (answered || signal.aborted || !NotFoundError.isInstance(error)) throw error;
      const { events, next } = engine.error(error);
      if (!("read" in next)) throw "error" in next ? next.error : error;
      yield* events;
      await sleep(next.read, undefined, { signal }).catch(() => {
        throw aborted(jobId);
      });
    }
  }
}

export interface SubmitOptions {
  /** Stops watching; stops the submit too unless `abortSubmit` is `false`. */
  signal: AbortSignal;
  onUploadProgress?: ((progress: UploadProgress) => void) | undefined;
  /**
   * `false`: while its request, sent whole, awaits its answer, the submit is not stopped by `signal` (the server may
   * have made, and billed, the job already: its id would be lost), it is let finish (for `graceMs` at most) so that the
   * id reaches the journal; the job is then watched on its own. Otherwise (before its request started, while its body
   * is sent, while it waits to try again after a 429 or 503), `signal` stops it at once: nothing was made (see
   * `letFinish`). A batch, `video` and `jobs submit` pass it (see `interruptible` for the second Ctrl-C, which exits at
   * once). Default `true`.
   */
  abortSubmit?: boolean;
  /** Called once when `signal` aborts while the submit (not stopped by it) is still waiting for its answer. */
  onHeld?: (() => void) | undefined;
  /**
   * Stops the submit (its request and the client's retries) whatever `abortSubmit` says: `--timeout` of `jobs submit`,
   * whose message then says whether a job may have been made (see `runSubmit`).
   */
  limit?: AbortSignal | undefined;
  /** With `abortSubmit: false`: how long a signal lets the submit's answer come at most (see `letFinish`). */
  graceMs?: number | undefined;
}

/**
 * A job id the server answered, held to the rule of a job id argument (`jobIdProblem`), and holding no key the process
 * knows. One the rule refuses (`../x`, one holding a space, a quote or a control character) would be journaled and
 * printed in commands (`decart jobs wait ../x`) that the CLI then refuses, or, holding a lone surrogate that no text
 * can carry, in commands that read another job (`job_�`); one holding the key would be `***` wherever the CLI writes
 * it (see secrets.ts). Refused here
 * instead, before it is journaled or watched, as the client refuses a submit answer without a usable `job_id`: exit 1
 * (the server's failure), code `INVALID_RESPONSE`, the id JSON-quoted. Whole: the client refuses an id over
 * MAX_ID_LENGTH (256) code points itself, so `shown` never cuts one here. The error carries the answer's request id
 * (`requestId`, its `x-request-id`), what support finds the answer by, so that the error event, a batch's reports and
 * the journal's record of the submit name it.
 */
function checkServerJobId(jobId: string, requestId?: string): string {
  const problem = holdsSecret(jobId)
    ? "it holds the API key, which the CLI never writes: *** here"
    : jobIdProblem(jobId);
  if (problem === undefined) return jobId;
  throw new CliError(
    `The server answered the submit with a job id the CLI cannot take, ${shown(jobId)} (${problem}): no ` +
      "command of the CLI could read that job back, so it is neither journaled nor watched. The job may have been " +
      `made (and billed): give support that id. ${SUBMITS_AGAIN}`,
    EXIT.error,
    undefined,
    true,
    "INVALID_RESPONSE",
    requestId || undefined,
  );
}

/**
 * The job a submit's error says the server made, when it names one: the client's `INVALID_RESPONSE` for an answer that
 * names a usable `job_id` yet breaks the spec otherwise (its connection failing once it came whole too), a
 * `CALLBACK_ERROR` of an `onUploadProgress` that threw once the answer came. Its id is held to the CLI's rule (see
 * `checkServerJobId`, which throws for one the CLI cannot take); undefined when the error names no job.
 */
export function madeJob(error: unknown): string | undefined {
  const id = (error as { jobId?: unknown } | null | undefined)?.jobId;
  return typeof id === "string" && id ? checkServerJobId(id, requestIdOf(error)) : undefined;
}

/**
 * Submits a video job, and answers its id (one the CLI can take: see `checkServerJobId`). Stopped by `signal` while
 * its request is not at the API (`abortSubmit: false` too: see `letFinish`), it rejects with the client's
 * `AbortError`, whose `stopOf` says why.
 */
export async function submitJob(
  client: DecartClient,
  inputs: Record<string, unknown> & { model: VideoModel },
  options: SubmitOptions,
): Promise<string> {
  const { signal, onUploadProgress, onHeld, limit, graceMs } = options;
  const submit = (stop: AbortSignal) =>
    client.queue.submit({
      ...inputs,
      ...(onUploadProgress && { onUploadProgress }),
      signal: limit ? AbortSignal.any([stop, limit]) : stop,
    } as never);
  // The request id of the answer the submit resolved with (the last one told), for an id the CLI refuses.
  let requestId: string | undefined;
  const answer = await (options.abortSubmit === false
    ? letFinish(signal, onHeld, submit, graceMs, (id) => {
        requestId = id;
      })
    : submit(signal));
  return checkServerJobId(answer.job_id, requestId);
}

/**
 * Why `letFinish` stopped its request when a signal came (see `stopOf`): `unsent`, no try of it had started (a file
 * input given as a URL downloaded, a wait at the rate-limit gate); `refused`, it waited to try again after an answer
 * that says the server did not act on it (a 429 or 503 above all, with its `status`; a redirect's, 307 …, said so);
 * `cut`, its body had not been sent whole (an upload under way, or a try that failed so) and no answer had come: the
 * server has not acknowledged it. Nothing was made then. `unanswered`: the `graceMs` after the signal ran out while the
 * request, sent whole, awaited its answer: the server may have made it (its answer's `status` and `requestId`, if its
 * headers came).
 */
export type Stop =
  | { kind: "unsent" | "cut" }
  | { kind: "refused"; status: number }
  | { kind: "unanswered"; graceMs: number; status?: number | undefined; requestId?: string | undefined };

/** The `Stop` of each `AbortError` that `letFinish` stopped its request with. */
const stops = new WeakMap<object, Stop>();

/** Why `letFinish` stopped the request that failed with `error` (undefined: it did not). */
export const stopOf = (error: unknown): Stop | undefined =>
  error !== null && typeof error === "object" ? stops.get(error) : undefined;

/**
 * Runs `request` (a submit, an image: made, and billed, once its request reaches the API), which `signal` stops
 * (through the signal `request` is given) only while nothing of it may be at the server (see `onRequestStart`):
 * before its request starts, while that request's body is not sent whole, and while it waits to try again after an
 * answer that says the server did not act on it (a 429 or 503). A signal then stops it at once, and it rejects with the
 * client's `AbortError`, whose `stopOf` says which (nothing was made). A signal while the request, sent whole, awaits
 * its answer lets it finish, so that its answer (a job id, an image) is not lost, and calls `onHeld` once; with
 * `graceMs`, for that long at most: the request is stopped then (`stopOf`: `unanswered`, the server may have made it).
 * An answer that says the server did not act on it ends that wait too: it is not tried again. `onAnswer` is told the
 * request id (`x-request-id`), HTTP status and media type (`Content-Type`) of each try's answer as its headers come:
 * the last one told is the answer's that `request` resolved with, which its value (an image's bytes) does not carry.
 */
export async function letFinish<T>(
  signal: AbortSignal,
  onHeld: (() => void) | undefined,
  request: (stop: AbortSignal) => Promise<T>,
  graceMs?: number,
  onAnswer?: (requestId: string | undefined, status: number, contentType: string | undefined) => void,
): Promise<T> {
  const stop = new AbortController();
  let stopped: Stop | undefined;
  const end = (why: Stop) => {
    if (stopped) return;
    stopped = why;
    stop.abort(signal.reason);
  };
  // The try under way (its body), else how the last one ended (nothing of it at the server).
  let body: UploadBody | undefined;
  // Whether an answer of the try under way said the server may have taken it (a 2xx, or a 303 before its body was sent
  // whole, whose redirect is read next): its body, sent whole or not, is then no longer what tells.
  let taken = false;
  let status: number | undefined;
  let requestId: string | undefined;
  let between: Stop = { kind: "unsent" };
  // The wait for the answer that a signal started (`graceMs`): on the clock of `AbortSignal.timeout`.
  let grace: AbortSignal | undefined;
  const onGrace = () => end({ kind: "unanswered", graceMs: graceMs!, status, requestId });
  const onAbort = () => {
    if (!body) return end(between);
    if (body.bodySent !== true && !taken) return end({ kind: "cut" });
    onHeld?.();
    if (graceMs === undefined) return;
    grace = AbortSignal.timeout(graceMs);
    grace.addEventListener("abort", onGrace, { once: true });
  };
  const settled = (made: boolean, status?: number) => {
    taken = made;
    if (made) return;
    body = undefined;
    between = status === undefined ? { kind: "cut" } : { kind: "refused", status };
    if (signal.aborted) end(between);
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  try {
    return await onRequestStart(
      {
        started: (sent) => {
          body = sent;
          taken = false;
          status = undefined;
          requestId = undefined;
        },
        answered: (answer, id, type) => {
          status = answer;
          requestId = id;
          onAnswer?.(id, answer, type);
          settled(mayHaveTaken(answer, body?.bodySent), answer);
        },
        failed: () => settled(mayHaveTaken(undefined, body?.bodySent)),
      },
      () => request(stop.signal),
    );
  } catch (error) {
    if (stopped && AbortError.isInstance(error)) stops.set(error as object, stopped);
    throw error;
  } finally {
    signal.removeEventListener("abort", onAbort);
    grace?.removeEventListener("abort", onGrace);
  }
}

export interface SubmitWatchOptions extends SubmitOptions, WatchOptions {}

/**
 * Submits a video job and watches it: `submitted` (with the job id) comes first, before any waiting. `timeoutMs` bounds
 * the wait only, never the submit: a submit cut short by it could leave a job that nobody recorded. A submit that
 * failed once the server had made its job (its error names it: see `madeJob`) gives `submitted` all the same, so that
 * the job is journaled and its command printed, then fails with that error.
 */
export async function* submitAndWatch(
  client: DecartClient,
  inputs: Record<string, unknown> & { model: VideoModel },
  options: SubmitWatchOptions,
): AsyncGenerator<JobEvent> {
  const { signal, timeoutMs, budget } = options;
  let jobId: string;
  try {
    jobId = await submitJob(client, inputs, options);
  } catch (error) {
    const made = madeJob(error);
    if (made === undefined) throw error;
    yield { type: "submitted", jobId: made, model: jobModel(inputs.model) };
    throw error;
  }
  yield { type: "submitted", jobId, model: jobModel(inputs.model) };
  yield* watchSubmitted(client, jobId, { model: inputs.model, signal, timeoutMs, budget });
}
