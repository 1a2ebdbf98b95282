/**
 * saveResult into an unnamed pipe's descriptor (`/dev/fd/63` from a shell's `>(…)`, `/dev/fd/3` of `3> >(…)`,
 * `/dev/stderr` that is a pipe): such a descriptor has no real path (its link reads `pipe:[n]`), and is written as it
 * is, as a named pipe is.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { closeSync, constants, openSync, statSync } from "node:fs";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { models } from "../src/index.js";
import { saveResult } from "../src/node.js";
import { clientFor, startFast } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(async () => {
  await emu.close();
});

/**
 * A pipe no name leads to, and what its reader reads to its end: bash's `3> >(cat)` makes it (as a shell gives one
 * to `-o >(…)`); this process opens it as its own descriptor (through bash's), then bash ends, leaving this process
 * its only writer. Answers the descriptor and the bytes read.
 */
async function unnamedPipe(): Promise<{ fd: number; read: Promise<Buffer> }> {
  const child = spawn("bash", ["-c", "exec 3> >(exec cat); echo ready >&2; read -r _"], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  const chunks: Buffer[] = [];
  child.stdout!.on("data", (c: Buffer) => chunks.push(c));
  const read = once(child.stdout!, "close").then(() => Buffer.concat(chunks));
  await once(child.stderr!, "data");
  const fd = openSync(`/proc/${child.pid}/fd/3`, constants.O_WRONLY);
  child.stdin!.end("done\n");
  await once(child, "exit");
  return { fd, read };
}

describe.runIf(process.platform === "linux")("saveResult into an unnamed pipe's descriptor", () => {
  it("writes the whole result into /dev/fd/N as it is (no real path looked for), the pipe's reader reads it all", async () => {
    const client = clientFor(emu);
    const job = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "to a pipe" });
    while ((await client.queue.status(job.job_id)).status !== "completed") await new Promise((r) => setTimeout(r, 10));
    const { fd, read } = await unnamedPipe();
    const path = `/dev/fd/${fd}`;
    // A pipe, and one without a name: its link reads `pipe:[n]`.
    expect(statSync(path).isFIFO()).toBe(true);
    let saved: { path: string; bytes: number };
    try {
      saved = await saveResult(client, job.job_id, path);
    } finally {
      closeSync(fd);
    }
    const bytes = await read;
    expect(saved).toEqual({ path, bytes: emu.job(job.job_id)!.resultBytes });
    expect(bytes.length).toBe(emu.job(job.job_id)!.resultBytes);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(emu.job(job.job_id)!.resultSha256);
  });
});
