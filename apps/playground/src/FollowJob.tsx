import { useJob } from "@decart/react";
import { type FormEvent, useId, useState } from "react";
import { RunView } from "./RunView.js";

interface Props {
  poll: { initialDelayMs: number; intervalMs: number; maxIntervalMs: number };
}

/** Attaches to a job submitted elsewhere (by a server, a CLI, another tab) through `useJob`. */
export function FollowJob({ poll }: Props) {
  const [draft, setDraft] = useState("");
  const [followed, setFollowed] = useState<{ jobId: string; startedAt: number }>();
  const inputId = useId();
  const follow = (event: FormEvent) => {
    event.preventDefault();
    const jobId = draft.trim();
    if (jobId) setFollowed({ jobId, startedAt: performance.now() });
  };
  return (
    <>
      <form onSubmit={follow} aria-label="Follow a job" className="follow">
        <h2>Follow a job</h2>
        <label htmlFor={inputId}>Job id</label>
        <input id={inputId} value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="job_…" />
        <div className="actions">
          <button type="submit">Follow</button>
        </div>
      </form>
      {followed && <Followed key={`${followed.jobId}@${followed.startedAt}`} {...followed} poll={poll} />}
    </>
  );
}

function Followed({ jobId, startedAt, poll }: { jobId: string; startedAt: number } & Props) {
  const job = useJob(jobId, { poll });
  return (
    <>
      <RunView title="Followed job" run={job} startedAt={startedAt} fallbackName={jobId} kind="video" />
      {job.watching && (
        <button type="button" onClick={job.stop}>
          Stop following
        </button>
      )}
    </>
  );
}
