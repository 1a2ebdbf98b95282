/**
 * `decart video … -o file` stopped while it downloads a completed job's result (Ctrl-C, or killed: SIGKILL), run again
 * with the same request: refused before anything is sent (the result is still on the server), naming `jobs result`
 * and `--new`. A result the server no longer has (410), or a job it no longer knows (404), is journaled as `gone`, and
 * then blocks nothing.
 */
import type { ChildProcess } from "node:child_process";
import { appendFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { Journal } from "../src/journal.js";
import { events, finished, jobRecords, printed, run, start, useEmulator } from "./helpers.js";

/** How far the emulator's clock is ahead of the machine's (the test moves it past a result's retention). */
let ahead = 0;
const RETENTION_MS = 60_000;
let emu: Emulator;
let env: Record<string, string>;
let dir: string;
// A result of 2 MB, trickled in 1 KiB writes 10 ms apart (`[trickle]`): its download lasts some 20 s.
useEmulator(
  { timing: "fast", resultBytes: 2_000_000, retentionMs: RETENTION_MS, now: () => Date.now() + ahead },
  (f) => ({ emu, env, dir } = f),
  { ownDir: true },
);

/** Resolves once the child's stdout holds a `downloading` event with bytes received: its download is under way. */
function downloading(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    child.stdout!.on("data", (d: Buffer) => {
      seen += d.toString("utf8");
      const started = events(seen.slice(0, seen.lastIndexOf("\n") + 1)).find(
        (e) => e.type === "downloading" && e.received_bytes > 0,
      );
      if (started) resolve(started.job_id);
    });
    child.on("close", (code, signal) => reject(new Error(`ended (${code ?? signal}) before downloading: ${seen}`)));
  });
}

/** `video "A lake [trickle]" -o <out>` stopped by `signal` mid-download. Its job id. */
async function cut(out: string, signal: NodeJS.Signals): Promise<string> {
  ahead = 0;
  const child = start(["video", "A lake [trickle]", "-o", out], { env });
  const id = await downloading(child);
  const done = finished(child);
  child.kill(signal);
  const ended = await done;
  if (signal === "SIGKILL") expect(ended.signal).toBe("SIGKILL");
  else expect(ended.code, ended.stderr).toBe(130);
  expect(existsSync(out)).toBe(false);
  return id;
}

const again = (out: string, ...more: string[]) =>
  run(["video", "A lake [trickle]", "-o", out, "--timeout", "0.5", ...more], { env });

describe("video run again after its download was cut", () => {
  for (const signal of ["SIGKILL", "SIGINT"] as const) {
    it(`is refused (${signal}), naming jobs result and --new`, async () => {
      const out = join(dir, "lake.mp4");
      const id = await cut(out, signal);
      // Before: the job's latest record was `completed`, which blocked nothing: a second job was billed.
      const r = await again(out);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`job ${id}`);
      expect(r.stderr).toContain("completed but its result was never saved");
      expect(r.stderr).toContain(printed(env, "jobs", "result", id, "-o", out));
      expect(r.stderr).toContain("--new");
      expect(events(r.stdout).at(-1)).toMatchObject({ type: "error", exit_code: 2 });
      expect(emu.stats().jobsCreated).toBe(1);
      // --new: another job, as asked (its wait runs out, exit 5).
      const other = await again(out, "--new");
      expect(other.code, other.stderr).toBe(5);
      expect(emu.stats().jobsCreated).toBe(2);
    });
  }

  it("a result the server no longer has (410), seen by jobs wait, is journaled as gone and blocks nothing", async () => {
    const out = join(dir, "lake.mp4");
    const id = await cut(out, "SIGKILL");
    ahead = RETENTION_MS + 5_000; // past the result's retention, not the job's
    const waited = await run(["jobs", "wait", id, "-o", out], { env });
    expect(waited.code, waited.stderr).toBe(1);
    expect(waited.stderr).toContain("past its retention period");
    expect(jobRecords(env.DECART_JOURNAL!).at(-1)).toMatchObject({ job_id: id, event: "gone" });
    expect(new Journal(env.DECART_JOURNAL!).job(id)?.state).toBe("gone");
    const r = await again(out);
    expect(r.code, r.stderr).toBe(5);
    expect(emu.stats().jobsCreated).toBe(2);
  });

  it("a job the server no longer knows (404), seen by jobs wait, is journaled as gone and blocks nothing", async () => {
    const out = join(dir, "lake.mp4");
    const id = await cut(out, "SIGKILL");
    ahead = 3 * RETENTION_MS; // past the job's retention too: the server answers 404 for it
    const waited = await run(["jobs", "wait", id, "-o", out], { env });
    expect(waited.code, waited.stderr).not.toBe(0);
    expect(jobRecords(env.DECART_JOURNAL!).at(-1)).toMatchObject({ job_id: id, event: "gone" });
    ahead = 0;
    const r = await again(out);
    expect(r.code, r.stderr).toBe(5);
    expect(emu.stats().jobsCreated).toBe(2);
  });

  it("jobs result answered 410 journals the job as gone; the journal's compaction keeps it", async () => {
    const out = join(dir, "lake.mp4");
    const id = await cut(out, "SIGKILL");
    ahead = RETENTION_MS + 5_000;
    const result = await run(["jobs", "result", id, "-o", out], { env });
    expect(result.code, result.stderr).toBe(1);
    expect(jobRecords(env.DECART_JOURNAL!).at(-1)).toMatchObject({ job_id: id, event: "gone" });
    // Compacted (any size is large enough here): the job's one record keeps it gone.
    const journal = new Journal(env.DECART_JOURNAL!, { compactAt: 1 });
    expect(await journal.compact()).toBe(true);
    expect(jobRecords(env.DECART_JOURNAL!)).toEqual([expect.objectContaining({ job_id: id, event: "gone" })]);
    const r = await again(out);
    expect(r.code, r.stderr).toBe(5);
    expect(emu.stats().jobsCreated).toBe(2);
  });

  it("a journal written before `gone` existed (its last record `completed`) loads, and blocks the run again", async () => {
    const out = join(dir, "lake.mp4");
    const id = await cut(out, "SIGKILL");
    // An older journal's other records, as they were: a job submitted and saved.
    appendFileSync(
      env.DECART_JOURNAL!,
      `${JSON.stringify({ at: "2026-01-01T00:00:00.000Z", job_id: "old", event: "submitted", path: "/x.mp4" })}\n` +
        `${JSON.stringify({ at: "2026-01-01T00:00:01.000Z", job_id: "old", event: "saved", path: "/x.mp4" })}\n`,
    );
    expect(new Journal(env.DECART_JOURNAL!).jobs().map((j) => [j.job_id, j.state])).toEqual([
      [id, "completed"],
      ["old", "saved"],
    ]);
    const r = await again(out);
    expect(r.code, r.stderr).toBe(2);
    expect(emu.stats().jobsCreated).toBe(1);
  });
});
