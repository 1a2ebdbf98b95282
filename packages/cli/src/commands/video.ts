import { createHash } from "node:crypto";
import { extname, resolve } from "node:path";
import { jobContentTypes, type VideoModelName } from "@decart/api";
import { models } from "@decart/core";
import { baseUrlOf, clientFor, type GlobalOptions, normalUrl } from "../config.js";
import { usageError } from "../exit.js";
import { checkOutputDirectory, checkOutputFile, freeName, namesStdout, videoName } from "../files.js";
import {
  beginSubmit,
  finish,
  follow,
  heldSubmit,
  journalExit,
  resultCommand,
  resumeCommand,
  SUBMIT_GRACE_MS,
  settleUnmade,
  unsentInterrupt,
  uploadProgress,
  warnOf,
  withInputs,
} from "../follow.js";
import { parseInputs, splitArguments, stdinReader, unreadableInput } from "../inputs.js";
import { checkJournalApart, type Journal, journalsName, openJournal } from "../journal.js";
import { timeoutMs } from "../numbers.js";
import { type Output, untrusted } from "../output.js";
import { type Budget, jobModel, submitAndWatch } from "../watch.js";

/** The model `decart video` and `decart jobs submit` use without `--model`. */
export const DEFAULT_VIDEO_MODEL: VideoModelName = "lucy-pro-t2v";

export interface VideoOptions extends GlobalOptions {
  model?: string;
  output?: string;
  timeout?: string;
  /** Submits a new job although the journal holds an unfinished one of the same request (see `checkUnfinished`). */
  new?: boolean;
}

/** The bytes read at each end of a file input for its fingerprint (see `requestHashes`). */
const FINGERPRINT_BYTES = 65_536;

/**
 * The identities of a video request, its model and inputs (a file by its name, size and type, and a fingerprint of its
 * bytes: the SHA-256 of its first and last `FINGERPRINT_BYTES`, the rest unread): 16 hex digits of the SHA-256 of their
 * JSON, each object's keys sorted. `hash` is journaled with the job (its `line_hash`); `legacy`, the same without the
 * fingerprints, is what earlier versions journaled (two files of the same name and size were one request), matched
 * still for their jobs.
 */
export async function requestHashes(inputs: Record<string, unknown>): Promise<{ hash: string; legacy: string }> {
  const blobs: Array<[string, Blob]> = [];
  JSON.stringify(inputs, (key, v) => (v instanceof Blob ? void blobs.push([key, v]) : v));
  const prints = new Map<Blob, string>();
  // A file removed, replaced or changed since it was opened (see `unreadableInput`): the command's error, not the read's.
  const read = (field: string, blob: Blob, start: number, end?: number) =>
    blob
      .slice(start, end)
      .arrayBuffer()
      .then(Buffer.from, async (error) => Promise.reject(await unreadableInput(field, blob, error)));
  for (const [field, blob] of blobs) {
    const ends = createHash("sha256").update(await read(field, blob, 0, FINGERPRINT_BYTES));
    if (blob.size > FINGERPRINT_BYTES)
      ends.update(await read(field, blob, Math.max(FINGERPRINT_BYTES, blob.size - FINGERPRINT_BYTES)));
    prints.set(blob, ends.digest("hex"));
  }
  const hashOf = (printed: boolean) =>
    createHash("sha256")
      .update(
        JSON.stringify(inputs, (_key, v) =>
          v instanceof Blob
            ? { file: (v as File).name, bytes: v.size, type: v.type, ...(printed && { fingerprint: prints.get(v) }) }
            : v && typeof v === "object" && !Array.isArray(v)
              ? Object.fromEntries(
                  Object.keys(v)
                    .sort()
                    .map((key) => [key, v[key]]),
                )
              : v,
        ),
      )
      .digest("hex")
      .slice(0, 16);
  return { hash: hashOf(true), legacy: hashOf(false) };
}

