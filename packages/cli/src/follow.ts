import { rm } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import {
  AbortError,
  aborted,
  ConnectionError,
  createJobWatch,
  type DecartClient,
  DecartError,
  JobTimeoutError,
  RateLimitError,
  TimeoutError,
} from "@decart/core";
import { saveResult } from "@decart/core/node";
import { now } from "./clock.js";
import { type Code, codeOf, requestIdOf } from "./codes.js";
import { jobWords, Placeholder, type Word } from "./command.js";
import { after, duration, exitCodeOf, messageOf, unknownAnswer } from "./errors.js";
import { CliError, EXIT, type ExitCode, hintResume, interruptedBy, interruptedCode } from "./exit.js";
import {
  type Avoid,
  ensureDirectoryOf,
  fsReason,
  placeFile,
  removeStalePartials,
  savedThrough,
  sessionBound,
  temporaryPath,
  tracking,
} from "./files.js";
import { JOB_ID_REFUSED, type Journal } from "./journal.js";
import { type Output, untrusted } from "./output.js";
import { onInterrupt } from "./signals.js";
import { checkingVideo } from "./video-type.js";
import { type Budget, type JobEvent, madeJob, type Stop, stopOf } from "./watch.js";

/**
 * The command that picks up watching a job where an interrupted one left it: with the URL and the journal in effect
 * (see `Output.command`), the result's path, or a `<file>` the user chooses where it was a descriptor (`-o /dev/fd/3`
 * of `3> >(…)`, `-o >(…)`) or a device (see `sessionBound`: looked up, never opened), which that command would not reuse, and
 * `--timeout` as it was given.
 */
export const resumeCommand = (output: Output, jobId: string, path?: string, timeout?: string) =>
  output.command(
    ...jobWords<Word>(["jobs", "wait"], jobId, [
      ...(path ? ["-o", sessionBound(path) ? new Placeholder("<file>") : path] : []),
      ...(timeout !== undefined ? ["--timeout", timeout] : []),
    ]),
  );

/**
 * The command that downloads a completed job's result again (its result stays on the server): to `path`, or to a
 * `<file>` the user chooses where `path` was a descriptor (`-o /dev/fd/3` of `3> >(…)`) or a device (see
 * `sessionBound`: looked up, never opened), which that command would not reuse.
 */
export const resultCommand = (output: Output, jobId: string, path: string) =>
  output.command(...jobWords(["jobs", "result"], jobId, ["-o", sessionBound(path) ? new Placeholder("<file>") : path]));

/** `resultCommand` with `<file>` for the path, to be chosen by the user. */
const resultCommandTo = (output: Output, jobId: string) =>
  output.command(...jobWords(["jobs", "result"], jobId, ["-o", new Placeholder("<file>")]));

/**
 * Stops watching on the first Ctrl-C, SIGTERM or SIGHUP (the job is never cancelled; the caller prints how to resume);
 * a caller with a request in flight that may make something paid for (a submit, an image) does not pass it the signal
 * and lets it finish (see `heldRequest`). A second one exits at once (a file the CLI has not finished writing is
 * removed as it exits: see `tracking`); the same signal again within `ONE_DELIVERY_MS` of the first is the first (see
 * `onInterrupt`). Returns the signal to pass to the watch, and a function that removes the handler.
 */
export function interruptible(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  // SIGTERM (a `kill`, a service manager, a CI's cancel) stops watching as Ctrl-C does: the job id and the command that
  // resumes are printed, rather than the process ending silently mid-wait. So does SIGHUP (a terminal closed, an ssh
  // connection dropped), which would otherwise end the process at once: a submit in flight made a job neither printed
  // nor journaled, a download left its temporary file. It ends with exit 129 (see `interruptedExit`).
  const release = onInterrupt((signal) => {
    interruptedBy(signal);
    controller.abort();
  });
  return { signal: controller.signal, release };
}

/**
 * A command's inputs read under the CLI's handler of Ctrl-C, SIGTERM and SIGHUP (installed before standard input is
 * read: `-`, `field=@-`, `decart batch -`), then `use`d with the handler still installed; it is released once `use`
 * ends. A signal while `read` runs stops the read at once (rather than ending the process by the signal), nothing
 * sent: what `unsent` returns (it says so) is the command's.
 */
export async function withInputs<T, R>(
  read: (signal: AbortSignal) => Promise<T>,
  unsent: () => R,
  use: (inputs: T, signal: AbortSignal) => Promise<R>,
): Promise<R> {
  const { signal, release } = interruptible();
  try {
    let inputs: T;
    try {
      inputs = await read(signal);
    } catch (error) {
      if (signal.aborted && AbortError.isInstance(error)) return unsent();
      throw error;
    }
    return await use(inputs, signal);
  } finally {
    release();
  }
}

/**
 * What a command tells on stderr at the first Ctrl-C, SIGTERM or SIGHUP while a request that is paid for waits for its
 * answer: the request is let finish (the server may have done the work already), so that `what` is not lost; a second
 * signal exits at once (see `interruptible`).
 */
export const heldRequest = (output: Output, what: string) => () =>
  output.warn(output.err.yellow(`Waiting for ${what}; Ctrl-C again stops at once`));

/**
 * How long the first signal lets the answer of a request sent whole come (a submit of `video`, `jobs submit` and a
 * batch, and `image`'s request: see `letFinish`): a job's submit is answered as soon as its body is in, and whoever
 * sent SIGTERM (a service manager, a CI's cancel, a container's stop) sends SIGKILL some seconds later, when nothing
 * could be said any more. An image is answered only once it is made: one that takes longer is not waited for (the
 * CLI says it may have been made), rather than held for as long as the client waits for an upload's answer (10
 * minutes), with nothing said if SIGKILL comes meanwhile.
 */
