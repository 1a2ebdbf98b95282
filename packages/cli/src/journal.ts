import { randomBytes } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync } from "node:fs";
import { access, link, lstat, open, realpath, rename, rm, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { CliError, EXIT, givenSetting, usageError } from "./exit.js";
import {
  type Avoid,
  checkOutputFile,
  checkReadableFile,
  checkRegularFile,
  checkShownPath,
  ensureDirectoryOf,
  fsReason,
  isBelow,
  lookupError,
  placeOf,
  samePlace,
  savedThrough,
} from "./files.js";
import { jsonText } from "./json.js";
import { holderText, lockName, takeLock } from "./lock.js";
import { checkWrittenPath } from "./path-argument.js";
import { redactValues } from "./secrets.js";

/** One line of the journal: something that happened to a job. */
export interface JournalRecord {
  /** When it was written (ISO 8601). */
  at: string;
  job_id: string;
  /**
   * `submitted` (written before any waiting), then `completed`, `failed` or `saved` (with `path`); or `gone`: the server
   * answered that it no longer has the job's result (410) or does not know the job (404), with its words as `error`,
   * so nothing can fetch it (a job `completed` and not `saved` otherwise has its result on the server still).
   */
  event: "submitted" | "completed" | "failed" | "saved" | "gone";
  model?: string | undefined;
  /** Where the result goes (`submitted`), or went (`saved`). */
  path?: string | undefined;
  error?: string | undefined;
  /** For a batch line: its `custom_id` and the batch file. */
  custom_id?: string | undefined;
  batch?: string | undefined;
  /**
   * On `submitted`: the API's URL the job was made on (which `jobs wait` watches it on, unless given `--base-url`), and
   * for a batch line a hash of its text (see `runBatch`). Records written before these existed have neither, and a
   * batch takes them as matching any.
   */
  base_url?: string | undefined;
  line_hash?: string | undefined;
  /** On `submitted`: the `SubmitRecord` written before the submit was sent, which this record settles. */
  submit_id?: string | undefined;
  /** On `saved`: the size of the file written (`--resume` downloads the result again when the file's differs). */
  bytes?: number | undefined;
  /**
   * Only in a record that a compaction wrote (see `Journal.compact`), which stands for every earlier record of its job:
   * when the job was submitted (its first record's `at`), where that differs from `at`.
   */
  submitted_at?: string | undefined;
}

/**
 * An image of a batch line, written to disk. An image has no job id (the Process API answers with its bytes): this
 * record, appended once the file is written, is what keeps `--resume` from generating it again.
 */
export interface ImageRecord {
  at: string;
  event: "image_saved";
  model: string;
  path: string;
  custom_id: string;
  batch: string;
  /** As in `JournalRecord`. */
  base_url?: string | undefined;
  line_hash?: string | undefined;
  /** The `SubmitRecord` written before the image was asked for, which this record settles. */
  submit_id?: string | undefined;
}

/**
 * A submit about to be sent (`submitting`), written and flushed before it is: a process killed while the submit waits
 * for its answer leaves it, and the journal then knows that a job may exist whose id it never got. The job's
 * `submitted` record (with this `submit_id`) settles it, as does a `submit_settled` record once the submit ended
 * without making a job (refused, or stopped before it reached the API). One that ended with its outcome unknown (a
 * 500, an answer cut short or not waited for past the grace after a signal) stays unsettled, and a `submit_unknown`
 * record says how it ended: the answer's `request_id` (what support finds it by) and `status` if they came, and a
 * short `reason`; read, its fields are the submit's. No key, no input.
 */
export interface SubmitRecord {
  at: string;
  event: "submitting" | "submit_settled" | "submit_unknown";
  submit_id: string;
  /** The command that sent it (`video`, `jobs submit`, `batch`). */
  command?: string | undefined;
  /**
   * `image`: a batch line's image request (the Process API), which makes an image, not a job: one made and never kept
   * has no id, and no command can fetch it. Absent for a submit of a job.
   */
  kind?: "image" | undefined;
  model?: string | undefined;
  /** Where the result was to go. */
  path?: string | undefined;
  custom_id?: string | undefined;
  batch?: string | undefined;
  base_url?: string | undefined;
  line_hash?: string | undefined;
  /** Of a submit whose outcome is unknown (see above): its answer's request id (`x-request-id`) and HTTP status. */
  request_id?: string | undefined;
  status?: number | undefined;
  /**
   * Of a submit whose outcome is unknown: how it ended, in short (the client's words, at most `MAX_REASON` characters).
   */
  reason?: string | undefined;
}

/**
 * How the `reason` of a `submit_unknown` record begins for a request answered with success whose result the CLI did not
 * keep: a batch's image line whose answer was no image or could not be written (the rest: why), a submit answered with
 * a job id the CLI cannot take (which is kept out of the journal). A run of the batch again tells them apart from a
 * request never answered.
 */
export const ANSWERED = "answered with success";
export const JOB_ID_REFUSED = "answered with a job id the CLI cannot take";

/** The longest `reason` a `submit_unknown` record keeps, in characters (a server's page may be quoted in an error). */
export const MAX_REASON = 300;

/** What the journal knows of one job: its first record, folded with every later one. */
export interface JournalJob {
  job_id: string;
  submitted_at: string;
  updated_at: string;
  state: JournalRecord["event"];
  model?: string | undefined;
  path?: string | undefined;
  error?: string | undefined;
  custom_id?: string | undefined;
  batch?: string | undefined;
  base_url?: string | undefined;
  line_hash?: string | undefined;
  /**
   * The size of the file its `saved` record wrote. A `saved` record without one is read all the same (a journal is read
   * as it is on disk, a record missing a field it can do without too): its file is then whole at any size but 0.
   */
  bytes?: number | undefined;
}

/**
 * The journal's absolute path (a relative one from the current directory, as every path the CLI prints): `--journal`,
 * else `DECART_JOURNAL`, else its default place (see `defaultJournal`).
 * One set but empty or only white space is a usage error naming it (see `givenSetting`), not the next default.
 */
export function journalPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const given = givenSetting(
    flag,
    env.DECART_JOURNAL,
    ["--journal", "DECART_JOURNAL"],
    (byFlag) =>
      `give the journal's file, or ${byFlag ? "leave the flag out" : "unset it"} for ` +
      `${byFlag ? "DECART_JOURNAL, else " : ""}${byDefault(env)}`,
  );
  return given === undefined ? defaultJournal(env) : resolve(given);
}

