import { models } from "@decart/core";
import { type GenerationState, useGenerateImage, useGenerateVideo } from "@decart/react";
import { type FormEvent, useId, useRef, useState } from "react";
import { FieldControl } from "./FieldControl.js";
import { FollowJob } from "./FollowJob.js";
import { choiceOf, type FormValues, inputsOf, isImage, isVideo, modelChoices } from "./fields.js";
import { RunView } from "./RunView.js";

/** Polling for the page: a read every quarter second at first, at most one a second. */
const POLL = { initialDelayMs: 250, intervalMs: 250, maxIntervalMs: 1000 };

const DEFAULT_MODEL = "lucy-pro-t2v";

/** The state of a run with nothing yet, its `retry()` doing nothing. */
const nothingYet = (result?: Blob): GenerationState & { canRetry: boolean; retry(): undefined; stop(): void } => ({
  status: result ? "completed" : "idle",
  watching: false,
  jobId: undefined,
  progress: undefined,
  result,
  error: undefined,
  canRetry: false,
  retry: () => undefined,
  stop: () => {},
});

/** An image made by a request that answered once the form had moved on. */
interface UnshownImage {
  run: number;
  model: string;
  startedAt: number;
  state: ReturnType<typeof nothingYet>;
}

export function Playground() {
  const [modelName, setModelName] = useState<string>(DEFAULT_MODEL);
  const [values, setValues] = useState<FormValues>({});
  const [problems, setProblems] = useState<string[]>([]);
  // A new run (submit or model change) gets a new result view, with an empty timeline.
  const [startedAt, setStartedAt] = useState(0);
  const video = useGenerateVideo({ poll: POLL });
  const image = useGenerateImage();
  const choice = choiceOf(modelName);
  // The model of an image request the form has left (a model change while it ran): it runs to its end, its image
  // listed under Images not shown. The hook aborts a request on reset() and on its next submit, so it gets neither
  // until then (Generate waits for an image model), and the form shows its new run as having nothing yet.
  const [imageAway, setImageAway] = useState<string>();
  const run = choice.kind === "video" ? video : imageAway ? nothingYet() : image;
  const pickerId = useId();
  // Counts the form's runs (a submit, a model change): a video submit that answers once the form moved on to another
  // run made a job (paid for) that the run shown is not: its id goes to the list of jobs to follow.
  const runs = useRef(0);
  const [unshown, setUnshown] = useState<string[]>([]);
  const [unshownImages, setUnshownImages] = useState<UnshownImage[]>([]);

  const pickModel = (name: string) => {
    runs.current++;
    video.reset();
    // An image being made is paid for: it is let come (a reset would abort it).
    if (image.status === "submitting") setImageAway((away) => away ?? modelName);
    else image.reset();
    setStartedAt(performance.now());
    setProblems([]);
    setModelName(name);
    setValues((v) => (v.prompt === undefined ? {} : { prompt: v.prompt }));
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const { inputs, problems } = inputsOf(choice.fields, values);
    setProblems(problems);
    if (problems.length > 0) return;
    setStartedAt(performance.now());
    const run = ++runs.current;
    if (isVideo(choice)) {
      // The hook resolves a submit with the job it made even after reset() or another submit (its state then shows
      // another run): that job is listed, never lost.
      void video.submit({ ...inputs, model: models.video(choice.name) } as never).then((jobId) => {
        if (jobId && runs.current !== run) setUnshown((ids) => [...ids, jobId]);
      });
    } else if (isImage(choice)) {
      const model = choice.name;
      const startedAt = performance.now();
      void image.submit({ ...inputs, model: models.image(model) } as never).then((result) => {
        if (runs.current === run) return;
        if (result) setUnshownImages((list) => [...list, { run, model, startedAt, state: nothingYet(result) }]);
        setImageAway(undefined);
        image.reset();
      });
    }
  };

  return (
    <div className="layout">
      <form onSubmit={submit} aria-label="Generation">
        <label htmlFor={pickerId}>Model</label>
        <select id={pickerId} value={modelName} onChange={(e) => pickModel(e.target.value)}>
          {(["video", "image"] as const).map((kind) => (
            <optgroup key={kind} label={kind === "video" ? "Video (Queue API)" : "Image (Process API)"}>
              {modelChoices
                .filter((m) => m.kind === kind)
                .map((m) => (
                  <option key={m.name} value={m.name}>
                    {m.note ? `${m.name} (${m.note})` : m.name}
                  </option>
                ))}
            </optgroup>
          ))}
        </select>
        <p className="hint">{choice.summary}</p>
        {choice.fields.map((field) => (
          <FieldControl
            key={`${choice.name}/${field.name}`}
            field={field}
            description={choice.docs[field.name]}
            value={values[field.name]}
            onChange={(value) => setValues((v) => ({ ...v, [field.name]: value }))}
          />
        ))}
        <div className="actions">
          <button type="submit" disabled={run.status === "submitting" || (choice.kind === "image" && !!imageAway)}>
            Generate
          </button>
          {run.watching && (
            <button type="button" onClick={run.stop}>
              Stop watching
            </button>
          )}
        </div>
        {choice.kind === "image" && imageAway && (
          <p className="hint">
            An image of {imageAway} is still being made: Generate waits for it (it is listed under Images not shown).
          </p>
        )}
        {problems.length > 0 && (
          <ul role="alert">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
      </form>

      <div>
        <RunView
          key={startedAt}
          title="Result"
          run={run}
          startedAt={startedAt}
          fallbackName={choice.name}
          kind={choice.kind}
        />
        {unshownImages.length > 0 && (
          <section aria-label="Images not shown">
            <h2>Images not shown</h2>
            <p className="hint">Made by a request that answered once the form had moved on (each is paid for).</p>
            {unshownImages.map((made) => (
              <RunView
                key={made.run}
                title={`Image of ${made.model}`}
                run={made.state}
                startedAt={made.startedAt}
                fallbackName={made.model}
                kind="image"
              />
            ))}
          </section>
        )}
        <FollowJob poll={POLL} unshown={unshown} />
      </div>
    </div>
  );
}
