import { type ModelChoice, modelChoices } from "./fields.js";

/**
 * A job the page follows, kept in the tab's `sessionStorage` while it runs, so that a reload (or a tab restored) follows
 * it again rather than losing a job paid for: its id, its model when known, and when it began (wall time, ms since
 * epoch, for the timeline's offsets). Nothing else: no key, no token.
 */
export interface SavedJob {
  jobId: string;
  model?: string | undefined;
  since: number;
}

/** The views that save their job: the form's run and the followed job. */
export type Slot = "result" | "followed";

const KEY = "decart-playground:jobs";

/** What is saved: a job by view, and the ids listed under Jobs not shown. */
type Saved = Partial<Record<Slot, SavedJob>> & { unshown?: string[] };

/** What is saved; nothing when there is nothing, or storage cannot be read (blocked, not JSON). */
const read = (): Saved => {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY) ?? "{}");
    return saved && typeof saved === "object" ? saved : {};
  } catch {
    return {};
  }
};

/** A saved entry as the page can use it: a job id (a string), a video model of the catalogue or none, a time. */
const usable = (job: unknown): SavedJob | undefined => {
  const { jobId, model, since } = (job ?? {}) as Record<string, unknown>;
  if (typeof jobId !== "string" || !jobId) return;
  return { jobId, model: videoModel(model)?.name, since: typeof since === "number" ? since : Date.now() };
};

/** The catalogue's video model of that name, if it is one. */
export const videoModel = (name: unknown): ModelChoice | undefined =>
  modelChoices.find((m) => m.kind === "video" && m.name === name);

const write = (all: Saved): void => {
  try {
    if (all.result || all.followed || all.unshown?.length) sessionStorage.setItem(KEY, JSON.stringify(all));
    else sessionStorage.removeItem(KEY);
  } catch {}
};

/** Keeps `job` as the one `slot` follows, or forgets it (`undefined`: it ended, or the user stopped following it). */
export function save(slot: Slot, job: SavedJob | undefined): void {
  const all = read();
  if (all[slot]?.jobId === job?.jobId && all[slot]?.model === job?.model) return;
  if (job) all[slot] = job;
  else delete all[slot];
  write(all);
}

/** Keeps the ids listed under Jobs not shown (the page lists them until it is closed). */
export const saveUnshown = (unshown: readonly string[]): void => write({ ...read(), unshown: [...unshown] });

/**
 * What the page kept before it was loaded: the jobs its views followed, the latest begun first, and the ids listed under
 * Jobs not shown, each once.
 */
export function saved(): { jobs: SavedJob[]; unshown: string[] } {
  const all = read();
  const jobs = [usable(all.result), usable(all.followed)].filter((job): job is SavedJob => !!job);
  jobs.sort((a, b) => b.since - a.since);
  const unshown = Array.isArray(all.unshown) ? all.unshown.filter((id) => typeof id === "string" && id) : [];
  return { jobs: jobs.filter((job, i) => jobs.findIndex((other) => other.jobId === job.jobId) === i), unshown };
}

/** What `jobToSave` reads of a run: a hook's state and its `canRetry`. */
interface RunState {
  jobId: string | undefined;
  status: string;
  watching: boolean;
  error: unknown;
  canRetry: boolean;
}

/**
 * The job of a run to keep, of `model` (if known), begun at `startedAt` (performance.now()): one that has not reached its
 * end, watched, or after a watch that ended early that another watch can get past (a timeout, the network). Not one
 * that completed or failed (its end is shown), nor one the user stopped watching.
 */
export function jobToSave(run: RunState, model: string | undefined, startedAt: number): SavedJob | undefined {
  const { jobId, status, watching, error, canRetry } = run;
  if (!jobId || status === "completed" || status === "failed" || !(watching || (error && canRetry))) return;
  return { jobId, model, since: Math.round(Date.now() - (performance.now() - startedAt)) };
}

/** When a job saved at `since` (wall time) began, on performance.now()'s clock. */
export const startedAtOf = (job: SavedJob): number => performance.now() - (Date.now() - job.since);
