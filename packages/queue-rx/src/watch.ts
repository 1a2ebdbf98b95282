import {
  callbackThrew,
  canonicalModel,
  checkJob,
  checkWatchOptions,
  type DecartClient,
  DecartError,
  type DownloadProgress,
  invalid,
  type JobEvent,
  type JobSubmitResult,
  JobTimeoutError,
  type JobWatch,
  type JobWatchStep,
  type StatusRead,
  type SubmitOptions,
  type VideoModel,
  type VideoModelName,
} from "@decart/core";
import { asyncScheduler, Observable, type SchedulerLike, type Subscriber, Subscription } from "rxjs";
import {
  clientResult,
  clientStatus,
  clientSubmit,
  fromAbortable,
  type ResultSource,
  type StatusSource,
} from "./sources.js";
import type { SubmitJobOptions, WatchJobOptions } from "./types.js";

/** What a driver needs besides the watch: one status read, one download attempt, and where to wait. */
export interface DriveWith {
  read: StatusSource;
  result: ResultSource;
  scheduler: SchedulerLike;
  /** Whether the app is in the background (see `JobOptions.background`). */
  background?: Observable<boolean> | undefined;
}

/**
 * Runs the core's job watch on an RxJS scheduler: after each step, waits what the step says (with the watch's `wait`,
 * its poll options' `delay`, when it has one, as the core's watch waits; else on `scheduler`), then reads the status
 * once or downloads the result once (each bounded by the watch's deadline), and hands the answer, the progress or the
 * failure back to the watch. The watch decides everything else (schedule, de-duplication, the end, retries, the
 * deadline, the pace in the background); the next read starts only after the previous one answered, so reads never
 * overlap. Only the first answer (or error, or end) of a read or a download is heard. While a read is waited for,
 * `background` going true lengthens the wait as the watch says, and going false reads at once. Unsubscribing clears
 * the timer and aborts the request in flight.
 */
export function drive(
  watch: JobWatch,
  jobId: string,
  { read, result, scheduler, background }: DriveWith,
): Observable<JobEvent> {
  const { wait: delay } = watch;
  return new Observable<JobEvent>((subscriber) => {
    /** The step that runs: the wait, then one read or download. */
    let current: Subscription | undefined;
    // Waiting for a read (not reading, downloading or done): the wait may be moved.
    let waiting: unknown;
    const emit = (events: JobEvent[]) => {
      for (const event of events) if (!subscriber.closed) subscriber.next(event);
    };
    // The watch runs the caller's code (its poll schedule, its clock): if that throws, the watch cannot go on. The
    // watch's own error for it (its clock's `CALLBACK_ERROR`) is passed on as it is.
    const follow = (take: () => JobWatchStep): void => {
      let step: JobWatchStep;
      try {
        step = take();
      } catch (cause) {
        subscriber.error(DecartError.isInstance(cause) ? cause : callbackThrew(jobId, cause));
        return;
      }
      emit(step.events);
      const { next } = step;
      if (subscriber.closed) return; // the last subscriber left on one of these events
      if ("done" in next) subscriber.complete();
      else if ("error" in next) subscriber.error(next.error);
      else wait(next);
    };
    const wait = (next: { read: number } | { download: number }): void => {
      const reading = "read" in next;
      waiting = reading;
      // The wait, then the one read or download: `step.unsubscribe()` ends either.
      const step = new Subscription();
      current = step;
      // The source's first answer, error or end settles the step: the source is let go and anything it says later
      // is not heard, even when said synchronously, before its subscription is in the step (a source answering twice
      // would otherwise start two read loops, each going on after unsubscribe).
      const settle = (take: () => JobWatchStep) => {
        if (step.closed) return;
        step.unsubscribe();
        follow(take);
      };
      const answer = (source: Observable<StatusRead | DownloadProgress | Blob>) =>
        source.subscribe({
          next: (got) => {
            if (reading) settle(() => watch.status(got as StatusRead));
            else if (got instanceof Blob) settle(() => watch.downloaded(got));
            else emit(watch.progress(got as DownloadProgress));
          },
          error: (error) => settle(() => watch.error(error)),
          complete: () =>
            settle(() =>
              watch.error(
                new Error(`Job ${jobId}: the ${reading ? "status" : "result"} source ended without an answer`),
              ),
            ),
        });
      const go = () => {
        waiting = false;
        const within = { deadline: watch.deadline };
        try {
          step.add(answer(reading ? read(jobId, within) : result(jobId, within)));
        } catch (error) {
          settle(() => watch.error(error));
        }
      };
      const ms = Math.max(0, reading ? next.read : next.download);
      // The watch's `wait` (the poll options' `delay`), as the core's own watches wait, else the scheduler: one that
      // throws or rejects ends the watch (a `CALLBACK_ERROR` with the job id); unsubscribing aborts its signal.
      step.add(
        delay
          ? fromAbortable((signal) => delay(ms, signal)).subscribe({
              complete: go,
              error: (error) => subscriber.error(callbackThrew(jobId, error)),
            })
          : scheduler.schedule(go, ms),
      );
    };
    let hidden: boolean | undefined;
    const pace = background?.subscribe((on) => {
      if (on === hidden) return; // only changes count
      hidden = on;
      const slowed = watch.background(on);
      const moved = on ? slowed : watch.wake();
      if (waiting && moved) {
        current?.unsubscribe();
        wait(moved);
      }
    });
    follow(() => watch.start());
    return () => {
      pace?.unsubscribe();
      current?.unsubscribe();
    };
  });
}

