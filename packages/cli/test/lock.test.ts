/**
 * The lock of a batch (and of a journal's compaction): one holder however many processes take it over at once, a holder
 * told from a process given its id since, and one lock for every path to a file.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { hostname, uptime } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { lockName, takeLock } from "../src/lock.js";
import { BIN, childEnv, events, finished, KEY, tempDir } from "./helpers.js";

const temp = tempDir();
afterAll(() => temp.remove());
const dir = realpathSync(temp.dir);

/**
 * This machine's boot id, as a lock records it: read by the tests that need it, skipped where the system gives none
 * (macOS; the rest of the file runs there).
 */
const BOOT_ID = "/proc/sys/kernel/random/boot_id";
const hasBootId = existsSync(BOOT_ID);
const bootId = () => readFileSync(BOOT_ID, "utf8").trim();
/** A process that runs (this one's parent), and the lock it would have written on a boot. */
const lockOf = (fields: Record<string, unknown>) =>
  `${JSON.stringify({ pid: process.ppid, nonce: "0123", ...fields })}\n`;

/**
 * What a lock taken here records of where it was taken: this boot's id, this process id namespace, this machine's name,
 * and when this boot began (ms since the epoch).
 */
const thisMachine = () => ({
  boot: bootId(),
  ns: /\[(\d+)\]/.exec(readlinkSync("/proc/self/ns/pid"))?.[1],
  host: hostname(),
  booted: Date.now() - uptime() * 1000,
});

