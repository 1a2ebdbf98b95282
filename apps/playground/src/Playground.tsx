import { models } from "@decart/core";
import { type GenerationState, type ImageGeneration, useGenerateImage, useGenerateVideo } from "@decart/react";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { FieldControl } from "./FieldControl.js";
import { FollowJob } from "./FollowJob.js";
import { choiceOf, type FormValues, inputsOf, isImage, isVideo, modelChoices, shownValues } from "./fields.js";
import { useFocusHandOff, useFocusKept, useRunControls } from "./focus.js";
import { NotShown } from "./NotShown.js";
import { useReadWhenOnline } from "./online.js";
import { RunView } from "./RunView.js";
import {
  forgetSubmits,
  jobToSave,
  type SavedSubmit,
  save,
  saved,
  saveSubmit,
  saveSubmitError,
  saveUnshown,
  whenCut,
} from "./saved.js";

/** Polling for the page: a read every quarter second at first, at most one a second. */
const POLL = { initialDelayMs: 250, intervalMs: 250, maxIntervalMs: 1000 };

const DEFAULT_MODEL = "lucy-pro-t2v";

/** The state of a run with nothing yet, its `retry()` doing nothing. */
const nothingYet = (): GenerationState & { canRetry: boolean; retry(): undefined; stop(): void } => ({
  status: "idle",
  watching: false,
  jobId: undefined,
  progress: undefined,
  result: undefined,
  error: undefined,
  canRetry: false,
  retry: () => undefined,
  stop: () => {},
});

/** An image request the form left (the next Generate while it ran): it runs to its end in its own hook. */
interface ImageAway {
  id: number;
  model: string;
  startedAt: number;
}

/**
 * One `useGenerateImage`, in a component of its own that renders nothing and hands the hook up (`onChange`) whenever
 * its state changes: each image run of the page has a hook of its own, so that a request the form left runs to its
 * end in its hook, shown with its image or its error, while the form's next run takes another.
 */
function ImageHook({ id, onChange }: { id: number; onChange: (id: number, image: ImageGeneration) => void }) {
  const image = useGenerateImage();
  useEffect(() => onChange(id, image));
  return null;
}

/**
 * The fields an input error names: an `InvalidInputError`'s `field` (`trajectory[1].x`: `trajectory`), a 422's issues'
 * `loc` (`["body", "prompt"]`: `prompt`).
 */
