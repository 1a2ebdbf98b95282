/**
 * A job whose journal line records a device as where its result goes (an edited journal, one written by another
 * version, or a link that led to one): a terminal (`/dev/pts/3`, `/dev/console`, `/dev/ptmx`), that session's,
 * another session's or none by the time of a later `jobs wait <id>` without `-o`, or a device gone or that this
 * process cannot open (a link to the `/dev/pts/7` of a session that ended): such a path is not reused (as a
 * descriptor, `/dev/fd/3`, is not): the result goes to `<id>.mp4`, as stderr says, with why. A path is told by where its
 * links lead, not by its name: a regular file `…/dev/tty1` takes the result.
 */
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { events, jobRecords, run, useEmulator } from "./helpers.js";

let env: Record<string, string>;
let dir: string;
useEmulator({ timing: "fast" }, (f) => ({ env, dir } = f), { ownDir: true });

/** Submits a job, records `path` in the journal as where its result goes, and waits for it without `-o`. */
async function waitRecorded(path: string) {
  const submitted = await run(["jobs", "submit", "A lake", "--no-json"], { env, cwd: dir });
  expect(submitted.code, submitted.stderr).toBe(0);
  const jobId = submitted.stdout.trim();
  const journal = env.DECART_JOURNAL!;
  const lines = readFileSync(journal, "utf8").trim().split("\n");
  const edited = lines.map((line) => {
    const record = JSON.parse(line);
    return JSON.stringify(record.job_id === jobId ? { ...record, path } : record);
  });
  writeFileSync(journal, `${edited.join("\n")}\n`);
  expect(jobRecords(journal).find((r) => r.event === "submitted")).toMatchObject({ path });
  return { jobId, journal, ...(await run(["jobs", "wait", jobId], { env, cwd: dir })) };
}

/** A terminal this test can name whatever runs it: opening `/dev/ptmx` makes a new pseudo-terminal. */
const PTMX = process.platform === "linux" && existsSync("/dev/ptmx") ? "/dev/ptmx" : undefined;

describe.runIf(process.platform !== "win32")("jobs wait of a job the journal records with a device", () => {
  const fallsBack = async (recorded: () => string, why: string) => {
    const device = recorded();
    const { jobId, journal, code, stdout, stderr } = await waitRecorded(device);
    expect(code, stderr).toBe(0);
    const path = join(dir, `${jobId}.mp4`);
    const saved = events(stdout).find((e) => e.type === "saved")!;
    expect(saved).toMatchObject({ job_id: jobId, path });
    expect(statSync(path).size).toBe(saved.bytes);
    expect(stderr).toContain(
      `The journal records ${device} as where the result of ${jobId} goes, ${why}: saving to ${path} instead ` +
        "(give -o <file> to choose)\n",
    );
    expect(jobRecords(journal).at(-1)).toMatchObject({ event: "saved", job_id: jobId, path });
  };

  it("a link to a /dev/pts/N that is gone (the session ended): saved to <id>.mp4, said why", async () => {
    await fallsBack(() => {
      let n = 100000;
      while (existsSync(`/dev/pts/${n}`)) n++;
      const link = join(dir, "terminal");
      symlinkSync(`/dev/pts/${n}`, link);
      return link;
    }, "a device this one cannot write (ENOENT: no such file or directory)");
  });

  it.runIf(PTMX)(
    "a terminal its name does not say (/dev/ptmx, through a link): saved to <id>.mp4, said so",
    async () => {
      await fallsBack(() => {
        const link = join(dir, "console");
        symlinkSync(PTMX!, link);
        return link;
      }, "a terminal, which a result's bytes would garble");
    },
  );

  it.runIf(PTMX)("/dev/ptmx recorded as it is: saved to <id>.mp4, said so", async () => {
    await fallsBack(() => PTMX!, "a terminal, which a result's bytes would garble");
  });

  it("a regular file named …/dev/tty1 takes the result, nothing said", async () => {
    mkdirSync(join(dir, "dev"), { recursive: true });
    const file = join(dir, "dev", "tty1");
    const { jobId, journal, code, stdout, stderr } = await waitRecorded(file);
    expect(code, stderr).toBe(0);
    const saved = events(stdout).find((e) => e.type === "saved")!;
    expect(saved).toMatchObject({ job_id: jobId, path: file });
    expect(statSync(file).size).toBe(saved.bytes);
    expect(stderr).not.toContain("The journal records");
    expect(jobRecords(journal).at(-1)).toMatchObject({ event: "saved", job_id: jobId, path: file });
  });
});
