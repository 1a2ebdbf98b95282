import {
  aborted,
  canWatchAgain,
  checkWatchOptions,
  type DecartClient,
  type DecartError,
  InvalidInputError,
  invalid,
  type JobEvent,
  type JobSubmitResult,
  type PollOptions,
  type PollSchedule,
  type SubmitOptions,
  type VideoModel,
  type VideoModelName,
} from "@decart/core";
import { jobFailed, watchJob } from "@decart/queue-rx";
import { useSyncExternalStore } from "react";
import { useDecartClient, useKept } from "./context.js";
import { Generator, useGenerator } from "./orphan.js";
import { type CompletedWith, type GenerationState, idle, madeNothing, repeatable, Store } from "./store.js";
import { pageHidden } from "./visibility.js";

/**
 * Options of `useJob` (read when watching starts) and `useGenerateVideo` (read by each `submit`, as the latest
 * committed render gave them). No `signal` nor `onStatusChange`, unlike the core's `WaitOptions`: `stop()` stops
 * watching (a submit's `input.signal` aborts the submit, then its watch) and the state is the status. One given
 * anyway, a key no hook has (a typo such as `timeout`) or a `whenHidden` outside its set throws an `InvalidInputError`
 * naming it as the hook renders, rather than being ignored. `useGenerateVideo` takes `useJob`'s `model` and `keepResultMs` too, unused, so
 * that one options object (a `UseJobOptions`, which TypeScript lets you give it) can serve both hooks.
 */
export interface VideoJobOptions {
  /** `false` to end at `completed` without downloading the video (`result` stays undefined). Default `true`. */
  download?: boolean | undefined;
  /** Polling for this job, merged over the client's `poll`, or a schedule function. */
  poll?: PollOptions | PollSchedule | undefined;
  /**
   * The watch's budget before a `JobTimeoutError` (default: the core's, 11 minutes), from when watching began (the
   * submit's answer, or `useJob`'s first watch): a component an `<Activity>` hid and shows again gets what is left, and
   * so does a `retry()`, at most `timeoutMs` from then (the latest committed render's, for `useGenerateVideo`), and a
   * new budget from then once less than 5 s of it is left (5 s left, exactly, is kept).
   */
  timeoutMs?: number | undefined;
  /**
   * While the page is hidden: `"slow"` (default) reads at most every 30 s, `"keep"` keeps the full pace (a dashboard
   * in a background tab). A job several components watch is slowed only while all of them would slow it.
   */
  whenHidden?: "slow" | "keep" | undefined;
  /**
   * `useGenerateVideo`'s (`useJob` takes it and calls nothing): called with the error of a submit left on its way
   * (`reset()`, the next `submit` or the component's unmount came before its answer; not an `<Activity>` hiding it,
   * nor a `<Suspense>` fallback shown in its place, whose state shows the error when shown again, unless the component is removed, or that state replaced, before it
   * is shown: then, nobody having seen it) that failed when a job may exist (`SUBMIT_OUTCOME_UNKNOWN`,
   * a `CALLBACK_ERROR` or an `AbortError` of your `signal` whose `mayExist` is true; `error.jobId`, the job's
   * id when known, which its `submit` resolves with too), and the `input` given to that `submit`: no state shows that
   * error, and its `submit` resolves as ever, never rejects. The latest committed render's; one that throws is thrown
   * apart (an uncaught error), `submit` resolving all the same. It is what queue-rx's `onOrphan` is to `submitJob`.
   * Also called with the job the hook drops when the provider's client changes (it starts afresh): the one it was
   * watching, or whose submit was on its way (once the server answers), as the core's `AbortError` carrying its id;
   * likewise with the job of a submit left on its way by `reset()` or the next `submit` (a `<StrictMode>` effect's
   * `submit`, run twice), once the server answers.
   */
  onOrphan?: ((error: DecartError, input: SubmitOptions<string>) => void) | undefined;
}

