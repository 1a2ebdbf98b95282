import { createHash } from "node:crypto";
import { setMaxListeners } from "node:events";
import { type BigIntStats, createReadStream, existsSync, realpathSync, rmdirSync, statSync } from "node:fs";
import { readFile, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { catalogue, type ImageModelName, imageContentTypes, isModelName, type VideoModelName } from "@decart/api";
import { AbortError, type ImageModel, invalid, models, RateLimitError, type VideoModel } from "@decart/core";
import { openPipe } from "@decart/core/node";
import { requestIdOf } from "../codes.js";
import { Placeholder } from "../command.js";
import { baseUrlOf, clientFor, type GlobalOptions, normalUrl } from "../config.js";
import { after, imageRequest, messageOf, retryAt, UNJOURNALED } from "../errors.js";
import { CliError, EXIT, type ExitCode, interruptedCode, usageError } from "../exit.js";
import {
  checkOutputDirectory,
  checkOutputKind,
  checkReplaceableAny,
  checkShownPath,
  ensureDirectoryOf,
  extensions,
  folded,
  fsReason,
  imageExtensions,
  leftPartials,
  makeDirectory,
  ownStreamAt,
  pipeSafeStat,
  placeOf,
  removeStalePartials,
  replaceBlocked,
  safeName,
  samePlace,
  savedThrough,
  writeAtomically,
  writesInPlace,
} from "../files.js";
import {
  answerWithin,
  beginSubmit,
  follow,
  interruptible,
  type Outcome,
  SUBMIT_GRACE_MS,
  settleUnmade,
  warnOf,
} from "../follow.js";
import { MAX_TEXT_BYTES, notUtf8, readFileInput, readStdin, utf8Scan, utf8Text } from "../inputs.js";
import {
  ANSWERED,
  checkJournalApart,
  JOB_ID_REFUSED,
  type JournalJob,
  journalChosen,
  journalPath,
  openJournal,
  type SubmitRecord,
} from "../journal.js";
import { jsonText } from "../json.js";
import { type Held, holderText, lockName, takeLock } from "../lock.js";
import { concurrencyOf, timeoutMs } from "../numbers.js";
import { type Output, quoted, untrusted } from "../output.js";
import { whyNotFound } from "../path-argument.js";
import { answersApart } from "../proxy.js";
import { holdsSecret, redactValues, secretIn } from "../secrets.js";
import { type Budget, jobModel, letFinish, type Stop, stopOf, submitAndWatch, watchJob } from "../watch.js";
import { DEFAULT_VIDEO_MODEL } from "./video.js";

export interface BatchOptions extends GlobalOptions {
  concurrency?: string;
  out?: string;
  resume?: boolean;
  /** With `resume`: lines whose submit's outcome is unknown (see `SubmitRecord`) are submitted again. */
  resubmitUnknown?: boolean;
  timeout?: string;
}

/** One line of a batch file: `{"custom_id": …, "model": …, "prompt": …, …}`. */
interface BatchLine {
  /** 1-based line number in the file. */
  number: number;
  /** The line as given, written back as it is to the errors file. */
  text: string;
  /**
   * The line's identity in the journal and the report (`line_hash`): `shortHash` of its JSON in a canonical form (see
   * `canonicalJson`), so that the line re-formatted (white space, its keys in another order) is the same line.
   */
  hash: string;
  customId: string;
  /** The result's file name (see `safeName`). */
  name: string;
  /** A video model (a job of the Queue API) or an image model (the Process API). */
  model: VideoModel | ImageModel;
  fields: Record<string, unknown>;
}

/**
 * How one line ended, with `batch`, `line_hash` and `base_url`, which tell this batch's lines apart in a shared `--out`
 * as the journal's records do. `journaled: false`: a record of the line's job could not be written to the journal;
 * `--resume` takes the job id from here instead.
 */
type LineResult = {
  custom_id: string;
  line: number;
  job_id?: string | undefined;
  journaled?: false;
  batch?: string;
  /** The line's hash and the API's URL, as a journal record has them (see `runBatch`). */
  line_hash?: string;
  base_url?: string;
} & (
  | { status: "completed"; path: string }
  | {
      status: "failed";
      error: string;
      resumable?: true;
      /**
       * The line's submit may have made a job whose id never came back (its outcome unknown: `SUBMIT_OUTCOME_UNKNOWN`,
       * an answer not waited for past the grace, an id the CLI refused, or one an earlier run left so): written to
       * `unknown.jsonl`, not to `errors.jsonl`, whose lines are to be run again (this one would bill a second job).
       */
      outcome_unknown?: true;
      /**
       * The request id (`x-request-id`) of the answer the line failed with, if it had one: support finds it by that.
       */
      request_id?: string;
    }
);

/** Longest result file name from a custom_id, in bytes: room for the extension and the temporary suffix within 255. */
const MAX_NAME = 200;

/**
 * Retries of one request of a batch (a submit, an image, a download) after a failure the server certainly did not act
 * on: a 429 above all, which a batch of many lines meets by design (see `runBatch`).
 */
const BATCH_RETRIES = 8;

/** Node's warning limit of an event's listeners, and how many more a batch's signal takes per line in flight. */
const MAX_LISTENERS = 10;
const LISTENERS_PER_LINE = 8;

/** 16 hex digits of the SHA-256 of `text`: a batch line's identity in the journal, stdin's batch, the lock's name. */
const shortHash = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);

/** `value` as JSON without white space, each object's keys sorted: one text for one request, however it was written. */
const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((key) => [key, v[key]]),
        )
      : v,
  );

/**
 * The most bytes and lines a batch may have (its file, or standard input): one larger is refused (exit 2, nothing
 * sent) as it passes either, rather than held in memory to the end (hundreds of MB took gigabytes; past 512 MB, V8
 * refused the text with ERR_STRING_TOO_LONG). A larger batch is split into several.
 */
export const MAX_BATCH_BYTES = MAX_TEXT_BYTES;
export const MAX_BATCH_LINES = 100_000;

/**
 * Reads and checks every line before anything is sent: JSON objects, each with a unique `custom_id` and a known model.
 */
export function parseBatch(text: string): BatchLine[] {
  const parser = batchParser();
  for (const [index, raw] of text.split("\n").entries()) parser.line(raw, index + 1);
  return parser.end();
}

/**
 * The checks of `parseBatch`, a line at a time (`line`: its text, its 1-based number), so that a batch read as a
 * stream fails at its first bad line, not once all of it is read; `end` answers the lines.
 */
function batchParser(): { line: (raw: string, number: number) => void; end: () => BatchLine[] } {
  const lines: BatchLine[] = [];
  const ids = new Map<string, number>();
  const names = new Map<string, number>();
  const add = (raw: string, number: number): void => {
    const line = raw.trim();
    if (!line) return;
    let value: any;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw usageError(`line ${number}: not JSON (${(e as Error).message.slice(0, 200)})`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw usageError(`line ${number}: not a JSON object`);
    }
    const { custom_id: id, model: name = DEFAULT_VIDEO_MODEL, ...fields } = value;
    if (id === undefined || id === null || id === "") throw usageError(`line ${number}: "custom_id" is missing`);
    // A number too is refused: the reports and the journal give it back as a string ("7"), and not always as written
    // (1e2 is "100", 12345678901234567890 is "12345678901234567000"), so a script would not find its line by it.
    if (typeof id !== "string") {
      // An array or an object named by its kind: written out, it may be long, or nested deeper than JSON.stringify
      // goes.
      const got = typeof id !== "object" ? JSON.stringify(id) : Array.isArray(id) ? "an array" : "an object";
      const fix = typeof id === "number" ? `: a number; write it in quotes, "${got}"` : "";
      throw usageError(`line ${number}: "custom_id" must be a string (got ${got}${fix})`);
    }
    const customId: string = id;
    // Every line the CLI writes is scrubbed of the key (see secrets.ts): such a line would be `***` in the journal and
    // the reports, which --resume could not tell from another.
    if (holdsSecret(customId)) {
      throw usageError(`line ${number}: "custom_id" holds the API key, which the CLI never writes; give another`);
    }
    // Any other string of the line (a field's value or name, at any depth) that holds the key, in whatever form the
    // JSON gave it (`\u0064ct_…` is the key too): sent, its line could not be written back as given to errors.jsonl
    // (it would hold the key) nor scrubbed there (fed back in, the batch would submit, and bill, the prompt `***`).
    const field = Object.keys(value).find((key) => holdsSecret(key) || secretIn(value[key]));
    if (field !== undefined) {
      throw usageError(
        `line ${number}: ${holdsSecret(field) ? "a field's name" : quoted(field, Infinity)} holds the API key, which ` +
          "the CLI never writes: the line is not sent (nor any other); take the key out of it",
      );
    }
    const seen = ids.get(customId);
    if (seen) throw usageError(`line ${number}: "custom_id" ${quoted(customId, Infinity)} repeats line ${seen}`);
    const name2 = safeName(customId);
    const bytes = Buffer.byteLength(name2);
    if (bytes > MAX_NAME) {
      throw usageError(
        `line ${number}: "custom_id" makes a file name of ${bytes} bytes (UTF-8); at most ${MAX_NAME} (it names the result file)`,
      );
    }
    const clash = names.get(folded(name2));
    if (clash) {
      throw usageError(
        `line ${number}: "custom_id" ${quoted(customId, Infinity)} gives the same file name as line ${clash} (${name2})`,
      );
    }
    ids.set(customId, number);
    names.set(folded(name2), number);
    let model: VideoModel | ImageModel;
    try {
      model =
        typeof name === "string" && isModelName(name) && catalogue[name].kind === "image"
          ? models.image(name as ImageModelName)
          : models.video(name as VideoModelName);
    } catch (e) {
      throw usageError(`line ${number}: ${(e as Error).message}`);
    }
    if (lines.length === MAX_BATCH_LINES) {
      throw usageError(
        `line ${number}: a batch takes at most ${MAX_BATCH_LINES} lines; split it into several batches (nothing was sent)`,
      );
    }
    lines.push({ number, text: line, hash: shortHash(canonicalJson(value)), customId, name: name2, model, fields });
  };
  const end = (): BatchLine[] => {
    if (!lines.length) throw usageError("The batch has no lines");
    return lines;
  };
  return { line: add, end };
}

/**
 * A batch read as a stream of bytes (its file, or standard input: `what` names it), each line checked as it comes
 * (`batchParser`): `chunk` takes the bytes in turn, `end` answers the lines and the hash of the text (stdin's batch is
 * known by it: see `runBatch`). More than `MAX_BATCH_BYTES` is refused as they pass.
 */
