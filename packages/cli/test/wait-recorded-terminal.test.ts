/**
 * A job whose journal line records a terminal device as where its result goes (`/dev/pts/7`, `/dev/tty`, any
 * `/dev/tty*`: an edited journal, one written by another version): such a path is that session's, another session's
 * terminal or none by the time of a later `jobs wait <id>` without `-o`, which does not reuse it (as it does not reuse
 * a descriptor, `/dev/fd/3`): the result goes to `<id>.mp4`, as stderr says.
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { events, jobRecords, run, useEmulator } from "./helpers.js";

let env: Record<string, string>;
let dir: string;
useEmulator({ timing: "fast" }, (f) => ({ env, dir } = f), { ownDir: true });

describe.runIf(process.platform !== "win32")("jobs wait of a job the journal records with a terminal device", () => {
  for (const device of ["/dev/pts/7", "/dev/tty", "/dev/tty1"]) {
    it(`recorded ${device}: saved to <id>.mp4, said so`, async () => {
      const submitted = await run(["jobs", "submit", "A lake", "--no-json"], { env, cwd: dir });
      expect(submitted.code, submitted.stderr).toBe(0);
      const jobId = submitted.stdout.trim();
      const journal = env.DECART_JOURNAL!;
      const lines = readFileSync(journal, "utf8").trim().split("\n");
      const edited = lines.map((line) => {
        const record = JSON.parse(line);
        return JSON.stringify(record.job_id === jobId ? { ...record, path: device } : record);
      });
      writeFileSync(journal, `${edited.join("\n")}\n`);
      expect(jobRecords(journal).find((r) => r.event === "submitted")).toMatchObject({ path: device });

      const { code, stdout, stderr } = await run(["jobs", "wait", jobId], { env, cwd: dir });
      expect(code, stderr).toBe(0);
      const path = join(dir, `${jobId}.mp4`);
      const saved = events(stdout).find((e) => e.type === "saved")!;
      expect(saved).toMatchObject({ job_id: jobId, path });
      expect(statSync(path).size).toBe(saved.bytes);
      expect(stderr).toContain(
        `The journal records ${device} as where the result of ${jobId} goes, a terminal device of the session that ` +
          `made it, which this one does not have: saving to ${path} instead (give -o <file> to choose)\n`,
      );
      expect(jobRecords(journal).at(-1)).toMatchObject({ event: "saved", job_id: jobId, path });
    });
  }
});
