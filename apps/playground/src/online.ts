import { useEffect } from "react";

/** What `useReadWhenOnline` uses of a video hook (`useGenerateVideo`, `useJob`). */
interface VideoRun {
  retrying?: unknown;
  watching: boolean;
  stop(): void;
  retry(): unknown;
}

/**
 * While the run's status reads fail and are tried again (its `retrying`: the browser offline, say), the browser coming
 * back online reads the job at once rather than once the rest of the retry's backoff (up to 8 s) has gone: the hook's
 * watch of the same job is stopped and started again (`stop()`, then `retry()`: the client's one watch of the job,
 * started anew, whose first read is at once, within what is left of its `timeoutMs` budget, or a new one when less than
 * 5 s of it is left). Nothing is submitted again.
 */
export function useReadWhenOnline({ retrying, watching, stop, retry }: VideoRun): void {
  useEffect(() => {
    if (!retrying || !watching) return;
    const online = () => {
      stop();
      void retry();
    };
    addEventListener("online", online);
    return () => removeEventListener("online", online);
  }, [retrying, watching, stop, retry]);
}
