import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { open, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { pathToFileURL } from "node:url";
import { type Emulator, seededRandom } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { batchReader, parseBatch, runBatch } from "../src/commands/batch.js";
import { Output } from "../src/output.js";
import {
  BIN,
  childEnv,
  emulator,
  events,
  fastRetries,
  finished,
  interrupt,
  journalRecords,
  jump,
  KEY,
  onStderr,
  printed,
  run,
  start,
  startHeld,
  useEmulator,
} from "./helpers.js";

let emu: Emulator;
let dir: string;
let env: Record<string, string>;
useEmulator(
  { timing: { pendingMs: 100, processingMs: 200, spread: 0.5 }, random: seededRandom(7) },
  (f) => ({ emu, env, dir } = f),
  { ownDir: true },
);

/**
 * A batch file of `n` lines; every 10th line's job fails. With `hold`, line 1's job stays processing until the test
 * releases it (`releaseLine1`): a batch interrupted once it is running cannot have finished, however slow the machine.
 */
function batchFile(name: string, n: number, hold = false): { path: string; lines: string[] } {
  const lines = Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      custom_id: `clip-${i + 1}`,
      prompt: i % 10 === 9 ? `[fail] line ${i + 1}` : `line ${i + 1}${hold && i === 0 ? " [hold]" : ""}`,
    }),
  );
  const path = join(dir, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return { path, lines };
}

const journal = () => journalRecords(env.DECART_JOURNAL!);
/** Releases line 1's held job, which the journal has (it was submitted first). */
function releaseLine1() {
  const record = journal().find((r) => r.event === "submitted" && r.custom_id === "clip-1");
  expect(record, "line 1 was submitted").toBeDefined();
  expect(emu.release(record.job_id)).toBe(true);
}
/**
 * A directory `name` holding two batches of one line each, `a.jsonl` and `b.jsonl`, of the same custom_id ("1"), and
 * `a` run there (its --out the directory, by default). Answers the directory.
 */
async function twoBatches(name: string): Promise<string> {
  const place = join(dir, name);
  mkdirSync(place);
  writeFileSync(join(place, "a.jsonl"), `${JSON.stringify({ custom_id: "1", prompt: "A serene lake" })}\n`);
  writeFileSync(join(place, "b.jsonl"), `${JSON.stringify({ custom_id: "1", prompt: "A burning city" })}\n`);
  const first = await run(["batch", "a.jsonl"], { env, cwd: place });
  expect(first.code, first.stderr).toBe(0);
  return place;
}
const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const jsonl = (path: string) =>
  readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));

/**
 * Starts a batch and resolves once `count` jobs were submitted (NDJSON events), the child still running. The CLI's
 * grace for the answers of submits in flight at a signal ends only if the test moves its clock on (see `clock.mjs`): a
 * loaded machine's slow answer is waited for.
 */
async function afterSubmits(args: string[], count: number) {
  const child = start(args, { env, clock: true });
  const done = finished(child);
  let submitted = 0;
  for await (const line of createInterface({ input: child.stdout! })) {
    if (JSON.parse(line).type === "submitted" && ++submitted === count) return { child, done };
  }
  throw new Error(`fewer than ${count} submits: ${(await done).stderr}`);
}

/** Each line ended once: completed with the exact bytes the emulator served, or failed with its reason. */
function checkOutcome(out: string, lines: string[]) {
  const results = jsonl(join(out, "results.jsonl"));
  expect(results.map((r) => r.custom_id)).toEqual(lines.map((l) => JSON.parse(l).custom_id));
  const failing = lines.filter((l) => l.includes("[fail]"));
  for (const result of results) {
    if (result.status === "completed") {
      expect(result.path).toBe(join(out, `${result.custom_id}.mp4`));
      expect(sha256(result.path)).toBe(emu.job(result.job_id)!.resultSha256);
    } else {
      expect(result.error).toContain("asked to fail");
    }
  }
  expect(results.filter((r) => r.status === "failed").length).toBe(failing.length);
  // The errors file holds the failed lines exactly as given: it can be fed back in.
  expect(readFileSync(join(out, "errors.jsonl"), "utf8")).toBe(failing.map((l) => `${l}\n`).join(""));
}

/** The journal's job id for each custom_id: exactly one each (no line was submitted twice). */
function oneJobPerLine(lines: string[]) {
  const submitted = journal().filter((r) => r.event === "submitted");
  const ids = new Map<string, Set<string>>();
  for (const r of submitted) ids.set(r.custom_id, (ids.get(r.custom_id) ?? new Set()).add(r.job_id));
  expect(ids.size).toBe(lines.length);
  for (const [id, jobs] of ids) expect(jobs.size, id).toBe(1);
  expect(submitted.length).toBe(lines.length);
}

