import {
  type DecartClient,
  type DownloadProgress,
  invalid,
  type JobSubmitResult,
  ONCE,
  type StatusRead,
  type VideoModelName,
} from "@decart/core";
import { Observable } from "rxjs";
import type { SubmitInput } from "./types.js";

/**
 * Reads a job's status once: an observable that emits one answer and completes, or errors (only its first answer,
 * error or end is heard; it is unsubscribed then). Unsubscribing before it answers must abort the read; a read still in
 * flight at `deadline` (the watch's, on the client's clock) should end then with an error. The default reads over HTTP
 * with the client.
 */
export type StatusSource = (
  jobId: string,
  options: { deadline: number; budgetMs?: number | undefined },
) => Observable<StatusRead>;

/**
 * Submits a job: emits the submit answer once and completes, or errors. `submitJob` listens to it until then, also
 * after its subscriber left (a job made meanwhile goes to `onOrphan`), and unsubscribes only after that: a source of
 * yours should not cut a request that may have reached the server. The default sends `input` as `client.queue.submit`
 * takes it, so that `input.signal` aborts it, within the client's own timeouts. No budget bounds a source of yours (the
 * watch's `timeoutMs` starts once the job is known): one that never answers is listened to for ever, so end it yourself
 * (an error once a time limit of yours is up, such as rxjs's `timeout`). An error (or a throw) that is no
 * `DecartError`, an answer that is no submit answer (one that cannot be read too: a getter or a Proxy's trap that
 * throws), or an end without an answer ("The submit source ended without an answer": no job heard of), ends the
 * `submitJob` with an `InvalidResponseError` saying so. Such an error (or throw) after the subscriber left is reported
 * as an unknown outcome is (see `onOrphan`): your source may have sent the job.
 */
export type SubmitSource = (input: SubmitInput<VideoModelName>) => Observable<JobSubmitResult>;

/**
 * Downloads a completed job's result once: emits progress (each read once: its `receivedBytes` and `totalBytes` as
 * read are what the `downloading` event carries), then the `Blob`, and completes, or errors (the watch decides whether
 * to try again; an answer that is neither ends it, an `InvalidResponseError`). Unsubscribing aborts it;
 * a download still running at `deadline` should end then.
 */
export type ResultSource = (
  jobId: string,
  options: { deadline: number; budgetMs?: number | undefined },
) => Observable<DownloadProgress | Blob>;

/**
 * An abortable promise as a cold observable: each subscription starts it; unsubscribing before it settles aborts it.
 */
export function fromAbortable<T>(start: (signal: AbortSignal, emit: (value: T) => void) => Promise<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const controller = new AbortController();
    let settled: unknown;
    start(controller.signal, (value) => subscriber.next(value)).then(
      (value) => {
        settled = true;
        subscriber.next(value);
        subscriber.complete();
      },
      (error) => {
        settled = true;
        subscriber.error(error);
      },
    );
    return () => {
      if (!settled) controller.abort();
    };
  });
}

/**
 * The client argument, checked before anything (a promise of a client, its options, its `queue`, or the arguments
 * swapped are none): an `InvalidInputError` naming `client` and the right call.
 */
export const checkClient = (client: any, call: string) => {
  if (!client?.queue) throw invalid(call, "client", "a client of createDecartClient (awaited), given first", client);
};

/** The client's own reads, one attempt each (a failure goes to the engine, which decides whether to read again). */
export const clientStatus =
  (client: DecartClient): StatusSource =>
  (jobId, { deadline, budgetMs }) =>
    fromAbortable((signal) => client.queue.readStatus(jobId, { signal, deadline, budgetMs }));

/** The client's submit of `input` as it is: its own `signal`, if any, is the one thing that aborts it. */
export const clientSubmit =
  (client: DecartClient): SubmitSource =>
  (input) =>
    fromAbortable(() => client.queue.submit(input as never));

/**
 * The client's download of a result into a Blob, with progress (a body cut short errors): one attempt, as the core's
 * own watch makes it (`[once]`: no retry of the client's inside it; the engine decides whether to download again).
 */
export const clientResult =
  (client: DecartClient): ResultSource =>
  (jobId, { deadline, budgetMs }) =>
    fromAbortable<DownloadProgress | Blob>(async (signal, emit) => {
      const { stream, contentType } = await client.queue.download(jobId, {
        signal,
        deadline,
        budgetMs,
        onProgress: emit,
        [ONCE]: { maxRetries: 0 },
      } as never);
      const chunks: Uint8Array[] = [];
      for (const reader = stream.getReader(); ; ) {
        const { done, value } = await reader.read();
        // (No type, undefined: the Blob's is "".)
        if (done) return new Blob(chunks as BlobPart[], { type: contentType as string });
        chunks.push(value);
      }
    });
