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
import { downloadedTwice, useFirstDownloadCut } from "./download-cut.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
// The first content answer (only) is cut short halfway.
useFirstDownloadCut((f) => ({ emu, env, dir } = f));

describe("a download started again", () => {
  it("video: a retrying_download event between the two attempts' progress, the line on stderr, then saved whole", async () => {
    const out = join(dir, "retried.mp4");
    const { lines, submitted, retry, stderr } = await downloadedTwice(emu, env, ["video", "A lake", "-o", out]);
    const jobId = submitted.job_id;
    expect(createHash("sha256").update(readFileSync(out)).digest("hex")).toBe(emu.job(jobId)!.resultSha256);
    expect(retry).toMatchObject({ job_id: jobId, attempt: 1, code: expect.any(String) });
    expect(Number.isInteger(retry.delay_ms)).toBe(true);
    // What the cut attempt had received, as its last `downloading` event before it said (at most); the next attempt's
    // events come after it.
    const at = lines.indexOf(retry);
    const before = lines.slice(0, at).filter((e) => e.type === "downloading");
    const after = lines.slice(at + 1).filter((e) => e.type === "downloading");
    expect(retry.received_bytes).toBeGreaterThan(0);
    expect(retry.received_bytes).toBeLessThan(emu.job(jobId)!.resultBytes!);
    expect(retry.received_bytes).toBeGreaterThanOrEqual(before.at(-1)!.received_bytes);
    expect(after.at(-1)!.received_bytes).toBe(emu.job(jobId)!.resultBytes);
    expect(lines.at(-1)).toMatchObject({ type: "saved", job_id: jobId });
    expect(stderr).toContain(`↻ ${jobId} retrying download (attempt 1, next try in `);
    expect(stderr).toContain(
      `): ${retry.code} after ${retry.received_bytes} bytes; it starts again from the first byte`,
    );
  });
});
