/**
 * Callbacks that are async functions (`onSubmitted: (id) => saveSomewhere(id)`): the promise one returns is not
 * awaited, but its rejection is the callback's failure, as a throw is; it never goes unhandled (which ends a Node
 * process).
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createDecartClient, DecartError, models } from "../src/index.js";
import { nodeUpload, saveResult } from "../src/node.js";
import { json, serve } from "./helpers.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A job that is pending when submitted, processing for `reads` reads, then completed; and a client for it. */
async function job(reads = 3) {
  let read = 0;
  const server = await serve((req, res) => {
    if (req.method === "POST") return json(res, 200, { job_id: "job_1", status: "pending" });
    json(res, 200, { job_id: "job_1", status: ++read > reads ? "completed" : "processing" });
  });
  closers.push(server.close);
  const warnings: string[] = [];
  const client = createDecartClient({
    apiKey: "k",
    baseUrl: server.url,
    logger: { warn: (m) => warnings.push(m) },
    poll: { initialDelayMs: 5, intervalMs: 5 },
  });
  return { client, warnings, reads: () => read };
}

const model = models.video("lucy-pro-t2v");
const failing = async () => {
  throw new Error("db down");
};

describe("a callback's promise that rejects", () => {
  it("onSubmitted: ends the watch with CALLBACK_ERROR carrying the job id, as a throw does", async () => {
    const { client } = await job();
    const error = await client.queue
      .submitAndPoll({ model, prompt: "x", download: false, onSubmitted: failing })
      .catch((e) => e);
    expect(DecartError.isInstance(error)).toBe(true);
    expect(error.code).toBe("CALLBACK_ERROR");
    expect(error.jobId).toBe("job_1");
    expect(error.cause.message).toBe("db down");
  });

  it("onStatusChange: ends the watch with CALLBACK_ERROR carrying the job id, before the job's end", async () => {
    const { client, reads } = await job();
    const error = await client.queue.wait("job_1", { download: false, onStatusChange: failing }).catch((e) => e);
    expect(error.code).toBe("CALLBACK_ERROR");
    expect(error.jobId).toBe("job_1");
    expect(error.cause.message).toBe("db down");
    expect(reads()).toBe(1);
  });

  it("after the watch ended: the watch's outcome stands, the rejection goes to the logger's warn", async () => {
    const { client, warnings } = await job(0);
    let reject!: (e: unknown) => void;
    const later = new Promise((_, no) => {
      reject = no;
    });
    const outcome = await client.queue.submitAndPoll({ model, prompt: "x", download: false, onSubmitted: () => later });
    expect(outcome).toEqual({ status: "completed", job_id: "job_1" });
    reject(new Error("db down"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual([expect.stringMatching(/^Job job_1: a callback threw \(Error: db down\)/)]);
  });
});

describe("an onUploadProgress promise that rejects", () => {
  const submitted = async () => {
    const server = await serve((_req, res) => json(res, 200, { job_id: "job_1", status: "pending" }));
    closers.push(server.close);
    return server;
  };

  it("with nodeUpload(), while the body is sent: the upload ends with CALLBACK_ERROR, not sent again", async () => {
    const server = await submitted();
    const client = createDecartClient({ apiKey: "k", baseUrl: server.url, logger: {}, upload: nodeUpload() });
    const error = await client.queue
      .submit({
        model: models.video("lucy-clip"),
        prompt: "x",
        data: new Uint8Array(1 << 20),
        onUploadProgress: failing,
      })
      .catch((e) => e);
    expect(error.code).toBe("CALLBACK_ERROR");
    expect(error.cause.message).toBe("db down");
    expect(server.seen).toEqual([]);
  });

  it("with fetch, called once the answer came: the call is answered, the rejection goes to the logger's warn", async () => {
    const server = await submitted();
    const warnings: string[] = [];
    const client = createDecartClient({ apiKey: "k", baseUrl: server.url, logger: { warn: (m) => warnings.push(m) } });
    const job = await client.queue.submit({
      model: models.video("lucy-clip"),
      prompt: "x",
      data: new Uint8Array(10),
      onUploadProgress: failing,
    });
    expect(job.job_id).toBe("job_1");
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual([expect.stringMatching(/^Job job_1: a callback threw \(Error: db down\)/)]);
  });
});

describe("a download's onProgress promise that rejects", () => {
  it("ends queue.result with CALLBACK_ERROR carrying the job id, not retried (the download waits for the promise)", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "video/mp4", "content-length": "4" }).end("mp4!");
    });
    closers.push(server.close);
    const client = createDecartClient({ apiKey: "k", baseUrl: server.url, logger: {} });
    const error = await client.queue.result("job_1", { onProgress: failing }).catch((e) => e);
    expect(DecartError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "CALLBACK_ERROR", jobId: "job_1", retryable: false });
    expect(error.cause.message).toBe("db down");
    expect(server.seen).toHaveLength(1);
  });

  it("ends saveResult so too, no file left (its promise was dropped: unhandled, it ended the process)", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "video/mp4", "content-length": "4" }).end("mp4!");
    });
    closers.push(server.close);
    const dir = await mkdtemp(join(tmpdir(), "decart-save-progress-"));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    const client = createDecartClient({ apiKey: "k", baseUrl: server.url, logger: {} });
    const error = await saveResult(client, "job_1", join(dir, "out.mp4"), { onProgress: failing }).catch((e) => e);
    expect(DecartError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "CALLBACK_ERROR", jobId: "job_1", retryable: false });
    expect(error.cause.message).toBe("db down");
    expect(server.seen).toHaveLength(1);
    expect(await readdir(dir)).toEqual([]);
  });
});
