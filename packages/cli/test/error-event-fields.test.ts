/**
 * The fields of the `--json` `error` event a failed run ends with, which a script reads off its last line: `code` is
 * there for a job that failed (`JOB_FAILED`, as the client names it) and for a video result the disk refused (the
 * system's code, as an image's write carries it), not only in the message; so is `request_id`, the answer's request
 * id, for a failure whose answer carried one (a batch's failed line has it in `line_failed` and `results.jsonl`).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
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

describe("the request id of the answer a failure came of", () => {
  it("a submit answered 500 (SUBMIT_OUTCOME_UNKNOWN): request_id in the error event, the id the message names", async () => {
    emu.setFaults([{ route: "submit", kind: "500" }]);
    const result = await run(["video", "A lake", "-o", join(dir, "a.mp4")], { env });
    expect(result.code, result.stderr).toBe(1);
    const last = events(result.stdout).at(-1)!;
    expect(last).toMatchObject({ type: "error", exit_code: 1, code: "SUBMIT_OUTCOME_UNKNOWN" });
    expect(last.request_id).toMatch(/^req_/);
    expect(last.message).toContain(`request ${last.request_id}`);
  });

  it("a job the server does not know (404): request_id in the error event", async () => {
    const result = await run(["jobs", "status", `job_${"0".repeat(28)}dead`], { env });
    expect(result.code, result.stderr).toBe(1);
    const last = events(result.stdout).at(-1)!;
    expect(last).toMatchObject({ type: "error", code: "NOT_FOUND" });
    expect(last.request_id).toMatch(/^req_/);
    expect(last.message).toContain(last.request_id);
  });

  it("a download that failed, told in the CLI's words (SERVER): request_id in the error event", async () => {
    emu.setFaults([{ route: "content", kind: "500" }]);
    const result = await run(["video", "A lake", "-o", join(dir, "a.mp4")], { env });
    expect(result.code, result.stderr).toBe(1);
    const last = events(result.stdout).at(-1)!;
    expect(last).toMatchObject({ type: "error", code: "SERVER" });
    expect(last.message).toContain("Could not download the result of");
    expect(last.request_id).toMatch(/^req_/);
    expect(last.message).toContain(last.request_id);
  });

  it("a batch line whose submit was answered 500: request_id in line_failed and results.jsonl", async () => {
    emu.setFaults([{ route: "submit", kind: "500" }]);
    const file = join(dir, "lines.jsonl");
    writeFileSync(file, `${JSON.stringify({ custom_id: "lake", prompt: "A lake" })}\n`);
    const out = join(dir, "out");
    const result = await run(["batch", file, "--out", out], { env });
    expect(result.code, result.stderr).toBe(6);
    const failed = events(result.stdout).find((e) => e.type === "line_failed")!;
    expect(failed).toMatchObject({ custom_id: "lake", outcome_unknown: true });
    expect(failed.request_id).toMatch(/^req_/);
    expect(failed.error).toContain(failed.request_id);
    const [line] = readFileSync(join(out, "results.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(line).toMatchObject({ custom_id: "lake", status: "failed", request_id: failed.request_id });
    // unknown.jsonl holds the line as given.
    expect(readFileSync(join(out, "unknown.jsonl"), "utf8")).toBe(readFileSync(file, "utf8"));
  });
});
