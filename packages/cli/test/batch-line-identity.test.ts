/**
 * What makes a batch's line the same line on the same server: its server by its normalized URL (however the URL is
 * spelled), its request by its parsed JSON (however the line is formatted); and a report in --out of this batch file
 * made on another server or from other lines is refused rather than replaced with new, billed, results.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { journalRecords, proxyTo, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f), { ownDir: true });

/** Another URL of the same emulator: a server apart, as far as the CLI can tell (as localhost is from 127.0.0.1). */
let proxy: { url: string; close: () => Promise<void> };
beforeAll(async () => {
  proxy = await proxyTo(emu.url);
});
afterAll(() => proxy?.close());

const report = (out: string) =>
  readFileSync(join(out, "results.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));

/** A batch of two lines run to its end in `out`: its file's path. */
async function finishedBatch(out: string, lines: string[]): Promise<string> {
  const file = join(dir, "p.jsonl");
  writeFileSync(file, `${lines.join("\n")}\n`);
  const first = await run(["batch", file, "--out", out], { env });
  expect(first.code, first.stderr).toBe(0);
  expect(emu.stats().jobsCreated).toBe(2);
  return file;
}

/**
 * The batch `file` run again into `out`: refused, its 2 lines already in the journal; with --resume, done, and no line
 * submitted again.
 */
async function knownThenResumed(file: string, out: string): Promise<void> {
  const again = await run(["batch", file, "--out", out], { env });
  expect(again.code, again.stderr).toBe(2);
  expect(again.stderr).toContain("2 line(s) of this batch already have jobs or images in the journal");
  const resumed = await run(["batch", file, "--out", out, "--resume"], { env });
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(emu.stats().jobsCreated).toBe(2);
}

const LINES = ['{"custom_id":"a","prompt":"A lake"}', '{"custom_id":"b","prompt":"A river"}'];

describe("the same server", () => {
  it("spelled otherwise (scheme in capitals, a trailing /) is the same: a finished batch is refused without --resume", async () => {
    const out = join(dir, "out");
    const file = await finishedBatch(out, LINES);
    const before = readFileSync(join(out, "results.jsonl"), "utf8");
    const port = new URL(emu.url).port;
    for (const url of [`HTTP://127.0.0.1:${port}`, `http://127.0.0.1:${port}/`]) {
      const again = await run(["batch", file, "--out", out], { env: { ...env, DECART_BASE_URL: url } });
      expect(again.code, `${url}: ${again.stderr}`).toBe(2);
      expect(again.stderr).toContain("2 line(s) of this batch already have jobs or images in the journal");
      // --resume finds the lines done: nothing submitted, the report as it was.
      const resumed = await run(["batch", file, "--out", out, "--resume"], { env: { ...env, DECART_BASE_URL: url } });
      expect(resumed.code, `${url}: ${resumed.stderr}`).toBe(0);
    }
    expect(emu.stats().jobsCreated).toBe(2);
    expect(report(out).map((r) => r.job_id)).toEqual(
      JSON.parse(`[${before.trim().split("\n").join(",")}]`).map((r: any) => r.job_id),
    );
    // The journal records the URL normalized.
    const urls = journalRecords(env.DECART_JOURNAL!).flatMap((r) => (r.base_url === undefined ? [] : [r.base_url]));
    expect(new Set(urls)).toEqual(new Set([emu.url]));
  });

  it("each line of results.jsonl carries its server and its line's hash", async () => {
    const out = join(dir, "out");
    await finishedBatch(out, LINES);
    expect(report(out)).toMatchObject(
      LINES.map(() => ({ base_url: emu.url, line_hash: expect.stringMatching(/^[0-9a-f]{16}$/) })),
    );
  });

  it("a report of this batch made on another server is refused in --out, nothing sent", async () => {
    const out = join(dir, "out");
    const file = await finishedBatch(out, LINES);
    const before = readFileSync(join(out, "results.jsonl"), "utf8");
    // Another server (the journal knows none of the batch's lines there): without the check of --out, every line
    // was submitted again and the report and results replaced.
    const other = await run(["batch", file, "--out", out], { env: { ...env, DECART_BASE_URL: proxy.url } });
    expect(other.code, other.stderr).toBe(2);
    expect(other.stderr).toContain(
      `holds the report of this batch run on another server (${emu.url}, not ${proxy.url}`,
    );
    expect(other.stderr).toContain("(nothing was sent)");
    expect(emu.stats().jobsCreated).toBe(2);
    expect(readFileSync(join(out, "results.jsonl"), "utf8")).toBe(before);
    // Its own --out: the batch runs there.
    const apart = await run(["batch", file, "--out", join(dir, "other")], {
      env: { ...env, DECART_BASE_URL: proxy.url },
    });
    expect(apart.code, apart.stderr).toBe(0);
    expect(emu.stats().jobsCreated).toBe(4);
  });

  it("a report of this batch file's other lines is refused in --out, nothing sent", async () => {
    const out = join(dir, "out");
    const file = await finishedBatch(out, LINES);
    const before = readFileSync(join(out, "results.jsonl"), "utf8");
    // The same file, every line another request now: the journal knows none of them.
    writeFileSync(file, '{"custom_id":"a","prompt":"A sea"}\n{"custom_id":"b","prompt":"A pond"}\n');
    const changed = await run(["batch", file, "--out", out], { env });
    expect(changed.code, changed.stderr).toBe(2);
    expect(changed.stderr).toContain('holds the report of this batch file with other contents (its line 1, "a"');
    expect(emu.stats().jobsCreated).toBe(2);
    expect(readFileSync(join(out, "results.jsonl"), "utf8")).toBe(before);
  });
});

describe("a line edited", () => {
  it("in a batch the journal knows is asked for anew with --resume, its result replaced, not refused", async () => {
    const out = join(dir, "out");
    const file = await finishedBatch(out, LINES);
    const before = report(out);
    writeFileSync(file, `${LINES[0]}\n{"custom_id":"b","prompt":"A waterfall"}\n`);
    const resumed = await run(["batch", file, "--out", out, "--resume"], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(emu.stats().jobsCreated).toBe(3);
    const after = report(out);
    expect(after.find((r) => r.custom_id === "a").job_id).toBe(before.find((r) => r.custom_id === "a").job_id);
    expect(after.find((r) => r.custom_id === "b").job_id).not.toBe(before.find((r) => r.custom_id === "b").job_id);
  });
});

describe("the same line", () => {
  it("re-formatted (white space, keys in another order) is the same line: not submitted again", async () => {
    const out = join(dir, "out");
    const file = await finishedBatch(out, LINES);
    writeFileSync(file, '{ "prompt": "A lake",  "custom_id": "a" }\n{"custom_id" : "b", "prompt":"A\\u0020river"}\n');
    await knownThenResumed(file, out);
  });

  it("re-formatted on stdin is the same batch: --resume finds its lines, nothing submitted again", async () => {
    const out = join(dir, "out");
    const first = await run(["batch", "-", "--out", out], { env, input: `${LINES.join("\n")}\n` });
    expect(first.code, first.stderr).toBe(0);
    const reformatted = '{ "prompt": "A lake",  "custom_id": "a" }\n\n{"custom_id" : "b", "prompt":"A river"}\n';
    // Before, stdin's batch was the hash of its text: another batch, "no line of this batch is in the journal".
    const resumed = await run(["batch", "-", "--out", out, "--resume"], { env, input: reformatted });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(emu.stats().jobsCreated).toBe(2);
  });

  it("a journal of an older CLI's stdin batch (the hash of its text) still finds the batch", async () => {
    const out = join(dir, "out");
    const text = `${LINES.join("\n")}\n`;
    const first = await run(["batch", "-", "--out", out], { env, input: text });
    expect(first.code, first.stderr).toBe(0);
    const older = `stdin:${createHash("sha256").update(text).digest("hex").slice(0, 16)}`;
    const records = journalRecords(env.DECART_JOURNAL!);
    expect(records.filter((r) => r.batch !== undefined && r.batch !== older).length).toBeGreaterThan(0);
    const renamed = (r: any) => (r.batch === undefined ? r : { ...r, batch: older });
    writeFileSync(env.DECART_JOURNAL!, records.map((r) => `${JSON.stringify(renamed(r))}\n`).join(""));
    writeFileSync(
      join(out, "results.jsonl"),
      report(out)
        .map((r) => `${JSON.stringify(renamed(r))}\n`)
        .join(""),
    );
    const resumed = await run(["batch", "-", "--out", out, "--resume"], { env, input: text });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(emu.stats().jobsCreated).toBe(2);
  });

  it("a journal whose records hash the line's text as given (an older CLI's) still finds the line", async () => {
    // Keys out of order: its text's hash is not its canonical form's.
    const lines = ['{"prompt":"A lake","custom_id":"a"}', '{"prompt":"A river","custom_id":"b"}'];
    const out = join(dir, "out");
    const file = await finishedBatch(out, lines);
    const hashOf = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);
    const byId = new Map(lines.map((line) => [JSON.parse(line).custom_id, hashOf(line)]));
    // The journal and the report as the CLI wrote them before: the hash of each line's text as given.
    const journal = env.DECART_JOURNAL!;
    const older = (r: any) => (r.line_hash === undefined ? r : { ...r, line_hash: byId.get(r.custom_id) });
    const records = journalRecords(journal);
    expect(
      records.filter((r) => r.line_hash !== undefined && r.line_hash !== byId.get(r.custom_id)).length,
    ).toBeGreaterThan(0);
    writeFileSync(journal, records.map((r) => `${JSON.stringify(older(r))}\n`).join(""));
    writeFileSync(
      join(out, "results.jsonl"),
      report(out)
        .map((r) => `${JSON.stringify(older(r))}\n`)
        .join(""),
    );
    await knownThenResumed(file, out);
  });
});