export const SUBMIT_GRACE_MS = 5000;

/**
 * `video` and `jobs submit`: their submit is let finish (for `SUBMIT_GRACE_MS` at most), so that its job id is printed
 * and journaled.
 */
export const heldSubmit = (output: Output) =>
  heldRequest(
    output,
    `the submit's answer (${SUBMIT_GRACE_MS / 1000} s at most), so that the job id is not lost (the server may have ` +
      "made the job already)",
  );

/** `image`: its request is let finish (for `SUBMIT_GRACE_MS` at most), so that the image is saved. */
export const heldImage = (output: Output) =>
  heldRequest(
    output,
    `the image (${SUBMIT_GRACE_MS / 1000} s at most), so that it is not lost (the server may have made it already)`,
  );

/**
 * How the answer of a request stopped after the grace (`unanswered`) did not come: none at all, or its headers only
 * (its body, which holds the job id, not whole).
 */
export const answerWithin = (stop: { graceMs: number; status?: number | undefined }): string =>
  stop.status === undefined
    ? `did not come within ${stop.graceMs / 1000} s`
    : `had not come whole within ${stop.graceMs / 1000} s (its headers came, HTTP ${stop.status}, not its body)`;

/**
 * The end of a command whose first Ctrl-C, SIGTERM or SIGHUP stopped its paid request (`what`: a submit, an image
 * request) before it was at the API (`stop`, see `letFinish`; none: before it started): nothing was made. An
 * `interrupted` event without a job id (there is none, nothing to resume), and exit 130 (129 for SIGHUP). A request
 * whose answer did not come within `SUBMIT_GRACE_MS` of the signal (`unanswered`) may have made a job whose id never
 * came back, or an image that was not saved: the event says so (`code`: `SUBMIT_OUTCOME_UNKNOWN`, and the answer's
 * `request_id` if its headers came), and so does the message.
 */
export function unsentInterrupt(output: Output, what: "submit" | "image request", stop?: Stop): ExitCode {
  const made = what === "submit" ? "job" : "image";
  if (stop?.kind === "unanswered") {
    output.event({
      type: "interrupted",
      code: "SUBMIT_OUTCOME_UNKNOWN",
      request_id: stop.requestId,
      exit_code: interruptedCode(),
    });
    output.warn(
      output.err.yellow(
        untrusted(
          `Interrupted: the ${what}'s answer ${answerWithin(stop)} of the signal, so the CLI ` +
            "stopped waiting for it. The request had reached the server: " +
            (what === "submit"
              ? "a job may have been made (and billed) although its id never came back, so the journal holds only " +
                "its submit, as one whose outcome is unknown (decart jobs list shows it)"
              : "an image may have been made (and billed) although it never came back, so nothing was saved") +
            (stop.requestId
              ? `; the answer's request id, ${stop.requestId}, is what support can find it by. `
              : stop.status !== undefined
                ? "; its answer carried no request id (x-request-id) to give support either. "
                : ", and with no answer there is no request id to give support either. ") +
            `Running the command again ${what === "submit" ? "submits" : "makes"} (and bills) another one`,
        ),
      ),
    );
    return EXIT.interrupted;
  }
  output.event({ type: "interrupted", exit_code: interruptedCode() });
  const when =
    stop?.kind === "refused"
      ? // A 301, 302, 307 or 308 (the request sent on elsewhere) is no refusal: it was redirected.
        /^30[1278]$/.test(String(stop.status))
        ? `as the ${what} was redirected (HTTP ${stop.status}), before it was sent on: the server that redirected it ` +
          "did not act on it"
        : `while the ${what} waited to be sent again: the server refused it (HTTP ${stop.status}), so it did not act on it`
      : stop?.kind === "cut"
        ? `before the ${what} was sent whole, no answer had come: the server has not acknowledged it`
        : `before the ${what} reached the API: nothing was sent to it`;
  output.warn(output.err.yellow(`Interrupted ${when}, no ${made} was made (nothing to resume)`));
  return EXIT.interrupted;
}

/**
 * Transfer progress as NDJSON (`downloading` with `received_bytes`, `uploading` with `sent_bytes`): at the start, at
 * each tenth of the total (or each MiB without one), and at the end.
 */
function progressEvents(output: Output, type: "downloading" | "uploading", fields: Record<string, unknown>) {
  const key = type === "downloading" ? "received_bytes" : "sent_bytes";
  let lastStep = -1;
  return (bytes: number, totalBytes: number | undefined) => {
    const step = totalBytes ? Math.floor((bytes / totalBytes) * 10) : Math.floor(bytes / 1_048_576);
    if (step === lastStep && bytes !== totalBytes) return;
    lastStep = step;
    output.event({ type, ...fields, [key]: bytes, total_bytes: totalBytes });
  };
}

/**
 * A progress bar on stderr, only on an interactive terminal; cleared as it stops. Without a total (an answer sent
 * without `Content-Length`), the bytes so far alone: no bar nor percentage, which would say nothing true.
 */
async function progressBar(output: Output, label: string) {
  if (!output.live) return undefined;
  const { default: progress } = await import("cli-progress");
  let known = true;
  const withTotal = `${label} {bar} {percentage}% {value}/{total} bytes`;
  const bar = await output.liveBar({
    format: (options, params, payload) =>
      known
        ? progress.Format.Formatter({ ...options, format: withTotal }, params, payload)
        : `${label} ${params.value} bytes`,
    clearOnComplete: true,
  });
  return {
    update(received: number, total: number | undefined) {
      known = total !== undefined;
      bar?.update(received, total ?? 0);
    },
    stop: () => bar?.stop(),
  };
}

/**
 * Upload progress of a submit with files: `uploading` events, and a bar on a terminal. Nothing for a submit
 * without files (its total is 0).
 */