export function batchReader(what: string): {
  chunk: (bytes: Buffer) => void;
  end: () => { lines: BatchLine[]; hash: string };
} {
  const parser = batchParser();
  const hash = createHash("sha256");
  let bytes = 0;
  let number = 0;
  let utf8Before = false;
  // The line begun, in pieces (a long line is joined once, not again with every chunk).
  let pending: Buffer[] = [];
  // Each line is decoded whole, its pieces joined first (a character cut between two chunks is whole again; a `\n`
  // byte is never part of another UTF-8 character): one that is not UTF-8 stops the batch, naming it.
  const line = (piece: Buffer) => {
    const bytes = pending.length ? Buffer.concat([...pending, piece]) : piece;
    const text = utf8Text(bytes);
    pending = [];
    // (The first line begins the batch: a byte order mark there names UTF-16 or UTF-32.)
    if (text === undefined)
      throw usageError(`line ${number + 1}: ${notUtf8(bytes, number === 0, { line: number + 1, utf8Before })}`);
    // Lines of UTF-8 characters before a line that is not UTF-8: the file is mostly UTF-8 (see `notUtf8`); not those
    // Windows-1252 text would be as well (`É»`, see `utf8Scan`).
    utf8Before ||= /[^\0-\x7f]/.test(text) && utf8Scan(bytes).multibyte;
    parser.line(text, ++number);
  };
  const take = (chunk: Buffer) => {
    hash.update(chunk);
    let start = 0;
    for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, start)) {
      line(chunk.subarray(start, at));
      start = at + 1;
    }
    if (start < chunk.length) pending.push(Buffer.from(chunk.subarray(start)));
  };
  return {
    chunk: (chunk) => {
      bytes += chunk.length;
      if (bytes > MAX_BATCH_BYTES) {
        throw usageError(
          `${what} holds more than ${MAX_BATCH_BYTES / 1024 / 1024} MiB, the most a batch takes; split it into ` +
            "several batches (nothing was sent)",
        );
      }
      take(chunk);
    },
    end: () => {
      line(Buffer.alloc(0));
      return { lines: parser.end(), hash: hash.digest("hex").slice(0, 16) };
    },
  };
}

/** What `pool` throws when a line's work threw: the line, and what it threw. */
interface LineFault {
  line: BatchLine;
  error: unknown;
}

/**
 * Runs `work` over `lines`, `concurrency` at a time, in order; stops taking new lines once `signal` aborts. A line's
 * work that throws (none does but for a fault: each ends in an outcome) calls `fault` (which aborts `signal`), and
 * once every line under way is over, not before, rejects with the first such line and its error (`LineFault`): the
 * run ends there as one, nothing of it still going.
 */
async function pool(
  lines: BatchLine[],
  concurrency: number,
  signal: AbortSignal,
  work: (line: BatchLine) => Promise<void>,
  fault: () => void,
): Promise<void> {
  let next = 0;
  let first: LineFault | undefined;
  const worker = async () => {
    while (next < lines.length && !signal.aborted) {
      const line = lines[next++]!;
      try {
        // Each line's errors judged by the answers of its own requests, not another line's (see `answersApart`).
        await answersApart(() => work(line));
      } catch (error) {
        first ??= { line, error };
        fault();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, lines.length) }, worker));
  if (first) throw first;
}

/** A progress bar of the batch on stderr (on a terminal), else one line per finished job. */
async function batchProgress(output: Output, total: number) {
  const c = output.err;
  if (!output.live) {
    return {
      line: (r: LineResult) =>
        output.info(
          r.status === "completed"
            ? `${c.green("✓")} ${untrusted(`${r.custom_id} → ${r.path}`)}`
            : `${c.red("✗")} ${untrusted(`${r.custom_id}: ${r.error}`)}`,
        ),
      update: (_done: number, _failed: number, _running: number) => {},
      stop: () => {},
    };
  }
  // Kept as it stops (its final state above the batch's summary).
  const bar = (await output.liveBar({
    format: "Batch {bar} {value}/{total} done · {failed} failed · {running} running",
  }))!;
  const draw = (done: number, failed: number, running: number) => bar.update(done, total, { failed, running });
  draw(0, 0, 0);
  return {
    line: (_r: LineResult) => {},
    update: draw,
    stop: () => bar.stop(),
  };
}

/**
 * `decart batch <file.jsonl | -> [--concurrency N] [--out dir] [--resume]`: one video job (Queue API) or one image
 * (Process API) per line, at most N at a time on one client (a 429 anywhere pauses every request of the batch: the
 * client's rate-limit gate). Results are saved as `<out>/<custom_id>.mp4` (or the image's extension);
 * `<out>/results.jsonl` says how each line ended, and `<out>/errors.jsonl` holds the failed lines as they were given,
 * to be fed back in. Every job id goes to the journal, tagged with the batch and the line's custom_id, before any
 * waiting, and every image once its file is written: `--resume` watches those jobs again and never submits their lines
 * twice, and keeps the images written.
 */
export async function runBatch(source: string, options: BatchOptions, output: Output): Promise<number> {
  // Ctrl-C, SIGTERM and SIGHUP are the batch's from its start to its end (see `interruptible`; a second one exits at
  // once, its lock and unfinished files removed): one that comes before a line is sent (its lines read, from a file
  // or stdin, its journal opened, its lock taken …) stops it there, nothing sent, exit 130 (129 for SIGHUP) and
  // `{"type":"interrupted",…}`, its lock released; one while the lines run stops them (see below); one once they are
  // done lets the reports be written whole, then the batch ends as interrupted.
  const { signal, release } = interruptible();
  // Every line in flight listens for it (its watch, its download, its request: two or three listeners each): Node's
  // warning past 10 (`MaxListenersExceededWarning` on stderr, even with -q, at --concurrency 16) is for a leak, which
  // this is not. Its limit grows with the lines at a time, so that a listener left behind by each line still shows.
  try {
    setMaxListeners(MAX_LISTENERS + LISTENERS_PER_LINE * concurrencyOf(options.concurrency), signal);
    return await batchUnder(signal, source, options, output);
  } finally {
    release();
  }
}

