/**
 * A job whose journal line records a device as where its result goes (an edited journal, one written by another
 * version, or a link that led to one): a character device other than `/dev/null` (a terminal, `/dev/ptmx`, a serial
 * port, `/dev/zero`), or a name in `/dev` where nothing is (a link to the `/dev/pts/7` of a session that ended): a
 * later `jobs wait <id>` without `-o` does not reuse it (as a descriptor, `/dev/fd/3`, is not), nor opens it to ask
 * what it is (opening a device changes it: a serial port resets what is on it): the result goes to `<id>.mp4`, as
 * stderr says, with why. With `-o` the recorded path is not looked at, so not opened. `/dev/null` is reused. A path is
 * told by where its links lead, not by its name: a regular file `…/dev/tty1` takes the result. Whether a device is
 * opened is told by `opens.mjs`, loaded into the CLI, which counts the opens of the one the test watches.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { events, expectSavedInstead, jobRecords, root, run, useEmulator } from "./helpers.js";

let env: Record<string, string>;
let dir: string;
useEmulator({ timing: "fast" }, (f) => ({ env, dir } = f), { ownDir: true });

/** Counts the opens of a path in the CLI (see `opens.mjs`). */
const OPENS = fileURLToPath(new URL("./opens.mjs", import.meta.url));

/** The environment that makes the CLI note each open of `device` in a file; the lines noted so far. */
function watchOpens(device: string) {
  const log = join(dir, "opens.log");
  const watching = { ...env, NODE_OPTIONS: `--import ${OPENS}`, OPENS_WATCHED: device, OPENS_LOG: log };
  return { watching, opens: () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : []) };
}

/**
 * Submits a job, records `path` in the journal as where its result goes, and waits for it (without `-o` unless
 * `args` gives one), in `waitEnv` (the test's environment unless given).
 */
async function waitRecorded(path: string, args: string[] = [], waitEnv = env) {
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
  return { jobId, journal, ...(await run(["jobs", "wait", jobId, ...args], { env: waitEnv, cwd: dir })) };
}

/** A terminal this test can name whatever runs it: opening `/dev/ptmx` makes a new pseudo-terminal. */
const PTMX = process.platform === "linux" && existsSync("/dev/ptmx") ? "/dev/ptmx" : undefined;

describe.runIf(process.platform !== "win32")("jobs wait of a job the journal records with a device", () => {
  const fallsBack = async (recorded: () => string, why: string, waitEnv = env) => {
    const device = recorded();
    const { jobId, journal, ...waited } = await waitRecorded(device, [], waitEnv);
    expectSavedInstead(waited, { jobId, dir, journal, recorded: device, why });
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
      }, `a device (${PTMX}), which a later command does not open`);
    },
  );

  it.runIf(PTMX)("/dev/ptmx recorded as it is: saved to <id>.mp4, said so", async () => {
    await fallsBack(() => PTMX!, "a device, which a later command does not open");
  });

  it("a character device (/dev/zero) is never opened, not even to ask what it is: saved to <id>.mp4, said so", async () => {
    const { watching, opens } = watchOpens("/dev/zero");
    await fallsBack(() => "/dev/zero", "a device, which a later command does not open", watching);
    expect(opens()).toEqual([]);
  });

  it("with -o, the recorded device is not looked at: never opened, the result goes to -o, nothing said", async () => {
    const { watching, opens } = watchOpens("/dev/zero");
    const chosen = join(dir, "chosen.mp4");
    const { jobId, journal, code, stdout, stderr } = await waitRecorded("/dev/zero", ["-o", chosen], watching);
    expect(code, stderr).toBe(0);
    const saved = events(stdout).find((e) => e.type === "saved")!;
    expect(saved).toMatchObject({ job_id: jobId, path: chosen });
    expect(statSync(chosen).size).toBe(saved.bytes);
    expect(stderr).not.toContain("The journal records");
    expect(opens()).toEqual([]);
    expect(jobRecords(journal).at(-1)).toMatchObject({ event: "saved", job_id: jobId, path: chosen });
  });

  it("/dev/null recorded is reused (the opens are seen: the result is written there), nothing said", async () => {
    const { watching, opens } = watchOpens("/dev/null");
    const { jobId, code, stdout, stderr } = await waitRecorded("/dev/null", [], watching);
    expect(code, stderr).toBe(0);
    expect(events(stdout).find((e) => e.type === "saved")).toMatchObject({ job_id: jobId, path: "/dev/null" });
    expect(stderr).not.toContain("The journal records");
    expect(opens().length).toBeGreaterThan(0);
  });

  /** A block device node in the test's directory (root alone may make one), never opened by the test. */
  const blockDevice = () => {
    const device = join(dir, "disk");
    const made = spawnSync("mknod", [device, "b", "7", "0"], { encoding: "utf8" });
    expect(made.status, made.stderr).toBe(0);
    return device;
  };

  it.runIf(root)("a block device is never opened: saved to <id>.mp4, said so (not refused, exit 2)", async () => {
    const device = blockDevice();
    const { watching, opens } = watchOpens(device);
    await fallsBack(() => device, "a device, which a later command does not open", watching);
    expect(opens()).toEqual([]);
  });

  it.runIf(root)("a block device through a link: saved to <id>.mp4, said so, naming the device", async () => {
    const device = blockDevice();
    const { watching, opens } = watchOpens(device);
    const link = join(dir, "disk-link");
    symlinkSync(device, link);
    await fallsBack(() => link, `a device (${device}), which a later command does not open`, watching);
    expect(opens()).toEqual([]);
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