export async function uploadProgress(output: Output, chatter = true) {
  const events = progressEvents(output, "uploading", {});
  const bar = chatter ? await progressBar(output, "Uploading") : undefined;
  return {
    onUploadProgress: ({ sentBytes, totalBytes }: { sentBytes: number; totalBytes: number | undefined }) => {
      if (totalBytes === 0) return;
      events(sentBytes, totalBytes);
      bar?.update(sentBytes, totalBytes);
      if (totalBytes !== undefined && sentBytes >= totalBytes) bar?.stop();
    },
    stop: () => bar?.stop(),
  };
}

/**
 * Streams a completed job's result to `path` (its directory created if need be) with the client's `saveResult`: into
 * a temporary file beside it, checked against the answer's `Content-Length` (a body cut short is downloaded again),
 * renamed only when complete. A name the user gave (`-o`, a batch line's result) is its target, replaced; a name the
 * CLI chose (`avoid`) is a file that saveResult completes under a temporary name, then put in place by `placeFile`,
 * which never replaces a file. Answers where it went, its size and the media type the server labelled it with (its
 * `Content-Type` without parameters, lower case; undefined where it had none). A failure leaves no file behind.
 */
export async function downloadResult(
  client: DecartClient,
  jobId: string,
  path: string,
  output: Output,
  signal: AbortSignal,
  {
    bar = true,
    avoid,
    deadline,
    tag,
    again,
  }: {
    bar?: boolean;
    avoid?: Avoid | undefined;
    deadline?: number | undefined;
    /** Added to its `downloading` events (a batch line's `custom_id`: see `FollowOptions.tag`). */
    tag?: FollowOptions["tag"];
    /** See `FollowOptions.again`. */
    again?: string | undefined;
  } = {},
): Promise<{ path: string; bytes: number; contentType?: string | undefined }> {
  const target = avoid ? temporaryPath(path) : path;
  const events = progressEvents(output, "downloading", { ...tag, job_id: jobId });
  const progress = bar ? await progressBar(output, "Downloading") : undefined;
  try {
    // (Where a link to nowhere points: the client's save writes through it.)
    await ensureDirectoryOf(avoid ? path : await savedThrough(path));
    // What downloads to this path killed before they ended left (see `removeStalePartials`).
    await removeStalePartials(path);
    // The temporary files (saveResult's, named here, and the CLI's own under a name it chose; not `-o`, which is the
    // user's) are removed if the process exits meanwhile (a second Ctrl-C).
    return await tracking(async (track) => {
      if (avoid) track(target);
      // Bytes that are no video (an error page sent as `application/octet-stream`) are not saved as one.
      // The media type the server labelled the result with (the `saved` event's `server_content_type`).
      let contentType: string | undefined;
      const labelled = (type: string | undefined) => {
        contentType = (type ?? "").split(";")[0]!.trim().toLowerCase() || undefined;
      };
      const { bytes } = await saveResult(checkingVideo(client, labelled), jobId, target, {
        signal,
        ...(deadline !== undefined && { deadline }),
        onProgress: ({ receivedBytes, totalBytes }) => {
          events(receivedBytes, totalBytes);
          progress?.update(receivedBytes, totalBytes);
        },
        // A download cut short (or failed) and started again from its first byte: an event (tagged for a batch's line),
        // and said on stderr as a status read's retry is (not by a batch: no line per job), before its progress falls
        // back to 0.
        onRetry: ({ attempt, delayMs, error, receivedBytes }) => {
          output.event({
            type: "retrying_download",
            ...tag,
            job_id: jobId,
            attempt,
            delay_ms: Math.ceil(delayMs),
            code: error.code,
            ...(error.status !== undefined && { status: error.status }),
            received_bytes: receivedBytes,
          });
          if (bar)
            output.info(
              `${output.err.yellow("↻")} ${untrusted(retryingDownload(jobId, attempt, delayMs, error, receivedBytes))}`,
            );
        },
        temporaryPath: (file) => track(temporaryPath(file)),
      });
      return { path: avoid ? await placeFile(target, path, avoid) : path, bytes, contentType };
    });
  } catch (e) {
    if (avoid) await rm(target, { force: true });
    // The disk refused (the place taken meanwhile, a full disk …): the result is paid for and still on the server. The
    // client's FILE_WRITE_FAILED names its temporary file and its own API; the user's path and the CLI's command here,
    // with the system's code (`ENOSPC` …), as an image's write says it.
    const cause = (e as { code?: unknown }).code === "FILE_WRITE_FAILED" ? (e as { cause?: unknown }).cause : e;
    const { code, syscall } = (cause ?? {}) as NodeJS.ErrnoException;
    if (typeof code === "string" && typeof syscall === "string") {
      throw new CliError(
        `Could not save the result of ${jobId} to ${path} (${fsReason(cause)}); it stays on the server: ` +
          (again ?? resultCommandTo(output, jobId)),
        EXIT.error,
        jobId,
        true,
        code as Code,
      );
    }
    throw e;
  } finally {
    progress?.stop();
  }
}

