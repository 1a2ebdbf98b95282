import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AbortError, JobNotCompletedError, models, NotFoundError } from "../src/index.js";
import { saveResult } from "../src/node.js";
import { clientFor, startFast } from "./helpers.js";

// An error about a known job names it (`Job <id>: …`), whatever the server's words: an abort while watching (which
// also says the job goes on, billed), a 404 of its status, a 409 of its result.
let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

const t2v = models.video("lucy-pro-t2v");

describe("an error about a job names it", () => {
  it("an abort while watching (queue.wait, submitAndPoll): the job named, not cancelled", async () => {
    const client = clientFor(emu);
    const job = await client.queue.submit({ model: t2v, prompt: "a lake [stuck]" });
    const stop = new AbortController();
    const error = await client.queue
      .wait(job.job_id, { signal: stop.signal, onStatusChange: () => stop.abort() })
      .catch((e) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error.message).toBe(`Job ${job.job_id}: the operation was aborted; the job is not cancelled (it bills)`);
    const again = new AbortController();
    let id = "";
    const polled = await client.queue
      .submitAndPoll({
        model: t2v,
        prompt: "a lake [stuck]",
        signal: again.signal,
        onSubmitted: (jobId) => {
          id = jobId;
        },
        onStatusChange: () => again.abort(),
      })
      .catch((e) => e);
    expect(polled).toBeInstanceOf(AbortError);
    expect(polled.message).toBe(`Job ${id}: the operation was aborted; the job is not cancelled (it bills)`);
  });

  it("a 404 of queue.status and a 409 of queue.result", async () => {
    const client = clientFor(emu);
    const missing = await client.queue.status("job_gone").catch((e) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing.message).toMatch(/^Job job_gone: .*\(HTTP 404/);
    const job = await client.queue.submit({ model: t2v, prompt: "a lake [stuck]" });
    const early = await client.queue.result(job.job_id).catch((e) => e);
    expect(early).toBeInstanceOf(JobNotCompletedError);
    expect(early.message).toMatch(new RegExp(`^Job ${job.job_id}: .*\\(HTTP 409`));
    expect(early.message.split(job.job_id)).toHaveLength(2);
  });

  it("a 404 that ends a watch (a job the server forgot: submitAndPoll, queue.wait), as queue.status names it", async () => {
    // A server that keeps one job, done at once: a second submit makes it forget the first.
    const small = await startFast({ maxJobs: 1, timing: { pendingMs: 0, processingMs: 0 } });
    try {
      const client = clientFor(small);
      let id = "";
      // The second submit is made before the watch's first read, whatever the load: the watch's waits (its `delay`)
      // wait for it (`onSubmitted` is not awaited), so the first job is forgotten before it is read (a 404, not a
      // result read once done and then gone, a 410).
      let other: Promise<unknown> = Promise.resolve();
      let waits = 0;
      const polled = await client.queue
        .submitAndPoll({
          model: t2v,
          prompt: "a lake",
          onSubmitted: (jobId) => {
            id = jobId;
            other = client.queue.submit({ model: t2v, prompt: "another" });
          },
          poll: {
            delay: async () => {
              waits++;
              await other;
            },
          },
        })
        .catch((e) => e);
      expect(waits).toBeGreaterThan(0);
      expect(polled).toBeInstanceOf(NotFoundError);
      expect(polled.jobId).toBe(id);
      expect(polled.message).toMatch(new RegExp(`^Job ${id}: Job not found \\(HTTP 404, request req_`));
      const waited = await client.queue.wait(id).catch((e) => e);
      expect(waited).toBeInstanceOf(NotFoundError);
      expect(waited.message).toMatch(new RegExp(`^Job ${id}: Job not found \\(HTTP 404, request req_`));
      // Named once, the words queue.status gives.
      const read = await client.queue.status(id).catch((e) => e);
      expect(read.message.replace(/req_\w+/, "")).toBe(waited.message.replace(/req_\w+/, ""));
      expect(waited.message.split(id)).toHaveLength(2);
    } finally {
      await small.close();
    }
  });

  // (saveResult's, which the CLI words as "Could not download the result of <id> (…)", is not given the prefix.)
  it("a 404 and a 409 of queue.download, once; saveResult's as they were", async () => {
    const client = clientFor(emu);
    const job = await client.queue.submit({ model: t2v, prompt: "a lake [stuck]" });
    for (const [id, type] of [
      ["job_gone", NotFoundError],
      [job.job_id, JobNotCompletedError],
    ] as const) {
      const error = await client.queue.download(id).catch((e) => e);
      expect(error).toBeInstanceOf(type);
      expect(error.message).toMatch(new RegExp(`^Job ${id}: .*\\(HTTP 40[49]`));
      expect(error.message.split(id)).toHaveLength(2);
      const saved = await saveResult(client, id, join(tmpdir(), `job-named-${process.pid}.mp4`)).catch((e) => e);
      expect(saved).toBeInstanceOf(type);
      expect(saved.message).not.toContain(`Job ${id}: `);
    }
  });
});