/** `runBatch`'s work, under its handler of Ctrl-C, SIGTERM and SIGHUP (`signal`). */
async function batchUnder(signal: AbortSignal, source: string, options: BatchOptions, output: Output): Promise<number> {
  const concurrency = concurrencyOf(options.concurrency);
  const timeout = timeoutMs(options.timeout);
  // The journal records the batch by its file's path (see `thisBatch`): one holding the key would be recorded as
  // another, and --resume would not find its jobs.
  if (source !== "-") checkShownPath(source, "the batch file");
  // The CLI's own stdout or stderr by another name (`/dev/stdout`, `/proc/self/fd/1`): where it writes, not lines to
  // read (a pipe's read would wait for ever on what the CLI itself has not written).
  const own = source === "-" ? undefined : ownStreamAt(source);
  if (own) {
    throw usageError(
      `the batch file ${resolve(source)} is this command's own ${own}, which it writes to, not a file of lines ` +
        "to read: give the batch's file, or - to read its lines from standard input (nothing was sent)",
    );
  }
  const read = await readBatch(source, signal);
  if (read === undefined || signal.aborted) {
    return unsentBatch(
      output,
      source === "-" ? "while the batch was read from standard input" : "while the batch was read",
      options.resume,
    );
  }
  const { lines } = read;
  // The image lines' reader of image bytes, loaded now, before any line runs, for a batch that has one (see
  // `imageTypes`); a batch of video lines does without it.
  if (lines.some((line) => line.model.kind === "image")) await imageTypes();
  // A batch is known in the journal by its file's path (told apart as the file system sees it: see `thisBatch`), or
  // (from stdin) by its lines' canonical JSON (see `BatchLine.hash`): re-formatted, the same batch. An older CLI's
  // record names it by the hash of its text, still this batch's (see `thisBatch`).
  const batch = source === "-" ? `stdin:${shortHash(lines.map((line) => line.hash).join("\n"))}` : resolve(source);
  const base = source === "-" ? process.cwd() : dirname(resolve(source));
  const out = resolve(options.out ?? ".");
  const resultsPath = join(out, "results.jsonl");
  const errorsPath = join(out, "errors.jsonl");
  const unknownPath = join(out, UNKNOWN_FILE);
  const written = lines.flatMap((line) =>
    (line.model.kind === "image" ? imageExtensions : [".mp4"]).map((extension) =>
      join(out, `${line.name}${extension}`),
    ),
  );
  if (source !== "-") checkBatchApart(source, options, lines, { out, resultsPath, errorsPath, unknownPath });
  checkJournalApart(options.journal, [out, resultsPath, errorsPath, unknownPath, ...written], "--out");
  await checkOutputDirectory(out, options.out ? `--out ${options.out}` : "the current directory");
  // What is there already where the batch writes: a file is replaced, a stream (a named pipe, /dev/null …) written in
  // place; a directory, a socket or a block device is refused now, not once the lines are paid for.
  for (const path of [resultsPath, errorsPath, unknownPath, ...written])
    await checkOutputKind(path, `--out ${options.out ?? "."}`, {
      name: "the batch",
      other: "give --out another directory",
    });
  const journal = await openJournal(options.journal, { warn: warnOf(output) });
  // One run of a batch at a time with one journal: a second run (a CI retry, another terminal) would find none of the
  // first run's lines journaled yet, and submit, and bill, every one again. Its lock files beside the journal (named by
  // its path as the file system sees it, and by the file's identity: every path to it takes them) hold the process id;
  // a lock left by a process that is gone is taken over (see `takeLock`). (Per file, whatever the server: a second
  // server is rarely run at once, and then waits.)
  await ensureDirectoryOf(journal.path);
  // Two locks when the batch is a file: by its path (symbolic links followed) and by its identity (device and inode:
  // a hard link is another path to it), as the journal tells a batch's lines by either (see `thisBatch`).
  const releases: Array<() => void> = [];
  const held: Array<[string, Held]> = [];
  const lock = {
    release: () => {
      for (const release of releases.splice(0)) release();
    },
  };
  for (const place of batchPlaces(source, batch)) {
    const lockPath = `${lockName(journal.path)}.${shortHash(place)}.lock`;
    let taken: ReturnType<typeof takeLock>;
    try {
      taken = takeLock(lockPath);
    } catch (error) {
      lock.release();
      // The system refused the lock's file (a full disk, a quota, a permission): the journal's place cannot be written,
      // as the journal itself could not be then.
      if (typeof (error as { code?: unknown })?.code !== "string") throw error;
      throw usageError(
        `Could not write the batch's lock file ${lockPath} beside the journal ${journal.path} (${fsReason(error)}): ` +
          "free space there, or give a journal where files can be written (--journal, DECART_JOURNAL) (nothing was sent)",
      );
    }
    if ("holder" in taken) held.push([lockPath, taken]);
    else releases.unshift(taken.release);
  }
  if (held.length) {
    // Every lock file the run holding these left, `--out`'s too, named at once: removed one at a time, each run would
    // be refused by the next.
    try {
      (await lockOut(out, options, held)).release();
    } catch {}
    lock.release();
    const holders = [...new Set(held.map(([, h]) => holderText(h)))].join("; ");
    const paths = held.map(([path]) => path);
    throw new CliError(
      `Another run of this batch is under way (${holders}) with the journal ${journal.path}; nothing ` +
        "was sent. Once it ends, --resume finishes what it left (if no such run is left, remove " +
        (paths.length === 1 ? `its lock file ${paths[0]})` : `its lock files ${paths.join(", ")})`),
      EXIT.error,
      undefined,
      false,
      "BATCH_IN_PROGRESS",
    );
  }
  let outLock: { release: () => void } | undefined;
  try {
    outLock = await lockOut(out, options);
    // A line of the journal is one of this batch's when its batch is this file (see `thisBatch`), its custom_id is a
    // line of the file as it is now, the line's text is the same (its hash: a file given anew with other lines, as two
    // `<(…)` are both /dev/fd/63, or a line changed since) and it was made on the same server (a trial run on an
    // emulator is not a run on the API). Records written before the hash and the URL were recorded match on the rest.
    const ours = thisBatch(source, batch, `stdin:${read.hash}`);
    // The server by its normalized URL (see `normalUrl`): `HTTP://LOCALHOST:4010/` is the server of
    // `http://localhost:4010` (a record of an older CLI holds the URL as it was given).
    const server = baseUrlOf(options);
    const onServer = (url: string | undefined) => url === undefined || normalUrl(url) === server;
    const byId = new Map(lines.map((line) => [line.customId, line]));
    // A line's hash as an older CLI wrote it, of its text as given (see `BatchLine.hash`): still the line's.
    const given = new Map(lines.map((line) => [line.customId, shortHash(line.text)]));
    const sameLine = (customId: string, hash: string | undefined) =>
      byId.has(customId) && (hash === undefined || hash === byId.get(customId)!.hash || hash === given.get(customId));
    const recorded = (customId: string) => ({ base_url: server, line_hash: byId.get(customId)!.hash });
    const isOurs = (r: { batch?: string; custom_id?: string; base_url?: string; line_hash?: string }) =>
      r.custom_id !== undefined && sameLine(r.custom_id, r.line_hash) && onServer(r.base_url) && ours(r.batch);
    // Read a line at a time, keeping only the jobs and images of this batch's lines (see `Journal.jobsAndImages`).
    const recordedSoFar = journal.jobsAndImages(
      (r) => typeof r.custom_id === "string" && byId.has(r.custom_id) && ours(stringOr(r.batch)),
    );
    const known = new Map<string, JournalJob>();
    for (const job of recordedSoFar.jobs) if (isOurs(job)) known.set(job.custom_id!, job);
    const images = new Map<string, string>();
    for (const image of recordedSoFar.images) {
      if (isOurs({ ...image, batch: stringOr(image.batch) })) images.set(image.custom_id, image.path);
    }
    // Lines whose submit was sent and never settled (a run killed while it waited for the answer: see
    // `SubmitRecord`), with no job known: a job may exist that the journal has no id of. Never submitted again
    // unless asked (--resubmit-unknown).
    const unknownSubmits = new Map<string, SubmitRecord>();
    for (const submit of recordedSoFar.submits) {
      const customId = stringOr(submit.custom_id);
      if (customId === undefined || known.has(customId)) continue;
      if (isOurs({ ...submit, custom_id: customId, batch: stringOr(submit.batch) }))
        unknownSubmits.set(customId, submit);
    }
    // Jobs of this batch that an earlier run could not record in the journal: their ids are in its results.jsonl, each
    // told to be this batch's line as a journal record is (a results file of another batch, or of a run on another
    // server, in the same --out is not).
    const adopted = new Map<string, LineResult & { job_id: string }>();
    const earlier = await earlierResults(resultsPath);
    for (const r of earlier) {
      const identity = { batch: stringOr(r.batch), base_url: stringOr(r.base_url), line_hash: stringOr(r.line_hash) };
      if (r.journaled === false && typeof r.job_id === "string" && isOurs({ ...identity, custom_id: r.custom_id })) {
        if (!known.has(r.custom_id)) adopted.set(r.custom_id, r as LineResult & { job_id: string });
      }
    }
    for (const customId of adopted.keys()) unknownSubmits.delete(customId);
    // A line's image request left unsettled by this very line (its text the same): an image written for it and not
    // journaled (a run killed between the write and the record, or before the rename) is its answer.
    const unsettledImage = (customId: string) => {
      const unknown = unknownSubmits.get(customId);
      return unknown?.kind === "image" && unknown.line_hash !== undefined && sameLine(customId, unknown.line_hash)
        ? unknown
        : undefined;
    };
    const taken = known.size + images.size + adopted.size + unknownSubmits.size;
    // A submit of this batch settled before it made anything (stopped before it was sent, or during a 429's wait): its
    // line is sent as any new one, yet the record tells --resume that the journal knows the batch (below).
    const settledHere = recordedSoFar.settled.some((submit) =>
      isOurs({ ...submit, custom_id: stringOr(submit.custom_id), batch: stringOr(submit.batch) }),
    );
    if (taken && !options.resume) {
      throw usageError(
        `${taken} line(s) of this batch already have jobs or images in the journal (${journal.path})` +
          (adopted.size ? ` or in ${resultsPath}` : "") +
          unsettledCounted(unknownSubmits.values()) +
          ": add --resume to finish the batch without submitting them again",
      );
    }
    if (options.resubmitUnknown && !options.resume) {
      throw usageError("--resubmit-unknown is for --resume only: add --resume (nothing was sent)");
    }
    // --resume finishes a batch the journal knows: finding none of its lines there (another journal or server than the
    // first run's, a file changed since; a settled submit of one of them is enough), it would submit, and bill, every
    // line again. Refused: without --resume the batch runs as a new one.
    if (!taken && !settledHere && options.resume) {
      throw usageError(
        `--resume: no line of this batch is in the journal ${journal.path} (nor in ${resultsPath}); nothing was sent. ` +
          "Give the --journal and --base-url of the run to finish (as its printed resume command does), or run " +
          "without --resume to submit every line as a new batch",
      );
    }
    // --out holding another batch's report (each line of results.jsonl names its batch): this one would replace it,
    // and that batch's results of the same names (its --resume would then take them for its own). Refused. A report
    // whose lines name no batch (every line a batch writes names it; one without is read all the same, as results.jsonl
    // is on disk): its lines (those a batch writes, see `lineResult`) are this batch's only when the journal says so,
    // one of them the job (its id) or the image (its path) journaled for that line of this batch; else it is refused
    // too, whoever wrote it.
    const other = earlier.map((r) => stringOr(r.batch)).find((b) => b !== undefined && !ours(b));
    // A report of this batch's file made on another server, or from other contents while the journal knows none of
    // the batch's lines as they are now (another file at its path, every line changed): a result of it (a line
    // completed, or a job id that only the report holds) is another request's, which this batch would replace with a
    // new one's. (A line edited in a batch the journal knows is asked for anew, its result replaced: see README.) Each
    // line of a report carries its `base_url` and `line_hash`; one of an older CLI has neither, and is this batch's by
    // its name alone.
    const apart = earlier.find(
      (r) =>
        stringOr(r.batch) !== undefined &&
        (r.status === "completed" || r.journaled === false) &&
        byId.has(r.custom_id) &&
        (!onServer(stringOr(r.base_url)) || (!taken && !settledHere && !sameLine(r.custom_id, stringOr(r.line_hash)))),
    );
    const unnamed = earlier.filter((r) => stringOr(r.batch) === undefined && lineResult(r));
    const unknown =
      unnamed.length > 0 &&
      !unnamed.some((r) =>
        typeof r.job_id === "string"
          ? known.get(r.custom_id)?.job_id === r.job_id
          : r.status === "completed" && images.get(r.custom_id) === r.path,
      );
    if (other !== undefined || unknown || apart) {
      const flag = options.out ? `--out ${options.out}` : "--out (the current directory by default)";
      const lineOf = (r: { custom_id: string }) =>
        `line ${byId.get(r.custom_id)!.number}, ${quoted(r.custom_id, Infinity)}`;
      throw usageError(
        untrusted(
          `${flag}: ${out} holds the report of ` +
            (other !== undefined
              ? `another batch (${other})`
              : apart !== undefined
                ? !onServer(stringOr(apart.base_url))
                  ? `this batch run on another server (${apart.base_url}, not ${server}: its ${lineOf(apart)})`
                  : `this batch file with other contents (its ${lineOf(apart)} was another line then)`
                : "a batch that the journal does not know as this one (" +
                  // (Lines naming this batch beside them do not make them its own: a batch writes its name on each.)
                  (earlier.some((r) => stringOr(r.batch) !== undefined) ? "some of its lines name" : "its lines name") +
                  " no batch, and none of them is a job or an image the journal holds for a line of this batch)") +
            ` in ${resultsPath}; this batch would replace it and that batch's results of the same names. Give ` +
            `another --out (or remove ${resultsPath} to replace them) (nothing was sent)`,
        ),
      );
    }
    // errors.jsonl and unknown.jsonl in --out are replaced, or removed, as the batch ends: only a report this batch
    // wrote. A file there is one when an earlier run of this batch left its report beside it (results.jsonl naming this
    // batch), or when each of its lines is one of this batch's lines as given (what the batch writes there); any other
    // (a file of the user's own of that name) is refused now, as another batch's results.jsonl is, not lost at the end.
    const ownReport = earlier.some((r) => stringOr(r.batch) !== undefined);
    const texts = new Set(lines.map((line) => line.text));
    for (const path of ownReport ? [] : [errorsPath, unknownPath]) {
      const held = await earlierLines(path);
      const foreign = held?.find((l) => l.trim() !== "" && !texts.has(l.trim()));
      if (foreign !== undefined) {
        const flag = options.out ? `--out ${options.out}` : "--out (the current directory by default)";
        throw usageError(
          untrusted(
            `${flag}: ${path} is not a report of this batch (its line ${held!.indexOf(foreign) + 1} is none of the ` +
              "batch's lines), and the batch replaces that file, or removes it, as it ends. Give another --out (or " +
              `move ${path} elsewhere) (nothing was sent)`,
          ),
        );
      }
    }
    // A 429 means the server made no job: a line waits through the client's rate-limit gate (its Retry-After, else a
    // growing backoff) and tries again, up to BATCH_RETRIES times within the client's budget for one call, rather than
    // failing after the client's default 2. Only failures the server certainly did not act on are retried (no job
    // twice).
    const client = clientFor(options, output, process.env, BATCH_RETRIES);
    await makeDirectory(out);
    // What downloads and writes of this batch's results and report killed before they ended left in --out (see
    // `removeStalePartials`), but the images of lines whose request is unsettled: one may be whole (see
    // `runImageLine`).
    await removeStalePartials(
      ...lines.flatMap((line) => [
        join(out, `${line.name}.mp4`),
        ...(unsettledImage(line.customId)
          ? []
          : imageExtensions.map((extension) => join(out, `${line.name}${extension}`))),
      ]),
      resultsPath,
      errorsPath,
      unknownPath,
    );

    // The command that finishes this batch: the options in effect (the URL and the journal too: see `Output.command`),
    // so that the command as printed finds this run's jobs; the file's absolute path, as --out's and the journal's, so
    // that it reads the same file pasted in another directory.
    const again = output.command(
      "batch",
      source === "-" ? source : resolve(source),
      "--out",
      out,
      ...(options.concurrency !== undefined ? ["--concurrency", options.concurrency] : []),
      ...(options.timeout !== undefined ? ["--timeout", options.timeout] : []),
      "--resume",
    );
    const stdinNote = source === "-" ? " (with the same lines on stdin)" : "";
    /**
     * `--resume --resubmit-unknown`, and what it sends: every line left with an unknown outcome (`which`), of either
     * kind, not one alone; how to send only some.
     */
    const resubmitting = (which: string) =>
      `${again} --resubmit-unknown${stdinNote} (it sends again ${which}, video and image lines alike; to send only ` +
      "some, put those lines in a file of their own and run it as a batch, with another --out)";
    /** `resubmitting`, offered for one line. */
    const resubmitLine = resubmitting("every line whose outcome is unknown, not this one alone");
    /** A warning said once, at the first signal while requests sent whole await their answers (see `letFinish`). */
    const sayOnce = (what: string, lost: string) => {
      let said = false;
      return () => {
        if (said) return;
        said = true;
        output.warn(
          output.err.yellow(
            `Waiting for ${what} already sent (${SUBMIT_GRACE_MS / 1000} s at most), so that ${lost} not lost; ` +
              "Ctrl-C again stops at once",
          ),
        );
      };
    };
    // What the lines run under: the batch's Ctrl-C, SIGTERM and SIGHUP, and a line's fault that ends the run (see
    // `pool`), which stops the others as a signal does.
    const stopLines = new AbortController();
    const going = AbortSignal.any([signal, stopLines.signal]);
    setMaxListeners(MAX_LISTENERS + LISTENERS_PER_LINE * concurrency, going);
    // Submits' answers (their job ids), and the images of image lines.
    const held = sayOnce("the answers of submits", "their job ids are");
    const heldImages = sayOnce("the images of requests", "they are");
    const results: LineResult[] = [];
    const progress = await batchProgress(output, lines.length);
    let running = 0;
    let failed = 0;
    // A record the journal cannot write does not stop the batch, nor lose a job id: the line says `journaled: false`
    // in its event and in results.jsonl (with the job id), which --resume reads; a warning, once; exit 1 at the end.
    const unjournaled = new Set<string>();
    // The lines whose request (a submit, an image's) went without a record in the journal (see `beginSubmit`): one
    // whose outcome is unknown is sent again by --resume, which cannot know it went (see `UNJOURNALED`), and the
    // summary says so.
    const unrecordedRequests = new Set<string>();
    // The lines that failed unsent on a 429 or 503 whose Retry-After was not waited for (no job, no image made), and
    // when the last of those waits ends: `--resume` sends them again (the same command, without it, is refused once a
    // line has a job), after that time.
    const limitedLines = new Set<number>();
    let limitedUntil = Number.NEGATIVE_INFINITY;
    const limited = (line: number, error: unknown) => {
      // (A 429 without one, refused to every try, made nothing either: sent again in a while.)
      const at = retryAt(error);
      if (at === undefined && !RateLimitError.isInstance(error)) return;
      limitedLines.add(line);
      limitedUntil = Math.max(limitedUntil, at ?? limitedUntil);
    };
    let warned = false;
    const unrecorded = (customId: string, error: unknown) => {
      unjournaled.add(customId);
      if (warned) return;
      warned = true;
      output.warn(
        output.err.yellow(
          untrusted(
            `⚠ Could not write the journal ${journal.path} (${fsReason(error)}): the batch goes on. Each job id is ` +
              `in its events and in ${resultsPath}; once the journal can be written, --resume with the same --out ` +
              "picks those jobs up without new ones",
          ),
        ),
      );
    };
    /** Appends a record of a line (not a job's: `follow` does those), with the same care. */
    const note = async (customId: string, write: () => Promise<void>, jobId: string | undefined): Promise<void> => {
      try {
        await write();
      } catch (error) {
        output.event({ type: "journal_failed", custom_id: customId, batch, job_id: jobId, error: fsReason(error) });
        unrecorded(customId, error);
      }
    };
    const record = (finished: LineResult) => {
      // Each line names its batch, which tells another batch's report in the same --out (see above).
      const result: LineResult = unjournaled.has(finished.custom_id)
        ? { ...finished, journaled: false, batch, ...recorded(finished.custom_id) }
        : { ...finished, batch, ...recorded(finished.custom_id) };
      results.push(result);
      if (result.status === "failed") failed++;
      output.event(
        result.status === "failed"
          ? {
              type: "line_failed",
              custom_id: result.custom_id,
              line: result.line,
              job_id: result.job_id,
              error: result.error,
              ...(result.resumable && { resumable: true }),
              ...(result.outcome_unknown && { outcome_unknown: true }),
              ...(result.request_id && { request_id: result.request_id }),
              ...(result.journaled === false && { journaled: false }),
            }
          : {
              type: "line_completed",
              custom_id: result.custom_id,
              line: result.line,
              job_id: result.job_id,
              path: result.path,
              ...(result.journaled === false && { journaled: false }),
            },
      );
      progress.line(result);
      progress.update(results.length, failed, running);
    };

    // The lines told from the journal (see `runLine`: saved whole or failed; or whose job the server no longer has),
    // not asked again, apart from those watched.
    let gone = 0;
    let told = 0;
    for (const job of known.values()) {
      const saved = job.state === "saved" || (job.state === "gone" && job.bytes !== undefined);
      if ((saved && job.path && savedWhole(job)) || job.state === "failed") told++;
      else if (job.state === "gone") gone++;
    }
    output.info(
      output.err.dim(
        untrusted(
          `Batch of ${lines.length} line(s), ${concurrency} at a time; results in ${out}; journal ${journal.path}` +
            (known.size > gone + told
              ? `; ${known.size - gone - told} line(s) already submitted are watched, not submitted again`
              : "") +
            (told ? `; ${told} line(s) already saved or failed are told from the journal, not asked again` : "") +
            (gone
              ? `; ${gone} line(s) whose job the server no longer has (gone) are failed from the journal, not asked ` +
                "again"
              : "") +
            (images.size ? `; ${images.size} image(s) already written are kept` : ""),
        ),
      ),
    );
    // The jobs of an earlier run that the journal missed go in it now, as they would have then.
    await Promise.all(
      lines.map(async (line) => {
        const r = adopted.get(line.customId);
        if (!r) return;
        const tag = { custom_id: line.customId, batch };
        const path = r.status === "completed" ? r.path : join(out, `${line.name}.mp4`);
        const state = r.status === "completed" ? "saved" : r.resumable ? "submitted" : "failed";
        const error = r.status === "failed" ? r.error : undefined;
        known.set(line.customId, { ...tag, job_id: r.job_id, submitted_at: "", updated_at: "", state, path, error });
        await note(
          line.customId,
          async () => {
            await journal.append({
              ...tag,
              ...recorded(line.customId),
              job_id: r.job_id,
              event: "submitted",
              model: jobModel(line.model),
              path,
            });
            if (state !== "submitted") await journal.append({ ...tag, job_id: r.job_id, event: state, path, error });
          },
          r.job_id,
        );
      }),
    );
    // A signal before any line is sent (while the journal and the lock were taken, the earlier run's records read):
    // nothing is sent, nor any report written (an earlier run's stay as they are).
    if (signal.aborted) {
      progress.stop();
      return unsentBatch(output, "before the batch sent anything", options.resume);
    }
    try {
      await pool(
        lines,
        concurrency,
        going,
        async (line) => {
          running++;
          progress.update(results.length, failed, running);
          try {
            const result = await runLine(line, known.get(line.customId));
            if (result) record(result);
          } finally {
            running--;
            // The bar's last state says no line runs once none does.
            progress.update(results.length, failed, running);
          }
        },
        () => stopLines.abort(),
      );
    } catch (failure) {
      // A line's work threw what no line's outcome holds (a fault of the CLI's own): the other lines were stopped as at
      // Ctrl-C (submits and images sent whole let finish and journaled) and are over; the run ends here, as one, its
      // lock held until then. No report is written: --resume finishes the batch from the journal.
      const { line, error } = failure as LineFault;
      const said = error instanceof Error ? error.message : String(error);
      throw new CliError(
        untrusted(
          `The batch stopped at line ${line.number} (${quoted(line.customId, Infinity)}) on an unexpected error: ` +
            `${said}. The lines under way were stopped (no job was cancelled; each job submitted is in the journal ` +
            `${journal.path}), no report was written; finish the batch with: ${again}${stdinNote}`,
        ),
        EXIT.error,
        undefined,
        true,
      );
    } finally {
      progress.stop();
    }
    // A signal once the lines are done (one waiting for a named pipe given as a report to be read, a slow disk): the
    // reports are written whole all the same, then the batch ends as interrupted. Said at once.
    if (!signal.aborted) {
      signal.addEventListener(
        "abort",
        () =>
          output.warn(
            output.err.yellow(
              "Interrupted once the lines were done: the batch's reports are written first; Ctrl-C again stops at once",
            ),
          ),
        { once: true },
      );
    }

    /**
     * Checks, as a line is about to be sent, that the file its result replaces in `--out` can be replaced, as `decart
     * image` and `decart video` check their `-o` (see `checkReplaceable`: one made read-only, another user's in a
     * sticky directory): else the line fails with their message, nothing sent for it, rather than once its job or image
     * is paid for. A video's is `<name>.mp4`. An image's type is told only by the answer: of the names the spec's
     * answer types give it (`imageContentTypes`: `<name>.png`, `<name>.jpg`), the line is refused only when none can be
     * replaced (the refusal naming each, with why: see `checkReplaceableAny`); otherwise the one its image takes is
     * checked once it is there (see `replaceBlocked`).
     */
    async function checkResults(line: BatchLine): Promise<void> {
      const what = `--out ${options.out ?? "."}`;
      const names =
        line.model.kind === "image"
          ? imageContentTypes.flatMap((type) => (extensions[type] ? [`${line.name}${extensions[type]}`] : []))
          : [`${line.name}.mp4`];
      await checkReplaceableAny(await Promise.all(names.map((name) => savedThrough(join(out, name)))), what);
    }

    /**
     * A line whose request (a video line's submit, an image line's) an earlier run left unsettled in the journal: it
     * may have made a job or an image (and billed it), so it is not sent again (unless given --resubmit-unknown);
     * failed, in unknown.jsonl, its error saying when it was sent, how it ended (the answer's status, the client's
     * reason and its request id, which support finds it by, as its `submit_unknown` record keeps them; else, a run
     * stopped while it waited), what may have been made and what to do, of its kind.
     */
    function leftUnknown(
      base1: { custom_id: string; line: number; job_id?: string | undefined },
      unknown: SubmitRecord,
      kind: "video" | "image",
    ): LineResult {
      const at = stringOr(unknown.at) ?? "?";
      const resubmit = resubmitLine;
      const requestId = stringOr(unknown.request_id);
      const status = typeof unknown.status === "number" ? `HTTP ${unknown.status}` : undefined;
      const how = [status, stringOr(unknown.reason)].filter(Boolean).join(": ");
      const ended =
        [how, requestId && `support can find it by its request id, ${requestId}`].filter(Boolean).join("; ") ||
        undefined;
      return {
        ...base1,
        status: "failed",
        outcome_unknown: true,
        ...(requestId && { request_id: requestId }),
        error: untrusted(
          kind === "video"
            ? `A submit of this line was sent at ${at} and ` +
                (ended
                  ? `its outcome is unknown (${ended})`
                  : "its answer was never recorded (the run was stopped while it waited for it)") +
                ": a job may exist (and be billed) that the journal has no id of, so the line was " +
                "not submitted again. Look for it among your jobs (the Decart dashboard); to submit it again all the " +
                `same (another job, billed): ${resubmit}`
            : `An image request of this line was sent at ${at} and no image of it was kept (` +
                (ended ??
                  "its answer lost, cut short or no image, its image not written, or the run stopped while it waited") +
                "): an image may have been made (and billed), so the line was not sent again. An image has no job " +
                `id: no command can fetch it. To ask for another all the same (billed): ${resubmit}`,
        ),
      };
    }

    async function runLine(line: BatchLine, job: JournalJob | undefined): Promise<LineResult | undefined> {
      if (line.model.kind === "image") return runImageLine(line, line.model, images.get(line.customId));
      const path = join(out, `${line.name}.mp4`);
      const tag = { custom_id: line.customId, batch };
      const base1 = { custom_id: line.customId, line: line.number, job_id: job?.job_id };
      // Saved, it stays so when the server lets its result go later (a `jobs result` of it answered 410: `gone`).
      const saved = job?.state === "saved" || (job?.state === "gone" && job.bytes !== undefined);
      if (saved && job?.path && savedWhole(job)) return { ...base1, status: "completed", path: job.path };
      if (job?.state === "failed") return { ...base1, status: "failed", error: job.error ?? "Job failed" };
      // The server answered that it no longer has the job (404) or its result (410): asked again, it would answer the
      // same. Failed as the run that found it failed it (not resumable), in the words it recorded.
      if (job?.state === "gone")
        return {
          ...base1,
          status: "failed",
          error: untrusted(
            `Job ${job.job_id}: ${job.error ?? "gone"} (the journal's record of ${job.updated_at}: the server no ` +
              "longer has the job or its result, so it was not asked again)",
          ),
        };
      const unknown = job ? undefined : unknownSubmits.get(line.customId);
      if (unknown && !options.resubmitUnknown) return leftUnknown(base1, unknown, "video");
      let outcome: Outcome;
      let seen: string | undefined;
      let submitId: string | undefined;
      // Whether the line's submit was begun (recorded, or not if the journal could not write it): a failure with no job
      // id after it may have made a job (see `settleUnmade`).
      let begun = false;
      try {
        // `--timeout` bounds the line's wait and download (its deadline set when the watch starts).
        const budget: Budget = {};
        if (!job) await checkResults(line);
        const fields = job ? undefined : await fileFields(line, base);
        if (!job) {
          // Given up for a new submit (--resubmit-unknown): no longer told as unknown.
          if (unknown) await journal.settleSubmit(unknown.submit_id).catch(() => undefined);
          // Recorded before it is sent (see `SubmitRecord`): a run killed while it waits for the answer leaves it, and
          // --resume then says that a job may exist rather than submit the line again.
          submitId = await beginSubmit(journal, {
            command: "batch",
            ...tag,
            ...recorded(line.customId),
            model: jobModel(line.model),
            path,
          });
          if (submitId === undefined) unrecordedRequests.add(line.customId);
          begun = true;
        }
        const jobEvents = job
          ? watchJob(client, job.job_id, { model: job.model, signal: going, timeoutMs: timeout, budget })
          : submitAndWatch(
              client,
              { model: line.model, ...fields },
              // A submit sent whole at Ctrl-C finishes, so that its job id reaches the journal (a second Ctrl-C exits),
              // for SUBMIT_GRACE_MS at most; one the server has not acknowledged (a file input given as a URL being
              // downloaded, its upload, a wait to send it again after a 429) stops: the line is not finished.
              { signal: going, abortSubmit: false, timeoutMs: timeout, budget, onHeld: held, graceMs: SUBMIT_GRACE_MS },
            );
        // The job id as soon as it is known: a failure after it (whatever it carries) leaves the line resumable.
        const events = (async function* () {
          for await (const event of jobEvents) {
            seen = event.jobId;
            yield event;
          }
        })();
        outcome = await follow(events, {
          client,
          output,
          journal,
          signal: going,
          path,
          tag,
          budget,
          // A result the disk refused, or whose download failed, is downloaded by the batch again.
          again: `${again}${stdinNote}`,
          recorded: { ...recorded(line.customId), submit_id: submitId },
          chatter: false,
          unrecorded: (_jobId, error) => unrecorded(line.customId, error),
        });
      } catch (error) {
        const unknown = seen === undefined && begun && (await settleUnmade(journal, submitId, { error }));
        if (going.aborted && AbortError.isInstance(error)) return undefined;
        const e = error as { message?: string; jobId?: string; status?: unknown };
        const jobId = e.jobId ?? seen ?? job?.job_id;
        // A job the server does not know (404: forgotten, or made on another server) or whose result it no longer
        // keeps (410): watching it again cannot help.
        const gone = e.status === 404 || e.status === 410;
        if (!jobId && !unknown) limited(line.number, error);
        // Not the server's failure (that is an outcome): the job exists and may have (or still give) its result, so
        // --resume watches and downloads it again without a new job; feeding the line back in would pay twice.
        return {
          ...base1,
          job_id: jobId,
          status: "failed",
          error: messageOf(error, begun && !submitId ? "unjournaled" : "batch"),
          ...(jobId && !gone && { resumable: true as const }),
          ...(!jobId && unknown && { outcome_unknown: true as const }),
          ...requestIdField(error),
        };
      }
      if (outcome.state === "interrupted") {
        if (!outcome.jobId)
          await settleUnmade(journal, submitId, outcome.unknown ? { error: outcome.unknown } : { stop: outcome.stop });
        // Let finish after the signal, its answer left its outcome unknown (a 500): a job may exist whose id never came
        // back, as `video` and `jobs submit` say (exit 130 all the same). Its submit stays unsettled in the journal, so
        // --resume does not submit the line again unless given --resubmit-unknown; its request id is in its error.
        if (outcome.unknown)
          return {
            ...base1,
            status: "failed",
            outcome_unknown: true,
            error: messageOf(outcome.unknown, submitId ? "batch" : "unjournaled"),
          };
        if (outcome.stop?.kind !== "unanswered") return undefined;
        // Its answer did not come within the grace: a job may exist whose id no journal holds (its submit stays
        // unsettled there). Not resumable (there is no id to watch); --resume does not submit the line again unless
        // given --resubmit-unknown, which bills another one.
        return {
          ...base1,
          status: "failed",
          outcome_unknown: true,
          ...requestIdField(outcome.stop),
          error:
            `Interrupted: the submit's answer ${answerWithin(outcome.stop)} of the signal, so it ` +
            "was not waited for: a job may have been made (and billed) although its id never came back, so its id is not " +
            `in the journal (${unansweredId(outcome.stop)}); ` +
            (submitId
              ? "--resume does not submit the line again (decart jobs list shows its submit as unknown) unless given " +
                "--resubmit-unknown, which bills another one"
              : UNJOURNALED),
        };
      }
      if (outcome.state === "failed")
        return { ...base1, job_id: outcome.jobId, status: "failed", error: outcome.error };
      return { ...base1, job_id: outcome.jobId, status: "completed", path: outcome.path };
    }

    /**
     * An image line: one Process API request, its answer written to `<out>/<name><ext>`, then journaled (an image has
     * no job id). Written before (its file still there), it is kept, not generated again. The request is journaled
     * before it is sent (a `SubmitRecord` of kind `image`), and settled by the image's record, or once it ended having
     * certainly made nothing (refused, or stopped before it reached the API: see `settleUnmade`): one left unsettled
     * (its outcome unknown: a 5xx, an answer cut short, a run killed while it waited) may have made an image, billed
     * and never kept, so `--resume` does not send the line again (it goes to unknown.jsonl) unless given
     * `--resubmit-unknown`. A request sent whole at Ctrl-C finishes and its image is written: it is paid for (one not
     * yet sent stops: the line is not finished); for SUBMIT_GRACE_MS at most, as a submit: one whose answer has not
     * come by then fails, not resumable (an image may have been made). On `--resume`, for a line whose request (its
     * text the same) is unsettled, an image file of the line's name already in `<out>` without a journal record (the
     * run stopped between the write and the record) is kept and journaled: it is complete, as images are written to a
     * temporary file and renamed; so is such a temporary file a process gone left whole (see `wholeImage`), renamed, if
     * it was written once that request was made, to the millisecond (one older is an earlier request's: the line's text
     * before an edit; on a file system that keeps whole seconds only, to the second).
     */
    async function runImageLine(
      line: BatchLine,
      model: ImageModel,
      written: string | undefined,
    ): Promise<LineResult | undefined> {
      const tag = { custom_id: line.customId, batch };
      const base1 = { custom_id: line.customId, line: line.number };
      if (written && existsSync(written)) return { ...base1, status: "completed", path: written };
      const unknown = unknownSubmits.get(line.customId);
      let submitId: string | undefined;
      // While the image request is under way: a failure then may have made (and billed) an image never received.
      let asked = false;
      // Once it answered with success: the image was made (and billed), whatever befalls it after (an answer that is no
      // image, a write the disk refuses). Where it was to be written, once known.
      let answered = false;
      let path: string | undefined;
      // The request id of its answer (`x-request-id`), for a failure once it answered with success: support finds the
      // image by it; and its HTTP status, which the journal keeps with it (see `unsettledCounted`).
      let answerId: string | undefined;
      let answerStatus: number | undefined;
      // The image's media type as the server labelled it (its `saved` event's `server_content_type`, as `image`'s).
      let answerType: string | undefined;
      try {
        // Only for the line's own unsettled request: an image of the line as it was (its text changed since, or its
        // request settled) is not this line's answer.
        const adoptable = options.resume && unsettledImage(line.customId) !== undefined;
        let found = adoptable
          ? imageExtensions
              .map((extension) => join(out, `${line.name}${extension}`))
              .find((p) => statSync(p, pipeSafeStat)?.isFile())
          : undefined;
        // Or one written whole to its temporary file by a process killed before the rename: renamed into its place.
        for (const extension of found || !adoptable ? [] : imageExtensions) {
          const target = join(out, `${line.name}${extension}`);
          for (const partial of await leftPartials(target)) {
            // Written before the unsettled request was made (by a request of the line's earlier text): not its answer.
            // To the millisecond (the record's time has them) where the file system keeps its times so (a time with a
            // fraction of a second), less 20 ms: Linux dates a file by its coarse clock, its last tick (every 4 to
            // 10 ms), so a file written just after the request may be dated a tick before it; to the second where it
            // may keep no finer (a whole second: a file written just after the request, in its second, is dated before
            // it there).
            const at = Date.parse(unknown?.at ?? "");
            const written = (await stat(partial)).mtimeMs;
            if (!(written >= (written % 1000 ? at - 20 : Math.floor(at / 1000) * 1000))) continue;
            if (found || !(await (await imageTypes()).wholeImage(await readFile(partial), extension))) continue;
            await rename(partial, target);
            found = target;
          }
        }
        if (found) {
          await note(
            line.customId,
            () =>
              journal.appendImage({
                ...tag,
                ...recorded(line.customId),
                model: jobModel(model),
                path: found,
                submit_id: unknown?.submit_id,
              }),
            undefined,
          );
          return { ...base1, status: "completed", path: found };
        }
        if (unknown && !options.resubmitUnknown) return leftUnknown(base1, unknown, "image");
        await checkResults(line);
        // Stopped by a signal at once only while the server has not acknowledged it (a file input given as a URL being
        // downloaded, its upload, a wait to send it again after a 429): then nothing was made, and the line is not
        // finished; else after SUBMIT_GRACE_MS (see `letFinish`).
        const fields = await fileFields(line, base);
        // Given up for a new request (--resubmit-unknown): no longer told as unknown.
        if (unknown) await journal.settleSubmit(unknown.submit_id).catch(() => undefined);
        // Recorded before it is sent (see `SubmitRecord`): a run killed while it waits for the answer leaves it, and
        // --resume then says that an image may have been made rather than ask for (and bill) it again.
        submitId = await beginSubmit(journal, {
          command: "batch",
          kind: "image",
          ...tag,
          ...recorded(line.customId),
          model: jobModel(model),
        });
        if (submitId === undefined) unrecordedRequests.add(line.customId);
        asked = true;
        const blob = await letFinish(
          going,
          heldImages,
          // An image of a type the client does not take (`image/webp`) handed on whole is kept, as `decart image` keeps
          // it.
          (stop) =>
            client
              .process({ model, ...fields, signal: stop } as never)
              .catch(async (error) => (await imageTypes()).keptImage(error)),
          SUBMIT_GRACE_MS,
          (id, status, type) => {
            answerId = id;
            answerStatus = status;
            answerType = type;
          },
        );
        asked = false;
        answered = true;
        const bytes = new Uint8Array(await blob.arrayBuffer());
        const target = join(out, `${line.name}${await (await imageTypes()).imageExtension(bytes, blob.type)}`);
        path = target;
        // Checked before it was sent only where no name it could take was free (see `checkResults`).
        const blocked = await replaceBlocked(await savedThrough(target), `--out ${options.out ?? "."}`);
        if (blocked) throw new Error(blocked);
        await writeAtomically(target, bytes);
        await note(
          line.customId,
          () =>
            journal.appendImage({
              ...tag,
              ...recorded(line.customId),
              model: jobModel(model),
              path: target,
              submit_id: submitId,
            }),
          undefined,
        );
        output.event({
          type: "saved",
          ...tag,
          model: jobModel(model),
          path: target,
          bytes: bytes.length,
          ...(answerType && { server_content_type: answerType }),
        });
        return { ...base1, status: "completed", path: target };
      } catch (error) {
        if (answered) {
          // Made and billed, not kept: not in errors.jsonl (run again, it bills another), but in unknown.jsonl; its
          // request stays unsettled in the journal, so --resume does not ask for it again unless told to.
          const why =
            path === undefined
              ? messageOf(error, "batch")
              : `Could not write the image to ${path} (${fsReason(error)}); nothing was saved`;
          // Its answer journaled with its request, which stays unsettled: --resume and `jobs list` tell its request id,
          // and a run again without --resume says that it was answered (not a run killed while it waited).
          if (submitId !== undefined)
            await journal
              .noteUnknownSubmit(submitId, {
                request_id: answerId,
                status: answerStatus,
                reason: `${ANSWERED}: ${why}`,
              })
              .catch(() => undefined);
          return {
            ...base1,
            status: "failed",
            outcome_unknown: true,
            ...(answerId && { request_id: answerId }),
            error: untrusted(
              `${why}; the server answered the request with success, so an image was made (and billed` +
                (answerId ? `; support can find it by its request id, ${answerId}` : "") +
                "), but it was not kept: " +
                (submitId
                  ? "--resume does not ask for it again (an image has no job id: no command can fetch it); to ask " +
                    `for another all the same (billed): ${resubmitLine}`
                  : `an image has no job id: no command can fetch it; ${UNJOURNALED}`),
            ),
          };
        }
        const stop = stopOf(error);
        if (going.aborted && AbortError.isInstance(error) && stop?.kind === "unanswered") {
          // Its answer did not come within the grace: an image may have been made that was never written. Not
          // resumable (nothing to fetch again); its request stays unsettled in the journal, so --resume does not ask
          // for it again unless given --resubmit-unknown.
          return {
            ...base1,
            status: "failed",
            outcome_unknown: true,
            ...requestIdField(stop),
            error:
              `Interrupted: the image request's answer ${answerWithin(stop)} of the signal, so it was not waited ` +
              "for: an image may have been made (and billed) although it never came back, so none was written " +
              `(${unansweredId(stop)}); ` +
              (submitId
                ? "--resume does not ask for it again unless given --resubmit-unknown, which bills another one"
                : UNJOURNALED),
          };
        }
        if (going.aborted && AbortError.isInstance(error)) {
          // Stopped before the server acknowledged it: nothing made, the line is not finished (--resume sends it).
          await settleUnmade(journal, submitId, { stop });
          return undefined;
        }
        // The request's outcome unknown (SUBMIT_OUTCOME_UNKNOWN, such as a connection cut once it was sent; a time
        // limit): the line goes to unknown.jsonl, as a video line's submit would, not to errors.jsonl to be run again;
        // its request stays unsettled in the journal. One that certainly made nothing is settled: --resume sends it.
        const mayHaveMade = asked && (await settleUnmade(journal, submitId, { error }));
        if (!mayHaveMade) limited(line.number, error);
        return {
          ...base1,
          status: "failed",
          error: messageOf(imageRequest(error), asked && !submitId ? "unjournaled" : "batch"),
          ...(mayHaveMade && { outcome_unknown: true as const }),
          ...requestIdField(error),
        };
      }
    }

    // The report: every finished line in results.jsonl (in file order), the failed ones as given in errors.jsonl, but
    // those whose submit's outcome is unknown, in unknown.jsonl: fed back in, a line of errors.jsonl is submitted again
    // (another batch, which the journal knows nothing of), and such a line would bill a second job. A line of an
    // earlier run whose job the journal still misses keeps its record in results.jsonl until the journal has it.
    const finishedLines = new Set(results.map((r) => r.line));
    for (const line of lines) {
      const r = adopted.get(line.customId);
      if (r && unjournaled.has(line.customId) && !finishedLines.has(line.number)) {
        results.push({ ...r, line: line.number, journaled: false, batch, ...recorded(line.customId) });
      }
    }
    results.sort((a, b) => a.line - b.line);
    // Both reports scrubbed of every key the process knows, as every line the CLI writes (a server's reason may quote
    // one). A failed line is written as given: no line holds a key (see `parseBatch`).
    // A report that cannot be written (a full disk …) is named, and the run still ends with its summary and the command
    // that writes it again (the jobs and images are kept, and the journal knows them), exit 1: not the bare error.
    const unwritten: Array<{ path: string; error: unknown }> = [];
    const writeReport = (path: string, text: string) =>
      writeAtomically(path, Buffer.from(text)).catch((error: NodeJS.ErrnoException) => {
        if (typeof error?.syscall !== "string") throw error;
        unwritten.push({ path, error });
      });
    await writeReport(resultsPath, results.map((r) => `${jsonText(redactValues(r))}\n`).join(""));
    const failedLines = new Set(results.filter((r) => r.status === "failed").map((r) => r.line));
    const unknownLines = new Set(results.filter((r) => r.status === "failed" && r.outcome_unknown).map((r) => r.line));
    // A line whose job exists (resumable) is finished by --resume, not fed back in: errors.jsonl holds only the lines
    // that certainly made nothing.
    const resumableLines = new Set(results.filter((r) => r.status === "failed" && r.resumable).map((r) => r.line));
    const toRun = failedLines.size - unknownLines.size - resumableLines.size;
    // Of those, the ones a rate limit refused: nothing to fix, --resume sends them (see `limited`).
    const waitFor = [...limitedLines].filter(
      (l) => failedLines.has(l) && !unknownLines.has(l) && !resumableLines.has(l),
    );
    for (const [path, fails] of [
      [
        errorsPath,
        (l: BatchLine) => failedLines.has(l.number) && !unknownLines.has(l.number) && !resumableLines.has(l.number),
      ],
      [unknownPath, (l: BatchLine) => unknownLines.has(l.number)],
    ] as const) {
      const text2 = lines.filter(fails).map((l) => `${l.text}\n`);
      if (text2.length) await writeReport(path, text2.join(""));
      // An earlier run's lines are gone; a stream there (a named pipe, /dev/null) stays as it is.
      else if (!writesInPlace(path)) await rm(path, { force: true });
    }
    const completed = results.length - failedLines.size;
    const resumable = resumableLines.size;
    const interrupted = lines.length - results.length;
    const notJournaled = results.filter((r) => r.journaled === false).length;
    // How the batch ends: interrupted (130, 129 for SIGHUP); 1 when the journal could not record a job or image,
    // whatever the lines did (worth attention); 6 when some lines failed. The summary carries it, as the last line of
    // every run that exits non-zero does.
    const exitCode: ExitCode = signal.aborted
      ? interruptedCode()
      : journal.failure !== undefined || unwritten.length
        ? EXIT.error
        : failedLines.size
          ? EXIT.batchPartial
          : EXIT.ok;
    output.event({
      type: "summary",
      total: lines.length,
      completed,
      failed: failedLines.size,
      not_finished: interrupted,
      ...(resumable && { resumable }),
      ...(unknownLines.size && { outcome_unknown: unknownLines.size }),
      ...(journal.failure !== undefined && { not_journaled: notJournaled }),
      results: resultsPath,
      ...(toRun && { errors: errorsPath }),
      ...(unknownLines.size && { unknown: unknownPath }),
      ...(unwritten.length && { not_written: unwritten.map((u) => u.path) }),
      exit_code: exitCode,
    });
    const c = output.err;
    // The report goes to stdout in human mode, with stdout's colours (stderr's, a terminal's, into a pipe would be
    // escape codes written out).
    const report = output.json ? (line: string) => output.info(line) : (line: string) => output.print(line);
    const tint = output.json ? output.err : output.out;
    report(
      `Batch: ${lines.length} line(s), ${tint.green(`${completed} completed`)}, ${failedLines.size ? tint.red(`${failedLines.size} failed`) : "0 failed"}` +
        (interrupted ? `, ${interrupted} not finished` : "") +
        `. Results: ${unwritten.some((u) => u.path === resultsPath) ? "not written (see below)" : untrusted(resultsPath)}` +
        (toRun > waitFor.length ? `; failed lines (fix and run them again): ${untrusted(errorsPath)}` : ""),
    );
    // Image lines apart: an image has no job id, so neither `jobs list` nor the dashboard's jobs find one. A line whose
    // request the journal could not record apart too: --resume sends it again, with or without --resubmit-unknown.
    const unknownOf = (kind: "video" | "image", recorded: boolean) =>
      lines.filter(
        (l) => unknownLines.has(l.number) && l.model.kind === kind && unrecordedRequests.has(l.customId) !== recorded,
      ).length;
    const unknownJobs = unknownOf("video", true);
    const unknownImages = unknownOf("image", true);
    const unknownUnrecorded = unknownLines.size - unknownJobs - unknownImages;
    const resubmitAll = resubmitting(`the ${unknownLines.size} line(s) of ${unknownPath}`);
    if (unknownJobs) {
      report(
        tint.yellow(
          untrusted(
            `${unknownJobs} failed line(s) may have made a job whose id never came back (the submit's outcome ` +
              `is unknown), listed in ${unknownPath}, not in errors.jsonl: running them again bills another job each. ` +
              "Look for their jobs first (decart jobs list shows their submits as unknown; the Decart dashboard, or " +
              "support with the request id in each line's error); to submit them again all the same (another job " +
              `each, billed): ${resubmitAll}`,
          ),
        ),
      );
    }
    if (unknownImages) {
      report(
        tint.yellow(
          untrusted(
            `${unknownImages} failed image line(s) may have made an image (and billed it) that was not kept (the ` +
              `request's outcome is unknown), listed in ${unknownPath}, not in errors.jsonl: running them again ` +
              "bills another image each. An image has no job id: no command can fetch it (decart jobs does not know " +
              "it; support can find it by the request id in the line's error, if one came), and --resume does not ask " +
              `for it again. To ask for another all the same (billed): ${resubmitAll}`,
          ),
        ),
      );
    }
    if (unknownUnrecorded) {
      report(
        tint.yellow(
          untrusted(
            `${unknownUnrecorded} failed line(s) may have made a job or an image (and billed it) whose request the ` +
              `journal could not record (its outcome is unknown), listed in ${unknownPath}, not in errors.jsonl: ` +
              "--resume, which cannot know that they were sent, sends them again, which bills another one each, " +
              "unless they are taken out of the batch file first. Look for a video line's job first on the Decart " +
              "dashboard (decart jobs list does not know it); an image has no job id: support can find it by the " +
              "request id in the line's error, if one came",
          ),
        ),
      );
    }
    if (waitFor.length && !signal.aborted) {
      report(
        tint.yellow(
          untrusted(
            `${waitFor.length} failed line(s) were refused by the server's rate limit (HTTP 429, or 503 with a ` +
              "Retry-After not waited for): nothing was made, nothing to fix. To send them again, " +
              (limitedUntil > 0 ? `once the server's last wait ends (after ${after(limitedUntil, 0)})` : "in a while") +
              `, run: ${again}${stdinNote}`,
          ),
        ),
      );
    }
    if (resumable && !signal.aborted) {
      report(
        tint.yellow(
          untrusted(
            `${resumable} failed line(s) have a job whose result was not saved (not the job's failure), not in ` +
              "errors.jsonl (fed back in, each would pay for a second job): to watch and download them without new " +
              `jobs, run: ${again}${stdinNote}`,
          ),
        ),
      );
    }
    for (const { path, error } of unwritten) {
      output.warn(
        c.red(
          untrusted(
            `Could not write ${path} (${fsReason(error)}): the lines' jobs and images are kept, and the journal knows ` +
              `them; once it can be written, write the report again (no line done is sent again): ${again}${stdinNote}`,
          ),
        ),
      );
    }
    if (journal.failure !== undefined) {
      report(
        tint.yellow(
          untrusted(
            `${notJournaled} line(s) have a job or image the journal (${journal.path}) could not record: ` +
              `each job id is in ${resultsPath}; once the journal can be written, run again with --resume and the ` +
              `same --out to finish them without new jobs (or ${output.command("jobs", "wait", "-o", new Placeholder("<file>"), "--", new Placeholder("<job id>"))})`,
          ),
        ),
      );
    }
    if (signal.aborted) {
      output.event({ type: "interrupted", resume: again, exit_code: exitCode });
      output.warn(c.yellow(untrusted(`Stopped: no job was cancelled. Resume with: ${again}${stdinNote}`)));
      return EXIT.interrupted;
    }
    return exitCode;
  } finally {
    outLock?.release();
    lock.release();
  }
}

