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

/**
 * A video submit on its way: recorded before it is sent, forgotten once its answer (the job id) is kept or it failed
 * making nothing. One still there when the page loads was cut by a reload, or failed once the form had left it in a way
 * that says a job may exist (`error`, its error's message): a job may have been made (and billed) whose id the page
 * never received. Its model and when it was sent (wall time, ms since epoch); no input, key or token.
 */
export interface SavedSubmit {
  id: number;
  model: string;
  since: number;
  error?: string | undefined;
}

/** What is saved: a job by view, the ids listed under Jobs not shown, and the video submits on their way. */
type Saved = Partial<Record<Slot, SavedJob>> & { unshown?: string[]; submits?: SavedSubmit[] };

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
    if (all.result || all.followed || all.unshown?.length || all.submits?.length)
      sessionStorage.setItem(KEY, JSON.stringify(all));
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
 * The Web Lock a document holds on a submit it recorded (`saveSubmit`) while the record is its own: until it forgets it
 * (`forgetSubmits`), or is closed or loaded again (the browser then releases it). A tab opened from it (`window.open`,
 * Duplicate tab) gets a copy of its records with its `sessionStorage`: those held so are another document's, still live,
 * not cut (see `whenCut`). Held only while the submit is on its way, or its error said (a cut one said holds `saidOf`
 * it, let go while its page is in the back/forward cache: see `whenCut`). This one is kept there too: let go, a tab
 * opened from the page would say the submit while the page, shown again, still says it.
 */
const lockOf = (id: number) => `decart-playground:submit:${id}`;
/**
 * The locks this document holds or waits for, by submit id: its request (aborted once the submit is forgotten: a lock
 * granted after that would be held until the page is closed) and, once granted, its release.
 */