export interface FollowOptions {
  client: DecartClient;
  output: Output;
  journal: Journal;
  signal: AbortSignal;
  /**
   * The `--timeout` budget of the job's watch (see `Budget`): the download of its result ends at its deadline too, with
   * the timeout's exit code and the command that downloads the result again.
   */
  budget?: Budget | undefined;
  /** Where the result goes; for a job submitted here, recorded in the journal with the job id. */
  path: string | ((jobId: string) => string);
  /** Given when `path` is a name the CLI chose: it never replaces a file (see `placeFile`). */
  avoid?: Avoid | undefined;
  /** Recorded with `submitted` in the journal. */
  model?: string | undefined;
  /** Added to every NDJSON event and journal record of the job (a batch line's `custom_id`). */
  tag?: { custom_id?: string; batch?: string } | undefined;
  /** `--timeout` as given: carried by the commands printed to pick the job up again. */
  timeout?: string | undefined;
  /**
   * What downloads the result again once the job is done, when it is not `decart jobs result <id> -o <file>` (a batch
   * line's: the batch again with `--resume`).
   */
  again?: string | undefined;
  /**
   * Added to the journal's `submitted` record only: the API's URL the job was made on (which `jobs wait` watches it
   * on), and a batch line's `line_hash` (see `runBatch`).
   */
  recorded?: { base_url?: string; line_hash?: string; submit_id?: string | undefined } | undefined;
  /**
   * `true` for a job the journal does not know (`jobs wait` of an id made elsewhere): recorded as `submitted` (with
   * `model`, `path` and `recorded`) at its first event the server answered for it (a status read, or its end: the job
   * exists; not a read that failed and is tried again), before that event is told, so that `jobs list` shows it and
   * `jobs wait <id>` finds its path and API however the wait ends (Ctrl-C, `--timeout`). An id the server does not
   * know (404) ends the wait unrecorded.
   */
  unjournaled?: boolean | undefined;
  /** `false`: no line per event on stderr (a batch shows its own progress). Default `true`. */
  chatter?: boolean;
  /**
   * Called when a record of the job could not be written to the journal (after its `journal_failed` event). The job
   * goes on all the same: its id is in the events and the messages. Default: `warnUnrecorded`.
   */
  unrecorded?: ((jobId: string, error: unknown) => void) | undefined;
}

/**
 * The warning of a command that follows one job, when the journal cannot record it: once, on stderr, with the job id
 * and the command that picks the job up again. (The command then ends with exit 1 instead of 0: see `journalExit`.)
 */
export function warnUnrecorded(
  output: Output,
  journal: Journal,
  path: () => string | undefined,
  timeout?: string | undefined,
) {
  let warned = false;
  return (jobId: string, error: unknown): void => {
    if (warned) return;
    warned = true;
    output.warn(
      output.err.yellow(
        untrusted(
          `⚠ Could not write the journal ${journal.path} (${fsReason(error)}): job ${jobId} is not recorded there; ` +
            `the job goes on. Keep its id: ${resumeCommand(output, jobId, path(), timeout)}`,
        ),
      ),
    );
  };
}

/**
 * A command's exit code once it is done: 1 instead of 0 when the journal could not record one of its jobs, told by an
 * `error` event (its `code` the system's: `ENOSPC` …), so that the last line of a run that exits non-zero carries its
 * exit code as every failure's does (the warning on stderr was given as the record failed: see `warnUnrecorded`).
 */
export function journalExit(code: number, journal: Journal, output: Output): number {
  if (code !== EXIT.ok || journal.failure === undefined) return code;
  const system = (journal.failure as { code?: unknown }).code;
  output.event({
    type: "error",
    exit_code: EXIT.error,
    ...(typeof system === "string" && { code: system }),
    message: `Could not write the journal ${journal.path} (${fsReason(journal.failure)}): a job is not recorded there; its id is in the events above`,
  });
  return EXIT.error;
}

/**
 * Records a submit in the journal before it is sent (see `SubmitRecord`), answering its `submit_id` for the job's
 * `submitted` record (`FollowOptions.recorded`); undefined when the journal could not write it: the submit goes on, and
 * the journal's failure is the command's (see `journalExit`).
 */
export const beginSubmit = (
  journal: Journal,
  record: Parameters<Journal["beginSubmit"]>[0],
): Promise<string | undefined> => journal.beginSubmit(record).catch(() => undefined);

/**
 * Settles a submit recorded before it was sent (`submitId`, see `beginSubmit`) that ended with no job id, when it
 * certainly made no job: refused by the client before it was sent (`INVALID_INPUT`) or by the server (an HTTP error
 * status), a connection failure the client says reached nothing (refused, a name that did not resolve, an untrusted
 * certificate: a `ConnectionError` not `SUBMIT_OUTCOME_UNKNOWN`), or a signal that stopped it before it was at the API
 * (`stop`). Any other end (`SUBMIT_OUTCOME_UNKNOWN`, an answer not waited for past the grace, a timeout) leaves it
 * unsettled: a job may exist, which `jobs list` and a batch's `--resume` tell. Answers whether a job may exist (a
 * batch keeps such a line out of the lines to run again: see `runBatch`), whether or not the journal holds its submit.
 */
export async function settleUnmade(
  journal: Journal,
  submitId: string | undefined,
  ended: { error: unknown } | { stop: Stop | undefined },
): Promise<boolean> {
  const stop = "stop" in ended ? ended.stop : stopOf(ended.error);
  let made: boolean;
  if (stop || "stop" in ended) made = stop?.kind === "unanswered";
  else {
    // The client's word on what reached the server: a connection failure that is not SUBMIT_OUTCOME_UNKNOWN (refused,
    // a name that did not resolve, an untrusted certificate) sent nothing it could take, nor did a rate limit (a 429,
    // or a request the client held, not sent, while a long Retry-After ran). A timeout (the CLI's --timeout too) or an
    // abort may have come after the body was sent: kept as may-have-made.
    const { code, status } = (ended.error ?? {}) as { code?: unknown; status?: unknown };
    made =
      madeJob(ended.error) !== undefined ||
      !(
        code === "INVALID_INPUT" ||
        RateLimitError.isInstance(ended.error) ||
        (ConnectionError.isInstance(ended.error) && code !== "SUBMIT_OUTCOME_UNKNOWN") ||
        (typeof status === "number" && status >= 400 && code !== "SUBMIT_OUTCOME_UNKNOWN")
      );
  }
  if (!made && submitId !== undefined) await journal.settleSubmit(submitId).catch(() => undefined);
  // Left unsettled: how it ended goes with it (the answer's request id, which support finds it by, its status, the
  // client's words), which `jobs list` shows.
  const outcome = made && submitId !== undefined ? unknownOutcome(ended) : undefined;
  if (outcome && Object.values(outcome).some((value) => value !== undefined))
    await journal.noteUnknownSubmit(submitId!, outcome).catch(() => undefined);
  return made;
}

