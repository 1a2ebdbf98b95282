import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import {
  again,
  emulator,
  events,
  fastRetries,
  finished,
  interrupt,
  jobRecords,
  jump,
  listenOnLoopback,
  loadedModules,
  onStderr,
  preloads,
  printed,
  run,
  start,
  startHeld,
  unresolvable,
  useEmulator,
} from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
// Jobs of a few hundred ms. A test that must stop the CLI while a job runs gives it `[hold]` and releases it after;
// `[stuck]` jobs never end while the tests run (the server timeout is the default ten minutes), so a --timeout of
// the CLI always runs out first, however slow the machine.
useEmulator({ timing: { pendingMs: 300, processingMs: 300 } }, (f) => ({ emu, env, dir } = f));

/** The journal's records of jobs (those of submits before they are sent are unknown-submit.test.ts's). */
const journal = () => jobRecords(env.DECART_JOURNAL!);
const partials = () => readdirSync(dir).filter((f) => f.endsWith(".partial"));
/** The MP4 the emulator served for a job: its size and SHA-256 are in the emulator's stats. */
const served = (jobId: string) => emu.job(jobId)!;
const sha256 = async (path: string) =>
  (await import("node:crypto")).createHash("sha256").update(readFileSync(path)).digest("hex");

/** Starts the CLI and resolves with its first NDJSON event of `type` (and the child, still running). */
async function until(args: string[], type: string, extra: Record<string, string> = {}) {
  const child = start(args, { env: { ...env, ...extra }, cwd: dir });
  const done = finished(child);
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const event = JSON.parse(line);
    if (event.type === type) return { child, done, event };
  }
  throw new Error(`no ${type} event: ${(await done).stderr}`);
}

/**
 * Starts the CLI with its submit's answer held (see `startHeld`), and resolves once the server has made the job (its
 * answer not yet passed on), with the number of jobs before it. The CLI's grace for the answer after a signal ends only
 * when the test moves its clock on (`jump`): a loaded machine does not end it before the test releases the answer.
 */
async function submitHeld(args: string[]) {
  const before = emu.stats().jobsCreated;
  const held = await startHeld(args, emu.url, { env, cwd: dir, clock: true });
  return { ...held, before };
}

const WAITING = "Waiting for the submit's answer (5 s at most), so that the job id is not lost";

/**
 * The environment that makes the CLI import a module (written to `dir`) that holds its first record to `journal`
 * (where the journal file is opened to append) and says so on stderr (`HOLDING_JOURNAL`) until a Ctrl-C comes, which it
 * hears after the CLI's own listener, if the CLI has one. The submit has answered then, its id not yet journaled: the
 * instant a signal falls into is held open by the test, not by luck.
 */
function holdingJournal(journal: string): Record<string, string> {
  const module = join(dir, "holding-journal.mjs");
  writeFileSync(
    module,
    `import promises from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
const real = promises.open;
let opened = 0;
promises.open = async (path, flags, ...rest) => {
  // The second append: the first is the submit's, before it is sent (see SubmitRecord).
  if (String(path) === ${JSON.stringify(journal)} && flags === "a+" && ++opened === 2) {
    const signalled = new Promise((resolve) => process.once("SIGINT", resolve));
    process.stderr.write(${JSON.stringify(`${HOLDING_JOURNAL}
`)});
    const alive = setInterval(() => {}, 1 << 30); // waits for the signal, never for time
    await signalled;
    clearInterval(alive);
  }
  return real(path, flags, ...rest);
};
syncBuiltinESMExports();
`,
  );
  return { NODE_OPTIONS: `--import=${pathToFileURL(module).href}` };
}
const HOLDING_JOURNAL = "test: holding the journal's record of the job";

/**
 * The environment that makes the CLI import a module (written to `dir`) that holds every removal of a file whose path
 * begins with `prefix` (`fs/promises.rm`, as a slow file system would) and says so on stderr (`HOLDING_REMOVAL`): the
 * process is between a first signal and the end of the removal it started, for as long as the test wants.
 */
function holdingRemoval(prefix: string): Record<string, string> {
  const module = join(dir, "holding-removal.mjs");
  writeFileSync(
    module,
    `import promises from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
const real = promises.rm;
promises.rm = async (path, ...rest) => {
  if (!String(path).startsWith(${JSON.stringify(prefix)})) return real(path, ...rest);
  process.stderr.write(${JSON.stringify(`${HOLDING_REMOVAL}
`)});
  setInterval(() => {}, 1 << 30); // keeps the process alive: the removal never ends (a signal ends the process)
  return new Promise(() => {});
};
syncBuiltinESMExports();
`,
  );
  return { NODE_OPTIONS: `--import=${pathToFileURL(module).href}` };
}
const HOLDING_REMOVAL = "test: holding a removal";

