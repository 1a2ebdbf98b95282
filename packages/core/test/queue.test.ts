import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConnectionError,
  InvalidInputError,
  JobFailedError,
  JobNotCompletedError,
  type JobStatusResponse,
  models,
  type VideoModel,
} from "../src/index.js";
import { clientFor, firstN, instantDelay, serveBytes, sha256, startFast, until } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

describe("queue.submitAndPoll", () => {
  it("submits, watches and downloads the video the server made", async () => {
    const client = clientFor(emu);
    const result = await client.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "A serene lake" });
    expect(result.status).toBe("completed");
    if (result.status !== "completed") return;
    expect(result.job_id).toMatch(/^job_/);
    expect(result.data.type).toBe("video/mp4");
    const job = emu.job(result.job_id)!;
    expect(result.data.size).toBe(job.resultBytes);
    expect(await sha256(result.data)).toBe(job.resultSha256);
  });

  it("calls onStatusChange only on a change, in order, first with the submit answer", async () => {
    // The job stays processing ([hold]) until the callback has seen it so and it has been read a few times more; then
    // the test releases it. Each phase is seen however slow the machine.
    const slow = await startFast();
    try {
      const client = clientFor(slow);
      const seen: JobStatusResponse[] = [];
      let released: Promise<boolean> | undefined;
      const result = await client.queue.submitAndPoll({
        model: models.video("lucy-pro-t2v"),
        prompt: "watch me [hold]",
        onStatusChange: (job) => {
          seen.push(job);
          const reads = slow.job(job.job_id)!.statusReads;
          if (job.status === "processing")
            released = until(() => slow.job(job.job_id)!.statusReads > reads + 2).then(() => slow.release(job.job_id));
        },
      });
      expect(await released).toBe(true);
      expect(seen.map((j) => j.status)).toEqual(["pending", "processing", "completed"]);
      expect(seen.every((j) => j.job_id === result.job_id)).toBe(true);
      // More status reads than status changes: the callback really was de-duplicated.
      expect(slow.job(result.job_id)!.statusReads).toBeGreaterThan(3);
    } finally {
      await slow.close();
    }
  });

  it("calls onSubmitted with the job id before any status read", async () => {
    const client = clientFor(emu);
    const events: string[] = [];
    let readsAtSubmit = -1;
    const result = await client.queue.submitAndPoll({
      model: models.video("lucy-pro-t2v"),
      prompt: "early id",
      onSubmitted: (id) => {
        readsAtSubmit = emu.job(id)!.statusReads;
        events.push(`submitted ${id}`);
      },
      onStatusChange: (job) => events.push(job.status),
    });
    expect(readsAtSubmit).toBe(0);
    expect(events[0]).toBe(`submitted ${result.job_id}`);
  });

  it("returns a failed job with the server's reason, without throwing", async () => {
    const client = clientFor(emu);
    const result = await client.queue.submitAndPoll({
      model: models.video("lucy-pro-t2v"),
      prompt: "no [fail: GPU fell over]",
    });
    expect(result).toEqual({ status: "failed", job_id: expect.stringMatching(/^job_/), error: "GPU fell over" });
    const plain = await client.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "no [fail]" });
    expect(plain.status).toBe("failed");
    if (plain.status === "failed") expect(plain.error).toContain("asked to fail");
    expect(emu.job(result.job_id)!.contentReads).toBe(0);
  });

  it("sends file inputs of every accepted kind (Blob, bytes, stream, URL)", async () => {
    const client = clientFor(emu);
    const png = await client.process({ model: models.image("lucy-pro-t2i"), prompt: "a frame" });
    const bytes = new Uint8Array(await png.arrayBuffer());
    const site = await serveBytes(bytes, "image/png");
    try {
      const inputs = [
        png,
        bytes,
        bytes.buffer,
        new Blob([bytes], { type: "image/png" }).stream(),
        `${site.url}/frame.png`,
        new URL(`${site.url}/frame.png`),
      ];
      for (const data of inputs) {
        const result = await client.queue.submitAndPoll({ model: models.video("lucy-pro-i2v"), prompt: "move", data });
        expect(result.status).toBe("completed");
      }
      expect(site.hits()).toBe(2);
      expect(site.sawKey()).toBe(false); // the key goes to the API only
    } finally {
      await site.close();
    }
  });

  it("resolves aliases in the definition and warns once for a deprecated name", async () => {
    expect(models.video("lucy-latest").canonical).toBe("lucy-2.1");
    expect(models.video("lucy-pro-v2v").canonical).toBe("lucy-clip");
    const warnings: string[] = [];
    const client = clientFor(emu, { logger: { warn: (m) => warnings.push(m) } });
    const t2v = await client.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "src" });
    if (t2v.status !== "completed") throw new Error("setup failed");
    const mp4 = new File([t2v.data], "clip.mp4", { type: "video/mp4" });
    for (let i = 0; i < 2; i++) {
      const job = await client.queue.submit({ model: models.video("lucy-pro-v2v"), prompt: "edit", data: mp4 });
      expect(job.status).toBe("pending");
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("lucy-clip");
  });

  it("warns once per model for a model deprecated with no replacement, saying so, and submits it", async () => {
    const warnings: string[] = [];
    const client = clientFor(emu, { logger: { warn: (m) => warnings.push(m) } });
    const png = await client.process({ model: models.image("lucy-pro-t2i"), prompt: "a frame" });
    const frame = new File([png], "frame.png", { type: "image/png" });
    for (let i = 0; i < 2; i++) {
      const flf = await client.queue.submit({
        model: models.video("lucy-pro-flf2v"),
        prompt: "p",
        start: frame,
        end: frame,
      });
      expect(flf.status).toBe("pending");
      const motion = await client.queue.submit({
        model: models.video("lucy-motion"),
        data: frame,
        trajectory: [
          { frame: 0, x: 0.5, y: 0.5 },
          { frame: 1, x: 0.6, y: 0.5 },
        ],
      });
      expect(motion.status).toBe("pending");
    }
    expect(warnings).toEqual(
      ["lucy-pro-flf2v", "lucy-motion"].map(
        (name) => `Decart: model "${name}" is deprecated, with no replacement: the server may answer 410 (retired)`,
      ),
    );
  });

  it("warns once for a definition of one's own that names a replacement without deprecated: true", async () => {
    const warnings: string[] = [];
    const client = clientFor(emu, { logger: { warn: (m) => warnings.push(m) } });
    const mine: VideoModel<"my-t2v"> = {
      name: "my-t2v",
      kind: "video",
      canonical: "my-t2v",
      path: "/v1/jobs/lucy-pro-t2v",
      typicalJobSeconds: 5,
      fields: [{ name: "prompt", type: "string", required: true }],
      rules: [],
      deprecatedInFavourOf: "lucy-2.1",
    };
    for (let i = 0; i < 2; i++) {
      expect((await client.queue.submit({ model: mine, prompt: "p" })).status).toBe("pending");
    }
    expect(warnings).toEqual(['Decart: model "my-t2v" is deprecated; use "lucy-2.1"']);
  });
});

