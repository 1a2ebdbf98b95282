/** `GET /v1/jobs/{id}` and `GET /v1/jobs/{id}/content`. A job's status is computed from its timestamps when read. */
import type { JobStatus } from "@decart/api";
import type { Principal } from "./auth.js";
import type { Emulation } from "./emulation.js";
import { applyFault, applyPromptFault, authenticate, iso } from "./emulation.js";
import type { Ctx } from "./http.js";
import { detail, headOnly, JSON_HEADERS, json, jsonBuffer, media, pathId, respond } from "./http.js";
import type { Result } from "./results.js";
import type { Job } from "./state.js";
import { statusOf } from "./state.js";

/** Finds a job the principal owns and counts the request against it; answers 404 otherwise. */
function findJob(ctx: Ctx, em: Emulation, rawId: string, principal: Principal): Job | undefined {
  const id = pathId(ctx, rawId, "job_id");
  if (id === undefined) return undefined;
  const job = em.jobs.get(id, em.settings.now());
  if (!job || job.ownerId !== principal.accountId) {
    if (ctx.route === "content" && em.jobs.wasEvicted(id, principal.accountId)) {
      detail(ctx, 410, `The emulator forgot this job to keep at most ${em.settings.maxJobs} jobs (maxJobs).`);
    } else detail(ctx, 404, "Job not found");
    return undefined;
  }
  job.requests++;
  return job;
}

/**
 * The job's result, from the render cache. The job holds the promise only while rendering, then just the hash and
 * size: results live in the (bounded) cache, and an evicted one renders again to the same bytes.
 */
function ensureResult(em: Emulation, job: Job): Promise<Result> {
  if (job.result) return job.result;
  const rendering = em.results.video(job.media).then((r) => {
    job.resultSha256 = r.sha256;
    job.resultBytes = r.length;
    return r;
  });
  job.result = rendering;
  rendering.then(
    () => {
      if (job.result === rendering) job.result = undefined;
    },
    (err) => {
      if (job.result === rendering) job.result = undefined;
      if (!em.closed()) em.log(`emulator: rendering ${job.id} failed: ${(err as Error).stack ?? err}`);
    },
  );
  return rendering;
}

/** The status answer's body, serialised once per status. */
function statusBody(job: Job, status: JobStatus): Buffer {
  if (job.bodyStatus === status && job.body) return job.body;
  const updated = status === "pending" ? job.submittedAt : status === "processing" ? job.startAt : job.endAt;
  const value: Record<string, unknown> = {
    job_id: job.id,
    status,
    model: job.model,
    created_at: iso(job.submittedAt),
    updated_at: iso(updated),
  };
  if (status === "failed" && job.error !== undefined) value.error = job.error;
  job.body = jsonBuffer(value);
  job.bodyStatus = status;
  return job.body;
}

/**
 * When an unfinished job next changes: when processing starts, else when it ends. A held job that is processing may
 * end at any moment (a release), not only at the server timeout: it is given the time a job of its model would still
 * take (until the end of the processing time drawn for it), and once that is past, that processing time again; never
 * less than 1 ms nor beyond the timeout.
 */
function nextChange(job: Job, now: number): number {
  if (now < job.startAt && job.startAt < job.endAt) return job.startAt;
  if (!job.held || job.startAt >= job.endAt) return job.endAt;
  const modelEnd = job.startAt + job.held.processingMs;
  const wait = modelEnd > now ? modelEnd - now : job.held.processingMs;
  return Math.min(job.endAt, now + Math.max(1, wait));
}

export function handleStatus(ctx: Ctx, em: Emulation, rawId: string): void {
  const principal = authenticate(ctx, em);
  if (!principal) return;
  const job = findJob(ctx, em, rawId, principal);
  if (!job || !applyFault(ctx, em, "status")) return;
  // A HEAD sends no status: it counts among the job's requests, not as a read of it.
  const read = !headOnly(ctx);
  if (read) job.statusReads++;
  const now = em.settings.now();
  const status = statusOf(job, now);
  if (read && now >= job.endAt) {
    if (job.firstCompletedReadAt === undefined) job.firstCompletedReadAt = now;
    if (status === "completed") void ensureResult(em, job).catch(() => {});
  }
  // The hint: how long until this job's next change (processing starts, or the job ends), a whole number of ms as the
  // spec has it, rounded up so that a client that waits it is never early.
  const hint =
    em.settings.pollHints && now < job.endAt
      ? [...JSON_HEADERS, "x-poll-after-ms", String(Math.ceil(nextChange(job, now) - now))]
      : JSON_HEADERS;
  respond(ctx, 200, hint, statusBody(job, status));
}

export async function handleContent(ctx: Ctx, em: Emulation, rawId: string): Promise<void> {
  const principal = authenticate(ctx, em);
  if (!principal) return;
  const job = findJob(ctx, em, rawId, principal);
  if (!job || !applyFault(ctx, em, "content")) return;
  // A HEAD downloads nothing (the result is still rendered, for its Content-Length).
  if (!headOnly(ctx)) job.contentReads++;
  const now = em.settings.now();
  const status = statusOf(job, now);
  if (status !== "completed") {
    const why = status === "failed" && job.error ? ` (${job.error})` : "";
    return json(ctx, 409, { detail: `Job is not completed: its status is '${status}'${why}.`, status });
  }
  if (now > job.endAt + em.settings.retentionMs) {
    return detail(ctx, 410, "The result of this job is past its retention period and was deleted.");
  }
  if (job.trickle) applyPromptFault(ctx, em, { kind: "trickle" }, "content");
  media(ctx, await ensureResult(em, job));
}