/** The hooks' own options, besides the watch's, and what each must be (`{}`: anything), as the core's checks take them. */
const own = { whenHidden: { enum: ["slow", "keep"] }, keepResultMs: {}, onOrphan: { type: "function" } };

/**
 * Reads and checks a hook's options as it renders, each once (a getter that throws is named), as the core checks a
 * watch's (`checkWatchOptions`: `InvalidInputError` naming the field; a key given as undefined or null is none): the
 * watch's call options (`model`, `timeoutMs`, `download`, `poll`: the watch checks their values when it watches) and
 * the hooks' own (`whenHidden` in its set, `keepResultMs` a number ≥ 0), any other key refused naming them all (a typo such as
 * `timeout`); a `signal` or an `onStatusChange` (the core's `WaitOptions` have them; these hooks do not: their `stop()`
 * stops watching, a submit's input takes the signal, and the state is the status) said to be none. Answers them as
 * read.
 */
const check = (hook: string, options: unknown): UseJobOptions => {
  try {
    const read = checkWatchOptions(options, own, hook, true);
    // A number of ms, 0 or more (`Infinity`, or more than a timer can wait: kept while the client lives).
    const ms = read.keepResultMs;
    if (ms != null && !(typeof ms === "number" && ms >= 0)) throw invalid(hook, "keepResultMs", "a number ≥ 0", ms);
    return read;
  } catch (error) {
    const { field } = error as InvalidInputError;
    throw field === "signal" || field === "onStatusChange"
      ? new InvalidInputError(`${hook}: "${field}" is not an option: stop() stops watching; the state is the status`, {
          field,
        })
      : error;
  }
};

/** The page's visibility, as queue-rx's `background`, unless the hook keeps the pace when hidden. */
const pacing = (whenHidden: VideoJobOptions["whenHidden"]) => (whenHidden === "keep" ? undefined : pageHidden);

/**
 * `useJob` options: with the job's model when known, which sets the poll schedule. Read when watching starts, except
 * `download`: a change of it watches the job again (from `false` or to it: `undefined` is `true`, its default).
 */
export interface UseJobOptions extends VideoJobOptions {
  model?: VideoModel<string> | VideoModelName | undefined;
  /**
   * How long the job's video stays kept once no component shows it, in ms (default 0: not kept). A `useJob` of the job
   * on the same client mounted meanwhile (a component mounted again, another route) shows it at once, from its first
   * render, without a status read or a download. Each video kept stays in memory that long: keep it short for large results. `Infinity`
   * (or more than 2^31 - 1 ms) keeps it while the client lives; the timer does not keep a Node process alive.
   */
  keepResultMs?: number | undefined;
}

/**
 * What `useJob` returns: the state, `stop()` to stop watching (the job goes on), `retry()` to watch it again and
 * `canRetry`.
 */
export interface JobHandle extends GenerationState {
  /**
   * Whether `retry()` would watch the job again now (with a job id, after `stop()` or an `error` that another watch can
   * get past: the core's `canWatchAgain`), by the rule `retry()` follows: show its button only then. It only ever
   * watches the same job again ("Watch again"; never a new job). False on the server, and as a page hydrates.
   */
  canRetry: boolean;
  stop(): void;
  /**
   * After a watch that ended without the job's end, with an error that another watch can get past (the core's
   * `canWatchAgain`: `timeoutMs`, a network failure, a callback of yours that threw, your token route), or `stop()`:
   * watches the same job again, within what is left of its `timeoutMs` budget (from when watching began), or with a new
   * one from now once less than 5 s of that is left. Otherwise (no job id, watching, `completed`,
   * `failed`, a 404, a 401 or 403, options the watch refused) it does nothing.
   */
  retry(): void;
}