/**
 * `journalPath`, for a command that uses the journal: a journal given that would name another file than the one meant
 * (a CRLF script's `--journal j.jsonl\r`: see `checkWrittenPath`) is refused first. (The printed commands name the
 * journal too, but only once a command has used it.)
 */
function usedJournal(flag: string | undefined): string {
  const given = flag ?? process.env.DECART_JOURNAL;
  if (given !== undefined) checkWrittenPath(given, flag !== undefined ? "--journal" : "DECART_JOURNAL");
  return journalPath(flag);
}

/**
 * The default journal as a message names it: its path, or where it would be when it has none (see `defaultJournal`).
 */
const byDefault = (env: NodeJS.ProcessEnv): string => {
  try {
    return defaultJournal(env);
  } catch {
    return "~/.local/state/decart/jobs.jsonl";
  }
};

/**
 * The journal's default place: `$XDG_STATE_HOME/decart/jobs.jsonl`, else (`XDG_STATE_HOME` unset, or not an absolute
 * path) `~/.local/state/decart/jobs.jsonl`. A home that is no absolute path (`HOME` set but empty, or relative, which
 * Node takes as it is; or unset, with none in the system's user database) is a usage error naming `HOME`,
 * `DECART_JOURNAL` and `XDG_STATE_HOME`: taken from the current directory, each directory a command ran in had a
 * journal of its own, and `jobs list` or `jobs wait` elsewhere did not find the job.
 */
function defaultJournal(env: NodeJS.ProcessEnv): string {
  // A relative XDG_STATE_HOME is invalid, to be ignored (the XDG Base Directory spec): taken from the current
  // directory, each directory a script ran from had a journal of its own.
  const state = env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : undefined;
  if (state) return resolve(state, "decart", "jobs.jsonl");
  let home = env.HOME;
  if (home === undefined) {
    try {
      home = homedir();
    } catch {}
  }
  if (home && isAbsolute(home)) return resolve(home, ".local", "state", "decart", "jobs.jsonl");
  const what =
    home === undefined
      ? "not set, and the system's user database gives no home directory"
      : home
        ? `a relative path (${JSON.stringify(home)})`
        : "set but empty";
  throw usageError(
    `HOME is ${what}, so the journal's default place, ~/.local/state/decart/jobs.jsonl, would be taken from the ` +
      "current directory (each directory a command runs in would have a journal of its own); set HOME to your home " +
      "directory, or give the journal: DECART_JOURNAL=<file> (or --journal <file>), or XDG_STATE_HOME=<an absolute " +
      "directory> (nothing was sent)",
  );
}

/**
 * The first of `written` (the files a command writes: a result, a report, `batch --out` itself) that is the journal or
 * a directory above it, as the file system sees them (a symbolic or hard link, a name in another case where case is
 * ignored: see `samePlace`); undefined when none is.
 */
export function journalClash(flag: string | undefined, written: readonly string[]): string | undefined {
  const known = new Map<string, string>();
  const journal = placeOf(usedJournal(flag), known);
  for (const path of written) {
    const place = placeOf(path, known);
    if (samePlace(place, journal) || isBelow(place, journal)) return resolve(path);
  }
  return undefined;
}

/**
 * For a name the CLI chooses (no `-o`, see `placeFile`): whether a path is the journal (see `journalClash`). Such a
 * name passes over it as over an existing file: a name the user did not choose is no reason to fail, nor to write over
 * the journal (or take its name before it is written); the path printed says where the result went.
 */
export const journalsName = (flag: string | undefined): Avoid => {
  // Found now, before anything is made: a journal set but blank is refused (see `journalPath`).
  usedJournal(flag);
  return (path) => journalClash(flag, [path]) !== undefined;
};

/**
 * Refuses (a usage error, exit 2, before anything is made or sent) a journal that is one of the files a command writes
 * (`written`: a result, a report, `batch --out` itself) or a directory above one (see `journalClash`): the command
 * would write over it, or fail to record its jobs once they are paid for. `what` names where those paths came from
 * (`--out results`).
 */
export function checkJournalApart(flag: string | undefined, written: readonly string[], what: string): void {
  const clash = journalClash(flag, written);
  if (clash === undefined) return;
  throw usageError(
    `${journalNamed(flag, journalPath(flag))} is where the command writes (${what}: ${clash}); ` +
      "give a journal outside it, or another name (nothing was sent)",
  );
}

/**
 * The journal at `path` as messages name it, with where it was given (`--journal`, `DECART_JOURNAL`); the default one
 * by its path alone.
 */
const journalNamed = (flag: string | undefined, path: string): string =>
  `the journal ${path}${flag !== undefined ? " (--journal)" : process.env.DECART_JOURNAL !== undefined ? " (DECART_JOURNAL)" : ""}`;

/** How the journal was chosen, in words: `--journal`, `DECART_JOURNAL`, or its default place when neither is given. */
export const journalChosen = (flag: string | undefined): string =>
  flag !== undefined
    ? "given by --journal"
    : process.env.DECART_JOURNAL !== undefined
      ? "given by DECART_JOURNAL"
      : "its default place, as neither --journal nor DECART_JOURNAL is given";