/**
 * Refuses (exit 2, before anything is sent) a `video -o <path>` whose request (`hashes`: the model and inputs, see
 * `requestHashes`) the journal holds a job of, on the same server and for the same path, whose video was never saved
 * and can still be had: one not finished (submitted, never seen completed: a run stopped by `--timeout` or Ctrl-C while
 * it waited), or one completed whose download was cut (Ctrl-C, a killed process): its result stays on the server. A new
 * submit would bill another job for the same video. The message names the command that gets that job (`jobs wait`, or
 * `jobs result` for a completed one); `--new` submits another all the same. A job saved or failed does not block, nor
 * one the server no longer has (`gone`: its result 410, the job 404), nor one a later job of the request followed.
 */
function checkUnfinished(
  journal: Journal,
  { hash, legacy }: { hash: string; legacy: string },
  path: string,
  options: VideoOptions,
  output: Output,
): void {
  const server = baseUrlOf(options);
  const job = journal
    .jobs((r) => (r.line_hash === hash || r.line_hash === legacy) && r.path === path && r.custom_id === undefined)
    .filter((j) => j.base_url !== undefined && normalUrl(j.base_url) === server)
    .at(-1);
  // Only the latest: one that `--new` followed (a job the server may no longer know, 404) blocks no more.
  if (job?.state !== "submitted" && job?.state !== "completed") return;
  const done = job.state === "completed";
  throw usageError(
    untrusted(
      `-o ${options.output}: job ${job.job_id}, submitted at ${job.submitted_at} for the same model and inputs, ` +
        (done ? "completed but its result was never saved (its download stopped)" : "has not finished") +
        ` (the journal ${journal.path}); a new submit would bill another job. Get that one with: ` +
        `${done ? resultCommand(output, job.job_id, path) : resumeCommand(output, job.job_id, path, options.timeout)}` +
        "; or add --new to submit another all the same (billed) (nothing was sent)",
    ),
  );
}

/**
 * `-o -` is stdout for an image only: a video is a file the CLI checks, journals and can download again, so `-` is
 * refused (exit 2) before anything is sent, rather than written as a file named `-`.
 */
export function checkNotStdout(output: string | undefined): void {
  if (output === "-" || (output !== undefined && namesStdout(output))) {
    throw usageError(
      `-o ${output} (stdout) is for images only: a video is saved to a file; give a file name (-o video.mp4) and ` +
        "read it from there (nothing was sent)",
    );
  }
}

/**
 * Warns when `-o` (`given`) names a file of another media type than a video's (`.webm`, `.gif`, `.png`, `.m4a`: see
 * `namesOtherType`), before anything is sent or downloaded: a job's result is an MP4 (`jobContentTypes`; the CLI saves
 * nothing else, see `checkingVideo`), written under the name given all the same, as `decart image -o` does.
 */
export async function warnOtherVideoName(output: Output, given: string | undefined): Promise<void> {
  const extension = extname(given ?? "").toLowerCase();
  if (!extension) return;
  const { namesOtherType } = await import("../named-type.js");
  const [type] = jobContentTypes;
  if (namesOtherType(extension, type))
    output.warn(
      output.err.yellow(
        untrusted(
          `The video will be an MP4 (${type}, a job's result), but -o ${given} names a ${extension} file: it is ` +
            "written there all the same (a .mp4 name would fit it)",
        ),
      ),
    );
}

/**
 * The model and its inputs from the command line; checked by the client before anything is sent. `signal` (see
 * `interruptible`) stops a read of standard input (`-`, `field=@-`) at once, with the client's `AbortError`.
 */
export async function videoInputs(args: string[], options: VideoOptions, signal?: AbortSignal) {
  const { prompt, assignments } = splitArguments(args);
  const model = models.video((options.model ?? DEFAULT_VIDEO_MODEL) as VideoModelName);
  const inputs = await parseInputs(model, prompt, assignments, stdinReader(process.stdin, signal));
  return { model, ...inputs };
}

/**
 * `decart video [prompt] [field=value …] [-m model] [-o file] [--timeout s]`: submits a job, records its id in the
 * journal before any waiting, shows its status as it changes, and streams the result to disk.
 */
