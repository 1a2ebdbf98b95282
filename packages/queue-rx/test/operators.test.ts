import {
  BadRequestError,
  createDecartClient,
  DecartError,
  type JobEvent,
  JobFailedError,
  JobTimeoutError,
  models,
  ServerError,
  type StatusRead,
} from "@decart/core";
import { lastValueFrom, type Observable, throwError } from "rxjs";
import { describe, expect, it } from "vitest";
import { retryWatch, statusChanges, throwOnFailure, toOutcome } from "../src/operators.js";
import { submitJob, watchJob } from "../src/watch.js";
import { JOB_ID, job, marbles, scripted, virtualClient } from "./marbles.js";

const data = new Blob(["video"]);
const events: Record<string, JobEvent> = {
  S: { type: "submitted", jobId: JOB_ID, model: "lucy-pro-t2v" },
  p: { type: "status", jobId: JOB_ID, status: "pending", job: job("pending") },
  r: { type: "status", jobId: JOB_ID, status: "processing", job: job("processing") },
  d: { type: "downloading", jobId: JOB_ID, job: job("completed"), receivedBytes: 1, totalBytes: 5 },
  R: { type: "retrying", jobId: JOB_ID, error: new ServerError("503", { status: 503 }), attempt: 1, delayMs: 50 },
  C: { type: "completed", jobId: JOB_ID, job: job("completed"), data },
  F: { type: "failed", jobId: JOB_ID, job: job("failed", { error: "no" }), error: "no" },
};

describe("operators", () => {
  it("statusChanges: the status, only when it changes, without download progress", () => {
    marbles(({ cold, expectObservable }) => {
      const source = cold("-S-p-r-d-d-C|", events);
      expectObservable(source.pipe(statusChanges())).toBe("-p---r-----c|", {
        p: "pending",
        r: "processing",
        c: "completed",
      });
    });
  });

  it("statusChanges: `retrying` and the status read again after it are no change", () => {
    marbles(({ cold, expectObservable }) => {
      const source = cold("-S-p-R-R-p-r-R-r-C|", events);
      expectObservable(source.pipe(statusChanges())).toBe("-p---------r-----c|", {
        p: "pending",
        r: "processing",
        c: "completed",
      });
    });
  });

  it("toOutcome: one value when the job ends, shaped as submitAndPoll's", () => {
    marbles(({ cold, expectObservable }) => {
      expectObservable(cold("-S-r-d-C|", events).pipe(toOutcome())).toBe("-------(o|)", {
        o: { status: "completed", job_id: JOB_ID, data },
      });
      expectObservable(cold("-S-r-F|", events).pipe(toOutcome())).toBe("-----(o|)", {
        o: { status: "failed", job_id: JOB_ID, error: "no" },
      });
    });
  });

  it("throwOnFailure: a failed job becomes a JobFailedError with its id and reason", () => {
    marbles(({ cold, expectObservable, flush }) => {
      let error: JobFailedError | undefined;
      const source = cold("-S-r-F|", events).pipe(throwOnFailure());
      expectObservable(source).toBe("-S-r-#", events, expect.anything());
      source.subscribe({ error: (e) => (error = e) });
      flush();
      expect(JobFailedError.isInstance(error)).toBe(true);
      expect([error?.jobId, error?.reason]).toEqual([JOB_ID, "no"]);
    });
  });
});