/** What `useGenerateVideo` returns: the state, `submit`, `stop`, `reset`, `retry` and `canRetry`. */
export interface VideoGeneration extends GenerationState {
  /**
   * Whether `retry()` would do something now (watch the same job again, or submit the same inputs again), by the rule
   * `retry()` follows: show its button only then. False when nothing was submitted (or after `reset()`), while
   * watching, once `completed`, after a submit whose outcome is unknown (`SUBMIT_OUTCOME_UNKNOWN`, or a
   * `CALLBACK_ERROR` without a job id whose `mayExist` is true) or that your `signal` aborted, after a watch's error that another watch cannot
   * get past (the core's `canWatchAgain`: a 404, a 401 or 403), and where it would send again a file that can be
   * read only once (a stream). True without an `error` only after `stop()`: `retry()` then watches the same job again,
   * no new job, so label its button "Watch again" rather than "Try again".
   */
  canRetry: boolean;
  /**
   * Submits a job (call it from an event handler, never from an effect) and follows it. Resolves with the job id
   * once the server accepted the job, or `undefined` when the submit failed (the error is in the state). A submit
   * error that comes once the job exists (your `onUploadProgress` threw) resolves with its id, in the state too. A job
   * being watched is no longer watched (it is not cancelled), and a submit on its way still resolves with its own job
   * id (its job goes to `onOrphan`), the state following the new one. Such a submit left on its way (by `reset()`, the next `submit` or an unmount)
   * that fails resolves `undefined` (its job id, if its error carries one), its error in no state read: when a job may exist, that
   * error goes to the `onOrphan` option. It never rejects. `input.signal` aborts the submit (an upload) if you must,
   * and once the job is submitted ends its watch, as the core's `signal` ends a `submitAndPoll`'s: `error`, the core's
   * `AbortError` carrying the job id (the job is not cancelled).
   * Options the watch would refuse (a `timeoutMs` of "5000") send nothing: `error`, the core's `InvalidInputError`.
   */
  submit<M extends string>(input: SubmitOptions<M>): Promise<string | undefined>;
  /**
   * Stops watching: no more reads, the state stays as it was (a submit on its way still brings the job id, as
   * `pending`). The job is not cancelled.
   */
  stop(): void;
  /**
   * Stops watching and goes back to `idle`. A submit on its way made its job all the same: its `submit` resolves with
   * the job id (keep it to show or follow the job), which the state does not show and nothing watches (it goes to
   * `onOrphan`).
   */
  reset(): void;
  /**
   * Tries the latest submit again, never at the cost of a second job while the first may still run (call it from an
   * event handler). With the options of the latest committed render, as a `submit`:
   * - the job's watch ended without its end, with an error that another watch can get past (the core's
   *   `canWatchAgain`: a network failure, `timeoutMs`, a callback of yours that threw, your token route), or
   *   `stop()`: watches the same job again, within what is left of its `timeoutMs` budget (from the submit's answer)
   *   and at most the latest `timeoutMs` from now, or with a new budget of the latest `timeoutMs` from now once less
   *   than 5 s of it is left. Resolves with its id.
   * - the job `failed`, or the submit failed with an error that says no job was made (its input, the key, an HTTP
   *   answer such as 400, 403, 422, 429 or 503, a refused connection): submits the same inputs again, as `submit`.
   * - anything else does nothing and resolves `undefined`: nothing submitted (or `reset()`), watching, `completed`,
   *   an error that another watch cannot get past (a 404, a 401 or 403, options the watch refused), or a submit whose
   *   outcome is unknown (`SUBMIT_OUTCOME_UNKNOWN`, or `CALLBACK_ERROR` without a job id whose `mayExist` is true:
   *   your `onUploadProgress` threw once the whole body was sent; a job may exist, and paying twice is for you to
   *   decide, with `submit`) or that your `signal` aborted. One it threw before (at 0 bytes) made nothing: submitted
   *   again.
   *
   * The inputs (an uploaded file too) are kept for it until the job completes, `reset()` or the next `submit`; a file
   * that can be read only once (a `ReadableStream`, an async iterable), read by the first submit, is never submitted
   * again: give a `Blob` to be able to try again.
   */
  retry(): Promise<string | undefined>;
}

