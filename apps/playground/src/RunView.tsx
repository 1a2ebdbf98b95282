import { type GenerationState, type GenerationStatus, useResultUrl } from "@decart/react";
import { useEffect, useState } from "react";
import { Timeline, type TimelineEntry } from "./Timeline.js";

const extensionOf = (type: string) => (type.includes("jpeg") ? "jpg" : (type.split("/")[1] ?? "bin"));

/** Statuses a run is still moving through. */
const isBusy = (status: GenerationStatus) =>
  status === "submitting" || status === "pending" || status === "processing" || status === "downloading";

interface Props {
  /** Names the section (its landmark) and the result's alt text. */
  title: string;
  /** The hook's state, with its `retry()` and `canRetry` (whether `retry()` would do something now). */
  run: GenerationState & { canRetry: boolean; retry(): unknown };
  /** When the run started (performance.now()), for the timeline's offsets. Remount the view for a new run. */
  startedAt: number;
  /** The download's name without its extension, when there is no job id. */
  fallbackName: string;
}

/**
 * One run as it goes: its status, the timeline of the statuses it reached with their times, its error, a button while
 * the hook's `retry()` would do something (its `canRetry`: the page does not decide when that is safe), then the video
 * or image (through `useResultUrl`) and a download of the same file. The button says "Watch again" when there is no
 * error (the run was stopped: `retry()` follows the same job again, no new job) and "Try again" after an error.
 */
export function RunView({ title, run, startedAt, fallbackName }: Props) {
  const [timeline, setTimeline] = useState<TimelineEntry[]>([]);
  const src = useResultUrl(run.result);
  useEffect(() => {
    if (run.status === "idle") return;
    setTimeline((entries) =>
      entries.at(-1)?.status === run.status
        ? entries
        : [...entries, { status: run.status, at: Date.now(), sinceStartMs: performance.now() - startedAt }],
    );
  }, [run.status, startedAt]);
  const fileName = run.result && `decart-${run.jobId ?? fallbackName}.${extensionOf(run.result.type)}`;
  return (
    <section aria-label={title}>
      <h2>{title}</h2>
      <p>
        <output aria-label="Status">{run.status}</output>
        {run.jobId && <span className="job"> job {run.jobId}</span>}
        {!run.watching && isBusy(run.status) && <span className="stopped"> (no longer watched: the job goes on)</span>}
        {run.status === "downloading" && run.progress && (
          <span>
            {" "}
            {run.progress.receivedBytes} / {run.progress.totalBytes ?? "?"} bytes
          </span>
        )}
      </p>
      <Timeline entries={timeline} />
      {run.error && <p role="alert">{run.error.message}</p>}
      {run.canRetry && (
        <p>
          <button type="button" onClick={() => void run.retry()}>
            {run.error ? "Try again" : "Watch again"}
          </button>
        </p>
      )}
      {src && run.result && (
        <>
          {run.result.type.startsWith("video/") ? (
            <video src={src} controls autoPlay muted loop playsInline aria-label={`${title}: video`} />
          ) : (
            <img src={src} alt={title} />
          )}
          <p>
            <a href={src} download={fileName} className="button">
              Download
            </a>{" "}
            {run.result.size} bytes, {run.result.type}
          </p>
        </>
      )}
    </section>
  );
}
