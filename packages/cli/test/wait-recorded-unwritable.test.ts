/**
 * A job whose recorded path (`video -o out.mp4`) is a socket or a directory (or a path through a file) by the time `jobs wait <id>` runs without
 * `-o`: as for a recorded block device, the result goes to `<id>.mp4` in the current directory, said on stderr (before,
 * exit 2: the path refused as an output).
 */
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { events, expectSavedInstead, jobRecords, run, useEmulator } from "./helpers.js";

let env: Record<string, string>;
let dir: string;
// The emulator's clock moves only when a test moves it: a job stays pending until then.
let clock = Date.now();
useEmulator({ now: () => clock }, (f) => ({ env, dir } = f), { ownDir: true });

/** `video -o <path>` stopped by its --timeout while its job is pending: the job's id. */
async function unfinished(path: string): Promise<string> {
  const r = await run(["video", "A lake", "-o", path, "--timeout", "0.5"], { env, cwd: dir });
  expect(r.code, r.stderr).toBe(5);
  const jobId = events(r.stdout).find((e) => e.type === "submitted")!.job_id;
  expect(jobRecords(env.DECART_JOURNAL!).find((e) => e.event === "submitted" && e.job_id === jobId)).toMatchObject({
    path,
  });
  return jobId;
}

/** `jobs wait <id>` in `dir` once the job completed: saved to `<id>.mp4`, said so with `why`. */
async function savedInstead(jobId: string, recorded: string, why: string): Promise<void> {
  clock += 3_600_000;
  const waited = await run(["jobs", "wait", jobId], { env, cwd: dir });
  expectSavedInstead(waited, {
    jobId,
    dir,
    journal: env.DECART_JOURNAL!,
    recorded,
    why: `now ${why}, which no result is written in place of`,
  });
}

describe("jobs wait of a job whose recorded path is now a socket or a directory", () => {
  it("a directory (or a link to one): saved to <id>.mp4, said so", async () => {
    const recorded = join(dir, "out.mp4");
    const jobId = await unfinished(recorded);
    mkdirSync(recorded);
    await savedInstead(jobId, recorded, "a directory");
    // Through a link: the directory it leads to named.
    const linked = join(dir, "linked.mp4");
    const other = await unfinished(linked);
    symlinkSync(recorded, linked);
    await savedInstead(other, linked, `a directory (${recorded})`);
  });

  it("a path through what is now a file (its directory replaced by one): saved to <id>.mp4, said so", async () => {
    const recorded = join(dir, "out", "lake.mp4");
    const jobId = await unfinished(recorded);
    rmSync(join(dir, "out"), { recursive: true, force: true });
    writeFileSync(join(dir, "out"), "a file where the directory was");
    await savedInstead(jobId, recorded, "a path through a file");
  });

  it.runIf(process.platform !== "win32")("a socket: saved to <id>.mp4, said so", async () => {
    const recorded = join(dir, "out.mp4");
    const jobId = await unfinished(recorded);
    const socket = createServer();
    await new Promise<void>((done) => socket.listen(recorded, done));
    try {
      await savedInstead(jobId, recorded, "a socket");
      expect(readFileSync(join(dir, `${jobId}.mp4`)).length).toBeGreaterThan(0);
    } finally {
      await new Promise((done) => socket.close(done));
    }
  });
});
