/**
 * A download into a descriptor (`-o /dev/fd/3` of `3> >(…)`, an unnamed pipe) cut short is not started again there: the
 * command that downloads it again names a `<file>` to choose, not the descriptor, which a later command would not have.
 */
import { spawn } from "node:child_process";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { useFirstDownloadCut } from "./download-cut.js";
import { BIN, childEnv, events, finished } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
// The first content answer (only) is cut short halfway.
useFirstDownloadCut((f) => ({ emu, env } = f));

describe.runIf(process.platform === "linux")("a download into a descriptor cut short", () => {
  it("video -o /dev/fd/3 (3> >(cat)): exit 1, the advice is jobs result <id> -o <file>", async () => {
    const child = spawn(
      "bash",
      ["-c", '"$0" "$1" video "A lake" -o /dev/fd/3 3> >(exec cat >/dev/null)', process.execPath, BIN],
      { env: childEnv(env), stdio: ["ignore", "pipe", "pipe"] },
    );
    const { code, stdout, stderr } = await finished(child);
    expect(code).toBe(1);
    const jobId = events(stdout).find((e) => e.type === "submitted")!.job_id;
    expect(emu.job(jobId)!.contentReads).toBe(1);
    expect(stderr).toContain(`jobs result ${jobId} -o <file>`);
    expect(stderr).not.toContain("-o /dev/fd/3\n");
    expect(events(stdout).find((e) => e.type === "error")!.message).toMatch(/jobs result \S+ -o <file>$/);
  });
});
