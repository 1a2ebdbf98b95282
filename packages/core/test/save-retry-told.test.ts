/**
 * saveResult's `onRetry`: a download started again (a body cut short, a 503) is told, as its wait starts, with the
 * attempt, the wait, why the attempt before failed and the bytes it had received; the next attempt's progress counts
 * from 0 again. A callback that throws changes nothing of the save.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DecartError, models } from "../src/index.js";
import { type SaveRetry, saveResult } from "../src/node.js";
import { clientFor, firstN, instantDelay, startFast, virtualTime } from "./helpers.js";

let dir: string;
let emu: Emulator | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "decart-core-retry-told-"));
});
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A completed job on an emulator whose first content answer (only) is cut short halfway. */
async function cutOnce() {
  emu = await startFast({ faults: [{ route: "content", kind: "truncate", rate: 0.5 }], random: firstN(1) });
  const warned: string[] = [];
  const delay = instantDelay();
  const client = clientFor(emu, { poll: { delay }, logger: { debug() {}, warn: (m: string) => warned.push(m) } });
  const job = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "told" });
  while ((await client.queue.status(job.job_id)).status !== "completed") await new Promise((r) => setTimeout(r, 10));
  return { client, jobId: job.job_id, delay, warned, emu };
}

describe("saveResult's onRetry", () => {
  it("tells the download started again: attempt 1, the wait, the failure, the bytes that attempt had", async () => {
    const { client, jobId, delay, emu } = await cutOnce();
    // What the caller saw, in order.
    const seen: Array<{ progress: number } | { retry: SaveRetry }> = [];
    const path = join(dir, "told.mp4");
    const saved = await saveResult(client, jobId, path, {
      onProgress: (p) => void seen.push({ progress: p.receivedBytes }),
      onRetry: (retry) => void seen.push({ retry }),
    });
    expect(
      createHash("sha256")
        .update(await readFile(path))
        .digest("hex"),
    ).toBe(emu.job(jobId)!.resultSha256);
    expect(saved.bytes).toBe(emu.job(jobId)!.resultBytes);
    expect(emu.job(jobId)!.contentReads).toBe(2);
    const at = seen.findIndex((s) => "retry" in s);
    expect(seen.filter((s) => "retry" in s)).toHaveLength(1);
    const { retry } = seen[at] as { retry: SaveRetry };
    expect(retry).toMatchObject({ attempt: 1, delayMs: delay.calls[0] });
    expect(delay.calls).toHaveLength(1);
    expect(retry.error).toBeInstanceOf(DecartError);
    expect(retry.error.jobId).toBe(jobId);
    // The bytes the cut attempt had received, as its last progress said; the next attempt's progress is its own.
    const before = seen.slice(0, at).map((s) => (s as { progress: number }).progress);
    const after = seen.slice(at + 1).map((s) => (s as { progress: number }).progress);
    expect(retry.receivedBytes).toBe(before.at(-1));
    expect(retry.receivedBytes).toBeGreaterThan(0);
    expect(retry.receivedBytes).toBeLessThan(emu.job(jobId)!.resultBytes!);
    expect(after.at(-1)).toBe(emu.job(jobId)!.resultBytes);
  });

  it("two cuts in a row: told twice, attempts 1 then 2, each with the wait the policy then took", async () => {
    emu = await startFast({ faults: [{ route: "content", kind: "truncate", rate: 0.5 }], random: firstN(2) });
    const delay = instantDelay();
    const client = clientFor(emu, { poll: { delay }, random: () => 0.5 });
    const { job_id: jobId } = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "twice" });
    while ((await client.queue.status(jobId)).status !== "completed") await new Promise((r) => setTimeout(r, 10));
    const told: SaveRetry[] = [];
    const saved = await saveResult(client, jobId, join(dir, "twice.mp4"), { onRetry: (r) => void told.push(r) });
    expect(saved.bytes).toBe(emu.job(jobId)!.resultBytes);
    expect(emu.job(jobId)!.contentReads).toBe(3);
    expect(told.map((r) => r.attempt)).toEqual([1, 2]);
    expect(delay.calls).toHaveLength(2);
    expect(told.map((r) => r.delayMs)).toEqual(delay.calls);
  });

  it("a wait at the rate-limit gate another request's 429 closed is no retry: not told", async () => {
    emu = await startFast();
    const { now, delay } = virtualTime();
    const client = clientFor(emu, { poll: { delay, now }, random: () => 0.5 });
    const { job_id: jobId } = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "gated" });
    while ((await client.queue.status(jobId)).status !== "completed") await new Promise((r) => setTimeout(r, 10));
    // A status read answered 429 (Retry-After 30 s) closes the client's gate; the save then waits there first.
    emu.setFaults([{ route: "status", kind: "429", rate: 1, retryAfterSeconds: 30 }]);
    await client.queue.status(jobId).catch(() => undefined);
    emu.setFaults([]);
    expect(client.rateLimit.pausedUntil()).toBeGreaterThan(now());
    const waitsBefore = delay.calls.length;
    const told: SaveRetry[] = [];
    const saved = await saveResult(client, jobId, join(dir, "gated.mp4"), { onRetry: (r) => void told.push(r) });
    expect(saved.bytes).toBe(emu.job(jobId)!.resultBytes);
    expect(delay.calls.length).toBeGreaterThan(waitsBefore);
    expect(told).toEqual([]);
  });

  it("one that throws (or rejects) changes nothing of the save: the logger's warn says so", async () => {
    const { client, jobId, warned, emu } = await cutOnce();
    const saved = await saveResult(client, jobId, join(dir, "threw.mp4"), {
      onRetry: () => {
        throw new Error("not now");
      },
    });
    expect(saved.bytes).toBe(emu.job(jobId)!.resultBytes);
    expect(warned.join("\n")).toMatch(/onRetry threw.*not now.*; the save goes on$/);
  });

  it("a download not started again (maxRetries 0) tells nothing", async () => {
    const { client, jobId } = await cutOnce();
    let told = 0;
    const error = await saveResult(client, jobId, join(dir, "once.mp4"), {
      maxRetries: 0,
      onRetry: () => told++,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(DecartError);
    expect(told).toBe(0);
  });

  it("is refused before anything is sent when it is no function", async () => {
    const { client, jobId, emu } = await cutOnce();
    emu.resetStats();
    const error = await saveResult(client, jobId, join(dir, "no.mp4"), { onRetry: "yes" as never }).catch((e) => e);
    expect(error.message).toMatch(/onRetry/);
    expect(emu.stats().requests.total).toBe(0);
  });
});
