import {
  BadRequestError,
  type JobEvent,
  JobTimeoutError,
  type JobWatch,
  models,
  ServerError,
  type StatusRead,
} from "@decart/core";
import {
  BehaviorSubject,
  concat,
  EMPTY,
  lastValueFrom,
  NEVER,
  type Observable,
  of,
  queueScheduler,
  take,
  throwError,
} from "rxjs";
import type { RunHelpers, TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { fromAbortable, type StatusSource } from "../src/sources.js";
import { drive, submitJob, watchJob } from "../src/watch.js";
import { JOB_ID, job, marbles, scripted, virtualClient } from "./marbles.js";

/** Every 10 ms (virtual), whatever the job. */
const every10 = () => 10;

const status = (s: "pending" | "processing"): JobEvent => ({ type: "status", jobId: JOB_ID, status: s, job: job(s) });
const completed: JobEvent = { type: "completed", jobId: JOB_ID, job: job("completed") };
const values = { p: status("pending"), r: status("processing"), c: completed };

/** Status reads answered after 1 ms each: pending, pending, processing, processing, completed. */
function fiveReads(scheduler: TestScheduler, cold: RunHelpers["cold"]) {
  const answer = (s: Parameters<typeof job>[0]) => cold<StatusRead>("-a|", { a: { job: job(s) } });
  return scripted(scheduler, [
    answer("pending"),
    answer("pending"),
    answer("processing"),
    answer("processing"),
    answer("completed"),
  ]);
}

describe("watchJob on virtual time", () => {
  it("emits only changes and completes after the job ends; the next read waits for the previous answer", () => {
    marbles(({ cold, expectObservable, scheduler, flush }) => {
      const reads = fiveReads(scheduler, cold);
      const options = { poll: every10, download: false, statusSource: reads };
      expectObservable(watchJob(virtualClient(scheduler), JOB_ID, options)).toBe("-p 21ms r 21ms (c|)", values);
      flush();
      // Each read starts 10 ms after the previous one answered.
      expect(reads.calls).toEqual([0, 11, 22, 33, 44]);
    });
  });

  it("shares one poller among subscribers, and a late subscriber gets the latest event at once", () => {
    marbles(({ cold, expectObservable, scheduler, flush }) => {
      const reads = fiveReads(scheduler, cold);
      const client = virtualClient(scheduler);
      const options = { poll: every10, download: false, statusSource: reads };
      expectObservable(watchJob(client, JOB_ID, options)).toBe("-p 21ms r 21ms (c|)", values);
      expectObservable(watchJob(client, JOB_ID, options)).toBe("-p 21ms r 21ms (c|)", values);
      expectObservable(watchJob(client, JOB_ID, options), "15ms ^").toBe("15ms p 7ms r 21ms (c|)", values);
      flush();
      expect(reads.calls).toEqual([0, 11, 22, 33, 44]);
    });
  });

  it("the last unsubscribe aborts the read in flight and stops the timer; the next subscriber starts afresh", () => {
    marbles(({ cold, expectObservable, expectSubscriptions, scheduler, flush }) => {
      const slow = cold<StatusRead>("----a|", { a: { job: job("pending") } });
      const reads = scripted(scheduler, [slow]);
      const job$ = watchJob(virtualClient(scheduler), JOB_ID, { poll: every10, download: false, statusSource: reads });
      // Two subscribers; the last leaves at 2 ms, while the first read is in flight.
      expectObservable(job$, "^-!").toBe("---");
      expectObservable(job$, "^!").toBe("--");
      // Another subscriber, later, starts a poller of its own; it leaves at 41 ms, between reads: no read follows.
      expectObservable(job$, "20ms ^ 20ms !").toBe("20ms ---- p", values);
      flush();
      expectSubscriptions(slow.subscriptions).toBe(["^-!", "20ms ^---!", "34ms ^---!"]);
      expect(reads.calls).toEqual([0, 20, 34]);
    });
  });

  it("a poller that ended is forgotten: a subscriber after a completion or an error starts afresh", () => {
    marbles(({ cold, expectObservable, scheduler, flush }) => {
      const answer = (s: Parameters<typeof job>[0]) => cold<StatusRead>("-a|", { a: { job: job(s) } });
      const reads = scripted(scheduler, [answer("completed"), answer("completed")]);
      const client = virtualClient(scheduler);
      const job$ = watchJob(client, JOB_ID, { poll: every10, download: false, statusSource: reads });
      // One of two subscribers subscribes again on hearing the end: that too is a new poller, which reads again.
      const again: string[] = [];
      job$.subscribe({
        complete: () => job$.subscribe({ next: (e) => again.push(e.type), complete: () => again.push("|") }),
      });
      expectObservable(job$).toBe("-(c|)", values);
      expectObservable(job$, "20ms ^").toBe("21ms (c|)", values);
      // A read that errors ends its poller (for good: the policy does not retry it); the next one reads again.
      const refused = new BadRequestError("refused", { status: 400, jobId: "job_other" });
      const failing = scripted(scheduler, [cold<StatusRead>("-#", {}, refused)]);
      const broken$ = watchJob(client, "job_other", { poll: every10, download: false, statusSource: failing });
      broken$.subscribe({ error: () => broken$.subscribe({ error: () => again.push("#") }) });
      expectObservable(broken$).toBe("-#", {}, refused);
      expectObservable(broken$, "20ms ^").toBe("21ms #", {}, refused);
      flush();
      expect(reads.calls).toEqual([0, 1, 20]);
      expect(again).toEqual(["completed", "|", "#"]);
      expect(failing.calls).toEqual([0, 1, 20]);
    });
  });

  it("a subscriber that leaves on an event (take(1)) stops the poller then and there", () => {
    marbles(({ cold, expectObservable, scheduler, flush }) => {
      const reads = fiveReads(scheduler, cold);
      const job$ = watchJob(virtualClient(scheduler), JOB_ID, { poll: every10, download: false, statusSource: reads });
      expectObservable(job$.pipe(take(1))).toBe("-(p|)", values);
      flush();
      expect(reads.calls).toEqual([0]);
    });
  });

  it("a read slower than the schedule delays the next one: reads never overlap", () => {
    marbles(({ cold, expectObservable, expectSubscriptions, scheduler, flush }) => {
      const slow = cold<StatusRead>("50ms (a|)", { a: { job: job("processing") } });
      const done = cold<StatusRead>("50ms (a|)", { a: { job: job("completed") } });
      const reads = scripted(scheduler, [slow, slow, done]);
      const job$ = watchJob(virtualClient(scheduler), JOB_ID, { poll: every10, download: false, statusSource: reads });
      expectObservable(job$).toBe("50ms r 119ms (c|)", values);
      flush();
      expect(reads.calls).toEqual([0, 60, 120]);
      expectSubscriptions(slow.subscriptions).toBe(["^ 49ms !", "60ms ^ 49ms !"]);
    });
  });

  it("a transient read failure is retried when the core's policy says (here the server's Retry-After), said as `retrying`", () => {
    marbles(({ cold, expectObservable, scheduler, flush }) => {
      const unavailable = new ServerError("503", { status: 503, retryable: true, retryAfterMs: 100 });
      const reads = scripted(scheduler, [
        cold<StatusRead>("-#", undefined, unavailable),
        cold<StatusRead>("-(a|)", { a: { job: job("pending") } }),
        cold<StatusRead>("-(a|)", { a: { job: job("completed") } }),
      ]);
      const job$ = watchJob(virtualClient(scheduler), JOB_ID, { poll: every10, download: false, statusSource: reads });
      const R: JobEvent = { type: "retrying", jobId: JOB_ID, error: unavailable, attempt: 1, delayMs: 100 };
      expectObservable(job$).toBe("-R 100ms p 10ms (c|)", { ...values, R });
      flush();
      expect(reads.calls).toEqual([0, 101, 112]);
    });
  });

  it("passes on each failed read as `retrying` (attempt, wait), then the status again; a late subscriber gets the status and the `retrying` after it", () => {
    marbles(({ cold, expectObservable, scheduler, flush }) => {
      const unavailable = new ServerError("503", { status: 503, retryable: true, retryAfterMs: 100 });
      const fail = () => cold<StatusRead>("-#", undefined, unavailable);
      const reads = scripted(scheduler, [
        cold<StatusRead>("-(a|)", { a: { job: job("processing") } }),
        fail(),
        fail(),
        cold<StatusRead>("-(a|)", { a: { job: job("processing") } }),
        cold<StatusRead>("-(a|)", { a: { job: job("completed") } }),
      ]);
      const client = virtualClient(scheduler);
      const options = { poll: every10, download: false, statusSource: reads };
      const retrying = (attempt: number): JobEvent => ({
        type: "retrying",
        jobId: JOB_ID,
        error: unavailable,
        attempt,
        delayMs: 100,
      });
      const all = { ...values, A: retrying(1), B: retrying(2) };
      // Reads at 0, 11, 112, 213, 224: processing, 503, 503, processing (again), completed.
      expectObservable(watchJob(client, JOB_ID, options)).toBe("-r 10ms A 100ms B 100ms r 10ms (c|)", all);
      // Joins between the two failures: the status, then the failure being retried.
      expectObservable(watchJob(client, JOB_ID, options), "50ms ^").toBe("50ms (rA) 59ms B 100ms r 10ms (c|)", all);
      flush();
      expect(reads.calls).toEqual([0, 11, 112, 213, 224]);
    });
  });

  it("errors with JobTimeoutError carrying the job id when the budget runs out", () => {
    marbles(({ cold, scheduler, flush }) => {
      const reads = scripted(scheduler, [cold<StatusRead>("-(a|)", { a: { job: job("pending") } })]);
      const job$ = watchJob(virtualClient(scheduler), JOB_ID, {
        poll: () => 30,
        timeoutMs: 100,
        download: false,
        statusSource: reads,
      });
      const seen: unknown[] = [];
      let failure: unknown;
      let at = -1;
      job$.subscribe({
        next: (e) => seen.push(e.type),
        error: (e) => {
          failure = e;
          at = scheduler.now();
        },
      });
      flush();
      expect(seen).toEqual(["status"]);
      expect(JobTimeoutError.isInstance(failure) && failure.jobId).toBe(JOB_ID);
      // The last read is cut to end at the deadline; its answer comes after it.
      expect(reads.calls).toEqual([0, 31, 62, 93, 100]);
      expect(at).toBe(101);
    });
  });
});

describe("a status source that breaks its contract, on virtual time", () => {
  /**
   * A source counting its calls that gives each read `answer()` for its first 30 calls, then never answers (so that
   * read loops that forked stop somewhere, and the test ends however many there are).
   */
  const counting = (
    scheduler: TestScheduler,
    answer: () => Observable<StatusRead>,
  ): StatusSource & { calls: number[] } => {
    const calls: number[] = [];
    return Object.assign(
      () => {
        calls.push(scheduler.now());
        return calls.length > 30 ? NEVER : answer();
      },
      { calls },
    );
  };
  const pending: StatusRead = { job: job("pending") };

  it.each([
    ["answers twice synchronously", () => of(pending, pending)],
    [
      "answers, then errors synchronously",
      () =>
        concat(
          of(pending),
          throwError(() => new Error("then")),
        ),
    ],
  ])("one that %s is heard once per read: one read loop, none after unsubscribe", (_name, answer) => {
    marbles(({ expectObservable, scheduler, flush }) => {
      const reads = counting(scheduler, answer);
      const job$ = watchJob(virtualClient(scheduler), JOB_ID, { poll: every10, download: false, statusSource: reads });
      expectObservable(job$, "^ 55ms !").toBe("p", values);
      flush();
      expect(reads.calls).toEqual([0, 10, 20, 30, 40, 50]);
    });
  });

  it("the first answer of a read that answers twice a frame apart is the one heard; the read is then let go", () => {
    marbles(({ cold, expectObservable, expectSubscriptions, scheduler, flush }) => {
      const twice = cold<StatusRead>("-a-b|", { a: pending, b: { job: job("completed") } });
      const reads = scripted(scheduler, [twice]);
      const job$ = watchJob(virtualClient(scheduler), JOB_ID, { poll: every10, download: false, statusSource: reads });
      expectObservable(job$, "^ 25ms !").toBe("-p", values);
      flush();
      expectSubscriptions(twice.subscriptions).toBe(["^!", "11ms ^!", "22ms ^!"]);
      expect(reads.calls).toEqual([0, 11, 22]);
    });
  });
});

describe("watchJob in the background, on virtual time", () => {
  const processing = (cold: RunHelpers["cold"]) => cold<StatusRead>("-(a|)", { a: { job: job("processing") } });
  /** A job watched every 10 ms (virtual), without download, with `background`. */
  const watched = (scheduler: TestScheduler, statusSource: StatusSource, background: Observable<boolean>) =>
    watchJob(virtualClient(scheduler), JOB_ID, { poll: every10, download: false, statusSource, background });

  it("slows the reads while in the background, and reads at once when it turns false", () => {
    marbles(({ cold, hot, expectObservable, scheduler, flush }) => {
      const reads = scripted(scheduler, [processing(cold)]);
      // In the background at 15 ms, out of it at 20 000 ms.
      const background = hot("15ms t 19984ms f", { t: true, f: false });
      const job$ = watched(scheduler, reads, background);
      expectObservable(job$, "^ 20030ms !").toBe("-r", values);
      flush();
      // The wait begun at 12 ms becomes 30 s long; becoming visible at 20 000 ms reads then, and the pace resumes.
      expect(reads.calls).toEqual([0, 11, 20_000, 20_011, 20_022]);
    });
  });

  it("never stops: one read per 30 s for as long as it stays in the background, from one shared poller", () => {
    marbles(({ cold, hot, expectObservable, scheduler, flush }) => {
      const reads = scripted(scheduler, [processing(cold)]);
      const client = virtualClient(scheduler);
      const background = hot("t", { t: true });
      const options = { poll: every10, download: false, statusSource: reads, background };
      expectObservable(watchJob(client, JOB_ID, options), "^ 100s !").toBe("-r", values);
      expectObservable(watchJob(client, JOB_ID, options), "^ 100s !").toBe("-r", values);
      flush();
      // The first read of a job is never slowed.
      expect(reads.calls).toEqual([0, 30_001, 60_002, 90_003]);
    });
  });

  it("a read in flight when the page hides is not cut; the wait after its answer is the slow one", () => {
    marbles(({ cold, hot, expectObservable, expectSubscriptions, scheduler, flush }) => {
      const slow = cold<StatusRead>("5ms (a|)", { a: { job: job("processing") } });
      const reads = scripted(scheduler, [slow]);
      const background = hot("2ms t", { t: true });
      const job$ = watched(scheduler, reads, background);
      expectObservable(job$, "^ 40s !").toBe("5ms r", values);
      flush();
      expectSubscriptions(slow.subscriptions).toBe(["^ 4ms !", "30005ms ^ 4ms !"]);
      expect(reads.calls).toEqual([0, 30_005]);
    });
  });

  it("gives each read the watch's deadline, and the watch ends at it", () => {
    marbles(({ cold, scheduler, flush }) => {
      const deadlines: number[] = [];
      const reads = scripted(scheduler, [processing(cold)]);
      const statusSource = (id: string, within: { deadline: number }) => {
        deadlines.push(within.deadline);
        return reads(id);
      };
      let failure: unknown;
      const job$ = watchJob(virtualClient(scheduler), JOB_ID, { poll: () => 30, timeoutMs: 100, statusSource });
      job$.subscribe({ error: (e) => (failure = e) });
      flush();
      expect(deadlines).toEqual([100, 100, 100, 100, 100]);
      expect(JobTimeoutError.isInstance(failure)).toBe(true);
    });
  });
});

describe("a poller shared by subscribers in and out of the background, on virtual time", () => {
  const processing = (cold: RunHelpers["cold"]) => cold<StatusRead>("-(a|)", { a: { job: job("processing") } });
  const start = (scheduler: TestScheduler, cold: RunHelpers["cold"]) => {
    const statusSource = scripted(scheduler, [processing(cold)]);
    const client = virtualClient(scheduler);
    const watch = (background?: Observable<boolean>) =>
      watchJob(client, JOB_ID, { poll: every10, download: false, statusSource, background });
    return { reads: statusSource, watch };
  };

  it("keeps the full pace while one subscriber is in the foreground, and slows once it leaves", () => {
    marbles(({ cold, expectObservable, scheduler, flush }) => {
      const { reads, watch } = start(scheduler, cold);
      const hidden = new BehaviorSubject(true); // says so to each subscriber as it comes, as a page does
      // In the background from the start; a subscriber without `background` is there until 30 ms.
      expectObservable(watch(hidden), "^ 70s !").toBe("-r", values);
      expectObservable(watch(), "^ 29ms !").toBe("-r", values);
      flush();
      // One read per tick for both; then the wait begun at 23 ms becomes 30 s long.
      expect(reads.calls).toEqual([0, 11, 22, 30_023, 60_024]);
    });
  });

  it("a subscriber in the foreground who joins a poller in the background reads at once, whoever started it", () => {
    marbles(({ cold, expectObservable, scheduler, flush }) => {
      const { reads, watch } = start(scheduler, cold);
      const hidden = new BehaviorSubject(true); // says so to each subscriber as it comes, as a page does
      expectObservable(watch(hidden), "^ 70s !").toBe("-r", values);
      expectObservable(watch(hidden), "10ms ^ 70s !").toBe("10ms r", values);
      expectObservable(watch(), "50ms ^ 29ms !").toBe("50ms r", values);
      flush();
      // The second one in the background changed nothing; the one in the foreground woke the poller at 50 ms, kept
      // the pace while there, and leaving at 80 ms turned the wait begun at 73 ms into a 30 s one.
      expect(reads.calls).toEqual([0, 50, 61, 72, 30_073, 60_074]);
    });
  });

  it("reads at once when one of the subscribers in the background comes to the foreground", () => {
    marbles(({ cold, hot, expectObservable, scheduler, flush }) => {
      const { reads, watch } = start(scheduler, cold);
      const hidden = new BehaviorSubject(true); // says so to each subscriber as it comes, as a page does
      const flips = hot("t 99ms f", { t: true, f: false });
      expectObservable(watch(hidden), "^ 130ms !").toBe("-r", values);
      expectObservable(watch(flips), "^ 130ms !").toBe("-r", values);
      flush();
      // The first read is never slowed; the next waits 30 s until the second subscriber comes back at 100 ms.
      expect(reads.calls).toEqual([0, 100, 111, 122]);
    });
  });
});

describe("submitJob on virtual time", () => {
  it("emits submitted with the job id before any read, and a watchJob of that job shares its poller", () => {
    marbles(({ cold, expectObservable, scheduler, flush }) => {
      const client = virtualClient(scheduler);
      const submit = scripted(scheduler, [cold("--(s|)", { s: { job_id: JOB_ID, status: "pending" as const } })]);
      const reads = scripted(scheduler, [
        cold<StatusRead>("-(a|)", { a: { job: job("processing") } }),
        cold<StatusRead>("-(a|)", { a: { job: job("completed") } }),
      ]);
      const options = { poll: every10, download: false, statusSource: reads };
      const submitted: JobEvent = { type: "submitted", jobId: JOB_ID, model: "lucy-pro-t2v" };
      const pending: JobEvent = {
        type: "status",
        jobId: JOB_ID,
        status: "pending",
        job: { job_id: JOB_ID, status: "pending" },
      };
      const input = { model: models.video("lucy-pro-t2v"), prompt: "A lake" } as never;
      expectObservable(submitJob(client, input, { ...options, submitSource: submit })).toBe("--(sp) 7ms r 10ms (c|)", {
        ...values,
        s: submitted,
        p: pending,
      });
      expectObservable(watchJob(client, JOB_ID, options), "5ms ^").toBe("5ms p 7ms r 10ms (c|)", {
        ...values,
        p: pending,
      });
      flush();
      expect(submit.calls).toEqual([0]);
      expect(reads.calls).toEqual([12, 23]);
    });
  });

  it("a watchJob that joins the job's poller on hearing submitted starts at the job's status, not at submitted", () => {
    marbles(({ cold, scheduler, flush }) => {
      const client = virtualClient(scheduler);
      const submit = scripted(scheduler, [cold("--(s|)", { s: { job_id: JOB_ID, status: "pending" as const } })]);
      const reads = scripted(scheduler, [cold<StatusRead>("-(a|)", { a: { job: job("completed") } })]);
      const options = { poll: every10, download: false, statusSource: reads };
      const input = { model: models.video("lucy-pro-t2v"), prompt: "A lake" } as never;
      const joined: string[] = [];
      submitJob(client, input, { ...options, submitSource: submit }).subscribe((event) => {
        if (event.type === "submitted")
          watchJob(client, event.jobId, options).subscribe({
            next: (e) => joined.push(e.type === "status" ? e.status : e.type),
            complete: () => joined.push("|"),
          });
      });
      flush();
      expect(joined).toEqual(["pending", "completed", "|"]);
      expect(reads.calls).toEqual([12]);
    });
  });

  it("hears only the submit's first answer: an error said after it synchronously does not end the job's watch", () => {
    marbles(({ cold, expectObservable, scheduler, flush }) => {
      const client = virtualClient(scheduler);
      const answered = { job_id: JOB_ID, status: "pending" as const };
      const submit = scripted(scheduler, [
        concat(
          of(answered),
          throwError(() => new Error("then")),
        ),
      ]);
      const reads = scripted(scheduler, [cold<StatusRead>("-(a|)", { a: { job: job("completed") } })]);
      const input = { model: models.video("lucy-pro-t2v"), prompt: "A lake" } as never;
      const options = { poll: every10, download: false, statusSource: reads, submitSource: submit };
      const submitted: JobEvent = { type: "submitted", jobId: JOB_ID, model: "lucy-pro-t2v" };
      const pending: JobEvent = { type: "status", jobId: JOB_ID, status: "pending", job: answered };
      expectObservable(submitJob(client, input, options)).toBe("(sp) 7ms (c|)", {
        ...values,
        s: submitted,
        p: pending,
      });
      flush();
      expect(submit.calls).toEqual([0]);
    });
  });

  it("downloads the result through the core's watch: progress, then completed with the Blob", () => {
    marbles(({ cold, expectObservable, scheduler }) => {
      const data = new Blob(["video"]);
      const reads = scripted(scheduler, [cold<StatusRead>("-(a|)", { a: { job: job("completed") } })]);
      const result = scripted(scheduler, [
        cold<{ receivedBytes: number; totalBytes: number } | Blob>("-a-(b|)", {
          a: { receivedBytes: 2, totalBytes: 5 },
          b: data,
        }),
      ]);
      const at = (receivedBytes: number, totalBytes?: number): JobEvent => ({
        type: "downloading",
        jobId: JOB_ID,
        job: job("completed"),
        receivedBytes,
        totalBytes,
      });
      const job$ = watchJob(virtualClient(scheduler), JOB_ID, { statusSource: reads, resultSource: result });
      expectObservable(job$).toBe("-ab-(c|)", { a: at(0), b: at(2, 5), c: { ...completed, data } });
    });
  });
});

describe("fromAbortable", () => {
  it("aborts the operation when unsubscribed before it settles, and not after", async () => {
    const signals: AbortSignal[] = [];
    const never = fromAbortable((signal) => {
      signals.push(signal);
      return new Promise<never>(() => {});
    });
    never.subscribe().unsubscribe();
    const quick = fromAbortable(async (signal) => {
      signals.push(signal);
      return 1;
    });
    const values: number[] = [];
    const subscription = quick.subscribe((v) => values.push(v));
    await Promise.resolve();
    subscription.unsubscribe();
    expect(signals.map((s) => s.aborted)).toEqual([true, false]);
    expect(values).toEqual([1]);
  });
});

describe("drive with a watch of your own", () => {
  // A JobWatch need not be the core's: one whose step throws something that cannot be written with a template (a
  // Symbol) ends the observable with the core's CALLBACK_ERROR carrying the job id, not a TypeError thrown elsewhere.
  it("a step that throws a Symbol ends the watch with CALLBACK_ERROR carrying the job id", async () => {
    const thrown = Symbol("boom");
    const watch = {
      deadline: Number.POSITIVE_INFINITY,
      start: () => ({ events: [], next: { read: 0 } }),
      status: () => {
        throw thrown;
      },
    } as unknown as JobWatch;
    const events = drive(watch, JOB_ID, {
      read: () => of<StatusRead>({ job: job("pending") }),
      result: () => EMPTY,
      scheduler: queueScheduler,
    });
    const error = await lastValueFrom(events).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CALLBACK_ERROR", jobId: JOB_ID, cause: thrown });
    expect((error as Error).message).toBe(`Job ${JOB_ID}: a callback threw (Symbol(boom)); the job goes on`);
  });
});
