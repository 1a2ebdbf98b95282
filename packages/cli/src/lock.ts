import { randomBytes } from "node:crypto";
import { linkSync, readFileSync, rmSync, writeFileSync } from "node:fs";

/** Whether a process of this id runs (one of another user's counts: it cannot be signalled, but it is there). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The process id a lock file holds (undefined: none there, or not a lock this code wrote). */
function holderOf(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, "utf8").trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock file at `path`: a file holding this process's id, put there whole or not at all (written beside it,
 * then linked to its name, which fails if the name is taken). Held by a process that still runs: answers its id. Held by
 * one that is gone (a kill, a power loss): taken over. Once taken, it is removed by `release`, and as the process exits
 * (a second Ctrl-C), whichever comes first. (Two processes taking over the same stale lock at the same instant could
 * both hold it: a lock left by a crash and two runs started together.)
 */
export function takeLock(path: string): { release: () => void } | { holder: number } {
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  writeFileSync(temporary, `${process.pid}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; ; attempt++) {
      // A name taken again each time by something that is not a live holder's lock (a directory there …).
      if (attempt === 5) throw new Error(`Could not take the lock file ${path}`);
      try {
        linkSync(temporary, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
      const holder = holderOf(path);
      if (holder !== undefined && holder !== process.pid && alive(holder)) return { holder };
      rmSync(path, { force: true });
    }
  } finally {
    rmSync(temporary, { force: true });
  }
  const release = () => {
    process.off("exit", release);
    if (holderOf(path) === process.pid) rmSync(path, { force: true });
  };
  process.on("exit", release);
  return { release };
}
