/**
 * A video's download cut short and started again from its first byte is told: a `retrying_download` event before its
 * progress falls back, and a `↻ … retrying download (attempt n, …): <code>` line on stderr, as a status read's retry
 * is; not a silent fall of `received_bytes` (or of the bar) to 0.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { events, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
// The first content answer (only) is cut short halfway: the emulator's fault sampling (its first draw kept for its
// first use, the first content read: the only rule is on content), seeded to fire once.
let samples = 0;
useEmulator({ timing: "fast", random: () => (samples++ === 0 ? 0 : 0.999) }, (f) => ({ emu, env, dir } = f));

describe("a download started again", () => {
  it("video: a retrying_download event between the two attempts' progress, the line on stderr, then saved whole", async () => {
    emu.setFaults([{ route: "content", kind: "truncate", rate: 0.5 }]);
    const out = join(dir, "retried.mp4");
    const { code, stdout, stderr } = await run(["video", "A lake", "-o", out], { env });
    expect(code, stderr).toBe(0);
    const lines = events(stdout);
    const jobId = lines.find((e) => e.type === "submitted")!.job_id;
    expect(emu.job(jobId)!.contentReads).toBe(2);
    expect(createHash("sha256").update(readFileSync(out)).digest("hex")).toBe(emu.job(jobId)!.resultSha256);
    const told = lines.filter((e) => e.type === "retrying_download");
    expect(told).toHaveLength(1);
    const [retry] = told;
    expect(retry).toMatchObject({ job_id: jobId, attempt: 1, code: expect.any(String) });
    expect(Number.isInteger(retry!.delay_ms)).toBe(true);
    // What the cut attempt had received, as its last `downloading` event before it said (at most); the next attempt's
    // events come after it.
    const at = lines.indexOf(retry!);
    const before = lines.slice(0, at).filter((e) => e.type === "downloading");
    const after = lines.slice(at + 1).filter((e) => e.type === "downloading");
    expect(retry!.received_bytes).toBeGreaterThan(0);
    expect(retry!.received_bytes).toBeLessThan(emu.job(jobId)!.resultBytes!);
    expect(retry!.received_bytes).toBeGreaterThanOrEqual(before.at(-1)!.received_bytes);
    expect(after.at(-1)!.received_bytes).toBe(emu.job(jobId)!.resultBytes);
    expect(lines.at(-1)).toMatchObject({ type: "saved", job_id: jobId });
    expect(stderr).toContain(`↻ ${jobId} retrying download (attempt 1, next try in `);
    expect(stderr).toContain(
      `): ${retry!.code} after ${retry!.received_bytes} bytes; it starts again from the first byte`,
    );
  });
});
