import { useEffect } from "react";

/** What `useReadWhenOnline` uses of a video hook (`useGenerateVideo`, `useJob`). */
interface VideoRun {
  retrying?: unknown;
  watching: boolean;
  status: string;
  jobId?: string | undefined;
  error?: unknown;
  canRetry: boolean;
  stop(): void;
  retry(): unknown;
}

/**
 * The browser coming back online reads the job at once: while the run's status reads fail and are tried again (its
 * `retrying`: the browser offline, say), rather than once the rest of the retry's backoff (up to 8 s) has gone, the
 * hook's watch of the same job is stopped and started again (`stop()`, then `retry()`); and once a watch of a job
 * ended with an error that another watch gets past (status `error` with its job id, and its `canRetry`: the budget ran
 * out offline, a token route out of reach), it is watched again (`retry()`), as Try again would. Either is the client's
 * one watch of the job, started anew, whose first read is at once, within what is left of its `timeoutMs` budget, or a
 * new one when less than 5 s of it is left. Nothing is submitted again: not after a job that `failed` (its Try again
 * submits the same inputs, a new job billed), nor without a job id.
 */
export function useReadWhenOnline({ retrying, watching, status, jobId, error, canRetry, stop, retry }: VideoRun): void {
  // `retry()` watches the same job again only from an `error` with a job id: from `failed` (the job ended) it submits.
  const again = watching ? !!retrying : !!(jobId && status === "error" && error && canRetry);
  useEffect(() => {
    if (!again) return;
    const online = () => {
      if (watching) stop();
      void retry();
    };
    addEventListener("online", online);
    return () => removeEventListener("online", online);
  }, [again, watching, stop, retry]);
}