/**
 * Whether the file a job's `saved` record names is still its result: a regular file of the size recorded (any size
 * but 0 for a record without a size, read all the same), or a stream written in place (a named pipe, a device). A
 * file emptied or cut short (a power loss before its bytes reached the disk, an edit) is downloaded again.
 */
function savedWhole(job: JournalJob): boolean {
  let found: BigIntStats | undefined;
  try {
    // (It may be a named pipe: see `pipeSafeStat`.)
    found = statSync(job.path!, pipeSafeStat);
  } catch {
    // A path that cannot be looked up (a directory of it made a file, no access): downloaded again, which says why.
    return false;
  }
  if (!found?.isFile()) return found !== undefined;
  // (A file grown since, an edit of yours, is kept.)
  return typeof job.bytes === "number" ? Number(found.size) >= job.bytes : found.size > 0;
}

/**
 * The file in `--out` of the failed lines whose submit's outcome is unknown (see `LineResult.outcome_unknown`), apart
 * from `errors.jsonl`.
 */
export const UNKNOWN_FILE = "unknown.jsonl";

/** The name of the lock file of a batch's report in its `--out` (see `lockOut`). */
export const OUT_LOCK = ".decart-batch.lock";

/**
 * Takes `--out` (`out`) for this batch alone while it runs: another batch writing there at the same time would
 * replace its report (`results.jsonl`, `errors.jsonl`) and its results of the same names, and the check of a report
 * left there by another batch (see `batchUnder`) sees one only once it is written. Its lock is
 * `<out>/.decart-batch.lock` (the directory as the file system sees it: every path to it takes the one lock), taken as
 * the batch's own lock is (see `takeLock`: a lock left by a process that is gone is taken over), made beside the
 * results once `out` exists (made here if need be: released, the directories made for it are removed if nothing else
 * came into them, so that a batch refused up front leaves no --out). Another run holding it is a usage error (exit 2),
 * nothing sent; with `held` (the batch's own locks found held), it is added there instead, to be named with them.
 */
