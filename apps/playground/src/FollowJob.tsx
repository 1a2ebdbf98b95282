import { useJob } from "@decart/react";
import { type FormEvent, useId, useState } from "react";
import { NotShown } from "./NotShown.js";
import { RunView } from "./RunView.js";

interface Props {
  poll: { initialDelayMs: number; intervalMs: number; maxIntervalMs: number };
}

/**
 * Attaches to a job submitted elsewhere (by a server, a CLI, another tab) through `useJob`, and lists the jobs the
 * form made but no longer shows (`unshown`: one it left before its end, for another submit or model, and a submit that
 * answered after that), each to watch in the followed job's view.
 */
export function FollowJob({ poll, unshown }: Props & { unshown: readonly string[] }) {
  const [draft, setDraft] = useState("");
  const [followed, setFollowed] = useState<{ jobId: string; startedAt: number }>();
  const inputId = useId();
  const followId = (jobId: string) => setFollowed({ jobId, startedAt: performance.now() });
  const follow = (event: FormEvent) => {
    event.preventDefault();
    const jobId = draft.trim();
    if (jobId) followId(jobId);
  };
  return (
    <>
      {unshown.length > 0 && (
        <NotShown
          name="Jobs not shown"
          hint="Made by the form and left before their end (a new Generate, a model change, a submit that answered once the form had moved on): each goes on, paid for."
        >
          <ul>
            {unshown.map((jobId) => (
              <li key={jobId}>
                <span className="job">{jobId}</span>{" "}
                <button type="button" onClick={() => followId(jobId)}>
                  Watch
                </button>
              </li>
            ))}
          </ul>
        </NotShown>
      )}
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