/** What the journal keeps of how a submit ended with its outcome unknown (see `Journal.noteUnknownSubmit`). */
function unknownOutcome(ended: { error: unknown } | { stop: Stop | undefined }) {
  const stop = "stop" in ended ? ended.stop : stopOf(ended.error);
  if (stop?.kind === "unanswered")
    return {
      request_id: stop.requestId,
      status: stop.status,
      reason: `its answer did not come within ${stop.graceMs / 1000} s of the signal, so it was not waited for`,
    };
  const error = "error" in ended ? ended.error : undefined;
  const { message, status } = (error ?? {}) as { message?: unknown; status?: unknown };
  // The client's words before its own last clause (that a job may exist, and to ask support: see `messageOf`); not the
  // CLI's own (a job id it refused, which is kept out of the journal: see `checkServerJobId`; said so in fixed words).
  const words = DecartError.isInstance(error) && typeof message === "string" ? message : undefined;
  const end = words?.lastIndexOf(";") ?? -1;
  // A job id refused (the CLI's only `INVALID_RESPONSE`): answered all the same, which a batch run again says.
  const refused = error instanceof CliError && error.code === "INVALID_RESPONSE";
  // `--timeout` ran out once the request had reached the server (see `submitTimedOut`): its words up to what may have
  // been made, which the message says the journal holds.
  const timedOut =
    error instanceof CliError && error.code === "SUBMIT_OUTCOME_UNKNOWN"
      ? error.message.slice(0, error.message.indexOf(": "))
      : undefined;
  return {
    request_id: requestIdOf(error),
    status: typeof status === "number" ? status : undefined,
    reason: refused ? JOB_ID_REFUSED : (timedOut ?? (words && (end > 0 ? words.slice(0, end) : words))),
  };
}

/** How a followed job ended: saved, failed (the server's reason), or no longer watched (Ctrl-C). */
export type Outcome =
  | { state: "saved"; jobId: string; path: string; bytes: number }
  | { state: "failed"; jobId: string; error: string }
  | {
      state: "interrupted";
      jobId: string | undefined;
      path: string | undefined;
      stop?: Stop | undefined;
      /** The submit's failure after the signal, its outcome unknown (`SUBMIT_OUTCOME_UNKNOWN`): a job may exist. */
      unknown?: unknown;
      /** The job was seen completed (its download stopped): its result stays on the server. */
      completed?: boolean;
    };

/** A wait as the retrying line says it: in ms under a second (0.0 s would read as no wait), else in s. */
function wait(ms: number): string {
  return ms < 1000 ? `${Math.ceil(ms)} ms` : `${(Math.ceil(ms / 100) / 10).toFixed(1)} s`;
}

/** A `retrying` event as its line on stderr says it. */
const retryingLine = ({ jobId, attempt, delayMs, error }: Extract<JobEvent, { type: "retrying" }>) =>
  `${jobId} retrying (attempt ${attempt}, next try in ${wait(delayMs)}): ${error.code}` +
  (error.status ? ` (HTTP ${error.status})` : "");

/** A download started again (saveResult's `onRetry`) as its line on stderr says it, in the words of `retryingLine`. */
const retryingDownload = (jobId: string, attempt: number, delayMs: number, error: DecartError, bytes: number) =>
  `${jobId} retrying download (attempt ${attempt}, next try in ${wait(delayMs)}): ${error.code}` +
  (error.status ? ` (HTTP ${error.status})` : "") +
  (bytes ? ` after ${bytes} bytes; it starts again from the first byte` : "");

/**
 * The download of a job's result right after its watch saw it `completed` (`video`, `jobs wait`, a batch's line): a 404
 * or 409 (a deployment's content may lag its status a moment) is tried again as the client's own watch tries it, its
 * engine (`createJobWatch`) saying when: at most 3 times in a row, with its backoff, within `deadline` (the watch's
 * default budget without one) and `signal`; each try again is told (`tell`, the `retrying` line). Then it fails as it
 * is, or, the deadline come meanwhile, with the watch's `JobTimeoutError` (see `downloadFailed`). Any other failure is
 * as `download` ends with it (the client's `saveResult` retried it already). `jobs result` (no watch) takes a 404 as
 * it is: no such job.
 */
async function afterCompleted<T>(
  jobId: string,
  signal: AbortSignal,
  deadline: number | undefined,
  download: () => Promise<T>,
  tell: (line: string) => void,
): Promise<T> {
  const watch = createJobWatch({ jobId, now, deadline, schedule: () => 0 });
  watch.start();
  watch.status({ job: { job_id: jobId, status: "completed" } });
  for (;;) {
    try {
      return await download();
    } catch (error) {
      if (signal.aborted || !/^40[49]$/.test(String((error as { status?: unknown } | undefined)?.status))) throw error;
      // The watch's error when it ends: the 404 still failing after its tries, or its `JobTimeoutError` once the
      // deadline stopped a try (a read sent before it and answered after it too), which ends as any timeout does.
      const { events, next } = watch.error(error);
      if (!("download" in next)) throw "error" in next ? next.error : error;
      for (const event of events) if (event.type === "retrying") tell(retryingLine(event));
      await sleep(next.download, undefined, { signal }).catch(() => {
        throw aborted(jobId);
      });
    }
  }
}

