/**
 * A batch's video line whose download is cut short and started again from its first byte is told by its
 * `retrying_download` event only, tagged with the line's `custom_id` and the batch, as a batch tells a line's status
 * read tried again by nothing on stderr (it shows its own progress, no line per job).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { downloadedTwice, useFirstDownloadCut } from "./download-cut.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
// The first content answer (only) is cut short halfway.
useFirstDownloadCut((f) => ({ emu, env, dir } = f));

describe("a batch's download started again", () => {
  it("one retrying_download event with custom_id and batch; no retrying line on stderr", async () => {
    const input = join(dir, "in.jsonl");
    writeFileSync(input, '{"custom_id":"lake","prompt":"A lake"}\n');
    const { submitted, retry, stderr } = await downloadedTwice(emu, env, ["batch", input, "--out", join(dir, "out")]);
    expect(retry).toMatchObject({
      custom_id: "lake",
      batch: submitted.batch,
      job_id: submitted.job_id,
      attempt: 1,
    });
    expect(submitted.batch).toEqual(expect.any(String));
    expect(stderr).not.toContain("retrying");
  });
});
