/**
 * The hand-over of a video submit's record between two documents of the page (saved.ts), without a browser: its Web
 * Lock and the store of forgotten submits are stand-ins whose order the test sets. In Chromium the two documents of a
 * duplicated tab may live in two processes, where which comes first (the lock given to the second, or the first's
 * write reaching it) is the browser's to choose, not a test's: here the write is done only when the test says.
 */
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { forgetSubmits, type SavedSubmit, saved, saveSubmit, whenCut } from "../src/saved.js";

/**
 * Web Locks: each name granted to one request at a time, in the order asked, held until its callback's promise settles,
 * or taken by a request that steals it (the holder's request then rejects).
 */
function fakeLocks() {
  interface Turn {
    start(): void;
    rob(): void;
  }
  const holding = new Map<string, Turn>();
  const waiting = new Map<string, Turn[]>();
  const granted: string[] = [];
  const request = (name: string, options: LockOptions, callback: (lock: Lock | null) => unknown) =>
    new Promise<unknown>((resolve, reject) => {
      if (options.ifAvailable && holding.has(name)) return resolve(Promise.resolve().then(() => callback(null)));
      const turn: Turn = {
        start() {
          granted.push(name);
          void Promise.resolve()
            .then(() => callback({ name, mode: "exclusive" } as Lock))
            .then(resolve, reject)
            .finally(() => {
              if (holding.get(name) !== turn) return;
              holding.delete(name);
              const next = waiting.get(name)?.shift();
              if (next) holding.set(name, next);
              next?.start();
            });
        },
        rob: () => reject(new DOMException("Lock broken by another request with the 'steal' option.", "AbortError")),
      };
      if (options.steal) holding.get(name)?.rob();
      else if (holding.has(name)) {
        waiting.set(name, [...(waiting.get(name) ?? []), turn]);
        options.signal?.addEventListener("abort", () => {
          const queue = waiting.get(name) ?? [];
          if (queue.includes(turn)) queue.splice(queue.indexOf(turn), 1);
          reject(options.signal?.reason);
        });
        return;
      }
      holding.set(name, turn);
      turn.start();
    });
  return { manager: { request } as LockManager, held: (name: string) => holding.has(name), granted };
}

/**
 * IndexedDB, one database of one object store: a transaction that writes completes (its writes then read by every
 * transaction begun after it) only when the test calls `complete()`; one that reads completes at once.
 */
function fakeIndexedDB() {
  const stored = new Map<unknown, unknown>();
  const writing: (() => void)[] = [];
  const later = (run: () => void) => void Promise.resolve().then(run);
  const transaction = (_name: string, mode: IDBTransactionMode) => {
    const tx = { oncomplete: () => {}, onabort: () => {}, error: null, objectStore: () => store };
    const puts = new Map<unknown, unknown>();
    const store = {
      get(key: unknown) {
        const got = { result: undefined as unknown, onsuccess: () => {} };
        later(() => {
          got.result = stored.get(key);
          got.onsuccess();
          if (mode === "readonly") later(() => tx.oncomplete());
          else
            writing.push(() => {
              for (const [key, value] of puts) stored.set(key, value);
              tx.oncomplete();
            });
        });
        return got;
      },
      put: (value: unknown, key: unknown) => void puts.set(key, value),
    };
    return tx;
  };
  const indexedDB = {
    open() {
      const open = {
        result: { transaction, close() {} },
        onsuccess: () => {},
        onerror: () => {},
        onupgradeneeded() {},
      };
      later(() => open.onsuccess());
      return open;
    },
  };
  return {
    indexedDB,
    /** Completes the writes begun so far. */
    complete: () => {
      for (const done of writing.splice(0)) done();
    },
  };
}

const fail = (submit: SavedSubmit) => expect.unreachable(`${submit.id} taken back`);

