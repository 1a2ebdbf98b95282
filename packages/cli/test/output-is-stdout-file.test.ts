/**
 * `-o out.mp4 > out.mp4`: a result's file that is the file the command's stdout (or stderr) is sent to, told by its
 * identity (device and inode, links followed), is refused before anything is sent, exit 2, saying what to do: the
 * result would replace the file, and the events written there would be lost.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { BIN, childEnv, events, finished, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({ timing: "fast" }, (f) => ({ emu, env, dir } = f), { ownDir: true });

/** Runs the CLI with its stdout (fd 1) or stderr (fd 2) sent to the file `file`, as the shell's `>` does. */
async function runInto(args: string[], file: string, fd: 1 | 2) {
  const opened = openSync(file, "w");
  try {
    const stdio = fd === 1 ? (["ignore", opened, "pipe"] as const) : (["ignore", "pipe", opened] as const);
    const { code, stdout, stderr } = await finished(
      spawn(process.execPath, [BIN, ...args], { env: childEnv(env), cwd: dir, stdio: [...stdio] }),
    );
    return { code, written: readFileSync(file, "utf8"), other: fd === 1 ? stderr : stdout };
  } finally {
    closeSync(opened);
  }
}

describe("-o naming the file stdout or stderr is sent to", () => {
  it("video, image, jobs wait: stdout (> out.mp4, or a link to it) is refused before anything is sent, exit 2", async () => {
    const out = join(dir, "out.mp4");
    const link = join(dir, "link.mp4");
    symlinkSync(out, link);
    const submitted = await run(["jobs", "submit", "A lake", "--no-json"], { env, cwd: dir });
    expect(submitted.code, submitted.stderr).toBe(0);
    const jobId = submitted.stdout.trim();
    emu.resetStats();
    for (const [args, given] of [
      [["video", "A lake", "-o", out, "--no-color"], out],
      [["image", "A lighthouse", "-o", link, "--no-color"], link],
      [["jobs", "wait", "-o", out, "--no-color", "--", jobId], out],
    ] as const) {
      const { code, written, other } = await runInto([...args], out, 1);
      expect(code, other).toBe(2);
      const message =
        `-o ${given}: ${given} is the file this command's stdout is sent to (> ${given}): the result would replace ` +
        "it, and the events written there would be lost; send stdout to another file or a pipe, or give another " +
        "file for the result (nothing was sent)";
      expect(other).toContain(message);
      expect(events(written)).toMatchObject([{ type: "error", exit_code: 2 }]);
    }
    expect(emu.stats().requests.total).toBe(0);
  });

  it("stderr (2> out.mp4) is refused too; another file than stdout's is saved as ever", async () => {
    const out = join(dir, "out.mp4");
    const { code, written, other } = await runInto(["video", "A lake", "-o", out, "--no-color"], out, 2);
    expect(code, other).toBe(2);
    expect(written).toContain(`-o ${out}: ${out} is the file this command's stderr is sent to (2> ${out})`);
    expect(emu.stats().requests.total).toBe(0);
    writeFileSync(out, "");
    const log = join(dir, "log.jsonl");
    const saved = await runInto(["video", "A lake", "-o", out], log, 1);
    expect(saved.code, saved.other).toBe(0);
    expect(events(saved.written).find((e) => e.type === "saved")).toMatchObject({ path: out });
  });

  it("a batch's report (> results.jsonl) or the journal (2>> jobs.jsonl): refused, naming what writes it and what to give instead", async () => {
    writeFileSync(join(dir, "b.jsonl"), `${JSON.stringify({ custom_id: "a", prompt: "A lake" })}\n`);
    const report = join(dir, "results.jsonl");
    const batch = await runInto(["batch", "b.jsonl", "--no-color"], report, 1);
    expect(batch.code, batch.other).toBe(2);
    expect(batch.other).toContain(
      `--out .: ${report} is the file this command's stdout is sent to (> ${report}): the batch would replace it, ` +
        "and the events written there would be lost; send stdout to another file or a pipe, or give --out another " +
        "directory (nothing was sent)",
    );
    const journal = env.DECART_JOURNAL!;
    writeFileSync(journal, "");
    const video = await runInto(["video", "A lake", "-o", join(dir, "v.mp4"), "--no-color"], journal, 2);
    expect(video.code, video.other).toBe(2);
    expect(video.written).toContain(
      `is the file this command's stderr is sent to (2> ${journal}): the journal's compaction would replace it, and ` +
        "the lines written there would be lost; send stderr to another file or a pipe, or give another journal " +
        "(--journal or DECART_JOURNAL) (nothing was sent)",
    );
    expect(emu.stats().requests.total).toBe(0);
  });
});
