import { catalogue } from "@decart/api";
import { describe, expect, it } from "vitest";
import { InvalidResponseError } from "../src/errors.js";
import {
  AbortError,
  ConnectionError,
  canWatchAgain,
  createJobWatch,
  DecartError,
  type JobEvent,
  type JobStatusResponse,
  JobTimeoutError,
  type JobWatchInit,
  type JobWatchStep,
  type PollContext,
  ServerError,
} from "../src/index.js";
import { createDurationModel } from "../src/poll.js";

/** A watch on a fake clock (ms, starting at 0) with a fixed schedule of 1 s, fixed jitter, and what it saw. */
function setup(init: Partial<JobWatchInit> = {}) {
  const clock = { t: 0 };
  const contexts: PollContext[] = [];
  const watch = createJobWatch({
    jobId: "job_1",
    now: () => clock.t,
    schedule: (ctx) => {
      contexts.push(ctx);
      return 1000;
    },
    random: () => 0.5,
    ...init,
  });
  return { clock, contexts, watch };
}

const job = (status: JobStatusResponse["status"], extra: Partial<JobStatusResponse> = {}): JobStatusResponse => ({
  job_id: "job_1",
  status,
  ...extra,
});
/** The catalogue's expected duration of a model, in ms. */
const T2V = catalogue["lucy-pro-t2v"].typicalJobSeconds * 1000;
const types = (events: JobEvent[]) => events.map((e) => (e.type === "status" ? e.status : e.type));
const waitOf = (step: JobWatchStep) => ("read" in step.next ? step.next.read : undefined);