/** A job event, as state. */
function stateOf(event: JobEvent): Partial<GenerationState> {
  const { type, jobId } = event;
  return type === "submitted"
    ? { status: "pending", jobId }
    : type === "retrying"
      ? { retrying: event, jobId }
      : type === "status"
        ? { status: event.status, jobId }
        : type === "downloading"
          ? { status: type, jobId, progress: { receivedBytes: event.receivedBytes, totalBytes: event.totalBytes } }
          : type === "completed"
            ? { status: type, watching: false, jobId, result: event.data }
            : { status: type, watching: false, jobId, error: jobFailed(event) };
}

/** An event into the state: a download's progress after its start renders once per animation frame at most. */
function apply(store: Store, event: JobEvent): void {
  if (event.type === "downloading" && event.receivedBytes) store.soon(stateOf(event));
  else store.set(stateOf(event));
}

/**
 * When a budget of `timeoutMs` from now ends (the core's default budget when undefined), on the client's clock
 * (`poll.now`), as the watch of job `jobId` sets its `deadline`; for a `retry()`, `before` (the end of the job's budget
 * until then) if that comes sooner, unless less than 5 s of it is left: one job, one budget, renewed once (nearly) run
 * out, `timeoutMs` from now always its cap. Throws as that watch would: a clock that throws is the core's
 * `CALLBACK_ERROR` carrying the job id, a `timeoutMs` it refuses its `InvalidInputError` naming it; the hook ends with
 * that error. A watch shown again after an `<Activity>` hid it is given the same `deadline`: what is left of its
 * budget, not a new one.
 */
const endOf = (client: DecartClient, jobId: string, { timeoutMs }: VideoJobOptions, before = 0): number =>
  Math.min(
    client.queue.createWatch(jobId, { timeoutMs }).deadline,
    // What must be left of it for a `retry()` to keep it: 5 s (exactly 5 s keeps it; less is a new budget).
    before >= client.queue.createWatch(jobId, { timeoutMs: 5e3 }).deadline ? before : Infinity,
  );

/** A result kept for `keepResultMs`: the state that showed it, how many followers show it, the timer that drops it. */
interface Kept {
  state: GenerationState;
  shown: number;
  drop?: ReturnType<typeof setTimeout>;
}

/** The results kept, per client and job. */
const kept = new WeakMap<DecartClient, Map<string, Kept>>();

/** Watches one job through queue-rx's shared poller while at least one component reads it. */
class JobFollower {
  readonly store: Store;
  private watching: { unsubscribe(): void } | undefined;
  private ended = false;
  private stopped = false;
  /** Whether this follower counts among those that show the job's kept result. */
  private holding = false;
  /** The end of the watch's budget, from when watching began; `before`, the one a `retry()` keeps (see `endOf`). */
  private deadline: number | undefined;
  private before: number | undefined;

  constructor(
    private readonly client: DecartClient,
    private readonly jobId: string | null | undefined,
    private readonly options: UseJobOptions,
  ) {
    this.store = new Store(jobId ? { ...idle, jobId, watching: true } : idle, {
      onActive: () => this.start(),
      onIdle: () => this.halt(),
    });
    // A result kept is shown from the first render (not by the server's snapshot, which a page hydrates with: nothing
    // is kept on the server); `start` holds it.
    const found = this.hold();
    if (found) this.store.replace(found.state);
  }

  /**
   * Counts this follower among those that show the job's kept result (with `keepResultMs`, and a download), so that it
   * is not dropped. Without one kept, `state` with its result is kept from now. Without `state`, only answers the one
   * kept, if any.
   */
  private hold(state?: GenerationState): Kept | undefined {
    const { keepResultMs, download } = this.options;
    if (this.holding || !keepResultMs || download === false) return;
    const jobs = kept.get(this.client) ?? new Map<string, Kept>();
    kept.set(this.client, jobs);
    const entry = jobs.get(this.jobId!) ?? (state?.result && { state, shown: 0 });
    if (!entry || !state) return entry;
    clearTimeout(entry.drop);
    entry.shown++;
    jobs.set(this.jobId!, entry);
    this.holding = true;
  }

