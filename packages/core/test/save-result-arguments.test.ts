/**
 * `saveResult`'s arguments in the wrong order or of the wrong kind are refused naming the argument and the call's
 * shape, `saveResult(client, jobId, path)`, before any request and before any file is touched.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError, models } from "../src/index.js";
import { saveResult } from "../src/node.js";
import { useEmulatorClient } from "./helpers.js";

const ctx = useEmulatorClient();
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "decart-core-save-args-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const save = saveResult as (...args: unknown[]) => ReturnType<typeof saveResult>;

describe("saveResult's arguments", () => {
  it.each([
    ["no client, the job id first: saveResult(jobId, path)", "client", () => [ctx.client, "job_abc"] as const],
    [
      "the client's queue: saveResult(client.queue, jobId, path)",
      "client",
      () => [ctx.client.queue, "job_abc"] as const,
    ],
    ["the path where the id goes: saveResult(client, path, jobId)", "jobId", () => [ctx.client, "out.mp4"] as const],
  ])("%s: refused naming %s and the right shape; nothing sent, no file", async (label, field, given) => {
    const path = join(dir, "out.mp4");
    const [client, id] = given();
    const args =
      field === "jobId" ? [client, path, id] : label.startsWith("no client") ? [id, path] : [client, id, path];
    ctx.emu.resetStats();
    const error = await save(...args).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field });
    expect((error as Error).message).toMatch(
      new RegExp(`^saveResult: "${field}" must be .*: saveResult\\(client, jobId, path\\)`),
    );
    expect(ctx.emu.stats().requests.total).toBe(0);
    expect(existsSync(path)).toBe(false);
  });

  it("a job id with a media extension but no directory is refused too; the right call saves the result", async () => {
    const error = await save(ctx.client, join(dir, "a.mp4"), "clip.mp4").catch((e: unknown) => e);
    expect(error).toMatchObject({ field: "jobId", message: expect.stringContaining("not a file's path") });
    const job = await ctx.client.queue.submitAndPoll({
      model: models.video("lucy-pro-t2v"),
      prompt: "x",
      download: false,
    });
    const saved = await saveResult(ctx.client, job.job_id, join(dir, "saved.mp4"));
    expect(saved.bytes).toBeGreaterThan(0);
  });
});
