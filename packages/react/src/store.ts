import { type DecartError, type DownloadProgress, type JobEvent, readOnce } from "@decart/core";

/** Where a generation stands. */
export type GenerationStatus =
  | "idle"
  | "submitting"
  | "pending"
  | "processing"
  | "downloading"
  | "completed"
  | "failed"
  | "error";

/**
 * The state of a hook. `jobId` is set as soon as the job exists (video only); `progress` is the result's download
 * (while `downloading`, and kept after); `result` is the video or image once `completed`; `error` is a
 * `JobFailedError` with the server's reason when `failed`, or the error that stopped the request or the watch when
 * `error` (a `DecartError` always: read its `code`). `watching` is true while the hook follows its job or runs its request (from `submit` or `retry()`, or from
 * the mount of a `useJob` with a job id, until the end, an error, `stop()` or `reset()`): a `processing` state that is
 * not watched is what the hook last saw. `retrying` is set while the job's status reads (or its download) fail and are
 * tried again, beside the status they left as it was: the core's `retrying` event (`attempt`, the failures in a row
 * from 1; `error`, the typed error of the last; `delayMs`, the wait before the next try), cleared by any other change
 * of the state (the next status read that answers, the download's progress, the end, an error, `stop()`). Always
 * undefined for images (a request's retries are the client's own).
 */
export interface GenerationState {
  status: GenerationStatus;
  watching: boolean;
  jobId: string | undefined;
  /** Optional, so that a state written by hand (a stand-in for a hook's) needs none. */
  retrying?: Extract<JobEvent, { type: "retrying" }> | undefined;
  progress: DownloadProgress | undefined;
  result: Blob | undefined;
  error: DecartError | undefined;
}

/**
 * A hook's return `T` narrowed by its `status`: once `completed`, `result` is `Result`, as the hook's `download` makes
 * it (a `Blob`: an image, or a video downloaded, the default; `undefined` with `download: false`; either when
 * `download` is known only at run time), as queue-rx types a job's events. Still a `T`, and a `GenerationState`.
 */
export type CompletedWith<T extends GenerationState, Result extends Blob | undefined> =
  | (T & { status: Exclude<GenerationStatus, "completed"> })
  | (T & { status: "completed"; result: Result });

/**
 * Whether an error of a request says it made nothing (no job, no image), so sending the same inputs again cannot pay
 * twice: any error but one whose outcome is unknown (`SUBMIT_OUTCOME_UNKNOWN`), an abort of yours, a callback of yours
 * that threw once the whole body was sent (a `CALLBACK_ERROR` whose `mayExist` is true, as the core marks an
 * `onUploadProgress` that threw on its last call, when a job may exist; one with a job id is that job's; one thrown
 * before sent nothing), or one without a code.
 */
export const madeNothing = (error: unknown): boolean => {
  const { code, mayExist } = (error ?? {}) as { code?: string; mayExist?: true };
  return !/^(SUBMIT_OUTCOME_UNKNOWN|ABORT)?$/.test(code ?? "") && !(mayExist && code === "CALLBACK_ERROR");
};

/**
 * `input`, to be sent again by `retry()`, unless a file of it can be read only once (a `ReadableStream`, an async
 * iterable such as a Node stream: the first request read it, and sent again it would be an empty file): then
 * undefined, and `retry()` submits nothing.
 */
export const repeatable = <T extends object>(input: T): T | undefined => (readOnce(input) ? undefined : input);

/** The state before anything is submitted or read, and the state every hook has on the server. */
export const idle: GenerationState = Object.freeze({
  status: "idle",
  watching: false,
  jobId: undefined,
  progress: undefined,
  result: undefined,
  error: undefined,
});

/** What `useSyncExternalStore` needs. */
export interface ExternalStore<T> {
  subscribe(listener: () => void): () => void;
  getSnapshot(): T;
}

/**
 * A state held outside components, read through `useSyncExternalStore`. `onActive` runs when the first listener
 * arrives, `onIdle` when the last one has left and none came back in the same task (so that StrictMode's
 * unsubscribe-resubscribe does not stop anything). After `onIdle`, `set` notifies nobody.
 */
export class Store implements ExternalStore<GenerationState> {
  // Declared only (nothing emitted), set by the constructor (`queued` undefined until `soon`).
  declare private state: GenerationState;
  declare private readonly initial: GenerationState;
  private readonly listeners = new Set<() => void>();
  /** A state for the next animation frame (see `soon`). */
  declare private queued: GenerationState | undefined;

  constructor(
    initial: GenerationState,
    private readonly hooks: { onActive?: () => void; onIdle?: () => void },
  ) {
    this.state = initial;
    this.initial = { ...initial, watching: false };
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    const { listeners, hooks } = this;
    listeners.add(listener);
    if (listeners.size === 1) hooks.onActive?.();
    return () => {
      listeners.delete(listener);
      if (!listeners.size) queueMicrotask(() => listeners.size || hooks.onIdle?.());
    };
  };

  readonly getSnapshot = (): GenerationState => this.state;

  /** Whether a component reads the state now. */
  get active(): boolean {
    return this.listeners.size > 0;
  }

  /**
   * The server's snapshot: the initial state, not watching (nothing runs on the server), always: a server render reads
   * nothing, and a page hydrates alike before it reads its own state.
   */
  readonly getServerSnapshot = (): GenerationState => this.initial;

  /** Changes the state: `next` over the latest (with `soon`'s too), `retrying` cleared unless `next` sets it. */
  set(next: Partial<GenerationState>): void {
    this.replace({ ...(this.queued ?? this.state), retrying: undefined, ...next });
  }

  /**
   * Sets `next` at the next animation frame: however many come before it, components render once, with the latest
   * (a download's progress). A `set` before then renders at once, with them.
   */
  soon(next: Partial<GenerationState>): void {
    // Without animation frames (a test DOM), at the next task. A frame that finds nothing queued renders nothing.
    if (!this.queued) (globalThis.requestAnimationFrame ?? setTimeout)(() => this.queued && this.replace(this.queued));
    this.queued = { ...(this.queued ?? this.state), retrying: undefined, ...next };
  }

  replace(next: GenerationState): void {
    this.queued = undefined;
    this.state = next;
    for (const listener of [...this.listeners]) listener();
  }
}
