/**
 * A job's status answer that names the job the client asked about: a `job_id` given as a number (a safe integer,
 * against the spec's string) reads as that id, as a submit's does. A purpose-built server: the emulator answers the
 * spec.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient } from "../src/index.js";
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

describe("a job's status answer", () => {
  it("with its job_id as a number: read as that id", async () => {
    expect(await client().queue.status("12345")).toEqual({ job_id: "12345", status: "pending" });
    const outcome = await client().queue.wait("67890", { download: false });
    expect(outcome).toMatchObject({ job_id: "67890", status: "completed" });
  });
});
