import type { GenerationStatus } from "@decart/react";

export interface TimelineEntry {
  /** A status reached, or `retrying`: the job's status reads began to fail (and were tried again). */
  status: GenerationStatus | "retrying";
  /** What to say after it: for `retrying`, the error the first read failed with. */
  detail?: string | undefined;
  /** Wall-clock time (ms since epoch). */
  at: number;
  /** Time since the submit. */
  sinceStartMs: number;
}

/**
 * The statuses a run went through, in order, with when each was reached; `retrying` where its status reads began to
 * fail, with their error, and the status again once they answered.
 */
export function Timeline({ entries }: { entries: readonly TimelineEntry[] }) {
  return (
    <ol aria-label="Status timeline" className="timeline">
      {entries.map((entry) => (
        <li key={`${entry.status}-${entry.at}`} data-status={entry.status}>
          <span className="status">{entry.status}</span>
          {entry.detail && <span className="detail"> ({entry.detail})</span>}{" "}
          <time dateTime={new Date(entry.at).toISOString()}>
            {new Date(entry.at).toLocaleTimeString()} (+{(entry.sinceStartMs / 1000).toFixed(2)} s)
          </time>
        </li>
      ))}
    </ol>
  );
}