async function lockOut(
  out: string,
  options: BatchOptions,
  held?: Array<[string, Held]>,
): Promise<{ release: () => void }> {
  const flag = options.out ? `--out ${options.out}` : "--out (the current directory by default)";
  let path = join(out, OUT_LOCK);
  let lock: ReturnType<typeof takeLock>;
  let made: string[] = [];
  try {
    made = await makeDirectory(out);
    path = join(lockName(out), OUT_LOCK);
    lock = takeLock(path);
  } catch (error) {
    if (typeof (error as { code?: unknown })?.code !== "string") throw error;
    throw usageError(
      `${flag}: could not write the lock file ${path} in ${out} (${fsReason(error)}): give a directory the batch ` +
        "can write in (nothing was sent)",
    );
  }
  if ("holder" in lock && held) {
    // Named with the batch's own locks, held by the same run (see `batch`).
    held.push([path, lock]);
    lock = { release: () => {} };
  }
  if ("holder" in lock) {
    throw usageError(
      untrusted(
        `${flag}: another batch is writing its report in ${out} (${holderText(lock)}); this one would replace ` +
          "that report and its results of the same names. Give each batch its own --out, or run this one once that " +
          `one has ended (if no such run is left, remove its lock file ${path}) (nothing was sent)`,
      ),
    );
  }
  const { release } = lock;
  return {
    release: () => {
      release();
      for (const directory of made.reverse()) {
        try {
          rmdirSync(directory);
        } catch {
          break; // not empty: the batch's (or another's) files are there
        }
      }
    },
  };
}

