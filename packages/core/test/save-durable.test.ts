import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { mkdtemp, open, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { models } from "../src/index.js";
import { saveResult } from "../src/node.js";
import { clientFor, startFast } from "./helpers.js";

let emu: Emulator;
let dir: string;
beforeAll(async () => {
  emu = await startFast();
  dir = await mkdtemp(join(tmpdir(), "decart-durable-"));
});
afterAll(async () => {
  await emu.close();
  await rm(dir, { recursive: true, force: true });
});

async function completedJob() {
  const client = clientFor(emu);
  const job = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "durable" });
  while ((await client.queue.status(job.job_id)).status !== "completed") await new Promise((r) => setTimeout(r, 10));
  return { client, jobId: job.job_id };
}

describe("saveResult on disk", () => {
  it("flushes the temporary file's bytes to disk (fsync) before it is renamed over the file", async () => {
    const { client, jobId } = await completedJob();
    const place = await mkdtemp(join(dir, "sync-"));
    const path = join(place, "video.mp4");
    await writeFile(path, "OLD");
    // What the directory holds, and the temporary file's size, at each flush of a file's bytes to disk.
    const probe = await open(join(dir, "probe"), "w");
    const handleProto = Object.getPrototypeOf(probe);
    await probe.close();
    const seen: Array<{ partial: number | undefined; old: boolean }> = [];
    const look = () => {
      const partial = readdirSync(place).find((f) => f.endsWith(".partial"));
      seen.push({
        partial: partial === undefined ? undefined : statSync(join(place, partial)).size,
        old: statSync(path).size === 3,
      });
    };
    const sync = vi.spyOn(handleProto, "sync").mockImplementation(function (this: { datasync: () => unknown }) {
      look();
      return handleProto.datasync.call(this);
    });
    try {
      const saved = await saveResult(client, jobId, path);
      const bytes = await readFile(path);
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(emu.job(jobId)!.resultSha256);
      // A flush of the whole result while it was still the temporary file, the old file in place.
      expect(seen).toContainEqual({ partial: saved.bytes, old: true });
      expect(await readdir(place)).toEqual(["video.mp4"]);
    } finally {
      sync.mockRestore();
    }
  });

  it("a temporaryPath whose file exists fails naming it, to be removed; saved once it is", async () => {
    const { client, jobId } = await completedJob();
    const place = await mkdtemp(join(dir, "fixed-"));
    const path = join(place, "video.mp4");
    const fixed = (target: string) => `${target}.tmp`;
    // Left by a save killed before it settled.
    await writeFile(`${path}.tmp`, "half");
    const reads = emu.job(jobId)!.contentReads;
    const error = await saveResult(client, jobId, path, { temporaryPath: fixed }).catch((e) => e);
    expect(error).toMatchObject({ code: "FILE_WRITE_FAILED", jobId, path });
    expect(error.cause.code).toBe("EEXIST");
    expect(error.message).toContain(`its temporary file ${path}.tmp (temporaryPath) exists already`);
    expect(error.message).toContain(`Remove ${path}.tmp once no save writes it`);
    // Never replaced, nothing downloaded.
    expect(await readFile(`${path}.tmp`, "utf8")).toBe("half");
    expect(emu.job(jobId)!.contentReads).toBe(reads);
    await rm(`${path}.tmp`);
    const saved = await saveResult(client, jobId, path, { temporaryPath: fixed });
    expect((await readFile(path)).length).toBe(saved.bytes);
    expect(await readdir(place)).toEqual(["video.mp4"]);
  });
});