/** A subscriber of a poller: whether it is in the background, the end of its budget, and its watch of the job. */
interface Watcher {
  hidden?: boolean;
  end: number;
  /**
   * Runs its watch (its options, its sources, its budget), paced by `pace`. A watch that ran before and was stopped
   * (another's ran meanwhile) is started again from its state: its latest status and its budget (the job's time, for
   * its schedule, counted from then).
   */
  start: (pace: Observable<boolean>) => Observable<JobEvent>;
}

/** A running poller: its subscribers, the latest event but `retrying`, and the `retrying` since it, if any. */
interface Poller {
  votes: Map<Subscriber<JobEvent>, Watcher>;
  latest?: JobEvent;
  retrying?: JobEvent | undefined;
  /** The driver's subscriber to the pace, once it runs. */
  pace?: Subscriber<boolean>;
  /** The driver's subscription (the timer and the request in flight). */
  run?: Subscription;
  /** The subscriber whose watch runs. */
  watcher?: Watcher;
}

/** The running pollers, per client and job: everyone watching a job shares its one poller while it runs. */
const pollers = new WeakMap<DecartClient, Map<string, Poller>>();

/**
 * The shared poller of a job, joined by `me`. It replays its latest event to late subscribers (and `submitted` to a
 * submitter), stops (timer cleared, request aborted) when its last subscriber leaves, and is forgotten when it ends or
 * stops, so that the next subscriber starts afresh. It runs one watch at a time: that of the subscriber whose budget
 * ends first, so that each budget is the core's watch's to end. `me`'s, when none runs or when it joins one whose
 * budget ends later (stopped where it is); when that budget runs out (its `JobTimeoutError`), the subscribers whose
 * budget ends no later hear it, and the others go on with the watch of the next to end. A status that another's watch
 * tells again (or one behind the latest) is no change: not passed on. It is in the background only while every
 * subscriber says so (one without `background` is in the foreground), looked at anew as subscribers come, go or change
 * their minds. (A multicast written out rather than rxjs's `share` and `ReplaySubject`: it keeps about 3 KB gzip out
 * of a page's bundle.)
 */
function sharedPoller(
  client: DecartClient,
  key: string,
  background: Observable<boolean> | undefined,
  me: Watcher,
  submitted?: JobEvent,
): Observable<JobEvent> {
  return new Observable<JobEvent>((subscriber) => {
    const jobs = pollers.get(client) ?? new Map<string, Poller>();
    pollers.set(client, jobs);
    const poller: Poller = jobs.get(key) ?? { votes: new Map() };
    jobs.set(key, poller);
    const { votes } = poller;
    const forget = () => jobs.get(key) === poller && jobs.delete(key);
    const all = () => [...votes.values()];
    const hidden = () => all().every((v) => v.hidden);
    const recount = () => poller.pace?.next(hidden());
    /** Passes a notification to every subscriber (a copy: one may leave meanwhile). */
    const each = (send: (s: Subscriber<JobEvent>, watcher: Watcher) => unknown) => {
      for (const [s, watcher] of [...votes]) send(s, watcher);
    };
    votes.set(subscriber, me);
    const said = background?.subscribe({
      next: (on) => {
        me.hidden = on;
        recount();
      },
      // This subscriber's watch ends with it (the teardown below takes its vote back); the others' goes on.
      error: (error) => subscriber.error(error),
    });
    recount();
    /**
     * Runs the watch of the subscriber whose budget ends first (the first to come, of equals), in place of the one that
     * runs, unless it is that one.
     */
    const elect = (): void => {
      const [watcher] = all().sort((a, b) => a.end - b.end);
      if (!watcher || watcher === poller.watcher) return;
      poller.run?.unsubscribe();
      const running = new Subscription();
      poller.run = running;
      poller.watcher = watcher;
      const pace = new Observable<boolean>((s) => {
        poller.pace = s;
        s.next(hidden());
      });
      running.add(
        watcher.start(pace).subscribe({
          next: (event) => {
            // A status no later than the latest ("processing" > "pending"; any after the download's start), not after
            // `retrying`, is one that a watch run in another's place read again: no change. (`submitted` is each
            // submitter's own, told as it subscribes.)
            const { latest } = poller as { latest?: { status?: string } };
            if (event.type === "status" && latest && !poller.retrying && !(event.status > latest.status!)) return;
            if (event.type === "submitted") return;
            // A joiner starts at the job's latest status, then hears of the reads that failed since, if they are being
            // retried.
            if (event.type === "retrying") poller.retrying = event;
            else {
              poller.latest = event;
              poller.retrying = undefined;
            }
            each((s) => s.next(event));
          },
          // Ended: every subscriber hears it, but for a budget that ran out: those whose budget ends later go on, with
          // the watch of the first of them to end. (One that subscribes on hearing it joins them.)
          error: (error) => {
            each((s, v) => (JobTimeoutError.isInstance(error) && v.end > watcher.end) || s.error(error));
            elect();
          },
          complete: () => {
            forget();
            each((s) => s.complete());
          },
        }),
      );
    };
    // A submitter hears `submitted` first; a joiner the latest events.
    for (const event of [submitted, poller.latest, poller.retrying]) if (event) subscriber.next(event);
    elect();
    return () => {
      said?.unsubscribe();
      votes.delete(subscriber);
      recount();
      if (!votes.size) {
        forget();
        poller.run?.unsubscribe();
      }
    };
  });
}

