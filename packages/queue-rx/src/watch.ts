import {
  callbackThrew,
  canonicalModel,
  checkJob,
  checkWatchOptions,
  type DecartClient,
  DecartError,
  type DownloadProgress,
  InvalidResponseError,
  idOf,
  invalid,
  isUsableId,
  type JobEvent,
  type JobSubmitResult,
  type JobWatch,
  type JobWatchStep,
  readJob,
  type StatusRead,
  type SubmitOptions,
  type VideoModel,
  type VideoModelName,
} from "@decart/core";
import { asyncScheduler, config, Observable, type SchedulerLike, type Subscriber, Subscription } from "rxjs";
import {
  checkClient,
  clientResult,
  clientStatus,
  clientSubmit,
  fromAbortable,
  type ResultSource,
  type StatusSource,
} from "./sources.js";
import type { JobEventOf, SubmitJobOptions, WatchJobOptions } from "./types.js";

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
          next: (got: any) => {
            if (reading) return settle(() => watch.status(got));
            if (got instanceof Blob) return settle(() => watch.downloaded(got));
            // Progress is read once (a getter of yours may answer anew each time): what is checked is what is told.
            const receivedBytes = got?.receivedBytes;
            if (receivedBytes >= 0) emit(watch.progress({ receivedBytes, totalBytes: got.totalBytes }));
            // (An `InvalidResponseError` of the watch's, not retried.)
            else settle(() => watch.error(new Error(`Job ${jobId}: the result source answered no Blob`)));
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
        // (The budget's length too: a read it cuts names it, as the watch's timeout does.)
        const within = { deadline: watch.deadline, budgetMs: watch.budgetMs };
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
              error: (error) => subscriber.error(callbackThrew(jobId, error, "poll.delay failed")),
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

/**
 * A running poller: each subscriber with whether it is in the background, the latest event but `retrying`, and the
 * `retrying` since it, if any.
 */
interface Poller {
  votes: Map<Subscriber<JobEvent>, boolean>;
  latest?: JobEvent;
  retrying?: JobEvent | undefined;
  /** The driver's subscriber to the pace, once it runs. */
  pace?: Subscriber<boolean>;
  /** The driver's subscription (the timer and the request in flight). */
  run?: Subscription;
}

/** A model as a job's events name it: the catalogue's canonical name (an alias's target), a definition's own. */
const modelName = (model: unknown) =>
  canonicalModel((model as VideoModel | undefined)?.canonical ?? (model as string | undefined));

/** The running pollers, per client and job: everyone watching a job shares its one poller while it runs. */
const pollers = new WeakMap<DecartClient, Map<string, Poller>>();

/**
 * The shared poller of a job, started by `start` when none runs. It replays its latest event to late subscribers,
 * stops (timer cleared, request aborted) when its last subscriber leaves, and is forgotten when it ends or stops, so
 * that the next subscriber starts afresh. It is in the background only while every subscriber says so (one without
 * `background` is in the foreground), looked at anew as subscribers come, go or change their minds. (A multicast
 * written out rather than rxjs's `share` and `ReplaySubject`: it keeps about 3 KB gzip out of a page's bundle.)
 */
function sharedPoller(
  client: DecartClient,
  key: string,
  background: Observable<boolean> | undefined,
  start: (background: Observable<boolean>) => Observable<JobEvent>,
  submitted?: JobEvent,
): Observable<JobEvent> {
  return new Observable<JobEvent>((subscriber) => {
    const jobs = pollers.get(client) ?? new Map<string, Poller>();
    pollers.set(client, jobs);
    const poller: Poller = jobs.get(key) ?? { votes: new Map() };
    jobs.set(key, poller);
    const { votes } = poller;
    const forget = () => jobs.get(key) === poller && jobs.delete(key);
    const hidden = () => [...votes.values()].every(Boolean);
    const recount = () => votes.size && poller.pace?.next(hidden());
    /** Passes a notification to every subscriber (a copy: one may leave meanwhile). */
    const each = (send: (s: Subscriber<JobEvent>) => void) => {
      for (const s of [...votes.keys()]) send(s);
    };
    votes.set(subscriber, false);
    const said = background?.subscribe({
      next: (on) => {
        votes.set(subscriber, on);
        recount();
      },
      // This subscriber's watch ends with it (the teardown below takes its vote back); the others' goes on.
      error: (error) => subscriber.error(error),
    });
    recount();
    if (poller.run) {
      // A submitter (one with the submit's answer) joining a poller that runs hears `submitted` first all the same.
      if (submitted) subscriber.next(submitted);
      if (poller.latest) subscriber.next(poller.latest);
      if (poller.retrying) subscriber.next(poller.retrying);
    } else {
      const run = new Subscription();
      poller.run = run;
      const pace = new Observable<boolean>((s) => {
        poller.pace = s;
        if (votes.size) s.next(hidden());
      });
      run.add(
        start(pace).subscribe({
          next: (event) => {
            // A joiner starts at the job's latest status (`submitted` is the submitter's alone), then hears of the
            // reads that failed since, if they are being retried.
            if (event.type === "retrying") poller.retrying = event;
            else if (event.type !== "submitted") {
              poller.latest = event;
              poller.retrying = undefined;
            }
            each((s) => s.next(event));
          },
          // Ended: forgotten before anyone hears of it, so that whoever subscribes on hearing starts afresh.
          error: (error) => {
            forget();
            each((s) => s.error(error));
          },
          complete: () => {
            forget();
            each((s) => s.complete());
          },
        }),
      );
    }
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
 * without `download` joins it, and ends at the download's start), else one per client, job and `download` choice.
 * `checked`: its options as read and checked by its caller (`submitJob`, before its submit), else `options` are, on
 * each subscription.
 */
function follow(
  client: DecartClient,
  jobId: string,
  options?: WatchJobOptions,
  checked?: Record<string, any>,
): Observable<JobEvent> {
  return new Observable<JobEvent>((subscriber) => {
    checkClient(client, "watchJob(client, jobId)");
    // Each subscriber's options are read and checked once, here or by its caller, also one's that joins a running
    // poller (whose options it does not use); the core's `createWatch` takes the watch's as they were read then.
    const all = checked ?? checkWatchOptions<WatchJobOptions>(options, jobKeys);
    const { model, first, download, background, statusSource, resultSource, scheduler } = all;
    // `first` must be this job's submit answer, as the engine checks a status read.
    const wrong = first && checkJob(first, jobId);
    if (wrong) throw invalid("Invalid options", "first", `job ${jobId}'s submit answer (${wrong})`);
    const watching: Record<string, unknown> = { ...all };
    for (const key in submitKeys) delete watching[key];
    const downloading = `result:${jobId}`;
    // Without download, on the poller that downloads when one runs: its events until the download starts, then
    // `completed`.
    const joins = download === false && pollers.get(client)?.has(downloading);
    return sharedPoller(
      client,
      download !== false || joins ? downloading : `status:${jobId}`,
      background,
      // The watch is made on subscription: one the client refuses (an id too long …) ends that poller with the error.
      (pace) =>
        new Observable<JobEvent>((s) =>
          drive(client.queue.createWatch(jobId, watching), jobId, {
            read: statusSource ?? clientStatus(client),
            result: resultSource ?? clientResult(client),
            scheduler: scheduler ?? asyncScheduler,
            background: pace,
          }).subscribe(s),
        ),
      // What a submitter hears first, also when it joins a poller that runs: the model as the core's watch names it
      // when it starts one (the catalogue's canonical name: an alias's target).
      first && {
        type: "submitted",
        jobId,
        model: modelName(model),
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
 * reads fail); when the last one unsubscribes, the timer stops and the request in flight is aborted. Unsubscribing
 * never cancels the job. The poller runs with the options of the subscriber that started it, except `background`: it
 * is slowed only while every subscriber is in the background. With `download: false`, it joins the poller that
 * downloads the result if one runs (and ends with `completed` as the download starts); a subscriber that wants the
 * result while only one without download runs gets a poller of its own.
 */
export const watchJob: {
  (client: DecartClient, jobId: string, options: WatchJobOptions & { download: false }): Observable<JobEventOf<false>>;
  (
    client: DecartClient,
    jobId: string,
    options?: WatchJobOptions & { download?: true | undefined },
  ): Observable<JobEventOf<true>>;
  (client: DecartClient, jobId: string, options?: WatchJobOptions): Observable<JobEvent>;
} = follow as never;

/**
 * Submits a job when subscribed, then follows it as `watchJob` does: first `submitted` with the job id (before any
 * waiting), then the status events, then (unless `download: false`) the download and `completed` with the video.
 * The watch's options are checked first: options it would refuse send nothing (`InvalidInputError`).
 * Each subscription submits a job of its own (a `share()` resets, and submits again: see the README for one that
 * submits once). Unsubscribing never cuts a submit under way (its request may have reached the server): the job it
 * makes goes to `onOrphan`; `input.signal` aborts the submit as `client.queue.submit`'s does. Unsubscribing later
 * stops watching, and never cancels the job. A `watchJob` of the same job id shares this job's poller (from the job's
 * latest status on: `submitted` is this observable's alone); a job someone already watches is followed through that
 * poller, after `submitted` all the same.
 */
export const submitJob: {
  <M extends string>(
    client: DecartClient,
    input: SubmitOptions<M>,
    options: SubmitJobOptions & { download: false },
  ): Observable<JobEventOf<false>>;
  <M extends string>(
    client: DecartClient,
    input: SubmitOptions<M>,
    options?: SubmitJobOptions & { download?: true | undefined },
  ): Observable<JobEventOf<true>>;
  <M extends string>(client: DecartClient, input: SubmitOptions<M>, options?: SubmitJobOptions): Observable<JobEvent>;
} = submitWith as never;

/**
 * `submitJob`, with its options as read and checked already by the caller (`checked`: `submitAll` reads and checks
 * them once for all its jobs), or read and checked here, on each subscription, before the submit. `at`: fields that
 * say which input it was (`submitAll`'s `index` and `key`), set on a failure reported once nobody listens.
 */
export function submitWith(
  client: DecartClient,
  input: SubmitOptions<VideoModelName>,
  options?: SubmitJobOptions,
  checked?: Record<string, any>,
  at?: object,
): Observable<JobEvent> {
  // The submit's first answer, then the job's events (a `take(1)` and a `switchMap`, written out).
  return new Observable<JobEvent>((subscriber) => {
    checkClient(client, "submitJob(client, input)");
    // Its options, read and checked once, before the submit: options the watch would refuse send nothing.
    const all = checked ?? checkWatchOptions<SubmitJobOptions>(options, submitKeys);
    const { submitSource, onOrphan } = all;
    /**
     * A job whose subscriber left: to `onOrphan` (a throw there is reported as unhandled, with the job id). A submit's
     * failure then (`error`) without a job id whose outcome is unknown (a 500, a connection broken once the body was
     * sent: a job may exist, its id unknown), or that your callback threw once the body was sent (a `CALLBACK_ERROR`
     * whose `mayExist` is true: an `onUploadProgress` that threw on its last call; one that threw before sent nothing),
     * or that a `submitSource` of yours failed with no `DecartError` (`theirs`: it may have sent the job; its
     * `InvalidResponseError`, `mayExist` set), is reported as unhandled (rxjs's `config.onUnhandledError`) when that
     * is set, else warned of (`console.warn`, the error with its request id): every job is told once, and a server's
     * answer never throws from a timer (rxjs's way without a handler), ending the process. What is reported is a copy
     * of the error (its class, fields, message, stack and cause), which says which submit it was: its `model` (as
     * `submitted` names it), and `at`'s fields; the error itself is left as it is (one error a `submitSource` of yours
     * gives two submits is reported for each).
     */
    const orphan = (jobId: unknown, error?: any, theirs?: boolean) => {
      const code = error?.code;
      if (!jobId && (code === "SUBMIT_OUTCOME_UNKNOWN" || (code === "CALLBACK_ERROR" && error.mayExist) || theirs)) {
        // `model` and `at`'s fields written as new own data (not set: the error's own may be read-only, or a getter).
        const fields: PropertyDescriptorMap = Object.getOwnPropertyDescriptors(error);
        for (const [key, value] of Object.entries({ model: modelName(input.model), ...at }))
          fields[key] = { value, writable: true, enumerable: true, configurable: true };
        const copy = Object.create(Object.getPrototypeOf(error), fields);
        if (config.onUnhandledError) throw copy;
        return console.warn(copy);
      }
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
    // The submit's failure: a `DecartError` as it is (one after the server took the job, your `onUploadProgress`
    // threw, carries its id), anything else a `submitSource` of yours says (a throw, an error, an answer that is no
    // submit answer) an `InvalidResponseError`, as a status read's is, what was thrown written as the core writes a
    // callback's throw (`callbackThrew`'s text: `?` for one that cannot be written).
    // Once nobody listens, one that is no `DecartError` is reported as an unknown outcome is (your source may have sent
    // the job), `mayExist` set and said; not an abort (`AbortError`: yours, as the core's own aborted submit is not).
    const fail = (error: any) =>
      settle(() => {
        const theirs = !DecartError.isInstance(error);
        let abort = false;
        try {
          abort = error?.name === "AbortError";
        } catch {} // (a value whose `name` cannot be read: no abort, written as `callbackThrew` can)
        const closed = subscriber.closed && theirs && !abort;
        if (theirs)
          error = new InvalidResponseError(
            `${callbackThrew(undefined, error, "The submit source failed").message}${closed ? "; a job may exist" : ""}`,
            { cause: error, ...(closed && { mayExist: closed }) },
          );
        subscriber.closed ? orphan(error.jobId, error, closed) : subscriber.error(error);
      });
    try {
      submitting.add(
        (submitSource ?? clientSubmit(client))(input).subscribe({
          next: (answer: JobSubmitResult) => {
            // The answer read once, into a copy, and checked (the core's `readJob`, as `checkJob` checks it): what is
            // followed is what was checked, the copy's id, never the answer's read again (a getter may answer another).
            const [first, wrong] = readJob(answer);
            // Its id as text (a number is read so, as the core reads the API's answers); yours left as it is. One that
            // cannot be read into a copy (a getter, a Proxy's trap that throws: `wrong` says so) names its id when
            // that alone can be read, for the error only.
            let id: unknown = first?.job_id;
            try {
              id ??= idOf(answer.job_id);
            } catch {}
            // One that names a usable job id made that job: the error carries it (told to `onOrphan` once nobody
            // listens), as the core's submit's does.
            const jobId = isUsableId(id) ? id : undefined;
            if (wrong)
              return fail(
                new InvalidResponseError(
                  `The submit source's answer is no submit answer (${wrong})${jobId ? `; job ${jobId} was made: follow it with watchJob` : ""}`,
                  { jobId },
                ),
              );
            // (Checked: a usable id, text.)
            settle(() =>
              subscriber.closed
                ? orphan(id)
                : follow(client, id as string, undefined, { ...all, model: input.model, first }).subscribe(subscriber),
            );
          },
          error: fail,
          // An end without an answer says nothing of a job: an error, not a silent end (a batch's submit that ends
          // unsent once the batch has ended does so for a subscriber gone already, who hears nothing).
          complete: () => fail(new InvalidResponseError("The submit source ended without an answer")),
        }),
      );
    } catch (error) {
      fail(error);
    }
  });
}
