/** What the tests of a download cut short and started again share. */
import type { Emulator } from "@decart/emulator";
import { beforeEach, expect } from "vitest";
import { events, type Fixture, run, useEmulator } from "./helpers.js";

/**
 * An emulator for the tests of one file (`useEmulator`) whose first content answer in each test only is cut short
 * halfway: before each test, a `truncate` rule on content, and the fault sampling seeded to fire while no fault was
 * injected since the test began (`useEmulator` resets the emulator's stats before each test). (Not a count of draws:
 * the emulator draws once as it starts and keeps that draw for its first use, the first content read of the file's
 * first test, so draws do not line up with tests.)
 */
export function useFirstDownloadCut(assign: (fixture: Fixture) => void): void {
  let emu: Emulator | undefined;
  useEmulator({ timing: "fast", random: () => (emu?.stats().faultsInjected.truncate ? 0.999 : 0) }, (f) => {
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
