import { join } from "node:path";
import { createDecartClient, models } from "@decart/core";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { events, finished, KEY, onStderr, start, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f));

describe("a watched job whose status reads fail", () => {
  it("says so on stderr as each is tried again (attempt, wait, the error's code), then the status once a read answers", async () => {
    // A job that stays processing ([hold]) until the test releases it, however slow the machine.
    const client = createDecartClient({ apiKey: KEY, baseUrl: emu.url });
    const { job_id: jobId } = await client.queue.submit({
      model: models.video("lucy-pro-t2v"),
      prompt: "A lake [hold]",
    });
    const child = start(["jobs", "wait", jobId, "-o", join(dir, "lake.mp4")], { env });
    const done = finished(child);
    await onStderr(child, `${jobId} processing`);
    emu.setFaults([{ route: "status", kind: "503" }]); // every status read answers 503 until the faults are cleared
    await onStderr(child, "retrying (attempt 2,");
    emu.setFaults([]);
    await onStderr(child, `${jobId} processing`); // read again
    expect(emu.release(jobId)).toBe(true);
    const { code, stdout, stderr } = await done;
    expect(code, stderr).toBe(0);
    const lines = stderr.split("\n");
    const retried = lines.filter((line) => line.includes(" retrying "));
    expect(retried.length).toBeGreaterThanOrEqual(2);
    for (const [i, line] of retried.entries()) {
      expect(line).toMatch(
        new RegExp(
          `^↻ ${jobId} retrying \\(attempt ${i + 1}, next try in (\\d+ ms|[1-9]\\d*\\.\\d s)\\): [A-Z_]+ \\(HTTP 503\\)$`,
        ),
      );
    }
    // The status said again once a read answered, after the last failure.
    const after = lines.slice(lines.indexOf(retried.at(-1)!) + 1);
    expect(after.some((line) => line.endsWith(`${jobId} processing`))).toBe(true);
    // Only on stderr: the NDJSON events are the job's, whose status did not change.
    expect(events(stdout).map((e) => e.type)).not.toContain("retrying");
    expect(events(stdout).at(-1)).toMatchObject({ type: "saved", job_id: jobId });
    // One `status` event per status on stdout: the status said again after the failures is not a change.
    const statuses = events(stdout)
      .filter((e) => e.type === "status")
      .map((e) => e.status);
    expect(statuses).toEqual([...new Set(statuses)]);
    expect(statuses).toContain("processing");
  });
});