describe("createJobWatch", () => {
  it("an answer of the job this version cannot read: its cause the answer's JSON text, as over HTTP", () => {
    const { watch } = setup();
    watch.start();
    const step = watch.status({ job: { job_id: "job_1", status: "queued" } as never });
    const { error } = step.events.find((e) => e.type === "retrying") as { error: DecartError };
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.message).toMatch(/does not know \(upgrade it\)$/);
    expect(error.cause).toBe('{"job_id":"job_1","status":"queued"}');
  });

  it.each([
    ["a BigInt", () => ({ job_id: "job_1", status: "queued", progress: 1n })],
    [
      "a cycle",
      () => {
        const answer: Record<string, unknown> = { job_id: "job_1", status: "queued" };
        answer.self = answer;
        return answer;
      },
    ],
    // (JSON.stringify answers undefined, not a throw.)
    ["a toJSON answering undefined", () => ({ job_id: "job_1", status: "queued", toJSON: () => undefined })],
  ])(
    "an answer of yours it cannot read, holding %s: read again, then the typed error, its cause described",
    (_what, answer) => {
      const { watch } = setup();
      watch.start();
      let step: JobWatchStep | undefined;
      // Read as any answer that breaks the spec (three retries), then surfaced.
      for (let read = 0; read < 4; read++) step = watch.status({ job: answer() as never });
      const { error } = step!.next as { error: DecartError };
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(error).toMatchObject({ code: "INVALID_RESPONSE", jobId: "job_1", retryable: false });
      expect(error.message).toMatch(/does not know \(upgrade it\)$/);
      expect(error.cause).toBe("(not JSON-writable)");
      expect(canWatchAgain(error)).toBe(false);
    },
  );

  it.each([
    ["holds a BigInt", () => ({ code: 7n })],
    ["is a function", () => () => {}],
    ["is a Symbol", () => Symbol("reason")],
    ["has a toJSON answering undefined", () => ({ toJSON: () => undefined })],
    [
      "has a message getter that throws",
      () => ({
        get message(): string {
          throw new Error("getter");
        },
      }),
    ],
  ])("a failed job of yours whose reason %s: failed, its reason described, no throw", (_what, reason) => {
    const { watch } = setup();
    watch.start();
    const step = watch.status({ job: { job_id: "job_1", status: "failed", error: reason() } as never });
    expect(step.events).toMatchObject([{ type: "failed", error: "(not JSON-writable)" }]);
    expect(step.next).toEqual({ done: true });
  });

  it("a failed answer of yours that is frozen: failed, its reason described, the answer left as it was", () => {
    const { watch } = setup();
    watch.start();
    const answer = Object.freeze({ job_id: "job_1", status: "failed", error: { code: 7 }, model: 5 });
    const step = watch.status({ job: answer as never });
    expect(step.events).toMatchObject([{ type: "failed", error: '{"code":7}', job: { status: "failed" } }]);
    expect(step.next).toEqual({ done: true });
    expect(answer).toEqual({ job_id: "job_1", status: "failed", error: { code: 7 }, model: 5 });
  });

  it("a failed answer of yours whose error getter throws: failed, without that reason, no throw", () => {
    const { watch } = setup();
    watch.start();
    const answer = {
      job_id: "job_1",
      status: "failed",
      get error(): string {
        throw new Error("getter");
      },
    };
    const step = watch.status({ job: answer as never });
    expect(step.events).toMatchObject([{ type: "failed", jobId: "job_1", error: "Job failed" }]);
    expect(step.next).toEqual({ done: true });
  });

  it("starts a submitted job with `submitted` and its first status, before any read", () => {
    const { watch, contexts } = setup({ first: job("pending"), model: "lucy-pro-t2v" });
    const step = watch.start();
    expect(step.events).toEqual([
      { type: "submitted", jobId: "job_1", model: "lucy-pro-t2v" },
      { type: "status", jobId: "job_1", status: "pending", job: job("pending") },
    ]);
    expect(step.next).toEqual({ read: 1000 });
    expect(contexts[0]).toEqual({ attempt: 0, elapsedMs: 0, status: "pending", typicalMs: T2V, hintMs: undefined });
  });

  it("reads an existing job at once, and emits a status only when it changes", () => {
    const { watch, clock } = setup({ download: false });
    const start = watch.start();
    expect(start).toEqual({ events: [], next: { read: 0 } });
    const seen: JobEvent[] = [];
    for (const status of ["pending", "pending", "processing", "processing", "processing", "completed"] as const) {
      const step = watch.status({ job: job(status) });
      seen.push(...step.events);
      clock.t += waitOf(step) ?? 0;
    }
    expect(types(seen)).toEqual(["pending", "processing", "completed"]);
    expect(seen.at(-1)).toEqual({ type: "completed", jobId: "job_1", job: job("completed") });
  });

  it("never goes back: a `pending` after `processing` (a replica behind the others) is no change, and is read as `processing`", () => {
    const { watch, clock, contexts } = setup({ download: false });
    watch.start();
    const seen: JobEvent[] = [];
    for (const status of ["processing", "pending", "processing", "pending", "completed"] as const) {
      const step = watch.status({ job: job(status) });
      seen.push(...step.events);
      clock.t += waitOf(step) ?? 0;
    }
    expect(types(seen)).toEqual(["processing", "completed"]);
    // The schedule is told the status the job has reached.
    expect(contexts.map((c) => c.status)).toEqual(["processing", "processing", "processing", "processing"]);
  });

  it("ends with `failed` and the server's reason (or 'Job failed'), and does nothing after the end", () => {
    const { watch } = setup();
    watch.start();
    const end = watch.status({ job: job("failed", { error: "GPU fell over" }) });
    expect(end.events).toEqual([
      { type: "failed", jobId: "job_1", job: job("failed", { error: "GPU fell over" }), error: "GPU fell over" },
    ]);
    expect(end.next).toEqual({ done: true });
    expect(watch.status({ job: job("processing") })).toEqual({ events: [], next: { done: true } });
    expect(watch.error(new ServerError("late", { retryable: true }))).toEqual({ events: [], next: { done: true } });

    const other = setup().watch;
    other.start();
    expect(other.status({ job: job("failed") }).events).toMatchObject([{ type: "failed", error: "Job failed" }]);
  });

  it("asks for the download when the job completes, then reports its progress and ends with the data", () => {
    const { watch } = setup({ first: job("processing") });
    watch.start();
    const completed = job("completed");
    const step = watch.status({ job: completed });
    expect(step.events).toEqual([
      { type: "downloading", jobId: "job_1", job: completed, receivedBytes: 0, totalBytes: undefined },
    ]);
    expect(step.next).toEqual({ download: 0 });
    expect(watch.progress({ receivedBytes: 5, totalBytes: 9 })).toEqual([
      { type: "downloading", jobId: "job_1", job: completed, receivedBytes: 5, totalBytes: 9 },
    ]);
    const data = new Blob(["video"]);
    expect(watch.downloaded(data)).toEqual({
      events: [{ type: "completed", jobId: "job_1", job: completed, data }],
      next: { done: true },
    });
  });

  it("retries a failed download by the retry policy, and a failed status read as a read, each with `retrying`", () => {
    const { watch } = setup();
    watch.start();
    const busy = new ServerError("busy", { status: 503, retryable: true });
    const read = watch.error(busy);
    expect(waitOf(read)).toBeGreaterThanOrEqual(50);
    expect(read.events).toEqual([{ type: "retrying", jobId: "job_1", error: busy, attempt: 1, delayMs: waitOf(read) }]);
    watch.status({ job: job("completed") });
    const cut = new ServerError("cut", { code: "TRUNCATED", retryable: true });
    const again = watch.error(cut);
    const download = "download" in again.next ? again.next.download : -1;
    expect(download).toBeGreaterThanOrEqual(50);
    // Counted from the last read that answered: the download's first failure. The download, to start again, is back
    // at 0 first.
    expect(again.events).toEqual([
      { type: "downloading", jobId: "job_1", job: job("completed"), receivedBytes: 0, totalBytes: undefined },
      { type: "retrying", jobId: "job_1", error: cut, attempt: 1, delayMs: download },
    ]);
    expect(watch.downloaded(new Blob(["v"])).events.map((e) => e.type)).toEqual(["completed"]);
  });

  it("says `retrying` for each transient read error (attempt, error, wait), then the status again, changed or not", () => {
    const { watch, clock } = setup({ download: false });
    watch.start();
    const events: JobEvent[] = [...watch.status({ job: job("pending") }).events];
    const failAll = (n: number) => {
      for (let i = 0; i < n; i++) {
        const error = new ServerError(`503 #${i}`, { status: 503, retryable: true });
        const step = watch.error(error);
        // The policy's wait: a backoff that never drops below its floor (50 ms doubling) nor exceeds 8 s.
        expect(waitOf(step)).toBeGreaterThanOrEqual(Math.min(1000, 50 << i));
        expect(waitOf(step)).toBeLessThanOrEqual(8000);
        expect(step.events).toEqual([
          { type: "retrying", jobId: "job_1", error, attempt: i + 1, delayMs: waitOf(step) },
        ]);
        events.push(...step.events);
        clock.t += waitOf(step)!;
      }
    };
    failAll(3);
    // The status is the same, but a view that shows the failures must hear that reads answer again.
    events.push(...watch.status({ job: job("pending") }).events);
    events.push(...watch.status({ job: job("pending") }).events);
    failAll(2); // counted afresh from 1
    events.push(...watch.status({ job: job("processing") }).events);
    events.push(...watch.status({ job: job("completed") }).events);
    expect(types(events)).toEqual([
      "pending",
      ...["retrying", "retrying", "retrying", "pending"],
      ...["retrying", "retrying", "processing"],
      "completed",
    ]);
  });

  it("says in `retrying` the wait as the step gives it, slowed in the background, and only of a try before the deadline", () => {
    const { watch, clock } = setup({ timeoutMs: 60_000, first: job("processing"), random: () => 0.999 });
    watch.start();
    watch.background(true);
    let step = watch.error(new ConnectionError("reset", { retryable: true }));
    // In the background the wait is at least 30 s.
    expect(waitOf(step)).toBe(30_000);
    expect(step.events).toMatchObject([{ type: "retrying", attempt: 1, delayMs: 30_000 }]);
    // A slowed wait that the deadline cuts: the read at the deadline is never sent, nothing promises it.
    clock.t = 40_000;
    step = watch.error(new ConnectionError("reset", { retryable: true }));
    expect(waitOf(step)).toBe(20_000);
    expect(step.events).toEqual([]);
    watch.background(false);
    clock.t = 50_000;
    step = watch.error(new ConnectionError("reset", { retryable: true }));
    const wait = waitOf(step)!;
    expect(wait).toBeLessThan(10_000);
    expect(step.events).toMatchObject([{ type: "retrying", attempt: 3, delayMs: wait }]);
    // The backoff cut at the deadline: no `retrying`, and the watch ends there.
    clock.t = 59_990;
    step = watch.error(new ConnectionError("reset", { retryable: true }));
    expect(waitOf(step)).toBe(10);
    expect(step.events).toEqual([]);
    clock.t = 60_000;
    step = watch.error(new ConnectionError("not sent", { retryable: true }));
    expect((step.next as { error: DecartError }).error).toBeInstanceOf(JobTimeoutError);
  });

  it("ends a job that keeps answering transiently only at the deadline, with JobTimeoutError and the job id", () => {
    const { watch, clock } = setup({ timeoutMs: 120_000, first: job("pending") });
    let step = watch.start();
    clock.t += 1000;
    step = watch.status({ job: job("processing") });
    // From here on, every read fails: the policy's waits grow, and only the deadline stops them.
    while ("read" in step.next && clock.t < 200_000) {
      clock.t += step.next.read;
      step = watch.error(new ConnectionError("reset", { retryable: true }));
    }
    expect("error" in step.next).toBe(true);
    const error = (step.next as { error: DecartError }).error;
    expect(error).toBeInstanceOf(JobTimeoutError);
    expect(error.jobId).toBe("job_1");
    expect((error as JobTimeoutError).lastStatus).toBe("processing");
    expect(error.message).toContain("120000 ms");
    // Not a false timeout: the budget was waited out (the last retry, cut short, came at the deadline).
    expect(clock.t).toBe(120_000);
  });

  it("waits out the budget when a retry would come after it, and times out at the deadline with the failure as cause", () => {
    // A 3 s budget, each read answered 503: a retry whose wait ends past the deadline is tried at the deadline (where
    // the read has no time and fails), not given up while the message says 3000 ms.
    for (const random of [() => 0, () => 0.5, () => 0.999]) {
      const { watch, clock } = setup({ timeoutMs: 3000, first: job("pending"), random });
      let step = watch.start();
      const first = new ServerError("unavailable", { status: 503, retryable: true });
      let failure: DecartError = first;
      while ("read" in step.next) {
        clock.t += step.next.read;
        step = watch.error(failure);
        // The read at the deadline fails as a request out of time does.
        if (clock.t >= 3000) failure = new DecartError("timed out", { code: "TIMEOUT", retryable: true });
      }
      const error = (step.next as { error: DecartError }).error;
      expect(error).toBeInstanceOf(JobTimeoutError);
      expect(clock.t).toBe(3000);
      expect(error.message).toBe(
        "Job job_1 not done within 3000 ms (last status: pending); the last request failed: unavailable",
      );
      expect(error.cause).toBeInstanceOf(ServerError);
    }
  });

  it("downloads again at the deadline at the latest when the retry's wait would end past it", () => {
    const { watch, clock } = setup({ timeoutMs: 1000, first: job("completed"), random: () => 0.999 });
    let step = watch.start();
    expect(step.next).toEqual({ download: 0 });
    clock.t = 900;
    step = watch.error(new DecartError("reset", { code: "CONNECTION_ERROR", retryable: true }));
    expect(step.next).toEqual({ download: 100 });
    clock.t = 1000;
    step = watch.error(new DecartError("timed out", { code: "TIMEOUT", retryable: true }));
    expect((step.next as { error: DecartError }).error).toMatchObject({ code: "JOB_TIMEOUT", lastStatus: "completed" });
  });

  it("never schedules a read past the deadline, and times out at it", () => {
    const { watch, clock } = setup({ timeoutMs: 2500, first: job("processing") });
    let step = watch.start();
    const waits: number[] = [];
    while ("read" in step.next) {
      waits.push(step.next.read);
      clock.t += step.next.read;
      step = watch.status({ job: job("processing") });
    }
    expect(waits).toEqual([1000, 1000, 500]);
    expect((step.next as { error: unknown }).error).toBeInstanceOf(JobTimeoutError);
    expect(step.events).toEqual([]);
  });

  it("ends at once, with the job id, on an error the policy does not retry (404, abort)", () => {
    for (const error of [
      new DecartError("no such job", { status: 404, retryable: false }),
      new AbortError("aborted"),
    ]) {
      const { watch } = setup();
      watch.start();
      const step = watch.error(error);
      expect(step).toEqual({ events: [], next: { error } }); // no `retrying`: nothing is tried again
      expect(error.jobId).toBe("job_1");
    }
  });

  it("ends with the job's CALLBACK_ERROR when its `random` answers outside [0, 1) or no number, or throws, as the client's does", () => {
    const said: string[] = [];
    for (const random of [
      () => 5,
      () => 1,
      () => -0.5,
      () => Number.NaN,
      () => {
        throw new Error("rng broke");
      },
    ]) {
      const { watch } = setup({ first: job("pending"), random });
      watch.start();
      const { next } = watch.error(new ServerError("unavailable", { status: 503, retryable: true }));
      const error = (next as { error?: DecartError }).error;
      expect(error).toMatchObject({ code: "CALLBACK_ERROR", jobId: "job_1" });
      said.push(error!.message);
    }
    expect(said).toEqual(
      ["random answered 5", "random answered 1", "random answered -0.5", "random answered NaN", "Error: rng broke"].map(
        (what) => `Job job_1: a callback threw (${what}); the job goes on`,
      ),
    );
    // Either end of [0, 1) is used: the read is tried again after the backoff's jitter.
    for (const r of [0, 0.9999]) {
      const { watch } = setup({ first: job("pending"), random: () => r });
      watch.start();
      const step = watch.error(new ServerError("unavailable", { status: 503, retryable: true }));
      expect(types(step.events)).toEqual(["retrying"]);
    }
  });

  it("handles an answer that is not a job status as a failed read: `retrying`, and the policy decides", () => {
    // The last: a valid status, but of another job.
    for (const body of [null, {}, { status: "weird" }, "processing", 42, { job_id: "job_2", status: "completed" }]) {
      const { watch, clock } = setup();
      watch.start();
      let step = watch.status({ job: body });
      let reads = 1;
      while ("read" in step.next && reads < 100) {
        expect(step.events).toMatchObject([{ type: "retrying", attempt: reads, error: { code: "INVALID_RESPONSE" } }]);
        clock.t += step.next.read;
        step = watch.status({ job: body });
        reads++;
      }
      expect(step.events).toEqual([]);
      expect(reads, "surfaced after a few reads, not polled for minutes").toBe(4); // three retried, the fourth surfaced
      const error = (step.next as { error: DecartError }).error;
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(error.jobId).toBe("job_1");
    }
  });

  it("tells the schedule the reads done, the job's age, its expected duration and the server's hint", () => {
    const { watch, clock, contexts } = setup({ first: job("pending"), model: "lucy-latest" });
    watch.start();
    clock.t += 1000;
    watch.status({ job: job("processing"), hintMs: 250 });
    clock.t += 1000;
    watch.status({ job: job("processing") });
    expect(contexts).toEqual([
      {
        attempt: 0,
        elapsedMs: 0,
        status: "pending",
        typicalMs: catalogue["lucy-2.1"].typicalJobSeconds * 1000,
        hintMs: undefined,
      },
      {
        attempt: 1,
        elapsedMs: 1000,
        status: "processing",
        typicalMs: catalogue["lucy-2.1"].typicalJobSeconds * 1000,
        hintMs: 250,
      },
      {
        attempt: 2,
        elapsedMs: 2000,
        status: "processing",
        typicalMs: catalogue["lucy-2.1"].typicalJobSeconds * 1000,
        hintMs: undefined,
      },
    ]);
  });

  it("learns the model from a read, and the job's age from created_at, for a job submitted elsewhere", () => {
    const { watch, contexts } = setup();
    watch.start();
    const createdAt = new Date(Date.now() - 5000).toISOString();
    watch.status({ job: job("processing", { model: "lucy-pro-t2v", created_at: createdAt }) });
    expect(contexts[0]!.typicalMs).toBe(T2V);
    expect(contexts[0]!.elapsedMs).toBeGreaterThanOrEqual(5000);
    expect(contexts[0]!.elapsedMs).toBeLessThan(65_000);
  });

  it("feeds the duration model: the server's timestamps, else the middle of the last two reads", () => {
    const observed: [string, number, number][] = [];
    const durations = {
      typicalMs: () => 7000,
      spread: () => 0.3,
      observe: (model: string, catalogueMs: number, ms: number) => void observed.push([model, catalogueMs, ms]),
    };
    const { watch, clock, contexts } = setup({
      first: job("pending"),
      model: "lucy-pro-t2v",
      durations,
      download: false,
    });
    watch.start();
    clock.t = 4000;
    watch.status({ job: job("processing") });
    clock.t = 6000;
    watch.status({ job: job("completed") });
    expect(contexts[0]).toMatchObject({ typicalMs: 7000, spread: 0.3 });
    const timed = setup({ model: "lucy-pro-t2v", durations, download: false }).watch;
    timed.start();
    const stamps = { created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:12.5Z" };
    timed.status({ job: job("completed", stamps) });
    expect(observed).toEqual([
      ["lucy-pro-t2v", T2V, 5000],
      ["lucy-pro-t2v", T2V, 12_500],
    ]);
  });

  it("shares what one watch learnt with another watch of the model that is still waiting", () => {
    const durations = createDurationModel();
    const waiting = setup({ first: job("pending"), model: "lucy-pro-t2v", durations });
    waiting.watch.start();
    const done = setup({ first: job("pending"), model: "lucy-pro-t2v", durations, download: false });
    done.watch.start();
    done.clock.t = 3000;
    done.watch.status({ job: job("completed") });
    const learnt = durations.typicalMs("lucy-pro-t2v", T2V);
    expect(learnt).toBeLessThan(T2V);
    waiting.watch.status({ job: job("processing") });
    expect(waiting.contexts.map((c) => c.typicalMs)).toEqual([T2V, learnt]);
  });

  it("keeps the deadline on `now` when the schedule has a clock of its own", () => {
    const { watch, contexts } = setup({ timeoutMs: 5000, first: job("pending"), clock: () => 0 });
    const step = watch.start();
    expect(step.next).toEqual({ read: 1000 });
    expect(contexts[0]!.elapsedMs).toBe(0);
  });
});