describe("retryWatch on virtual time", () => {
  const input = { model: models.video("lucy-pro-t2v"), prompt: "A lake" } as never;
  const answered = { job_id: JOB_ID, status: "pending" as const };
  /** Every event's type (a status as its status), then `|` or the error. */
  const record = (events: Observable<JobEvent>) => {
    const seen: unknown[] = [];
    events.subscribe({
      next: (e) => seen.push(e.type === "status" ? e.status : e.type),
      error: (e) => seen.push(e),
      complete: () => seen.push("|"),
    });
    return seen;
  };

  it("watches the job again after a JobTimeoutError, without submitting again, up to count times", () => {
    marbles(({ cold, scheduler, flush }) => {
      // Two clients: each has pollers of its own.
      const [client, other] = [virtualClient(scheduler), virtualClient(scheduler)];
      const submit = scripted(scheduler, [cold("-(s|)", { s: answered })]);
      const processing = cold<StatusRead>("-(a|)", { a: { job: job("processing") } });
      // Processing until 250 ms, then completed.
      const statusSource = () =>
        scheduler.now() < 250 ? processing : cold<StatusRead>("-(a|)", { a: { job: job("completed") } });
      const watching = { poll: () => 10, download: false, statusSource, timeoutMs: 40 };
      const once = record(
        submitJob(client, input, { ...watching, submitSource: submit }).pipe(retryWatch(client, 1, watching)),
      );
      const twice = record(
        submitJob(other, input, { ...watching, submitSource: submit }).pipe(retryWatch(other, 2, watching)),
      );
      flush();
      // Each watch has 40 ms, the next one 50 ms after it, then 100 (the backoff's floor): the first and the one after it
      // time out; a second watch again sees the job complete.
      expect(once.slice(0, -1)).toEqual(["submitted", "pending", "processing", "processing"]);
      expect(JobTimeoutError.isInstance(once.at(-1)) && (once.at(-1) as JobTimeoutError).jobId).toBe(JOB_ID);
      expect(twice).toEqual(["submitted", "pending", "processing", "processing", "processing", "completed", "|"]);
      expect(submit.calls).toEqual([0, 0]);
    });
  });

  it("waits the core's backoff before each watch again: a refusal that ends each watch at once spends no try at once", () => {
    marbles(({ cold, scheduler, flush }) => {
      // The client's `random` is 0 (see `virtualClient`): each wait is the backoff's floor, 50, 100, then 200 ms.
      const client = virtualClient(scheduler);
      const signedOut = new DecartError("The token route refused (HTTP 403)", { code: "TOKEN_ERROR", status: 403 });
      const statusSource = scripted(scheduler, [cold<StatusRead>("-#", undefined, signedOut)]);
      const watching = { download: false, statusSource };
      const seen = record(watchJob(client, JOB_ID, watching).pipe(retryWatch(client, 3, watching)));
      flush();
      expect(seen).toEqual([signedOut]);
      // Each watch reads at once and ends 1 ms later; the next one starts after the wait.
      expect(statusSource.calls).toEqual([0, 1 + 50, 52 + 100, 153 + 200]);
    });
  });

  it("waits between watches by the poll's delay when there is one (the client's, else the call's), not on a timer", async () => {
    const signedOut = Object.assign(
      new DecartError("The token route refused (HTTP 403)", { code: "TOKEN_ERROR", status: 403 }),
      { retryAfterMs: 30_000 },
    );
    const statusSource = () => throwError(() => signedOut);
    for (const given of ["client", "call"] as const) {
      const asked: number[] = [];
      const delay = async (ms: number) => void asked.push(ms);
      // A Retry-After of 30 s, waited by the delay (at once here): on a timer, the test would time out.
      const client = createDecartClient({
        apiKey: "k",
        baseUrl: "http://127.0.0.1:9",
        random: () => 0,
        poll: given === "client" ? { delay } : {},
      });
      const watching = { download: false, statusSource, ...(given === "call" ? { poll: { delay } } : {}) };
      const error = await lastValueFrom(watchJob(client, JOB_ID, watching).pipe(retryWatch(client, 2, watching))).catch(
        (e) => e,
      );
      expect(error).toBe(signedOut);
      expect(asked.filter((ms) => ms === 30_000)).toHaveLength(2);
    }
  });

  it("passes on a submit's error (no job id) and a failed job's JobFailedError, submitting nothing again", () => {
    marbles(({ cold, scheduler, flush }) => {
      const client = virtualClient(scheduler);
      const refused = new BadRequestError("refused", { status: 400 });
      const submit = scripted(scheduler, [
        cold<typeof answered>("-#", undefined, refused),
        cold("-(s|)", { s: answered }),
      ]);
      const failed = cold<StatusRead>("-(a|)", { a: { job: job("failed", { error: "no" }) } });
      const watching = { poll: () => 10, download: false, statusSource: () => failed };
      const refusedSeen = record(
        submitJob(client, input, { ...watching, submitSource: submit }).pipe(retryWatch(client, 3, watching)),
      );
      flush();
      const failedSeen = record(
        submitJob(client, input, { ...watching, submitSource: submit }).pipe(
          throwOnFailure(),
          retryWatch(client, 3, watching),
        ),
      );
      flush();
      expect(refusedSeen).toEqual([refused]);
      expect(failedSeen.slice(0, -1)).toEqual(["submitted", "pending"]);
      expect(JobFailedError.isInstance(failedSeen.at(-1))).toBe(true);
      expect(submit.calls).toHaveLength(2);
    });
  });
});
