/**
 * A watch into a descriptor (`-o /dev/fd/3` of `3> >(…)`, or `-o >(…)`, which is `/dev/fd/63`) stopped by Ctrl-C: the
 * command that resumes it names a `<file>` to choose, not the descriptor, which a command run later would not have.
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { BIN, childEnv, events, finished, onStderr, printed, useEmulator } from "./helpers.js";

let env: Record<string, string>;
// The emulator's clock never moves: a job stays pending until the test interrupts its watch.
const clock = Date.now();
useEmulator({ now: () => clock }, (f) => ({ env } = f));

/** Runs `video "A lake"` with `redirect` (bash's words after it), stops it with SIGINT once its job is pending. */
async function interrupted(redirect: string) {
  const child = spawn("bash", ["-c", `exec "$0" "$1" video "A lake" ${redirect}`, process.execPath, BIN], {
    env: childEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const done = finished(child);
  await onStderr(child, " pending");
  child.kill("SIGINT");
  return done;
}

describe.runIf(process.platform === "linux")("a watch into a descriptor, interrupted", () => {
  for (const redirect of ["-o /dev/fd/3 3> >(exec cat >/dev/null)", "-o >(exec cat >/dev/null)"]) {
    it(`video ${redirect}: Resume with: … jobs wait <id> -o <file>`, async () => {
      const { code, stdout, stderr } = await interrupted(redirect);
      expect(code, stderr).toBe(130);
      const jobId = events(stdout).find((e) => e.type === "submitted")!.job_id;
      const resume = printed(env, "jobs", "wait", jobId, "-o", "<file>");
      expect(stderr).toContain(`; the job goes on. Resume with: ${resume}\n`);
      expect(events(stdout).at(-1)).toEqual({ type: "interrupted", job_id: jobId, resume, exit_code: 130 });
      expect(stderr).not.toContain("/dev/fd/");
    });
  }
});