  /** Shows the kept result no longer: once no follower does, it is dropped `keepResultMs` later. */
  private release(): void {
    if (!this.holding) return;
    this.holding = false;
    const jobs = kept.get(this.client)!;
    const entry = jobs.get(this.jobId!)!;
    const ms = this.options.keepResultMs!;
    // Longer than a timer can wait (2^31 - 1 ms, about 24 days; `Infinity` too, and 2^31 - 0.5, which Node's timers
    // also take as 1 ms): kept while the client lives. The timer does not keep a Node process alive (a script, a test
    // run, a server render).
    if (!--entry.shown && ms <= 2 ** 31 - 1) {
      entry.drop = setTimeout(() => jobs.delete(this.jobId!), ms);
      (entry.drop as { unref?(): void }).unref?.();
    }
  }

  private start(): void {
    // No job (null, undefined or ""): nothing to read. Any other id that is no string (a number, 0 too, NaN, false, an
    // object) goes to the watch, whose `InvalidInputError` names `jobId`.
    if (this.jobId == null || this.jobId === "" || this.watching || this.stopped) return;
    const shown = this.store.getSnapshot();
    // Shown again (an `<Activity>`) after the end, or a result kept shown since the first render: its result is held
    // (kept again from now, if it was dropped meanwhile).
    if (this.ended || shown.result) {
      this.ended = true;
      return void (shown.result && this.hold(shown));
    }
    const { model, download, poll, whenHidden } = this.options;
    const fail = (error: DecartError) => {
      this.ended = true;
      this.store.set({ status: "error", watching: false, error });
    };
    try {
      this.deadline ??= endOf(this.client, this.jobId, this.options, this.before);
    } catch (error) {
      return void fail(error as DecartError);
    }
    const options = { model, download, poll, deadline: this.deadline, background: pacing(whenHidden) };
    const watching = watchJob(this.client, this.jobId, options).subscribe({
      next: (event) => {
        apply(this.store, event);
        if (event.type === "completed") this.hold(this.store.getSnapshot());
      },
      error: fail,
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
    this.release();
  }

  readonly stop = (): void => {
    this.stopped = true;
    this.halt();
    this.store.set({ watching: false });
  };

  /**
   * Whether `retry()` watches the job again in the state `state` (`canRetry`; see `JobHandle.retry`): stopped, or after
   * an error that another watch can get past (the core's `canWatchAgain`; not a `failed` job's `JobFailedError`).
   */
  retries({ status, watching, error }: GenerationState): boolean {
    return !!this.jobId && !watching && status !== "completed" && (!error || canWatchAgain(error));
  }

  /**
   * Watches the job again, within what is left of its budget (a new one once less than 5 s of it is left), after a
   * watch that ended without its end (see `JobHandle.retry`).
   */
  readonly retry = (): void => {
    const state = this.store.getSnapshot();
    if (!this.retries(state)) return;
    const { status } = state;
    this.halt();
    this.stopped = this.ended = false;
    this.before = this.deadline;
    this.deadline = undefined;
    // From `error`, `idle` until the first read answers, as when mounted.
    this.store.set({ watching: true, error: undefined, status: status === "error" ? "idle" : status });
    if (this.store.active) this.start();
  };
}

/**
 * Follows an existing job (e.g. one your server submitted) while the component is mounted: `pending` →
 * `processing` → (`downloading` →) `completed` or `failed`. Every component watching the same job on the same
 * client shares one poller: one status read per tick, one download. The state is `idle` (with the `jobId`) until the
 * first read answers, and always `idle` on the server. Unmounting or `stop()` stops watching; nothing cancels the job.
 * A `null`, `undefined` or empty job id reads nothing; any other that is no string (a number, `0` too, `NaN`, `false`,
 * an object) ends in `error` (an `InvalidInputError` naming `jobId`): write `ready ? jobId : null`, not `ready && jobId`.
 * Its type narrows by `status` as `download` makes it: once `completed`, `result` is the video (a `Blob`), `undefined`
 * with `download: false`, either with a `download` known only at run time.
 */
export function useJob(
  jobId: string | null | undefined,
  options: UseJobOptions & { download: false },
): CompletedWith<JobHandle, undefined>;
export function useJob(
  jobId: string | null | undefined,
  options?: UseJobOptions & { download?: true | undefined },
): CompletedWith<JobHandle, Blob>;
export function useJob(
  jobId: string | null | undefined,
  options?: UseJobOptions,
): CompletedWith<JobHandle, Blob | undefined>;
export function useJob(jobId: string | null | undefined, options?: UseJobOptions): JobHandle {
  // Its options as read (the hooks' and the watch's only: `check` refused any other key).
  const read = check("useJob", options);
  const client = useDecartClient();
  // A new follower only when what it watches changes: a job id that is an object (refused by the watch) counts as
  // one, even made anew by each render; `download` by its meaning (undefined is true).
  const follower = useKept(
    () => new JobFollower(client, jobId, read),
    [client, Object(jobId) === jobId ? Object : jobId, read.download !== false],
  );
  const { store } = follower;
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getServerSnapshot);
  // The server's snapshot (a server render, and the page's hydration of it) retries nothing: nothing runs there.
  return {
    ...state,
    canRetry: state !== store.getServerSnapshot() && follower.retries(state),
    stop: follower.stop,
    retry: follower.retry,
  };
}

/**
 * A submit of `useGenerateVideo`: its model and the options it was submitted with (not its inputs, which an error's
 * stack could hold on to through the watch's callbacks), its answer (`first`, once the server accepted the job),
 * `seen` once watched (watched again by its id), the end of its watch's budget (set as `first` comes, or by
 * `retry()`: `before`, the one until then, if 5 s or more of it is left), and what its `submit` resolves with.
 */
interface Job {
  model?: VideoModel<string>;
  /** The input's `signal`: aborting it ends the submit, then the watch. */
  signal?: AbortSignal | undefined;
  options: VideoJobOptions;
  first?: JobSubmitResult;
  seen?: true;
  deadline?: number;
  before?: number;
  sent?: Promise<string | undefined>;
}

/** Submits video jobs and follows the latest while a component reads it. */
class VideoGenerator extends Generator<VideoJobOptions> {
  readonly store = new Store(idle, {
    // Read again (shown after an `<Activity>` hid it): the job is watched again.
    onActive: () => this.follow(),
    onIdle: () => this.halt(),
  });
  // Declared only (nothing emitted): undefined until set.
  declare private watching: { unsubscribe(): void } | undefined;
  /** The job to follow while the state is read: the latest submit's, until it ends, `stop()` or `reset()`. */
  declare private job: Job | undefined;
  /** The latest submit and its inputs, for `retry()`: until its job completes, `reset()` or the next submit. */
  declare private last: Job | undefined;
  declare private input: SubmitOptions<string> | undefined;
  /**
   * The latest submit's input as given (a file read once too), for `onOrphan` (see `drop`): until its job completes,
   * `reset()` or the next submit.
   */
  declare private given: SubmitOptions<string> | undefined;
  private halt(): void {
    this.watching?.unsubscribe();
    this.watching = undefined;
  }

