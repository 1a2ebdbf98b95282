/**
 * What the emulator remembers: jobs, uploaded files' metadata and the stats counters. Everything here is bounded:
 * jobs by `maxJobs` (the oldest finished go first), files by MAX_FILES, and forgotten jobs' ids by `maxJobs` again.
 */
import type { JobStatus } from "@decart/api";
import type { MediaRequest, Result } from "./results.js";
import type { RouteName } from "./routes.js";
import { ROUTE_NAMES } from "./routes.js";
import { shown } from "./shown.js";
import type { JobRecord } from "./types.js";

/** Most uploaded files whose metadata is kept; beyond, the oldest is forgotten. */
export const MAX_FILES = 10_000;
/** Most job records one page of `stats()` lists. */
export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

/**
 * The one check of a page of the job list, for `stats(page)` and `GET /_emulator/stats` alike: `offset` and `limit`
 * whole numbers from 0 when given (a limit over MAX_PAGE is MAX_PAGE), and no other field. A value that is
 * not a number throws a TypeError, a number out of bounds a RangeError, each naming the field (`page.limit …`, or
 * with `prefix` "" as the query parameter: `limit …`).
 */
export function pageOf(page: unknown, prefix = "page."): { offset: number; limit: number } {
  if (typeof page !== "object" || page === null || Array.isArray(page)) {
    throw new TypeError(`page must be an object { offset?, limit? } (got ${shown(page)})`);
  }
  const out = { offset: 0, limit: DEFAULT_PAGE };
  for (const [name, value] of Object.entries(page)) {
    if (name !== "offset" && name !== "limit") {
      throw new TypeError(`${prefix}${name} is not a field of a page: give offset and limit only`);
    }
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      const problem = `${prefix}${name} must be a whole number from 0 (got ${shown(value)})`;
      throw typeof value === "number" ? new RangeError(problem) : new TypeError(problem);
    }
    out[name] = name === "limit" ? Math.min(MAX_PAGE, value) : value;
  }
  return out;
}

export interface Job {
  id: string;
  model: string;
  ownerId: string;
  submittedAt: number;
  /** When processing starts (may be >= endAt when the timeout hits while pending). */
  startAt: number;
  /** When the job reaches endStatus. */
  endAt: number;
  endStatus: "completed" | "failed";
  error: string | undefined;
  media: MediaRequest;
  statusReads: number;
  contentReads: number;
  /** Status and content requests that named the job (faulted ones included). */
  requests: number;
  firstCompletedReadAt: number | undefined;
  resultSha256: string | undefined;
  resultBytes: number | undefined;
  /** Set while the result renders. */
  result: Promise<Result> | undefined;
  /** Stats period the job belongs to (resetStats starts a new one). */
  epoch: number;
  /** The serialised status answer for bodyStatus. */
  body: Buffer | undefined;
  bodyStatus: JobStatus | undefined;
  /**
   * A `[hold]` job not yet released: how it ends when it is (until then it runs into the server timeout), and the
   * processing time drawn for it as for any job of its model (what its poll hint counts with).
   */
  held: { endStatus: "completed" | "failed"; error: string | undefined; processingMs: number } | undefined;
  /** `[trickle]` in the prompt: its content goes out as the `trickle` fault (with its defaults). */
  trickle: boolean;
}

/**
 * Ends a held job now, as it would have ended (`completed`, or `failed` for a `[fail]` prompt). False when the job is
 * not held, was released already, or the server timeout ended it first.
 */
export function release(job: Job, now: number): boolean {
  if (!job.held || now >= job.endAt) return false;
  job.startAt = Math.min(job.startAt, now);
  job.endAt = now;
  job.endStatus = job.held.endStatus;
  job.error = job.held.error;
  job.held = undefined;
  return true;
}

export function statusOf(job: Job, now: number): JobStatus {
  if (now >= job.endAt) return job.endStatus;
  return now >= job.startAt ? "processing" : "pending";
}

/** The job as `stats()` and `job(id)` report it. */
export function jobRecord(job: Job, now: number): JobRecord {
  const status = statusOf(job, now);
  const out: JobRecord = {
    id: job.id,
    model: job.model,
    status,
    submittedAt: job.submittedAt,
    statusReads: job.statusReads,
    contentReads: job.contentReads,
    requests: job.requests,
  };
  if (status === "failed" && job.error !== undefined) out.error = job.error;
  // (A job released while pending ends as it starts: startAt = endAt, the release. One the server timeout ended while
  // pending never started: startAt > endAt.)
  if (now >= job.startAt && job.startAt <= job.endAt) out.startedAt = job.startAt;
  if (now >= job.endAt) out.completedAt = job.endAt;
  if (job.firstCompletedReadAt !== undefined) out.firstCompletedReadAt = job.firstCompletedReadAt;
  if (job.resultSha256 !== undefined) out.resultSha256 = job.resultSha256;
  if (job.resultBytes !== undefined) out.resultBytes = job.resultBytes;
  return out;
}

/** Request and fault counters, started again by `reset()` (a new stats period). */
export class Stats {
  epoch = 0;
  jobsCreated = 0;
  jobsEvicted = 0;
  total = 0;
  bytesServed = 0;
  byRoute = {} as Record<RouteName, number>;
  faultsInjected: Record<string, number> = {};

  constructor() {
    this.reset();
  }

  countRequest(route: RouteName): void {
    this.total++;
    this.byRoute[route]++;
  }

  countFault(kind: string): void {
    this.faultsInjected[kind] = (this.faultsInjected[kind] ?? 0) + 1;
  }