/**
 * The journal at `journalPath(flag)`, once checked to be a regular file (where it exists: not a named pipe, a socket
 * or a device) that this user can read and write, in a place where it can be written (a usage error, exit 2, before
 * anything is sent otherwise: a job paid for and not recorded is lost to `jobs list` and `--resume`). With
 * `{ write: false }` (a command that only reads it), checked to be readable if it is there, creating nothing.
 */
export async function openJournal(
  flag: string | undefined,
  { write = true, warn }: { write?: boolean; warn?: ((text: string) => void) | undefined } = {},
): Promise<Journal> {
  const path = usedJournal(flag);
  const what = journalNamed(flag, path);
  await checkRegularFile(path, what);
  checkShownPath(path, what);
  await checkJournalAccess(path, what, write);
  // As given, for its trailing `/`: `--journal state/` would be the file `state` (see `checkOutputKind`). A link to
  // nowhere is judged where it points, where its first record makes the file (see `savedThrough`); one there, as
  // before (`checkAppendable` opens it as a record does).
  const there = await stat(path).then(
    () => true,
    () => false,
  );
  await (write
    ? checkOutputFile(flag ?? process.env.DECART_JOURNAL ?? path, what, {
        throughLinks: !there,
        writer: { name: "the journal's compaction", other: "give another journal (--journal or DECART_JOURNAL)" },
      })
    : checkReadableFile(path, what));
  if (write) await checkAppendable(path, what);
  const journal = new Journal(path, { what });
  if (write) await journal.compact(warn);
  return journal;
}

/**
 * Opens the journal at `path`, where it is there (through a symbolic link too), as each record is appended (`a+`, with
 * O_CREAT), and closes it, before anything is sent: whatever the system refuses (Linux's `fs.protected_regular`; an
 * ACL, a security module, `chattr`) is a usage error (exit 2) naming the reason, not a job paid for and not recorded.
 * One not there is made by the first record in a directory `checkOutputFile` found takes a file: nothing is made here,
 * so a command refused later leaves none.
 */
async function checkAppendable(path: string, what: string): Promise<void> {
  const there = await stat(path).catch(() => undefined);
  if (!there?.isFile()) return;
  const refused = await open(path, "a+", 0o600).then(
    (file) => file.close().then(() => undefined),
    (e: NodeJS.ErrnoException) => e,
  );
  if (!refused) return;
  const file = await realpath(path).catch(() => path);
  const [entry, dir] = await Promise.all([
    stat(file).catch(() => undefined),
    stat(dirname(file)).catch(() => undefined),
  ]);
  const uid = process.getuid?.();
  // The kernel's `may_create_in_sticky`: another user's file in a sticky directory writable by others than its owner.
  const sticky =
    refused.code === "EACCES" &&
    entry &&
    dir &&
    (dir.mode & 0o1000) !== 0 &&
    (dir.mode & 0o022) !== 0 &&
    entry.uid !== uid &&
    entry.uid !== dir.uid;
  throw usageError(
    `${what}: cannot open ${file} to append (${fsReason(refused)}` +
      (sticky
        ? `: another user's file in the sticky directory ${dirname(file)}, which Linux's fs.protected_regular lets ` +
          "no one, root included, open so); give another journal with --journal or DECART_JOURNAL (nothing was sent)"
        : "); give another journal with --journal or DECART_JOURNAL (nothing was sent)"),
  );
}

/**
 * Checks that the journal at `path`, if it is there, can be read (and, with `write`, written) by this user: one left
 * by a `sudo decart` is root's (0600). A usage error (exit 2) naming it, the reason and the fix otherwise; what
 * cannot be looked up is left to the other checks, which say so.
 */
async function checkJournalAccess(path: string, what: string, write: boolean): Promise<void> {
  const mode = write ? constants.R_OK | constants.W_OK : constants.R_OK;
  const refused = await access(path, mode).then(
    () => undefined,
    (e: NodeJS.ErrnoException) => (e.code === "EACCES" || e.code === "EPERM" ? e : undefined),
  );
  if (!refused) return;
  throw usageError(
    `${what}: cannot ${write ? "read and write" : "read"} it (${fsReason(refused)}; one left by \`sudo decart\` is ` +
      "root's): give it back to your user (sudo chown), or give another journal with --journal or DECART_JOURNAL " +
      "(nothing was sent)",
  );
}

/**
 * A journal of this size (8 MiB: some tens of thousands of jobs) is compacted by the next command that writes it, and
 * then once it has grown to twice the size of its last compaction (see `Journal.compact`).
 */
export const COMPACT_AT = 8 * 1024 * 1024;

export interface JournalOptions {
  /** How errors name it (`the journal … (--journal, DECART_JOURNAL)`). */
  what?: string;
  /** See `COMPACT_AT`. */
  compactAt?: number;
  /** Bytes read at a time (a whole line is held, however long). */
  chunk?: number;
  /**
   * Awaited (tests) where another process's write may come between: an append's file opened (`opened`), a
   * compaction's new file written, not yet renamed over the journal (`written`).
   */
  pause?: ((step: "opened" | "written") => Promise<void>) | undefined;
}

/** What a compaction leaves as the journal's first line: the size of what it wrote after it (see `Journal.compact`). */
interface CompactedMark {
  at: string;
  event: "compacted";
  bytes: number;
}

/**
 * Each line of the file `fd` from `from` on (without its `\n`), a chunk at a time: what is held is one chunk and the
 * line being read, whatever the file's size. `end` is where the line ends in the file (after its `\n`); a last line
 * without one (cut short) comes with `whole: false`. (A `\n` byte is never part of another UTF-8 character.)
 */
