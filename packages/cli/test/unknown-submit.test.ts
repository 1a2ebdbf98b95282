/**
 * A submit is journaled before it is sent: a CLI killed (SIGKILL) while its submit waits for the answer leaves a
 * record that a job may exist. `jobs list` shows it; a batch refuses to run again without --resume, and --resume
 * does not submit the line again (it says why, and what to do) unless --resubmit-unknown is given.
 */
import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeStalePartials, STALE_MS } from "../src/files.js";
import {
  events,
  fastRetries,
  finished,
  journalRecords,
  preloads,
  printed,
  proxyTo,
  run,
  start,
  unresolvable,
  useEmulator,
} from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({ timing: { pendingMs: 20, processingMs: 20 } }, (f) => ({ emu, env, dir } = f), { ownDir: true });

/**
 * A proxy in front of the emulator, at one URL for every run of a test (the journal records the API a job was made on):
 * while `held` is set, a submit's answer is held once the emulator made its job (`held` resolved), never passed on.
 */
let proxy: { url: string; close: () => void };
let url: string;
let held: (() => void) | undefined;
/** Submits whose connection is cut once the emulator made their job (the answer lost: SUBMIT_OUTCOME_UNKNOWN). */
let cut = 0;
beforeAll(async () => {
  proxy = await proxyTo(emu.url, (req, res) => {
    if (!(req.method === "POST" && req.url!.startsWith("/v1/jobs/"))) return false;
    if (held) {
      held();
      return true;
    }
    if (!cut) return false;
    cut--;
    res.destroy();
    return true;
  });
  url = proxy.url;
});
afterAll(() => proxy?.close());

/** Runs the CLI until its submit's job is made, its answer held; then kills it (SIGKILL). */
async function killedMidSubmit(args: string[], environment: Record<string, string>): Promise<void> {
  const made = new Promise<void>((resolve) => (held = resolve));
  const child = start(args, { env: environment });
  const done = finished(child);
  await made;
  held = undefined;
  child.kill("SIGKILL");
  await done;
}

describe("a submit killed while it waits for its answer", () => {
  it("batch: journaled before it is sent; --resume says a job may exist and does not submit the line again", async () => {
    const file = join(dir, "lines.jsonl");
    writeFileSync(file, `${JSON.stringify({ custom_id: "p", prompt: "one" })}\n`);
    const out = join(dir, "out");
    env = { ...env, DECART_BASE_URL: url };
    // The server made the job; its answer is held: killed then, the CLI never got the id.
    await killedMidSubmit(["batch", file, "--out", out], env);
    expect(emu.stats().jobsCreated).toBe(1);
    const records = journalRecords(env.DECART_JOURNAL!);
    expect(records).toEqual([
      expect.objectContaining({ event: "submitting", command: "batch", custom_id: "p", model: "lucy-pro-t2v" }),
    ]);
    // No key, no input in it.
    expect(JSON.stringify(records)).not.toContain("one");
    expect(JSON.stringify(records)).not.toContain(env.DECART_API_KEY);

    // Without --resume: refused, nothing sent (it submitted, and billed, the line again).
    const fresh = await run(["batch", file, "--out", out], { env });
    expect(fresh.code).toBe(2);
    expect(fresh.stderr).toContain("a submit whose answer was never recorded: add --resume");
    expect(emu.stats().jobsCreated).toBe(1);

    // --resume: the line is not submitted again; it says that a job may exist, and the command that submits it anyway.
    const resumed = await run(["batch", file, "--out", out, "--resume"], { env });
    expect(resumed.code).toBe(6);
    const failed = events(resumed.stdout).find((e) => e.type === "line_failed")!;
    expect(failed.custom_id).toBe("p");
    expect(failed.error).toContain("a job may exist (and be billed) that the journal has no id of");
    expect(failed.error).toContain("not submitted again");
    expect(failed.error).toContain(`${printed(env, "batch", file, "--out", out, "--resume")} --resubmit-unknown`);
    expect(emu.stats().jobsCreated).toBe(1);

    // jobs list shows it.
    const list = await run(["jobs", "list"], { env });
    expect(events(list.stdout)).toEqual([
      expect.objectContaining({ type: "unknown_submit", command: "batch", custom_id: "p", model: "lucy-pro-t2v" }),
    ]);

    // Asked for: submitted again, and then no longer unknown.
    const forced = await run(["batch", file, "--out", out, "--resume", "--resubmit-unknown"], { env });
    expect(forced.code).toBe(0);
    expect(emu.stats().jobsCreated).toBe(2);
    expect(existsSync(join(out, "p.mp4"))).toBe(true);
    const after = await run(["jobs", "list"], { env });
    expect(events(after.stdout).map((e) => e.type)).toEqual(["job"]);
  });

  it("video: journaled before it is sent; jobs list shows that a job may exist", async () => {
    const path = join(dir, "v.mp4");
    env = { ...env, DECART_BASE_URL: url };
    await killedMidSubmit(["video", "a lake", "-o", path], env);
    expect(emu.stats().jobsCreated).toBe(1);
    const list = await run(["jobs", "list"], { env });
    expect(events(list.stdout)).toEqual([
      expect.objectContaining({ type: "unknown_submit", command: "video", model: "lucy-pro-t2v", path }),
    ]);
    const human = await run(["jobs", "list", "--no-json"], { env });
    expect(human.stdout).toMatch(
      /^\? {2}\S+ {2}lucy-pro-t2v {2}unknown {2}video: submit sent, its answer never recorded; a job may exist/,
    );
    // A submit that ended (its job recorded) is no longer unknown.
    const made = await run(["video", "a lake", "-o", path], { env });
    expect(made.code).toBe(0);
    const again = await run(["jobs", "list"], { env });
    expect(events(again.stdout).map((e) => e.type)).toEqual(["job", "unknown_submit"]);
  });
});