/**
 * Refuses (a usage error, exit 2, before anything is sent) a batch file that the batch itself writes, as the file
 * system sees them (a symbolic or hard link too: see `samePlace`): its `results.jsonl`, `errors.jsonl` or
 * `unknown.jsonl` in `--out` (replaced as the batch ends, `errors.jsonl` removed when no line fails, or at a second
 * Ctrl-C: fed back in from there, the file was lost), a line's result, or the journal (the batch's records were
 * appended to its lines).
 */
function checkBatchApart(
  source: string,
  options: BatchOptions,
  lines: BatchLine[],
  {
    out,
    resultsPath,
    errorsPath,
    unknownPath,
  }: { out: string; resultsPath: string; errorsPath: string; unknownPath: string },
): void {
  const known = new Map<string, string>();
  const batch = placeOf(source, known);
  const is = (path: string) => samePlace(placeOf(path, known), batch);
  const file = resolve(source);
  const where = `--out ${options.out ?? "."}`;
  const elsewhere = "copy it elsewhere and give the copy, or give another --out";
  const journal = journalPath(options.journal);
  if (is(journal)) {
    throw usageError(
      `the batch file ${file} is the journal ${journal} (${journalChosen(options.journal)}), where the batch ` +
        "appends the records of its jobs: give another journal (--journal, DECART_JOURNAL), or another batch file " +
        "(nothing was sent)",
    );
  }
  for (const [path, name, fate] of [
    [resultsPath, "results.jsonl", "replaced by its report as the batch ends"],
    [errorsPath, "errors.jsonl", "replaced by the lines that fail, or removed when none does, as the batch ends"],
    [
      unknownPath,
      UNKNOWN_FILE,
      "replaced by the lines that may have made a job, or removed when none did, as the batch ends",
    ],
  ] as const) {
    if (is(path)) {
      throw usageError(
        `the batch file ${file} is the ${name} the batch writes in ${out} (${where}): it would be ${fate}; ` +
          `${elsewhere} (nothing was sent)`,
      );
    }
  }
  for (const line of lines) {
    const extensions = line.model.kind === "image" ? imageExtensions : [".mp4"];
    const result = extensions.map((extension) => join(out, `${line.name}${extension}`)).find(is);
    if (result) {
      throw usageError(
        `the batch file ${file} is where the batch writes the result of line ${line.number} (${where}: ${result}); ` +
          `${elsewhere} (nothing was sent)`,
      );
    }
  }
}

