import { spawnSync } from "node:child_process";
import {
  chmodSync,
  lstatSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { Journal, openJournal } from "../src/journal.js";
import { lockName } from "../src/lock.js";
import { tempDir } from "./helpers.js";

const { dir, remove } = tempDir();
afterAll(remove);

describe("the journal", () => {
  it("writes every record of concurrent appends, in call order, each on disk when its append resolves", async () => {
    const path = join(dir, "state", "jobs.jsonl");
    const journal = new Journal(path);
    const onDiskWhenResolved: boolean[] = [];
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        journal.append({ job_id: `job_${i}`, event: "submitted", custom_id: `${i}` }).then(() => {
          onDiskWhenResolved[i] = readFileSync(path, "utf8").includes(`"job_${i}"`);
        }),
      ),
    );
    expect(onDiskWhenResolved).toEqual(Array(100).fill(true));
    expect(journal.records().map((r) => r.job_id)).toEqual(Array.from({ length: 100 }, (_, i) => `job_${i}`));
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("rejects an append it could not write, and writes the next one once it can", async () => {
    // A file where the journal's directory should be: the append fails.
    const blocker = join(dir, "blocker");
    writeFileSync(blocker, "");
    const journal = new Journal(join(blocker, "jobs.jsonl"));
    await expect(journal.append({ job_id: "job_x", event: "submitted" })).rejects.toThrow();
    rmSync(blocker);
    await journal.append({ job_id: "job_y", event: "submitted" });
    expect(journal.jobs()).toMatchObject([{ job_id: "job_y", state: "submitted" }]);
  });

  it("ends a last line cut short (a kill mid-write) before appending: the next record is read, as every whole line", async () => {
    const path = join(dir, "torn.jsonl");
    const whole = JSON.stringify({ at: "2026-01-01T00:00:00.000Z", job_id: "job_a", event: "submitted" });
    writeFileSync(path, `${whole}\n{"at":"2026-01-01T00:00:01.000Z","job_id":"job_o`);
    const journal = new Journal(path);
    await journal.append({ job_id: "job_b", event: "submitted", custom_id: "b" });
    await journal.append({ job_id: "job_b", event: "completed" });
    expect(readFileSync(path, "utf8").split("\n")[1]).toBe('{"at":"2026-01-01T00:00:01.000Z","job_id":"job_o');
    expect(journal.jobs()).toMatchObject([
      { job_id: "job_a", state: "submitted" },
      { job_id: "job_b", state: "completed", custom_id: "b" },
    ]);
  });

  it("reads a record glued onto a line cut short (appended with no line break between)", () => {
    const path = join(dir, "glued.jsonl");
    const record = { at: "2026-01-01T00:00:02.000Z", job_id: "job_c", event: "submitted", custom_id: "c" };
    const after = { at: "2026-01-01T00:00:03.000Z", job_id: "job_c", event: "saved", path: '/x/{"at":.mp4' };
    writeFileSync(
      path,
      `{"at":"2026-01-01T00:00:01.000Z","job_id":"job_o${JSON.stringify(record)}\n${JSON.stringify(after)}\n{"at":"2`,
    );
    expect(new Journal(path).jobs()).toMatchObject([
      { job_id: "job_c", state: "saved", custom_id: "c", path: after.path },
    ]);
  });
});

/** Records of every kind the journal folds: a job saved then completed again, failed, edited by hand, images … */
function varied(): string[] {
  const r = (record: Record<string, unknown>) => JSON.stringify(record);
  return [
    r({ at: "2026-01-01T00:00:00.000Z", job_id: "job_a", event: "submitted", model: "lucy-pro-t2v", path: "/o/a.mp4" }),
    r({ at: "2026-01-01T00:00:01.000Z", job_id: "job_b", event: "submitted", custom_id: "b", batch: "/b.jsonl" }),
    r({ at: "2026-01-01T00:00:02.000Z", job_id: "job_a", event: "completed" }),
    r({ at: "2026-01-01T00:00:03.000Z", job_id: "job_a", event: "saved", path: "/o/ä.mp4" }),
    r({ at: "2026-01-01T00:00:04.000Z", job_id: "job_a", event: "completed" }),
    r({
      at: "2026-01-01T00:00:05.000Z",
      event: "image_saved",
      model: "m",
      path: "/o/i1.png",
      custom_id: "i",
      batch: "/b.jsonl",
    }),
    '{"at":"2026-01-01T00:00:06.000Z","job_id":"job_torn',
    r({ at: 7, job_id: "job_c", event: "submitted", model: { not: "text" } }),
    r({ at: "2026-01-01T00:00:08.000Z", job_id: "job_b", event: "failed", error: "no\nlakes" }),
    r({
      at: "2026-01-01T00:00:09.000Z",
      event: "image_saved",
      model: "m",
      path: "/o/i2.png",
      custom_id: "i",
      batch: "/b.jsonl",
    }),
    r({
      at: "2026-01-01T00:00:10.000Z",
      event: "image_saved",
      model: "m",
      path: "/o/j.png",
      custom_id: "j",
      batch: "/b.jsonl",
    }),
    r({ at: "2026-01-01T00:00:11.000Z", job_id: "job_d", event: "submitted" }),
    r({ at: "2026-01-01T00:00:12.000Z", job_id: "job_d", event: "submitted" }),
    "not json at all",
    r({ at: "2026-01-01T00:00:13.000Z", job_id: "job_c", event: "saved", path: "/o/c.mp4" }),
  ];
}

describe("reading the journal a line at a time", () => {
  it("reads the same whatever the chunk size: lines and UTF-8 characters across chunks, a last line cut short", () => {
    const path = join(dir, "chunks.jsonl");
    writeFileSync(path, `${varied().join("\n")}\n{"at":"2`);
    const whole = new Journal(path).jobsAndImages();
    expect(whole.jobs.map((j) => [j.job_id, j.state])).toEqual([
      ["job_a", "saved"],
      ["job_b", "failed"],
      ["job_c", "saved"],
      ["job_d", "submitted"],
    ]);
    expect(whole.jobs[0]!.path).toBe("/o/ä.mp4");
    expect(whole.images.map((i) => i.path)).toEqual(["/o/i1.png", "/o/i2.png", "/o/j.png"]);
    for (const chunk of [1, 2, 3, 7, 64]) expect(new Journal(path, { chunk }).jobsAndImages()).toEqual(whole);
  });

  it("keeps only the jobs a command asks for, each folded with its later records (tagged or not)", () => {
    const path = join(dir, "selected.jsonl");
    writeFileSync(path, `${varied().join("\n")}\n`);
    const journal = new Journal(path);
    const all = journal.jobsAndImages();
    expect(journal.job("job_a")).toEqual(all.jobs[0]);
    expect(journal.job("job_missing")).toBeUndefined();
    // job_b is tagged only on its first record, job_c on none: selected by a custom_id, the failure is still folded.
    const tagged = journal.jobsAndImages((r) => r.custom_id === "b" || r.custom_id === "j");
    expect(tagged.jobs).toEqual([all.jobs[1]]);
    expect(tagged.images.map((i) => i.path)).toEqual(["/o/j.png"]);
  });
});

describe("compacting the journal", () => {
  /** A journal of the varied records, then `n` jobs of three records each. */
  function large(name: string, n: number): string {
    const path = join(dir, name);
    const lines = varied();
    for (let i = 0; i < n; i++) {
      for (const event of ["submitted", "completed", "saved"]) {
        lines.push(
          JSON.stringify({
            at: `2026-01-02T00:00:00.${String(i % 1000).padStart(3, "0")}Z`,
            job_id: `job_${i}`,
            event,
            path: `/o/${i}.mp4`,
          }),
        );
      }
    }
    writeFileSync(path, `${lines.join("\n")}\n`, { mode: 0o640 });
    return path;
  }

  it("keeps the submits nothing settled (a job may exist for them), and drops those settled", async () => {
    const path = large("compact-submits.jsonl", 100);
    const journal = new Journal(path);
    const open = await journal.beginSubmit({ command: "batch", custom_id: "p", model: "lucy-pro-t2v" });
    const refused = await journal.beginSubmit({ command: "video", model: "lucy-pro-t2v" });
    await journal.settleSubmit(refused);
    const made = await journal.beginSubmit({ command: "video", model: "lucy-pro-t2v" });
    await journal.append({ job_id: "job_made", event: "submitted", submit_id: made });
    expect(journal.unsettledSubmits().map((s) => s.submit_id)).toEqual([open]);
    expect(await new Journal(path, { compactAt: statSync(path).size }).compact()).toBe(true);
    const after = new Journal(path);
    expect(after.unsettledSubmits()).toEqual([
      expect.objectContaining({ event: "submitting", submit_id: open, custom_id: "p", model: "lucy-pro-t2v" }),
    ]);
    expect(readFileSync(path, "utf8")).not.toContain(refused);
    expect(after.job("job_made")).toMatchObject({ state: "submitted" });
  });

  it("keeps a batch line's submit settled having made nothing as one record (--resume knows its batch by it), while nothing else of the line stays", async () => {
    const path = large("compact-settled.jsonl", 100);
    const journal = new Journal(path);
    const line = { command: "batch", batch: "/b/s.jsonl", base_url: "https://api.example", model: "lucy-pro-t2v" };
    for (const [customId, hash] of [
      ["alone", "h1"],
      ["alone", "h1"],
      ["made", "h2"],
      ["pictured", "h3"],
    ] as const) {
      const id = await journal.beginSubmit({ ...line, custom_id: customId, line_hash: hash, path: `/o/${customId}` });
      await journal.settleSubmit(id);
    }
    await journal.append({ ...line, job_id: "job_made", event: "submitted", custom_id: "made", line_hash: "h2" });
    await journal.appendImage({ ...line, custom_id: "pictured", line_hash: "h3", path: "/o/pictured.png" });
    const single = await journal.beginSubmit({ command: "video", model: "lucy-pro-t2v" });
    await journal.settleSubmit(single);
    const before = journal.jobsAndImages().settled.filter((s) => s.custom_id === "alone");
    expect(before).toHaveLength(2);
    expect(await new Journal(path, { compactAt: statSync(path).size }).compact()).toBe(true);
    const kept = readFileSync(path, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .filter((r) => r.submit_id !== undefined);
    // The latest of the line, without its model nor path; none for a line with a job or an image, nor a single command's.
    expect(kept).toEqual([
      {
        at: expect.any(String),
        event: "submit_settled",
        submit_id: before[1]!.submit_id,
        custom_id: "alone",
        batch: "/b/s.jsonl",
        base_url: "https://api.example",
        line_hash: "h1",
      },
    ]);
    const after = new Journal(path).jobsAndImages();
    expect(after.settled).toEqual([expect.objectContaining({ custom_id: "alone", batch: "/b/s.jsonl" })]);
    expect(after.submits).toEqual([]);
    // Compacted again (once it has doubled), it stays.
    const size = statSync(path).size;
    while (statSync(path).size < 2 * size) await journal.settleSubmit(await journal.beginSubmit({ command: "video" }));
    expect(await new Journal(path, { compactAt: 1 }).compact()).toBe(true);
    expect(new Journal(path).jobsAndImages().settled).toEqual(after.settled);
  });

  it("keeps one settled submit of a batch's lines that made nothing, the latest, however many lines and hashes", async () => {
    const path = large("compact-settled-many.jsonl", 100);
    const journal = new Journal(path);
    const line = { command: "batch", batch: "-", base_url: "https://api.example", model: "lucy-pro-t2v" };
    // Ten lines, each settled twice with another hash (the line edited in between), of one batch; one of another.
    const ids: string[] = [];
    for (const hash of ["h1", "h2"]) {
      for (let i = 0; i < 10; i++) {
        ids.push(await journal.beginSubmit({ ...line, custom_id: `l${i}`, line_hash: `${hash}-${i}` }));
        await journal.settleSubmit(ids.at(-1)!);
      }
    }
    const other = await journal.beginSubmit({ ...line, batch: "/b/other.jsonl", custom_id: "x", line_hash: "hx" });
    await journal.settleSubmit(other);
    expect(journal.jobsAndImages().settled).toHaveLength(21);
    expect(await new Journal(path, { compactAt: statSync(path).size }).compact()).toBe(true);
    // Before: one record for each of the 20 lines and hashes of the batch, kept through every compaction.
    expect(new Journal(path).jobsAndImages().settled).toEqual([
      expect.objectContaining({ submit_id: ids.at(-1), batch: "-", custom_id: "l9", line_hash: "h2-9" }),
      expect.objectContaining({ submit_id: other, batch: "/b/other.jsonl", custom_id: "x" }),
    ]);
  });

  it("past its threshold, keeps every job's state and each line's latest image, in one record each, in order", async () => {
    const path = large("compact.jsonl", 100);
    const before = new Journal(path).jobsAndImages();
    const size = statSync(path).size;
    expect(await new Journal(path, { compactAt: size + 1 }).compact()).toBe(false);
    expect(statSync(path).size).toBe(size);
    expect(await new Journal(path, { compactAt: size }).compact()).toBe(true);
    const after = new Journal(path);
    expect(after.jobsAndImages().jobs).toEqual(before.jobs);
    expect(after.jobsAndImages().images.map((i) => i.path)).toEqual(["/o/i2.png", "/o/j.png"]);
    const lines = readFileSync(path, "utf8").trim().split("\n");
    expect(JSON.parse(lines[0]!)).toMatchObject({ event: "compacted" });
    expect(lines).toHaveLength(1 + before.jobs.length + 2);
    expect(statSync(path).size).toBeLessThan(size / 2);
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir).filter((f) => f.startsWith("compact.jsonl."))).toEqual([]);
    // Appended to afterwards, read as ever.
    await after.append({ job_id: "job_a", event: "failed", error: "late" });
    expect(after.job("job_a")).toMatchObject({
      state: "failed",
      error: "late",
      submitted_at: "2026-01-01T00:00:00.000Z",
    });
  });

  it("compacts a journal holding an image record with a value nested deeper than a stack goes (its fields of text kept)", async () => {
    const path = large("deep.jsonl", 20);
    const image = {
      at: "2026-01-03T00:00:00.000Z",
      event: "image_saved",
      custom_id: "deep",
      batch: "/b/deep.jsonl",
      model: "lucy-pro-t2i",
      path: "/o/deep.png",
    };
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    writeFileSync(path, `${readFileSync(path, "utf8")}${JSON.stringify(image).slice(0, -1)},"extra":${deep}}\n`, {
      flag: "w",
    });
    // Before the fix the compaction ran out of stack writing that record again, and gave up (every time).
    expect(await new Journal(path, { compactAt: 1000 }).compact()).toBe(true);
    const lines = readFileSync(path, "utf8").trim().split("\n");
    expect(lines.map((line) => JSON.parse(line)).find((r) => r.custom_id === "deep")).toEqual(image);
    expect(lines.every((line) => line.length < 1000)).toBe(true);
  });

  it("compacts again only once the journal has doubled since", async () => {
    const path = large("twice.jsonl", 100);
    const journal = new Journal(path, { compactAt: 1000 });
    expect(await journal.compact()).toBe(true);
    const compacted = statSync(path).size;
    expect(await journal.compact()).toBe(false);
    while (statSync(path).size < 2 * compacted) await journal.append({ job_id: "job_0", event: "completed" });
    expect(await journal.compact()).toBe(true);
    expect(statSync(path).size).toBeLessThan(compacted + 200);
  });

  it("keeps a record another process appended while it wrote the new file", async () => {
    const path = large("racing.jsonl", 50);
    const other = new Journal(path);
    const compactor = new Journal(path, {
      compactAt: 1000,
      pause: async (step) => {
        // Between the new file's writing and its rename: the other process's record reaches the old file only.
        if (step === "written") await other.append({ job_id: "job_new", event: "submitted", custom_id: "n" });
      },
    });
    expect(await compactor.compact()).toBe(true);
    expect(new Journal(path).job("job_new")).toMatchObject({ state: "submitted", custom_id: "n" });
    expect(readFileSync(path, "utf8").split('"job_new"').length).toBe(2);
  });

  it("keeps a record another process wrote to the old file after the compaction ended (it appends it again)", async () => {
    const path = large("late.jsonl", 50);
    let opened!: () => void;
    const isOpen = new Promise<void>((resolve) => (opened = resolve));
    let proceed!: () => void;
    const mayWrite = new Promise<void>((resolve) => (proceed = resolve));
    let paused = false;
    const writer = new Journal(path, {
      pause: async (step) => {
        if (step !== "opened" || paused) return;
        paused = true;
        opened();
        await mayWrite;
      },
    });
    const appended = writer.append({ job_id: "job_late", event: "saved", path: "/o/late.mp4" });
    await isOpen;
    expect(await new Journal(path, { compactAt: 1000 }).compact()).toBe(true);
    proceed();
    await appended;
    expect(new Journal(path).job("job_late")).toMatchObject({ state: "saved", path: "/o/late.mp4" });
  });

  it("fails an append whose journal was replaced at every attempt (the record is not there), not resolving it", async () => {
    const path = join(dir, "replaced.jsonl");
    writeFileSync(path, "");
    let replacements = 0;
    // Another process puts a new file in the journal's place each time this one has opened it.
    const writer = new Journal(path, {
      pause: async (step) => {
        if (step !== "opened") return;
        replacements++;
        writeFileSync(`${path}.new`, "");
        renameSync(`${path}.new`, path);
      },
    });
    await expect(writer.append({ job_id: "job_lost", event: "submitted" })).rejects.toThrow(
      "replaced by another process at every attempt",
    );
    expect(replacements).toBe(5);
    expect(writer.failure).toBeDefined();
    expect(new Journal(path).job("job_lost")).toBeUndefined();
  });

  it("leaves alone a journal whose compaction lock another process holds, and one that is a link", async () => {
    const path = large("locked.jsonl", 50);
    const size = statSync(path).size;
    // The lock of a process that runs (this one's parent).
    writeFileSync(`${path}.compact.lock`, `${process.ppid}\n`);
    const warnings: string[] = [];
    expect(await new Journal(path, { compactAt: 1000 }).compact((text) => warnings.push(text))).toBe(false);
    expect(statSync(path).size).toBe(size);
    // Held by a run of another machine, which this process cannot tell runs: said, naming the lock file, not passed
    // silently (every later compaction would be too, till it is removed).
    expect(warnings).toEqual([]);
    writeFileSync(`${path}.compact.lock`, `${JSON.stringify({ pid: process.ppid, host: "h2", nonce: "0123" })}\n`);
    expect(await new Journal(path, { compactAt: 1000 }).compact((text) => warnings.push(text))).toBe(false);
    expect(statSync(path).size).toBe(size);
    expect(warnings).toEqual([expect.stringContaining(`on the machine h2`)]);
    expect(warnings[0]).toContain(`remove its lock file ${lockName(path)}.compact.lock`);
    rmSync(`${path}.compact.lock`);
    const link = join(dir, "link.jsonl");
    symlinkSync(path, link);
    expect(await new Journal(link, { compactAt: 1000 }).compact()).toBe(false);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(statSync(path).size).toBe(size);
  });
});

