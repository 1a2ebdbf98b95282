import { resolve } from "node:path";
import { AbortError, JobNotCompletedError } from "@decart/core";
import { now } from "../clock.js";
import { jobWords } from "../command.js";
import {
  baseUrlOf,
  baseUrlProblem,
  clientFor,
  type GlobalOptions,
  mayHaveMade,
  refusedWith,
  type UploadTrace,
  untilTimeout,
} from "../config.js";
import { messageOf } from "../errors.js";
import { CliError, EXIT, hintResume, interruptedCode, usageError, useCallBudget } from "../exit.js";
import { checkOutputFile, fsReason, sessionBound, videoName } from "../files.js";
import {
  beginSubmit,
  downloadFailed,
  downloadResult,
  finish,
  follow,
  heldSubmit,
  interruptible,
  journalExit,
  resultCommand,
  resumeCommand,
  SUBMIT_GRACE_MS,
  settleUnmade,
  unknownInterrupt,
  unsentInterrupt,
  uploadProgress,
  warnOf,
  warnUnrecorded,
  withInputs,
} from "../follow.js";
import { checkJobIdArgument } from "../job-id.js";
import { checkJournalApart, type JournalJob, journalPath, openJournal } from "../journal.js";
import { timeoutMs, withinTimeout } from "../numbers.js";
import { type Output, untrusted } from "../output.js";
import { submitTimedOut } from "../submit-timeout.js";
import { type Budget, jobModel, madeJob, stopOf, submitJob, watchJob } from "../watch.js";
import { checkNotStdout, type VideoOptions, videoInputs, warnOtherVideoName } from "./video.js";

/**
 * `decart jobs submit [prompt] [field=value …] [-m model] [--timeout s]`: submits, records the id, prints only the id.
 * A Ctrl-C or SIGTERM before the id is recorded and printed (while the submit, sent whole, waits for its answer, for
 * SUBMIT_GRACE_MS at most, or in the instant after it) lets that finish: the id is recorded and printed all the same,
 * then exit 130 saying the job was submitted and how to wait for it; a second one exits at once. One while the server
 * has not acknowledged the submit (standard input or a file input given as a URL being read, its upload, a wait to send
 * it again after a 429) stops it at once: no job made, exit 130. `--timeout` stops the submit (its upload, its answer,
 * the client's retries, which wait within what is left of it: a `Retry-After` past that fails at once, exit 1, see
 * `untilTimeout`): exit 5, saying whether a job may have been made.
 */