/**
 * image-type.ts (file-type and mime-types: tens of ms to import), which only image lines need: imported after the
 * batch was read (from standard input, or a named pipe: see `pipeSafeStat` in files.ts).
 */
const imageTypes = () => import("../image-type.js");

/**
 * The batch's lines and the hash of its text, read from its file or standard input (`decart batch -`) a chunk at a
 * time and checked as they come (see `batchReader`), under the batch's handler of Ctrl-C, SIGTERM and SIGHUP
 * (`signal`): one that comes meanwhile stops the read at once (undefined).
 */
async function readBatch(
  source: string,
  signal: AbortSignal,
): Promise<{ lines: BatchLine[]; hash: string } | undefined> {
  const reader = batchReader(source === "-" ? "Standard input (-)" : `The batch file ${resolve(source)}`);
  try {
    if (source === "-") await readStdin(process.stdin, signal, reader.chunk);
    else await readBatchFile(source, reader.chunk, signal);
    return signal.aborted ? undefined : reader.end();
  } catch (error) {
    if (signal.aborted) return undefined;
    throw error;
  }
}

/**
 * The end of a batch that a signal stopped before it sent anything (`when`): exit 130 (129 for SIGHUP) with
 * `{"type":"interrupted","exit_code":…}`, no report written. A `--resume` run leaves the batch as the run before it
 * left it.
 */
