import { type JobEvent, JobFailedError, type JobStatus, type QueueJobOutcome, type QueueJobResult } from "@decart/core";
import { distinctUntilChanged, filter, map, type OperatorFunction, take } from "rxjs";

type Terminal = Extract<JobEvent, { type: "completed" | "failed" }>;
const isTerminal = (event: JobEvent): event is Terminal => event.type === "completed" || event.type === "failed";

/** The `JobFailedError` for a `failed` event: the job id and the server's reason. */
export const jobFailed = (event: Extract<JobEvent, { type: "failed" }>) =>
  new JobFailedError(`Job ${event.jobId} failed: ${event.error}`, { jobId: event.jobId, reason: event.error });

/**
 * The job's status, only when it changes: `submitted` reads as `pending`, download progress is left out. For a badge
 * or a log line.
 *
 * ```text
 * events:  -S---s(pending)---s(processing)---d---d---C|
 *          statusChanges()
 * status:  -p-------------------r--------------------c|
 * ```
 * (S `submitted`, s `status`, d `downloading`, C `completed`; p `"pending"`, r `"processing"`, c `"completed"`.)
 */
export function statusChanges(): OperatorFunction<JobEvent, JobStatus> {
  return (events) =>
    events.pipe(
      filter((event) => event.type !== "downloading"),
      map(
        (event): JobStatus =>
          event.type === "submitted" ? "pending" : event.type === "status" ? event.status : event.type,
      ),
      distinctUntilChanged(),
    );
}

/**
 * How the job ended, as the core's `submitAndPoll` answers it: `{ status: "completed", job_id, data }` (no `data` with
 * `download: false`) or `{ status: "failed", job_id, error }`. One value when the job ends; for code that only wants
 * the end (`await lastValueFrom(submitJob(…).pipe(toOutcome()))`).
 *
 * ```text
 * events:   -S---s---s---d---C|
 *           toOutcome()
 * outcome:  -----------------o|
 * ```
 */
export function toOutcome(): OperatorFunction<JobEvent, QueueJobResult | QueueJobOutcome> {
  return (events) =>
    events.pipe(
      filter(isTerminal),
      take(1),
      map((event) =>
        event.type === "failed"
          ? { status: "failed" as const, job_id: event.jobId, error: event.error }
          : { status: "completed" as const, job_id: event.jobId, ...(event.data && { data: event.data }) },
      ),
    );
}

/**
 * A `failed` job as an error: the `failed` event becomes a `JobFailedError` (with `jobId` and the server's `reason`),
 * for pipelines that handle failure with `catchError` or `retry`. Other events pass through.
 *
 * ```text
 * events:  -S---s---F|
 *          throwOnFailure()
 * result:  -S---s---#      (# JobFailedError)
 * ```
 */
export function throwOnFailure(): OperatorFunction<JobEvent, Exclude<JobEvent, { type: "failed" }>> {
  return (events) =>
    events.pipe(
      map((event) => {
        if (event.type === "failed") throw jobFailed(event);
        return event;
      }),
    );
}
