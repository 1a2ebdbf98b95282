/**
 * A job's status answer that names the job the client asked about: a `job_id` given as a number (a safe integer,
 * against the spec's string) reads as that id, as a submit's does; one without a status (`{"job_id":"j1"}`, a status of
 * `null`) is a garbled answer, transient (read again, `retryable`), not one this version cannot read (a status given as
 * text the spec does not list: upgrading is the remedy, not retried). A purpose-built server: the emulator answers the
 * spec.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canWatchAgain, createDecartClient, InvalidResponseError } from "../src/index.js";
import { instantDelay, json, serve, silent } from "./helpers.js";

// Each job id is answered with its JSON here.
const answers: Record<string, unknown> = {
  "12345": { job_id: 12345, status: "pending" },
  "67890": { job_id: 67890, status: "completed" },
  j_bare: { job_id: "j_bare" },
  j_null: { job_id: "j_null", status: null },
  j_new: { job_id: "j_new", status: "queued" },
};
let api: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  api = await serve((req, res) => json(res, 200, answers[decodeURIComponent(req.url!.split("/")[3]!)]));
});
afterAll(() => api.close());

const client = () =>
  createDecartClient({
    apiKey: "dct_job_answer_shapes_000",
    baseUrl: api.url,
    logger: silent,
    maxRetries: 1,
    poll: { delay: instantDelay() },
  });
/** The reads of `jobId` the server took so far. */
const reads = (jobId: string) => api.seen.filter((r) => r.path === `/v1/jobs/${jobId}`).length;

describe("a job's status answer", () => {
  it("with its job_id as a number: read as that id", async () => {
    expect(await client().queue.status("12345")).toEqual({ job_id: "12345", status: "pending" });
    const outcome = await client().queue.wait("67890", { download: false });
    expect(outcome).toMatchObject({ job_id: "67890", status: "completed" });
  });

  it.each(["j_bare", "j_null"])("%s, without a status: transient, read again, no upgrade named", async (jobId) => {
    const before = reads(jobId);
    const error = await client()
      .queue.status(jobId)
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({ code: "INVALID_RESPONSE", retryable: true, jobId });
    expect(error.message).toMatch(/"status" must be given \(HTTP 200, request req_test\)$/);
    expect(canWatchAgain(error)).toBe(true);
    expect(reads(jobId)).toBe(before + 2);
  });

  it("with a status given as text the spec does not list: this version cannot read it, not read again", async () => {
    const before = reads("j_new");
    const error = await client()
      .queue.status("j_new")
      .catch((e) => e);
    expect(error).toMatchObject({ code: "INVALID_RESPONSE", retryable: false, jobId: "j_new" });
    expect(error.message).toMatch(/does not know \(upgrade it\)$/);
    expect(reads("j_new")).toBe(before + 1);
  });
});