function* readLines(fd: number, chunk: number, from = 0): Generator<{ text: string; end: number; whole: boolean }> {
  const buffer = Buffer.alloc(chunk);
  let carried: Buffer[] = [];
  let position = from;
  for (;;) {
    const read = readSync(fd, buffer, 0, chunk, position);
    if (read === 0) break;
    let start = 0;
    for (let end = buffer.indexOf(0x0a); end >= 0 && end < read; end = buffer.indexOf(0x0a, start)) {
      const piece = buffer.subarray(start, end);
      const line = carried.length ? Buffer.concat([...carried, piece]) : piece;
      carried = [];
      yield { text: line.toString("utf8"), end: position + end + 1, whole: true };
      start = end + 1;
    }
    if (start < read) carried.push(Buffer.from(buffer.subarray(start, read)));
    position += read;
  }
  if (carried.length) yield { text: Buffer.concat(carried).toString("utf8"), end: position, whole: false };
}

/** The record glued onto a fragment of a line cut short (see `Journal.values`), if the line holds one. */
function recordAfterFragment(line: string): unknown {
  for (let at = line.indexOf('{"at":', 1); at > 0; at = line.indexOf('{"at":', at + 1)) {
    try {
      return JSON.parse(line.slice(at));
    } catch {}
  }
  return undefined;
}

/**
 * A line of the journal as JSON; undefined for a blank one or a line cut short by a kill mid-write. A record glued onto
 * such a line (appended after it with no line break between them) is read from where it starts (every record starts
 * with `{"at":`, which JSON text inside a record cannot contain unescaped): the record is whole, only the line before
 * it is not.
 */
function parseLine(text: string): any {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return recordAfterFragment(text);
  }
}

const isJobRecord = (r: any): r is JournalRecord => typeof r?.job_id === "string" && typeof r.event === "string";
const isSubmitRecord = (r: any): r is SubmitRecord =>
  (r?.event === "submitting" || r?.event === "submit_settled" || r?.event === "submit_unknown") &&
  typeof r.submit_id === "string";

/**
 * The submits of `records` that nothing settled (see `SubmitRecord`): for each, a job may exist whose id the journal
 * never got. Fed every record in turn; `pending` answers them in the order they were sent.
 */
function pendingSubmits() {
  const open = new Map<string, SubmitRecord>();
  return {
    /**
     * Answers the `submitting` record a `submit_settled` one settles (a submit that certainly made nothing), or the
     * `submit_settled` record a compaction wrote for a batch line's (alone, it carries the line: see
     * `Journal.compact`).
     */
    add(r: unknown): SubmitRecord | undefined {
      if (isSubmitRecord(r)) {
        if (r.event === "submitting") open.set(r.submit_id, r);
        else if (r.event === "submit_unknown") {
          // How a submit still open ended: its answer's request id, status and reason, as the submit's own.
          const submit = open.get(r.submit_id);
          const { request_id, status, reason } = r;
          if (submit) open.set(r.submit_id, { ...submit, request_id, status, reason });
        } else {
          const settled = open.get(r.submit_id) ?? (typeof r.custom_id === "string" ? r : undefined);
          open.delete(r.submit_id);
          return settled;
        }
      } else if ((isJobRecord(r) || isImageRecord(r)) && typeof r.submit_id === "string") open.delete(r.submit_id);
    },
    pending: () => [...open.values()].map(compactedSubmit),
  };
}

/**
 * A submit record with its fields of text only (a journal is a file anyone may have edited: see `fold`), and `status`
 * a whole number.
 */
function compactedSubmit(r: SubmitRecord): SubmitRecord {
  const kept: Record<string, string | number> = {};
  for (const key of [
    "at",
    "event",
    "submit_id",
    "command",
    "kind",
    "model",
    "path",
    "custom_id",
    "batch",
    "base_url",
    "line_hash",
    "request_id",
    "reason",
  ] as const) {
    if (typeof r[key] === "string") kept[key] = r[key];
  }
  if (Number.isInteger(r.status)) kept.status = r.status as number;
  return kept as unknown as SubmitRecord;
}

const isImageRecord = (r: any): r is ImageRecord =>
  r?.event === "image_saved" && typeof r.custom_id === "string" && typeof r.path === "string";

/** A job as the journal knows it (`job`: undefined for its first record) once `r` is read. */
function fold(job: JournalJob | undefined, r: JournalRecord): JournalJob {
  // A journal is a file anyone may have edited: only text is taken as text (no `undefined`, no `[object Object]`
  // shown, no number taken as a path).
  const at = typeof r.at === "string" ? r.at : "";
  const folded = job ?? {
    job_id: r.job_id,
    submitted_at: typeof r.submitted_at === "string" ? r.submitted_at : at,
    updated_at: at,
    state: r.event,
  };
  folded.updated_at = at || folded.updated_at;
  // A later "completed" does not hide a result already saved.
  if (!(folded.state === "saved" && r.event === "completed")) folded.state = r.event;
  for (const key of ["model", "path", "error", "custom_id", "batch", "base_url", "line_hash"] as const) {
    if (typeof r[key] === "string") folded[key] = r[key];
  }
  // The size of the file saved, as its last `saved` record says (a record of another kind leaves it).
  if (r.event === "saved") folded.bytes = typeof r.bytes === "number" ? r.bytes : undefined;
  return folded;
}

/** The one record a compaction writes for a job: read alone, it gives the job as all of its records did. */
function compactedRecord(job: JournalJob): JournalRecord {
  const { job_id, submitted_at, updated_at, state, ...rest } = job;
  return {
    at: updated_at,
    job_id,
    event: state,
    ...rest,
    ...(submitted_at !== updated_at && { submitted_at }),
  };
}