/** A journal of the varied records, then `n` jobs of three records each. */
function largeJournal(name: string, n: number): string {
  const path = join(dir, name);
  const lines = varied();
  for (let i = 0; i < n; i++) {
    for (const event of ["submitted", "completed", "saved"]) {
      lines.push(JSON.stringify({ at: "2026-01-02T00:00:00.000Z", job_id: `job_${i}`, event, path: `/o/${i}.mp4` }));
    }
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

/** The files beside a journal that its compaction makes (a lock, a new file, the old one's link). */
const leftBeside = (path: string) => readdirSync(dir).filter((f) => f.startsWith(`${basename(path)}.`));

/**
 * A process that compacts the journal (the built CLI's journal module) and is killed (SIGKILL) at `when`: once its new
 * file is written (`written`), once it linked the journal aside (`linked`), or once it renamed its file over the
 * journal (`renamed`). While its new file is written, not yet renamed, a record is appended to the journal from another
 * `Journal`, as another process would: `job_meanwhile`.
 */
function compactAndDie(path: string, when: "written" | "linked" | "renamed") {
  const script = join(dir, "compact-and-die.mjs");
  writeFileSync(
    script,
    `import { createRequire, syncBuiltinESMExports } from "node:module";
const require = createRequire(import.meta.url);
const fsp = require("node:fs/promises");
const [, , module, path, when] = process.argv;
for (const name of ["link", "rename"]) {
  const call = fsp[name];
  fsp[name] = async (...args) => {
    await call(...args);
    if ((name === "link" ? "linked" : "renamed") === when) process.kill(process.pid, "SIGKILL");
  };
}
syncBuiltinESMExports();
const { Journal } = await import(module);
const other = new Journal(path);
await new Journal(path, {
  compactAt: 1000,
  pause: async (step) => {
    if (step !== "written") return;
    await other.append({ job_id: "job_meanwhile", event: "submitted", custom_id: "m" });
    if (when === "written") process.kill(process.pid, "SIGKILL");
  },
}).compact();
`,
  );
  const module = pathToFileURL(fileURLToPath(new URL("../dist/journal.js", import.meta.url))).href;
  return spawnSync(process.execPath, [script, module, path, when], { encoding: "utf8" });
}

describe("a compaction killed, or two at once", () => {
  for (const when of ["written", "linked", "renamed"] as const) {
    it(`killed once ${when}: the next command that writes the journal keeps every record once and leaves no file beside it`, async () => {
      const path = largeJournal(`killed-${when}.jsonl`, 50);
      const before = new Journal(path).jobs();
      const child = compactAndDie(path, when);
      expect(child.stderr).toBe("");
      expect(child.signal).toBe("SIGKILL");
      // The killed process's lock is left, naming a process that is gone.
      expect(leftBeside(path)).toContain(`${basename(path)}.compact.lock`);
      // Read only (jobs list), before any command writes the journal: each record once already.
      const read = await openJournal(path, { write: false });
      expect(read.jobs()).toEqual([...before, expect.objectContaining({ job_id: "job_meanwhile", custom_id: "m" })]);
      expect(read.records().filter((r) => r.job_id === "job_meanwhile")).toHaveLength(1);
      const journal = await openJournal(path);
      expect(journal.jobs()).toEqual([...before, expect.objectContaining({ job_id: "job_meanwhile", custom_id: "m" })]);
      expect(readFileSync(path, "utf8").split('"job_meanwhile"')).toHaveLength(2);
      expect(leftBeside(path)).toEqual([]);
      expect(statSync(path).nlink).toBe(1);
    });
  }

  it("compacts a journal on a file system without hard links (its link fails with EPERM), as it can", () => {
    const path = largeJournal("no-links.jsonl", 50);
    const before = new Journal(path).jobs();
    const script = join(dir, "no-links.mjs");
    writeFileSync(
      script,
      `import { createRequire, syncBuiltinESMExports } from "node:module";
const fsp = createRequire(import.meta.url)("node:fs/promises");
fsp.link = async () => {
  throw Object.assign(new Error("EPERM: operation not permitted, link"), { code: "EPERM" });
};
syncBuiltinESMExports();
const [, , module, path] = process.argv;
const { Journal } = await import(module);
process.stdout.write(String(await new Journal(path, { compactAt: 1000 }).compact()));
`,
    );
    const module = pathToFileURL(fileURLToPath(new URL("../dist/journal.js", import.meta.url))).href;
    const child = spawnSync(process.execPath, [script, module, path], { encoding: "utf8" });
    expect([child.stdout, child.stderr]).toEqual(["true", ""]);
    expect(new Journal(path).jobs()).toEqual(before);
    expect(leftBeside(path)).toEqual([]);
  });

  it("two compactions at once (a lock taken over from a process wrongly judged gone): a record appended to the first one's file is kept", async () => {
    const path = largeJournal("double.jsonl", 50);
    const before = new Journal(path).jobs();
    const appender = new Journal(path);
    // The second takes the lock the first holds, made to look stale (a lock of an earlier boot), as a lock wrongly
    // judged stale would be taken over.
    const second = new Journal(path, { compactAt: 1000 });
    const first = new Journal(path, {
      compactAt: 1000,
      pause: async (step) => {
        if (step !== "written") return;
        writeFileSync(`${lockName(path)}.compact.lock`, `${JSON.stringify({ pid: process.pid, boot: "earlier" })}\n`);
        expect(await second.compact()).toBe(true);
        await appender.append({ job_id: "job_between", event: "submitted", custom_id: "b2" });
      },
    });
    await first.compact();
    expect(new Journal(path).jobs()).toEqual([
      ...before,
      expect.objectContaining({ job_id: "job_between", custom_id: "b2" }),
    ]);
    expect(readFileSync(path, "utf8").split('"job_between"')).toHaveLength(2);
    expect(leftBeside(path)).toEqual([]);
  });

  it("keeps the journal's mode whatever the umask (a journal a group shares stays writable by the group)", async () => {
    const path = largeJournal("shared.jsonl", 50);
    chmodSync(path, 0o660);
    const umask = process.umask(0o022);
    try {
      expect(await new Journal(path, { compactAt: 1000 }).compact()).toBe(true);
    } finally {
      process.umask(umask);
    }
    expect(statSync(path).mode & 0o777).toBe(0o660);
  });
});
