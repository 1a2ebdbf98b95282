/**
 * `jobs result <id> -o file` of a job that has not finished (409) ends with the command that waits for it and saves
 * its result where `-o` said: `decart … jobs wait <id> -o <file>`, not `jobs wait <id>`, which would save it to
 * `<id>.mp4`. Against the emulator, whose clock only the test moves.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { events, printed, run, useEmulator } from "./helpers.js";

let env: Record<string, string>;
let dir: string;
let clock = Date.now();
useEmulator({ timing: { pendingMs: 1000, processingMs: 1000 }, now: () => clock }, (f) => ({ env, dir } = f), {
  ownDir: true,
});

describe("jobs result of an unfinished job", () => {
  it("prints jobs wait with its -o, which saves the result there", async () => {
    const made = await run(["jobs", "submit", "A lake"], { env });
    expect(made.code, made.stderr).toBe(0);
    const jobId: string = events(made.stdout)[0]!.job_id;
    // A relative -o, from the directory the command ran in: the command printed names the file absolutely.
    const early = await run(["jobs", "result", jobId, "-o", "p.mp4"], { env, cwd: dir });
    expect(early.code, early.stderr).toBe(1);
    expect(events(early.stdout).at(-1)).toMatchObject({ type: "error", job_id: jobId });
    const out = join(dir, "p.mp4");
    const wait = printed(env, "jobs", "wait", jobId, "-o", out);
    expect(early.stderr).toContain(`The job ${jobId} may still finish: ${wait}\n`);
    expect(existsSync(out)).toBe(false);
    clock += 10_000;
    const waited = await run(wait.split(" ").slice(1), { env, cwd: dir });
    expect(waited.code, waited.stderr).toBe(0);
    expect(events(waited.stdout).at(-1)).toMatchObject({ type: "saved", job_id: jobId, path: out });
    expect(readFileSync(out).subarray(4, 8).toString("latin1")).toBe("ftyp");
    expect(existsSync(join(dir, `${jobId}.mp4`))).toBe(false);
  });
});
