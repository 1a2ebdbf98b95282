/**
 * A job whose run wrote into a descriptor (`-o /dev/fd/3` of `3> >(…)`, or `-o >(…)`, which is `/dev/fd/63`): the
 * journal records that path, which a later `jobs wait <id>` without `-o` does not reuse (in that process it is another
 * descriptor, or none): the result goes to `<id>.mp4`, as stderr says.
 */
import { spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, childEnv, events, finished, jobRecords, onStderr, useEmulator } from "./helpers.js";

let env: Record<string, string>;
let dir: string;
// The emulator's clock moves only when a test moves it: a job stays pending until then.
let clock = Date.now();
useEmulator({ now: () => clock }, (f) => ({ env, dir } = f), { ownDir: true });

/** Runs `decart <words>` through bash, with `redirect` (bash's words after them) in `dir`. */
const bash = (words: string, redirect: string) =>
  spawn("bash", ["-c", `exec "$0" "$1" ${words} ${redirect}`, process.execPath, BIN], {
    env: childEnv(env),
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });

describe.runIf(process.platform === "linux")("jobs wait of a job the journal records with a descriptor", () => {
  for (const [redirect, recorded] of [
    ["-o /dev/fd/3 3> >(exec cat >/dev/null)", "/dev/fd/3"],
    ["-o >(exec cat >/dev/null)", "/dev/fd/63"],
  ] as const) {
    it(`video ${redirect}, then jobs wait <id> with ${recorded} open on a file: saved to <id>.mp4, said so`, async () => {
      const video = bash(`video "A lake"`, redirect);
      const stopped = finished(video);
      await onStderr(video, " pending");
      video.kill("SIGINT");
      const first = await stopped;
      expect(first.code, first.stderr).toBe(130);
      const jobId = events(first.stdout).find((e) => e.type === "submitted")!.job_id;
      expect(jobRecords(env.DECART_JOURNAL!).find((r) => r.event === "submitted")).toMatchObject({ path: recorded });

      // The job completes; the later command has that descriptor open on a file of its own.
      clock += 3_600_000;
      const fd = recorded.slice("/dev/fd/".length);
      const { code, stdout, stderr } = await finished(bash(`jobs wait ${jobId}`, `${fd}>other.bin`));
      expect(code, stderr).toBe(0);
      const path = join(dir, `${jobId}.mp4`);
      const saved = events(stdout).find((e) => e.type === "saved")!;
      expect(saved).toMatchObject({ job_id: jobId, path });
      expect(statSync(path).size).toBe(saved.bytes);
      expect(readFileSync(join(dir, "other.bin"))).toHaveLength(0);
      expect(stderr).toContain(
        `The journal records ${recorded} as where the result of ${jobId} goes, a descriptor of the command that made ` +
          `it, which this one does not have: saving to ${path} instead (give -o <file> to choose)\n`,
      );
      expect(jobRecords(env.DECART_JOURNAL!).at(-1)).toMatchObject({ event: "saved", job_id: jobId, path });
    });
  }
});
