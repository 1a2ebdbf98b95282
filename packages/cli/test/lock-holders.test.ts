/**
 * Whose a batch's lock is, told from its file: a run's release removes only its own lock (not one another run took
 * after this one's was removed by hand), a holder this process may not signal (another user's) runs, and a lock file
 * naming no process (`0`) is no one's.
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { takeLock } from "../src/lock.js";
import { tempDir } from "./helpers.js";

const temp = tempDir();
afterAll(() => temp.remove());
const dir = realpathSync(temp.dir);

type Taken = ReturnType<typeof takeLock>;
const release = (lock: Taken) => (lock as { release: () => void }).release();

describe("a run's release", () => {
  it("removes its own lock, not another run's that replaced it (its own removed by hand, as the CLI advises)", () => {
    const path = join(dir, "replaced.lock");
    const a = takeLock(path);
    expect(a).toHaveProperty("release");
    // The user removes A's lock by hand; run B takes the lock.
    unlinkSync(path);
    const b = takeLock(path);
    expect(b).toHaveProperty("release");
    const bs = readFileSync(path, "utf8");
    // Run A ends: B's lock stays, and a third run finds it held.
    release(a);
    expect(existsSync(path)).toBe(true);
    expect(readFileSync(path, "utf8")).toBe(bs);
    expect(takeLock(path)).toEqual({ holder: process.pid });
    release(b);
    expect(existsSync(path)).toBe(false);
  });
});

/** The lock's code as it is in src/, bundled into `into` for a process of its own to run: its path. */
function bundleLock(into: string): string {
  const module = join(into, "lock.mjs");
  buildSync({
    entryPoints: [fileURLToPath(new URL("../src/lock.ts", import.meta.url))],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: module,
    logLevel: "error",
  });
  return module;
}

/**
 * This machine's boot id, as a lock records it: read by the tests that need it, skipped where the system gives none
 * (macOS; the rest of the file runs there).
 */
const BOOT_ID = "/proc/sys/kernel/random/boot_id";
const hasBootId = existsSync(BOOT_ID);
const bootId = () => readFileSync(BOOT_ID, "utf8").trim();
const root = process.getuid?.() === 0;
// (A switch to another user that works: setpriv there, and allowed to change ids, as root in a container may not be.)
const setpriv = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "true"]).status === 0;

describe("a holder this process may not signal (another user's process: kill answers EPERM)", () => {
  // As root (every signal allowed), a run as another user (nobody, by `setpriv`) of the lock's code as it is in
  // src/, bundled for it, meets the lock of this process. As another user, this process meets a lock naming
  // process 1 where another user runs it.
  const otherUsers = root ? setpriv : statSync("/proc/1").uid !== process.getuid?.();
  it.skipIf(!hasBootId || !otherUsers)("runs: its lock is held, not taken over", () => {
    const boot = bootId();
    if (!root) {
      const path = join(dir, "other-user.lock");
      writeFileSync(path, "1\n");
      expect(takeLock(path)).toEqual({ holder: 1 });
      expect(readFileSync(path, "utf8")).toBe("1\n");
      return;
    }
    // A directory both users may write in, the lock's code in it.
    const shared = mkdtempSync(join(tmpdir(), "decart-cli-shared-"));
    try {
      chmodSync(shared, 0o777);
      const module = bundleLock(shared);
      chmodSync(module, 0o644);
      const path = join(shared, "batch.lock");
      const text = `${JSON.stringify({ pid: process.pid, boot, nonce: "0123456789abcdef" })}\n`;
      writeFileSync(path, text, { mode: 0o644 });
      const script = `const { takeLock } = await import(${JSON.stringify(module)});
const lock = takeLock(${JSON.stringify(path)});
process.stdout.write(JSON.stringify("release" in lock ? "taken" : lock));`;
      const child = spawnSync(
        "setpriv",
        ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, "--input-type=module", "-e", script],
        { cwd: shared, encoding: "utf8" },
      );
      expect([child.stdout, child.stderr]).toEqual([JSON.stringify({ holder: process.pid }), ""]);
      expect(readFileSync(path, "utf8")).toBe(text);
    } finally {
      rmSync(shared, { recursive: true, force: true });
    }
  });
});

describe("a lock file naming no process", () => {
  it.skipIf(!hasBootId)("one reading 0 (or -1, or a JSON pid of 0) is no one's: taken over, not held for ever", () => {
    const boot = bootId();
    const path = join(dir, "zero.lock");
    for (const text of ["0\n", "0", "-1\n", `${JSON.stringify({ pid: 0, boot, nonce: "0123456789abcdef" })}\n`]) {
      writeFileSync(path, text);
      const lock = takeLock(path);
      expect(lock, text).toHaveProperty("release");
      expect(JSON.parse(readFileSync(path, "utf8")), text).toMatchObject({ pid: process.pid, boot });
      release(lock);
      expect(existsSync(path), text).toBe(false);
    }
  });
});

describe("where the system gives no boot id (macOS): a boot told by when it began, worked out from the uptime", () => {
  // A process of its own (root: a mount namespace of its own, `unshare -m`) where /proc/sys/kernel/random/boot_id reads
  // empty, running the lock's code as it is in src/, meets locks of this (live) process whose boot began a minute
  // before or after the time it works out (an uptime read a little later moves it by a second or so), and ten minutes
  // after.
  // (`--propagation private`: the bind mount stays in the namespace made, whatever the system's default propagation.)
  // (The bind mount needs the file there.)
  const unshare = root && hasBootId && spawnSync("unshare", ["-m", "--propagation", "private", "true"]).status === 0;
  it.skipIf(!unshare)(
    "a boot time within a couple of minutes is this boot: held by its live process; one further off, gone",
    () => {
      const place = mkdtempSync(join(tmpdir(), "decart-cli-boot-"));
      try {
        const module = bundleLock(place);
        const script = `import { writeFileSync } from "node:fs";
import { uptime } from "node:os";
const { takeLock } = await import(${JSON.stringify(module)});
const booted = Math.round(Date.now() / 1000 - uptime());
const seen = {};
for (const off of [-60, 60, 600]) {
  const path = ${JSON.stringify(place)} + "/boot" + off + ".lock";
  writeFileSync(path, JSON.stringify({ pid: ${process.pid}, boot: "~" + (booted + off), nonce: "0123456789abcdef" }));
  const lock = takeLock(path);
  seen[off] = "release" in lock ? "taken" : lock;
  if ("release" in lock) lock.release();
}
process.stdout.write(JSON.stringify(seen));`;
        const child = spawnSync(
          "unshare",
          [
            "-m",
            "--propagation",
            "private",
            "sh",
            "-c",
            'mount --bind /dev/null /proc/sys/kernel/random/boot_id && exec "$@"',
            "sh",
            process.execPath,
            "--input-type=module",
            "-e",
            script,
          ],
          { encoding: "utf8" },
        );
        expect(child.stderr).toBe("");
        expect(JSON.parse(child.stdout)).toEqual({
          "-60": { holder: process.pid },
          "60": { holder: process.pid },
          "600": "taken",
        });
      } finally {
        rmSync(place, { recursive: true, force: true });
      }
    },
  );
});
