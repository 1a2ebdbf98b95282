import type { VideoModelName } from "@decart/api";
import { useJob } from "@decart/react";
import { type FormEvent, useEffect, useId, useState } from "react";
import { useFocusHandOff, useFocusKept, useRunControls } from "./focus.js";
import { NotShown } from "./NotShown.js";
import { useReadWhenOnline } from "./online.js";
import { RunView } from "./RunView.js";
import { jobToSave, type SavedJob, save, startedAtOf, videoModel } from "./saved.js";

interface Props {
  poll: { initialDelayMs: number; intervalMs: number; maxIntervalMs: number };
}

/** The job followed: its id, its model when known, when it began (performance.now()). */
interface Followed {
  jobId: string;
  model?: string | undefined;
  startedAt: number;
}

/**
 * Attaches to a job submitted elsewhere (by a server, a CLI, another tab) through `useJob`, and lists the jobs the
 * form made but no longer shows (`unshown`: one it left before its end, for another submit or model, and a submit that
 * answered after that), each to watch in the followed job's view. `restored`, a job the page followed before it was
 * loaded again (see `saved`), is followed from the first render.
 */
export function FollowJob({
  poll,
  unshown,
  restored,
}: Props & { unshown: readonly string[]; restored?: SavedJob | undefined }) {
  const [draft, setDraft] = useState("");
  const [followed, setFollowed] = useState<Followed | undefined>(
    () => restored && { jobId: restored.jobId, model: restored.model, startedAt: startedAtOf(restored) },
  );
  const inputId = useId();
  // Follow with no id: said under the field, tied to it, until the field changes.
  const [missing, setMissing] = useState(false);
  const missingId = `${inputId}-missing`;
  const followId = (jobId: string) => setFollowed({ jobId, startedAt: performance.now() });
  const follow = (event: FormEvent) => {
    event.preventDefault();
    const jobId = draft.trim();
    setMissing(!jobId);
    if (jobId) followId(jobId);
  };
  return (
    <>
      {unshown.length > 0 && (
        <NotShown
          name="Jobs not shown"
          hint="Made by the form and left before their end (a new Generate, a submit that answered once the form had moved on): each goes on, paid for."
        >
          <ul>
            {unshown.map((jobId) => (
              <li key={jobId}>
                <span className="job">{jobId}</span>{" "}
                <button type="button" onClick={() => followId(jobId)} aria-label={`Watch ${jobId}`}>
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
        <input
          id={inputId}
          value={draft}
          onChange={(e) => {
            setDraft(e.target.value);
            setMissing(false);
          }}
          placeholder="job_…"
          aria-required="true"
          aria-invalid={missing || undefined}
          aria-describedby={missing ? missingId : undefined}
          aria-errormessage={missing ? missingId : undefined}
        />
        {missing && (
          <small id={missingId} className="field-error" role="alert">
            Job id: give the id of a job to follow (job_…)
          </small>
        )}
        <div className="actions">
          <button type="submit">Follow</button>
        </div>
      </form>
      {followed && <Followed key={`${followed.jobId}@${followed.startedAt}`} {...followed} poll={poll} />}
    </>
  );
}

function Followed({ jobId, model, startedAt, poll }: Followed & Props) {
  const job = useJob(jobId, { poll, model: videoModel(model)?.name as VideoModelName | undefined });
  // Kept for a reload while it runs; forgotten once its end is shown, or Stop following.
  useEffect(() => save("followed", jobToSave(job, model, startedAt)));
  useReadWhenOnline(job);
  // Stop following goes once pressed: the focus to Watch again, else the status; to the status once the job ends.
  const controls = useRunControls();
  const handOff = useFocusHandOff();
  useFocusKept(controls.stop, controls.status);
  return (
    <>
      <RunView
        title="Followed job"
        run={job}
        startedAt={startedAt}
        fallbackName={jobId}
        kind="video"
        focusError
        controls={controls}
      />
      {job.watching && (
        <button
          type="button"
          ref={controls.stop}
          onClick={() => {
            handOff(controls.again, controls.status);
            job.stop();
          }}
        >
          Stop following
        </button>
      )}
    </>
  );
}