const held = new Map<number, Held>();
/** A lock of this document's: its request, and once granted its release. */
interface Held {
  request: AbortController;
  release?: () => void;
}
/** The browser's Web Locks, if it has them (a secure context: https, localhost). */
const locks = (): LockManager | undefined => (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;

/** Records a video submit of `model` about to be sent (see `SavedSubmit`), held by this document; answers the record. */
export function saveSubmit(model: string): SavedSubmit {
  const all = read();
  const submit = { id: Math.random(), model, since: Date.now() };
  write({ ...all, submits: [...submitsOf(all), submit] });
  const lock: Held = { request: new AbortController() };
  held.set(submit.id, lock);
  const { signal } = lock.request;
  locks()
    ?.request(lockOf(submit.id), { signal }, () =>
      signal.aborted ? undefined : new Promise<void>((release) => (lock.release = release)),
    )
    .catch(() => {});
  return submit;
}

/**
 * Where the page's documents say the submits they forgot (their answer came, or the user dismissed them): the latest
 * `FORGOTTEN_KEPT` ids, in IndexedDB. Not in `localStorage` alone: a document of another process (a duplicated tab)
 * reads its process's copy of that, which another document's write reaches when it does, possibly after that document's
 * lock was let go; a transaction completed is read by every transaction begun after it. But a transaction takes time,
 * and a page closed meanwhile writes nothing there: `localStorage` has them too (see `forgottenNow`).
 */
const FORGOTTEN = "forgotten-submits";
/** How many forgotten submit ids are kept in `FORGOTTEN`, the latest. */
const FORGOTTEN_KEPT = 50;
/**
 * The ids of submits a document of the page forgot (see `FORGOTTEN`), `ids` added to them, once that is done (its
 * transaction completed); none when IndexedDB cannot be used.
 */
const forgotten = (ids: readonly number[] = []): Promise<number[]> =>
  new Promise<number[]>((done, failed) => {
    const open = indexedDB.open("decart-playground");
    open.onupgradeneeded = () => open.result.createObjectStore(FORGOTTEN);
    open.onerror = () => failed(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(FORGOTTEN, ids.length ? "readwrite" : "readonly");
      const store = tx.objectStore(FORGOTTEN);
      const got = store.get(FORGOTTEN);
      let said: number[] = [];
      got.onsuccess = () => {
        said = Array.isArray(got.result) ? got.result.filter((id) => typeof id === "number") : [];
        if (!ids.length) return;
        said = [...said, ...ids.filter((id) => !said.includes(id))].slice(-FORGOTTEN_KEPT);
        store.put(said, FORGOTTEN);
      };
      tx.oncomplete = () => {
        db.close();
        done(said);
      };
      tx.onabort = () => {
        db.close();
        failed(tx.error);
      };
    };
  }).catch(() => []);

/**
 * The forgotten submit ids (see `FORGOTTEN`) as `localStorage` has them, `ids` added there at once (written before
 * this returns): the page may be closed before its IndexedDB write completes (the browser then lets its lock go with
 * nothing written there), and a document given that lock reads this too: at once, and again once it has waited
 * `HANDED_OVER_MS`, time for the write to reach it from another process. None when `localStorage` cannot be used.
 */
const forgottenNow = (ids: readonly number[] = []): number[] => {
  try {
    const kept = JSON.parse(localStorage.getItem(`decart-playground:${FORGOTTEN}`) ?? "[]");
    const said: number[] = Array.isArray(kept) ? kept.filter((id) => typeof id === "number") : [];
    if (ids.length)
      localStorage.setItem(
        `decart-playground:${FORGOTTEN}`,
        JSON.stringify([...said, ...ids.filter((id) => !said.includes(id))].slice(-FORGOTTEN_KEPT)),
      );
    return said;
  } catch {
    return [];
  }
};

/**
 * How long a document waits, once another one let go the lock of a submit it hid (see `whenCut`), before deciding on
 * it: the time for the next load of that document (a reload) to take it. The browser lets the lock go as the document
 * goes, and nothing tells a reload from a close but the new load taking it: said at once, the submit would show here
 * until then.
 */
const HANDED_OVER_MS = 2000;

/** The Web Lock of a cut submit a document says (see `whenCut`): held by one document at a time. */
const saidOf = (id: number) => `decart-playground:said:${id}`;

/**
 * Says through `cut`, each once its lock is free (see `lockOf`), the submits kept before the page loaded
 * (`saved().submits`) that no document answered: cut by a reload (the old document's lock is released once it is gone),
 * or their page closed before their answer. One another live document holds (the tab this one was opened from, its
 * submit still on its way) is hidden here meanwhile (this tab's copy left out of its storage, kept back if said); once
 * that document lets it go, and `HANDED_OVER_MS` more, it is said unless that document forgot it (its answer came, or
 * it was dismissed: see `forgetSubmits`) or its next load says it (a reload). One document says each at a time,
 * holding its `saidOf` lock, the latest to decide (the first tab loaded again after the one opened from it, which
 * waited for its lock): `uncut` takes it back from the one that said it until then, hidden there until the lock is let
 * go (dismissed: forgotten; its page closed: said there again).
 * Without Web Locks, all at once. Nothing more is said once `signal` is aborted.
 */
export function whenCut(
  submits: readonly SavedSubmit[],
  cut: (submit: SavedSubmit) => void,
  uncut: (submit: SavedSubmit) => void,
  signal: AbortSignal,
): void {
  const manager = locks();
  /** Keeps `submit` in this tab's storage, or leaves it out (hidden while another document has it). */
  const keep = (submit: SavedSubmit, kept: boolean) => {
    const all = read();
    const others = submitsOf(all).filter((saved) => saved.id !== submit.id);
    write({ ...all, submits: kept ? [...others, submit] : others });
  };
  // Read once the lock is this document's: what the document that let it go forgot is done by then.
  const sayable = async (submit: SavedSubmit) => {
    const said = [...(await forgotten()), ...forgottenNow()];
    if (signal.aborted) return false;
    if (said.includes(submit.id)) {
      forgetSubmits([submit.id]);
      return false;
    }
    return true;
  };
  // Resolves once its lock is granted (or refused): the submit's lock, held until then by the document that decided,
  // goes next to one that decides after it.
  const say = (submit: SavedSubmit, steal: boolean) =>
    new Promise<void>((granted) => {
      const lock: Held = { request: new AbortController() };
      held.set(submit.id, lock);
      // Given up with the page too (not `AbortSignal.any`: Safari 17.4+, newer than the browsers the SDK serves).
      signal.addEventListener("abort", () => lock.request.abort());
      let taken = false;
      manager!
        .request(saidOf(submit.id), steal ? { steal } : { signal: lock.request.signal }, async () => {
          granted();
          if (!steal && (!(await sayable(submit)) || taken)) return;
          keep(submit, true);
          cut(submit);
          saying.add(submit);
          listen();
          return new Promise<void>((release) => (lock.release = release));
        })
        .catch(() => {
          granted();
          saying.delete(submit);
          if (signal.aborted || lock.request.signal.aborted) return;
          // Taken by a document that decided since: said there, hidden here until it lets it go.
          taken = true;
          uncut(submit);
          keep(submit, false);
          void say(submit, false);
        });
    });
  // The submits this document says (holding their `saidOf` lock), and those it let go as it went into the back/forward
  // cache (`pagehide`, persisted): held there, unseen, a lock keeps the other pages from saying its submit, and the
  // browser may not keep such a page. Shown again (`pageshow`), it takes them back, the latest to decide, unless one was
  // forgotten meanwhile (dismissed where another page said it). Listened for once one is said: a `pagehide` listener
  // runs the page's script as it goes, where a submit's request it aborts would fail with words saved to its record.
  const saying = new Set<SavedSubmit>();
  const parked: SavedSubmit[] = [];
  let listening = false;
  const listen = () => {
    // (None without a window: no back/forward cache.)
    if (listening || !globalThis.addEventListener) return;
    listening = true;
    addEventListener(
      "pagehide",
      (event) => {
        if (!event.persisted) return;
        for (const submit of saying) {
          const lock = held.get(submit.id);
          if (lock?.release) parked.push(submit);
          lock?.release?.();
        }
        saying.clear();
      },
      { signal },
    );
    addEventListener(
      "pageshow",
      (event) => {
        if (!event.persisted) return;
        for (const submit of parked.splice(0))
          void sayable(submit).then((yes) => (yes ? say(submit, true) : signal.aborted || uncut(submit)));
      },
      { signal },
    );
  };
  const decide = async (submit: SavedSubmit) => {
    if (!(await sayable(submit))) return;
    if (manager) return say(submit, true);
    keep(submit, true);
    cut(submit);
  };
  for (const submit of submits) {
    if (!manager) {
      void decide(submit);
      continue;
    }
    const name = lockOf(submit.id);
    manager
      .request(name, { ifAvailable: true }, (lock) => {
        if (lock || signal.aborted) return decide(submit);
        // Another document's, still live: hidden until it lets it go, then for `HANDED_OVER_MS`, that document's next
        // load's time to take it (a reload), before deciding after it, if it did, or at all (it was closed). Kept here
        // meanwhile, unless forgotten: this document gone first (a reload), its next load has it to decide on.
        keep(submit, false);
        void manager
          .request(name, { signal }, async () => {
            if (!(await sayable(submit))) return;
            keep(submit, true);
            setTimeout(() => {
              if (signal.aborted) return;
              keep(submit, false);
              void say(submit, false);
            }, HANDED_OVER_MS);
          })
          .catch(() => {});
      })
      .catch(() => {});
  }
}

/**
 * Forgets the submits `ids` (their answer came, they failed making nothing, or the user dismissed them); a job one made,
 * `jobId`, goes to the ids listed under Jobs not shown in the same write, so a reload never falls between the two.
 */
export function forgetSubmits(ids: readonly number[], jobId?: string): void {
  const all = read();
  const unshown = Array.isArray(all.unshown) ? all.unshown : [];
  write({
    ...all,
    submits: submitsOf(all).filter((submit) => !ids.includes(submit.id)),
    unshown: jobId && !unshown.includes(jobId) ? [...unshown, jobId] : unshown,
  });
  // Said to the page's other documents (a tab opened from this one waits for its copy of the record), each lock let go
  // once that is done (a document given it then reads it), a request not granted yet given up at once.
  const mine = ids.map((id) => held.get(id));
  for (const id of ids) held.delete(id);
  for (const lock of mine) lock?.request.abort();
  forgottenNow(ids);
  void forgotten(ids).then(() => {
    for (const lock of mine) lock?.release?.();
  });
}

/** Keeps the words of the error a submit the form left failed with beside its record, `submit` (a job may exist). */
export function saveSubmitError(submit: SavedSubmit): void {
  const all = read();
  write({ ...all, submits: submitsOf(all).map((saved) => (saved.id === submit.id ? submit : saved)) });
}

/** The submits saved, those that can be read (an `error` that is no string is none). */
const submitsOf = (all: Saved): SavedSubmit[] =>
  Array.isArray(all.submits)
    ? all.submits
        .filter((s) => typeof s?.id === "number" && typeof s.model === "string" && typeof s.since === "number")
        .map((s) => ({ ...s, error: typeof s.error === "string" ? s.error : undefined }))
    : [];

/**
 * What the page kept before it was loaded: the jobs its views followed, the latest begun first, the ids listed under
 * Jobs not shown, each once, and the video submits a reload cut before their answer.
 */
export function saved(): { jobs: SavedJob[]; unshown: string[]; submits: SavedSubmit[] } {
  const all = read();
  const jobs = [usable(all.result), usable(all.followed)].filter((job): job is SavedJob => !!job);
  jobs.sort((a, b) => b.since - a.since);
  const unshown = Array.isArray(all.unshown) ? all.unshown.filter((id) => typeof id === "string" && id) : [];
  return {
    jobs: jobs.filter((job, i) => jobs.findIndex((other) => other.jobId === job.jobId) === i),
    unshown,
    submits: submitsOf(all),
  };
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