describe("takeLock", () => {
  it.skipIf(!hasBootId)("a stale lock taken over by several at the same instant has one holder", () => {
    const boot = bootId();
    const path = join(dir, "race.lock");
    // Left by a process of an earlier boot.
    writeFileSync(path, lockOf({ boot: "an earlier boot" }));
    const taken: Record<string, ReturnType<typeof takeLock>> = {};
    // A finds it stale; then, before A takes it over, B finds it stale too, and while B takes it over, C.
    taken.a = takeLock(path, {
      pause: (step) => {
        if (step !== "stale" || taken.b) return;
        taken.b = takeLock(path, {
          pause: (inner) => {
            if (inner === "claimed") taken.c = takeLock(path);
          },
        });
      },
    });
    expect(taken.b).toHaveProperty("release");
    expect(taken.a).toEqual({ holder: process.pid });
    expect(taken.c).toEqual({ holder: process.pid });
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ pid: process.pid, boot });
    (taken.b as { release: () => void }).release();
    // Nothing left: the lock, and every file of its taking.
    expect(readdirSync(dir).filter((name) => name.startsWith("race."))).toEqual([]);
  });

  it.skipIf(!hasBootId)(
    "a lock whose process id was given to another process since (a reboot, or later) is taken over",
    () => {
      const boot = bootId();
      const path = join(dir, "reused.lock");
      const cases: Array<[string, string, boolean]> = [
        ["of this boot, its process running", lockOf({ boot }), false],
        ["of an earlier boot", lockOf({ boot: "an earlier boot" }), true],
        ["of a process started at another time", lockOf({ boot, start: "1" }), true],
        ["holding only a pid", `${process.ppid}\n`, false],
        ["holding only a pid, this process's", `${process.pid}\n`, true],
      ];
      for (const [what, text, stale] of cases) {
        writeFileSync(path, text);
        const lock = takeLock(path);
        if (stale) {
          expect(lock, what).toHaveProperty("release");
          (lock as { release: () => void }).release();
        } else expect(lock, what).toEqual({ holder: process.ppid });
      }
    },
  );

  it.skipIf(!hasBootId)(
    "a takeover claim left by a process killed while taking over is taken over too; a live one's is its",
    () => {
      const boot = bootId();
      const path = join(dir, "claimed.lock");
      /** The claim to replace a file holding `text`, as takeLock names it. */
      const claimOf = (name: string, text: string) =>
        `${name}.${createHash("sha256").update(text).digest("hex").slice(0, 16)}.takeover`;
      const stale = lockOf({ boot: "an earlier boot" });
      const gone = lockOf({ boot: "an earlier boot", nonce: "4567" });
      const cases: Array<[string, Record<string, string>, boolean]> = [
        ["a claim whose maker is gone", { [claimOf(path, stale)]: gone }, true],
        [
          "a claim whose maker is gone, and the claim on that claim too",
          { [claimOf(path, stale)]: gone, [claimOf(claimOf(path, stale), gone)]: gone },
          true,
        ],
        ["a claim whose maker runs", { [claimOf(path, stale)]: lockOf({ boot }) }, false],
      ];
      for (const [what, files, free] of cases) {
        writeFileSync(path, stale);
        for (const [name, text] of Object.entries(files)) writeFileSync(name, text);
        const lock = takeLock(path);
        if (free) {
          expect(lock, what).toHaveProperty("release");
          expect(JSON.parse(readFileSync(path, "utf8")), what).toMatchObject({ pid: process.pid, boot });
          (lock as { release: () => void }).release();
          // Nothing left: the lock, the claims, and every file of their taking.
          expect(
            readdirSync(dir).filter((name) => name.startsWith("claimed.")),
            what,
          ).toEqual([]);
        } else {
          expect(lock, what).toEqual({ holder: process.ppid });
          expect(readFileSync(path, "utf8"), what).toBe(stale);
        }
      }
    },
  );

  it.skipIf(!hasBootId)(
    "taking it removes the temporary files of takers killed while taking it; a live taker's, or one naming none, stays",
    () => {
      const boot = bootId();
      const path = join(dir, "left.lock");
      const gone = lockOf({ boot: "an earlier boot", nonce: "89ab" });
      const files: Record<string, [string, boolean]> = {
        // A taker killed before linking its temporary file, and one killed while copying it for a claim.
        "left.lock.0123456789abcdef.tmp": [gone, false],
        "left.lock.fedcba9876543210.tmp.1": [gone, false],
        // A taker that runs, taking it at this instant; one killed before it wrote its file; another lock's.
        "left.lock.00112233445566ff.tmp": [lockOf({ boot }), true],
        "left.lock.aabbccddeeff0011.tmp": ["", true],
        "other.lock.0123456789abcdef.tmp": [gone, true],
      };
      for (const stale of [true, false]) {
        // Taken over from a gone holder, or taken free.
        if (stale) writeFileSync(path, lockOf({ boot: "an earlier boot" }));
        for (const [name, [text]] of Object.entries(files)) writeFileSync(join(dir, name), text);
        const lock = takeLock(path);
        expect(lock, `stale: ${stale}`).toHaveProperty("release");
        (lock as { release: () => void }).release();
        const kept = Object.entries(files).flatMap(([name, [, stays]]) => (stays ? [name] : []));
        expect(
          readdirSync(dir)
            .filter((name) => /^(left|other)\.lock/.test(name))
            .sort(),
          `stale: ${stale}`,
        ).toEqual(kept.sort());
      }
    },
  );

  it("the temporary files it removes are its own name's, literally: a name holding ( ) [ ] + . * is no pattern", () => {
    const sub = join(dir, "literal");
    mkdirSync(sub);
    const path = join(sub, "j(1)+[a]*.jsonl.lock");
    const gone = lockOf({ boot: "an earlier boot", nonce: "89ab" });
    // Its own, left by a taker that is gone; and another name's, which the name read as a pattern would match.
    writeFileSync(join(sub, "j(1)+[a]*.jsonl.lock.0123456789abcdef.tmp"), gone);
    writeFileSync(join(sub, "j1a.jsonlXlock.0123456789abcdef.tmp"), gone);
    const lock = takeLock(path);
    expect(lock).toHaveProperty("release");
    (lock as { release: () => void }).release();
    expect(readdirSync(sub)).toEqual(["j1a.jsonlXlock.0123456789abcdef.tmp"]);
  });

  it.skipIf(!hasBootId)(
    "a lock of a process this one cannot tell of (another machine, another container) is held, not taken over",
    () => {
      const { boot, ns, host, booted } = thisMachine();
      const path = join(dir, "elsewhere.lock");
      const cases: Array<[string, string, string | undefined]> = [
        ["of this machine and namespace, its process running", lockOf({ boot, host, ns, at: Date.now() }), undefined],
        ["of another machine (no boot id of its own)", lockOf({ host: "h2", ns }), "on the machine h2"],
        ["of another machine, another boot", lockOf({ boot: "another", host: "h2", ns }), "on the machine h2"],
        [
          "of another boot of a machine of this name, since this boot began",
          lockOf({ boot: "another", host, ns, at: Date.now() }),
          "on another boot: another machine of this name",
        ],
        ["of another process id namespace", lockOf({ boot, host, ns: "1" }), "in another process id namespace"],
      ];
      for (const [what, text, where] of cases) {
        writeFileSync(path, text);
        const lock = takeLock(path);
        expect(lock, what).toEqual({
          holder: process.ppid,
          elsewhere: where ? expect.stringContaining(where) : undefined,
        });
        expect(readFileSync(path, "utf8"), what).toBe(text);
      }
      // This machine rebooted since the lock was taken (its boot began after): its holder is gone.
      writeFileSync(path, lockOf({ boot: "an earlier boot", host, ns, at: booted - 60_000 }));
      const lock = takeLock(path);
      expect(lock).toHaveProperty("release");
      expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ pid: process.pid, boot, host, ns });
      (lock as { release: () => void }).release();
    },
  );

  it.skipIf(!hasBootId)(
    "a lock of this boot and namespace is judged by its process whatever machine name it records; one of this name taken before this boot, whatever its namespace, is gone",
    () => {
      const { boot, ns, host, booted } = thisMachine();
      const path = join(dir, "renamed.lock");
      // A process that has exited: its id names no process.
      const dead = spawnSync("true").pid;
      const cases: Array<[string, string, boolean]> = [
        [
          "the machine renamed since, its process running",
          lockOf({ boot, host: "old-name", ns, at: Date.now() }),
          false,
        ],
        [
          "the machine renamed since, its process gone",
          lockOf({ pid: dead, start: "1", boot, host: "old-name", ns, at: Date.now() }),
          true,
        ],
        [
          "this machine's name, taken before this boot, in another namespace",
          lockOf({ boot: "an earlier boot", host, ns: "4026532999", at: booted - 60_000 }),
          true,
        ],
      ];
      for (const [what, text, stale] of cases) {
        writeFileSync(path, text);
        const lock = takeLock(path);
        if (stale) {
          expect(lock, what).toHaveProperty("release");
          (lock as { release: () => void }).release();
        } else {
          expect(lock, what).toEqual({ holder: process.ppid });
          expect(readFileSync(path, "utf8"), what).toBe(text);
        }
      }
    },
  );

  // A run in another container sharing the directory (another process id namespace, made here by unshare, which needs
  // root or user namespaces): its process id is nothing here (1, or this process's own).
  const unshare = spawnSync("unshare", ["--pid", "--fork", "true"]).status === 0;
  it.skipIf(!unshare)("a lock held by a live process in another process id namespace is held (unshare)", async () => {
    const path = join(dir, "container.lock");
    const lockJs = fileURLToPath(new URL("../dist/lock.js", import.meta.url));
    const script = `import { takeLock } from ${JSON.stringify(lockJs)}; const l = takeLock(${JSON.stringify(path)}); console.log(JSON.stringify(l)); process.stdin.on("end", () => l.release()).resume();`;
    const child = spawn(
      "unshare",
      ["--pid", "--fork", "--mount-proc", process.execPath, "--input-type=module", "-e", script],
      {
        stdio: ["pipe", "pipe", "inherit"],
      },
    );
    const first = await new Promise<string>((resolve) => child.stdout.once("data", (d) => resolve(String(d))));
    expect(first).toMatch(/^\{\}/);
    const lock = takeLock(path);
    expect(lock).toMatchObject({ elsewhere: expect.stringContaining("another process id namespace") });
    expect(JSON.parse(readFileSync(path, "utf8")).pid).not.toBe(process.pid);
    child.stdin.end();
    await new Promise((resolve) => child.on("close", resolve));
    // Released by its holder as it ends: free.
    const after = takeLock(path);
    expect(after).toHaveProperty("release");
    (after as { release: () => void }).release();
  });

  it("every path to a file is one lock: through a link to it (there yet or not) or to its directory", () => {
    mkdirSync(join(dir, "real"));
    symlinkSync("real", join(dir, "dir-link"));
    symlinkSync(join(dir, "real", "jobs.jsonl"), join(dir, "file-link.jsonl"));
    const real = join(dir, "real", "jobs.jsonl");
    for (const there of [false, true]) {
      if (there) writeFileSync(real, "");
      for (const path of [join(dir, "dir-link", "jobs.jsonl"), join(dir, "file-link.jsonl"), real]) {
        expect(lockName(path), path).toBe(real);
      }
    }
  });
});