/** The HTTP status of an error (a client error's), if it has one. */
const statusOf = (error: unknown): unknown => (error as { status?: unknown } | undefined)?.status;

/**
 * Renders a job's events (NDJSON, and lines for a human on stderr), records the job id in the journal as soon as it
 * is known (flushed to disk before the next event, so before any waiting), and streams the result to disk. Errors other
 * than a Ctrl-C are thrown, with the job id when there is one.
 */
export async function follow(events: AsyncIterable<JobEvent>, options: FollowOptions): Promise<Outcome> {
  const { client, output, journal, signal, tag } = options;
  const c = output.err;
  const info = (line: string) => options.chatter !== false && output.info(line);
  let jobId: string | undefined;
  let path: string | undefined;
  let completed = false;
  // The status last written as an NDJSON event, per job: the core emits `status` again after a `retrying` event,
  // changed or not (so that a view can leave its retrying state); stdout has a `status` event on a change only.
  const shownStatus = new Map<string, string>();
  const pathOf = (id: string) => (typeof options.path === "string" ? options.path : options.path(id));
  const unrecorded = options.unrecorded ?? warnUnrecorded(output, journal, () => path, options.timeout);
  // A record the journal cannot write does not stop the job (see `unrecorded`): `written` answers why it failed (in a
  // box: whatever was thrown), `unwritten` tells it.
  const written = async (record: Parameters<Journal["append"]>[0]): Promise<{ error: unknown } | undefined> => {
    try {
      await journal.append(record);
      return undefined;
    } catch (error) {
      return { error };
    }
  };
  const unwritten = (jobId: string, { error }: { error: unknown }) => {
    output.event({ type: "journal_failed", ...tag, job_id: jobId, error: fsReason(error) });
    unrecorded(jobId, error);
  };
  const note = async (record: Parameters<Journal["append"]>[0]) => {
    const failure = await written(record);
    if (failure) unwritten(record.job_id, failure);
  };
  let unjournaled = options.unjournaled;
  // The server has neither the job nor its result (see `JournalRecord`'s `gone`).
  const noteGone = (id: string, error: unknown) =>
    note({ ...tag, job_id: id, event: "gone", error: aboutIt(id, error) });
  try {
    for await (const event of events) {
      jobId = event.jobId;
      path ??= pathOf(event.jobId);
      if (unjournaled && event.type !== "retrying") {
        unjournaled = false;
        await note({ ...tag, ...options.recorded, job_id: jobId, event: "submitted", model: options.model, path });
      }
      switch (event.type) {
        case "submitted": {
          // Recorded (flushed) before it is told; a record that failed is told after it, so that `submitted` comes
          // first and the line on stderr names the journal only when the job is in it.
          const failure = await written({
            ...tag,
            ...options.recorded,
            job_id: jobId,
            event: "submitted",
            model: event.model ?? options.model,
            path,
          });
          output.event({ type: "submitted", ...tag, job_id: jobId, model: event.model });
          info(
            `${c.green("✓")} Submitted ${c.bold(untrusted(jobId))}` +
              (failure ? "" : ` ${c.dim(untrusted(`(journal: ${journal.path})`))}`),
          );
          if (failure) unwritten(jobId, failure);
          break;
        }
        case "status":
          if (shownStatus.get(jobId) !== event.status) {
            shownStatus.set(jobId, event.status);
            output.event({ type: "status", ...tag, job_id: jobId, status: event.status });
          }
          info(`${c.cyan("…")} ${untrusted(`${jobId} ${event.status}`)}`);
          break;
        case "downloading":
          // Not asked for (download: false): the result is streamed to disk below.
          break;
        case "retrying":
          // A status read failed and the client tries it again: said on stderr, where the line above would otherwise
          // stay on the last status for as long as the network is down (the next read that answers prints the status
          // again). Not an NDJSON event: the job's state did not change.
          info(`${c.yellow("↻")} ${untrusted(retryingLine(event))}`);
          break;
        case "failed":
          await note({ ...tag, job_id: jobId, event: "failed", error: event.error });
          output.event({ type: "failed", ...tag, job_id: jobId, error: event.error });
          return { state: "failed", jobId, error: event.error };
        case "completed": {
          await note({ ...tag, job_id: jobId, event: "completed" });
          output.event({ type: "completed", ...tag, job_id: jobId });
          info(`${c.green("✓")} ${untrusted(jobId)} completed`);
          // Stopped from now on, its result stays on the server (see `finish`).
          completed = true;
          const done = jobId;
          const target = path;
          const deadline = options.budget?.deadline;
          const saved = await afterCompleted(
            done,
            signal,
            deadline,
            () =>
              downloadResult(client, done, target, output, signal, {
                bar: options.chatter !== false,
                avoid: options.avoid,
                deadline,
                tag,
                again: options.again,
              }),
            (line) => info(`${c.yellow("↻")} ${untrusted(line)}`),
          ).catch(async (error: unknown) => {
            if (signal.aborted && AbortError.isInstance(error)) throw error;
            // A result the server no longer has: journaled as such, a run again of the request is then no second bill.
            if (statusOf(error) === 410) await noteGone(done, error);
            // The job is done: its result stays on the server, and `jobs result` downloads it (not "may still finish").
            throw downloadFailed(output, done, target, error, deadline, options.again, true);
          });
          path = saved.path;
          const { bytes, contentType } = saved;
          await note({ ...tag, job_id: jobId, event: "saved", path, bytes });
          output.event({
            type: "saved",
            ...tag,
            job_id: jobId,
            path,
            bytes,
            ...(contentType && { server_content_type: contentType }),
          });
          return { state: "saved", jobId, path, bytes };
        }
      }
    }
    throw new CliError("The job's events ended before it did", EXIT.error, jobId);
  } catch (error) {
    if (!signal.aborted || !AbortError.isInstance(error)) {
      // (`jobs wait`: the job's, from the error, when its first read failed before any event.)
      const about = (error as { jobId?: unknown } | undefined)?.jobId;
      const id = jobId ?? (typeof about === "string" ? about : undefined);
      // A submit let finish after a signal (see `letFinish`) whose answer left its outcome unknown (a 500, a connection
      // broken): interrupted all the same, a job may exist (see `finish`).
      if (!id && signal.aborted && codeOf(error) === "SUBMIT_OUTCOME_UNKNOWN")
        return { state: "interrupted", jobId, path, unknown: error };
      if (!id) throw error;
      // A job the journal holds that the server does not know (404: forgotten, or made elsewhere).
      if (!unjournaled && !completed && statusOf(error) === 404) await noteGone(id, error);
      // Where an error's hint says the job may still finish, its command saves the result where this one would have.
      // So once the server answered for the job, or when the journal holds it (`jobs wait` of a job made there whose
      // first read failed: a key refused, say, leaves it going on); not for an id nothing says exists there.
      const resume = resumeCommand(output, id, path ?? pathOf(id), options.timeout);
      if (jobId || !unjournaled) hintResume(error, resume);
      throw askedToWait(error, options.budget, id, resume) ?? error;
    }
    return { state: "interrupted", jobId, path, stop: stopOf(error), completed };
  }
}