/**
 * queue-rx's own options, each with what it must be: `JobOptions`' (every function's), then
 * `submitJob`'s (`submitAll`'s are in batch.ts). The one list of them: each function's options are read once (a getter
 * that throws is named) and checked as the core checks a watch's, with these as a view layer's own
 * (`checkWatchOptions(options, jobKeys)`: an `InvalidInputError` naming the field; a key that is none of the watch's
 * nor of these, a typo such as `timeout`, refused naming them all; `null` options, or a key given as `undefined` or
 * `null`, none), and what was read is used.
 */
const fn = { type: "function" };
/** An object with method `name` (an observable's `subscribe`, a scheduler's `schedule`). */
const having = (name: string): object => ({ type: "object", properties: { [name]: fn }, required: [name] });
const jobKeys = { background: having("subscribe"), scheduler: having("schedule"), statusSource: fn, resultSource: fn };
export const submitKeys = { ...jobKeys, submitSource: fn, onOrphan: fn };

/**
 * The events of a job through its shared poller: one per client and job while one downloads the result (a watcher
 * without `download` joins it, and ends at the download's start), else one per client, job and `download` choice; the
 * poller runs this subscriber's own watch (made on subscription: its budget counts from then) while its budget is the
 * first to end. `checked`: its options as read and checked by its caller (`submitJob`, before its submit), else
 * `options` are, on each subscription.
 */
function follow(
  client: DecartClient,
  jobId: string,
  options?: WatchJobOptions,
  checked?: Record<string, any>,
): Observable<JobEvent> {
  return new Observable<JobEvent>((subscriber) => {
    // Each subscriber's options are read and checked once, here or by its caller, also one's that joins a running
    // poller; the core's `createWatch` takes the watch's as they were read then.
    const all = checked ?? checkWatchOptions(options, jobKeys);
    const { model, first, download, background, statusSource, resultSource, scheduler } = all;
    // `first` must be this job's submit answer, as the engine checks a status read.
    const wrong = first && checkJob(first, jobId);
    if (wrong) throw invalid("Invalid options", "first", `job ${jobId}'s submit answer (${wrong})`);
    const watching = { ...all };
    for (const key in submitKeys) delete watching[key];
    const downloading = `result:${jobId}`;
    // Without download, on the poller that downloads when one runs: its events until the download starts, then
    // `completed`; its watch downloads, as that poller's does.
    const joins = download === false && pollers.get(client)?.has(downloading);
    const key = download !== false || joins ? downloading : `status:${jobId}`;
    if (joins) delete watching.download;
    // Its own watch, its budget from now: one that the client refuses (an id too long …) is its error.
    const watch = client.queue.createWatch(jobId, watching);
    return sharedPoller(
      client,
      key,
      background,
      {
        end: watch.deadline,
        start: (pace) =>
          drive(watch, jobId, {
            read: statusSource ?? clientStatus(client),
            result: resultSource ?? clientResult(client),
            scheduler: scheduler ?? asyncScheduler,
            background: pace,
          }),
      },
      // What a submitter hears first: the model as the core's watch names it (the catalogue's canonical name: an
      // alias's target).
      first && {
        type: "submitted",
        jobId,
        model: canonicalModel((model as VideoModel | undefined)?.canonical ?? (model as string | undefined)),
      },
    ).subscribe(
      joins
        ? {
            next: (event) => {
              if (event.type !== "downloading") return subscriber.next(event);
              subscriber.next({ type: "completed", jobId, job: event.job });
              subscriber.complete();
            },
            error: (error) => subscriber.error(error),
            complete: () => subscriber.complete(),
          }
        : subscriber,
    );
  });
}