  /**
   * Sets the job's budget from now if it has none (its answer came, or `retry()`: also while no component reads the
   * state), then watches the job, if a component reads the state (not after an unmount). A budget that cannot be set
   * (see `endOf`) ends it in `error`.
   */
  private follow(): void {
    const job = this.job;
    if (!job?.first || this.watching) return;
    const { model, first, signal } = job;
    const { download, poll, whenHidden } = job.options;
    const end = (error?: DecartError) => {
      if (this.job === job) this.job = undefined;
      if (error) this.store.set({ status: "error", watching: false, error });
    };
    // The input's signal ends the watch too, as the core's ends a `submitAndPoll`: an `AbortError` carrying the job id.
    const abort = () => {
      this.halt();
      end(aborted(first.job_id, signal!.reason));
    };
    try {
      if (signal?.aborted) throw aborted(first.job_id, signal.reason);
      job.deadline ??= endOf(this.client, first.job_id, job.options, job.before);
    } catch (error) {
      return void end(error as DecartError);
    }
    if (!this.store.active) return;
    // First from the submit's answer; again (shown after an `<Activity>` hid it, or `retry()`) from a read of the job.
    const events = watchJob(this.client, first.job_id, {
      download,
      poll,
      deadline: job.deadline,
      background: pacing(whenHidden),
      model,
      first: job.seen ? undefined : first,
    });
    job.seen = true;
    const watching = events.subscribe({
      next: (event) => {
        apply(this.store, event);
        // Completed: nothing to retry, and its inputs are let go.
        if (event.type === "completed" && this.last === job) this.last = this.input = this.given = undefined;
      },
      error: end,
      complete: end,
    });
    if (this.job !== job) return;
    this.watching = watching;
    signal?.addEventListener("abort", abort);
    watching.add(() => signal?.removeEventListener("abort", abort));
  }

