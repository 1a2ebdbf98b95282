import { isModelName, type VideoModelName } from "@decart/api";
import type { DecartClient, JobEvent, UploadProgress, VideoModel } from "@decart/core";

export type { JobEvent };

export interface WatchOptions {
  /** The job's model, if known: it sets the expected duration that drives the client's poll schedule. */
  model?: VideoModel | string | undefined;
  /** Stops watching (never the job). */
  signal: AbortSignal;
  timeoutMs?: number | undefined;
}

/** The model option of a watch, when it is one the catalogue knows. */
const modelOption = (model: VideoModel | string | undefined) =>
  typeof model === "string" ? (isModelName(model) ? { model: model as VideoModelName } : {}) : model ? { model } : {};

/**
 * A job's events until it ends, from the client's engine (`queue.watch`), without the download: the CLI streams the
 * result to disk itself (`downloadResult`).
 */
export function watchJob(client: DecartClient, jobId: string, options: WatchOptions): AsyncIterable<JobEvent> {
  return client.queue.watch(jobId, {
    ...modelOption(options.model),
    signal: options.signal,
    download: false,
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
  });
}

export interface SubmitWatchOptions extends WatchOptions {
  onUploadProgress?: ((progress: UploadProgress) => void) | undefined;
  /**
   * `false`: the submit is not stopped by `signal` (a batch lets submits in flight at Ctrl-C finish, so that their
   * ids reach the journal); the job is then watched on its own. Default `true`.
   */
  abortSubmit?: boolean;
}

/**
 * Submits a video job and watches it: `submitted` (with the job id) comes first, before any waiting. `timeoutMs` bounds
 * the wait only, never the submit: a submit cut short by it could leave a job that nobody recorded.
 */
export async function* submitAndWatch(
  client: DecartClient,
  inputs: Record<string, unknown> & { model: VideoModel },
  options: SubmitWatchOptions,
): AsyncGenerator<JobEvent> {
  const { signal, timeoutMs, onUploadProgress } = options;
  const job = await client.queue.submit({
    ...inputs,
    ...(onUploadProgress && { onUploadProgress }),
    ...(options.abortSubmit !== false && { signal }),
  } as never);
  yield { type: "submitted", jobId: job.job_id, model: inputs.model.name };
  yield* watchJob(client, job.job_id, { model: inputs.model, signal, timeoutMs });
}