describe("decart video", () => {
  it("video and jobs load without the image commands' modules (file-type, mime-types): a faster start", async () => {
    // Each command line ends in a usage error of its own command's module (loaded, then refusing the two prompts), or
    // lists the journal: the modules it loaded, and no network.
    const of = async (args: string[]) => {
      const { env: recording, loaded } = loadedModules(dir);
      const r = await run(args, { env: { ...env, ...recording } });
      return { code: r.code, stderr: r.stderr, loaded: loaded() };
    };
    const image = /\/node_modules\/(file-type|mime-types|mime-db)\//;
    for (const [args, own] of [
      [["video", "a lake", "a sea"], "commands/video.js"],
      [["jobs", "submit", "a lake", "a sea"], "commands/jobs.js"],
      [["jobs", "list"], "commands/jobs.js"],
    ] as const) {
      const r = await of([...args]);
      expect(r.code, r.stderr).toBe(args[1] === "list" ? 0 : 2);
      expect(r.loaded.some((url) => url.endsWith(`/dist/${own}`))).toBe(true);
      expect(r.loaded.filter((url) => image.test(url))).toEqual([]);
    }
    // (`image` and `batch` load them only to save an image, as the hook sees: see image-modules.test.ts.)
  });

  it("submits, reports each change as NDJSON, records the job first, and saves the whole MP4", async () => {
    const out = join(dir, "lake.mp4");
    const { code, stdout, stderr } = await run(["video", "A serene lake", "resolution=480p", "-o", out], { env });
    expect(code, stderr).toBe(0);
    const lines = events(stdout);
    const types = lines.map((e) => e.type);
    expect(types[0]).toBe("submitted");
    expect(types.at(-1)).toBe("saved");
    expect(types).toContain("completed");
    expect(types.indexOf("completed")).toBeLessThan(types.indexOf("downloading"));
    for (const status of lines.filter((e) => e.type === "status"))
      expect(["pending", "processing"]).toContain(status.status);
    const jobId = lines[0]!.job_id;
    expect(lines.every((e) => e.job_id === jobId)).toBe(true);

    const job = served(jobId);
    const saved = lines.at(-1)!;
    expect(saved).toEqual({
      type: "saved",
      job_id: jobId,
      path: out,
      bytes: job.resultBytes,
      server_content_type: "video/mp4",
    });
    const last = lines.filter((e) => e.type === "downloading").at(-1)!;
    expect(last).toMatchObject({ received_bytes: job.resultBytes, total_bytes: job.resultBytes });
    expect(await sha256(out)).toBe(job.resultSha256);
    expect(readFileSync(out).subarray(4, 8).toString()).toBe("ftyp");
    expect(partials()).toEqual([]);

    expect(journal().map((r) => [r.event, r.job_id])).toEqual([
      ["submitted", jobId],
      ["completed", jobId],
      ["saved", jobId],
    ]);
    expect(journal()[0]).toMatchObject({ model: "lucy-pro-t2v", path: out });
  });

  it("creates the directory of -o when it does not exist", async () => {
    const out = join(dir, "new", "deeper", "lake.mp4");
    const { code, stdout, stderr } = await run(["video", "A serene lake", "-o", out], { env });
    expect(code, stderr).toBe(0);
    expect(await sha256(out)).toBe(served(events(stdout)[0]!.job_id).resultSha256);
  });

  it("uploads a file input from disk with progress, and edits it", async () => {
    const source = join(dir, "source.mp4");
    const made = await run(["video", "A lake", "-o", source], { env });
    expect(made.code, made.stderr).toBe(0);
    const out = join(dir, "snow.mp4");
    const { code, stdout, stderr } = await run(
      ["video", "--model", "lucy-clip", "Make it snow", `data=@${source}`, "-o", out],
      { env },
    );
    expect(code, stderr).toBe(0);
    const lines = events(stdout);
    const uploads = lines.filter((e) => e.type === "uploading");
    const size = readFileSync(source).length;
    // Progress while the file is sent (the client's Node upload path), not one event once the server has answered.
    expect(uploads[0]).toEqual({ type: "uploading", sent_bytes: 0, total_bytes: size });
    expect(uploads.at(-1)).toEqual({ type: "uploading", sent_bytes: size, total_bytes: size });
    expect(lines.findIndex((e) => e.type === "uploading")).toBeLessThan(lines.findIndex((e) => e.type === "submitted"));
    expect(lines.at(-1)).toMatchObject({ type: "saved", path: out });
    expect(readFileSync(out).subarray(4, 8).toString()).toBe("ftyp");
  });

  it("exits 3 when the job fails, with the server's reason", async () => {
    const out = join(dir, "failed.mp4");
    const { code, stdout, stderr } = await run(["video", "[fail: no lakes today] A lake", "-o", out], { env });
    expect(code).toBe(3);
    // Its failed event, then the error event every run that exits non-zero ends with (exit_code on the last line).
    const [failed, error] = events(stdout).slice(-2);
    expect(failed).toMatchObject({ type: "failed", error: "no lakes today" });
    expect(error).toEqual({
      type: "error",
      exit_code: 3,
      code: "JOB_FAILED",
      message: `Job ${failed!.job_id} failed: no lakes today`,
      job_id: failed!.job_id,
    });
    expect(stderr).toContain("no lakes today");
    expect(existsSync(out)).toBe(false);
    expect(journal().at(-1)).toMatchObject({ event: "failed", error: "no lakes today" });
  });

  it("exits 5 when the wait outlasts --timeout, naming the job and how to resume", async () => {
    const { code, stdout, stderr } = await run(["video", "[stuck] A lake", "--timeout", "0.5"], { env });
    expect(code).toBe(5);
    const [submitted] = events(stdout);
    expect(events(stdout).at(-1)).toMatchObject({ type: "error", exit_code: 5, job_id: submitted!.job_id });
    expect(stderr).toContain(printed(env, "jobs", "wait", submitted!.job_id));
  });

  it("exits 1, not 5, when the wait ran out while every status read failed, saying why", async () => {
    emu.setFaults([{ route: "status", kind: "503" }]);
    try {
      // The wait runs out once a status read has failed, however slow the machine: the CLI says that it reads again
      // (the read failed), and only then is its clock moved past --timeout.
      const child = start(["video", "A lake", "--timeout", "600"], { env, clock: true });
      const done = finished(child);
      await onStderr(child, "retrying (attempt 1,");
      jump(child);
      const { code, stdout, stderr } = await done;
      expect(code, stderr).toBe(1);
      const [submitted] = events(stdout);
      expect(events(stdout).at(-1)).toMatchObject({
        type: "error",
        exit_code: 1,
        code: "JOB_TIMEOUT",
        job_id: submitted!.job_id,
      });
      expect(stderr).toMatch(/not done within .*; the last request failed: .*\(HTTP 503/);
      expect(stderr).toContain(printed(env, "jobs", "wait", submitted!.job_id));
    } finally {
      emu.setFaults([]);
    }
  });

  it("a --timeout out of the range a timer takes is a usage error before anything is sent", async () => {
    const before = emu.stats().jobsCreated;
    for (const timeout of ["9999999999", "0.0000001", "-1", "0", "soon", "Infinity"]) {
      const { code, stderr } = await run(["video", "A lake", "--timeout", timeout], { env });
      expect(code, `${timeout}: ${stderr}`).toBe(2);
      expect(stderr).toContain("--timeout must be a decimal number of seconds from 0.001 to 2147483");
    }
    expect(emu.stats().jobsCreated).toBe(before);
    // The ends of that range are taken: a status read is started (the job is unknown: 404, exit 1; or, within
    // 0.001 s, stopped: exit 5).
    for (const timeout of ["2147483", "0.001", "0.0014"]) {
      const { code, stderr } = await run(["jobs", "status", "job_unknown", "--timeout", timeout], { env });
      expect([1, 5], `${timeout}: ${stderr}`).toContain(code);
      expect(stderr, timeout).not.toContain("--timeout must be");
    }
  });

  it("--timeout bounds the wait, not the submit: a slow submit still gives a journaled job", async () => {
    emu.setFaults([{ route: "submit", kind: "slow", delayMs: 1_000 }]);
    const { code, stdout } = await run(["video", "[stuck] A slow lake", "--timeout", "0.3"], { env });
    expect(code).toBe(5);
    const [submitted] = events(stdout);
    expect(submitted).toMatchObject({ type: "submitted" });
    expect(emu.job(submitted!.job_id)).toBeDefined();
    expect(journal()[0]).toMatchObject({ event: "submitted", job_id: submitted!.job_id });
    expect(events(stdout).at(-1)).toMatchObject({ type: "error", exit_code: 5, job_id: submitted!.job_id });
  });

  it("leaves no file behind when every download is cut short", async () => {
    emu.setFaults([{ route: "content", kind: "truncate" }]);
    const out = join(dir, "cut.mp4");
    // (The download's tries wait no backoff: see fastRetries.)
    const { code, stdout } = await run(["video", "A lake", "-o", out], { env: { ...env, ...fastRetries(dir) } });
    expect([1, 5]).toContain(code);
    expect(events(stdout).at(-1)).toMatchObject({ type: "error" });
    expect(existsSync(out)).toBe(false);
    expect(partials()).toEqual([]);
  });

  it("exits 2 on bad input without sending anything, and 4 with a refused key", async () => {
    emu.resetStats();
    const bad = await run(["video", "A lake", "orientation=diagonal"], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"orientation"');
    expect(bad.stderr).toContain('"landscape", "portrait"');
    expect(emu.stats().requests.total).toBe(0);
    // No job there (its submit, journaled before it was sent, is settled: see unknown-submit.test.ts).
    expect(existsSync(env.DECART_JOURNAL!) ? journal() : []).toEqual([]);
    const refused = await run(["video", "A lake"], { env: { ...env, DECART_API_KEY: "dct_refused_0000" } });
    expect(refused.code).toBe(4);
  });

  it("Ctrl-C stops watching without cancelling; `jobs wait` then finishes the job", async () => {
    const out = join(dir, "interrupted.mp4");
    const { child, done, event } = await until(["video", "A lake [hold]", "-o", out], "submitted");
    child.kill("SIGINT");
    const interrupted = await done;
    expect(interrupted.code).toBe(130);
    expect(emu.release(event.job_id)).toBe(true); // not cancelled: still running
    const resume = printed(env, "jobs", "wait", event.job_id, "-o", out);
    expect(events(interrupted.stdout).at(-1)).toEqual({
      type: "interrupted",
      job_id: event.job_id,
      resume,
      exit_code: 130,
    });
    expect(interrupted.stderr).toContain(resume);
    expect(journal()).toEqual([expect.objectContaining({ event: "submitted", job_id: event.job_id, path: out })]);

    const resumed = await run(["jobs", "wait", event.job_id], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(events(resumed.stdout).at(-1)).toMatchObject({ type: "saved", path: out });
    expect(await sha256(out)).toBe(served(event.job_id).resultSha256);
    expect(emu.stats().jobsCreated).toBeGreaterThan(0);
  });

  it("a result the disk refuses once the job is done: exit 1 with the job id and how to download it again", async () => {
    const out = join(dir, "taken.mp4");
    const { done, event } = await until(["video", "A lake [hold]", "-o", out], "submitted");
    mkdirSync(out); // the place is taken after the CLI checked it, before the download
    expect(emu.release(event.job_id)).toBe(true);
    const result = await done;
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(
      `it stays on the server: ${printed(env, "jobs", "result", event.job_id, "-o")} <file>`,
    );
    // The user's path and the CLI's command: not a temporary file's name, nor the client library's functions.
    expect(result.stderr).toContain(`Could not save the result of ${event.job_id} to ${out} (EISDIR`);
    expect(result.stderr).not.toContain(".partial");
    expect(result.stderr).not.toContain("saveResult");
    expect(result.stderr).not.toContain("may still finish");
    expect(events(result.stdout).at(-1)).toMatchObject({ type: "error", exit_code: 1, job_id: event.job_id });
    expect(partials()).toEqual([]);
    const again = await run(["jobs", "result", event.job_id, "-o", join(dir, "free.mp4")], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(await sha256(join(dir, "free.mp4"))).toBe(served(event.job_id).resultSha256);
  });

  it("-o of the longest name the check takes (230 bytes) is written: one temporary name beside it, 25 bytes longer", async () => {
    const out = join(dir, `${"v".repeat(226)}.mp4`);
    const { code, stderr, stdout } = await run(["video", "A lake", "-o", out], { env });
    expect(code, stderr).toBe(0);
    const saved = events(stdout).at(-1)!;
    expect(saved).toMatchObject({ type: "saved", path: out });
    expect(await sha256(out)).toBe(served(saved.job_id).resultSha256);
  });

  it("a journal that cannot be written once the job runs: the result is saved, the id printed, exit 1", async () => {
    const journalDir = join(dir, "lost-journal");
    const out = join(dir, "lost.mp4");
    const args = ["video", "A lake [hold]", "-o", out, "--journal", join(journalDir, "jobs.jsonl"), "--timeout", "600"];
    const { done, event } = await until(args, "submitted");
    // Its directory replaced by a file (as a full disk or a lost permission): no record can be written from now on.
    rmSync(journalDir, { recursive: true });
    writeFileSync(journalDir, "");
    expect(emu.release(event.job_id)).toBe(true);
    const result = await done;
    expect(result.code, result.stderr).toBe(1);
    expect(events(result.stdout)).toContainEqual({ type: "journal_failed", job_id: event.job_id, error: "ENOTDIR" });
    expect(events(result.stdout).at(-2)).toMatchObject({ type: "saved", job_id: event.job_id, path: out });
    // The last line carries the exit code, 1, with the system's reason.
    expect(events(result.stdout).at(-1)).toMatchObject({ type: "error", exit_code: 1, code: "ENOTDIR" });
    expect(await sha256(out)).toBe(served(event.job_id).resultSha256);
    expect(result.stderr).toContain(`Could not write the journal ${join(journalDir, "jobs.jsonl")} (ENOTDIR`);
    expect(result.stderr).toContain(
      `Keep its id: ${printed({ ...env, DECART_JOURNAL: join(journalDir, "jobs.jsonl") }, "jobs", "wait", event.job_id, "-o", out, "--timeout", "600")}`,
    );
    expect(result.stderr.split("Could not write the journal").length).toBe(2);
  });

  it("without -o, never writes over what is there: <job id>.mp4 takes -2, -3 … when it is taken", async () => {
    const { done, event } = await until(["video", "A lake [hold]"], "submitted");
    const name = (suffix = "") => join(dir, `${event.job_id}${suffix}.mp4`);
    expect(journal()[0]).toMatchObject({ event: "submitted", job_id: event.job_id, path: name() });
    // The names are taken after the job was recorded, before its result comes: a file of the user's, a directory.
    writeFileSync(name(), "mine");
    mkdirSync(name("-2"));
    expect(emu.release(event.job_id)).toBe(true);
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    expect(events(result.stdout).at(-1)).toEqual({
      type: "saved",
      job_id: event.job_id,
      path: name("-3"),
      bytes: served(event.job_id).resultBytes,
      server_content_type: "video/mp4",
    });
    expect(await sha256(name("-3"))).toBe(served(event.job_id).resultSha256);
    expect(readFileSync(name(), "utf8")).toBe("mine");
    expect(statSync(name("-2")).isDirectory()).toBe(true);
    expect(partials()).toEqual([]);
    // The journal says where the result went: `jobs list` and `jobs wait` find it there.
    expect(journal().at(-1)).toMatchObject({ event: "saved", job_id: event.job_id, path: name("-3") });
  });

  it("a killed process loses no job: the journal has its id before any waiting", async () => {
    const { child, done, event } = await until(["video", "A lake [hold]"], "submitted");
    child.kill("SIGKILL");
    expect((await done).signal).toBe("SIGKILL");
    expect(emu.release(event.job_id)).toBe(true);
    const [record] = journal();
    expect(record).toMatchObject({ event: "submitted", job_id: event.job_id });
    const resumed = await run(["jobs", "wait", event.job_id], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await sha256(record.path)).toBe(served(event.job_id).resultSha256);
  });
});

describe("decart jobs", () => {
  it("submit prints only the id; status, wait, result and list follow it", async () => {
    const submitted = await run(["jobs", "submit", "A lake", "--no-json"], { env });
    expect(submitted.code).toBe(0);
    const jobId = submitted.stdout.trim();
    expect(submitted.stdout).toBe(`${jobId}\n`);
    expect(emu.job(jobId)).toBeDefined();

    const status = await run(["jobs", "status", jobId, "--no-json"], { env });
    expect(status.code).toBe(0);
    expect(["pending", "processing", "completed"]).toContain(status.stdout.trim());

    const out = join(dir, "waited.mp4");
    const waited = await run(["jobs", "wait", jobId, "-o", out, "--no-json"], { env });
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stdout.trim()).toBe(out);

    const again = join(dir, "again.mp4");
    const result = await run(["jobs", "result", jobId, "-o", again], { env });
    expect(result.code).toBe(0);
    expect(readFileSync(again)).toEqual(readFileSync(out));

    const list = await run(["jobs", "list"], { env });
    expect(events(list.stdout)).toEqual([
      expect.objectContaining({ type: "job", job_id: jobId, state: "saved", path: again, model: "lucy-pro-t2v" }),
    ]);
    const human = await run(["jobs", "list", "--no-json"], { env });
    expect(human.stdout).toContain(jobId);
  });

  it("submit and result with a journal that cannot be written print the id all the same, and exit 1", async () => {
    const journalDir = join(dir, "unwritable-journal");
    const journalFile = join(journalDir, "jobs.jsonl");
    // Once the CLI has checked the journal (the check leaves no directory behind) and its request is answered by the
    // server (the answer held), a file takes the place of the journal's directory, as a full disk or a lost permission
    // would fail it: no record can be written from then on.
    const held = async (args: string[], hold?: RegExp) => {
      rmSync(journalDir, { force: true });
      const { done, release } = await startHeld([...args, "--journal", journalFile], emu.url, {
        env,
        ...(hold && { hold }),
      });
      // (Its directory holds the submit's record, written before it was sent.)
      rmSync(journalDir, { recursive: true, force: true });
      writeFileSync(journalDir, "");
      release();
      return done;
    };
    const submitted = await held(["jobs", "submit", "A lake", "--no-json"]);
    expect(submitted.code, submitted.stderr).toBe(1);
    const jobId = submitted.stdout.trim();
    expect(emu.job(jobId)).toBeDefined();
    expect(submitted.stderr).toContain(`Could not write the journal ${journalFile} (ENOTDIR`);
    expect(submitted.stderr).toContain(`--journal ${journalFile} jobs wait ${jobId}`);
    const out = join(dir, "unwritable.mp4");
    // Its result, once the job is done.
    expect((await run(["jobs", "wait", jobId, "-o", join(dir, "unwritable-waited.mp4")], { env })).code).toBe(0);
    const result = await held(["jobs", "result", jobId, "-o", out], /^GET \/v1\/jobs\/[^/]+\/content/);
    expect(result.code, result.stderr).toBe(1);
    expect(events(result.stdout).filter((e) => e.type !== "downloading")).toEqual([
      expect.objectContaining({ type: "saved", job_id: jobId, path: out }),
      { type: "journal_failed", job_id: jobId, error: "ENOTDIR" },
      expect.objectContaining({ type: "error", exit_code: 1, code: "ENOTDIR" }),
    ]);
    expect(await sha256(out)).toBe(served(jobId).resultSha256);
  });

  it("video with a journal that cannot record its submit: submitted comes first, then journal_failed; stderr names no journal", async () => {
    const journalDir = join(dir, "unrecorded-submit");
    const journalFile = join(journalDir, "jobs.jsonl");
    const out = join(dir, "unrecorded-submit.mp4");
    // The submit's answer held until the journal's directory is a file: its record cannot be written.
    const { done, release } = await startHeld(["video", "A lake", "-o", out, "--journal", journalFile], emu.url, {
      env,
    });
    // (Its directory holds the submit's record, written before it was sent.)
    rmSync(journalDir, { recursive: true, force: true });
    writeFileSync(journalDir, "");
    release();
    const result = await done;
    expect(result.code, result.stderr).toBe(1);
    const [first, second] = events(result.stdout).filter((e) => e.type !== "uploading");
    // Before the fix: journal_failed, then submitted; and "✓ Submitted <id> (journal: <path>)" after the warning.
    expect(first).toMatchObject({ type: "submitted" });
    expect(second).toEqual({ type: "journal_failed", job_id: first!.job_id, error: expect.stringMatching(/^ENOTDIR/) });
    const lines = result.stderr.split("\n");
    const submitted = lines.findIndex((line) => line.includes(`Submitted ${first!.job_id}`));
    const warned = lines.findIndex((line) => line.includes(`Could not write the journal ${journalFile} (ENOTDIR`));
    expect(submitted, result.stderr).toBeGreaterThanOrEqual(0);
    expect(warned).toBeGreaterThan(submitted);
    expect(lines[submitted]).not.toContain("journal");
    expect(await sha256(out)).toBe(served(first!.job_id).resultSha256);
  });

  it("status of an unknown job exits 1; wait on a failed job exits 3", async () => {
    const unknown = await run(["jobs", "status", "job_00000000000000000000000000000000"], { env });
    expect(unknown.code).toBe(1);
    // No such job: no hint to wait for it again.
    const waited = await run(["jobs", "wait", "job_00000000000000000000000000000000"], { env });
    expect(waited.code).toBe(1);
    expect(waited.stderr).toMatch(/not found/i);
    expect(waited.stderr).not.toContain("may still finish");
    const submitted = await run(["jobs", "submit", "[fail] A lake", "--no-json"], { env });
    const failed = await run(["jobs", "wait", submitted.stdout.trim()], { env });
    expect(failed.code).toBe(3);
  });

  it("refuses -o - (stdout is for images) for video, jobs wait and jobs result: exit 2, nothing sent, no file named -", async () => {
    for (const args of [
      ["video", "A serene lake", "-o", "-"],
      ["jobs", "wait", "job_0123456789abcdef", "-o", "-"],
      ["jobs", "result", "job_0123456789abcdef", "-o", "-"],
    ]) {
      const { code, stdout, stderr } = await run(args, { env, cwd: dir });
      expect(code, args.join(" ")).toBe(2);
      expect(stderr).toContain("-o - (stdout) is for images only");
      expect(events(stdout).at(-1)).toMatchObject({ type: "error", exit_code: 2 });
      expect(existsSync(join(dir, "-"))).toBe(false);
    }
    expect(emu.stats().requests.total).toBe(0);
  });

  it("jobs result of a failed job: exit 3 with the server's reason, no hint to wait for it", async () => {
    const submitted = await run(["jobs", "submit", "[fail: the lake froze] A lake", "--no-json"], { env });
    const id = submitted.stdout.trim();
    expect((await run(["jobs", "wait", id], { env, cwd: dir })).code).toBe(3);
    const { code, stdout, stderr } = await run(["jobs", "result", id, "-o", join(dir, "frozen.mp4")], { env });
    expect(code, stderr).toBe(3);
    expect(stderr).toContain("the lake froze");
    expect(stderr).not.toContain("may still finish");
    expect(events(stdout).at(-1)).toMatchObject({ type: "error", exit_code: 3, job_id: id });
    expect(existsSync(join(dir, "frozen.mp4"))).toBe(false);
  });

  it("video and jobs wait whose download fails for good once the job completed: `jobs result`, not `jobs wait`", async () => {
    emu.setFaults([{ route: "content", kind: "500" }]);
    for (const how of ["video", "jobs wait"]) {
      const out = join(dir, `unserved-${how.replace(" ", "-")}.mp4`);
      const args =
        how === "video"
          ? ["video", "A lake", "-o", out]
          : ["jobs", "wait", (await run(["jobs", "submit", "A lake", "--no-json"], { env })).stdout.trim(), "-o", out];
      // (The download's tries wait no backoff: see fastRetries.)
      const { code, stdout, stderr } = await run(args, { env: { ...env, ...fastRetries(dir) } });
      expect(code, stderr).toBe(1);
      const id = events(stdout).find((e) => e.type === "completed")!.job_id;
      expect(stderr, how).toContain(`it stays on the server: ${printed(env, "jobs", "result", id, "-o", out)}`);
      expect(stderr, how).not.toContain("may still finish");
      expect(events(stdout).at(-1), how).toMatchObject({ type: "error", exit_code: 1, code: "SERVER", job_id: id });
    }
  });

  it("no `may still finish` after a refused key (401) or a server name that does not resolve", async () => {
    const id = `job_${"a".repeat(32)}`;
    const refused = await run(["jobs", "status", id], { env: { ...env, DECART_API_KEY: "dct_refused_0000" } });
    expect(refused.code, refused.stderr).toBe(4);
    const unknown = await run(["jobs", "status", id], {
      env: { ...env, ...preloads(unresolvable(dir), fastRetries(dir)), DECART_BASE_URL: "http://nonexistent.invalid" },
    });
    expect(unknown.code, unknown.stderr).toBe(1);
    expect(unknown.stderr).toContain("connection failed (ENOTFOUND)");
    for (const { stderr } of [refused, unknown]) expect(stderr).not.toContain("may still finish");
  });

  it("jobs result whose download fails for good: the command that downloads it again, not `jobs wait`", async () => {
    const made = await until(["video", "A lake", "-o", join(dir, "served-once.mp4")], "saved");
    expect((await made.done).code).toBe(0);
    const id = made.event.job_id;
    emu.setFaults([{ route: "content", kind: "500" }]);
    const out = join(dir, "unserved.mp4");
    // (The download's tries wait no backoff: see fastRetries.)
    const { code, stdout, stderr } = await run(["jobs", "result", id, "-o", out], {
      env: { ...env, ...fastRetries(dir) },
    });
    expect(code, stderr).toBe(1);
    const again = printed(env, "jobs", "result", id, "-o", out);
    expect(stderr).toContain(`Could not download the result of ${id} (Internal server error`);
    expect(stderr).toContain(`it stays on the server: ${again}`);
    expect(stderr).not.toContain("jobs wait");
    expect(stderr).not.toContain("may still finish");
    expect(events(stdout).at(-1)).toMatchObject({ type: "error", exit_code: 1, code: "SERVER", job_id: id });
    expect(existsSync(out)).toBe(false);
    expect(partials()).toEqual([]);
    emu.setFaults([]);
    const downloaded = await run(["jobs", "result", id, "-o", out], { env });
    expect(downloaded.code, downloaded.stderr).toBe(0);
    expect(await sha256(out)).toBe(served(id).resultSha256);
  });

  it("jobs result of a result no longer kept (410): exit 1 with the server's word, and no hint", async () => {
    // An emulator of its own, whose clock the test moves past the result's retention.
    let now = Date.now();
    const own = await emulator({ now: () => now, retentionMs: 1000 });
    try {
      const ownEnv = { ...own.env, DECART_JOURNAL: env.DECART_JOURNAL! };
      const submitted = await run(["jobs", "submit", "A lake [hold]", "--no-json"], { env: ownEnv });
      const id = submitted.stdout.trim();
      expect(own.emu.release(id)).toBe(true);
      now += 1500; // past the result's retention (1 s after its end), not the job's (1 s more: then unknown, 404)
      const { code, stdout, stderr } = await run(["jobs", "result", id, "-o", join(dir, "gone.mp4")], { env: ownEnv });
      expect(code, stderr).toBe(1);
      expect(stderr).toContain("past its retention period");
      expect(stderr).not.toContain("may still finish");
      expect(stderr).not.toContain("decart jobs");
      expect(events(stdout).at(-1)).toMatchObject({ type: "error", exit_code: 1, job_id: id });
    } finally {
      await own.emu.close();
    }
  });

  it("a submit whose outcome is unknown (a 500) says so in the CLI's terms, not the client's option", async () => {
    emu.setFaults([{ route: "submit", kind: "500" }]);
    const { code, stdout, stderr } = await run(["video", "A lake", "-o", join(dir, "unknown.mp4")], { env });
    expect(code, stderr).toBe(1);
    expect(stderr).not.toContain("retrySubmit");
    expect(stderr).toContain("a job or an image may have been made");
    expect(events(stdout).at(-1)).toMatchObject({ type: "error", code: "SUBMIT_OUTCOME_UNKNOWN" });
    expect(events(stdout).at(-1)!.message).not.toContain("retrySubmit");
  });

  it("SIGTERM stops watching as Ctrl-C does: exit 130, the interrupted event and the command that resumes", async () => {
    const out = join(dir, "terminated.mp4");
    const { child, done, event } = await until(["video", "A lake [hold]", "-o", out], "submitted");
    child.kill("SIGTERM");
    const terminated = await done;
    expect(terminated.code, terminated.stderr).toBe(130);
    expect(emu.release(event.job_id)).toBe(true); // not cancelled
    const resume = printed(env, "jobs", "wait", event.job_id, "-o", out);
    expect(events(terminated.stdout).at(-1)).toEqual({
      type: "interrupted",
      job_id: event.job_id,
      resume,
      exit_code: 130,
    });
    expect(terminated.stderr).toContain(resume);
  });

  it("jobs result: Ctrl-C or SIGTERM during the download: exit 130, no file, no partial, the command that downloads it again", async () => {
    const made = await until(["video", "A lake", "-o", join(dir, "first.mp4")], "saved");
    expect((await made.done).code).toBe(0);
    // The download sends part of the result, then nothing (a `stall` without a delay lasts until the client leaves).
    // SIGHUP (a terminal closed) as well, with its own code.
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      emu.setFaults([{ route: "content", kind: "stall" }]);
      const out = join(dir, `result-${signal}.mp4`);
      const { child, done } = await until(["jobs", "result", made.event.job_id, "-o", out], "downloading");
      child.kill(signal);
      const stopped = await done;
      expect(stopped.code, `${signal}: ${stopped.stderr}`).toBe(signal === "SIGHUP" ? 129 : 130);
      // The job is done: the command that fetches its result again, not `jobs wait`'s "may still finish".
      const again = printed(env, "jobs", "result", made.event.job_id, "-o", out);
      expect(events(stopped.stdout).at(-1)).toEqual({
        type: "interrupted",
        job_id: made.event.job_id,
        resume: again,
        exit_code: signal === "SIGHUP" ? 129 : 130,
      });
      expect(stopped.stderr).toContain(`it stays on the server. Download it with: ${again}`);
      expect(stopped.stderr).not.toContain("may still finish");
      expect(existsSync(out), signal).toBe(false);
      expect(partials(), signal).toEqual([]);
    }
  });

  it("video and jobs wait: Ctrl-C during the download of the completed job's result: its result stays on the server, and `jobs result` downloads it", async () => {
    const made = await until(["video", "A lake", "-o", join(dir, "first-done.mp4")], "saved");
    expect((await made.done).code).toBe(0);
    const jobId = made.event.job_id as string;
    for (const args of [
      ["video", "A lake", "-o", join(dir, "stopped-video.mp4")],
      ["jobs", "wait", jobId, "-o", join(dir, "stopped-wait.mp4")],
    ]) {
      const what = args[0]!;
      const out = args.at(-1)!;
      // The download sends part of the result, then nothing until the client leaves.
      emu.setFaults([{ route: "content", kind: "stall" }]);
      const { child, done, event } = await until(args, "downloading");
      child.kill("SIGINT");
      const stopped = await done;
      emu.setFaults([]);
      expect(stopped.code, `${what}: ${stopped.stderr}`).toBe(130);
      const again = printed(env, "jobs", "result", event.job_id, "-o", out);
      expect(events(stopped.stdout).at(-1), what).toEqual({
        type: "interrupted",
        job_id: event.job_id,
        resume: again,
        exit_code: 130,
      });
      expect(stopped.stderr, what).toContain(
        `Stopped downloading the result of ${event.job_id}; it stays on the server. Download it with: ${again}`,
      );
      expect(stopped.stderr, what).not.toContain("the job goes on");
    }
  });

  it("jobs result: a second Ctrl-C while the first one's cleanup is under way exits at once, leaving no temporary file", async () => {
    const made = await until(["video", "A lake", "-o", join(dir, "second-first.mp4")], "saved");
    expect((await made.done).code).toBe(0);
    emu.setFaults([{ route: "content", kind: "stall" }]);
    const out = join(dir, "second.mp4");
    const args = ["jobs", "result", made.event.job_id, "-o", out];
    const { child, done } = await until(args, "downloading", holdingRemoval(out));
    expect(partials()).toHaveLength(1); // the download's temporary file, beside the target
    // The first signal stops the download, whose temporary file is being removed (held) when the second comes.
    await interrupt(child, "SIGINT", HOLDING_REMOVAL);
    await again(child, "SIGINT");
    const stopped = await done;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(existsSync(out)).toBe(false);
    expect(partials()).toEqual([]);
  });

  it("video: Ctrl-C, SIGTERM or SIGHUP while the submit awaits its answer lets it finish: the job id journaled, exit 130 (SIGHUP: 129)", async () => {
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      const out = join(dir, `held-${signal}.mp4`);
      // The answer is held until the CLI says it waits for it: the signal comes while the submit is in flight.
      const { child, done, before, release } = await submitHeld(["video", "A lake [hold]", "-o", out]);
      await interrupt(child, signal, WAITING);
      release();
      const stopped = await done;
      expect(stopped.code, `${signal}: ${stopped.stderr}`).toBe(signal === "SIGHUP" ? 129 : 130);
      expect(emu.stats().jobsCreated, signal).toBe(before + 1); // one job, not a second
      const lines = events(stopped.stdout);
      const jobId = lines[0]!.job_id;
      expect(lines[0], signal).toMatchObject({ type: "submitted", job_id: jobId });
      expect(emu.release(jobId), signal).toBe(true); // the job the server made, not cancelled
      const resume = lines.at(-1)!.resume as string;
      expect(resume).toMatch(/^decart --base-url http:\/\/127\.0\.0\.1:\d+ --journal /);
      expect(resume.endsWith(` --journal ${env.DECART_JOURNAL} jobs wait ${jobId} -o ${out}`), resume).toBe(true);
      expect(lines.at(-1), signal).toEqual({
        type: "interrupted",
        job_id: jobId,
        resume,
        exit_code: signal === "SIGHUP" ? 129 : 130,
      });
      expect(stopped.stderr).toContain(resume);
      expect(journal().filter((r) => r.job_id === jobId)).toMatchObject([{ event: "submitted", path: out }]);
    }
  });

  it("jobs submit: Ctrl-C while the submit awaits its answer prints and journals the id, then exits 130", async () => {
    const { child, done, before, release } = await submitHeld(["jobs", "submit", "A lake [hold]", "--no-json"]);
    await interrupt(child, "SIGINT", WAITING);
    release();
    const stopped = await done;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(emu.stats().jobsCreated).toBe(before + 1);
    const jobId = stopped.stdout.trim();
    expect(jobId).toMatch(/^job_/);
    expect(emu.release(jobId)).toBe(true);
    // It watched nothing: it says the job was submitted and how to wait for it.
    expect(stopped.stderr).toContain(`job ${jobId} was submitted and goes on. Wait for it with: decart --base-url `);
    expect(stopped.stderr).toContain(` --journal ${env.DECART_JOURNAL} jobs wait ${jobId}\n`);
    expect(stopped.stderr).not.toContain("Stopped watching");
    expect(journal().filter((r) => r.job_id === jobId)).toMatchObject([{ event: "submitted" }]);
  });

  it("jobs submit: Ctrl-C once the submit has answered, before its id is journaled, is held as well: exit 130", async () => {
    const child = start(["jobs", "submit", "A lake", "--no-json"], {
      env: { ...env, ...holdingJournal(env.DECART_JOURNAL!) },
      cwd: dir,
    });
    const done = finished(child);
    await onStderr(child, HOLDING_JOURNAL); // the answer is in, its id on its way to the journal
    child.kill("SIGINT");
    const stopped = await done;
    expect(stopped.code, stopped.stderr).toBe(130);
    const jobId = stopped.stdout.trim();
    expect(jobId).toMatch(/^job_/);
    expect(journal()).toMatchObject([{ event: "submitted", job_id: jobId }]);
    expect(stopped.stderr).not.toContain(WAITING); // the signal came after the answer
    expect(stopped.stderr).toContain(`job ${jobId} was submitted and goes on. Wait for it with: decart --base-url `);
    expect(stopped.stderr).toContain(` --journal ${env.DECART_JOURNAL} jobs wait ${jobId}\n`);
  });

  it("a second Ctrl-C while the submit awaits its answer exits at once (video, jobs submit)", async () => {
    for (const args of [
      ["video", "A lake [hold]"],
      ["jobs", "submit", "A lake [hold]"],
    ]) {
      // An answer never passed on: only the second signal can end the CLI.
      const { child, done } = await submitHeld(args);
      await interrupt(child, "SIGINT", WAITING);
      await again(child, "SIGINT");
      const stopped = await done;
      expect(stopped.code, `${args[0]}: ${stopped.stderr}`).toBe(130);
      expect(events(stopped.stdout), args[0]).toEqual([]);
    }
  });

  it("the first signal waits 5 s at most for the answer of a submit sent whole: then exit 130, a job may have been made (video, jobs submit)", async () => {
    for (const [args, signal] of [
      [["video", "A lake [hold]"], "SIGTERM"],
      [["jobs", "submit", "A lake [hold]"], "SIGINT"],
    ] as const) {
      const what = `${args[0]} ${signal}`;
      // An answer never passed on: the grace ends when the test moves the CLI's clock on (it ends only then). Before
      // the fix, the CLI waited for that answer as long as the client does for an upload's, 10 minutes.
      const { child, done, before } = await submitHeld([...args]);
      await interrupt(child, signal, WAITING);
      jump(child);
      const stopped = await done;
      expect(stopped.code, `${what}: ${stopped.stderr}`).toBe(130);
      expect(emu.stats().jobsCreated, what).toBe(before + 1);
      expect(events(stopped.stdout), what).toEqual([
        { type: "interrupted", code: "SUBMIT_OUTCOME_UNKNOWN", exit_code: 130 },
      ]);
      expect(stopped.stderr, what).toContain(
        "Interrupted: the submit's answer did not come within 5 s of the signal, so the CLI stopped waiting for it. " +
          "The request had reached the server: a job may have been made (and billed) although its id never came " +
          "back, so the journal holds only its submit, as one whose outcome is unknown (decart jobs list shows " +
          "it), and with no answer there is no " +
          "request id to give support either. Running the command again submits (and bills) another one",
      );
      // Its submit stays there, unsettled: a job may exist (see `SubmitRecord`); how it ended is noted with it.
      const last = readFileSync(env.DECART_JOURNAL!, "utf8").trim().split("\n").at(-1)!;
      expect(JSON.parse(last), what).toMatchObject({ event: "submit_unknown", reason: expect.stringContaining("5 s") });
    }
  });

  it("the grace ends after the answer's headers came, not its body: said so, not 'no answer' (video, jobs submit, batch)", async () => {
    // Headers of 200 (with a request id or without), and a body that never comes: the job id is in the body.
    let requestId: string | undefined;
    const server = await listenOnLoopback((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json", ...(requestId && { "x-request-id": requestId }) });
        res.flushHeaders();
      });
    });
    const url = server.url;
    const batchFile = join(dir, "headers-only.jsonl");
    writeFileSync(batchFile, '{"custom_id":"clip-1","prompt":"A lake"}\n');
    try {
      for (const id of [undefined, "req_headers_only"]) {
        requestId = id;
        for (const args of [
          ["video", "A lake", "-o", join(dir, "headers-only.mp4")],
          ["jobs", "submit", "A lake"],
          ["batch", batchFile, "--out", join(dir, "headers-only")],
        ]) {
          const what = `${args[0]} ${id}`;
          const child = start(["--verbose", ...args], {
            // A journal of each run's own: the submit a run stopped so is left unsettled (a job may exist), and a
            // batch would not submit its line again.
            env: { ...env, DECART_BASE_URL: url, DECART_JOURNAL: join(dir, `headers-only-${args[0]}-${id}.jsonl`) },
            cwd: dir,
            clock: true,
          });
          const done = finished(child);
          await onStderr(child, "← 200 POST"); // the answer's headers are in
          await interrupt(child, "SIGTERM", "Waiting for ");
          jump(child);
          const stopped = await done;
          expect(stopped.code, `${what}: ${stopped.stderr}`).toBe(130);
          const said =
            args[0] === "batch"
              ? String(events(stopped.stdout).find((e) => e.type === "line_failed")?.error)
              : stopped.stderr;
          expect(said, what).toContain(
            "the submit's answer had not come whole within 5 s (its headers came, HTTP 200, not its body) of the signal",
          );
          expect(said, what).not.toContain("no answer");
          expect(said, what).toContain(
            id
              ? args[0] === "batch"
                ? `its request id, ${id}, is what support can find it by`
                : `the answer's request id, ${id}, is what support can find it by`
              : args[0] === "batch"
                ? "its answer carried no request id"
                : "its answer carried no request id (x-request-id) to give support either",
          );
        }
      }
    } finally {
      await server.close();
    }
  });

  it("a submit let finish after the signal whose answer is a 500: exit 130, interrupted with its code and request id, a job may have been made (video, jobs submit)", async () => {
    // Each submit is held until the test answers it 500, once the CLI says it waits for it after the signal.
    const held: import("node:http").ServerResponse[] = [];
    const server = await listenOnLoopback((req, res) => {
      req.resume();
      req.on("end", () => held.push(res));
    });
    try {
      for (const args of [
        ["video", "A lake", "-o", join(dir, "answered-500.mp4")],
        ["jobs", "submit", "A lake"],
      ]) {
        const what = args[0]!;
        const journalFile = join(dir, `answered-500-${what}.jsonl`);
        const child = start(args, {
          env: { ...env, DECART_BASE_URL: server.url, DECART_JOURNAL: journalFile },
          cwd: dir,
        });
        const done = finished(child);
        const count = held.length;
        // Once the submit's body is in (held), the signal: the CLI waits for the answer.
        await new Promise<void>((resolve) => {
          const check = () => (held.length > count ? resolve() : setTimeout(check, 5));
          check();
        });
        await interrupt(child, "SIGINT", "Waiting for the submit's answer");
        const res = held.at(-1)!;
        res.writeHead(500, { "content-type": "application/json", "x-request-id": "req_500" });
        res.end('{"detail":"Internal Server Error"}');
        const stopped = await done;
        expect(stopped.code, `${what}: ${stopped.stderr}`).toBe(130);
        expect(events(stopped.stdout), what).toEqual([
          { type: "interrupted", code: "SUBMIT_OUTCOME_UNKNOWN", request_id: "req_500", exit_code: 130 },
        ]);
        expect(stopped.stderr, what).toContain("Interrupted: Internal Server Error (HTTP 500, request req_500)");
        expect(stopped.stderr, what).toContain("a job or an image may have been made (and billed)");
        // Its submit stays there, unsettled: a job may exist; its answer's request id and status noted with it.
        const last = readFileSync(journalFile, "utf8").trim().split("\n").at(-1)!;
        expect(JSON.parse(last), what).toMatchObject({ event: "submit_unknown", request_id: "req_500", status: 500 });
      }
    } finally {
      await server.close();
    }
  });

  it("a batch whose requests, let finish after the signal, are answered 500: exit 130, each line's outcome unknown with its request id, its request unsettled in the journal", async () => {
    // Each request (a video line's submit, an image line's) is held until the test answers it 500, once the CLI says
    // it waits for it after the signal.
    const held: import("node:http").ServerResponse[] = [];
    const server = await listenOnLoopback((req, res) => {
      req.resume();
      req.on("end", () => held.push(res));
    });
    try {
      const file = join(dir, "answered-500.jsonl");
      writeFileSync(
        file,
        `${JSON.stringify({ custom_id: "clip", prompt: "A lake" })}\n` +
          `${JSON.stringify({ custom_id: "pic", model: "lucy-pro-t2i", prompt: "A lake" })}\n`,
      );
      const out = join(dir, "answered-500-out");
      const journalFile = join(dir, "answered-500-batch.jsonl");
      const child = start(["batch", file, "--out", out], {
        env: { ...env, DECART_BASE_URL: server.url, DECART_JOURNAL: journalFile },
        cwd: dir,
      });
      const done = finished(child);
      await new Promise<void>((resolve) => {
        const check = () => (held.length === 2 ? resolve() : setTimeout(check, 5));
        check();
      });
      await interrupt(child, "SIGINT", "Waiting for ");
      for (const [at, res] of held.entries()) {
        res.writeHead(500, { "content-type": "application/json", "x-request-id": `req_500_${at}` });
        res.end('{"detail":"Internal Server Error"}');
      }
      const stopped = await done;
      expect(stopped.code, stopped.stderr).toBe(130);
      const all = events(stopped.stdout);
      const failed = all.filter((e) => e.type === "line_failed");
      expect(failed.map((e) => e.custom_id).sort()).toEqual(["clip", "pic"]);
      for (const line of failed) {
        expect(line, line.custom_id).toMatchObject({ outcome_unknown: true });
        expect(line.error, line.custom_id).toMatch(/Internal Server Error \(HTTP 500, request req_500_[01]\)/);
      }
      expect(all.at(-1)).toMatchObject({ type: "interrupted", exit_code: 130 });
      // Each line's request stays unsettled in the journal (a job or an image may exist: --resume does not send it
      // again), its request id in the line's error in results.jsonl; both lines are in unknown.jsonl, neither in
      // errors.jsonl (run again, each would bill another). (The video line's submit was settled, as if it made
      // nothing, and the line left not finished: --resume submitted it again.)
      const records = readFileSync(journalFile, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      for (const customId of ["clip", "pic"]) {
        const submit = records.find((r) => r.event === "submitting" && r.custom_id === customId);
        expect(submit, customId).toBeDefined();
        expect(
          records.some((r) => r.event === "submit_settled" && r.submit_id === submit.submit_id),
          customId,
        ).toBe(false);
      }
      const report = readFileSync(join(out, "results.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(report.map((r) => [r.custom_id, r.outcome_unknown, /request req_500_[01]\)/.test(r.error)])).toEqual([
        ["clip", true, true],
        ["pic", true, true],
      ]);
      expect(readFileSync(join(out, "unknown.jsonl"), "utf8").trim().split("\n")).toHaveLength(2);
      expect(existsSync(join(out, "errors.jsonl"))).toBe(false);
      // Run again with --resume, neither line is sent again.
      const count = held.length;
      const resumed = await run(["batch", file, "--out", out, "--resume"], {
        env: { ...env, DECART_BASE_URL: server.url, DECART_JOURNAL: journalFile },
        cwd: dir,
      });
      expect(resumed.code, resumed.stderr).toBe(6);
      expect(held.length).toBe(count);
    } finally {
      await server.close();
    }
  });

  it("--timeout and --concurrency take decimal numbers only (0x10 is not 16, ' 7' is not 7), in range: exit 2, nothing sent", async () => {
    for (const args of [
      ["video", "A lake", "--timeout", "0x10"],
      ["video", "A lake", "--timeout", "1e1"],
      ["jobs", "wait", "job_0123456789abcdef", "--timeout", "0b1"],
      ["batch", "-", "--timeout", "0x10"],
      ["batch", "-", "-c", "0x10"],
      // Never trimmed, as a number field's value is not (seed=" 7" is refused).
      ["video", "A lake", "--timeout", " 7"],
      ["jobs", "wait", "job_0123456789abcdef", "--timeout", "7\n"],
      ["batch", "-", "--timeout", "7 "],
      ["batch", "-", "-c", " 7"],
      ["batch", "-", "-c", "7\t"],
      // Beyond the range, however many digits (none wraps round or loses digits into range).
      ["video", "A lake", "--timeout", "2147484"],
      ["video", "A lake", "--timeout", "9".repeat(400)],
      // Just outside the range the message gives, "from 0.001 to 2147483" (not rounded into it).
      ["video", "A lake", "--timeout", "0.0009"],
      ["jobs", "wait", "job_0123456789abcdef", "--timeout", "0.0005"],
      ["batch", "-", "--timeout", "2147483.001"],
      ["image", "A lake", "--timeout", "2147483.5"],
      ["batch", "-", "-c", "1001"],
      ["batch", "-", "-c", "18446744073709551617"],
    ]) {
      const { code, stderr } = await run(args, { env, cwd: dir, input: '{"custom_id": "a", "prompt": "x"}\n' });
      expect(code, args.join(" ")).toBe(2);
      expect(stderr).toMatch(/--(timeout|concurrency) must be/);
    }
    expect(emu.stats().requests.total).toBe(0);
  });
});

