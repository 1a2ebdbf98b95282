/**
 * The fields of the `--json` `error` event a failed run ends with, which a script reads off its last line: `code` is
 * there for a job that failed (`JOB_FAILED`, as the client names it) and for a video result the disk refused (the
 * system's code, as an image's write carries it), not only in the message.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { events, finished, run, start, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f), { ownDir: true });

/** Starts the CLI and resolves at its first event of `type` (stdout read line by line), with how it ends. */
async function until(args: string[], type: string) {
  const child = start(args, { env, cwd: dir });
  const done = finished(child);
  for await (const line of createInterface({ input: child.stdout! })) {
    const event = JSON.parse(line);
    if (event.type === type) return { done, event };
  }
  throw new Error(`no ${type} event: ${(await done).stderr}`);
}

describe("the error event's code", () => {
  it("a job that failed: JOB_FAILED after its failed event, exit 3 (video, jobs wait, jobs result)", async () => {
    const video = await run(["video", "A lake [fail]", "-o", join(dir, "a.mp4")], { env });
    expect(video.code, video.stderr).toBe(3);
    const [failed, error] = events(video.stdout).slice(-2);
    expect(failed).toMatchObject({ type: "failed" });
    expect(error).toMatchObject({ type: "error", exit_code: 3, code: "JOB_FAILED", job_id: failed!.job_id });
    for (const args of [
      ["jobs", "wait", failed!.job_id],
      ["jobs", "result", failed!.job_id, "-o", join(dir, "b.mp4")],
    ]) {
      const again = await run(args, { env });
      expect(again.code, again.stderr).toBe(3);
      expect(events(again.stdout).at(-1)).toMatchObject({ type: "error", exit_code: 3, code: "JOB_FAILED" });
    }
  });

  it("a video result the disk refused: the system's code (EISDIR), exit 1", async () => {
    const out = join(dir, "taken.mp4");
    const { done, event } = await until(["video", "A lake [hold]", "-o", out], "submitted");
    mkdirSync(out); // the place is taken after the CLI checked it, before the download
    expect(emu.release(event.job_id)).toBe(true);
    const result = await done;
    expect(result.code, result.stderr).toBe(1);
    expect(events(result.stdout).at(-1)).toMatchObject({
      type: "error",
      exit_code: 1,
      code: "EISDIR",
      job_id: event.job_id,
    });
  });
});
