import type { GenerationStatus } from "@decart/react";

export interface TimelineEntry {
  status: GenerationStatus;
  /** Wall-clock time (ms since epoch). */
  at: number;
  /** Time since the submit. */
  sinceStartMs: number;
}

/** The statuses a run went through, in order, with when each was reached. */
export function Timeline({ entries }: { entries: readonly TimelineEntry[] }) {
  return (
    <ol aria-label="Status timeline" className="timeline">
      {entries.map((entry) => (
        <li key={`${entry.status}-${entry.at}`} data-status={entry.status}>
          <span className="status">{entry.status}</span>{" "}
          <time dateTime={new Date(entry.at).toISOString()}>
            {new Date(entry.at).toLocaleTimeString()} (+{(entry.sinceStartMs / 1000).toFixed(2)} s)
          </time>
        </li>
      ))}
    </ol>
  );
}
