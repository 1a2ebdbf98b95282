/**
 * A 410 (a result gone) about a known job names it (`Job <id>: …`), once, as a 404 and a 409 already do:
 * `queue.result`'s and `queue.wait`'s `GoneError`. Over HTTP from a small server (the emulator forgets an expired job:
 * a 404).
 */
import { afterEach, expect, it } from "vitest";
import { createDecartClient, GoneError } from "../src/index.js";
import { fastPoll, json, serve, silent } from "./helpers.js";

const JOB = `job_${"ef".repeat(16)}`;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

it("a 410 of queue.result and of queue.wait's download names the job, once", async () => {
  const api = await serve((req, res) =>
    req.url!.endsWith("/content")
      ? json(res, 410, { detail: "The result is no longer available." })
      : json(res, 200, { job_id: JOB, status: "completed" }),
  );
  closers.push(api.close);
  const client = createDecartClient({ apiKey: "k", baseUrl: api.url, logger: silent, poll: fastPoll });
  for (const call of [() => client.queue.result(JOB), () => client.queue.wait(JOB)]) {
    const error = await call().catch((e) => e);
    expect(error).toBeInstanceOf(GoneError);
    expect(error.jobId).toBe(JOB);
    expect(error.message).toMatch(new RegExp(`^Job ${JOB}: The result is no longer available\\. \\(HTTP 410`));
    expect(error.message.split(JOB)).toHaveLength(2);
  }
});