/**
 * An image record as a compaction writes it again: its fields of text only, as a job's (see `fold`). A journal is a
 * file anyone may have edited: anything else (a value nested deeper than a stack goes, which no JSON.stringify
 * writes) would stop every compaction.
 */
function compactedImage(r: ImageRecord): ImageRecord {
  const kept: Record<string, string> = {};
  for (const key of ["at", "event", "model", "path", "custom_id", "batch", "base_url", "line_hash"] as const) {
    if (typeof r[key] === "string") kept[key] = r[key];
  }
  return kept as unknown as ImageRecord;
}

/** Which line of which batch, on which server, a record is of (a job's, an image's, a submit's). */
const lineKey = (r: { batch?: unknown; custom_id?: unknown; base_url?: unknown; line_hash?: unknown }): string =>
  JSON.stringify([r.batch, r.custom_id, r.base_url, r.line_hash]);

/**
 * The one record a compaction keeps of a batch line's submit that `settling` settled (it made nothing): a
 * `submit_settled` record carrying the line (its batch, `custom_id`, server and hash), which is all `--resume` needs
 * of it to know the batch. Its fields of text only (see `compactedSubmit`).
 */
function settledLine(submit: SubmitRecord, settling: any): SubmitRecord {
  const { at, submit_id, custom_id, batch, base_url, line_hash } = compactedSubmit(submit);
  return compactedSubmit({
    at: typeof settling?.at === "string" ? settling.at : at,
    event: "submit_settled",
    submit_id,
    custom_id,
    batch,
    base_url,
    line_hash,
  });
}

/** Which records a command reads: a job is kept from the first of its records that this accepts on. */
export type Selection = (record: JournalRecord | ImageRecord | SubmitRecord) => boolean;

/**
 * An append-only JSONL file of every job the CLI submitted (and every image a batch wrote). `append` resolves once its
 * record is written and flushed to disk (fsync), so a job id recorded before waiting survives a killed process or a
 * lost machine. The disk work runs off the event loop, and records appended while a flush is under way go to disk
 * together in the next one (a group commit): a batch of a hundred jobs in flight costs a few flushes, not one per
 * record, and never blocks the jobs' requests while the disk syncs.
 *
 * It is read a line at a time, keeping only what the command needs (each job's state folded from its records, and only
 * the jobs it asks for: see `jobs`), and compacted once it is large (see `compact`).
 */
export class Journal {
  private ready = false;
  /**
   * The first write that failed (a full disk, a permission, its directory removed or replaced), if one did: the
   * commands go on without the record (see `follow`'s `unrecorded`) and end with exit 1.
   */
  failure: unknown;
  private queue: Array<{ line: string; resolve: () => void; reject: (e: unknown) => void }> = [];
  private writing = false;
  /** How errors name it. */
  private readonly what: string;
  private readonly compactAt: number;
  private readonly chunk: number;
  private readonly pause: JournalOptions["pause"];

  constructor(
    readonly path: string,
    options: JournalOptions = {},
  ) {
    this.what = options.what ?? `the journal ${path}`;
    this.compactAt = options.compactAt ?? COMPACT_AT;
    this.chunk = options.chunk ?? 65_536;
    this.pause = options.pause;
  }

  append(record: Omit<JournalRecord, "at">): Promise<void> {
    return this.write({ at: new Date().toISOString(), ...record });
  }

  /** Records a batch line's image once its file is written (resolves once flushed, as `append`). */
  appendImage(record: Omit<ImageRecord, "at" | "event">): Promise<void> {
    return this.write({ at: new Date().toISOString(), event: "image_saved", ...record });
  }

  /**
   * Records a submit about to be sent (see `SubmitRecord`), resolving once flushed, with its `submit_id` (given to the
   * job's `submitted` record, or to `settleSubmit`).
   */
  async beginSubmit(record: Omit<SubmitRecord, "at" | "event" | "submit_id">): Promise<string> {
    const submit_id = randomBytes(8).toString("hex");
    await this.write({ at: new Date().toISOString(), event: "submitting", submit_id, ...record });
    return submit_id;
  }

  /**
   * Records how a submit ended with its outcome unknown (see `SubmitRecord`): it stays unsettled, with these fields.
   * The reason is cut to `MAX_REASON` characters.
   */
  noteUnknownSubmit(
    submit_id: string,
    { request_id, status, reason }: Pick<SubmitRecord, "request_id" | "status" | "reason">,
  ): Promise<void> {
    const chars = reason === undefined ? [] : [...reason];
    const short = chars.length > MAX_REASON ? `${chars.slice(0, MAX_REASON - 1).join("")}…` : reason;
    return this.write({
      at: new Date().toISOString(),
      event: "submit_unknown",
      submit_id,
      request_id,
      status,
      reason: short,
    });
  }

  /** Records that a submit ended without making a job (see `SubmitRecord`). */
  settleSubmit(submit_id: string): Promise<void> {
    return this.write({ at: new Date().toISOString(), event: "submit_settled", submit_id });
  }

  /**
   * Appends one record, scrubbed of every key the process knows (see `redactValues`): a server's reason may quote one.
   */
  private write(record: JournalRecord | ImageRecord | SubmitRecord): Promise<void> {
    return this.writeText(`${jsonText(redactValues(record))}\n`);
  }

