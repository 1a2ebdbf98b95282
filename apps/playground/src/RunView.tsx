import { imageContentTypes, jobContentTypes } from "@decart/api";
import { InvalidResponseError } from "@decart/core";
import { type GenerationState, type GenerationStatus, useResultUrl } from "@decart/react";
import { useEffect, useMemo, useRef, useState } from "react";
import { type RunControls, useFocusHandOff, useRunControls } from "./focus.js";
import { Timeline, type TimelineEntry } from "./Timeline.js";

/** The media types the API's spec gives each kind of model's results: a job's video, an image model's answer. */
const resultTypes: Record<"video" | "image", readonly string[]> = { video: jobContentTypes, image: imageContentTypes };

/**
 * The image type its first bytes give (PNG, JPEG, or WebP, AVIF and GIF, which the spec's `imageContentTypes` does not
 * list but the API may give), or undefined: an image served as `application/octet-stream` is named by what it is, and
 * an image kept from a refused answer is shown only as one of these (raster images: no script runs in them).
 */
async function imageTypeOf(blob: Blob): Promise<string | undefined> {
  const head = String.fromCharCode(...new Uint8Array(await blob.slice(0, 12).arrayBuffer()));
  if (head.startsWith("\x89PNG\r\n\x1a\n")) return "image/png";
  if (head.startsWith("\xff\xd8\xff")) return "image/jpeg";
  if (head.startsWith("RIFF") && head.slice(8) === "WEBP") return "image/webp";
  if (head.slice(4, 8) === "ftyp" && /^avi[fs]$/.test(head.slice(8))) return "image/avif";
  if (/^GIF8[79]a/.test(head)) return "image/gif";
}

/** A download's extension: a type's plain subtype (`jpg` for JPEG), else `bin` (`svg+xml`, one with parameters). */
const extensionOf = (type: string) => {
  const subtype = /^(?:image|video)\/([a-z0-9]+)$/.exec(type)?.[1];
  return subtype === "jpeg" ? "jpg" : (subtype ?? "bin");
};

/**
 * The codes of errors that say the inputs are at fault (the client's check, `InvalidInputError`; a 400 such as "Invalid
 * file type", a 413, a 422; a retired model): the same inputs sent again would be refused the same way, so no Try again
 * is offered after them, though the hook's `retry()` would send them (it offers it after any error that made nothing).
 */
const inputRefused = /^(INVALID_INPUT|BAD_REQUEST|PAYLOAD_TOO_LARGE|VALIDATION|MODEL_RETIRED)$/;

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
  /** What the model gives (the catalogue's kind): decides how the result is shown and named when its type does not. */
  kind: "video" | "image";
  /**
   * Moves the keyboard focus to the run's error as it comes, unless it is in a field being filled in (the view the user
   * looks at; not a list of runs left).
   */
  focusError?: boolean | undefined;
  /** The id of the error's text, for the fields it names to point at (`aria-describedby`). */
  errorId?: string | undefined;
  /** Its controls, when its stop button is the parent's (`stop`: Stop watching, Stop following): see `useRunControls`. */
  controls?: RunControls | undefined;
}

/** Whether the user asked for less motion: a video is then not played (nor looped) until they play it. */
const stillWanted = () => matchMedia("(prefers-reduced-motion: reduce)").matches;

/**
 * One run as it goes: its status (and, while its status reads fail and are tried again, "retrying (attempt n …) …" with
 * the error they fail with), the timeline of the statuses it reached with their times, its error, a button while
 * the hook's `retry()` would do something (its `canRetry`: the page does not decide when that is safe) unless the error
 * says the inputs are at fault, then the video or image (through `useResultUrl`) and a download of the same file. The
 * button says "Watch again" when there is no error (the run was stopped: `retry()` follows the same job again, no new
 * job) and "Try again" after an error.
 */