describe("a submit that failed before anything was sent", () => {
  it("is settled (a name that does not resolve): no unknown submit, and the batch runs again without --resume", async () => {
    const nowhere = {
      ...env,
      // No name resolves (without the machine's resolver), and the retries do not wait (none of their waits: the
      // floors under a second too, some 4 s a batch).
      ...preloads(unresolvable(dir), fastRetries(dir)),
      DECART_BASE_URL: "http://nowhere.invalid",
      DECART_JOURNAL: join(dir, "nowhere.jsonl"),
    };
    const file = join(dir, "nowhere-lines.jsonl");
    writeFileSync(file, `${JSON.stringify({ custom_id: "n", prompt: "nowhere" })}\n`);
    const first = await run(["batch", file, "--out", join(dir, "nowhere-out")], { env: nowhere });
    expect(first.code, first.stderr).toBe(6);
    const video = await run(["video", "a lake", "-o", join(dir, "nowhere.mp4")], { env: nowhere });
    expect(video.code).toBe(1);
    expect(events((await run(["jobs", "list"], { env: nowhere })).stdout)).toEqual([]);
    const again = await run(["batch", file, "--out", join(dir, "nowhere-out")], { env: nowhere });
    expect(again.code, again.stderr).toBe(6);
    expect(again.stderr).not.toContain("--resume");
  });
});