export async function runSubmit(args: string[], options: VideoOptions, output: Output): Promise<number> {
  const timeout = timeoutMs(options.timeout);
  // The CLI's before standard input is read (`-`, `field=@-`): a signal then stops the command, nothing sent.
  return withInputs(
    (signal) => videoInputs(args, options, signal),
    () => unsentInterrupt(output, "submit"),
    (inputs, signal) => submit(inputs, signal),
  );

  async function submit(inputs: Awaited<ReturnType<typeof videoInputs>>, signal: AbortSignal): Promise<number> {
    const trace: UploadTrace = {};
    const client = clientFor(options, output, process.env, undefined, timeout, trace);
    const journal = await openJournal(options.journal, { warn: warnOf(output) });
    const upload = await uploadProgress(output);
    // Recorded before it is sent (see `SubmitRecord`): killed while it waits for its answer, the CLI leaves in the
    // journal that a job may exist, which `jobs list` shows.
    const submitId = await beginSubmit(journal, {
      command: "jobs submit",
      model: jobModel(inputs.model),
      base_url: baseUrlOf(options),
    });
    // A journal that cannot record the job does not lose its id: printed all the same, with a warning, and exit 1.
    const record = async (job_id: string) => {
      const unrecorded = await journal
        .append({
          job_id,
          event: "submitted",
          model: jobModel(inputs.model),
          base_url: baseUrlOf(options),
          submit_id: submitId,
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      output.event({ type: "submitted", job_id, model: jobModel(inputs.model) });
      if (unrecorded !== undefined) {
        output.event({ type: "journal_failed", job_id, error: fsReason(unrecorded) });
        warnUnrecorded(output, journal, () => undefined)(job_id, unrecorded);
      }
    };
    let job_id: string;
    // The error of a submit that failed once the server had made its job (see `madeJob`), with that job's id.
    let made = undefined as { error: unknown; jobId: string } | undefined;
    try {
      job_id = await withinTimeout(
        timeout,
        (limit) =>
          // `--timeout`'s end is the submit's `deadline` (see `untilTimeout`), which `submitJob` hands the client with
          // the inputs: the client's retries wait within what is left of it.
          untilTimeout(timeout, limit, (deadline) =>
            submitJob(
              client,
              { ...inputs, ...(deadline !== undefined && { deadline }) },
              {
                signal,
                onUploadProgress: upload.onUploadProgress,
                abortSubmit: false,
                onHeld: heldSubmit(output),
                graceMs: SUBMIT_GRACE_MS,
                limit,
              },
            ),
          ).catch((error: unknown) => {
            const jobId = madeJob(error);
            if (jobId !== undefined) made = { error, jobId };
            throw error;
          }),
        (error) => submitTimedOut("job", options.timeout, trace, error),
      );
    } catch (error) {
      // The job exists: recorded as any submitted job (its `submitted` event too), then its error, whose hint gives
      // the command that waits for it (not the time's message, should --timeout have run out meanwhile: the id came).
      if (made) {
        await record(made.jobId);
        throw made.error;
      }
      // Stopped by --timeout: made no job when the server refused it, or before it was sent whole (as said then).
      const unknown = (error as { code?: unknown })?.code === "SUBMIT_OUTCOME_UNKNOWN";
      if (submitId !== undefined && !unknown && (refusedWith(trace) || !mayHaveMade(trace)))
        await journal.settleSubmit(submitId).catch(() => undefined);
      else await settleUnmade(journal, submitId, { error });
      // A signal stopped the submit before it was at the API (no job was made), or once its answer had not come within
      // SUBMIT_GRACE_MS (a job may have been made): see `letFinish`.
      if (signal.aborted && AbortError.isInstance(error)) return unsentInterrupt(output, "submit", stopOf(error));
      // One let finish after the signal whose answer left its outcome unknown (a 500): interrupted, a job may exist.
      if (signal.aborted && unknown) return unknownInterrupt(output, error);
      throw error;
    } finally {
      upload.stop();
    }
    await record(job_id);
    output.print(untrusted(job_id));
    if (signal.aborted) {
      // Nothing was watched: the job is submitted, and `decart jobs wait` watches it.
      const resume = resumeCommand(output, job_id);
      output.event({ type: "interrupted", job_id, resume, exit_code: interruptedCode() });
      output.warn(
        output.err.yellow(
          untrusted(`Interrupted: job ${job_id} was submitted and goes on. Wait for it with: ${resume}`),
        ),
      );
      return EXIT.interrupted;
    }
    return journalExit(EXIT.ok, journal, output);
  }
}

/** The origin of a URL (`http://127.0.0.1:4010`), or undefined for text that is no URL. */
function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * The options of a command on one job (`jobs wait`, `jobs result` and `jobs status` agree; `words`: the command, to
 * print it): `--base-url` when given; else the API's URL the journal recorded for the job (the one it was made on),
 * only where it has the origin of the URL in effect (`DECART_BASE_URL`, else the API's own): the key goes with every
 * request, and a journal is a file anyone who can write it may have edited, so a recorded URL never takes the key to
 * another server by itself. One of another origin is a usage error (nothing sent) naming both URLs and the flag that
 * chooses. One the client refuses (as it refuses a bad `--base-url`: not an http(s) URL, or holding `@`, `?` or `#`) is
 * a usage error naming the journal and the job (not the URL). The commands printed then carry the URL used.
 */
function onRecordedApi<T extends GlobalOptions>(
  given: T,
  known: JournalJob | undefined,
  output: Output,
  words: string[],
): T {
  const recorded = known?.base_url;
  if (given.baseUrl !== undefined || !recorded) return given;
  const current = baseUrlOf(given);
  // A URL the client refuses is the journal's line's fault, named so (neither the flag nor the variable was given).
  const problem = baseUrlProblem(recorded);
  if (problem) {
    output.useBaseUrl(current);
    throw usageError(
      `The journal ${journalPath(given.journal)} records job ${known.job_id} as made on an API URL the CLI cannot ` +
        `use (it must be ${problem.expected}; not shown, as it may hold credentials): its line was edited, or ` +
        `written otherwise than by the CLI. Give the server's URL with --base-url, or read the job on ${current}: ` +
        `${output.command(...words)} (nothing was sent)`,
    );
  }
  const origin = originOf(recorded);
  if (origin === undefined || origin !== originOf(current)) {
    const source = process.env.DECART_BASE_URL?.trim() ? "DECART_BASE_URL" : "the default";
    output.useBaseUrl(recorded);
    const there = output.command(...words);
    output.useBaseUrl(current);
    const here = output.command(...words);
    throw usageError(
      `The journal says job ${known.job_id} was made on ${recorded}, not on the API's URL in effect, ${current} ` +
        `(${source}); the key is sent to a recorded URL only when it has the same origin (a journal can be edited). ` +
        `If you trust that URL, give it: ${there}; or read the job on ${current}: ${here} (nothing was sent)`,
    );
  }
  output.useBaseUrl(recorded);
  return { ...given, baseUrl: recorded };
}

/**
 * The words of `jobs status|wait|result <id>` with the `-o` (made absolute) and `--timeout` given, to print the
 * command (`checkJobIdArgument`, `onRecordedApi`).
 */
const commandWords = (
  command: "status" | "wait" | "result",
  jobId: string,
  given: { output?: string | undefined; timeout?: string | undefined },
): string[] =>
  jobWords(["jobs", command], jobId, [
    ...(given.output !== undefined ? ["-o", resolve(given.output)] : []),
    ...(given.timeout !== undefined ? ["--timeout", given.timeout] : []),
  ]);

/**
 * `decart jobs status <id> [--timeout s]`: one status read (the client's retries after a transient failure included),
 * stopped by `--timeout` (exit 5), on the API the journal recorded for the job (see `onRecordedApi`). `--timeout` is
 * the read's budget (its deadline): each try keeps the client's own limit (60 s), so a read that stalls is cut then
 * and tried again while time is left, and the retries wait within what is left of `--timeout`, not the client's 60 s.
 */
export async function runStatus(
  jobId: string,
  given: GlobalOptions & { timeout?: string },
  output: Output,
): Promise<void> {
  checkJobIdArgument(jobId, "jobs status", (id) => output.command(...commandWords("status", id, given)));
  const timeout = timeoutMs(given.timeout);
  const known =
    given.baseUrl === undefined ? (await openJournal(given.journal, { write: false })).job(jobId) : undefined;
  const options = onRecordedApi(given, known, output, commandWords("status", jobId, given));
  const client = clientFor(options, output);
  // What the client waits for the read in all, for the message of a `Retry-After` beyond it (see `retryAfter`).
  if (timeout !== undefined) useCallBudget(timeout);
  // The client's deadline is `--timeout`'s end (see `untilTimeout`): a `Retry-After` past what is left of it fails at
  // once, one within it is waited for.
  const job = await withinTimeout(
    timeout,
    (limit) =>
      untilTimeout(timeout, limit, (deadline) => client.queue.status(jobId, limit && { signal: limit, deadline })),
    `--timeout ran out after ${options.timeout} s while reading the status of ${jobId}; the job is not affected`,
    jobId,
  );
  output.event({ type: "status", job_id: job.job_id, status: job.status, job });
  output.print(untrusted(job.status === "failed" && job.error ? `failed: ${job.error}` : job.status));
}

/**
 * `decart jobs wait <id> [-o file] [--timeout s]`: watches a job (submitted anywhere) to its end and saves it: to `-o`,
 * else to the path the journal recorded for it unless that names a descriptor (`/dev/fd/3`, which this process does not
 * have, or has for something else), a character device other than `/dev/null` or a block device (`/dev/pts/3`,
 * `/dev/ttyS0`, `/dev/sda`, links followed), never opened to tell which, a name in `/dev` where nothing is (a link to
 * the `/dev/pts/7` of a session that ended), or a socket or a directory (see `sessionBound`), said on stderr with why,
 * else to `<id>.mp4`. With `-o` the recorded path is not
 * looked at. An `<id>` that cannot be a job id is refused
 * before anything is read or sent (see `checkJobIdArgument`), as by `jobs status` and `jobs result`.
 */
export async function runWait(jobId: string, given: VideoOptions, output: Output): Promise<number> {
  checkJobIdArgument(jobId, "jobs wait", (id) => output.command(...commandWords("wait", id, given)));
  const timeout = timeoutMs(given.timeout);
  checkNotStdout(given.output);
  const journal = await openJournal(given.journal, { warn: warnOf(output) });
  const known = journal.job(jobId);
  // The job is watched on the API it was made on (see `onRecordedApi`).
  const options = onRecordedApi(given, known, output, commandWords("wait", jobId, given));
  const client = clientFor(options, output);
  // A descriptor the journal recorded (`-o /dev/fd/3` of `3> >(…)`, `-o >(…)`) was the shell's of the run that made
  // the job: this one does not have it (or has another there); a device (`/dev/pts/3`, `/dev/ttyS0`) is not opened,
  // not even to ask what it is: opening one changes it (see `sessionBound`); a socket or a directory there now takes
  // no result. Without `-o` the result goes to `<id>.mp4`, as said; with `-o` the recorded path is not looked at.
  const bound = options.output === undefined && known?.path !== undefined ? sessionBound(known.path) : undefined;
  const recorded = bound ? undefined : known?.path;
  const path = resolve(options.output ?? recorded ?? videoName(jobId));
  if (bound)
    output.warn(
      output.err.yellow(
        untrusted(
          `The journal records ${known?.path} as where the result of ${jobId} goes, ` +
            (bound.kind === "descriptor"
              ? "a descriptor of the command that made it, which this one does not have"
              : bound.kind === "unwritable"
                ? `now ${bound.what}${bound.at === known?.path ? "" : ` (${bound.at})`}, which no result is written in place of`
                : bound.reason !== undefined
                  ? `a device this one cannot write (${bound.reason})`
                  : `a device${bound.device === known?.path ? "" : ` (${bound.device})`}, which a later command does not open`) +
            `: saving to ${path} instead (give -o <file> to choose)`,
        ),
      ),
    );
  checkJournalApart(options.journal, [path], options.output ? `-o ${options.output}` : "the video");
  await checkOutputFile(options.output ?? path, options.output ? `-o ${options.output}` : "the video", {
    throughLinks: true,
  });
  await warnOtherVideoName(output, options.output);
  const { signal, release } = interruptible();
  output.info(output.err.dim(untrusted(`Watching ${jobId}…`)));
  try {
    // `--timeout` bounds the wait and the download.
    const budget: Budget = {};
    const outcome = await follow(watchJob(client, jobId, { model: known?.model, signal, timeoutMs: timeout, budget }), {
      client,
      output,
      journal,
      signal,
      path,
      budget,
      timeout: options.timeout,
      // A job made elsewhere is recorded once the server answers for it, with the API it was found on.
      unjournaled: !known,
      recorded: { base_url: baseUrlOf(options) },
    });
    return journalExit(finish(outcome, output, options.timeout), journal, output);
  } finally {
    release();
  }
}

/**
 * `decart jobs result <id> -o file [--timeout s]`: downloads a completed job's result, from the API the journal
 * recorded for the job (see `onRecordedApi`); `--timeout` bounds the download (exit 5, no file left, the command that
 * downloads it again).
 */
export async function runResult(jobId: string, given: VideoOptions, output: Output): Promise<number> {
  checkJobIdArgument(jobId, "jobs result", (id) => output.command(...commandWords("result", id, given)));
  const timeout = timeoutMs(given.timeout);
  if (!given.output) throw usageError("jobs result needs -o <file>");
  checkNotStdout(given.output);
  const path = resolve(given.output);
  checkJournalApart(given.journal, [path], `-o ${given.output}`);
  await checkOutputFile(given.output, `-o ${given.output}`, { throughLinks: true });
  await warnOtherVideoName(output, given.output);
  const journal = await openJournal(given.journal, { warn: warnOf(output) });
  // Downloaded from the API the job was made on (see `onRecordedApi`).
  const known = journal.job(jobId);
  const options = onRecordedApi(given, known, output, commandWords("result", jobId, given));
  const client = clientFor(options, output);
  const { signal, release } = interruptible();
  try {
    const deadline = timeout === undefined ? undefined : now() + timeout;
    const downloaded = await downloadResult(client, jobId, path, output, signal, { deadline }).catch(async (error) => {
      // Ctrl-C or SIGTERM: the download stopped (no file left); the job is done, its result stays on the server.
      if (signal.aborted && AbortError.isInstance(error)) return undefined;
      // No result: a job still running may yet give one (the hint says `decart jobs wait … -o <path>`); a failed job
      // never will: exit 3 with the server's reason, as `jobs wait` ends for it. (That status read keeps to
      // `--timeout` too; without its answer, the 409 is told as it is.)
      if (!JobNotCompletedError.isInstance(error)) {
        // A job the journal holds whose result (410) or self (404) the server no longer has: journaled as gone.
        if (known && (error?.status === 410 || error?.status === 404))
          await journal.append({ job_id: jobId, event: "gone", error: messageOf(error) }).catch(() => undefined);
        throw downloadFailed(output, jobId, path, error, deadline);
      }
      const left = deadline === undefined ? undefined : Math.max(1, deadline - now());
      const job = await client.queue
        .status(jobId, left === undefined ? undefined : { signal: AbortSignal.timeout(left) })
        .catch(() => undefined);
      // (That command saves the result where this one would have, its -o: not to `<id>.mp4`.)
      if (job?.status !== "failed") {
        hintResume(error, resumeCommand(output, jobId, path));
        throw error;
      }
      const reason = job.error || "no reason given";
      output.event({ type: "failed", job_id: jobId, error: reason });
      throw new CliError(
        `Job ${jobId} failed: ${reason} (it has no result)`,
        EXIT.jobFailed,
        jobId,
        true,
        "JOB_FAILED",
      );
    });
    if (downloaded === undefined) {
      const again = resultCommand(output, jobId, path);
      output.event({ type: "interrupted", job_id: jobId, resume: again, exit_code: interruptedCode() });
      output.warn(
        output.err.yellow(
          untrusted(`Stopped downloading the result of ${jobId}; it stays on the server. Download it with: ${again}`),
        ),
      );
      return EXIT.interrupted;
    }
    const { bytes, contentType } = downloaded;
    const unrecorded = await journal.append({ job_id: jobId, event: "saved", path, bytes }).then(
      () => undefined,
      (error: unknown) => error,
    );
    output.event({
      type: "saved",
      job_id: jobId,
      path,
      bytes,
      ...(contentType && { server_content_type: contentType }),
    });
    if (unrecorded !== undefined) {
      output.event({ type: "journal_failed", job_id: jobId, error: fsReason(unrecorded) });
      warnUnrecorded(output, journal, () => path)(jobId, unrecorded);
    }
    output.saved("Video", path, bytes);
    return journalExit(EXIT.ok, journal, output);
  } finally {
    release();
  }
}

/** `decart jobs list`: the journal, one job per line with its latest known state. */
export async function runList(options: GlobalOptions, output: Output): Promise<void> {
  const journal = await openJournal(options.journal, { write: false });
  const { jobs, submits } = journal.jobsAndImages();
  for (const job of jobs) output.event({ type: "job", ...job });
  // Submits sent whose answer was never recorded (a process killed while it waited: see `SubmitRecord`): each may
  // have made a job the journal has no id of.
  for (const { event: _event, ...submit } of submits) output.event({ type: "unknown_submit", ...submit });
  if (output.json) return;
  if (!jobs.length && !submits.length) {
    output.info(untrusted(`No jobs in ${journal.path}`));
    return;
  }
  const c = output.out;
  for (const job of jobs) {
    // Every field as the journal holds it, from the server or anyone who edited the file: escaped before it is
    // coloured.
    const shown = untrusted(job.state);
    const state = job.state === "failed" ? c.red(shown) : job.state === "saved" ? c.green(shown) : shown;
    const detail = untrusted(job.state === "failed" ? (job.error ?? "") : (job.path ?? ""));
    const [id, at, model] = [job.job_id, job.submitted_at || "?", job.model ?? "?"].map(untrusted);
    output.print(`${id}  ${at}  ${model}  ${state}  ${detail}`.trimEnd());
  }
  for (const submit of submits) {
    const [at, model, command] = [submit.at || "?", submit.model ?? "?", submit.command ?? "decart"].map(untrusted);
    const line = submit.custom_id === undefined ? "" : untrusted(` (batch line ${submit.custom_id})`);
    // How it ended, when the CLI saw it end (see `SubmitRecord`): the answer's request id, which support finds it by.
    const ended =
      submit.reason === undefined && submit.request_id === undefined && submit.status === undefined
        ? undefined
        : untrusted(
            [
              submit.reason ?? (submit.status !== undefined && `HTTP ${submit.status}`),
              submit.request_id !== undefined && `support can find it by its request id, ${submit.request_id}`,
            ]
              .filter(Boolean)
              .join("; "),
          );
    output.print(
      `?  ${at}  ${model}  ${c.yellow("unknown")}  ${command}${line}: ` +
        (submit.kind === "image"
          ? `image request sent, no image of it kept${ended ? ` (${ended})` : ""}; an image may have been made ` +
            "(and billed), which no command can fetch (an image has no job id)"
          : ended
            ? `submit sent, its outcome unknown (${ended}); a job may exist (look for it on the Decart dashboard)`
            : "submit sent, its answer never recorded; a job may exist (look for it on the Decart dashboard)"),
    );
  }
}
