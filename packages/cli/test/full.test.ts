/**
 * stdout or stderr that cannot be written (a full disk: `> /dev/full` gives ENOSPC): the work goes on as with a closed
 * pipe, and the exit code is the work's. Runs only where /dev/full is the character device it should be; the CLI is
 * its child, redirected there by the shell, and nothing else touches it.
 */
import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { BIN, childEnv, events, finished, jobRecords, type Run, useEmulator } from "./helpers.js";

const FULL = "/dev/full";
const full = existsSync(FULL) && statSync(FULL).isCharacterDevice();

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f));

/** Runs the CLI with `stream` (1: stdout, 2: stderr) redirected to /dev/full by the shell; the other one is a pipe. */
function runInto(stream: 1 | 2, args: string[]): Promise<Run> {
  const child = spawn("/bin/sh", ["-c", `exec "$0" "$@" ${stream}>${FULL}`, process.execPath, BIN, ...args], {
    env: childEnv(env),
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return finished(child);
}

/** The journal's records of jobs (a submit's own, written before it is sent, holds no job id). */
const journal = () => jobRecords(env.DECART_JOURNAL!);

describe.skipIf(!full)("stdout or stderr on a full disk", () => {
  it("video > /dev/full: the video is still saved and journaled, exit 0, no stack trace", async () => {
    const out = join(dir, "full-stdout.mp4");
    const { code, stderr } = await runInto(1, ["video", "A lake", "-o", out, "--json"]);
    expect(code, stderr).toBe(0);
    expect(stderr).not.toContain("ENOSPC");
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(true);
    expect(journal().map((r) => r.event)).toEqual(["submitted", "completed", "saved"]);
  });

  it("video 2> /dev/full: the video is still saved, its events on stdout, exit 0", async () => {
    const out = join(dir, "full-stderr.mp4");
    const { code, stdout } = await runInto(2, ["video", "A lake", "-o", out, "--json", "--verbose"]);
    expect(code).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(events(stdout).at(-1)).toMatchObject({ type: "saved", path: out });
  });

  it("a job that fails with stdout on a full disk still ends with exit 3", async () => {
    const { code, stderr } = await runInto(1, ["video", "[fail] A lake", "-o", join(dir, "failing.mp4"), "--json"]);
    expect(code, stderr).toBe(3);
    expect(stderr).toContain("failed");
  });

  it("image -o - > /dev/full: the image itself is not written, so the command fails (exit 1), saying why", async () => {
    const { code, stderr } = await runInto(1, ["image", "A lighthouse", "-o", "-"]);
    expect(code, stderr).toBe(1);
    expect(stderr).toContain("ENOSPC");
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(emu.stats().requests.total).toBeGreaterThan(0);
  });
});