/** Lets every promise and callback queued run (on the real clock: the page's timers are on a fake one). */
const realSetTimeout = setTimeout;
const settle = () => new Promise((resolve) => realSetTimeout(resolve, 0));
/** The time a tab gives the next load of the tab that let a submit's lock go to take it (a reload): 2 s. */
const handOver = async () => {
  vi.advanceTimersByTime(2000);
  await settle();
};

let locks: ReturnType<typeof fakeLocks>;
let db: ReturnType<typeof fakeIndexedDB>;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout"] });
  const session = new Map<string, string>();
  vi.stubGlobal("sessionStorage", {
    getItem: (key: string) => session.get(key) ?? null,
    setItem: (key: string, value: string) => void session.set(key, value),
    removeItem: (key: string) => void session.delete(key),
  });
  locks = fakeLocks();
  vi.stubGlobal("navigator", { locks: locks.manager });
  db = fakeIndexedDB();
  vi.stubGlobal("indexedDB", db.indexedDB);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

it("lets a submit's lock go only once its forgetting is done, so the tab waiting for it (a copy of its record) says nothing", async () => {
  // The first tab's submit, on its way, its lock held.
  const submit = saveSubmit("lucy-pro-t2v");
  await settle();
  const name = `decart-playground:submit:${submit.id}`;
  expect(locks.held(name)).toBe(true);
  // A tab opened from it (its sessionStorage copied): the lock held, it waits.
  const cut: SavedSubmit[] = [];
  whenCut([submit], (s) => void cut.push(s), fail, new AbortController().signal);
  await settle();
  expect(locks.granted).toEqual([name]);
  // The first tab's answer comes: the submit forgotten. Its lock stays held until that is done.
  forgetSubmits([submit.id], "job-1");
  await settle();
  expect(locks.held(name)).toBe(true);
  expect(locks.granted).toEqual([name]);
  db.complete();
  await settle();
  // Given to the waiting tab once done, which read it then: nothing said, no record kept.
  expect(locks.granted).toEqual([name, name]);
  await handOver();
  db.complete();
  await settle();
  expect(cut).toEqual([]);
  expect(saved().submits).toEqual([]);
  expect(locks.held(name)).toBe(false);
});

it("says a copied submit whose tab let its lock go without forgetting it (closed before its answer)", async () => {
  const submit: SavedSubmit = { id: 0.25, model: "lucy-pro-t2v", since: 1 };
  const name = `decart-playground:submit:${submit.id}`;
  let close = () => {};
  void locks.manager.request(name, {}, () => new Promise<void>((release) => (close = release)));
  const cut: SavedSubmit[] = [];
  whenCut([submit], (s) => void cut.push(s), fail, new AbortController().signal);
  await settle();
  expect(cut).toEqual([]);
  close();
  await settle();
  // Not before the next load of that tab has had its time to take it (a reload, which would say it).
  expect(cut).toEqual([]);
  await handOver();
  expect(cut).toEqual([submit]);
  expect(saved().submits).toEqual([submit]);
});

it("keeps a copied submit whose tab let its lock go while it waits: this document gone meanwhile (reloaded), its next load says it", async () => {
  const submit: SavedSubmit = { id: 0.75, model: "lucy-pro-t2v", since: 1 };
  const name = `decart-playground:submit:${submit.id}`;
  let close = () => {};
  void locks.manager.request(name, {}, () => new Promise<void>((release) => (close = release)));
  const page = new AbortController();
  whenCut([submit], fail, fail, page.signal);
  await settle();
  expect(saved().submits).toEqual([]);
  // The first tab closed: no document but this one has the record now, kept in its storage while it waits.
  close();
  await settle();
  expect(saved().submits).toEqual([submit]);
  // This document goes before deciding (a reload): its next load reads the record and says it.
  page.abort();
  await handOver();
  expect(saved().submits).toEqual([submit]);
  const cut: SavedSubmit[] = [];
  whenCut(saved().submits, (s) => void cut.push(s), fail, new AbortController().signal);
  await settle();
  expect(cut).toEqual([submit]);
});