describe("createJobWatch in the background", () => {
  it("slows the reads to one per 30 s while in the background, and never stops them", () => {
    const { watch, clock } = setup({ first: job("pending"), timeoutMs: 3_600_000 });
    expect(watch.start().next).toEqual({ read: 1000 });
    clock.t = 200;
    // The wait in progress is lengthened: 30 s from when it began.
    expect(watch.background(true)).toEqual({ read: 29_800 });
    const waits: number[] = [];
    for (let i = 0; i < 50; i++) {
      clock.t += 30_000;
      const step = watch.status({ job: job("processing") });
      waits.push(waitOf(step)!);
    }
    expect(waits).toEqual(waits.map(() => 30_000));
    // Back in the foreground, the schedule's own wait, counted from the last answer.
    clock.t += 400;
    expect(watch.background(false)).toEqual({ read: 600 });
  });

  it("keeps a schedule slower than the floor, the deadline, and the first read of a job at once", () => {
    const slow = setup({ first: job("pending"), schedule: () => 45_000 });
    slow.watch.background(true);
    expect(slow.watch.start().next).toEqual({ read: 45_000 });
    const short = setup({ first: job("pending"), timeoutMs: 10_000 });
    short.watch.start();
    expect(short.watch.background(true)).toEqual({ read: 10_000 });
    const existing = setup({ backgroundMs: 5000 });
    existing.watch.background(true);
    expect(existing.watch.start().next).toEqual({ read: 0 });
    expect(waitOf(existing.watch.status({ job: job("pending") }))).toBe(5000);
  });

  it("wake() reads at once, even in the background; a retry's backoff is still honoured", () => {
    const { watch, clock } = setup({ first: job("pending") });
    watch.start();
    watch.background(true);
    clock.t = 5000;
    expect(watch.wake()).toEqual({ read: 0 });
    // The next wait is paced again (still in the background).
    expect(waitOf(watch.status({ job: job("processing") }))).toBe(30_000);
    clock.t += 1000;
    const retry = watch.error(new ServerError("busy", { status: 503, retryable: true, retryAfterMs: 2000 }));
    expect(retry.next).toEqual({ read: 30_000 });
    clock.t += 500;
    expect(watch.wake()).toEqual({ read: 1500 });
  });

  it("has nothing to replace while downloading or after the end", () => {
    const { watch } = setup({ first: job("pending") });
    watch.start();
    watch.status({ job: job("completed") });
    expect(watch.wake()).toBeUndefined();
    expect(watch.background(true)).toBeUndefined();
    watch.downloaded(new Blob(["video"]));
    expect(watch.wake()).toBeUndefined();
  });
});
