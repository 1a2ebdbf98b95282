import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  linkSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { uptime } from "node:os";
import { basename, dirname, join, resolve } from "node:path";

/**
 * Who holds a lock: a process (its id), on a boot of the machine (Linux's boot id; elsewhere `~` and when it booted,
 * in seconds), started at a time (Linux's clock ticks since boot, from `/proc/<pid>/stat`; where that cannot be read,
 * none), and a nonce of that one taking of the lock.
 */
interface Holder {
  pid: number;
  boot?: string | undefined;
  start?: string | undefined;
  nonce?: string | undefined;
}

/** This boot of the machine (see `Holder`). */
function bootId(): string {
  try {
    const id = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    if (id) return id;
  } catch {}
  return `~${Math.round(Date.now() / 1000 - uptime())}`;
}

/** Whether two boot ids name the same boot (a boot time worked out from the uptime may move by a second or so). */
function sameBoot(a: string, b: string): boolean {
  if (a.startsWith("~") && b.startsWith("~")) return Math.abs(Number(a.slice(1)) - Number(b.slice(1))) <= 120;
  return a === b;
}

/** When a process started (see `Holder`), undefined where that cannot be read. */
function startOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The fields after the command's name (in parentheses, which may hold anything): state is the 3rd, starttime the 22nd.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** Whether the process a lock names still runs: the same process, not one given its id since (after a reboot too). */
function alive(holder: Holder): boolean {
  if (holder.boot !== undefined && !sameBoot(holder.boot, bootId())) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (e) {
    // One of another user's counts: it cannot be signalled, but it is there.
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const start = holder.start === undefined ? undefined : startOf(holder.pid);
  return start === undefined || start === holder.start;
}

/**
 * What a lock file holds: `{"pid":…,"boot":…,"start":…,"nonce":…}`, or (a lock of an earlier version) a process id
 * alone; undefined for anything else.
 */
function parseHolder(text: string): Holder | undefined {
  const pid = Number(text.trim());
  if (Number.isSafeInteger(pid) && pid > 0) return { pid };
  try {
    const value = JSON.parse(text);
    const str = (v: unknown) => (typeof v === "string" ? v : undefined);
    if (Number.isSafeInteger(value?.pid) && value.pid > 0) {
      return { pid: value.pid, boot: str(value.boot), start: str(value.start), nonce: str(value.nonce) };
    }
  } catch {}
  return undefined;
}

/** A lock file's text, undefined when there is none. */
function readLock(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`Could not take the lock file ${path} (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
}

/**
 * The name to lock a file by, as the file system sees it: its path with symbolic links followed (its own, even one
 * leading to a file not there yet, and its directories'), so that every path to it takes one lock. (A hard link is
 * another name.)
 */
export function lockName(path: string): string {
  let name = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    try {
      return realpathSync(name);
    } catch {}
    let target: string;
    try {
      target = readlinkSync(name);
    } catch {
      // Not there (yet): in its directory as the file system sees it.
      try {
        return join(realpathSync(dirname(name)), basename(name));
      } catch {
        return name;
      }
    }
    // A link to a file not there yet: where it leads.
    name = resolve(dirname(name), target);
  }
  return name;
}

/** The name of the claim to replace a file found holding `text` (see `takeLock`). */
function claimName(name: string, text: string): string {
  return `${name}.${createHash("sha256").update(text).digest("hex").slice(0, 16)}.takeover`;
}

/**
 * Takes the right to replace `name`, found holding `found` (a gone holder's): creates `<name>.<hash of found>.takeover`
 * from `temporary` (naming this process), which only one process can. A claim whose maker is gone (killed while taking
 * over) is itself replaced, by the same rule one level down, so that it does not block every later run. Answers the
 * claims made (to be removed once done, the first the one on `name`), the id of a live process that claimed it first,
 * or undefined when a claim went away meanwhile (to be read again).
 */
function claim(
  name: string,
  found: string,
  temporary: string,
  depth: number,
): { claims: string[] } | { holder: number } | undefined {
  const path = claimName(name, found);
  try {
    linkSync(temporary, path);
    return { claims: [path] };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  // Another process is taking this same lock over: the lock is its, unless it is gone.
  const other = readLock(path);
  if (other === undefined) return undefined;
  const taker = parseHolder(other);
  if (taker && alive(taker)) return { holder: taker.pid };
  // Each level down needs another process killed while taking over the one above.
  if (depth === 3) throw new Error(`Could not take the lock file ${path}: remove ${path}`);
  const over = claim(path, other, temporary, depth + 1);
  if (over === undefined || "holder" in over) return over;
  let replaced = false;
  try {
    // Still the gone process's claim (none but the holder of `over` replaces it): replaced by this one's, whole.
    if (readLock(path) === other) {
      const copy = `${temporary}.${depth}`;
      linkSync(temporary, copy);
      try {
        renameSync(copy, path);
      } finally {
        rmSync(copy, { force: true });
      }
      replaced = true;
    }
  } finally {
    if (!replaced) for (const name of over.claims) rmSync(name, { force: true });
  }
  return replaced ? { claims: [path, ...over.claims] } : undefined;
}

/**
 * Removes the files a taker of the lock at `path` killed while taking it left beside it (its temporary file
 * `<path>.<nonce>.tmp`, and a claim's copy of it, `….tmp.<n>`), each naming its process: only those whose process is
 * gone (as a lock's holder is told gone). One of a process that runs (taking the lock at this instant) is its; one
 * whose text names no process (a taker killed, or about to write it, between creating and writing it) is left, as
 * nothing tells which.
 */
function removeLeftTemporaries(path: string): void {
  const directory = dirname(path);
  const name = basename(path).replace(/[.*+?^$()|[\]{}\\]/g, "\\$&");
  const left = new RegExp(`^${name}\\.[0-9a-f]{16}\\.tmp(\\.\\d)?$`);
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return;
  }
  for (const found of names) {
    if (!left.test(found)) continue;
    const file = join(directory, found);
    try {
      const holder = parseHolder(readFileSync(file, "utf8"));
      if (holder?.nonce !== undefined && !alive(holder)) rmSync(file, { force: true });
    } catch {}
  }
}

export interface LockOptions {
  /**
   * Called (tests) where another process may come between: a lock found stale, before it is taken over (`stale`); the
   * right to take over that one lock taken, before it is replaced (`claimed`).
   */
  pause?: ((step: "stale" | "claimed") => void) | undefined;
}

/**
 * Takes the lock file at `path`: a file naming this process (see `Holder`), put there whole or not at all (written
 * beside it, then linked to its name, which fails if the name is taken). Held by a process that still runs: answers its
 * id. Held by one that is gone (a kill, a power loss, a reboot since: a process given its id since is not the holder):
 * taken over, by one process only, however many find it stale at once: each must first create
 * `<path>.<hash of the stale lock>.takeover` (which only one can; one left by a process killed meanwhile is taken
 * over as a stale lock is), then replaces it (a rename, so that the name is never empty for another to take). Once taken, it is removed by `release`, and as the process exits (a second Ctrl-C),
 * whichever comes first. Taking it also removes the temporary files of takers killed while taking it (see
 * `removeLeftTemporaries`).
 *
 * (Not proper-lockfile: it takes a stale lock over by removing it and making it again, which two processes can both
 * do, and it keeps its lock by touching it every few seconds, which a process stopped a while, by Ctrl-Z, loses.)
 */
export function takeLock(path: string, options: LockOptions = {}): { release: () => void } | { holder: number } {
  const nonce = randomBytes(8).toString("hex");
  const self: Holder = { pid: process.pid, boot: bootId(), start: startOf(process.pid), nonce };
  const temporary = `${path}.${nonce}.tmp`;
  const fd = openSync(temporary, "wx", 0o600);
  try {
    writeSync(fd, `${JSON.stringify(self)}\n`);
  } finally {
    closeSync(fd);
  }
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
      const found = readLock(path);
      if (found === undefined) continue;
      const holder = parseHolder(found);
      // A lock of an earlier version naming this process: a process before this one that had its id.
      if (holder && !(holder.nonce === undefined && holder.pid === process.pid) && alive(holder)) {
        return { holder: holder.pid };
      }
      options.pause?.("stale");
      const claimed = claim(path, found, temporary, 0);
      if (claimed === undefined) continue;
      if ("holder" in claimed) return claimed;
      try {
        options.pause?.("claimed");
        // Still the lock found stale (none but this claim's holder replaces it): replaced by this one's, whole.
        if (readLock(path) === found) {
          renameSync(temporary, path);
          break;
        }
      } finally {
        for (const name of claimed.claims) rmSync(name, { force: true });
      }
    }
  } finally {
    rmSync(temporary, { force: true });
  }
  removeLeftTemporaries(path);
  const release = () => {
    process.off("exit", release);
    try {
      if (parseHolder(readLock(path) ?? "")?.nonce === nonce) rmSync(path, { force: true });
    } catch {}
  };
  process.on("exit", release);
  return { release };
}