  /** Appends whole lines of text (in turn with the records: see `drain`). */
  private writeText(line: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ line, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  /** Writes and flushes what is queued, then what was queued meanwhile, until nothing is left. */
  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length) {
        const group = this.queue.splice(0);
        try {
          if (!this.ready) {
            // The directory the file is made in: through a link to nowhere, where it points (as the kernel opens it).
            await ensureDirectoryOf(await savedThrough(this.path));
            this.ready = true;
          }
          await this.appendText(group.map((g) => g.line).join(""));
          for (const g of group) g.resolve();
        } catch (e) {
          this.failure ??= e;
          // Its directory may have been removed: made again for the next record.
          this.ready = false;
          for (const g of group) g.reject(e);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /**
   * Appends `text` to the file and flushes it. Should another process's compaction have put a new file in its place
   * meanwhile (after this one was opened: see `compact`), the text went to the file it replaced, maybe after the
   * compaction read it: it is appended again, to the new one (a record read twice is the same job's state). Should it
   * be replaced at each of 5 attempts, the append fails (the record may not be there) rather than resolve.
   */
  private async appendText(text: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const file = await open(this.path, "a+", 0o600);
      let replaced: boolean;
      try {
        await this.pause?.("opened");
        // A last line cut short (a kill or power loss mid-write) is left alone, and ended first: the record glued onto
        // it could never be read again.
        const { size } = await file.stat();
        let whole = text;
        if (size > 0) {
          const last = Buffer.alloc(1);
          await file.read(last, 0, 1, size - 1);
          if (last[0] !== 0x0a) whole = `\n${text}`;
        }
        await file.write(whole);
        await file.sync();
        const written = await file.stat({ bigint: true });
        const now = await stat(this.path, { bigint: true }).catch(() => undefined);
        replaced = now?.ino !== written.ino || now.dev !== written.dev;
      } finally {
        await file.close();
      }
      if (!replaced) return;
      // Replaced again at each attempt: the text may be only in a file no longer the journal. Not said to be recorded.
      if (attempt === 5) throw new Error("replaced by another process at every attempt to append to it");
    }
  }

  /**
   * Every line of the file as JSON, in order, read a line at a time (see `readLines`). A line cut short by a kill
   * mid-write is skipped (see `parseLine`).
   */
  private *values(): Generator<any> {
    let fd: number;
    try {
      fd = openSync(this.path, "r");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
      throw lookupError(this.what, this.path, e);
    }
    try {
      yield* this.parsed(fd, 0, true);
      // What a compaction killed after its rename left in the old file it kept (see `compact`), until a command that
      // writes the journal adds it there: a command that only reads it (jobs list) is told of those records too.
      const journal = fstatSync(fd);
      for (const kept of leftoversOf(this.path)) {
        const offset = keptOffset(kept);
        if (offset === undefined) continue;
        let other: number;
        try {
          other = openSync(kept, "r");
        } catch {
          continue;
        }
        try {
          const { ino, dev } = fstatSync(other);
          if (ino !== journal.ino || dev !== journal.dev) yield* this.parsed(other, offset, false);
        } catch {
          // Removed or unreadable meanwhile: the journal as it is.
        } finally {
          closeSync(other);
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  /** The lines of the file `fd` from `from` on as JSON (see `values`); a read error is the journal's (`journal`). */
  private *parsed(fd: number, from: number, journal: boolean): Generator<any> {
    const lines = readLines(fd, this.chunk, from);
    for (;;) {
      let next: IteratorResult<{ text: string }>;
      try {
        next = lines.next();
      } catch (e) {
        if (!journal) throw e;
        throw lookupError(this.what, this.path, e);
      }
      if (next.done) return;
      const value = parseLine(next.value.text);
      if (value !== undefined) yield value;
    }
  }

  /** Every record of a job, in order (the whole journal in memory: for a test). */
  records(): JournalRecord[] {
    return [...this.values()].filter(isJobRecord);
  }

  /**
   * Each job once, in the order they were submitted, with its latest state; with `select`, only the jobs one of whose
   * records it accepts (folded from that record on: a command keeps only the jobs it needs). And with `images`, the
   * images of batch lines written to disk that `select` accepts, in order.
   */
  private read(
    select: Selection | undefined,
    images: boolean,
  ): { jobs: JournalJob[]; images: ImageRecord[]; submits: SubmitRecord[]; settled: SubmitRecord[] } {
    const jobs = new Map<string, JournalJob>();
    const saved: ImageRecord[] = [];
    const submits = pendingSubmits();
    const settled: SubmitRecord[] = [];
    for (const r of this.values()) {
      const ended = submits.add(r);
      if (ended && images && (!select || select(ended))) settled.push(compactedSubmit(ended));
      if (isJobRecord(r)) {
        const job = jobs.get(r.job_id);
        if (job || !select || select(r)) jobs.set(r.job_id, fold(job, r));
      } else if (images && isImageRecord(r) && (!select || select(r))) saved.push(r);
    }
    return {
      jobs: [...jobs.values()],
      images: saved,
      submits: submits.pending().filter((r) => !select || select(r)),
      settled,
    };
  }

  /**
   * The submits nothing settled, in order (see `SubmitRecord`): each may have made a job whose id the journal never
   * got (the process was killed while it waited for its answer). With `select`, those it accepts.
   */
  unsettledSubmits(select?: Selection): SubmitRecord[] {
    return this.read(select, false).submits;
  }

  /** Each job once, in the order they were submitted, with its latest state (with `select`: see `read`). */
  jobs(select?: Selection): JournalJob[] {
    return this.read(select, false).jobs;
  }

  /**
   * `jobs(select)`, the images of batch lines and the unsettled submits it accepts, in one read of the file (a batch's
   * start reads them all); and the settled submits it accepts (`submitting` records a `submit_settled` one ended: each
   * certainly made nothing, and tells that the journal knows its batch).
   */
  jobsAndImages(select?: Selection): {
    jobs: JournalJob[];
    images: ImageRecord[];
    submits: SubmitRecord[];
    settled: SubmitRecord[];
  } {
    return this.read(select, true);
  }

  /** What the journal knows of one job. */
  job(jobId: string): JournalJob | undefined {
    return this.read((r) => (r as JournalRecord).job_id === jobId, false).jobs[0];
  }

  /**
   * Compacts the journal once it is large (`compactAt`, and twice the size of its last compaction), keeping every job's
   * state: each job's records become one (`compactedRecord`), each batch line's latest image record stays, in order,
   * and so does each submit nothing settled; a batch line's submit settled having made nothing, when nothing else of
   * that line stays, becomes one `submit_settled` record carrying the line (`settledLine`: `--resume` knows its batch
   * by it), the latest such of each batch on one server only; lines cut short and other records go. Answers whether it
   * did. Nothing is lost if it fails or the process is killed meanwhile: the file is written beside the journal,
   * flushed, then renamed over it.
   *
   * One compaction at a time (a lock file beside the journal, `<journal>.compact.lock`; held by another process, this
   * one passes; held by one this process cannot tell runs, another machine's or container's, which would keep every
   * compaction off till the file is removed, `warn` is told so, naming the file). Other processes may append meanwhile:
   * what they append before the rename, read from the old file after it, is appended to the new one; an append that
   * reached the old file after that finds it replaced and appends its records again (see `appendText`). Not done to a
   * journal that is a symbolic or hard link (a rename would break the link).
   *
   * The old file is kept by a second name (`<journal>.compacted.<offset>.old`, a hard link) from before the rename
   * until what was appended to it past `offset` is in the new one: a compaction killed in between (SIGKILL, a power
   * loss) leaves it, and the next one (the next command that writes the journal) appends those records, as it removes
   * the new file of a compaction killed before its rename.
   */
  async compact(warn?: (text: string) => void): Promise<boolean> {
    try {
      let stats = await lstat(this.path);
      if (!stats.isFile()) return false;
      const left = leftoversOf(this.path);
      // The old file's second name is a hard link to the journal itself when the compaction was killed before its
      // rename.
      if (!left.length && stats.nlink !== 1) return false;
      const large = () => stats.size >= this.compactAt && stats.size >= 2 * this.compactedBytes();
      if (!left.length && !large()) return false;
      const lockPath = `${lockName(this.path)}.compact.lock`;
      const lock = takeLock(lockPath);
      if ("holder" in lock) {
        if (lock.elsewhere)
          warn?.(
            `${this.what} is not compacted: its compaction lock is held (${holderText(lock)}); if no such run is ` +
              `left, remove its lock file ${lockPath}`,
          );
        return false;
      }
      try {
        if (left.length) {
          await this.recover(leftoversOf(this.path));
          stats = await lstat(this.path);
          if (!stats.isFile() || stats.nlink !== 1 || !large()) return false;
        }
        return await this.rewrite(stats);
      } finally {
        lock.release();
      }
    } catch (e) {
      if (e instanceof CompactionFailed) {
        throw new CliError(
          `Could not write ${this.what} after compacting it (${fsReason(e.reason)}): ` +
            (e.kept === undefined
              ? "a record another process appended at that instant may be missing from it; "
              : `records another process appended at that instant are kept in ${e.kept}, and added to the journal ` +
                "by the next command that writes it; ") +
            "nothing was sent",
          EXIT.error,
        );
      }
      // The journal stays as it was (a full disk, a permission …): the command goes on with it.
      return false;
    }
  }

  /**
   * Under the compaction lock: removes what killed compactions left (see `leftoversOf`), once the records appended to
   * an old file they kept, past the offset its name gives, are appended to the journal (unless that old file is still
   * the journal: killed before its rename).
   */
  private async recover(left: readonly string[]): Promise<void> {
    for (const path of left) {
      const offset = keptOffset(path);
      if (offset !== undefined) {
        const kept = await lstat(path);
        const now = await stat(this.path).catch(() => undefined);
        if (kept.isFile() && (now?.ino !== kept.ino || now.dev !== kept.dev)) {
          const fd = openSync(path, "r");
          try {
            const tail: string[] = [];
            await copyFrom(fd, offset, false, async (text) => {
              tail.push(text);
            });
            if (tail.length) await this.appendText(tail.join(""));
          } finally {
            closeSync(fd);
          }
        }
      }
      await rm(path, { force: true });
    }
  }

  /** The size its last compaction wrote (its first line: see `CompactedMark`), 0 when there was none. */
  private compactedBytes(): number {
    const fd = openSync(this.path, "r");
    try {
      const first = readLines(fd, 4096).next();
      const mark = first.done ? undefined : parseLine(first.value.text);
      return mark?.event === "compacted" && typeof mark.bytes === "number" ? mark.bytes : 0;
    } finally {
      closeSync(fd);
    }
  }

  /** The compaction itself (see `compact`), under its lock. */
  private async rewrite(stats: { mode: number; uid: number; gid: number }): Promise<boolean> {
    const old = openSync(this.path, "r");
    const temporary = `${this.path}.${randomBytes(6).toString("hex")}.compacting`;
    let kept: string | undefined;
    try {
      const jobs = new Map<string, JournalJob>();
      const images = new Map<string, ImageRecord>();
      const submits = pendingSubmits();
      const settled = new Map<string, SubmitRecord>();
      // Up to the end of the last whole line: the rest is read again once the new file is in place.
      let read = 0;
      for (const line of readLines(old, this.chunk)) {
        if (!line.whole) break;
        read = line.end;
        const r = parseLine(line.text);
        const ended = submits.add(r);
        if (ended && typeof ended.custom_id === "string" && typeof ended.batch === "string") {
          // The latest settled submit of a batch line on one server, as one record (see `compact`).
          const key = lineKey(ended);
          settled.delete(key);
          settled.set(key, settledLine(ended, r));
        }
        if (isJobRecord(r)) jobs.set(r.job_id, fold(jobs.get(r.job_id), r));
        else if (isImageRecord(r)) {
          // The latest record of a batch line's image on one server, where it was last written.
          const image = compactedImage(r);
          const key = lineKey(image);
          images.delete(key);
          images.set(key, image);
        }
      }
      const body: string[] = [];
      let bytes = 0;
      // Scrubbed as an append is: a record is compacted as it is on disk, which may hold a key (one written unscrubbed,
      // an edit of yours).
      const add = (record: unknown) => {
        const line = `${jsonText(redactValues(record))}\n`;
        body.push(line);
        bytes += Buffer.byteLength(line);
      };
      for (const job of jobs.values()) add(compactedRecord(job));
      for (const image of images.values()) add(image);
      // A submit nothing settled stays: a job may exist for it.
      for (const submit of submits.pending()) add(submit);
      // A batch line's settled submit stays while nothing else of the line does: --resume knows its batch by it, and
      // needs one of them, the latest of the batch on one server (the lines of an edited or deleted batch file, or of
      // standard input, would stay forever).
      const lines = new Set([...images.keys(), ...[...jobs.values()].map(lineKey)]);
      const batches = new Map<string, SubmitRecord>();
      for (const [key, submit] of settled) {
        if (lines.has(key)) continue;
        const batch = JSON.stringify([submit.batch, submit.base_url]);
        batches.delete(batch);
        batches.set(batch, submit);
      }
      for (const submit of batches.values()) add(submit);
      jobs.clear();
      images.clear();
      settled.clear();
      const mark: CompactedMark = { at: new Date().toISOString(), event: "compacted", bytes };
      const file = await open(temporary, "wx", 0o600);
      try {
        // The journal's mode as it is (the umask would take a group's write from a journal a group shares), and its
        // owner where this process may give it (root compacting a user's journal).
        await file.chmod(stats.mode & 0o777);
        await file.chown(stats.uid, stats.gid).catch(() => undefined);
        await file.write(`${JSON.stringify(mark)}\n`);
        for (let i = 0; i < body.length; i += 4096) await file.write(body.slice(i, i + 4096).join(""));
        // What others appended meanwhile, as it is.
        read += await copyFrom(old, read, true, (text) => file.write(text).then(() => undefined));
        await file.sync();
      } finally {
        await file.close();
      }
      await this.pause?.("written");
      // The old file keeps a second name until what is appended to it past `read` is in the new one (see `compact`).
      // (A file system without hard links, FAT or some network ones, compacts without it, as it can.)
      const name = `${this.path}.compacted.${read}.old`;
      let still: { ino: number; dev: number };
      try {
        await link(this.path, name);
        kept = name;
        still = await lstat(kept);
      } catch (e) {
        if (!NO_LINKS.has((e as NodeJS.ErrnoException).code!)) throw e;
        still = await lstat(this.path);
      }
      // Still the file read: another compaction (two processes taking over a stale lock at once) may have put its own
      // in its place, which this one would replace with what others appended to it since.
      const held = fstatSync(old);
      if (still.ino !== held.ino || still.dev !== held.dev) return false;
      await syncDirectory(dirname(this.path));
      await rename(temporary, this.path);
      await syncDirectory(dirname(this.path));
      // What others appended to the old file between the last read and the rename (a line cut short, ended).
      const tail: string[] = [];
      await copyFrom(old, read, false, async (text) => {
        tail.push(text);
      });
      try {
        if (tail.length) await this.appendText(tail.join(""));
      } catch (e) {
        const error = new CompactionFailed(e, kept);
        kept = undefined;
        throw error;
      }
      return true;
    } finally {
      closeSync(old);
      await rm(temporary, { force: true });
      if (kept !== undefined) await rm(kept, { force: true });
    }
  }
}

/**
 * What compactions killed midway left beside the journal at `path`: their new files (`<journal>.<hex>.compacting`),
 * and the old files they kept (`<journal>.compacted.<offset>.old`: see `Journal.compact`). None where the directory
 * cannot be listed.
 */
function leftoversOf(path: string): string[] {
  const name = basename(path);
  let entries: string[];
  try {
    entries = readdirSync(dirname(path));
  } catch {
    return [];
  }
  return entries
    .filter((entry) => {
      if (!entry.startsWith(`${name}.`)) return false;
      const rest = entry.slice(name.length + 1);
      return /^[0-9a-f]{12}\.compacting$/.test(rest) || /^compacted\.\d+\.old$/.test(rest);
    })
    .map((entry) => join(dirname(path), entry));
}

/** Where the records a compaction did not copy start in the old file it kept (undefined: not such a file). */
function keptOffset(path: string): number | undefined {
  const offset = /\.compacted\.(\d+)\.old$/.exec(path)?.[1];
  return offset === undefined ? undefined : Number(offset);
}

/** How `link` fails on a file system that has no hard links. */
const NO_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"]);

/** The new file of a compaction is in place, but what others appended meanwhile could not be added to it. */
class CompactionFailed extends Error {
  constructor(
    readonly reason: unknown,
    /** Where the old file is kept (see `compact`), unless the file system has no hard links. */
    readonly kept: string | undefined,
  ) {
    super("The journal's compaction could not be completed");
  }
}

/**
 * Passes to `write` the lines of the file `fd` from `from` to its end, as text; a last line cut short is left (`whole`)
 * or ended, as an append ends it. Answers how many bytes it read.
 */
async function copyFrom(
  fd: number,
  from: number,
  whole: boolean,
  write: (text: string) => Promise<void>,
): Promise<number> {
  let read = 0;
  let text = "";
  for (const line of readLines(fd, 65_536, from)) {
    if (whole && !line.whole) break;
    text += `${line.text}\n`;
    read = line.end - from;
    if (text.length > 1_048_576) {
      await write(text);
      text = "";
    }
  }
  if (text) await write(text);
  return read;
}

/** Flushes a directory's entries (a rename in it) to disk, where the system allows it. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {}
}
