import { once } from "node:events";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { jobRecords, start, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({ timing: { pendingMs: 50, processingMs: 50 } }, (f) => ({ emu, env, dir } = f));

// The records of jobs (a submit's own, written before it is sent, holds no job id).
const journal = () => jobRecords(env.DECART_JOURNAL!);

/**
 * Runs the CLI and closes its `stream` (as `| head -1` does) once the first line came on it; the job of the prompt
 * `[hold]` is released only after that, so every later write meets the closed pipe. Answers the exit code.
 */
async function closedAfterFirstLine(args: string[], stream: "stdout" | "stderr"): Promise<number | null> {
  const child = start(args, { env, cwd: dir });
  const exited = once(child, "exit");
  const other = stream === "stdout" ? child.stderr! : child.stdout!;
  other.resume();
  const lines = createInterface({ input: child[stream]! });
  const [first] = (await once(lines, "line")) as [string];
  lines.close();
  child[stream]!.destroy();
  await once(child[stream]!, "close");
  // The first stdout line is the `submitted` event; on stderr, the job id is in the journal by then.
  const jobId = stream === "stdout" ? JSON.parse(first).job_id : journal()[0].job_id;
  expect(emu.release(jobId)).toBe(true);
  const [code] = (await exited) as [number | null];
  return code;
}

describe("a reader that goes away (| head -1)", () => {
  for (const stream of ["stdout", "stderr"] as const) {
    it(`video: closing ${stream} still saves the video and journals it, exit 0`, async () => {
      const out = join(dir, `closed-${stream}.mp4`);
      const code = await closedAfterFirstLine(["video", "A lake [hold]", "-o", out], stream);
      expect(code).toBe(0);
      expect(readFileSync(out).subarray(4, 8).toString()).toBe("ftyp");
      expect(journal().map((r) => r.event)).toEqual(["submitted", "completed", "saved"]);
    });
  }

  it("video: a job that fails with stdout closed still ends with exit 3", async () => {
    const out = join(dir, "failed.mp4");
    const code = await closedAfterFirstLine(["video", "A lake [hold] [fail]", "-o", out], "stdout");
    expect(code).toBe(3);
    expect(existsSync(out)).toBe(false);
    expect(journal().map((r) => r.event)).toEqual(["submitted", "failed"]);
  });

  it("batch: closing stdout still finishes every line and writes the reports, exit 0", async () => {
    const file = join(dir, "b.jsonl");
    writeFileSync(
      file,
      '{"custom_id": "held", "prompt": "A lake [hold]"}\n{"custom_id": "next", "prompt": "A river"}\n',
    );
    const out = join(dir, "batch-out");
    const code = await closedAfterFirstLine(["batch", file, "--out", out, "-c", "1"], "stdout");
    expect(code).toBe(0);
    const results = readFileSync(join(out, "results.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(results.map((r) => [r.custom_id, r.status])).toEqual([
      ["held", "completed"],
      ["next", "completed"],
    ]);
    expect(existsSync(join(out, "held.mp4")) && existsSync(join(out, "next.mp4"))).toBe(true);
  });
});
