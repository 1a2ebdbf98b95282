/**
 * `batch --resume` of a line whose job the journal records as `gone` (the server answered 410 for its result, or 404
 * for the job): the line is failed from the journal, as the run that found it gone failed it (not resumable), without
 * a request: watching it again could only be answered the same.
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { events, jobRecords, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
// The emulator's clock moves only when a test moves it: a job stays pending until then.
let clock = Date.now();
useEmulator({ now: () => clock, retentionMs: 1000 }, (f) => ({ emu, env, dir } = f), { ownDir: true });

describe("batch --resume of a line whose job is gone", () => {
  it("is failed from the journal, not resumable, without a request", async () => {
    const path = join(dir, "b.jsonl");
    writeFileSync(path, `${JSON.stringify({ custom_id: "lake", prompt: "A lake" })}\n`);
    const args = ["batch", path, "--out", join(dir, "out"), "--json"];
    // Stopped by its --timeout while the job is pending: resumable.
    const first = await run([...args, "--timeout", "0.5"], { env });
    expect(events(first.stdout).find((e) => e.type === "line_failed")).toMatchObject({ resumable: true });
    const jobId = events(first.stdout).find((e) => e.type === "submitted")!.job_id;
    // The job completes and passes its retention: --resume finds it gone (404), journaled so.
    clock += 3_600_000;
    const found = await run([...args, "--resume"], { env });
    const failed = events(found.stdout).find((e) => e.type === "line_failed")!;
    expect(failed).toMatchObject({ custom_id: "lake", job_id: jobId });
    expect(failed.resumable).toBeFalsy();
    const gone = jobRecords(env.DECART_JOURNAL!).at(-1);
    expect(gone).toMatchObject({ job_id: jobId, event: "gone" });

    // Again: the same outcome, told from the journal; no request at all (before: its status read again).
    emu.resetStats();
    const again = await run([...args, "--resume"], { env });
    expect(emu.stats().requests.total).toBe(0);
    expect(again.code, again.stderr).toBe(found.code);
    // Its summary counts it apart from the lines watched: it is not watched (before: "1 line(s) already submitted
    // are watched").
    expect(found.stderr).toContain("; 1 line(s) already submitted are watched, not submitted again");
    expect(again.stderr).toContain(
      "; 1 line(s) whose job the server no longer has (gone) are failed from the journal, not asked again",
    );
    expect(again.stderr).not.toContain("are watched");
    const told = events(again.stdout).find((e) => e.type === "line_failed")!;
    expect(told).toMatchObject({ custom_id: "lake", job_id: jobId });
    expect(told.resumable).toBeFalsy();
    expect(told.error).toBe(
      `Job ${jobId}: ${gone.error} (the journal's record of ${gone.at}: the server no longer has the job or its ` +
        "result, so it was not asked again)",
    );
  });

  it("a line whose video was saved stays completed when its job is journaled gone later (jobs result answered 410)", async () => {
    const path = join(dir, "b.jsonl");
    writeFileSync(path, `${JSON.stringify({ custom_id: "lake", prompt: "A lake" })}\n`);
    const args = ["batch", path, "--out", join(dir, "out"), "--json"];
    const first = await run([...args, "--timeout", "0.5"], { env });
    const jobId = events(first.stdout).find((e) => e.type === "submitted")!.job_id;
    // The job completes (the fast timing: within 80 ms of the emulator's clock), within its retention: saved.
    clock += 500;
    const saved = await run([...args, "--resume"], { env });
    expect(saved.code, saved.stderr).toBe(0);
    const video = join(dir, "out", "lake.mp4");
    const bytes = statSync(video).size;
    // Past its retention, another download of it is answered 410: the journal records it gone.
    clock += 3_600_000;
    const late = await run(["jobs", "result", jobId, "-o", join(dir, "late.mp4")], { env });
    expect(late.code, late.stderr).not.toBe(0);
    expect(jobRecords(env.DECART_JOURNAL!).at(-1)).toMatchObject({ job_id: jobId, event: "gone" });
    // The line's video is on disk, whole: completed, not failed.
    emu.resetStats();
    const again = await run([...args, "--resume"], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(events(again.stdout).find((e) => e.type === "line_failed")).toBeUndefined();
    expect(emu.stats().requests.total).toBe(0);
    expect(readFileSync(video).length).toBe(bytes);
    // (Not counted as gone in the summary: its line is completed.)
    expect(again.stderr).not.toContain("(gone)");
  });
});