/**
 * A watch that the client ended before its budget's end (`Budget.ends`) because a status read was answered with a 429
 * or 503 whose `Retry-After` reaches past that end (the client's `JobTimeoutError`, that answer its `cause`): no read
 * could come within the budget. Told as `jobs status` tells such an answer (see `retryAfter`): how long the server
 * asked to wait, and after when to watch the job again (`resume`), with the answer's code and exit code (1), not as a
 * wait that ran out. (One that ran out, its last read failing so, is the client's as it is.)
 */
function askedToWait(error: unknown, budget: Budget | undefined, jobId: string, resume: string): CliError | undefined {
  const at = now();
  if (!JobTimeoutError.isInstance(error) || budget?.ends === undefined || at >= budget.ends) return undefined;
  const cause = (error as { cause?: unknown }).cause as { message?: unknown; code?: unknown; retryAfterMs?: unknown };
  const ms = cause?.retryAfterMs;
  if (typeof ms !== "number" || !(ms > 0) || !Number.isFinite(at + ms)) return undefined;
  const { lastStatus } = error as { lastStatus?: string };
  return new CliError(
    `${String(cause.message)}; the server asked to wait ${duration(ms)} (Retry-After) before the status of ${jobId} ` +
      `is read again, more than the wait had left (${duration(budget.ends - at)}` +
      `${budget.deadline !== undefined ? " of its --timeout" : ""}), so it stopped (last status: ` +
      `${lastStatus ?? "unknown"}; the job goes on): watch it again after ${after(Date.now(), ms)}: ${resume}`,
    exitCodeOf(cause),
    jobId,
    true,
    codeOf(cause),
    requestIdOf(cause),
  );
}

/**
 * How early, by the CLI's clock, the client's timer for a `deadline` may end a download: a timer fires when the event
 * loop's own clock reaches its time, and that clock is read once per turn of the loop, so it lags `Date.now` by as long
 * as the turn has run (a millisecond on an idle machine, more on a loaded one). A timeout that comes this close to the
 * deadline is the deadline's: a read's own limit (60 s without a byte) ending so close to it left no time for another
 * try.
 */
const DEADLINE_EARLY_MS = 1000;

/**
 * The client's words of a download's failure, without the `Job <id>: ` they may begin with: the CLI names the job. The
 * client writes an id that looks like a key (`ek_…`, `dct_…`: a key pasted as a job id) by its length, `Job 18
 * characters: `, so either form is taken off (the client's errors carry no field that says their message begins so).
 */
const aboutIt = (jobId: string, error: unknown): string => {
  const text = messageOf(error);
  const named = [jobId, `${jobId.length} characters`].find((id) => text.startsWith(`Job ${id}: `));
  return named === undefined ? text : text.slice(`Job ${named}: `.length);
};

/**
 * A download of a completed job's result (`jobs result`, and `video` and `jobs wait` once the job completed) that
 * failed otherwise than by the disk (the content route failing for good, a refused key …) in the CLI's words: the job
 * is done (one that is not answers 409: see `runResult`), its result stays on the server, and this command downloads it
 * again (not `jobs wait`'s "may still finish"); the exit code and the code are the client error's. A failure that says
 * so already (the disk's, see `downloadResult`), and a job the server does not know (404, of `jobs result`) or whose
 * result it no longer has (410), are as they are. A 404 or 409 right after the watch saw the job `completed`
 * (`completed`: still, after `afterCompleted`'s tries) says its result may come later, and the command; so does the
 * watch's `JobTimeoutError` of those tries, with exit 5 (its code `JOB_TIMEOUT`). A timeout once `deadline` (the
 * `--timeout` budget, see `Budget`) has passed, or as it passes (`DEADLINE_EARLY_MS`), is `--timeout`'s: exit 5.
 */