/**
 * The events of an existing job, as the core's engine yields them: `status` (`pending`, `processing`, only on a
 * change), then `downloading` progress and `completed` with the video (no download with `download: false`), or
 * `failed` with the server's reason. Completes after `completed` or `failed` (a failed job is an event, not an
 * error); errors with the core's typed errors, carrying the job id (`JobTimeoutError` once `timeoutMs` runs out), but
 * for an id the client refuses before any request (`InvalidInputError`: empty, too long), which is no job's.
 * Cold: nothing happens until you subscribe.
 *
 * With `first` (the submit's answer of a job you have just submitted), it starts from that answer as `submitJob` does:
 * `submitted` first, also when it joins the poller of someone already watching the job.
 *
 * Every subscriber of the same job on the same client shares one poller (one status read per tick); a late subscriber
 * gets the latest event at once (never `submitted`; a status and then the `retrying` that followed it, while its
 * reads fail); when the last one unsubscribes, the timer stops and the request
 * in flight is aborted. Unsubscribing never cancels the job. Each subscriber's budget (`timeoutMs`, or `deadline`) is
 * its own: the poller runs the watch (the options) of the subscriber whose budget ends first, one that joins with a
 * budget that ends sooner taking it over; when that budget runs out, that subscriber errors with its
 * `JobTimeoutError` and the others go on, the poller running the watch of the next to end. It is slowed only while
 * every subscriber is in the background. With `download: false`, it joins the
 * poller that downloads the result if one runs (and ends with `completed` as the download starts); a subscriber that
 * wants the result while only one without download runs gets a poller of its own.
 */
export const watchJob: (client: DecartClient, jobId: string, options?: WatchJobOptions) => Observable<JobEvent> =
  follow;

/**
 * Submits a job when subscribed, then follows it as `watchJob` does: first `submitted` with the job id (before any
 * waiting), then the status events, then (unless `download: false`) the download and `completed` with the video.
 * The watch's options are checked first: options it would refuse send nothing (`InvalidInputError`).
 * Each subscription submits a job of its own (`share()` it to submit once). Unsubscribing never cuts a submit under
 * way (its request may have reached the server): the job it makes goes to `onOrphan`; `input.signal` aborts the
 * submit as `client.queue.submit`'s does. Unsubscribing later stops watching, and never cancels the job. A `watchJob`
 * of the
 * same job id shares this job's poller (from the job's latest status on: `submitted` is this observable's alone); a job
 * someone already watches is followed through that poller, after `submitted` all the same.
 */
export const submitJob: <M extends VideoModelName>(
  client: DecartClient,
  input: SubmitOptions<M>,
  options?: SubmitJobOptions,
) => Observable<JobEvent> = submitWith;

/**
 * `submitJob`, with its options as read and checked already by the caller (`checked`: `submitAll` reads and checks
 * them once for all its jobs), or read and checked here, on each subscription, before the submit.
 */
export function submitWith(
  client: DecartClient,
  input: SubmitOptions<VideoModelName>,
  options?: SubmitJobOptions,
  checked?: Record<string, any>,
): Observable<JobEvent> {
  // The submit's first answer, then the job's events (a `take(1)` and a `switchMap`, written out).
  return new Observable<JobEvent>((subscriber) => {
    // Its options, read and checked once, before the submit: options the watch would refuse send nothing.
    const all = checked ?? checkWatchOptions(options, submitKeys);
    const { submitSource, onOrphan } = all;
    /** A job whose subscriber left: to `onOrphan` (a throw there is reported as unhandled, with the job id). */
    const orphan = (jobId: unknown) => {
      try {
        if (typeof jobId === "string") onOrphan?.(jobId);
      } catch (cause) {
        throw callbackThrew(jobId as string, cause);
      }
    };
    // Listened to until its first answer, error or end, also after the subscriber left (it is not cut: the request may
    // have reached the server); closed then, and nothing it says later is heard.
    const submitting = new Subscription();
    const settle = (then: () => void) => {
      if (submitting.closed) return;
      submitting.unsubscribe();
      then();
    };
    submitting.add(
      (submitSource ?? clientSubmit(client))(input).subscribe({
        next: (first: JobSubmitResult) =>
          settle(() =>
            subscriber.closed
              ? orphan(first.job_id)
              : follow(client, first.job_id, undefined, { ...all, model: input.model, first }).subscribe(subscriber),
          ),
        // An error after the server took the job (your `onUploadProgress` threw) carries its id.
        error: (error: any) => settle(() => (subscriber.closed ? orphan(error?.jobId) : subscriber.error(error))),
        complete: () => settle(() => subscriber.complete()),
      }),
    );
  });
}