function unsentBatch(output: Output, when: string, resume: boolean | undefined): ExitCode {
  output.event({ type: "interrupted", exit_code: interruptedCode() });
  output.warn(
    output.err.yellow(
      `Interrupted ${when}: nothing was sent ` +
        (resume
          ? "(the batch is as the run before left it: run the same command again to finish it)"
          : "(nothing to resume)"),
    ),
  );
  return EXIT.interrupted;
}

/**
 * What a line's error says of the request id of a request whose answer did not come within the grace (`unanswered`: see
 * `letFinish`), for support: the answer's, if its headers came with one.
 */
/** A failed line's `request_id`: the request id its error carries, if any (see `requestIdOf`). */
const requestIdField = (error: unknown): { request_id?: string } => {
  const id = requestIdOf(error);
  return id ? { request_id: id } : {};
};

const unansweredId = ({ requestId, status }: Extract<Stop, { kind: "unanswered" }>): string =>
  requestId
    ? `its request id, ${requestId}, is what support can find it by`
    : status !== undefined
      ? "its answer carried no request id"
      : "no answer came, so there is no request id";

/**
 * The submits left unsettled (see `SubmitRecord`) that a run without `--resume` is refused for, counted by what the
 * journal holds of how each ended, as a clause of the refusal (empty for none): answered with an HTTP status (a 500:
 * `submit_unknown`), an image request answered with success whose image was not kept (with its status, `answered HTTP
 * 200`, but in a journal of an older CLI), a submit answered with a job id
 * the CLI cannot take (see `ANSWERED`), ended otherwise with its outcome unknown (a `reason` or request id only: an
 * answer cut short or not waited for), or with no answer recorded (a run killed while it waited), that last.
 */
function unsettledCounted(submits: Iterable<SubmitRecord>): string {
  const counts = new Map<string, number>();
  // By status (no status after every one): the counts read in that order.
  const sorted = [...submits].sort((a, b) => (a.status ?? 1000) - (b.status ?? 1000));
  for (const submit of sorted) {
    const how =
      submit.kind === "image" && submit.reason?.startsWith(`${ANSWERED}:`)
        ? // Its answer's status, journaled with it (a journal of an older CLI has none: answered with success).
          `an image request ${typeof submit.status === "number" ? `answered HTTP ${submit.status}` : ANSWERED}, its image not kept`
        : typeof submit.status === "number"
          ? `a submit answered HTTP ${submit.status} (its outcome unknown)`
          : submit.reason === JOB_ID_REFUSED
            ? `a submit ${JOB_ID_REFUSED}`
            : submit.reason !== undefined || submit.request_id !== undefined
              ? "a submit whose outcome is unknown"
              : "a submit whose answer was never recorded";
    counts.set(how, (counts.get(how) ?? 0) + 1);
  }
  const never = "a submit whose answer was never recorded";
  const parts = [...counts].sort(([a], [b]) => Number(a === never) - Number(b === never));
  const clauses = parts.map(([how, n], i) => `${n}${i ? "" : " of them"} ${how}`);
  const last = clauses.pop();
  return last === undefined
    ? ""
    : `, ${clauses.map((clause) => `${clause}, `).join("")}${clauses.length ? "and " : ""}${last}`;
}

/** A journal's text as text (a hand-edited record may hold anything). */
const stringOr = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/**
 * Whether a line of a results.jsonl is one a batch writes (see `LineResult`): its `custom_id`, its `line` (a number
 * from 1), and `completed` with the result's `path` or `failed` with its `error`.
 */
const lineResult = (r: { [key: string]: unknown }): boolean =>
  typeof r.custom_id === "string" &&
  Number.isInteger(r.line) &&
  (r.line as number) >= 1 &&
  ((r.status === "completed" && typeof r.path === "string") || (r.status === "failed" && typeof r.error === "string"));

/** The lines of an earlier run's results.jsonl (none when there is none; a line that is not JSON is skipped). */
/** The lines of a regular file at `path` (undefined when there is none, or it cannot be read: nothing to lose). */
async function earlierLines(path: string): Promise<string[] | undefined> {
  if (!statSync(path, pipeSafeStat)?.isFile()) return undefined;
  try {
    return (await readFile(path, "utf8")).split("\n");
  } catch {
    return undefined;
  }
}

async function earlierResults(path: string): Promise<Array<LineResult & { [key: string]: unknown }>> {
  let text: string;
  // Only a file holds an earlier run's results (a read of a named pipe would wait for a writer).
  if (!statSync(path, pipeSafeStat)?.isFile()) return [];
  try {
    text = await readFile(path, "utf8");
  } catch {
    return [];
  }
  const records = [];
  for (const line of text.split("\n")) {
    try {
      const value = JSON.parse(line);
      if (value && typeof value === "object" && typeof value.custom_id === "string") records.push(value);
    } catch {}
  }
  return records;
}

/**
 * Whether a batch recorded in the journal (its `batch`: a file's path, or `stdin:<hash>`) is this one. A file is told
 * apart as the file system sees it, as the journal is (`placeOf`, `samePlace`): the path through a symbolic link to it
 * or to its directory, or a hard link, is the same batch (else a second run through another path would submit every
 * line again). Paths are compared as they lead today, so a file saved anew (an editor replaces it) is still the batch.
 */
function thisBatch(source: string, batch: string, given: string): (recorded: string | undefined) => boolean {
  if (source === "-") return (recorded) => recorded === batch || recorded === given;
  const known = new Map<string, string>();
  const place = placeOf(source, known);
  const answers = new Map<string, boolean>();
  return (recorded) => {
    if (recorded === undefined || recorded.startsWith("stdin:")) return false;
    let answer = answers.get(recorded);
    if (answer === undefined) {
      const other = placeOf(recorded, known);
      answer = recorded === batch || samePlace(other, place);
      answers.set(recorded, answer);
    }
    return answer;
  };
}

/**
 * Where a batch is, for its locks: its file as the file system names it (a symbolic link followed), else its path, and
 * the file itself (`file:<device>:<inode>`, one for all its hard links, as `samePlace` tells it); or `stdin:<hash>`
 * for stdin.
 */
function batchPlaces(source: string, batch: string): string[] {
  if (source === "-") return [batch];
  let places: string[];
  try {
    places = [realpathSync(source)];
  } catch {
    places = [batch];
  }
  try {
    const { dev, ino } = statSync(source, { bigint: true });
    places.push(`file:${dev}:${ino}`);
  } catch {}
  return places;
}

/**
 * Reads the batch file at `path`, giving each chunk to `each` as it comes; an error `each` throws ends the read, and so
 * does `signal` (the batch's Ctrl-C, SIGTERM or SIGHUP), at once. A named pipe (`<(…)`, a `mkfifo`) is read from the
 * event loop on Linux, opened without waiting (the client's `openPipe`): a plain open waits for its writer, and each
 * read for its bytes, in one of Node's worker threads, which the process's exit waits for, so that a second Ctrl-C (or
 * SIGTERM) could not end a batch whose pipe nobody writes. (Elsewhere such an open would read as empty at once: read as
 * a file there.)
 */
async function readBatchFile(path: string, each: (chunk: Buffer) => void, signal: AbortSignal): Promise<void> {
  let inEach = false;
  let stream: Readable | undefined;
  // Destroyed, the stream ends the loop below (with an error, or none).
  const stop = () => stream?.destroy();
  signal.addEventListener("abort", stop, { once: true });
  try {
    const pipe = process.platform === "linux" && statSync(path, pipeSafeStat)?.isFIFO();
    stream = pipe ? await openPipe(path, "r") : createReadStream(path);
    if (signal.aborted) stream.destroy();
    for await (const chunk of stream) {
      inEach = true;
      each(chunk as Buffer);
      inEach = false;
    }
  } catch (e) {
    if (inEach || signal.aborted) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? `no such file${whyNotFound(path)}` : fsReason(e);
    throw usageError(`Cannot read ${resolve(path)} (${reason})`);
  } finally {
    signal.removeEventListener("abort", stop);
  }
}

/**
 * A line's fields, with file fields given as paths (relative to the batch file) or URLs opened as the CLI does. They
 * are the model's inputs only: a name the model does not have is refused in the client's words, before anything is
 * sent, rather than taken by the call as one of its options (`deadline`, `timeoutMs`, `signal`, `poll` …).
 */
async function fileFields(line: BatchLine, base: string): Promise<Record<string, unknown>> {
  const fields = { ...line.fields };
  const names: string[] = line.model.fields.map((field) => field.name);
  for (const name in fields)
    if (!names.includes(name))
      throw invalid(`Invalid input for ${line.model.name}`, name, `a known name (one of ${names.join(", ")})`);
  const noStdin = async (): Promise<Buffer> => {
    throw usageError(`line ${line.number}: a batch line cannot read stdin`);
  };
  for (const field of line.model.fields) {
    const value = fields[field.name];
    if (field.type === "file" && typeof value === "string") {
      fields[field.name] = await readFileInput(
        value,
        field.name,
        noStdin,
        base,
        (field as { accept?: readonly string[] }).accept,
      );
    }
  }
  return fields;
}
