/**
 * `video -o` reads each file input's ends for its fingerprint (see `requestHashes`) after every input was opened: a file
 * removed, replaced by a directory, changed or made unreadable meanwhile is the command's error (exit 2), naming the
 * field, the path and what is there now, and what to do, with nothing sent; not the read's bare "The blob could not be
 * read" (exit 1). The file changes while the CLI reads its next input from standard input: the test changes it once
 * the CLI has taken in what the pipe could not hold, so the file was opened before.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { BIN, childEnv, events, finished, type Run, root, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f), { ownDir: true });

/** A JPEG's first bytes, then more than a pipe holds (64 KiB): standard input the CLI takes as an image. */
const IMAGE = Buffer.concat([Buffer.from("ffd8ffe000104a464946", "hex"), Buffer.alloc(300_000, 7)]);

/**
 * Runs `video -m lucy-clip data=@<clip> reference_image=@- -o …`, with `change(clip)` done while the CLI reads standard
 * input: once it took in what the pipe could not hold (`drain`), after it opened the clip.
 */
async function changedWhileRead(change: (clip: string) => void): Promise<{ clip: string; run: Run }> {
  const clip = join(dir, "clip.mp4");
  writeFileSync(clip, Buffer.alloc(5000, 1));
  const args = [
    "video",
    "-m",
    "lucy-clip",
    "A lake",
    `data=@${clip}`,
    "reference_image=@-",
    "-o",
    join(dir, "out.mp4"),
  ];
  const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(env), stdio: ["pipe", "pipe", "pipe"] });
  const ran = finished(child);
  try {
    expect(child.stdin.write(IMAGE)).toBe(false);
    await once(child.stdin, "drain");
    change(clip);
    child.stdin.end();
    return { clip, run: await ran };
  } finally {
    child.kill("SIGKILL");
  }
}

describe("a file input changed after it was opened, before its fingerprint is read", () => {
  it.each([
    ["removed", (clip: string) => rmSync(clip), "it is no longer there"],
    [
      "a directory now",
      (clip: string) => {
        rmSync(clip);
        mkdirSync(clip);
      },
      "it is a directory now",
    ],
    [
      "changed",
      (clip: string) => writeFileSync(clip, Buffer.alloc(7000, 2)),
      "it changed since (its size or time of change)",
    ],
  ] as const)("%s: exit 2, the field, the path and what is there, nothing sent", async (_, change, now) => {
    const { clip, run } = await changedWhileRead(change);
    expect(run.code, run.stderr).toBe(2);
    const [error] = events(run.stdout);
    expect(error).toMatchObject({ type: "error", exit_code: 2 });
    expect(error!.message).toBe(
      `"data": cannot read ${clip} again after it was opened (${now}): it was removed, replaced, changed or made ` +
        "unreadable while the command ran; run the command again once the file is in place (nothing was sent)",
    );
    expect(emu.stats().requests.total).toBe(0);
  });

  it.skipIf(root)("made unreadable (mode 000): the same, with the system's reason (root reads any file)", async () => {
    const { clip, run } = await changedWhileRead((clip) => chmodSync(clip, 0));
    expect(run.code, run.stderr).toBe(2);
    expect(events(run.stdout)[0]!.message).toContain(`"data": cannot read ${clip} again after it was opened (EACCES: `);
    expect(emu.stats().requests.total).toBe(0);
  });
});