describe("queue.submit / status / result / download / wait", () => {
  it("lets a caller run the steps by hand", async () => {
    const client = clientFor(emu);
    const job = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "by hand", seed: 7 });
    expect(job).toEqual({ job_id: expect.stringMatching(/^job_/), status: "pending" });
    let status = await client.queue.status(job.job_id);
    while (status.status !== "completed") {
      await new Promise((r) => setTimeout(r, 15));
      status = await client.queue.status(job.job_id);
    }
    expect(status.model).toBe("lucy-pro-t2v");
    const blob = await client.queue.result(job.job_id);
    expect(await sha256(blob)).toBe(emu.job(job.job_id)!.resultSha256);
  });

  it("throws JobNotCompletedError (a ConflictError) for content before completion", async () => {
    const client = clientFor(emu);
    const job = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "[stuck]" });
    const error = await client.queue.result(job.job_id).catch((e) => e);
    expect(error).toBeInstanceOf(JobNotCompletedError);
    expect(error.status).toBe(409);
    expect(error.jobId).toBe(job.job_id);
    expect(error.message).toMatch(/pending|processing/);
  });

  it("streams a download with progress up to Content-Length", async () => {
    const client = clientFor(emu);
    const done = await client.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "stream me" });
    const progress: { receivedBytes: number; totalBytes: number | undefined }[] = [];
    const download = await client.queue.download(done.job_id, { onProgress: (p) => progress.push(p) });
    expect(download.contentType).toBe("video/mp4");
    expect(progress).toEqual([]); // nothing is read until the caller reads
    const blob = await new Response(download.stream).blob();
    expect(blob.size).toBe(download.contentLength);
    expect(progress.at(-1)).toEqual({ receivedBytes: download.contentLength, totalBytes: download.contentLength });
    expect(progress.map((p) => p.receivedBytes)).toEqual(
      [...progress.map((p) => p.receivedBytes)].sort((a, b) => a - b),
    );
  });

  it("turns a truncated body into an error, and result() retries it", async () => {
    const cut = await startFast({ faults: [{ route: "content", kind: "truncate" }] });
    try {
      const client = clientFor(cut, { poll: instantDelayPoll() });
      const job = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "cut" });
      await waitDone(client, job.job_id);
      const download = await client.queue.download(job.job_id);
      const error = await new Response(download.stream).blob().catch((e) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error.retryable).toBe(true);
      expect(error.jobId).toBe(job.job_id);
      const again = await client.queue.result(job.job_id).catch((e) => e);
      expect(again).toBeInstanceOf(ConnectionError);
      expect(cut.job(job.job_id)!.contentReads).toBe(1 + 3); // the download above, then 1 + 2 retries
    } finally {
      await cut.close();
    }
  });

  it("recovers from a truncated download inside submitAndPoll", async () => {
    const flaky = await startFast({ faults: [{ route: "content", kind: "truncate", rate: 0.5 }], random: firstN(1) });
    try {
      const client = clientFor(flaky, { poll: instantDelayPoll() });
      const result = await client.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "retry me" });
      expect(result.status).toBe("completed");
      if (result.status !== "completed") return;
      const job = flaky.job(result.job_id)!;
      expect(job.contentReads).toBe(2);
      expect(flaky.stats().faultsInjected.truncate).toBe(1);
      expect(await sha256(result.data)).toBe(job.resultSha256);
    } finally {
      await flaky.close();
    }
  });

  // (A client given `maxRetries` bounds the submit by it instead: watch-submit-max-retries.test.ts.)
  it("rides out refusals past the default maxRetries inside submitAndPoll's budget, creating one job", async () => {
    const busy = await startFast({
      faults: [{ route: "submit", kind: "503", retryAfterSeconds: 0, rate: 0.5 }],
      random: firstN(4),
    });
    try {
      const client = clientFor(busy, { poll: instantDelayPoll() });
      const result = await client.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "patient" });
      expect(result.status).toBe("completed");
      expect(busy.stats().faultsInjected["503"]).toBe(4);
      expect(busy.stats().jobsCreated).toBe(1);
    } finally {
      await busy.close();
    }
  });

  it("stops at the end of the job without downloading when download is false", async () => {
    const client = clientFor(emu);
    const done = await client.queue.submitAndPoll({
      model: models.video("lucy-pro-t2v"),
      prompt: "no download",
      download: false,
    });
    expect(done).toEqual({ status: "completed", job_id: expect.stringMatching(/^job_/) });
    expect(emu.job(done.job_id)!.contentReads).toBe(0);
    const failed = await client.queue.submitAndPoll({
      model: models.video("lucy-pro-t2v"),
      prompt: "[fail: nothing to fetch]",
      download: false,
    });
    expect(failed).toEqual({ status: "failed", job_id: failed.job_id, error: "nothing to fetch" });
  });

  it("wait() attaches to a job submitted elsewhere", async () => {
    const submitter = clientFor(emu);
    const job = await submitter.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "elsewhere" });
    const watcher = clientFor(emu);
    const seen: string[] = [];
    const result = await watcher.queue.wait(job.job_id, { onStatusChange: (j) => seen.push(j.status) });
    expect(result.status).toBe("completed");
    expect(seen.at(-1)).toBe("completed");
    expect(new Set(seen).size).toBe(seen.length);
    const failed = await submitter.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "[fail: later]" });
    expect(await watcher.queue.wait(failed.job_id, { model: "lucy-pro-t2v" })).toEqual({
      status: "failed",
      job_id: failed.job_id,
      error: "later",
    });
  });
});

