/**
 * Whose a batch's lock is, told from its file: a run's release removes only its own lock (not one another run took
 * after this one's was removed by hand), a holder this process may not signal (another user's) runs, and a lock file
 * naming no process (`0`) is no one's.
 */
import { existsSync, readFileSync, realpathSync, unlinkSync } from "node:fs";
import { join } from "node:path";
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