export async function runVideo(args: string[], options: VideoOptions, output: Output): Promise<number> {
  const timeout = timeoutMs(options.timeout);
  checkNotStdout(options.output);
  // Ctrl-C, SIGTERM or SIGHUP is the CLI's from here on, before standard input is read (`-`, `field=@-`): one that
  // comes while it is read stops the command at once, nothing sent (rather than ending the process by the signal).
  return withInputs(
    (signal) => videoInputs(args, options, signal),
    () => unsentInterrupt(output, "submit"),
    (inputs, signal) => submitAndFollow(inputs, timeout, options, output, signal),
  );
}

/** `runVideo` once its inputs are read: the submit, the watch and the download. */
async function submitAndFollow(
  inputs: Awaited<ReturnType<typeof videoInputs>>,
  timeout: number | undefined,
  options: VideoOptions,
  output: Output,
  signal: AbortSignal,
): Promise<number> {
  const client = clientFor(options, output);
  if (options.output !== undefined) checkJournalApart(options.journal, [options.output], `-o ${options.output}`);
  const journal = await openJournal(options.journal, { warn: warnOf(output) });
  // Without -o the file is `<job id>.mp4` in the current directory (the id made a safe name: `videoName`), named once
  // the job exists (so only the directory can be checked before the submit), a name that never replaces a file (nor is
  // the journal's): `-2`, `-3` … is added until it is free, when the job is recorded and again when the result is put
  // in place (see `placeFile`).
  if (options.output !== undefined)
    await checkOutputFile(options.output, `-o ${options.output}`, { throughLinks: true });
  else await checkOutputDirectory(process.cwd(), "the video (<job id>.mp4 in the current directory)");
  await warnOtherVideoName(output, options.output);
  // The same request for the same -o (its model and inputs, its path) left unfinished by an earlier run: refused
  // unless given --new.
  const hashes =
    options.output === undefined ? undefined : await requestHashes({ ...inputs, model: jobModel(inputs.model) });
  if (hashes !== undefined && !options.new) checkUnfinished(journal, hashes, resolve(options.output!), options, output);
  const avoid = options.output === undefined ? journalsName(options.journal) : undefined;
  const upload = await uploadProgress(output);
  // Recorded before it is sent: killed while it waits for its answer, the CLI leaves in the journal that a job may
  // exist (see `SubmitRecord`), which `jobs list` shows.
  const submitId = await beginSubmit(journal, {
    command: "video",
    model: jobModel(inputs.model),
    ...(options.output !== undefined && { path: resolve(options.output) }),
    base_url: baseUrlOf(options),
  });
  try {
    // A Ctrl-C or SIGTERM while the submit, sent whole, waits for its answer lets it finish (its job id is journaled
    // and printed, then the CLI exits 130 with the command that resumes), for SUBMIT_GRACE_MS at most (then it is
    // stopped, saying a job may have been made); a second one exits at once. One before the submit was at the API (a
    // file input given as a URL being downloaded, its upload, a wait to send it again after a 429) stops it at once: no
    // job made, exit 130.
    // `--timeout` bounds the wait and the download (its deadline set when the watch starts, after the submit).
    const budget: Budget = {};
    const events = submitAndWatch(client, inputs, {
      signal,
      timeoutMs: timeout,
      budget,
      onUploadProgress: upload.onUploadProgress,
      abortSubmit: false,
      onHeld: heldSubmit(output),
      graceMs: SUBMIT_GRACE_MS,
    });
    const outcome = await follow(events, {
      client,
      output,
      journal,
      signal,
      model: jobModel(inputs.model),
      budget,
      path: (jobId) => (avoid ? freeName(resolve(videoName(jobId)), avoid) : resolve(options.output!)),
      avoid,
      timeout: options.timeout,
      recorded: { base_url: baseUrlOf(options), line_hash: hashes?.hash, submit_id: submitId },
    }).catch(async (error: unknown) => {
      if ((error as { jobId?: unknown })?.jobId === undefined) await settleUnmade(journal, submitId, { error });
      throw error;
    });
    if (outcome.state === "interrupted" && !outcome.jobId)
      await settleUnmade(journal, submitId, outcome.unknown ? { error: outcome.unknown } : { stop: outcome.stop });
    return journalExit(finish(outcome, output, options.timeout), journal, output);
  } finally {
    upload.stop();
  }
}
