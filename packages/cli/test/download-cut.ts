/** What the tests of a download cut short and started again share. */
import type { Emulator } from "@decart/emulator";
import { beforeEach, expect } from "vitest";
import { events, type Fixture, run, useEmulator } from "./helpers.js";

/**
 * An emulator for the tests of one file (`useEmulator`) whose first content answer only is cut short halfway: before
 * each test, a `truncate` rule on content, and the fault sampling seeded to fire once (its first draw kept for its
 * first use, the first content read: the only rule is on content).
 */
export function useFirstDownloadCut(assign: (fixture: Fixture) => void): void {
  let samples = 0;
  let emu: Emulator | undefined;
  useEmulator({ timing: "fast", random: () => (samples++ === 0 ? 0 : 0.999) }, (f) => {
    emu = f.emu;
    assign(f);
  });
  beforeEach(() => emu!.setFaults([{ route: "content", kind: "truncate", rate: 0.5 }]));
}

/**
 * `decart <args>` under `env`: it exits 0, its job's content read twice (the first cut), and one `retrying_download`
 * event told. Its events, its `submitted` event and that `retrying_download` one, and its stderr.
 */
export async function downloadedTwice(emu: Emulator, env: Record<string, string>, args: string[]) {
  const { code, stdout, stderr } = await run(args, { env });
  expect(code, stderr).toBe(0);
  const lines = events(stdout);
  const submitted = lines.find((e) => e.type === "submitted")!;
  expect(emu.job(submitted.job_id)!.contentReads).toBe(2);
  const told = lines.filter((e) => e.type === "retrying_download");
  expect(told).toHaveLength(1);
  return { lines, submitted, retry: told[0]!, stderr };
}