describe("generate (deprecated)", () => {
  it("runs through the Queue API, warns once, and throws JobFailedError on failure", async () => {
    const warnings: string[] = [];
    const client = clientFor(emu, { logger: { warn: (m) => warnings.push(m) } });
    const before = emu.stats().requests.byRoute;
    const video = await client.generate({ model: models.video("lucy-pro-t2v"), prompt: "A serene lake at sunset" });
    expect(video.type).toBe("video/mp4");
    const after = emu.stats().requests.byRoute;
    expect(after.legacy).toBe(before.legacy);
    expect(after.submit).toBe(before.submit! + 1);
    const error = await client
      .generate({ model: models.video("lucy-pro-t2v"), prompt: "[fail: sorry]" })
      .catch((e) => e);
    expect(error).toBeInstanceOf(JobFailedError);
    expect(error.reason).toBe("sorry");
    expect(error.jobId).toMatch(/^job_/);
    expect(warnings.filter((w) => w.includes("generate"))).toHaveLength(1);
  });
});

describe("generate (deprecated): its options checked as submitAndPoll checks them", () => {
  const model = models.video("lucy-pro-t2v");
  it.each([
    [
      "a Proxy that cannot list its keys",
      new Proxy(
        { model, prompt: "x" },
        {
          ownKeys() {
            throw new TypeError("ownKeys trap");
          },
        },
      ),
      "options",
    ],
    [
      "a field whose getter throws",
      Object.defineProperty({ model }, "prompt", {
        enumerable: true,
        get() {
          throw new Error("prompt getter");
        },
      }),
      "prompt",
    ],
  ])("%s: InvalidInputError naming the field, nothing sent, as submitAndPoll answers", async (_, options, field) => {
    const client = clientFor(emu, { logger: { warn: () => {} } });
    const before = emu.stats().requests.total;
    for (const call of [client.generate(options as never), client.queue.submitAndPoll(options as never)]) {
      const error = await call.catch((e) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.field).toBe(field);
    }
    expect(emu.stats().requests.total).toBe(before);
  });

  it("downloads the video whatever download says", async () => {
    const client = clientFor(emu, { logger: { warn: () => {} } });
    const video = await client.generate({ model, prompt: "x", download: false } as never);
    expect(video.type).toBe("video/mp4");
  });
});

function instantDelayPoll() {
  return { delay: instantDelay(), initialDelayMs: 0, intervalMs: 0 };
}

async function waitDone(client: ReturnType<typeof clientFor>, jobId: string) {
  for (;;) {
    const s = await client.queue.status(jobId);
    if (s.status === "completed") return;
    await new Promise((r) => setTimeout(r, 15));
  }
}