describe("a saved result whose file changed since", () => {
  it("--resume downloads again a result whose file is empty or short (the journal holds its size)", async () => {
    const file = join(dir, "lines.jsonl");
    writeFileSync(file, `${JSON.stringify({ custom_id: "c", prompt: "three" })}\n`);
    const out = join(dir, "out");
    expect((await run(["batch", file, "--out", out], { env })).code).toBe(0);
    const path = join(out, "c.mp4");
    const size = statSync(path).size;
    const saved = journalRecords(env.DECART_JOURNAL!).find((r) => r.event === "saved");
    expect(saved).toMatchObject({ path, bytes: size });
    const jobId = saved.job_id;
    for (const cut of [0, Math.floor(size / 2)]) {
      truncateSync(path, cut);
      const reads = emu.job(jobId)!.contentReads;
      const resumed = await run(["batch", file, "--out", out, "--resume"], { env });
      expect(resumed.code).toBe(0);
      expect(emu.job(jobId)!.contentReads).toBe(reads + 1);
      expect(statSync(path).size).toBe(size);
    }
    // Whole: taken as done, not downloaded again; nor one grown since (an edit of yours), which stays as it is.
    const reads = emu.job(jobId)!.contentReads;
    expect((await run(["batch", file, "--out", out, "--resume"], { env })).code).toBe(0);
    appendFileSync(path, "my edit");
    expect((await run(["batch", file, "--out", out, "--resume"], { env })).code).toBe(0);
    expect(emu.job(jobId)!.contentReads).toBe(reads);
    expect(statSync(path).size).toBe(size + 7);
    expect(emu.stats().jobsCreated).toBe(1);
  });
});

describe("temporary files a killed download left", () => {
  it("are removed by the next download to that path, unless the process that named them runs", async () => {
    // The id of a process that ran and is gone.
    const gone = String(spawnSync(process.execPath, ["-e", "0"]).pid!).padStart(7, "0");
    const out = join(dir, "out");
    const file = join(dir, "lines.jsonl");
    writeFileSync(file, `${JSON.stringify({ custom_id: "a", prompt: "one" })}\n`);
    const { mkdirSync } = await import("node:fs");
    mkdirSync(out);
    const stale = [`a.mp4.${gone}-0123abcd.partial`, `a.mp4.${gone}-0123abcd.partial.${gone}-4567cdef.partial`];
    // Written by a process that runs (this one), and files of other names: kept.
    const kept = [
      `a.mp4.${String(process.pid).padStart(7, "0")}-89abcdef.partial`,
      "a.mp4.0123abcd.partial",
      `b.mp4.${gone}-0123abcd.partial`,
    ];
    // A dead process's file written just now (a download of a decart in another container, whose process this one
    // cannot see): kept too, until it was not written for STALE_MS.
    const fresh = `a.mp4.${gone}-fedcba98.partial`;
    for (const name of [...stale, ...kept, fresh]) writeFileSync(join(out, name), "half");
    const old = new Date(Date.now() - STALE_MS - 60_000);
    for (const name of [...stale, ...kept]) utimesSync(join(out, name), old, old);
    const batch = await run(["batch", file, "--out", out], { env });
    expect(batch.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["a.mp4", ...kept, fresh, "results.jsonl"].sort());

    // `video -o`: those beside its file too.
    const path = join(dir, "v.mp4");
    writeFileSync(`${path}.${gone}-0123abcd.partial`, "half");
    utimesSync(`${path}.${gone}-0123abcd.partial`, old, old);
    expect((await run(["video", "a lake", "-o", path], { env })).code).toBe(0);
    expect(readdirSync(dir).filter((f) => f.startsWith("v.mp4"))).toEqual(["v.mp4"]);
  });

  it("a path is swept once per process: the batch's sweep of its lines is not read again for each line's download", async () => {
    // (A unit test of the rule: what a process does not read again can be seen only by what it leaves there.)
    const gone = String(spawnSync(process.execPath, ["-e", "0"]).pid!).padStart(7, "0");
    const where = join(dir, "once");
    mkdirSync(where);
    const old = new Date(Date.now() - STALE_MS - 60_000);
    const staleOf = (name: string) => {
      const partial = join(where, `${name}.${gone}-0123abcd.partial`);
      writeFileSync(partial, "half");
      utimesSync(partial, old, old);
      return partial;
    };
    // The batch's sweep of its lines, a and b: one read of the directory.
    const a = staleOf("a.mp4");
    expect(await removeStalePartials(join(where, "a.mp4"), join(where, "b.mp4"))).toEqual([a]);
    // Line b's download sweeps its path again: swept already, the directory is not read again (before, once per line:
    // a batch of N lines read it N + 1 times), so what is there now is not looked at.
    const b = staleOf("b.mp4");
    expect(await removeStalePartials(join(where, "b.mp4"))).toEqual([]);
    expect(existsSync(b)).toBe(true);
    // A path not swept yet (a single download of video or jobs wait) is.
    const c = staleOf("c.mp4");
    expect(await removeStalePartials(join(where, "c.mp4"))).toEqual([c]);
  });
});

