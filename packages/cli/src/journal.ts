import { readFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { usageError } from "./exit.js";
import {
  type Avoid,
  checkOutputFile,
  checkReadableFile,
  checkRegularFile,
  ensureDirectoryOf,
  isBelow,
  lookupError,
  placeOf,
  samePlace,
} from "./files.js";

/** One line of the journal: something that happened to a job. */
export interface JournalRecord {
  /** When it was written (ISO 8601). */
  at: string;
  job_id: string;
  /** `submitted` (written before any waiting), then `completed`, `failed` or `saved` (with `path`). */
  event: "submitted" | "completed" | "failed" | "saved";
  model?: string | undefined;
  /** Where the result goes (`submitted`), or went (`saved`). */
  path?: string | undefined;
  error?: string | undefined;
  /** For a batch line: its `custom_id` and the batch file. */
  custom_id?: string | undefined;
  batch?: string | undefined;
  /**
   * For a batch line (on `submitted`): the API's URL the job was made on, and a hash of the line's text (see
   * `runBatch`). Records written before these existed have neither, and match any.
   */
  base_url?: string | undefined;
  line_hash?: string | undefined;
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
}

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
}

/**
 * The journal's absolute path (a relative one from the current directory, as every path the CLI prints): `--journal`,
 * else `DECART_JOURNAL`, else `$XDG_STATE_HOME/decart/jobs.jsonl` (by default `~/.local/state/decart/jobs.jsonl`).
 */
export function journalPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return resolve(flag);
  if (env.DECART_JOURNAL) return resolve(env.DECART_JOURNAL);
  return resolve(env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "decart", "jobs.jsonl");
}

/**
 * The first of `written` (the files a command writes: a result, a report, `batch --out` itself) that is the journal or a
 * directory above it, as the file system sees them (a symbolic or hard link, a name in another case where case is
 * ignored: see `samePlace`); undefined when none is.
 */
export function journalClash(flag: string | undefined, written: readonly string[]): string | undefined {
  const known = new Map<string, string>();
  const journal = placeOf(journalPath(flag), known);
  for (const path of written) {
    const place = placeOf(path, known);
    if (samePlace(place, journal) || isBelow(place, journal)) return resolve(path);
  }
  return undefined;
}

/**
 * For a name the CLI chooses (no `-o`, see `placeFile`): whether a path is the journal (see `journalClash`). Such a name
 * passes over it as over an existing file: a name the user did not choose is no reason to fail, nor to write over the
 * journal (or take its name before it is written); the path printed says where the result went.
 */
export const journalsName =
  (flag: string | undefined): Avoid =>
  (path) =>
    journalClash(flag, [path]) !== undefined;

/**
 * Refuses (a usage error, exit 2, before anything is made or sent) a journal that is one of the files a command writes
 * (`written`: a result, a report, `batch --out` itself) or a directory above one (see `journalClash`): the command would
 * write over it, or fail to record its jobs once they are paid for. `what` names where those paths came from
 * (`--out results`).
 */
export function checkJournalApart(flag: string | undefined, written: readonly string[], what: string): void {
  const clash = journalClash(flag, written);
  if (clash === undefined) return;
  throw usageError(
    `the journal ${journalPath(flag)} (--journal, DECART_JOURNAL) is where the command writes (${what}: ${clash}); ` +
      "give a journal outside it, or another name (nothing was sent)",
  );
}

/**
 * The journal at `journalPath(flag)`, once checked to be a regular file (where it exists: not a named pipe, a socket
 * or a device) that can be written (a usage error, exit 2, before anything is sent otherwise). With `{ write: false }`
 * (a command that only reads it), checked to be readable if it is there, creating nothing.
 */
export async function openJournal(flag: string | undefined, { write = true } = {}): Promise<Journal> {
  const path = journalPath(flag);
  const what = `the journal ${path} (--journal, DECART_JOURNAL)`;
  await checkRegularFile(path, what);
  await (write ? checkOutputFile(path, what) : checkReadableFile(path, what));
  return new Journal(path, what);
}

/** The record glued onto a fragment of a line cut short (see `Journal.lines`), if the line holds one. */
function recordAfterFragment(line: string): unknown {
  for (let at = line.indexOf('{"at":', 1); at > 0; at = line.indexOf('{"at":', at + 1)) {
    try {
      return JSON.parse(line.slice(at));
    } catch {}
  }
  return undefined;
}