export function RunView({ title, run, startedAt, fallbackName, kind, focusError, errorId, controls }: Props) {
  const own = useRunControls();
  const { stop, again, status } = controls ?? own;
  const handOff = useFocusHandOff();
  const [still] = useState(stillWanted);
  const [timeline, setTimeline] = useState<TimelineEntry[]>([]);
  // The type of a result served with none the spec lists for the model's kind (`application/octet-stream`, as storage
  // and CDNs serve files; the client accepts it): an image's by its first bytes, read here; else the kind's first
  // (`video/mp4`, `image/png`). The result is still the model's video or image.
  const [sniffed, setSniffed] = useState<{ blob: Blob; type: string | undefined }>();
  const blob = run.result;
  const served = !blob || resultTypes[kind].includes(blob.type);
  useEffect(() => {
    if (served || kind !== "image") return;
    let live = true;
    void imageTypeOf(blob)
      .catch(() => undefined)
      .then((type) => live && setSniffed({ blob, type }));
    return () => {
      live = false;
    };
  }, [blob, served, kind]);
  // The result with that type (the same bytes, not copied); none until an image's bytes are read.
  const result = useMemo(() => {
    if (served) return blob;
    if (kind === "video") return new Blob([blob], { type: resultTypes.video[0] });
    if (sniffed?.blob === blob) return new Blob([blob], { type: sniffed.type ?? resultTypes.image[0] });
  }, [blob, served, kind, sniffed]);
  const src = useResultUrl(result);
  // An image made (and paid for) whose answer the client did not accept (a type the spec does not list for it, such as
  // `image/webp`): kept whole on the error's `data`, shown beside the error, its object URL revoked when the run is
  // replaced or the page goes (`useResultUrl`). Shown and offered by its bytes' own type, a raster image's
  // (`imageTypeOf`), never by the type it was served as: one that is none (`image/svg+xml`, whose script would run in
  // the page's origin once its link is opened in a tab) is not shown, and offered as `application/octet-stream`.
  const keptImage = InvalidResponseError.isInstance(run.error) ? run.error.data : undefined;
  const [keptType, setKeptType] = useState<{ blob: Blob; type: string | undefined }>();
  useEffect(() => {
    if (!keptImage) return;
    let live = true;
    void imageTypeOf(keptImage)
      .catch(() => undefined)
      .then((type) => live && setKeptType({ blob: keptImage, type }));
    return () => {
      live = false;
    };
  }, [keptImage]);
  const keptFile = useMemo(
    () =>
      keptImage && keptType?.blob === keptImage
        ? new Blob([keptImage], { type: keptType.type ?? "application/octet-stream" })
        : undefined,
    [keptImage, keptType],
  );
  const kept = useResultUrl(keptFile);
  const keptName = keptFile && `decart-${run.jobId ?? fallbackName}.${extensionOf(keptFile.type)}`;
  // While the job's status reads fail, the hook's `retrying` (its status stays the last one read): one entry when they
  // begin to fail, and the status again once a read answers.
  const retrying = run.retrying;
  const reached = retrying ? "retrying" : run.status;
  const detail = retrying && `${retrying.error.code}: ${retrying.error.message}`;
  useEffect(() => {
    if (reached === "idle") return;
    setTimeline((entries) =>
      entries.at(-1)?.status === reached
        ? entries
        : [...entries, { status: reached, detail, at: Date.now(), sinceStartMs: performance.now() - startedAt }],
    );
  }, [reached, detail, startedAt]);
  // An error comes: the focus goes to it (where Tab goes on from: Try again), unless the user is typing or choosing in a
  // field (the prompt, a job id, a select): the error comes seconds after the run began, and taking the focus from
  // there would send the next keys nowhere. It is said once: by the focus when it takes it, else as an alert (role
  // `alert`, a live region), never both; the status, "error" or "failed" then, is not read out besides.
  const alert = useRef<HTMLParagraphElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: decided as each error comes, where the focus is then
  const takesFocus = useMemo(() => {
    const at = document.activeElement as HTMLElement | null;
    return !!focusError && !(at?.matches("input, textarea, select") || at?.isContentEditable);
  }, [focusError, run.error]);
  useEffect(() => {
    if (takesFocus && run.error) alert.current?.focus();
  }, [takesFocus, run.error]);
  const fileName = result && `decart-${run.jobId ?? fallbackName}.${extensionOf(result.type)}`;
  return (
    <section aria-label={title}>
      <h2>{title}</h2>
      <p>
        {/* A live region: read out as it changes (once when the run is no longer watched), but not for an error, which
            its alert or the focus on it says. Where the focus goes when the control that had it goes. */}
        <output aria-label="Status" aria-live={run.error ? "off" : undefined} tabIndex={-1} ref={status}>
          {run.status}
          {!run.watching && isBusy(run.status) && (
            <span className="stopped"> (no longer watched: the job goes on)</span>
          )}
        </output>
        {run.jobId && <span className="job"> job {run.jobId}</span>}
        {/* Only "retrying" is read out, once as the reads begin to fail; the attempt and the error are shown beside it.
            The live region is there, empty, before: a screen reader reads the text that comes into a region it knows,
            not one inserted with its text. */}
        <span className="retrying">
          {retrying && " "}
          <span role="status" aria-label="Retrying">
            {retrying && "retrying"}
          </span>
          {retrying &&
            ` (attempt ${retrying.attempt}, next in ${Math.round(retrying.delayMs)} ms) … ${retrying.error.message}`}
        </span>
        {run.status === "downloading" && run.progress && (
          <span>
            {" "}
            {run.progress.receivedBytes} / {run.progress.totalBytes ?? "?"} bytes
          </span>
        )}
      </p>
      <Timeline entries={timeline} />
      {run.error && (
        <p role={takesFocus ? undefined : "alert"} className="error" tabIndex={-1} ref={alert} id={errorId}>
          {run.error.message}
        </p>
      )}
      {kept && keptImage && keptFile && (
        <>
          <p className="kept">
            Kept from an answer the client did not accept: {keptImage.size} bytes, {keptImage.type}, made and paid for.
            {keptFile.type === "application/octet-stream" &&
              " Not shown: its bytes are no PNG, JPEG, WebP, AVIF or GIF."}
          </p>
          {keptFile.type !== "application/octet-stream" && (
            <img src={kept} alt={`${title}, kept from a refused answer`} />
          )}
          <p>
            <a href={kept} download={keptName} className="button" aria-label={`Download ${title}: ${keptName}`}>
              Download
            </a>
          </p>
        </>
      )}
      {run.canRetry && !inputRefused.test(run.error?.code ?? "") && (
        <p>
          <button
            type="button"
            ref={again}
            onClick={() => {
              // The button goes while the run goes on: the focus to its stop button, else its status.
              handOff(stop, status);
              void run.retry();
            }}
          >
            {run.error ? "Try again" : "Watch again"}
          </button>
        </p>
      )}
      {src && result && run.result && (
        <>
          {result.type.startsWith("video/") ? (
            <video
              src={src}
              controls
              autoPlay={!still}
              muted
              loop={!still}
              playsInline
              aria-label={`${title}: video`}
            />
          ) : (
            <img src={src} alt={title} />
          )}
          <p>
            <a href={src} download={fileName} className="button" aria-label={`Download ${title}: ${fileName}`}>
              Download
            </a>{" "}
            {result.size} bytes, {result.type}
            {result !== run.result && ` (served as ${run.result.type || "no type"})`}
          </p>
        </>
      )}
    </section>
  );
}
