import type {
  DecartClient,
  JobEvent,
  JobSubmitResult,
  PollOptions,
  PollSchedule,
  SubmitOptions,
  VideoModel,
  VideoModelName,
} from "@decart/core";
import { fromAbortable, jobFailed, submitJob, watchJob } from "@decart/queue-rx";
import { useMemo, useSyncExternalStore } from "react";
import { useDecartClient } from "./context.js";
import { type GenerationState, idle, Store } from "./store.js";
import { pageHidden } from "./visibility.js";

/** Options of `useJob` and `useGenerateVideo`, read when watching starts. */
export interface VideoJobOptions {
  /** `false` to end at `completed` without downloading the video (`result` stays undefined). Default `true`. */
  download?: boolean;
  /** Polling for this job, merged over the client's `poll`, or a schedule function. */
  poll?: PollOptions | PollSchedule;
  /** The watch's budget before a `JobTimeoutError` (default: the core's, 11 minutes). */
  timeoutMs?: number;
  /**
   * While the page is hidden: `"slow"` (default) reads at most every 30 s, `"keep"` keeps the full pace (a dashboard
   * in a background tab). A job several components watch is slowed only while all of them would slow it.
   */
  whenHidden?: "slow" | "keep";
}

/** The page's visibility, as queue-rx's `background`, unless the hook keeps the pace when hidden. */
const pacing = (whenHidden: VideoJobOptions["whenHidden"]) => (whenHidden === "keep" ? undefined : pageHidden);

/** `useJob` options: with the job's model when known, which sets the poll schedule. */
export interface UseJobOptions extends VideoJobOptions {
  model?: VideoModel | VideoModelName;
}

/** What `useJob` returns: the state, and `stop()` to stop watching (the job goes on). */
export interface JobHandle extends GenerationState {
  stop(): void;
}

/** What `useGenerateVideo` returns: the state, `submit`, `stop` and `reset`. */
export interface VideoGeneration extends GenerationState {
  /**
   * Submits a job (call it from an event handler, never from an effect) and follows it. Resolves with the job id
   * once the server accepted the job, or `undefined` when the submit failed (the error is in the state). A job being
   * watched is no longer watched (it is not cancelled).
   */
  submit<M extends VideoModelName>(input: SubmitOptions<M>): Promise<string | undefined>;
  /** Stops watching: no more reads, the state stays as it was. The job is not cancelled. */
  stop(): void;
  /** Stops watching and goes back to `idle`. */
  reset(): void;
}

/** A job event, as state. */
function stateOf(event: JobEvent): Partial<GenerationState> {
  switch (event.type) {
    case "submitted":
      return { status: "pending", jobId: event.jobId };
    case "status":
      return { status: event.status, jobId: event.jobId };
    case "downloading":
      return {
        status: "downloading",
        jobId: event.jobId,
        progress: { receivedBytes: event.receivedBytes, totalBytes: event.totalBytes },
      };
    case "completed":
      return { status: "completed", jobId: event.jobId, result: event.data };
    case "failed":
      return { status: "failed", jobId: event.jobId, error: jobFailed(event) };
  }
}

function apply(store: Store, event: JobEvent): void {
  store.set(stateOf(event));
}

/** Watches one job through queue-rx's shared poller while at least one component reads it. */
class JobFollower {
  readonly store: Store;
  private watching: { unsubscribe(): void } | undefined;
  private ended = false;
  private stopped = false;

  constructor(
    private readonly client: DecartClient,
    private readonly jobId: string | null | undefined,
    private readonly options: UseJobOptions,
  ) {
    this.store = new Store(jobId ? { ...idle, jobId } : idle, {
      onActive: () => this.start(),
      onIdle: () => this.halt(),
    });
  }

  private start(): void {
    if (!this.jobId || this.watching || this.ended || this.stopped) return;
    const { model, download, poll, timeoutMs, whenHidden } = this.options;
    const options = { model, download, poll, timeoutMs, background: pacing(whenHidden) };
    const watching = watchJob(this.client, this.jobId, options).subscribe({
      next: (event) => apply(this.store, event),
      error: (error) => {
        this.ended = true;
        this.store.set({ status: "error", error });
      },
      complete: () => {
        this.ended = true;
      },
    });
    if (this.ended) watching.unsubscribe();
    else this.watching = watching;
  }