const fieldsOf = (error: unknown): string[] => {
  const { field, issues } = (error ?? {}) as { field?: unknown; issues?: unknown };
  const named = Array.isArray(issues) ? issues.map((i) => [i?.loc].flat().find((part) => part !== "body")) : [];
  return [field, ...named].flatMap((name) => (typeof name === "string" ? name.split(/[.[]/, 1) : []));
};

export function Playground() {
  const [modelName, setModelName] = useState<string>(DEFAULT_MODEL);
  // What was entered, by field name, kept across model changes: each model's form shows (and sends) those of its fields.
  const [values, setValues] = useState<FormValues>({});
  const [problems, setProblems] = useState<string[]>([]);
  // The model whose form the problems are about: shown while it is picked.
  const [problemsOf, setProblemsOf] = useState(DEFAULT_MODEL);
  // The model of the form's run (its latest Generate). Picking a model changes the form only: the run stays shown,
  // and watched, until the next Generate (arrowing through the picker sends a change at each model passed).
  const [runModel, setRunModel] = useState<string>(DEFAULT_MODEL);
  // A new run (a submit) gets a new result view, with an empty timeline.
  const [startedAt, setStartedAt] = useState(0);
  // The records of the video submits on their way, by the input the hook was given (its retry() submits the same
  // again), and the latest input. One the form left that failed when a job may exist (the hook's `onOrphan`: its error
  // is in no run) keeps its record, with its error's words, said at once under Submits not answered.
  const sentAs = useRef(new WeakMap<object, SavedSubmit>());
  const lastInput = useRef<object>(undefined);
  const video = useGenerateVideo({
    poll: POLL,
    onOrphan: (error, input) => {
      const submit = sentAs.current.get(input);
      if (submit && !error.jobId) {
        submit.error = error.message;
        saveSubmitError(submit);
        setCut((all) => [...all, submit]);
      }
    },
  });
  useReadWhenOnline(video);
  // The image hooks (ImageHook), by their run's number: the form's is `imageRun`'s. A hook aborts its request on
  // reset() and on its next submit, and the server may already be making that image (paid for): an image request the
  // form leaves (the next Generate while it runs) keeps its hook, listed under Images not shown to its end (its image or
  // its error), and the form's new run takes a new hook, Generate usable at once.
  const [images, setImages] = useState<ReadonlyMap<number, ImageGeneration>>(new Map());
  const [imageRun, setImageRun] = useState(0);
  const [imagesAway, setImagesAway] = useState<ImageAway[]>([]);
  const image = images.get(imageRun);
  // A hook's state changed: kept (the same state again keeps the map, so that handing it up ends there).
  const imageChanged = (id: number, next: ImageGeneration) =>
    setImages((all) => {
      const was = all.get(id) as Record<string, unknown> | undefined;
      return was && Object.entries(next).every(([key, value]) => was[key] === value) ? all : new Map(all).set(id, next);
    });
  // The hook the form's next image run takes when this one is still being made: mounted ahead, so Generate needs no wait.
  const spare = images.get(imageRun + 1);
  const choice = choiceOf(modelName);
  const runKind = choiceOf(runModel).kind;
  // The values this model's form shows and sends: an enum's only when it is one of this model's choices.
  const shown = shownValues(choice.fields, values);
  const pickerId = useId();
  // The form's problems come: the focus goes to them.
  const problemsShown = useRef<HTMLUListElement>(null);
  useEffect(() => {
    if (problems.length > 0) problemsShown.current?.focus();
  }, [problems]);
  // Counts the form's runs (its submits): a video submit that answers once the form moved on to another
  // run made a job (paid for) that the run shown is not: its id goes to the list of jobs to follow.
  const runs = useRef(0);
  // What the page kept before it was loaded again (a reload, a tab restored): the jobs its views followed, the latest
  // begun first, followed in the followed job's view, any other listed with the jobs to follow, as those listed were.
  const [restored] = useState(saved);
  const [unshown, setUnshown] = useState(() => [
    ...new Set([...restored.unshown, ...restored.jobs.slice(1).map((job) => job.jobId)]),
  ]);
  useEffect(() => saveUnshown(unshown), [unshown]);
  const listJob = (jobId: string) => setUnshown((ids) => (ids.includes(jobId) ? ids : [...ids, jobId]));
  // The form's video job is kept for a reload while it runs; forgotten once its end is shown, Stop watching, or the
  // form moving on (the job is then listed with the jobs to follow).
  //
  // A video submit on its way is recorded before it is sent (a reload then would leave no job id to keep, though a job
  // may be made): the form's is forgotten once its answer came (its job kept just now, unless stopped) or it failed
  // making nothing (the hook would submit again); one the form left, once its job is listed or it failed, unless a job
  // may exist (the hook's `onOrphan`, called before its submit resolves `undefined`): then it stays (see `sentAs`).
  // The video submits a reload cut before their answer, and those the form left that failed when a job may exist (see
  // `saveSubmit`): said until dismissed.
  //
  // The form's own submit that fails when a job may exist (an error without a job id after which the hook submits
  // nothing again: `SUBMIT_OUTCOME_UNKNOWN`) stays recorded with its error's words, which its run shows (the request id
  // to give support, that a job may exist); once the form leaves that run, the record is said under Submits not
  // answered, as a left one's is.
  // (One a live document holds, the tab this one was opened from, is its own: said here only if that document goes
  // without its answer. One cut submit is said by one page at a time, the latest to decide, taken back from the one
  // that said it until then; see `whenCut`.)
  const [cut, setCut] = useState<SavedSubmit[]>([]);
  useEffect(() => {
    const mounted = new AbortController();
    whenCut(
      restored.submits,
      (submit) => setCut((all) => (all.some((shown) => shown.id === submit.id) ? all : [submit, ...all])),
      (submit) => setCut((all) => all.filter((shown) => shown.id !== submit.id)),
      mounted.signal,
    );
    return () => mounted.abort();
  }, [restored]);
  const submitting = useRef<SavedSubmit>(undefined);
  const unanswered = useRef<SavedSubmit>(undefined);
  useEffect(() => {
    save("result", jobToSave(video, runModel, startedAt));
    const submit = submitting.current;
    if (!submit || !(video.jobId || video.error)) return;
    submitting.current = undefined;
    if (video.jobId || video.canRetry) forgetSubmits([submit.id]);
    else {
      submit.error = video.error!.message;
      saveSubmitError(submit);
      unanswered.current = submit;
    }
  });
  /**
   * Sends a video submit of `model` (the hook's submit of `input`, or without it its retry() submitting the latest
   * input again), recorded while on its way.
   */
  const sendVideo = (model: string, input?: object) => {
    const number = runs.current;
    const submit = saveSubmit(model);
    const { id } = submit;
    submitting.current = submit;
    if (input) lastInput.current = input;
    if (lastInput.current) sentAs.current.set(lastInput.current, submit);
    // The hook resolves a submit with the job it made even after reset() or another submit (its state then shows
    // another run): that job is listed, never lost. Without one, such a submit made nothing, unless `onOrphan` said
    // that a job may exist.
    return (input ? video.submit(input as never) : video.retry()).then((jobId) => {
      if (runs.current !== number) {
        if (jobId) listJob(jobId);
        if (!submit.error) forgetSubmits([id], jobId);
      }
      return jobId;
    });
  };
  // A failed job's inputs, or a submit's that made nothing (an error without a job id, where the hook offers to try
  // again), are submitted again by retry(): a submit on its way too. A submit stopped before its answer is watched
  // again by retry(), which waits for that same submit's job: nothing sent, nothing more recorded (its error, should the
  // form leave it, is that submit's own, taken where it was sent).
  const videoRun = {
    ...video,
    retry: () => (video.status === "failed" || (video.error && !video.jobId) ? sendVideo(runModel) : video.retry()),
  };
  const run = runKind === "video" ? videoRun : (image ?? nothingYet());
  // The fields an input error names (a form problem; the run's error, while its model is picked), each pointing at
  // the text that says what is wrong, until the field changes or a new problem or error comes.
  const formId = useId();
  const runErrorId = `${formId}-run-error`;
  const [changed, setChanged] = useState<ReadonlySet<string>>(new Set());
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new problem or error marks its fields again
  useEffect(() => setChanged(new Set()), [problems, run.error]);
  const invalid: Record<string, string> = {};
  if (runModel === modelName) for (const name of fieldsOf(run.error)) invalid[name] = runErrorId;
  if (problemsOf === modelName)
    problems.forEach((p, i) => {
      invalid[p.slice(0, p.indexOf(":"))] = `${formId}-problem-${i}`;
    });
  // Generate waits while the form's run is submitting (or no image hook is ready): said (`aria-disabled`), not
  // `disabled`, which would drop the focus it has to the page's body until the run moves on.
  const busy =
    (runModel === modelName && run.status === "submitting") ||
    (choice.kind === "image" && !(image?.status === "submitting" ? spare : image));
  // Stop watching goes once pressed: the focus to Watch again, else the run's status; to the status once the run ends.
  const controls = useRunControls();
  const handOff = useFocusHandOff();
  useFocusKept(controls.stop, controls.status);
  // The form leaves its video run (a new submit, for any model): a job it made that has not reached its end (`pending`,
  // `processing`, `downloading`, stopped, or a watch that ended early) goes on, paid for, and nothing shows it any more:
  // listed with the jobs to follow.
  const leaveVideo = () => {
    if (video.jobId && video.status !== "completed" && video.status !== "failed") listJob(video.jobId);
    const submit = unanswered.current;
    unanswered.current = undefined;
    if (submit) setCut((all) => [...all, submit]);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const { inputs, problems } = inputsOf(choice.fields, shown);
    setProblems(problems);
    setProblemsOf(modelName);
    if (problems.length > 0) {
      // Nothing sent. A run that ended in an error goes (its alert is not this submit's); one still going stays.
      if (run.error) {
        setStartedAt(performance.now());
        if (runKind === "video") {
          leaveVideo();
          video.reset();
        } else image?.reset();
      }
      return;
    }
    setStartedAt(performance.now());
    setRunModel(modelName);
    runs.current++;
    // The form leaves its run. The job it shows, if still going, is no longer watched: listed. An image being made is
    // paid for: it is let come (a reset or another submit of its hook would abort it), in its hook, under Images not
    // shown; the form takes the spare hook.
    leaveVideo();
    let hook = image;
    if (runKind === "image" && image?.status === "submitting") {
      setImagesAway((away) => [...away, { id: imageRun, model: runModel, startedAt }]);
      setImageRun(imageRun + 1);
      hook = spare;
    }
    if (isVideo(choice)) {
      void sendVideo(choice.name, { ...inputs, model: models.video(choice.name) });
    } else if (isImage(choice)) {
      if (runKind === "video") video.reset();
      // Its hook shows it to its end, here or (once the form moves on) under Images not shown.
      void hook?.submit({ ...inputs, model: models.image(choice.name) } as never);
    }
  };

  return (
    <div className="layout">
      <form onSubmit={submit} aria-label="Generation">
        <label htmlFor={pickerId}>Model</label>
        <select id={pickerId} value={modelName} onChange={(e) => setModelName(e.target.value)}>
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
            value={shown[field.name]}
            error={changed.has(field.name) ? undefined : invalid[field.name]}
            onChange={(value) => {
              setValues((v) => ({ ...v, [field.name]: value }));
              setChanged((names) => new Set(names).add(field.name));
            }}
          />
        ))}
        <div className="actions">
          <button type="submit" aria-disabled={busy || undefined}>
            Generate
          </button>
          {/* An image run has none: its stop() would abort a request the server may already be making (paid for). */}
          {run.watching && runKind === "video" && (
            <button
              type="button"
              ref={controls.stop}
              onClick={() => {
                handOff(controls.again, controls.status);
                run.stop();
              }}
            >
              Stop watching
            </button>
          )}
        </div>
        {/* Said once, by the focus that goes to the list (no alert role besides, read twice as it was inserted and
            focused): its name (its count) and its description (its problems) are read out as it takes the focus. */}
        {problems.length > 0 && problemsOf === modelName && (
          <>
            <p id={`${formId}-problems`}>
              {problems.length} {problems.length === 1 ? "problem" : "problems"}:
            </p>
            <ul
              tabIndex={-1}
              ref={problemsShown}
              aria-labelledby={`${formId}-problems`}
              aria-describedby={problems.map((_, i) => `${formId}-problem-${i}`).join(" ")}
            >
              {problems.map((p, i) => (
                <li key={p} id={`${formId}-problem-${i}`}>
                  {p}
                </li>
              ))}
            </ul>
          </>
        )}
      </form>

      <div>
        {cut.length > 0 && (
          <NotShown
            name="Submits not answered"
            hint="The page was loaded again while these video submits waited for their answer, or they failed in a way that leaves their outcome unknown (their error is said): the server may have made each job, and billed it, but the page never received its id, so it cannot show or follow it. Look for it among your account's jobs before submitting it again."
          >
            <ul>
              {cut.map(({ id, model, since, error }) => (
                <li key={id}>
                  {model}, sent at {new Date(since).toLocaleTimeString()}: a job may have been created.
                  {error && ` ${error}`}
                </li>
              ))}
            </ul>
            <button
              type="button"
              onClick={() => {
                forgetSubmits(cut.map((submit) => submit.id));
                setCut([]);
              }}
            >
              Dismiss
            </button>
          </NotShown>
        )}
        <RunView
          key={startedAt}
          title="Result"
          run={run}
          startedAt={startedAt}
          fallbackName={runModel}
          kind={runKind}
          focusError
          errorId={runErrorId}
          controls={controls}
        />
        {runModel !== modelName && run.status !== "idle" && (
          <p className="hint">
            The run of {runModel} stays here until Generate makes one of {modelName}.
          </p>
        )}
        {imagesAway.length > 0 && (
          <NotShown
            name="Images not shown"
            hint="Asked for before the form moved on: each request runs to its end (an image made is paid for)."
          >
            {imagesAway.map(({ id, model, startedAt }, i) => (
              <RunView
                key={id}
                title={`Image of ${model}, #${i + 1}`}
                run={images.get(id) ?? nothingYet()}
                startedAt={startedAt}
                fallbackName={model}
                kind="image"
              />
            ))}
          </NotShown>
        )}
        {[...imagesAway.map((away) => away.id), imageRun, imageRun + 1].map((id) => (
          <ImageHook key={id} id={id} onChange={imageChanged} />
        ))}
        <FollowJob poll={POLL} unshown={unshown} restored={restored.jobs[0]} />
      </div>
    </div>
  );
}
