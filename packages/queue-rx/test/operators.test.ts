import { type JobEvent, JobFailedError } from "@decart/core";
import { describe, expect, it } from "vitest";
import { statusChanges, throwOnFailure, toOutcome } from "../src/operators.js";
import { JOB_ID, job, marbles } from "./marbles.js";

const data = new Blob(["video"]);
const events: Record<string, JobEvent> = {
  S: { type: "submitted", jobId: JOB_ID, model: "lucy-pro-t2v" },
  p: { type: "status", jobId: JOB_ID, status: "pending", job: job("pending") },
  r: { type: "status", jobId: JOB_ID, status: "processing", job: job("processing") },
  d: { type: "downloading", jobId: JOB_ID, job: job("completed"), receivedBytes: 1, totalBytes: 5 },
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