describe("--timeout bounds the download of the result too", () => {
  it("a result that trickles in past --timeout: exit 5 with the command that downloads it, no file left", async () => {
    // Jobs of about 0.1 s behind a proxy that passes every request on but the result's, which it sends one byte at a
    // time, each in time (never a stall the client's per-read timeout would catch): only --timeout can end it.
    const fast = await emulator();
    const base = new URL(fast.emu.url);
    const proxy = await listenOnLoopback((req, res) => {
      if (req.method === "GET" && req.url!.endsWith("/content")) {
        res.writeHead(200, { "content-type": "video/mp4", "content-length": 100_000 });
        // An MP4's first box (the CLI checks a result's first bytes), then the rest a byte at a time.
        res.write(Buffer.from("\0\0\0\x10ftypmp42", "latin1"));
        const timer = setInterval(() => res.write("x"), 50);
        res.on("close", () => clearInterval(timer));
        return;
      }
      const forward = request(
        new URL(req.url!, base),
        { method: req.method, headers: { ...req.headers, host: base.host } },
        (answer) => {
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on("error", () => res.destroy());
      req.pipe(forward);
    });
    try {
      const through = { ...env, DECART_BASE_URL: proxy.url };
      const target = join(dir, "trickled");
      mkdirSync(target);
      const out = join(target, "lake.mp4");
      const { code, stdout, stderr } = await run(["video", "A lake", "-o", out, "--timeout", "3"], { env: through });
      expect(code, stderr).toBe(5);
      // The job completed and its download began: the download, not the wait, ran out.
      const completed = events(stdout).find((e) => e.type === "completed");
      expect(completed, stdout).toBeDefined();
      expect(events(stdout).some((e) => e.type === "downloading" && e.received_bytes > 0)).toBe(true);
      const id = completed!.job_id;
      expect(events(stdout).at(-1)).toMatchObject({ type: "error", exit_code: 5, code: "TIMEOUT", job_id: id });
      expect(stderr).toContain(`--timeout ran out while downloading the result of ${id} (the job is completed`);
      expect(stderr).toContain(printed(through, "jobs", "result", id, "-o", out));
      expect(readdirSync(target)).toEqual([]);
    } finally {
      await proxy.close();
      await fast.emu.close();
    }
  });
});
