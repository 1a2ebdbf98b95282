/**
 * `useFirstDownloadCut` cuts the first content answer of each test, not of the file only: a second test in the same
 * file still has its download cut short once and started again.
 */
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, it } from "vitest";
import { downloadedTwice, useFirstDownloadCut } from "./download-cut.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useFirstDownloadCut((f) => ({ emu, env, dir } = f));

describe("a download cut in each test of a file", () => {
  // (Each asserts its job's content read twice, the first cut, and one retrying_download event.)
  it("the first test's download is cut once and started again", async () => {
    await downloadedTwice(emu, env, ["video", "A lake", "-o", join(dir, "first.mp4")]);
  });

  it("the second test's download is cut once and started again too", async () => {
    await downloadedTwice(emu, env, ["video", "A lake", "-o", join(dir, "second.mp4")]);
  });
});
