import { models } from "@decart/core";
import { type GenerationStatus, useGenerateImage, useGenerateVideo, useResultUrl } from "@decart/react";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { FieldControl } from "./FieldControl.js";
import { choiceOf, type FormValues, inputsOf, isImage, isVideo, modelChoices } from "./fields.js";
import { Timeline, type TimelineEntry } from "./Timeline.js";

/** Polling for the page: a read every quarter second at first, at most one a second. */
const POLL = { initialDelayMs: 250, intervalMs: 250, maxIntervalMs: 1000 };

const DEFAULT_MODEL = "lucy-pro-t2v";

const extensionOf = (type: string) => (type.includes("jpeg") ? "jpg" : (type.split("/")[1] ?? "bin"));

export function Playground() {
  const [modelName, setModelName] = useState<string>(DEFAULT_MODEL);
  const [values, setValues] = useState<FormValues>({});
  const [problems, setProblems] = useState<string[]>([]);
  const [timeline, setTimeline] = useState<TimelineEntry[]>([]);
  const startedAt = useRef(0);
  const video = useGenerateVideo({ poll: POLL });
  const image = useGenerateImage();
  const choice = choiceOf(modelName);
  const run = choice.kind === "video" ? video : image;
  const src = useResultUrl(run.result);
  const pickerId = useId();

  // Each status the run goes through, with when it was reached.
  useEffect(() => {
    if (run.status === "idle") return;
    setTimeline((entries) =>
      entries.at(-1)?.status === run.status
        ? entries
        : [...entries, { status: run.status, at: Date.now(), sinceStartMs: performance.now() - startedAt.current }],
    );
  }, [run.status]);

  const pickModel = (name: string) => {
    video.reset();
    image.reset();
    setTimeline([]);
    setProblems([]);
    setModelName(name);
    setValues((v) => (v.prompt === undefined ? {} : { prompt: v.prompt }));
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const { inputs, problems } = inputsOf(choice.fields, values);
    setProblems(problems);
    if (problems.length > 0) return;
    setTimeline([]);
    startedAt.current = performance.now();
    if (isVideo(choice)) void video.submit({ ...inputs, model: models.video(choice.name) } as never);
    else if (isImage(choice)) void image.submit({ ...inputs, model: models.image(choice.name) } as never);
  };

  const busy = (["submitting", "pending", "processing", "downloading"] as GenerationStatus[]).includes(run.status);
  const fileName = run.result && `decart-${run.jobId ?? choice.name}.${extensionOf(run.result.type)}`;

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
          <button type="submit" disabled={run.status === "submitting"}>
            Generate
          </button>
          {busy && (
            <button type="button" onClick={run.stop}>
              Stop watching
            </button>
          )}
        </div>
        {problems.length > 0 && (
          <ul role="alert">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
      </form>

      <section aria-label="Result">
        <h2>Status</h2>
        <p>
          <output aria-label="Status">{run.status}</output>
          {run.jobId && <span className="job"> job {run.jobId}</span>}
          {run.status === "downloading" && run.progress && (
            <span>
              {" "}
              {run.progress.receivedBytes} / {run.progress.totalBytes ?? "?"} bytes
            </span>
          )}
        </p>
        <Timeline entries={timeline} />
        {run.error && <p role="alert">{run.error.message}</p>}
        {src && run.result && (
          <>
            {run.result.type.startsWith("video/") ? (
              <video src={src} controls autoPlay muted loop playsInline aria-label="Result video" />
            ) : (
              <img src={src} alt={`Result of ${choice.name}`} />
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
    </div>
  );
}
