/**
 * The official `@decartai/sdk` 0.1.20 runs its documented flows against the emulator, unchanged. It polls 500 ms
 * after submitting and then every 1.5 s, sends `resolution=720p`, names Blob parts "blob", and throws plain objects.
 */
import { createDecartClient, models } from "@decartai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import { blob, expectCleanDecode, probe, sampleMp4, samplePng, saveTemp, start } from "./helpers.js";

let emu: Emulator;
let client: ReturnType<typeof createDecartClient>;
beforeAll(async () => {
  emu = await start();
  client = createDecartClient({ apiKey: emu.apiKey, baseUrl: emu.url });
});
afterAll(() => emu.close());

describe("official @decartai/sdk against the emulator", () => {
  it("client.process returns a PNG Blob for lucy-image-2", async () => {
    const result = await client.process({
      model: models.image("lucy-image-2"),
      prompt: "make it snow",
      data: blob(samplePng(), "image/png"),
    });
    expect(result).toBeInstanceOf(Blob);
    const bytes = Buffer.from(await result.arrayBuffer());
    expect(bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
    expectCleanDecode(saveTemp(bytes, "png"));
    const stats = emu.stats();
    expect(stats.requests.byRoute.process).toBeGreaterThanOrEqual(1);
  });

  it("queue.submitAndPoll completes lucy-clip with a video Blob and reports pending, processing, completed", async () => {
    // The job is processing at the SDK's first poll (after 500 ms), and stays so ([hold]) until the SDK reported it.
    const slow = await start({ timing: { pendingMs: 200 } });
    try {
      const sdk = createDecartClient({ apiKey: slow.apiKey, baseUrl: slow.url });
      const seen: string[] = [];
      const result = await sdk.queue.submitAndPoll({
        model: models.video("lucy-clip"),
        prompt: "turn it into a watercolour [hold]",
        data: blob(await sampleMp4(), "video/mp4"),
        onStatusChange: (job) => {
          seen.push(job.status);
          if (job.status === "processing") slow.release(job.job_id);
        },
      });
      expect(result.status).toBe("completed");
      if (result.status !== "completed") return;
      expect(result.data).toBeInstanceOf(Blob);
      const bytes = Buffer.from(await result.data.arrayBuffer());
      const path = saveTemp(bytes, "mp4");
      expectCleanDecode(path);
      expect(probe(path).codec_name).toBe("h264");
      expect(seen[0]).toBe("pending");
      expect(seen).toContain("processing");
      expect(seen[seen.length - 1]).toBe("completed");
      expect(seen.indexOf("processing")).toBeLessThan(seen.indexOf("completed"));
      const jobs = slow.stats({}).jobs!.records;
      expect(jobs).toHaveLength(1);
      expect(jobs[0]).toMatchObject({ model: "lucy-clip", status: "completed", contentReads: 1 });
    } finally {
      await slow.close();
    }
  });

  it("the manual submit / status / result loop works", async () => {
    const job = await client.queue.submit({
      model: models.video("lucy-2.1"),
      prompt: "",
      data: blob(await sampleMp4(), "video/mp4"),
    });
    expect(job.job_id).toMatch(/^job_/);
    expect(job.status).toBe("pending");
    let status = await client.queue.status(job.job_id);
    while (status.status !== "completed" && status.status !== "failed") {
      await new Promise((r) => setTimeout(r, 20));
      status = await client.queue.status(job.job_id);
    }
    expect(status.status).toBe("completed");
    const video = await client.queue.result(job.job_id);
    expect(video).toBeInstanceOf(Blob);
    expect(video.size).toBe(emu.job(job.job_id)!.resultBytes);
  });

  it("a [fail] prompt gives { status: 'failed' } from submitAndPoll", async () => {
    const result = await client.queue.submitAndPoll({
      model: models.video("lucy-clip"),
      prompt: "this one [fail]",
      data: blob(await sampleMp4(), "video/mp4"),
    });
    expect(result.status).toBe("failed");
  });

  it("surfaces the emulator's errors as the SDK's plain error objects", async () => {
    const bad = createDecartClient({ apiKey: "dct_wrong", baseUrl: emu.url });
    const err = await bad.queue
      .submit({ model: models.video("lucy-clip"), prompt: "p", data: blob(await sampleMp4(), "video/mp4") })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeDefined();
    expect(String((err as { message: string }).message)).toContain("401");
    const wrongType = await client
      .process({ model: models.image("lucy-image-2"), prompt: "p", data: blob(await sampleMp4(), "image/png") })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(String((wrongType as { message: string }).message)).toContain("Invalid file type");
  });

  it("tokens.create and files upload / get / delete work", async () => {
    const token = await client.tokens.create({ expiresIn: 60, allowedModels: ["lucy-clip"] });
    expect(token.apiKey).toMatch(/^ek_/);
    const browser = createDecartClient({ apiKey: token.apiKey, baseUrl: emu.url });
    const job = await browser.queue.submit({
      model: models.video("lucy-clip"),
      prompt: "from a token",
      data: blob(await sampleMp4(), "video/mp4"),
    });
    expect(job.status).toBe("pending");

    const ref = await client.files.upload(blob(samplePng(), "image/png"), { ttlSeconds: 3600 });
    expect(ref).toMatchObject({ mime_type: "image/png", size_bytes: samplePng().length });
    expect(await client.files.get(ref.id)).toEqual(ref);
    await client.files.delete(ref.id);
    await expect(client.files.get(ref.id)).rejects.toMatchObject({ code: "FILES_GET_ERROR" });
  });
});