describe("a lock file the system does not let the batch write", () => {
  // A full disk under the journal: the lock's temporary file was made, its write failed (ENOSPC), and the batch ended
  // with the system's bare words, exit 1, leaving that file, empty, naming no process, which no later run removed. Here
  // a file size limit of 0 (`ulimit -f 0`) fails the write as a full disk does (EFBIG), as any user can set it.
  it("exit 2 naming the lock file and the journal, nothing sent, no temporary file left", async () => {
    const place = join(dir, "full");
    mkdirSync(place);
    const batch = join(place, "b.jsonl");
    writeFileSync(batch, '{"custom_id":"a","prompt":"A lake"}\n');
    const journal = join(place, "j.jsonl");
    writeFileSync(journal, "");
    const child = spawn(
      "/bin/sh",
      ["-c", 'ulimit -f 0 && exec "$@"', "sh", process.execPath, BIN, "batch", batch, "--out", join(place, "out")],
      {
        // A port nothing listens on: a request sent would fail otherwise.
        env: childEnv({ DECART_API_KEY: KEY, DECART_BASE_URL: "http://127.0.0.1:9", DECART_JOURNAL: journal }),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const { code, stdout, stderr } = await finished(child);
    expect(code, stderr).toBe(2);
    const lock = `${journal}.${createHash("sha256").update(batch).digest("hex").slice(0, 16)}.lock`;
    expect(events(stdout).at(-1)).toMatchObject({
      type: "error",
      exit_code: 2,
      message:
        `Could not write the batch's lock file ${lock} beside the journal ${journal} (EFBIG: file too large): free ` +
        "space there, or give a journal where files can be written (--journal, DECART_JOURNAL) (nothing was sent)",
    });
    expect(readdirSync(place).sort()).toEqual(["b.jsonl", "j.jsonl"]);
  });

  it("an empty temporary file (a write and its removal failed), a minute old or more, is removed by the next run that takes the lock", () => {
    const path = join(dir, "left-empty.lock");
    const old = `${path}.0123456789abcdef.tmp`;
    const fresh = `${path}.fedcba9876543210.tmp`;
    writeFileSync(old, "");
    writeFileSync(fresh, "");
    const minutesAgo = new Date(Date.now() - 120_000);
    utimesSync(old, minutesAgo, minutesAgo);
    const lock = takeLock(path);
    expect(lock).toHaveProperty("release");
    (lock as { release: () => void }).release();
    // One made just now may be a taker's between creating and writing it: left.
    expect(readdirSync(dir).filter((name) => name.startsWith("left-empty.lock."))).toEqual([
      "left-empty.lock.fedcba9876543210.tmp",
    ]);
  });
});