describe("a batch line whose submit's outcome is unknown", () => {
  it("goes to unknown.jsonl, not errors.jsonl: errors.jsonl fed back in does not submit (and bill) it again", async () => {
    const file = join(dir, "lines.jsonl");
    const lines = [
      JSON.stringify({ custom_id: "u", prompt: "its answer is lost" }),
      JSON.stringify({ custom_id: "f", prompt: "[fail] it fails" }),
    ];
    writeFileSync(file, `${lines.join("\n")}\n`);
    const out = join(dir, "out");
    env = { ...env, DECART_BASE_URL: url };
    // The server makes u's job; the connection is cut before its answer (SUBMIT_OUTCOME_UNKNOWN). f's job fails.
    cut = 1;
    const first = await run(["batch", file, "--out", out, "-c", "1"], { env });
    expect(first.code, first.stderr).toBe(6);
    expect(emu.stats().jobsCreated).toBe(2);
    const failed = events(first.stdout).filter((e) => e.type === "line_failed");
    expect(failed.find((e) => e.custom_id === "u")).toMatchObject({ outcome_unknown: true });
    expect(failed.find((e) => e.custom_id === "f")).not.toHaveProperty("outcome_unknown");
    expect(readFileSync(join(out, "errors.jsonl"), "utf8")).toBe(`${lines[1]}\n`);
    expect(readFileSync(join(out, "unknown.jsonl"), "utf8")).toBe(`${lines[0]}\n`);
    const results = readFileSync(join(out, "results.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(results).toMatchObject([{ custom_id: "u", outcome_unknown: true }, { custom_id: "f" }]);
    expect(events(first.stdout).at(-1)).toMatchObject({
      type: "summary",
      failed: 2,
      outcome_unknown: 1,
      errors: join(out, "errors.jsonl"),
      unknown: join(out, "unknown.jsonl"),
    });
    expect(first.stderr).toContain(
      `1 failed line(s) may have made a job whose id never came back (the submit's outcome is unknown), listed in ` +
        `${join(out, "unknown.jsonl")}, not in errors.jsonl: running them again bills another job each.`,
    );
    expect(first.stderr).toContain(
      `${printed(env, "batch", file, "--out", out, "--concurrency", "1", "--resume")} --resubmit-unknown`,
    );

    // The README's retry of the failed lines: f is submitted again, u is not (before, its second job was billed).
    const retry = await run(["batch", join(out, "errors.jsonl"), "--out", join(dir, "retry")], { env });
    expect(retry.code, retry.stderr).toBe(6);
    expect(events(retry.stdout).at(-1)).toMatchObject({ type: "summary", total: 1 });
    expect(emu.stats().jobsCreated).toBe(3);

    // --resume of the batch does not submit u either; it stays in unknown.jsonl, and errors.jsonl keeps f.
    const resumed = await run(["batch", file, "--out", out, "--resume"], { env });
    expect(resumed.code, resumed.stderr).toBe(6);
    expect(emu.stats().jobsCreated).toBe(3);
    expect(readFileSync(join(out, "unknown.jsonl"), "utf8")).toBe(`${lines[0]}\n`);
    expect(readFileSync(join(out, "errors.jsonl"), "utf8")).toBe(`${lines[1]}\n`);

    // Submitted again when asked (another job): no longer unknown, unknown.jsonl removed.
    const forced = await run(["batch", file, "--out", out, "--resume", "--resubmit-unknown"], { env });
    expect(forced.code, forced.stderr).toBe(6);
    expect(emu.stats().jobsCreated).toBe(4);
    expect(existsSync(join(out, "unknown.jsonl"))).toBe(false);
    expect(readFileSync(join(out, "errors.jsonl"), "utf8")).toBe(`${lines[1]}\n`);
  });
});
