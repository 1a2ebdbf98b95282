import type { DecartClient, JobStatusResponse, VideoModel } from "@decart/core";

/** The events of a watched job, as the CLI renders them. */
export type WatchEvent =
  | { type: "submitted"; jobId: string; model: string | undefined }
  | { type: "status"; jobId: string; status: "pending" | "processing"; job: JobStatusResponse }
  | { type: "completed"; jobId: string; job: JobStatusResponse }
  | { type: "failed"; jobId: string; job: JobStatusResponse; error: string };

export interface WatchOptions {
  model?: VideoModel | string | undefined;
  /** Stops watching (never the job). */
  signal: AbortSignal;
  /** Stops the submit (default: `signal`); a batch lets submits in flight finish, so their ids reach the journal. */
  submitSignal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
}

/** A job's events until it ends, from the client's own wait (`download: false`: the CLI streams the result to disk). */
export async function* watchJob(
  client: DecartClient,
  jobId: string,
  options: WatchOptions,
): AsyncGenerator<WatchEvent> {
  const pending: WatchEvent[] = [];
  let wake: (() => void) | undefined;
  let last: JobStatusResponse | undefined;
  const push = (event: WatchEvent) => {
    pending.push(event);
    wake?.();
  };
  let settled = false;
  const done = client.queue
    .wait(jobId, {
      ...(typeof options.model === "string" ? { model: options.model as never } : { model: options.model }),
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      download: false,
      onStatusChange: (job) => {
        last = job;
        if (job.status === "pending" || job.status === "processing") {
          push({ type: "status", jobId, status: job.status, job });
        }
      },
    })
    .finally(() => {
      settled = true;
      wake?.();
    });
  done.catch(() => {});
  while (true) {
    while (pending.length) yield pending.shift()!;
    if (settled) break;
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
    wake = undefined;
  }
  const outcome = await done;
  const job = last ?? ({ job_id: jobId, status: outcome.status } as JobStatusResponse);
  yield outcome.status === "completed"
    ? { type: "completed", jobId, job }
    : { type: "failed", jobId, job, error: outcome.error };
}

/** Submits a video job, then watches it: `submitted` comes first, before any waiting. */
export async function* submitAndWatch(
  client: DecartClient,
  inputs: Record<string, unknown> & { model: VideoModel },
  options: WatchOptions,
): AsyncGenerator<WatchEvent> {
  const signal = "submitSignal" in options ? options.submitSignal : options.signal;
  const job = await client.queue.submit({ ...inputs, ...(signal && { signal }) } as never);
  yield { type: "submitted", jobId: job.job_id, model: inputs.model.name };
  yield* watchJob(client, job.job_id, { ...options, model: inputs.model });
}
