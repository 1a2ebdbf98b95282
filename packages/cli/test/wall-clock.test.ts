// A step of the wall clock while the CLI runs (an NTP correction, a VM resumed) moves none of its deadlines: they are
// on the CLI's steady clock, the one its client counts on too (see src/clock.ts).
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run, useEmulator } from "./helpers.js";

let env: Record<string, string>;
let dir: string;
useEmulator({ timing: { pendingMs: 100, processingMs: 100 } }, (f) => ({ env, dir } = f));

/** The CLI's environment with the wall clock stepped by `ms` at its `at`th request (test/step-clock.mjs). */
const stepped = (ms: number, at = 1) => ({
  ...env,
  NODE_OPTIONS: `--import ${new URL("./step-clock.mjs", import.meta.url).href}`,
  STEP_MS: String(ms),
  STEP_AT: String(at),
});

describe("a step of the wall clock while the CLI runs", () => {
  for (const [way, ms] of [
    ["back 10 min", -600_000],
    ["forward 15 min", 900_000],
  ] as const) {
    it(`${way} at its first status read: video --timeout 60 watches the job and saves its result`, async () => {
      const out = join(dir, `stepped${ms}.mp4`);
      // (Its second request: the submit, then the watch's first read, its deadline set.)
      const r = await run(["video", "a lake", "--timeout", "60", "-o", out], { env: stepped(ms, 2), cwd: dir });
      expect(r.stderr).not.toMatch(/no time left|ran out/);
      expect(r.code).toBe(0);
      expect(existsSync(out) && statSync(out).size).toBeGreaterThan(0);
    });
  }

  it("back 10 min: jobs status --timeout 5 reads the status, not refused at once", async () => {
    const made = await run(["jobs", "submit", "a lake"], { env, cwd: dir });
    const { job_id: jobId } = JSON.parse(made.stdout.trim().split("\n").at(-1)!);
    expect(jobId).toMatch(/^job_/);
    const r = await run(["jobs", "status", jobId, "--timeout", "5"], { env: stepped(-600_000), cwd: dir });
    expect(r.stderr).not.toMatch(/no time left/);
    expect(r.code).toBe(0);
  });
});
