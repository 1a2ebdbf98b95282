/**
 * `-o /dev/fd/3` where the shell gave descriptor 3 (`3> >(…)`, `-o >(…)`): an unnamed pipe is written as the bytes come,
 * as a named pipe is; a descriptor that cannot be opened (a socket) is refused before anything is sent.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { BIN, childEnv, events, finished, jobRecords, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
useEmulator({ timing: "fast" }, (f) => ({ emu, env } = f));

describe.runIf(process.platform === "linux")("-o a descriptor", () => {
  it("video -o /dev/fd/3, descriptor 3 an unnamed pipe (3> >(cat)): the whole video reaches its reader, exit 0", async () => {
    // bash gives the CLI a pipe on descriptor 3 whose reader (cat) writes what it reads to descriptor 4, read here.
    const child = spawn(
      "bash",
      ["-c", 'exec 5>&4; "$0" "$1" video "A lake" -o /dev/fd/3 3> >(exec cat >&5)', process.execPath, BIN],
      { env: childEnv(env), stdio: ["ignore", "pipe", "pipe", "ignore", "pipe"] },
    );
    const chunks: Buffer[] = [];
    child.stdio[4]!.on("data", (c: Buffer) => chunks.push(c));
    const [{ code, stdout, stderr }] = await Promise.all([
      finished(child),
      new Promise((resolve) => child.stdio[4]!.on("close", resolve)),
    ]);
    expect(stderr).not.toMatch(/Could not save/);
    expect(code).toBe(0);
    const jobId = events(stdout).find((e) => e.type === "submitted")!.job_id;
    const read = Buffer.concat(chunks);
    expect(read.length).toBe(emu.job(jobId)!.resultBytes);
    expect(createHash("sha256").update(read).digest("hex")).toBe(emu.job(jobId)!.resultSha256);
    expect(events(stdout).find((e) => e.type === "saved")).toMatchObject({ path: "/dev/fd/3" });
  });

  it("video -o /dev/fd/3, descriptor 3 a socket: exit 2 before the submit, naming it, no job made", async () => {
    const child = spawn(process.execPath, [BIN, "video", "A lake", "-o", "/dev/fd/3"], {
      env: childEnv(env),
      stdio: ["ignore", "pipe", "pipe", "pipe"],
    });
    const { code, stderr } = await finished(child);
    expect(code).toBe(2);
    expect(stderr).toContain("is a socket");
    expect(stderr).toContain("nothing was sent");
    expect(emu.stats().requests.total).toBe(0);
    expect(jobRecords(env.DECART_JOURNAL!)).toEqual([]);
  });
});