  readonly submit = <M extends string>(input: SubmitOptions<M>): Promise<string | undefined> => {
    this.halt();
    this.unseen?.();
    const job: Job = { options: this.options };
    this.job = this.last = job;
    this.input = this.given = input as SubmitOptions<string>;
    this.store.replace({ ...idle, status: "submitting", watching: true });
    // The submit is not aborted by `stop()` or an unmount: once sent, its answer (the job id) is always taken.
    // A throw of `queue.submit` rejects it. The model is read once the core has read the input: an input it cannot
    // read (a getter that throws, no object) is its `InvalidInputError`, in the state, never a throw of `submit`.
    // Options the watch would refuse (a `timeoutMs` of "5000") are that error before anything is sent: no job is paid
    // for that nothing could watch.
    job.sent = new Promise<JobSubmitResult>((accept) => {
      checkWatchOptions(job.options, own);
      accept(this.client.queue.submit(input));
      job.model = input.model;
      job.signal = input.signal;
      this.input = repeatable(input as SubmitOptions<string>);
    }).then(
      (first) => {
        if (this.last === job) {
          this.store.set({ status: "pending", jobId: first.job_id });
          job.first = first;
          this.follow();
          // Left on its way (the next submit, `reset()`: a StrictMode effect's submit run twice): a paid job nothing
          // shows goes to `onOrphan`, as one the client's change drops.
        } else this.orphan(aborted(first.job_id), input, true);
        return first.job_id;
      },
      (error) => {
        // An error after the server accepted the job (your `onUploadProgress` threw) carries its id: it is kept.
        // (`job` stays to follow, but without an answer there is nothing to watch.) A submit left (`reset()`, the next
        // submit, an unmount), whose error no state shows (or one nothing reads), that may have made a job (see
        // `madeNothing`; an abort without `mayExist` made none) goes to `onOrphan`, apart: `submit` never
        // rejects. One in the state while the component is not `shown` goes there if nobody sees it (`unseen`).
        const { jobId } = error;
        if (this.last === job) this.store.set({ status: "error", watching: false, error, jobId });
        if (jobId || (!madeNothing(error) && (error.code !== "ABORT" || error.mayExist))) {
          this.orphan(error, input, this.last !== job);
        }
        return jobId as string | undefined;
      },
    );
    return job.sent;
  };

  /**
   * Its component has another in its place (the provider's client changed), which starts afresh: the job it follows
   * (watched, or whose submit is on its way: once the server answers) goes to `onOrphan`, as the core's `AbortError`
   * carrying its id, with its input: a paid job the component no longer shows.
   */
  override drop(): void {
    const job = this.job;
    // Its submit resolves with the job's id; `first` set, it is the one followed (an error's goes to `onOrphan` apart).
    job?.sent?.then((jobId) => job.first && this.orphan(aborted(jobId), this.given, true));
  }

  readonly stop = (): void => {
    this.job = undefined;
    this.halt();
    this.store.set({ watching: false });
  };

  readonly reset = (): void => {
    this.unseen?.();
    this.job = this.last = this.input = this.given = undefined;
    this.halt();
    this.store.replace(idle);
  };