  private halt(): void {
    this.watching?.unsubscribe();
    this.watching = undefined;
  }

  readonly stop = (): void => {
    this.stopped = true;
    this.halt();
  };
}

/**
 * Follows an existing job (e.g. one your server submitted) while the component is mounted: `pending` →
 * `processing` → (`downloading` →) `completed` or `failed`. Every component watching the same job on the same
 * client shares one poller: one status read per tick, one download. The state is `idle` (with the `jobId`) until the
 * first read answers, and always `idle` on the server. Unmounting or `stop()` stops watching; nothing cancels the job.
 * A `null` or `undefined` job id reads nothing.
 */
export function useJob(jobId: string | null | undefined, options: UseJobOptions = {}): JobHandle {
  const client = useDecartClient();
  const { model, download, poll, timeoutMs, whenHidden } = options;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new follower only when what it watches changes
  const follower = useMemo(
    () => new JobFollower(client, jobId, { model, download, poll, timeoutMs, whenHidden }),
    [client, jobId, typeof model === "string" ? model : model?.name, download],
  );
  const state = useSyncExternalStore(
    follower.store.subscribe,
    follower.store.getSnapshot,
    follower.store.getServerSnapshot,
  );
  return { ...state, stop: follower.stop };
}

/** Submits video jobs and follows the latest while a component reads it. */
class VideoGenerator {
  readonly store = new Store(idle, { onIdle: () => this.halt() });
  private watching: { unsubscribe(): void } | undefined;
  private run = 0;

  constructor(
    private readonly client: DecartClient,
    private readonly options: VideoJobOptions,
  ) {}

  private halt(): void {
    this.watching?.unsubscribe();
    this.watching = undefined;
  }

  readonly submit = <M extends VideoModelName>(input: SubmitOptions<M>): Promise<string | undefined> => {
    this.halt();
    const run = ++this.run;
    this.store.replace({ ...idle, status: "submitting" });
    // The submit is not aborted by `stop()` or an unmount: once sent, its answer (the job id) is always taken.
    let accepted: Promise<JobSubmitResult>;
    try {
      accepted = this.client.queue.submit(input);
    } catch (error) {
      accepted = Promise.reject(error);
    }
    const jobId = accepted.then(
      (first) => {
        if (run === this.run && !this.store.getSnapshot().jobId) this.store.set({ jobId: first.job_id });
        return first.job_id;
      },
      () => undefined,
    );
    const { download, poll, timeoutMs, whenHidden } = this.options;
    const watching = submitJob(this.client, input, {
      download,
      poll,
      timeoutMs,
      background: pacing(whenHidden),
      submitSource: () => fromAbortable(() => accepted),
    }).subscribe({
      next: (event) => apply(this.store, event),
      error: (error) => {
        if (run === this.run) this.store.set({ status: "error", error });
      },
    });
    if (run === this.run && !watching.closed) this.watching = watching;
    return jobId;
  };

  readonly stop = (): void => this.halt();

  readonly reset = (): void => {
    this.halt();
    this.run++;
    this.store.replace(idle);
  };
}

/**
 * Generates videos, mutation-style: `submit(input)` from an event handler returns the job id (it is in the state as
 * soon as the server accepted the job), then the state follows the job through `pending`, `processing`,
 * `downloading` and `completed` (with the video in `result`) or `failed`. `stop()` stops watching and `reset()` goes
 * back to `idle`; neither cancels the job, nor does an unmount, which stops watching too. The state is always `idle`
 * on the server.
 */
export function useGenerateVideo(options: VideoJobOptions = {}): VideoGeneration {
  const client = useDecartClient();
  const { download, poll, timeoutMs, whenHidden } = options;
  // biome-ignore lint/correctness/useExhaustiveDependencies: one generator per client and download choice
  const generator = useMemo(
    () => new VideoGenerator(client, { download, poll, timeoutMs, whenHidden }),
    [client, download],
  );
  const state = useSyncExternalStore(
    generator.store.subscribe,
    generator.store.getSnapshot,
    generator.store.getServerSnapshot,
  );
  return { ...state, submit: generator.submit, stop: generator.stop, reset: generator.reset };
}
