/**
 * A submit whose outcome is unknown (a 500 to it: `SUBMIT_OUTCOME_UNKNOWN`) stays in the journal as a submit that may
 * have made a job, with how it ended: the answer's request id (which the message tells the user support finds it by),
 * its HTTP status and the client's reason; `jobs list` shows them (it showed a submit "whose answer was never recorded").
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { Journal } from "../src/journal.js";
import { events, journalRecords, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f), { ownDir: true });

describe("a submit whose outcome is unknown, in the journal", () => {
  it("video answered 500: journaled with its request id, status and reason; jobs list shows them", async () => {
    emu.setFaults([{ route: "submit", kind: "500" }]);
    const failed = await run(["video", "A lake", "-o", join(dir, "a.mp4")], { env });
    expect(failed.code, failed.stderr).toBe(1);
    const requestId = events(failed.stdout).at(-1)!.request_id as string;
    expect(requestId).toMatch(/^req_/);
    emu.setFaults([]);

    const list = await run(["jobs", "list"], { env });
    expect(list.code, list.stderr).toBe(0);
    const [unknown] = events(list.stdout);
    expect(unknown).toMatchObject({ type: "unknown_submit", command: "video", request_id: requestId, status: 500 });
    expect(unknown!.reason).toContain("Internal server error");
    // The client's own last clause (what may have happened, to ask support) is not kept: only how it ended.
    expect(unknown!.reason).not.toContain(";");

    const human = await run(["jobs", "list", "--no-json"], { env });
    expect(human.stdout).toContain("submit sent, its outcome unknown (Internal server error");
    expect(human.stdout).toContain(`support can find it by its request id, ${requestId}`);
  });

  it("a batch line's submit answered 500: the same, and a compaction keeps it", async () => {
    emu.setFaults([{ route: "submit", kind: "500" }]);
    const file = join(dir, "lines.jsonl");
    writeFileSync(file, `${JSON.stringify({ custom_id: "lake", prompt: "A lake" })}\n`);
    const batch = await run(["batch", file, "--out", join(dir, "out")], { env });
    expect(batch.code, batch.stderr).toBe(6);
    const requestId = events(batch.stdout).find((e) => e.type === "line_failed")!.request_id as string;
    expect(requestId).toMatch(/^req_/);
    const records = journalRecords(env.DECART_JOURNAL!);
    expect(records.map((r) => r.event)).toEqual(["submitting", "submit_unknown"]);
    expect(records[1]).toMatchObject({ submit_id: records[0].submit_id, request_id: requestId, status: 500 });
    const listed = [
      expect.objectContaining({ type: "unknown_submit", custom_id: "lake", request_id: requestId, status: 500 }),
    ];
    expect(events((await run(["jobs", "list"], { env })).stdout)).toEqual(listed);
    // Compacted, the submit stays one record that carries them.
    expect(await new Journal(env.DECART_JOURNAL!, { compactAt: 1 }).compact()).toBe(true);
    expect(journalRecords(env.DECART_JOURNAL!).filter((r) => r.event !== "compacted")).toEqual([
      expect.objectContaining({ event: "submitting", request_id: requestId, status: 500 }),
    ]);
    expect(events((await run(["jobs", "list"], { env })).stdout)).toEqual(listed);
  });

  it("--resume of a batch line whose submit was answered 500: its line names how it ended and its request id", async () => {
    emu.setFaults([{ route: "submit", kind: "500" }]);
    const file = join(dir, "lines.jsonl");
    writeFileSync(file, `${JSON.stringify({ custom_id: "lake", prompt: "A lake" })}\n`);
    const out = join(dir, "out");
    const first = await run(["batch", file, "--out", out], { env });
    expect(first.code, first.stderr).toBe(6);
    const requestId = events(first.stdout).find((e) => e.type === "line_failed")!.request_id as string;
    expect(requestId).toMatch(/^req_/);
    emu.setFaults([]);

    const resumed = await run(["batch", file, "--out", out, "--resume"], { env });
    expect(resumed.code, resumed.stderr).toBe(6);
    const line = events(resumed.stdout).find((e) => e.type === "line_failed")!;
    expect(line).toMatchObject({ custom_id: "lake", outcome_unknown: true, request_id: requestId });
    expect(line.error).toContain("HTTP 500");
    expect(line.error).toContain("Internal server error");
    expect(line.error).toContain(`support can find it by its request id, ${requestId}`);
    expect(line.error).toContain("--resume --resubmit-unknown");
    // Not the words of a run stopped while it waited: this submit was answered.
    expect(line.error).not.toContain("never recorded");
  });
});