export function downloadFailed(
  output: Output,
  jobId: string,
  path: string,
  error: unknown,
  deadline?: number,
  /** See `FollowOptions.again`. */
  again?: string,
  /** The download came right after the job's watch saw it `completed`: a 404 there is no "no such job". */
  completed = false,
): unknown {
  const { status, cause } = (error ?? {}) as { status?: unknown; cause?: unknown };
  // The deadline came while a 404 or 409 right after `completed` was tried again (see `afterCompleted`): the watch's
  // timeout, exit 5 whatever its last request answered, and the command that downloads the result later.
  if (completed && JobTimeoutError.isInstance(error))
    return new CliError(
      `${deadline !== undefined ? "--timeout" : "The wait"} ran out while the result of ${jobId} was tried again (the ` +
        `server said the job completed, yet its result was not there${cause ? `: ${messageOf(cause)}` : ""}); no ` +
        `file was left; it may come later: ${again ?? resultCommand(output, jobId, path)}`,
      EXIT.timeout,
      jobId,
      true,
      "JOB_TIMEOUT",
    );
  // `--timeout` (its `deadline`) ended the download: exit 5, and the command that downloads the result again.
  if (deadline !== undefined && TimeoutError.isInstance(error) && now() >= deadline - DEADLINE_EARLY_MS)
    return new CliError(
      `--timeout ran out while downloading the result of ${jobId} (the job is completed; no file was left); it ` +
        `stays on the server: ${again ?? resultCommand(output, jobId, path)}`,
      EXIT.timeout,
      jobId,
      true,
      "TIMEOUT",
    );
  if (error instanceof CliError) return error;
  // A job the server does not know (404, of `jobs result`) or whose result it no longer has (410): nothing to download
  // again (no command), the job named as a watch's 404 names it; its status kept (the job is gone: see `runBatch`).
  if ((status === 404 && !completed) || status === 410)
    return Object.assign(
      new CliError(
        `Job ${jobId}: ${aboutIt(jobId, error)}`,
        exitCodeOf(error),
        jobId,
        true,
        codeOf(error),
        requestIdOf(error),
      ),
      { status },
    );
  // A 404 or 409 still, after the tries again of `afterCompleted`: the server said the job completed, yet gave no
  // result.
  if (completed && (status === 404 || status === 409))
    return new CliError(
      `Could not download the result of ${jobId} (${aboutIt(jobId, error)}), although the server said the job ` +
        `completed; its result may come later: ${again ?? resultCommand(output, jobId, path)}`,
      exitCodeOf(error),
      jobId,
      true,
      codeOf(error),
      requestIdOf(error),
    );
  // An answer this version does not know (a result in a video type the client does not take, `video/webm`): `jobs
  // result` alone would be refused the same. The client's words of it, which `messageOf` has say to upgrade
  // @decart/cli, so the command is for after the upgrade (said once).
  return new CliError(
    `Could not download the result of ${jobId} (${aboutIt(jobId, error)}); it stays on the server: ` +
      `${unknownAnswer(error) ? "after the upgrade, run " : ""}` +
      (again ?? resultCommand(output, jobId, path)),
    exitCodeOf(error),
    jobId,
    true,
    DecartError.isInstance(error) ? codeOf(error) : undefined,
    requestIdOf(error),
  );
}

/**
 * The end of a command whose first Ctrl-C, SIGTERM or SIGHUP let its submit finish (see `letFinish`), and whose answer
 * then left its outcome unknown (`error`, `SUBMIT_OUTCOME_UNKNOWN`: a 500, a connection broken): exit 130 (129 for
 * SIGHUP), an `interrupted` event with that code and the answer's `request_id`, the error's words (a job may have been
 * made) on stderr.
 */
export function unknownInterrupt(output: Output, error: unknown): ExitCode {
  output.event({
    type: "interrupted",
    code: "SUBMIT_OUTCOME_UNKNOWN",
    request_id: (error as { requestId?: string }).requestId,
    exit_code: interruptedCode(),
  });
  output.warn(output.err.yellow(untrusted(`Interrupted: ${messageOf(error)}`)));
  return EXIT.interrupted;
}

/** The exit code of one followed job, after telling the user how it ended (`timeout`: `--timeout` as given). */
export function finish(outcome: Outcome, output: Output, timeout?: string): ExitCode {
  const c = output.err;
  switch (outcome.state) {
    case "saved":
      output.saved("Video", outcome.path, outcome.bytes);
      return EXIT.ok;
    case "failed":
      // After its `failed` event, the `error` event every failure ends with, so that the last line of a run that exits
      // non-zero carries its exit code and a code, the client's `JOB_FAILED` (`jobs result` on a failed job ends so
      // too).
      output.event({
        type: "error",
        exit_code: EXIT.jobFailed,
        code: "JOB_FAILED",
        message: `Job ${outcome.jobId} failed: ${outcome.error}`,
        job_id: outcome.jobId,
      });
      output.warn(c.red(untrusted(`✗ Job ${outcome.jobId} failed: ${outcome.error}`)));
      return EXIT.jobFailed;
    case "interrupted": {
      if (outcome.unknown) return unknownInterrupt(output, outcome.unknown);
      // No job id: the signal stopped the submit before its request reached the API (see `letFinish`).
      if (!outcome.jobId) return unsentInterrupt(output, "submit", outcome.stop);
      // A completed job (its download stopped) is done: its result stays on the server, and `jobs result` downloads it.
      const resume =
        outcome.completed && outcome.path
          ? resultCommand(output, outcome.jobId, outcome.path)
          : resumeCommand(output, outcome.jobId, outcome.path, timeout);
      output.event({ type: "interrupted", job_id: outcome.jobId, resume, exit_code: interruptedCode() });
      output.warn(
        c.yellow(
          untrusted(
            outcome.completed
              ? `Stopped downloading the result of ${outcome.jobId}; it stays on the server. Download it with: ${resume}`
              : `Stopped watching ${outcome.jobId}; the job goes on. Resume with: ${resume}`,
          ),
        ),
      );
      return EXIT.interrupted;
    }
  }
}

/** A warning about the journal on stderr (see `openJournal`'s `warn`: a compaction lock held elsewhere). */
export function warnOf(output: Output): (text: string) => void {
  return (text) => output.warn(output.err.yellow(untrusted(`⚠ ${text}`)));
}