  /**
   * What `retry()` does in the state `state` (see `VideoGeneration.retry`): submits the same inputs again (1), watches
   * the same job again (2) or nothing (0). `canRetry` is whether it is not 0.
   */
  retries({ status, watching, jobId, error }: GenerationState): 0 | 1 | 2 {
    // Nothing to try again (nothing submitted since the job completed or `reset()`), or it runs.
    if (!this.last || watching) return 0;
    // A new job when the last failed, or when the submit's error says none was made (see `madeNothing`).
    // Not with a file that can be read only once (`input` let go): the first submit read it.
    if (status === "failed" || (!jobId && madeNothing(error))) return this.input ? 1 : 0;
    // The same job again: stopped (during its submit too: once its id comes), or after an error that another watch can
    // get past (the core's `canWatchAgain`: not one without a job id, which may have made one, nor a 404 …).
    return !error || canWatchAgain(error) ? 2 : 0;
  }

  /** See `VideoGeneration.retry`. */
  readonly retry = async (): Promise<string | undefined> => {
    const state = this.store.getSnapshot();
    const again = this.retries(state);
    if (again === 1) return this.submit(this.input!);
    if (!again) return;
    // The same job again, within what is left of its budget.
    const job = this.last!;
    const { status, jobId } = state;
    this.halt();
    job.options = this.options;
    // Set again (see `follow`): the one until now while 5 s or more of it is left (at most the latest `timeoutMs`
    // from now), else a new one from now.
    job.before = job.deadline;
    job.deadline = undefined;
    if (jobId) {
      job.first ??= { job_id: jobId } as JobSubmitResult;
      job.seen = true;
    }
    this.job = job;
    this.store.set({ watching: true, error: undefined, status: status === "error" ? "pending" : status });
    this.follow();
    return jobId ?? job.sent;
  };
}

/**
 * Generates videos, mutation-style: `submit(input)` from an event handler returns the job id (it is in the state as
 * soon as the server accepted the job), then the state follows the job through `pending`, `processing`, `downloading`
 * and `completed` (with the video in `result`) or `failed`. `stop()` stops watching and `reset()` goes back to `idle`;
 * neither cancels the job, nor does an unmount, which stops watching too. `retry()` watches the same job again, or
 * submits the same inputs again when no job can be running (see `VideoGeneration.retry`); `canRetry` says whether it
 * would. The job is watched only while a component reads the state: a component an `<Activity>` hides stops reading,
 * and reads again when shown; a submit after an unmount still resolves with the job id, but nothing watches the job
 * (one that fails then, when a job may exist, goes to `onOrphan`, as does one that failed while an `<Activity>` or a
 * `<Suspense>` fallback hid the component, if it is removed without being shown again).
 * The options are read by each `submit` (a job goes on as it was submitted), as the latest committed render gave them.
 * The state is always `idle` on the server. Its type narrows by `status` as `download` makes it: once `completed`,
 * `result` is the video (a `Blob`), `undefined` with `download: false`, either with a `download` known only at run time.
 */
export function useGenerateVideo(
  options: VideoJobOptions & { download: false },
): CompletedWith<VideoGeneration, undefined>;
export function useGenerateVideo(
  options?: VideoJobOptions & { download?: true | undefined },
): CompletedWith<VideoGeneration, Blob>;
export function useGenerateVideo(options?: VideoJobOptions): CompletedWith<VideoGeneration, Blob | undefined>;
export function useGenerateVideo(options?: VideoJobOptions): VideoGeneration {
  const checked = check("useGenerateVideo", options);
  const client = useDecartClient();
  const generator = useKept<VideoGenerator>((was) => new VideoGenerator(client, was), [client]);
  // Its options once rendered for good; `gone`, `shown` and `unseen` for `onOrphan` (see `Generator`).
  const state = useGenerator(generator, checked);
  const { submit, stop, reset, retry } = generator;
  return { ...state, canRetry: generator.retries(state) > 0, submit, stop, reset, retry };
}