  reset(): void {
    this.epoch++;
    this.jobsCreated = 0;
    this.jobsEvicted = 0;
    this.total = 0;
    this.bytesServed = 0;
    for (const r of ROUTE_NAMES) this.byRoute[r] = 0;
    this.faultsInjected = {};
  }
}

/**
 * The jobs, in submission order. Beyond `maxJobs` the oldest finished job is forgotten; its id (and owner) is kept,
 * within the same bound, so that its content answers 410 rather than 404. Jobs are also forgotten one retention
 * period after their result expired: every read of the store (a job, the count, a page) sees them gone from that
 * moment on, whatever the clock, with no submit needed.
 */
export class JobStore {
  private readonly jobs = new Map<string, Job>();
  /** Forgotten jobs: id → owner. */
  private readonly forgotten = new Map<string, string>();
  /**
   * No kept job is due to be forgotten before this time (a lower bound: a job dropped by `get` may have set it), so
   * that a read walks the jobs only when one is due.
   */
  private nextDue = Number.POSITIVE_INFINITY;
  constructor(
    private readonly maxJobs: number,
    private readonly retentionMs: number,
    private readonly stats: Stats,
  ) {}

  /** When a job is forgotten: one retention period after its result expired (its end plus two periods). */
  private dueAt(job: Job): number {
    return job.endAt + 2 * this.retentionMs;
  }

  /** How many jobs are kept at `now`. */
  size(now: number): number {
    this.sweep(now);
    return this.jobs.size;
  }

  /** The job `id`, unless it is unknown or forgotten at `now`. */
  get(id: string, now: number): Job | undefined {
    const job = this.jobs.get(id);
    if (job && now > this.dueAt(job)) {
      this.jobs.delete(id);
      return undefined;
    }
    return job;
  }

  /** Whether `id` was a job of `ownerId` that was forgotten to stay within the cap. */
  wasEvicted(id: string, ownerId: string): boolean {
    return this.forgotten.get(id) === ownerId;
  }

  /**
   * Makes room for one more job: forgets the oldest finished one when the store is full. Returns false when it is
   * full of unfinished jobs (the caller answers 429), with the time until the oldest of them ends.
   */
  makeRoom(now: number): { ok: true } | { ok: false; retryAfterMs: number } {
    this.sweep(now);
    if (this.jobs.size < this.maxJobs) return { ok: true };
    let soonest = Number.POSITIVE_INFINITY;
    for (const job of this.jobs.values()) {
      if (now >= job.endAt) {
        this.forget(job);
        this.stats.jobsEvicted++;
        return { ok: true };
      }
      soonest = Math.min(soonest, job.endAt);
    }
    return { ok: false, retryAfterMs: soonest - now };
  }

  add(job: Job): void {
    this.jobs.set(job.id, job);
    this.nextDue = Math.min(this.nextDue, this.dueAt(job));
  }

  /** Releases the held job `id` (see `release`); false when it is unknown or forgotten too. */
  release(id: string, now: number): boolean {
    const job = this.get(id, now);
    if (!job || !release(job, now)) return false;
    this.nextDue = Math.min(this.nextDue, this.dueAt(job));
    return true;
  }

  /** One page of the current stats period's jobs, oldest first. */
  page(offset: number, limit: number, now: number): { total: number; records: JobRecord[] } {
    this.sweep(now);
    const records: JobRecord[] = [];
    let total = 0;
    for (const job of this.jobs.values()) {
      if (job.epoch !== this.stats.epoch) continue;
      if (total >= offset && records.length < limit) records.push(jobRecord(job, now));
      total++;
    }
    return { total, records };
  }

  /** Starts every job's read counters again (a new stats period). */
  resetCounters(): void {
    for (const job of this.jobs.values()) {
      job.statusReads = 0;
      job.contentReads = 0;
      job.requests = 0;
    }
  }

  private forget(job: Job): void {
    this.jobs.delete(job.id);
    this.forgotten.set(job.id, job.ownerId);
    if (this.forgotten.size > this.maxJobs) this.forgotten.delete(this.forgotten.keys().next().value as string);
  }

  /** Drops the jobs due at `now` (one retention period after their result expired), when any is. */
  private sweep(now: number): void {
    if (now <= this.nextDue) return;
    let next = Number.POSITIVE_INFINITY;
    for (const [id, job] of this.jobs) {
      const due = this.dueAt(job);
      if (now > due) this.jobs.delete(id);
      else next = Math.min(next, due);
    }
    this.nextDue = next;
  }
}

export interface StoredFile {
  id: string;
  ownerId: string;
  filename: string | null;
  mimeType: string;
  size: number;
  createdAt: number;
  expiresAt: number | null;
}

/** Uploaded files' metadata (the bytes are never kept): expired ones dropped, at most MAX_FILES. */
export class FileStore {
  private readonly files = new Map<string, StoredFile>();

  /** `lastSweep`: when the last sweep ran, on the emulator's clock (at first, when the store was made). */
  constructor(private lastSweep: number) {}

  /** The live file `id` of `ownerId`. */
  get(id: string, ownerId: string, now: number): StoredFile | undefined {
    const file = this.files.get(id);
    if (file && file.expiresAt !== null && now >= file.expiresAt) {
      this.files.delete(id);
      return undefined;
    }
    return file && file.ownerId === ownerId ? file : undefined;
  }

  add(file: StoredFile, now: number): void {
    if (now - this.lastSweep >= 60_000) {
      this.lastSweep = now;
      for (const [id, f] of this.files) if (f.expiresAt !== null && now >= f.expiresAt) this.files.delete(id);
    }
    this.files.set(file.id, file);
    if (this.files.size > MAX_FILES) this.files.delete(this.files.keys().next().value as string);
  }

  delete(id: string): void {
    this.files.delete(id);
  }
}
