/**
 * Messages that name the cause: a file input the user cannot read says the system's reason (EACCES), not the client's
 * code (INVALID_INPUT); a command run from a directory that was removed says so (exit 2), not `ENOENT … uv_cwd`
 * (exit 1).
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { BIN, childEnv, finished, root, runAsOtherUser, SETPRIV, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f), { ownDir: true });

describe("the cause named", () => {
  it.skipIf(root && !SETPRIV)(
    "a file input the user cannot read: its reason (EACCES), exit 2, nothing sent",
    async () => {
      const home = join(dir, "home");
      mkdirSync(home);
      const input = join(home, "in.mp4");
      writeFileSync(input, Buffer.alloc(3000));
      chmodSync(input, 0o000);
      const { code, stderr } = await runAsOtherUser(["video", "x", "-m", "lucy-clip", "data=@in.mp4", "--no-json"], {
        home,
        dir,
        env: { ...env, DECART_JOURNAL: join(home, "jobs.jsonl") },
      });
      expect(code, stderr).toBe(2);
      expect(stderr).toContain(`"data": cannot read ${input} (EACCES: permission denied)`);
      expect(stderr).not.toContain("INVALID_INPUT");
      expect(emu.stats().requests.total).toBe(0);
    },
  );

  it("a command run from a directory that was removed: said so, exit 2, nothing sent", async () => {
    const gone = join(dir, "gone");
    mkdirSync(gone);
    // The shell enters it, removes it, then runs the CLI there.
    const child = spawn(
      "/bin/sh",
      ["-c", 'cd "$1" && rmdir "$1" && exec "$2" "$3" video "A lake" --no-json', "sh", gone, process.execPath, BIN],
      {
        env: childEnv(env),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const { code, stderr } = await finished(child);
    expect(code, stderr).toBe(2);
    expect(stderr).toContain(
      "the current directory cannot be found (ENOENT: no such file or directory): it was removed",
    );
    expect(stderr).not.toContain("uv_cwd");
    expect(emu.stats().requests.total).toBe(0);
  });
});
