/**
 * A batch's video line whose download is cut short and started again from its first byte is told by its
 * `retrying_download` event only, tagged with the line's `custom_id` and the batch, as a batch tells a line's status
 * read tried again by nothing on stderr (it shows its own progress, no line per job).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { events, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
// The first content answer (only) is cut short halfway: the emulator's fault sampling, seeded to fire once.
let samples = 0;
useEmulator({ timing: "fast", random: () => (samples++ === 0 ? 0 : 0.999) }, (f) => ({ emu, env, dir } = f));

describe("a batch's download started again", () => {
  it("one retrying_download event with custom_id and batch; no retrying line on stderr", async () => {
    emu.setFaults([{ route: "content", kind: "truncate", rate: 0.5 }]);
    const input = join(dir, "in.jsonl");
    writeFileSync(input, '{"custom_id":"lake","prompt":"A lake"}\n');
    const { code, stdout, stderr } = await run(["batch", input, "--out", join(dir, "out")], { env });
    expect(code, stderr).toBe(0);
    const lines = events(stdout);
    const submitted = lines.find((e) => e.type === "submitted")!;
    expect(emu.job(submitted.job_id)!.contentReads).toBe(2);
    const told = lines.filter((e) => e.type === "retrying_download");
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({
      custom_id: "lake",
      batch: submitted.batch,
      job_id: submitted.job_id,
      attempt: 1,
    });
    expect(submitted.batch).toEqual(expect.any(String));
    expect(stderr).not.toContain("retrying");
  });
});