/**
 * An append-only JSONL file of every job the CLI submitted (and every image a batch wrote). `append` resolves once its record is written and flushed to
 * disk (fsync), so a job id recorded before waiting survives a killed process or a lost machine. The disk work runs
 * off the event loop, and records appended while a flush is under way go to disk together in the next one (a group
 * commit): a batch of a hundred jobs in flight costs a few flushes, not one per record, and never blocks the jobs'
 * requests while the disk syncs.
 */
export class Journal {
  private ready = false;
  /**
   * The first write that failed (a full disk, a permission, its directory removed or replaced), if one did: the commands
   * go on without the record (see `follow`'s `unrecorded`) and end with exit 1.
   */
  failure: unknown;
  private queue: Array<{ line: string; resolve: () => void; reject: (e: unknown) => void }> = [];
  private writing = false;
  constructor(
    readonly path: string,
    /** How errors name it (`the journal … (--journal, DECART_JOURNAL)`). */
    private readonly what = `the journal ${path}`,
  ) {}

  append(record: Omit<JournalRecord, "at">): Promise<void> {
    return this.write({ at: new Date().toISOString(), ...record });
  }

  /** Records a batch line's image once its file is written (resolves once flushed, as `append`). */
  appendImage(record: Omit<ImageRecord, "at" | "event">): Promise<void> {
    return this.write({ at: new Date().toISOString(), event: "image_saved", ...record });
  }

  private write(record: JournalRecord | ImageRecord): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
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
            await ensureDirectoryOf(this.path);
            this.ready = true;
          }
          const file = await open(this.path, "a+", 0o600);
          try {
            let text = group.map((g) => g.line).join("");
            // A last line cut short (a kill or power loss mid-write) is left alone, and ended first: the record glued
            // onto it could never be read again.
            const { size } = await file.stat();
            if (size > 0) {
              const last = Buffer.alloc(1);
              await file.read(last, 0, 1, size - 1);
              if (last[0] !== 0x0a) text = `\n${text}`;
            }
            await file.write(text);
            await file.sync();
          } finally {
            await file.close();
          }
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
   * Every line of the file as JSON, in order. A line cut short by a kill mid-write is skipped; a record that an earlier
   * version appended onto such a line without ending it first is read from where it starts (every record starts with
   * `{"at":`, which JSON text inside a record cannot contain unescaped).
   */
  private lines(): any[] {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw lookupError(this.what, this.path, e);
    }
    const lines: any[] = [];
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      try {
        lines.push(JSON.parse(line));
      } catch {
        const glued = recordAfterFragment(line);
        if (glued !== undefined) lines.push(glued);
      }
    }
    return lines;
  }

  /** Every record of a job, in order. */
  records(lines: any[] = this.lines()): JournalRecord[] {
    return lines.filter((r) => typeof r?.job_id === "string" && typeof r.event === "string");
  }

  /** Every image of a batch line written to disk, in order. */
  images(lines: any[] = this.lines()): ImageRecord[] {
    return lines.filter(
      (r) => r?.event === "image_saved" && typeof r.custom_id === "string" && typeof r.path === "string",
    );
  }

  /** Each job once, in the order they were submitted, with its latest state. */
  jobs(lines: any[] = this.lines()): JournalJob[] {
    const jobs = new Map<string, JournalJob>();
    for (const r of this.records(lines)) {
      // A journal is a file anyone may have edited: only text is taken as text (no `undefined`, no `[object Object]`
      // shown, no number taken as a path).
      const at = typeof r.at === "string" ? r.at : "";
      const job = jobs.get(r.job_id) ?? { job_id: r.job_id, submitted_at: at, updated_at: at, state: r.event };
      job.updated_at = at || job.updated_at;
      // A later "completed" does not hide a result already saved.
      if (!(job.state === "saved" && r.event === "completed")) job.state = r.event;
      for (const key of ["model", "path", "error", "custom_id", "batch", "base_url", "line_hash"] as const) {
        if (typeof r[key] === "string") job[key] = r[key];
      }
      jobs.set(r.job_id, job);
    }
    return [...jobs.values()];
  }

  /** `jobs()` and `images()` of one read of the file (a batch's start reads both). */
  jobsAndImages(): { jobs: JournalJob[]; images: ImageRecord[] } {
    const lines = this.lines();
    return { jobs: this.jobs(lines), images: this.images(lines) };
  }

  /** What the journal knows of one job. */
  job(jobId: string): JournalJob | undefined {
    return this.jobs().find((j) => j.job_id === jobId);
  }
}