describe("decart batch", () => {
  it("200 lines under faults, interrupted and resumed: every line ends once, no line is submitted twice", async () => {
    const { path, lines } = batchFile("two-hundred.jsonl", 200, true);
    const out = join(dir, "two-hundred");
    emu.setFaults([
      { route: "submit", kind: "429", rate: 0.05, retryAfterSeconds: 0 },
      { route: "status", kind: "503", rate: 0.2 },
      { route: "content", kind: "truncate", rate: 0.1 },
    ]);
    const args = ["batch", path, "--out", out, "--concurrency", "20"];
    const { child, done } = await afterSubmits(args, 60);
    child.kill("SIGINT");
    const first = await done;
    expect(first.code, first.stderr).toBe(130);
    const summary = events(first.stdout).find((e) => e.type === "summary")!;
    expect(summary.not_finished).toBeGreaterThan(0);
    expect(first.stderr).toContain("--resume");
    releaseLine1();

    const again = await run(args, { env });
    expect(again.code, again.stderr).toBe(2);
    expect(again.stderr).toContain("--resume");

    let resumed = await run([...args, "--resume"], { env });
    // By chance of the faults, a line can end failed for another reason than its prompt, in two ways; another --resume
    // finishes it and makes no second job (the job count below stays 200). Its download cut short on every try (the
    // batch's client tries 9 times: at 10 % truncation, almost never): its job is done and journaled, so the line is
    // resumable (not in the errors file) and --resume downloads it again. Its submit refused with 429 on every try (at
    // 5 %, almost never): the server made no job, so there is none to resume and nothing journaled; --resume submits
    // the line.
    const otherFailures = () =>
      events(resumed.stdout).filter((e) => e.type === "line_failed" && !String(e.error).includes("asked to fail"));
    for (let i = 0; i < 3 && otherFailures().length; i++) {
      const failures = otherFailures();
      const withJob = failures.filter((e) => e.job_id !== undefined);
      const summary = events(resumed.stdout).at(-1)!;
      expect(summary.type).toBe("summary");
      expect(summary.resumable ?? 0, JSON.stringify(failures)).toBe(withJob.length);
      for (const e of failures) {
        expect(e.resumable ?? false, e.error).toBe(e.job_id !== undefined);
        if (e.job_id === undefined) expect(e.error).toContain("HTTP 429");
        // A line whose job exists is finished by --resume, not fed back in through errors.jsonl (a second job).
        const errors = existsSync(join(out, "errors.jsonl")) ? readFileSync(join(out, "errors.jsonl"), "utf8") : "";
        expect(errors.includes(`"custom_id":"${e.custom_id}"`)).toBe(!e.resumable);
      }
      resumed = await run([...args, "--resume"], { env });
    }
    // Any line that failed for another reason than its prompt is named in the assertion's message.
    const unexpected = JSON.stringify(otherFailures());
    expect(resumed.code, `${unexpected}\n${resumed.stderr}`).toBe(6);
    expect(events(resumed.stdout).at(-1), unexpected).toMatchObject({
      type: "summary",
      total: 200,
      completed: 180,
      failed: 20,
    });
    checkOutcome(out, lines);
    oneJobPerLine(lines);
    // A submit in flight at Ctrl-C finished and was recorded: the server made exactly one job per line.
    expect(emu.stats().jobsCreated).toBe(200);
    expect(emu.stats().faultsInjected).toMatchObject({ 429: expect.any(Number), 503: expect.any(Number) });
    // Three runs of 200 lines (about 9 s on an idle machine): a machine shared with other work may take several times
    // the 60 s of a test. Nothing in it races the clock (the emulator's job times only pace it), so it has the time.
  }, 300_000);

  it("a killed batch loses no job: --resume watches what was submitted and submits only the rest", async () => {
    const { path, lines } = batchFile("killed.jsonl", 40, true);
    const out = join(dir, "killed");
    const args = ["batch", path, "--out", out, "--concurrency", "8"];
    const { child, done } = await afterSubmits(args, 12);
    child.kill("SIGKILL");
    expect((await done).signal).toBe("SIGKILL");
    releaseLine1();
    const recorded = journal().filter((r) => r.event === "submitted").length;
    expect(recorded).toBeGreaterThanOrEqual(12);

    const resumed = await run([...args, "--resume"], { env });
    expect(resumed.code, resumed.stderr).toBe(6);
    // Only a submit the server took in the instant before the kill, before its answer arrived, can be unknown: its
    // line is not submitted again (a job may exist), unless asked.
    const unknown = events(resumed.stdout).filter(
      (e) => e.type === "line_failed" && String(e.error).includes("a job may exist"),
    );
    expect(unknown.length).toBeLessThanOrEqual(8);
    const forced = await run([...args, "--resume", "--resubmit-unknown"], { env });
    expect(forced.code, forced.stderr).toBe(6);
    checkOutcome(out, lines);
    oneJobPerLine(lines);
    expect(emu.stats().jobsCreated - lines.length).toBeLessThanOrEqual(8);
  });

  it("a journal whose last line was cut short (a kill mid-write) still records the batch: no second job", async () => {
    const { path } = batchFile("torn.jsonl", 2);
    const out = join(dir, "torn");
    writeFileSync(env.DECART_JOURNAL!, '{"at":"2026-01-01T00:00:01.000Z","job_id":"job_o');
    const args = ["batch", path, "--out", out];
    const first = await run(args, { env });
    expect(first.code, first.stderr).toBe(0);
    const listed = await run(["jobs", "list"], { env });
    // Both lines recorded, each once (in the order their submits were answered: the batch sends them at once).
    expect(
      events(listed.stdout)
        .map((e) => e.custom_id)
        .sort(),
    ).toEqual(["clip-1", "clip-2"]);
    const again = await run(args, { env });
    expect(again.code, again.stderr).toBe(2);
    expect(again.stderr).toContain("add --resume");
    expect((await run([...args, "--resume"], { env })).code).toBe(0);
    expect(emu.stats().jobsCreated).toBe(2);
  });

  it("a batch file is one batch through any path: a link to its directory, a hard link, the file saved anew", async () => {
    mkdirSync(join(dir, "linked-real"));
    symlinkSync("linked-real", join(dir, "linked-link"));
    const line = `${JSON.stringify({ custom_id: "a", prompt: "x" })}\n`;
    writeFileSync(join(dir, "linked-real", "b.jsonl"), line);
    linkSync(join(dir, "linked-real", "b.jsonl"), join(dir, "linked-hard.jsonl"));
    const out = join(dir, "linked-out");
    const first = await run(["batch", join(dir, "linked-link", "b.jsonl"), "--out", out], { env });
    expect(first.code, first.stderr).toBe(0);
    for (const path of [join(dir, "linked-real", "b.jsonl"), join(dir, "linked-hard.jsonl")]) {
      const again = await run(["batch", path, "--out", out], { env });
      expect(again.code, `${path}: ${again.stderr}`).toBe(2);
      expect(again.stderr, path).toContain("add --resume");
      expect((await run(["batch", path, "--out", out, "--resume"], { env })).code, path).toBe(0);
    }
    // Saved anew (as an editor does: another file renamed over it), it is still the batch its paths lead to.
    writeFileSync(join(dir, "linked-new.jsonl"), line);
    renameSync(join(dir, "linked-new.jsonl"), join(dir, "linked-real", "b.jsonl"));
    const edited = await run(["batch", join(dir, "linked-real", "b.jsonl"), "--out", out], { env });
    expect(edited.code, edited.stderr).toBe(2);
    expect(emu.stats().jobsCreated).toBe(1);
  });

  it("a journal that cannot be written mid-batch loses no job id: the lines complete, --resume reads the ids", async () => {
    const path = join(dir, "lost.jsonl");
    const input = [
      { custom_id: "a", prompt: "A lake [hold]" },
      { custom_id: "b", prompt: "A river" },
    ];
    writeFileSync(path, input.map((l) => `${JSON.stringify(l)}\n`).join(""));
    const out = join(dir, "lost");
    const journalDir = join(dir, "lost-journal");
    const args = ["batch", path, "--out", out, "-c", "1", "--journal", join(journalDir, "jobs.jsonl")];
    const child = start(args, { env });
    const done = finished(child);
    let held: string | undefined;
    for await (const line of createInterface({ input: child.stdout! })) {
      held = JSON.parse(line).type === "submitted" ? JSON.parse(line).job_id : undefined;
      if (held) break;
    }
    // Its directory replaced by a file (as a full disk or a lost permission): no record can be written from now on.
    rmSync(journalDir, { recursive: true });
    writeFileSync(journalDir, "");
    expect(emu.release(held!)).toBe(true);
    const first = await done;
    expect(first.code, first.stderr).toBe(1);
    expect(first.stderr.split("Could not write the journal").length, first.stderr).toBe(2);
    const results = jsonl(join(out, "results.jsonl"));
    // With what tells the batch's lines apart, as a journal record has it.
    const identity = { batch: path, base_url: env.DECART_BASE_URL, line_hash: expect.stringMatching(/^[0-9a-f]{16}$/) };
    expect(results).toMatchObject([
      { custom_id: "a", status: "completed", job_id: held, journaled: false, ...identity },
      { custom_id: "b", status: "completed", job_id: expect.stringMatching(/^job_/), journaled: false, ...identity },
    ]);
    for (const r of results) expect(sha256(r.path)).toBe(emu.job(r.job_id)!.resultSha256);
    const lost = events(first.stdout).filter((e) => e.type === "journal_failed");
    expect(new Set(lost.map((e) => e.job_id))).toEqual(new Set(results.map((r) => r.job_id)));
    expect(events(first.stdout).at(-1)).toMatchObject({
      type: "summary",
      completed: 2,
      not_journaled: 2,
      exit_code: 1,
    });
    // The command it names carries the URL and the journal in effect, as every printed command does.
    // Options first, then -- and the id: right for any id, one that starts with - too (see the README).
    const wait = printed({ ...env, DECART_JOURNAL: join(journalDir, "jobs.jsonl") }, "jobs", "wait", "-o");
    expect(first.stderr).toContain(`(or ${wait} <file> -- <job id>)`);

    // Once the journal can be written: the batch is known, and --resume makes no new job and journals both.
    rmSync(journalDir);
    const again = await run(args, { env });
    expect(again.code, again.stderr).toBe(2);
    expect(again.stderr).toContain("add --resume");
    const resumed = await run([...args, "--resume"], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(emu.stats().jobsCreated).toBe(2);
    const listed = await run(["jobs", "list", "--journal", join(journalDir, "jobs.jsonl")], { env });
    expect(events(listed.stdout)).toMatchObject(
      results.map((r) => ({ job_id: r.job_id, custom_id: r.custom_id, state: "saved", path: r.path })),
    );
  });

  it("a job id in results.jsonl is this batch's line only as a journal record is: same line text, same server", async () => {
    const path = join(dir, "adopt.jsonl");
    const lines = [
      JSON.stringify({ custom_id: "a", prompt: "A lake" }),
      JSON.stringify({ custom_id: "b", prompt: "x" }),
    ];
    writeFileSync(path, lines.map((l) => `${l}\n`).join(""));
    const hash = createHash("sha256").update(lines[0]!).digest("hex").slice(0, 16);
    const out = join(dir, "adopt");
    mkdirSync(out);
    const row = { custom_id: "a", line: 1, job_id: "job_unjournaled", status: "failed", error: "x", resumable: true };
    const mine = { ...row, journaled: false, batch: path, base_url: env.DECART_BASE_URL, line_hash: hash };
    const cases: Array<[string, Record<string, unknown>, boolean]> = [
      ["this run's", mine, true],
      ["a record without hash nor URL", { ...row, journaled: false, batch: path }, true],
      ["another server's", { ...mine, base_url: "http://127.0.0.1:9" }, false],
      ["a line since changed", { ...mine, line_hash: "0123456789abcdef" }, false],
      ["another batch's", { ...mine, batch: join(dir, "other.jsonl") }, false],
    ];
    for (const [what, record, adopted] of cases) {
      writeFileSync(join(out, "results.jsonl"), `${JSON.stringify(record)}\n`);
      // Taken as this batch's line: without --resume, refused (its job is not submitted again). Not taken: --resume
      // finds no line of the batch, and is refused.
      const args = ["batch", path, "--out", out, "--journal", join(dir, `${what}.jsonl`)];
      const refused = await run(adopted ? args : [...args, "--resume"], { env });
      expect(refused.code, `${what}: ${refused.stderr}`).toBe(2);
      expect(refused.stderr, what).toContain(
        adopted ? `in ${join(out, "results.jsonl")}: add --resume` : "--resume: no line of this batch",
      );
    }
    expect(emu.stats().jobsCreated).toBe(0);
  });

  it("a submit refused with 429 (no job made) waits through the rate-limit gate and tries again 8 times, not 2", async () => {
    emu.setFaults([{ route: "submit", kind: "429", retryAfterSeconds: 0 }]);
    const input = `${JSON.stringify({ custom_id: "a", prompt: "x" })}\n`;
    // Retry-After: 0 still waits the policy's floor, 50 ms doubling to 1 s (some 4.5 s for 8 tries): those waits pass
    // at once, the tries the same.
    const { code, stdout } = await run(["batch", "-", "--out", join(dir, "refused-429")], {
      env: { ...env, ...fastRetries(dir) },
      input,
    });
    expect(code).toBe(6);
    expect(events(stdout).find((e) => e.type === "line_failed")).toMatchObject({ custom_id: "a" });
    expect(emu.stats().requests.byRoute.submit).toBe(9);
    expect(emu.stats().jobsCreated).toBe(0);
  });

  it("every event of a line carries its custom_id, the download's progress too", async () => {
    // Line 1's job is held until its status was printed: on a loaded machine a job may be done before its first read,
    // which then has no `status` event.
    const { path } = batchFile("tagged.jsonl", 3, true);
    const child = start(["batch", path, "--out", join(dir, "tagged")], { env });
    const done = finished(child);
    for await (const line of createInterface({ input: child.stdout! })) {
      const event = JSON.parse(line);
      if (event.type === "status" && event.custom_id === "clip-1") {
        releaseLine1();
        break;
      }
    }
    const { code, stdout, stderr } = await done;
    expect(code, stderr).toBe(0);
    const ofJobs = events(stdout).filter((e) => e.job_id !== undefined);
    expect(new Set(ofJobs.map((e) => e.type))).toEqual(
      new Set(["submitted", "status", "completed", "downloading", "saved", "line_completed"]),
    );
    for (const event of ofJobs) expect(event.custom_id, JSON.stringify(event)).toMatch(/^clip-[123]$/);
    // Each line's job is one custom_id's, whatever the event.
    const lineOf = new Map(ofJobs.filter((e) => e.type === "submitted").map((e) => [e.job_id, e.custom_id]));
    for (const event of ofJobs) expect(event.custom_id).toBe(lineOf.get(event.job_id));
  });

  it("a result the disk refuses once the job is done: the line is resumable and says --resume downloads it", async () => {
    const { path } = batchFile("refused.jsonl", 1, true);
    const out = join(dir, "refused");
    const args = ["batch", path, "--out", out];
    const { done } = await afterSubmits(args, 1);
    // The result's place is taken after the CLI checked it, before the download.
    mkdirSync(join(out, "clip-1.mp4"), { recursive: true });
    releaseLine1();
    const first = await done;
    expect(first.code, first.stderr).toBe(6);
    const failed = events(first.stdout).find((e) => e.type === "line_failed")!;
    expect(failed).toMatchObject({ custom_id: "clip-1", resumable: true });
    expect(failed.error).toContain(
      `Could not save the result of ${failed.job_id} to ${join(out, "clip-1.mp4")} (EISDIR`,
    );
    expect(failed.error).toContain(`it stays on the server: ${printed(env, "batch", path, "--out", out, "--resume")}`);
    expect(failed.error).not.toContain("jobs result");
    rmSync(join(out, "clip-1.mp4"), { recursive: true });
    const resumed = await run([...args, "--resume"], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(sha256(join(out, "clip-1.mp4"))).toBe(emu.job(failed.job_id)!.resultSha256);
    expect(emu.stats().jobsCreated).toBe(1);
  });

  it("the errors file runs as a batch of its own", async () => {
    const { path } = batchFile("small.jsonl", 10);
    const out = join(dir, "small");
    const first = await run(["batch", path, "--out", out], { env });
    expect(first.code).toBe(6);
    const retry = await run(["batch", join(out, "errors.jsonl"), "--out", join(out, "retry")], { env });
    expect(retry.code).toBe(6);
    expect(events(retry.stdout).at(-1)).toMatchObject({ type: "summary", total: 1, failed: 1, exit_code: 6 });
  });

  it("reads stdin, exits 0 when every line completes, and prints a summary for a human", async () => {
    const out = join(dir, "stdin");
    const input = `${JSON.stringify({ custom_id: "a b", prompt: "x", resolution: "480p" })}\n${JSON.stringify({ custom_id: "7", model: "lucy-pro-t2v", prompt: "y" })}\n`;
    const { code, stdout, stderr } = await run(["batch", "-", "--out", out, "--no-json"], { env, input });
    expect(code, stderr).toBe(0);
    expect(stdout).toContain("2 completed");
    expect(existsSync(join(out, "a_b.mp4"))).toBe(true);
    expect(existsSync(join(out, "7.mp4"))).toBe(true);
    expect(existsSync(join(out, "errors.jsonl"))).toBe(false);
  });

  it("a custom_id in any script keeps its letters and digits in the file name; separators and device names do not pass", async () => {
    const out = join(dir, "scripts");
    const ids = ["日本", "中国", "Ünïcödé-٣", "हिन्दी", "a/b\\c", "nul", "..x", "tab\there"];
    const input = ids.map((id) => `${JSON.stringify({ custom_id: id, prompt: "x" })}\n`).join("");
    const { code, stdout, stderr } = await run(["batch", "-", "--out", out], { env, input });
    expect(code, stderr).toBe(0);
    const names = ["日本", "中国", "Ünïcödé-٣", "हिन्दी", "a_b_c", "_nul", "_x", "tab_here"];
    const paths = Object.fromEntries(
      events(stdout)
        .filter((e) => e.type === "line_completed")
        .map((e) => [e.custom_id, e.path]),
    );
    expect(ids.map((id) => paths[id])).toEqual(names.map((name) => join(out, `${name}.mp4`)));
    for (const name of names) expect(existsSync(join(out, `${name}.mp4`)), name).toBe(true);
  });

  it("image lines go through the Process API, are journaled once written, and --resume does not redo them", async () => {
    const out = join(dir, "images");
    const lines = [
      { custom_id: "lighthouse", model: "lucy-pro-t2i", prompt: "A lighthouse", orientation: "portrait" },
      { custom_id: "storm", model: "lucy-pro-t2i", prompt: "[fail] A storm" },
      { custom_id: "lake", prompt: "A lake" },
    ].map((l) => JSON.stringify(l));
    const path = join(dir, "images.jsonl");
    writeFileSync(path, `${lines.join("\n")}\n`);
    const args = ["batch", path, "--out", out];

    const first = await run(args, { env });
    expect(first.code, first.stderr).toBe(6);
    expect(emu.stats().requests.byRoute.process).toBe(2);
    expect(emu.stats().jobsCreated).toBe(1);
    const saved = events(first.stdout).find((e) => e.type === "saved" && e.custom_id === "lighthouse")!;
    expect(saved).toMatchObject({ model: "lucy-pro-t2i", path: join(out, "lighthouse.png") });
    expect(readFileSync(saved.path).subarray(1, 4).toString()).toBe("PNG");
    expect(saved.bytes).toBe(readFileSync(saved.path).length);
    expect(jsonl(join(out, "results.jsonl"))).toMatchObject([
      { custom_id: "lighthouse", line: 1, status: "completed", path: saved.path },
      {
        custom_id: "storm",
        line: 2,
        status: "failed",
        error: expect.stringContaining("asked to fail"),
        outcome_unknown: true,
      },
      { custom_id: "lake", line: 3, status: "completed", path: join(out, "lake.mp4") },
    ]);
    // A 5xx answer to the image request: the client's SUBMIT_OUTCOME_UNKNOWN (an image may have been made), so the
    // line is in unknown.jsonl, not in errors.jsonl to be run again.
    expect(readFileSync(join(out, "unknown.jsonl"), "utf8")).toBe(`${lines[1]}\n`);
    expect(existsSync(join(out, "errors.jsonl"))).toBe(false);
    // The written image is in the journal, without a job id (an image has none).
    const image = journal().find((r) => r.custom_id === "lighthouse" && r.event === "image_saved");
    expect(image).toMatchObject({ event: "image_saved", path: saved.path, batch: path });
    expect(image.job_id).toBeUndefined();

    expect((await run(args, { env })).code).toBe(2);
    const resumed = await run([...args, "--resume"], { env });
    expect(resumed.code, resumed.stderr).toBe(6);
    // Nothing asked for again: the written image and the saved video were kept, and the failed image, whose request's
    // outcome is unknown (journaled before it was sent, never settled), is not asked for (and billed) a second time.
    expect(emu.stats().requests.byRoute.process).toBe(2);
    expect(emu.stats().jobsCreated).toBe(1);
    expect(readFileSync(join(out, "unknown.jsonl"), "utf8")).toBe(`${lines[1]}\n`);
    expect(events(resumed.stdout).at(-1)).toMatchObject({
      type: "summary",
      total: 3,
      completed: 2,
      failed: 1,
      exit_code: 6,
    });
  });

  it("--resume keeps an image written before its journal record (a run killed between the two): no second request", async () => {
    const out = join(dir, "unrecorded");
    const lines = [
      { custom_id: "dawn", model: "lucy-pro-t2i", prompt: "Dawn" },
      { custom_id: "dusk", model: "lucy-pro-t2i", prompt: "Dusk" },
    ].map((l) => JSON.stringify(l));
    const path = join(dir, "unrecorded.jsonl");
    writeFileSync(path, `${lines.join("\n")}\n`);
    const args = ["batch", path, "--out", out];
    const first = await run(args, { env });
    expect(first.code, first.stderr).toBe(0);
    const dusk = join(out, "dusk.png");
    const bytes = sha256(dusk);
    // The run wrote dusk's image but stopped before its journal record (its request's record, written before it was
    // sent, stays unsettled).
    const kept = journal().filter((r) => !(r.custom_id === "dusk" && r.event === "image_saved"));
    expect(kept.filter((r) => r.event === "image_saved")).toHaveLength(1);
    expect(kept.filter((r) => r.event === "submitting")).toHaveLength(2);
    writeFileSync(env.DECART_JOURNAL!, kept.map((r) => `${JSON.stringify(r)}\n`).join(""));
    emu.resetStats();

    const resumed = await run([...args, "--resume"], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(emu.stats().requests.byRoute.process ?? 0).toBe(0);
    expect(events(resumed.stdout)).toContainEqual(
      expect.objectContaining({ type: "line_completed", custom_id: "dusk", path: dusk }),
    );
    expect(events(resumed.stdout).at(-1)).toMatchObject({
      type: "summary",
      total: 2,
      completed: 2,
      failed: 0,
      exit_code: 0,
    });
    expect(sha256(dusk)).toBe(bytes);
    // Journaled now, as if the first run had finished.
    expect(journal().find((r) => r.custom_id === "dusk" && r.event === "image_saved")).toMatchObject({
      event: "image_saved",
      path: dusk,
      batch: path,
    });
  });

  describe("input errors name the line, and nothing is sent", () => {
    const rejected = async (text: string, ...expected: string[]) => {
      // In the test's directory: a line accepted by mistake writes its result and report there, not in the package.
      const { code, stderr } = await run(["batch", "-"], { env, input: text, cwd: dir });
      expect(code).toBe(2);
      for (const e of expected) expect(stderr).toContain(e);
      expect(emu.stats().requests.total).toBe(0);
    };
    const line = (o: object) => `${JSON.stringify(o)}\n`;

    it("a missing custom_id", () =>
      rejected(line({ custom_id: "a", prompt: "x" }) + line({ prompt: "y" }), "line 2", "custom_id"));
    it("a repeated custom_id", () =>
      rejected(
        line({ custom_id: "a", prompt: "x" }) +
          line({ custom_id: "b", prompt: "y" }) +
          line({ custom_id: "a", prompt: "z" }),
        "line 3",
        "repeats line 1",
      ));
    it("two custom_ids that make one file name", () =>
      rejected(line({ custom_id: "a/b", prompt: "x" }) + line({ custom_id: "a_b", prompt: "y" }), "line 2", "line 1"));
    it("two custom_ids whose file names are one on a file system that ignores case (APFS, NTFS), beyond lower case", async () => {
      for (const [a, b] of [
        ["ΑΣ", "ας"],
        ["ας", "ασ"],
        ["STRASSE", "straße"],
        ["STRAẞE", "Straße"],
        ["ſ", "S"],
        ["ﬁle", "FILE"],
      ])
        await rejected(line({ custom_id: a, prompt: "x" }) + line({ custom_id: b, prompt: "y" }), "line 2", "line 1");
    });
    it("a line that is not a JSON object, an unknown model", async () => {
      await rejected(`${line({ custom_id: "a", prompt: "x" })}[1,2]\n`, "line 2");
      await rejected(`${line({ custom_id: "a", prompt: "x" })}{oops\n`, "line 2", "not JSON (");
      await rejected(line({ custom_id: "a", model: "lucy-nope", prompt: "x" }), "line 1", "lucy-nope");
    });
    it("a custom_id too long to name a file (it would fail only once its job was paid for), counted in bytes", async () => {
      await rejected(line({ custom_id: "k".repeat(201), prompt: "x" }), "line 1", "at most 200");
      await rejected(line({ custom_id: "日".repeat(67), prompt: "x" }), "line 1", "201 bytes", "at most 200");
    });
    it("a last line cut short (stdin closed early), even after a BOM and CRLF line ends", () =>
      rejected(`\ufeff${line({ custom_id: "a", prompt: "x" })}\r\n{"custom_id":"b","pro`, "line 3", "not JSON ("));
    it("a bad --concurrency", () =>
      run(["batch", "-", "-c", "0"], { env, input: "" }).then((r) => expect(r.code).toBe(2)));
  });

  it("a batch refused up front (its journal among them) creates nothing: no --out directory, nothing sent", async () => {
    const path = join(dir, "refused.jsonl");
    writeFileSync(path, `${JSON.stringify({ custom_id: "a", prompt: "x" })}\n`);
    // A journal that already has this batch's line: without --resume the batch is refused.
    const journaled = join(dir, "refused-journal.jsonl");
    const record = { at: new Date().toISOString(), job_id: "job_x", event: "submitted", custom_id: "a", batch: path };
    writeFileSync(journaled, `${JSON.stringify(record)}\n`);
    symlinkSync("refused-loop", join(dir, "refused-loop"));
    mkdirSync(join(dir, "refused-directory"));
    const out = join(dir, "refused-out", "results");
    const cases: Array<[string, string[], Record<string, string | undefined>, string, number?]> = [
      ["journaled, no --resume", [], { DECART_JOURNAL: journaled }, "add --resume"],
      ["the journal a directory", ["--journal", join(dir, "refused-directory")], {}, "is a directory"],
      ["the journal a link loop", ["--journal", join(dir, "refused-loop")], {}, "ELOOP"],
      ["no API key", [], { DECART_API_KEY: undefined }, "No API key", 4],
      ["a bad --timeout", ["--timeout", "0"], {}, "--timeout"],
      // A journal where the batch writes: its directory, its report, a line's result (each would take the job ids).
      ["the journal at --out", ["--journal", out], {}, "where the command writes"],
      ["the journal above --out", ["--journal", join(dir, "refused-out")], {}, "where the command writes"],
      ["the journal as the report", ["--journal", join(out, "results.jsonl")], {}, "where the command writes"],
      ["the journal as a line's result", ["--journal", join(out, "a.mp4")], {}, "where the command writes"],
    ];
    for (const [name, args, extra, message, exit = 2] of cases) {
      const { code, stderr } = await run(["batch", path, "--out", out, ...args], { env: { ...env, ...extra } });
      expect(code, `${name}: ${stderr}`).toBe(exit);
      expect(stderr, name).toContain(message);
      expect(existsSync(join(dir, "refused-out")), name).toBe(false);
    }
    expect(emu.stats().requests.total).toBe(0);
  });

  it("a batch file that the batch would write (a report in --out, a line's result, the journal) is refused: exit 2, nothing sent, the file kept", async () => {
    const place = join(dir, "apart");
    mkdirSync(join(place, "out"), { recursive: true });
    mkdirSync(join(place, "linked"));
    const text = `${JSON.stringify({ custom_id: "a", prompt: "x" })}\n${JSON.stringify({ custom_id: "b", prompt: "y" })}\n`;
    const cases: Array<[string, string, string[], string]> = [
      // Before the fix the batch replaced errors.jsonl by its failed lines, or removed it when none failed (at a second
      // Ctrl-C too), results.jsonl by its report, a.mp4 by line a's video; the journal had its records appended.
      ["errors.jsonl in --out", "out/errors.jsonl", ["--out", "out"], "is the errors.jsonl the batch writes in"],
      ["results.jsonl in --out", "out/results.jsonl", ["--out", "out"], "is the results.jsonl the batch writes in"],
      ["a line's result", "out/a.mp4", ["--out", "out"], "is where the batch writes the result of line 1"],
      ["a report through a hard link", "hard.jsonl", ["--out", "linked"], "is the errors.jsonl the batch writes in"],
      ["the journal", "journal.jsonl", ["--out", "out", "--journal", "journal.jsonl"], "is the journal"],
    ];
    for (const [name, file, args, message] of cases) {
      writeFileSync(join(place, file), text);
      if (file === "hard.jsonl") linkSync(join(place, file), join(place, "linked", "errors.jsonl"));
      const { code, stdout, stderr } = await run(["batch", file, ...args], { env, cwd: place });
      expect(code, `${name}: ${stderr}`).toBe(2);
      expect(stderr, name).toContain(`the batch file ${join(place, file)} ${message}`);
      expect(events(stdout).at(-1), name).toMatchObject({ type: "error", exit_code: 2 });
      expect(readFileSync(join(place, file), "utf8"), name).toBe(text);
    }
    // The journal is named with how it was chosen: the flag, the variable, or its default place when neither is given
    // (the message named "(--journal, DECART_JOURNAL)" whichever it was, neither given too).
    const state = join(place, "state");
    const defaultJournal = join(state, "decart", "jobs.jsonl");
    mkdirSync(join(state, "decart"), { recursive: true });
    writeFileSync(defaultJournal, text);
    for (const [how, extra, chosen] of [
      ["--journal", { DECART_JOURNAL: undefined, XDG_STATE_HOME: undefined }, "given by --journal"],
      ["DECART_JOURNAL", { DECART_JOURNAL: defaultJournal, XDG_STATE_HOME: undefined }, "given by DECART_JOURNAL"],
      [
        "neither",
        { DECART_JOURNAL: undefined, XDG_STATE_HOME: state },
        "its default place, as neither --journal nor DECART_JOURNAL is given",
      ],
    ] as const) {
      const args = how === "--journal" ? ["--journal", defaultJournal] : [];
      const { code, stderr } = await run(["batch", defaultJournal, "--out", "out", ...args], {
        env: { ...env, ...extra },
        cwd: place,
      });
      expect(code, `${how}: ${stderr}`).toBe(2);
      expect(stderr, how).toContain(
        `the batch file ${defaultJournal} is the journal ${defaultJournal} (${chosen}), where the batch appends`,
      );
    }
    expect(readFileSync(defaultJournal, "utf8")).toBe(text);
    expect(emu.stats().requests.total).toBe(0);
  });

  it("a second batch in one --out (the current directory by default) is refused, exit 2 naming --out: the first's report and results kept", async () => {
    const place = await twoBatches("two-batches");
    const report = readFileSync(join(place, "results.jsonl"), "utf8");
    expect(JSON.parse(report)).toMatchObject({ custom_id: "1", batch: join(place, "a.jsonl") });
    const video = sha256(join(place, "1.mp4"));
    for (const args of [[], ["--out", "."], ["--out", place]]) {
      // Before the fix the second batch replaced 1.mp4 and results.jsonl without a word; a's --resume then said its
      // line was completed, its file being b's video.
      const second = await run(["batch", "b.jsonl", ...args], { env, cwd: place });
      expect(second.code, second.stderr).toBe(2);
      expect(second.stderr).toContain(
        `${args.length ? `--out ${args[1]}` : "--out (the current directory by default)"}: ${place} holds the report ` +
          `of another batch (${join(place, "a.jsonl")}) in ${join(place, "results.jsonl")}`,
      );
    }
    expect(emu.stats().jobsCreated).toBe(1);
    expect(readFileSync(join(place, "results.jsonl"), "utf8")).toBe(report);
    expect(sha256(join(place, "1.mp4"))).toBe(video);
    // The first batch's own --resume, and the second in another --out, run.
    expect((await run(["batch", "a.jsonl", "--resume"], { env, cwd: place })).code).toBe(0);
    const apart = await run(["batch", "b.jsonl", "--out", "b"], { env, cwd: place });
    expect(apart.code, apart.stderr).toBe(0);
    expect(sha256(join(place, "1.mp4"))).toBe(video);
  });

  it("a report whose lines name no batch is refused for another batch, exit 2 naming --out and the file; taken by its own batch's --resume", async () => {
    const place = await twoBatches("unnamed-report");
    // The report with lines that name no batch: the same lines without `batch`.
    const results = join(place, "results.jsonl");
    const report = readFileSync(results, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const { batch, ...rest } = JSON.parse(line);
        expect(batch).toBe(join(place, "a.jsonl"));
        return `${JSON.stringify(rest)}\n`;
      })
      .join("");
    writeFileSync(results, report);
    const video = sha256(join(place, "1.mp4"));
    const jobs = emu.stats().jobsCreated;
    // Before the fix the second batch replaced 1.mp4 and results.jsonl, as when the report named its batch.
    const second = await run(["batch", "b.jsonl", "--out", "."], { env, cwd: place });
    expect(second.code, second.stderr).toBe(2);
    expect(second.stderr).toContain(
      `--out .: ${place} holds the report of a batch that the journal does not know as this one (its lines name no ` +
        `batch, and none of them is a job or an image the journal holds for a line of this batch) in ${results}; ` +
        `this batch would replace it and that ` +
        `batch's results of the same names. Give another --out (or remove ${results} to replace them) (nothing was sent)`,
    );
    expect(events(second.stdout).at(-1)).toMatchObject({ type: "error", exit_code: 2 });
    expect(emu.stats().jobsCreated).toBe(jobs);
    expect(readFileSync(results, "utf8")).toBe(report);
    expect(sha256(join(place, "1.mp4"))).toBe(video);
    // Its own batch finds its job in the journal under that line: the report is its own, and --resume runs.
    const resumed = await run(["batch", "a.jsonl", "--resume"], { env, cwd: place });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(emu.stats().jobsCreated).toBe(jobs);
    expect(sha256(join(place, "1.mp4"))).toBe(video);
    // Its report (naming it again) with a line of no batch added, one the journal does not hold: refused all the
    // same, the message saying that only some of its lines name no batch.
    const mixed = `${readFileSync(results, "utf8")}{"custom_id":"9","line":9,"status":"completed","path":"9.mp4"}\n`;
    writeFileSync(results, mixed);
    const again = await run(["batch", "a.jsonl", "--resume"], { env, cwd: place });
    expect(again.code, again.stderr).toBe(2);
    expect(again.stderr).toContain(
      `${place} holds the report of a batch that the journal does not know as this one (some of its lines name no ` +
        "batch, and none of them is a job or an image the journal holds for a line of this batch)",
    );
    expect(readFileSync(results, "utf8")).toBe(mixed);
  });

  it("--concurrency 16 with -q writes nothing on stderr (no MaxListenersExceededWarning from the lines in flight)", async () => {
    const path = join(dir, "sixteen.jsonl");
    const lines = Array.from({ length: 16 }, (_, i) => JSON.stringify({ custom_id: `s${i}`, prompt: `A lake ${i}` }));
    writeFileSync(path, `${lines.join("\n")}\n`);
    const result = await run(["batch", path, "--concurrency", "16", "--out", join(dir, "sixteen"), "-q"], { env });
    expect(result.code, result.stderr).toBe(0);
    // Before the fix: "MaxListenersExceededWarning: Possible EventTarget memory leak detected. 11 abort listeners …".
    expect(result.stderr).toBe("");
    expect(events(result.stdout).at(-1)).toMatchObject({ type: "summary", completed: 16 });
  });

  /**
   * Runs the CLI with `input` written to its stdin, which is left open unless `end`; the CLI may stop reading it (a
   * refusal): what is not read then is not written (EPIPE), no error of the test.
   */
  function fed(args: string[], input: string | Buffer, end = true) {
    const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(env), stdio: ["pipe", "pipe", "pipe"] });
    const done = finished(child);
    child.stdin!.on("error", () => {});
    if (end) child.stdin!.end(input);
    else child.stdin!.write(input);
    return done.finally(() => child.stdin!.destroy());
  }

  it("batch - checks each line as it comes: a repeated custom_id is refused while stdin is still open, nothing sent", async () => {
    // Two lines, and stdin left open (a generator still writing): before the fix the batch read stdin to its end before
    // it checked a line (300 MB took 1.5 GB; 700 MB ended in ERR_STRING_TOO_LONG), and this one waited for ever.
    const refused = await fed(
      ["batch", "-", "--out", join(dir, "streamed")],
      `${JSON.stringify({ custom_id: "a", prompt: "x" })}\n${JSON.stringify({ custom_id: "a", prompt: "y" })}\n`,
      false,
    );
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain('line 2: "custom_id" "a" repeats line 1');
    expect(emu.stats().requests.total).toBe(0);
  });

  it("a batch over 64 MiB or 100000 lines is refused as it passes that, exit 2 saying to split it, nothing sent", async () => {
    // One line of 65 MiB (its prompt), never whole in memory.
    const long = Buffer.alloc(65 * 1024 * 1024, "x");
    long.write('{"custom_id":"a","prompt":"');
    const big = await fed(["batch", "-", "--out", join(dir, "big")], long);
    expect(big.code, big.stderr).toBe(2);
    expect(big.stderr).toContain(
      "Standard input (-) holds more than 64 MiB, the most a batch takes; split it into several batches",
    );
    const path = join(dir, "many.jsonl");
    const line = (i: number) => `{"custom_id":"m${i}","prompt":"x"}\n`;
    writeFileSync(path, Array.from({ length: 100_001 }, (_, i) => line(i)).join(""));
    // Without a key: before the fix every line was taken, and the batch went on to fail for the key (exit 4).
    const many = await run(["batch", path, "--out", join(dir, "many")], { env: { ...env, DECART_API_KEY: undefined } });
    expect(many.code, many.stderr).toBe(2);
    expect(many.stderr).toContain("line 100001: a batch takes at most 100000 lines; split it into several batches");
    expect(emu.stats().requests.total).toBe(0);
  });

  it("a custom_id that is an array or an object is named by its kind, however deep (JSON.parse reads any depth)", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    // Before the fix: RangeError, "Maximum call stack size exceeded" (the value written out with JSON.stringify).
    expect(() => parseBatch(`{"custom_id":${deep},"prompt":"x"}\n`)).toThrow(
      'line 1: "custom_id" must be a string (got an array)',
    );
    expect(() => parseBatch('{"custom_id":{"a":1},"prompt":"x"}\n')).toThrow(
      'line 1: "custom_id" must be a string (got an object)',
    );
    expect(() => parseBatch('{"custom_id":true,"prompt":"x"}\n')).toThrow(
      'line 1: "custom_id" must be a string (got true)',
    );
  });

  it("a custom_id that is a number is refused as true is, naming the line: nothing sent", async () => {
    // Before the fix: 7 was taken as "7" (and 1e2 as "100"), while true was refused.
    for (const id of ["7", "1e2", "12345678901234567890"]) {
      const input = `{"custom_id":"a","prompt":"x"}\n{"custom_id":${id},"prompt":"y"}\n`;
      const { code, stdout } = await run(["batch", "-", "--out", join(dir, "numbers")], { env, input });
      expect(code).toBe(2);
      expect(events(stdout)).toEqual([
        {
          type: "error",
          exit_code: 2,
          message: `line 2: "custom_id" must be a string (got ${JSON.parse(id)}: a number; write it in quotes, "${JSON.parse(id)}")`,
        },
      ]);
    }
    expect(existsSync(join(dir, "numbers"))).toBe(false);
    expect(emu.stats().requests.total).toBe(0);
  });

  it("a line whose fields the client rejects fails alone, nothing sent for it", async () => {
    const out = join(dir, "invalid");
    const input = `${JSON.stringify({ custom_id: "good", prompt: "x" })}\n${JSON.stringify({ custom_id: "bad", prompt: "x", resolution: "4k" })}\n`;
    const { code, stdout } = await run(["batch", "-", "--out", out], { env, input });
    expect(code).toBe(6);
    const failed = events(stdout).find((e) => e.type === "line_failed")!;
    expect(failed).toMatchObject({ custom_id: "bad", line: 2 });
    expect(failed.error).toContain('"resolution"');
    expect(emu.stats().jobsCreated).toBe(1);
  });
  it("a signal while a submit sent whole awaits its answer waits 5 s at most: the line fails, a job may have been made, not resumable", async () => {
    const { path } = batchFile("grace.jsonl", 1);
    const out = join(dir, "grace");
    // The submit's answer never passed on; the grace ends when the test moves the CLI's clock on (only then). Before
    // the fix, the batch waited for that answer as long as the client does for an upload's, 10 minutes.
    const { child, done } = await startHeld(["batch", path, "--out", out], emu.url, { env, clock: true });
    await interrupt(child, "SIGTERM", "Waiting for the answers of submits already sent (5 s at most)");
    jump(child);
    const stopped = await done;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(emu.stats().jobsCreated).toBe(1);
    const failed = events(stopped.stdout).find((e) => e.type === "line_failed")!;
    expect(failed).toMatchObject({ custom_id: "clip-1" });
    expect(failed.resumable).toBeUndefined();
    expect(failed.error).toBe(
      "Interrupted: the submit's answer did not come within 5 s of the signal, so it was not waited for: a job may " +
        "have been made (and billed) although its id never came back, so its id is not in the journal (no answer " +
        "came, so there is no request id); --resume does not submit the line again (decart jobs list shows its " +
        "submit as unknown) unless given --resubmit-unknown, which bills another one",
    );
    expect(jsonl(join(out, "results.jsonl"))).toMatchObject([{ custom_id: "clip-1", status: "failed" }]);
  });

  it("one SIGTERM delivered twice at once (timeout(1) signals the CLI, then its process group): the submit let finish and journaled, exit 130", async () => {
    const { path } = batchFile("delivered-twice.jsonl", 1);
    const out = join(dir, "delivered-twice");
    // On the test's clock, standing still (CLOCK_STILL): both deliveries reach the CLI at one instant of its clock,
    // however late this runner sends the second.
    const { child, done, release } = await startHeld(["batch", path, "--out", out], emu.url, {
      env: { ...env, CLOCK_STILL: "1" },
      clock: true,
    });
    const waiting = onStderr(child, "Waiting for the answers of submits already sent (5 s at most)");
    // Back to back, as `timeout -s TERM` sends it: kill(pid), then kill(0) (microseconds apart; a few milliseconds
    // here, so that the CLI surely gets two deliveries: two sent at one instant may reach it as one). Before the fix the
    // second was taken for a second Ctrl-C: the process ended at once, the job made and billed, its id in no journal,
    // no summary.
    child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 5));
    child.kill("SIGTERM");
    await waiting;
    release();
    const stopped = await done;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(emu.stats().jobsCreated).toBe(1);
    const jobId = journal().find((r) => r.event === "submitted" && r.custom_id === "clip-1")?.job_id;
    expect(jobId, stopped.stderr).toMatch(/^job_/);
    expect(events(stopped.stdout).at(-1)).toMatchObject({ type: "interrupted", exit_code: 130 });
    expect(events(stopped.stdout).find((e) => e.type === "summary")).toMatchObject({ exit_code: 130 });
  });

  it("a signal while an image line's request sent whole awaits its answer waits 5 s at most: the line fails, an image may have been made", async () => {
    const path = join(dir, "image-grace.jsonl");
    writeFileSync(
      path,
      `${JSON.stringify({ custom_id: "lighthouse", model: "lucy-pro-t2i", prompt: "A lighthouse" })}\n`,
    );
    const out = join(dir, "image-grace");
    // The image's answer never passed on; the grace ends when the test moves the CLI's clock on (only then). Before
    // the fix, the batch waited for it as long as the client does for an upload's answer, 10 minutes, saying nothing.
    const { child, done } = await startHeld(["batch", path, "--out", out], emu.url, { env, clock: true });
    await interrupt(child, "SIGTERM", "Waiting for the images of requests already sent (5 s at most)");
    jump(child);
    const stopped = await done;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(emu.stats().requests.byRoute.process).toBe(1);
    const failed = events(stopped.stdout).find((e) => e.type === "line_failed")!;
    // Its outcome unknown: in unknown.jsonl, not in errors.jsonl to be run again (another image, billed).
    expect(failed).toMatchObject({ custom_id: "lighthouse", outcome_unknown: true });
    expect(failed.resumable).toBeUndefined();
    expect(failed.error).toBe(
      "Interrupted: the image request's answer did not come within 5 s of the signal, so it was not waited for: an " +
        "image may have been made (and billed) although it never came back, so none was written (no answer came, so " +
        "there is no request id); --resume does not ask for it again unless given --resubmit-unknown, which bills " +
        "another one",
    );
    expect(jsonl(join(out, "results.jsonl"))).toMatchObject([
      { custom_id: "lighthouse", status: "failed", outcome_unknown: true },
    ]);
    expect(readdirSync(out).sort()).toEqual(["results.jsonl", "unknown.jsonl"]);
  });

  // (Linux: elsewhere a named pipe is read as a file, in a worker thread that a signal cannot stop.)
  it.skipIf(process.platform !== "linux")(
    "a signal while the batch's file is read (a named pipe, as <(…) gives): stopped at once, nothing sent, exit 130, no lock left",
    async () => {
      const path = join(dir, "read.fifo");
      execFileSync("mkfifo", [path]);
      const out = join(dir, "read-out");
      const child = start(["batch", path, "--out", out], { env });
      const done = finished(child);
      // Opened for writing once the CLI has opened it to read: the signal comes while the CLI waits for its lines, which
      // never come (the pipe stays open).
      const writer = await open(path, "w");
      child.kill("SIGTERM");
      const stopped = await done;
      await writer.close();
      // Before the fix the batch had no handler yet: SIGTERM ended it at once (no exit code, no event, no message). Then
      // the read went on in a worker thread to the pipe's end, and a second signal could not end the process either.
      expect(stopped.code, `${stopped.signal}: ${stopped.stderr}`).toBe(130);
      expect(events(stopped.stdout)).toEqual([{ type: "interrupted", exit_code: 130 }]);
      expect(stopped.stderr).toContain("Interrupted while the batch was read: nothing was sent (nothing to resume)");
      expect(emu.stats().requests.total).toBe(0);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir).filter((name) => name.endsWith(".lock"))).toEqual([]);
    },
    20_000,
  );

  it("a signal once the lock is taken, before a line is sent: nothing sent, no report written, the lock released", async () => {
    const { path } = batchFile("before-lines.jsonl", 1);
    const out = join(dir, "before-lines");
    mkdirSync(out);
    // An earlier run's report, which the batch reads (after taking its lock, before its lines): held there until the
    // signal, which the module hears after the CLI's own listener (if the CLI has one).
    writeFileSync(join(out, "results.jsonl"), "earlier\n");
    const module = join(dir, "holding-results.mjs");
    writeFileSync(
      module,
      `import promises from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
const real = promises.readFile;
promises.readFile = async (path, ...rest) => {
  if (String(path) === ${JSON.stringify(join(out, "results.jsonl"))}) {
    const signalled = new Promise((resolve) => process.once("SIGTERM", resolve));
    process.stderr.write("test: holding the results\\n");
    const alive = setInterval(() => {}, 1 << 30); // waits for the signal, never for time
    await signalled;
    clearInterval(alive);
  }
  return real(path, ...rest);
};
syncBuiltinESMExports();
`,
    );
    const child = start(["batch", path, "--out", out], {
      env: { ...env, NODE_OPTIONS: `--import=${pathToFileURL(module).href}` },
    });
    const done = finished(child);
    await onStderr(child, "test: holding the results");
    child.kill("SIGTERM");
    const locked = readdirSync(dir).filter((name) => name.endsWith(".lock"));
    expect(locked).toHaveLength(2); // taken before the signal (by the batch file's path, and by the file itself)
    const stopped = await done;
    // Before the fix the signal was heard by no one but the module here (SIGTERM ended a real run at once): the batch
    // went on and submitted its line.
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(events(stopped.stdout)).toEqual([{ type: "interrupted", exit_code: 130 }]);
    expect(stopped.stderr).toContain(
      "Interrupted before the batch sent anything: nothing was sent (nothing to resume)",
    );
    expect(emu.stats().requests.total).toBe(0);
    expect(readFileSync(join(out, "results.jsonl"), "utf8")).toBe("earlier\n");
    expect(readdirSync(dir).filter((name) => name.endsWith(".lock"))).toEqual([]);
  });

  it("a signal once the lines are done (a report waiting for its reader): the reports written whole, exit 130, no lock left", async () => {
    const { path } = batchFile("after-lines.jsonl", 1);
    const out = join(dir, "after-lines");
    mkdirSync(out);
    // results.jsonl a named pipe: the batch, its line done, waits there for a reader.
    const results = join(out, "results.jsonl");
    execFileSync("mkfifo", [results]);
    const child = start(["batch", path, "--out", out], { env });
    const done = finished(child);
    await new Promise<void>((resolve) => {
      let seen = "";
      child.stdout!.on("data", (d: Buffer) => {
        seen += d.toString("utf8");
        if (seen.includes('"type":"line_completed"')) resolve();
      });
    });
    // Before the fix the batch's handler was released once its lines were done: SIGTERM ended it at once (no summary,
    // no exit code, its lock left).
    await interrupt(child, "SIGTERM", "Interrupted once the lines were done: the batch's reports are written first");
    const report = await readFile(results, "utf8");
    const stopped = await done;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(JSON.parse(report)).toMatchObject({ custom_id: "clip-1", status: "completed" });
    expect(events(stopped.stdout).slice(-2)).toMatchObject([
      { type: "summary", completed: 1, not_finished: 0, exit_code: 130 },
      { type: "interrupted", exit_code: 130 },
    ]);
    expect(readdirSync(dir).filter((name) => name.endsWith(".lock"))).toEqual([]);
  });

  it("two batches at once with one --out: the second is refused (exit 2, naming --out), nothing sent; the first's report whole", async () => {
    const first = batchFile("shared-a.jsonl", 1).path;
    const second = join(dir, "shared-b.jsonl");
    writeFileSync(second, `${JSON.stringify({ custom_id: "clip-1", prompt: "A burning city" })}\n`);
    const out = join(dir, "shared-out");
    // The first batch's submit held: it runs, its report not written yet, while the second starts.
    const { done, release } = await startHeld(["batch", first, "--out", out], emu.url, { env });
    const before = emu.stats().requests.total;
    const refused = await run(["batch", second, "--out", out], { env });
    // Before the fix both ran: one report replaced the other's, and the second's clip-1.mp4 the first's.
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(`--out ${out}: another batch is writing its report in ${out} (process `);
    expect(events(refused.stdout).at(-1)).toMatchObject({ type: "error", exit_code: 2 });
    expect(emu.stats().requests.total).toBe(before);
    release();
    const ended = await done;
    expect(ended.code, ended.stderr).toBe(0);
    expect(jsonl(join(out, "results.jsonl"))).toMatchObject([
      { custom_id: "clip-1", batch: first, status: "completed" },
    ]);
    expect(readdirSync(out).sort()).toEqual(["clip-1.mp4", "results.jsonl"]);
  });

  it("two runs of one batch at once: the second is refused (exit 1, BATCH_IN_PROGRESS) while the first has its submits in flight", async () => {
    const { path } = batchFile("twice.jsonl", 2);
    const out = join(dir, "twice");
    const locks = () => readdirSync(dir).filter((name) => name.endsWith(".lock"));
    // The first run's submits reach the server, their answers held: nothing of it is in the journal yet.
    const first = await startHeld(["batch", path, "--out", out], emu.url, { env });
    expect(emu.stats().jobsCreated).toBeGreaterThan(0);
    // The same journal through a symbolic link to it (its file not there yet: nothing journaled), or to its directory.
    const journal = env.DECART_JOURNAL!;
    symlinkSync(journal, join(dir, "twice-link.jsonl"));
    symlinkSync(dir, join(dir, "twice-dir"));
    const linked = [
      ["--journal", join(dir, "twice-link.jsonl")],
      ["--journal", join(dir, "twice-dir", basename(journal))],
    ];
    for (const resume of [[], ["--resume"], ...linked]) {
      const second = await run(["batch", path, "--out", out, ...resume], { env });
      expect(second.code, second.stderr).toBe(1);
      expect(second.stderr).toContain("Another run of this batch is under way (process ");
      expect(events(second.stdout).at(-1)).toMatchObject({ type: "error", exit_code: 1, code: "BATCH_IN_PROGRESS" });
      // Every lock file the first run holds, named at once: both beside the journal, and --out's.
      const named = /remove its lock files (.*)\)/.exec(second.stderr)?.[1]?.split(", ") ?? [];
      expect(named.map((file) => basename(file)).sort()).toEqual([...locks(), ".decart-batch.lock"].sort());
    }
    // The batch file by another name (a hard link: `cp -al`, an rsync snapshot), with its own --out: the same batch,
    // as the journal tells its lines.
    const hard = join(dir, "twice-hard.jsonl");
    linkSync(path, hard);
    const other = await run(["batch", hard, "--out", join(dir, "twice-hard"), "--resume"], { env });
    expect(other.code, other.stderr).toBe(1);
    expect(events(other.stdout).at(-1)).toMatchObject({ type: "error", exit_code: 1, code: "BATCH_IN_PROGRESS" });
    // Beside the journal while the first run goes on: by the file's path, and by the file itself.
    expect(locks()).toHaveLength(2);
    const lock = join(dir, locks()[0]!);
    first.release();
    const ended = await first.done;
    expect(ended.code, ended.stderr).toBe(0);
    expect(emu.stats().jobsCreated).toBe(2); // each line paid once
    expect(locks()).toEqual([]);
    // A lock left by a process that is gone (a kill, a power loss) does not stop the next run.
    writeFileSync(lock, `${spawnSync(process.execPath, ["-e", ""]).pid}\n`);
    // (On the emulator's own URL, not the first run's proxy: another server, so the lines are submitted anew, in an
    // --out of their own: the first run's report is another server's, refused in its --out.)
    const again = await run(["batch", path, "--out", join(dir, "twice-again")], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(locks()).toEqual([]);
    expect(emu.stats().jobsCreated).toBe(4);
  });
  it("a batch is its file's lines and its server: new lines at the same path, or another server, are another batch", async () => {
    const path = join(dir, "identity.jsonl");
    const out = join(dir, "identity");
    const line = (id: string, prompt: string) => `${JSON.stringify({ custom_id: id, prompt })}\n`;
    writeFileSync(path, line("1", "a cat"));
    expect((await run(["batch", path, "--out", out], { env })).code).toBe(0);
    const cat = jsonl(join(out, "results.jsonl"))[0];
    // The same path with another line of the same custom_id (as two `<(…)` are both /dev/fd/63): a batch of its own,
    // and with --resume not answered with the first one's video; in the same --out, refused, as the first one's result
    // would be replaced.
    writeFileSync(path, line("1", "a dog"));
    const dog = await run(["batch", path, "--out", out, "--resume"], { env });
    expect(dog.code, dog.stderr).toBe(2); // nothing of it in the journal: see "--resume that finds no line"
    const refused = await run(["batch", path, "--out", out], { env });
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain("holds the report of this batch file with other contents");
    const fresh = await run(["batch", path, "--out", join(dir, "identity-dog")], { env });
    expect(fresh.code, fresh.stderr).toBe(0);
    const [result] = jsonl(join(dir, "identity-dog", "results.jsonl"));
    expect(result.job_id).not.toBe(cat.job_id);
    expect(emu.stats().jobsCreated).toBe(2);
    // Lines no longer in the file are not counted as this batch's.
    writeFileSync(path, line("new1", "x"));
    const other = await run(["batch", path, "--out", out], { env });
    expect(other.code, other.stderr).toBe(0);
    expect(emu.stats().jobsCreated).toBe(3);
    // The same file on another server (a trial run on an emulator, then the API): not the first's video; in the same
    // --out, refused, as the first one's result would be replaced.
    const { emu: second, env: secondEnv } = await emulator();
    try {
      const thereEnv = { ...secondEnv, DECART_JOURNAL: env.DECART_JOURNAL! };
      const refusedThere = await run(["batch", path, "--out", out], { env: thereEnv });
      expect(refusedThere.code, refusedThere.stderr).toBe(2);
      expect(refusedThere.stderr).toContain("holds the report of this batch run on another server");
      const there = await run(["batch", path, "--out", join(dir, "identity-there")], { env: thereEnv });
      expect(there.code, there.stderr).toBe(0);
      expect(second.stats().jobsCreated).toBe(1);
      const made = jsonl(join(dir, "identity-there", "results.jsonl"))[0].job_id;
      expect(second.job(made)).toBeDefined();
      expect(
        journal()
          .filter((r) => r.event === "submitted")
          .at(-1),
      ).toMatchObject({ base_url: second.url });
    } finally {
      await second.close();
    }
    expect(emu.stats().jobsCreated).toBe(3);
  });

  it("the report on stdout takes stdout's colours, not stderr's: none into a pipe while stderr is a terminal", async () => {
    const { path } = batchFile("colours.jsonl", 1);
    /** A stream as Output writes to it: whether it is a terminal, and what it was given. */
    const stream = (isTTY: boolean) => {
      const chunks: string[] = [];
      const writable = new Writable({
        write(chunk, _encoding, done) {
          chunks.push(String(chunk));
          done();
        },
      });
      return {
        stream: Object.assign(writable, { isTTY }) as unknown as NodeJS.WriteStream,
        text: () => chunks.join(""),
      };
    };
    const stdout = stream(false);
    const stderr = stream(true);
    // Quiet: no progress bar on the "terminal"; the report is data and still goes to stdout.
    const output = new Output({ json: false, quiet: true }, stdout.stream, stderr.stream, {});
    expect(output.err.isColorSupported).toBe(true);
    const code = await runBatch(
      path,
      { apiKey: KEY, baseUrl: emu.url, journal: env.DECART_JOURNAL, out: join(dir, "colours") },
      output,
    );
    expect(code, stderr.text()).toBe(0);
    expect(stdout.text()).toContain("Batch: 1 line(s), 1 completed, 0 failed. Results: ");
    expect(stdout.text()).not.toContain("\\x1b");
    expect(stdout.text()).not.toContain("\u001b");
  });

  it("a journaled job the server does not know (404) fails its line, not resumable; older records still match", async () => {
    const { path } = batchFile("forgotten.jsonl", 1);
    const out = join(dir, "forgotten");
    // A record without base_url and line_hash (read all the same).
    const record = { at: "2026-12-04T20:00:00.000Z", custom_id: "clip-1", batch: path, event: "submitted" };
    writeFileSync(env.DECART_JOURNAL!, `${JSON.stringify({ ...record, job_id: `job_${"0".repeat(32)}` })}\n`);
    for (let i = 0; i < 2; i++) {
      const resumed = await run(["batch", path, "--out", out, "--resume"], { env });
      expect(resumed.code, resumed.stderr).toBe(6);
      const failed = events(resumed.stdout).find((e) => e.type === "line_failed")!;
      expect(failed).toMatchObject({ custom_id: "clip-1", job_id: `job_${"0".repeat(32)}` });
      expect(failed.resumable).toBeUndefined();
      expect(events(resumed.stdout).at(-1)!.resumable).toBeUndefined();
      expect(jsonl(join(out, "results.jsonl"))[0].resumable).toBeUndefined();
    }
    expect(emu.stats().jobsCreated).toBe(0);
  });

  it("a line that is not UTF-8 (Latin-1 caf\\xe9) stops the batch before anything is sent, naming it (file and stdin)", async () => {
    // Before the fix: the byte became U+FFFD, the line was submitted (and paid for) with that prompt, and errors.jsonl,
    // "the failed lines exactly as given", held caf\xef\xbf\xbd instead.
    const text = Buffer.concat([
      Buffer.from('{"custom_id":"a","prompt":"fine"}\n'),
      Buffer.from('{"custom_id":"b","prompt":"caf\xe9 [fail]"}\n', "latin1"),
    ]);
    writeFileSync(join(dir, "latin1.jsonl"), text);
    for (const [args, input] of [
      [["batch", "latin1.jsonl", "--out", "out-file"], undefined],
      [["batch", "-", "--out", "out-stdin"], text],
    ] as const) {
      const { code, stdout, stderr } = await run([...args, "--json"], { env, cwd: dir, input });
      expect(code, stderr).toBe(2);
      expect(events(stdout)).toEqual([
        {
          type: "error",
          exit_code: 2,
          message: expect.stringMatching(/^line 2: not UTF-8 text \(.*\(nothing was sent\)$/),
        },
      ]);
      expect(existsSync(join(dir, args[3]!))).toBe(false);
    }
    expect(emu.stats().requests.total).toBe(0);
  });

  it("lines are decoded whole: a character cut between two chunks reads as itself, wherever the cut falls", () => {
    const text = Buffer.from(
      '\ufeff{"custom_id":"日本","prompt":"café ☕ 𝄞"}\r\n{"custom_id":"b","prompt":"\u00a0x"}\n\u3000\n{"custom_id":"c","prompt":"é"}',
    );
    const read = (chunks: Buffer[]) => {
      const reader = batchReader("the batch");
      for (const chunk of chunks) reader.chunk(chunk);
      const { lines, hash } = reader.end();
      return { lines: lines.map((l) => [l.number, l.customId, l.fields.prompt]), hash };
    };
    const whole = read([text]);
    expect(whole.lines).toEqual([
      [1, "日本", "café ☕ 𝄞"],
      [2, "b", "\u00a0x"],
      [4, "c", "é"],
    ]);
    // The batch read from stdin is known by this hash (see runBatch): the hash of its bytes, however they came.
    expect(whole.hash).toBe(createHash("sha256").update(text).digest("hex").slice(0, 16));
    for (let cut = 1; cut < text.length; cut++) {
      expect(read([text.subarray(0, cut), text.subarray(cut)]), `cut at ${cut}`).toEqual(whole);
    }
    expect(read([...text].map((byte) => Buffer.from([byte])))).toEqual(whole);
    // A byte that is not UTF-8 is found in its line, whichever chunk it came in.
    const bad = Buffer.concat([text.subarray(0, 60), Buffer.from([0xe9]), text.subarray(60)]);
    for (const cut of [30, 60, 61, 62]) {
      expect(() => read([bad.subarray(0, cut), bad.subarray(cut)])).toThrow(/^line 2: not UTF-8 text/);
    }
  });

  it("a batch file longer than a read, a character across the read's end, reads as it was written", async () => {
    // A file is read 64 KiB at a time: its 65536th byte is the middle one of a U+3000 (3 bytes, white space a blank
    // line is made of, trimmed away). Read apart, it would not be white space, and line 2 would not be JSON.
    const first = '{"custom_id":"日本","prompt":"x"}\n';
    let head = Buffer.from(first);
    while ((65535 - head.length) % 3 !== 0) head = Buffer.concat([Buffer.from(" "), head]);
    const blank = Buffer.from("\u3000".repeat((65535 - head.length) / 3 + 100));
    const file = Buffer.concat([head, blank, Buffer.from('\n{"custom_id":"中国","prompt":"y"}\n')]);
    expect([...file.subarray(65535, 65538)]).toEqual([0xe3, 0x80, 0x80]);
    const path = join(dir, "long.jsonl");
    writeFileSync(path, file);
    const { code, stdout, stderr } = await run(["batch", path, "--out", join(dir, "long")], { env });
    expect(code, stderr).toBe(0);
    expect(
      events(stdout)
        .filter((e) => e.type === "line_completed")
        .map((e) => e.custom_id)
        .sort(),
    ).toEqual(["中国", "日本"].sort());
  });
});
