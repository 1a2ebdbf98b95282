import { isModelName, type VideoModelName } from "@decart/api";
import type { DecartClient, JobEvent, UploadProgress, VideoModel } from "@decart/core";
import { CliError, EXIT } from "./exit.js";
import { jobIdProblem, shown } from "./job-id.js";

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
}

/** The model option of a watch, when it is one the catalogue knows. */
const modelOption = (model: VideoModel | string | undefined) =>
  typeof model === "string" ? (isModelName(model) ? { model: model as VideoModelName } : {}) : model ? { model } : {};

/**
 * A job's events until it ends, from the client's engine (`queue.watch`), without the download: the CLI streams the
 * result to disk itself (`downloadResult`).
 */
export function watchJob(client: DecartClient, jobId: string, options: WatchOptions): AsyncIterable<JobEvent> {
  if (options.timeoutMs !== undefined && options.budget) options.budget.deadline = Date.now() + options.timeoutMs;
  return client.queue.watch(jobId, {
    ...modelOption(options.model),
    signal: options.signal,
    download: false,
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
  });
}

export interface SubmitOptions {
  /** Stops watching; stops the submit too unless `abortSubmit` is `false`. */
  signal: AbortSignal;
  onUploadProgress?: ((progress: UploadProgress) => void) | undefined;
  /**
   * `false`: the submit is not stopped by `signal` (the server may have made, and billed, the job already: its id would
   * be lost), it is let finish so that the id reaches the journal; the job is then watched on its own. A batch, `video`
   * and `jobs submit` pass it (see `interruptible` for the second Ctrl-C, which exits at once). Default `true`.
   */
  abortSubmit?: boolean;
  /** Called once when `signal` aborts while the submit (not stopped by it) is still waiting for its answer. */
  onHeld?: (() => void) | undefined;
  /**
   * Stops the submit (its request and the client's retries) whatever `abortSubmit` says: `--timeout` of `jobs submit`,
   * whose message then says whether a job may exist (see `runSubmit`).
   */
  limit?: AbortSignal | undefined;
}

/**
 * A job id the server answered, held to the rule of a job id argument (`jobIdProblem`): one the rule refuses (`../x`,
 * one holding a space, a quote or a control character) would be journaled and printed in commands (`decart jobs wait
 * ../x`) that the CLI then refuses. Refused here instead, before it is journaled or watched, as the client refuses a
 * submit answer without a usable `job_id`: exit 1 (the server's failure), code `INVALID_RESPONSE`, the id JSON-quoted.
 */
function checkServerJobId(jobId: string): string {
  const problem = jobIdProblem(jobId);
  if (problem === undefined) return jobId;
  throw new CliError(
    `The server answered the submit with a job id the CLI cannot take, ${shown(jobId)} (${problem}): no ` +
      "command of the CLI could read it back (decart jobs wait refuses it), so it is neither journaled nor watched. " +
      "The job may have been made (and billed): give support that id. Running the command again submits (and " +
      "bills) another one",
    EXIT.error,
    undefined,
    true,
    "INVALID_RESPONSE",
  );
}

/** Submits a video job, and answers its id (one the CLI can take: see `checkServerJobId`). */
export async function submitJob(
  client: DecartClient,
  inputs: Record<string, unknown> & { model: VideoModel },
  options: SubmitOptions,
): Promise<string> {
  const { signal, onUploadProgress, onHeld, limit } = options;
  const hold = options.abortSubmit === false;
  const stop = hold ? limit : limit ? AbortSignal.any([signal, limit]) : signal;
  const submit = () =>
    client.queue.submit({
      ...inputs,
      ...(onUploadProgress && { onUploadProgress }),
      ...(stop && { signal: stop }),
    } as never);
  return checkServerJobId((await (hold && onHeld ? letFinish(signal, onHeld, submit) : submit())).job_id);
}

/**
 * Runs `request`, which `signal` does not stop (it may make something paid for: a job, an image), and calls `onHeld`
 * once if `signal` has aborted or aborts before it answers.
 */
export async function letFinish<T>(signal: AbortSignal, onHeld: () => void, request: () => Promise<T>): Promise<T> {
  if (signal.aborted) onHeld();
  else signal.addEventListener("abort", onHeld, { once: true });
  try {
    return await request();
  } finally {
    signal.removeEventListener("abort", onHeld);
  }
}

export interface SubmitWatchOptions extends SubmitOptions, WatchOptions {}

/**
 * Submits a video job and watches it: `submitted` (with the job id) comes first, before any waiting. `timeoutMs` bounds
 * the wait only, never the submit: a submit cut short by it could leave a job that nobody recorded.
 */
export async function* submitAndWatch(
  client: DecartClient,
  inputs: Record<string, unknown> & { model: VideoModel },
  options: SubmitWatchOptions,
): AsyncGenerator<JobEvent> {
  const { signal, timeoutMs, budget } = options;
  const jobId = await submitJob(client, inputs, options);
  yield { type: "submitted", jobId, model: inputs.model.name };
  yield* watchJob(client, jobId, { model: inputs.model, signal, timeoutMs, budget });
}
