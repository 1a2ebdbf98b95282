/**
 * `-o` naming this command's own stdout or stderr by another name (`/dev/stderr`, `/dev/fd/3` after `3>&1`) when it is
 * a pipe: refused before anything is sent, by the stream's identity, not written among the command's own lines.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { BIN, childEnv, finished, jobRecords, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({ timing: "fast" }, (f) => ({ emu, env, dir } = f));

/** Runs the CLI in bash, `shell` after `"$0" "$1"` (node, the CLI), so that its streams are the pipes bash makes. */
const inBash = (shell: string) =>
  finished(
    spawn("bash", ["-c", `set -o pipefail; "$0" "$1" ${shell}`, process.execPath, BIN], {
      env: childEnv(env),
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );

describe.runIf(process.platform === "linux")("-o the command's own stream", () => {
  it("video -o /dev/stderr, stderr a pipe: exit 2 before the submit, no job made", async () => {
    const { code, stdout, stderr } = await inBash('video "A lake" -o /dev/stderr 2> >(exec cat >&2)');
    expect(code).toBe(2);
    expect(stdout + stderr).toContain("is this command's own stderr");
    expect(stdout + stderr).toContain("nothing was sent");
    expect(emu.stats().requests.total).toBe(0);
    expect(jobRecords(env.DECART_JOURNAL!)).toEqual([]);
  });

  it("video -o /dev/fd/3 with 3>&1, stdout a pipe: exit 2 before the submit, no job made", async () => {
    const { code, stdout } = await inBash('video "A lake" -o /dev/fd/3 3>&1 | cat');
    expect(code).toBe(2);
    expect(stdout).toContain("is this command's own stdout");
    expect(stdout).not.toContain('"type":"submitted"');
    expect(emu.stats().requests.total).toBe(0);
  });

  it("jobs result -o /dev/stderr, stderr a pipe: exit 2, nothing asked", async () => {
    const { code, stderr } = await inBash("jobs result job_0123456789abcdef -o /dev/stderr 2> >(exec cat >&2)");
    expect(code).toBe(2);
    expect(stderr).toContain("is this command's own stderr");
    expect(emu.stats().requests.total).toBe(0);
  });

  it("batch --out whose results.jsonl is a named pipe that is stdout too: exit 2, nothing sent", async () => {
    const out = join(dir, "out");
    mkdirSync(out);
    execFileSync("mkfifo", [join(out, "results.jsonl")]);
    writeFileSync(join(dir, "in.jsonl"), '{"custom_id":"lake","prompt":"A lake"}\n');
    // bash opens the pipe for writing as the CLI's stdout once `cat` opens it for reading; cat's output is read here.
    const shell = 'cat "$2/results.jsonl" & "$0" "$1" batch "$3" --out "$2" > "$2/results.jsonl"; s=$?; wait; exit $s';
    const { code, stdout } = await finished(
      spawn("bash", ["-c", shell, process.execPath, BIN, out, join(dir, "in.jsonl")], {
        env: childEnv(env),
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    expect(code).toBe(2);
    expect(stdout).toContain("is this command's own stdout");
    expect(emu.stats().requests.total).toBe(0);
  });

  it("image -o /dev/stderr, stderr a pipe: exit 2, nothing sent; -o - still writes the image to stdout", async () => {
    const refused = await inBash('image "A cat" -o /dev/stderr 2> >(exec cat >&2)');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("is this command's own stderr");
    expect(emu.stats().requests.total).toBe(0);
    const piped = await inBash('image "A cat" -o - | cat');
    expect(piped.code).toBe(0);
    expect(piped.stdout.length).toBeGreaterThan(0);
    expect(piped.stdout).not.toContain('"type"');
  });
});
