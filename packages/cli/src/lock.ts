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
  statSync,
  writeSync,
} from "node:fs";
import { hostname, uptime } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { escapeRegExp } from "./secrets.js";

/**
 * Who holds a lock: a process (its id), on a boot of the machine (Linux's boot id; elsewhere `~` and when it booted,
 * in seconds), started at a time (Linux's clock ticks since boot, from `/proc/<pid>/stat`; where that cannot be read,
 * none), and a nonce of that one taking of the lock; with the machine's name (`host`), its process id namespace (`ns`,
 * the inode of `/proc/self/ns/pid` on Linux: a container has its own) and when the lock was taken (`at`, ms since
 * 1970).
 */
interface Holder {
  pid: number;
  boot?: string | undefined;
  start?: string | undefined;
  nonce?: string | undefined;
  host?: string | undefined;
  ns?: string | undefined;
  at?: number | undefined;
}

/** This process's process id namespace (see `Holder`), undefined where there is none to read. */
function pidNamespace(): string | undefined {
  try {
    return /\[(\d+)\]/.exec(readlinkSync("/proc/self/ns/pid"))?.[1];
  } catch {
    return undefined;
  }
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
    // The fields after the command's name (in parentheses, which may hold anything): state is the 3rd, starttime the
    // 22nd.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/**
 * Why this process cannot tell whether a lock's holder runs: it runs on another machine (another `host`, or another
 * boot of one of this name while this boot has run since the lock was taken: two machines sharing a directory over
 * NFS) or in another process id namespace (another container sharing the directory): its process id means nothing
 * here. Undefined when it can tell, checked in this order: a lock of this boot of the machine (Linux's boot id, the
 * same) and of this namespace is judged by its process whatever machine name it records (the name changes with the
 * network, on a laptop); a lock of this machine's name taken before this boot began is a reboot since: the holder is
 * gone, whatever namespace it ran in. (Where there is no boot id, macOS, a machine whose name changed since cannot be
 * told from another: its lock is held till removed. A lock that names no machine is judged by its boot alone, and one
 * that names no boot either, a process id alone, by its process.)
 */
function elsewhere(holder: Holder): string | undefined {
  const boot = bootId();
  const ns = pidNamespace();
  if (!boot.startsWith("~") && holder.boot === boot && ns !== undefined && holder.ns === ns) return undefined;
  const booted = Date.now() - uptime() * 1000;
  const reboot = holder.boot !== undefined && !sameBoot(holder.boot, boot);
  if (holder.host === hostname() && reboot && holder.at !== undefined && holder.at < booted) return undefined;
  if (holder.host !== undefined && holder.host !== hostname())
    return `on the machine ${holder.host.replace(/[^\w.-]/g, "?")}`;
  if (reboot && holder.host !== undefined && (holder.at === undefined || holder.at >= booted))
    return "on another boot: another machine of this name";
  if (holder.ns !== undefined && holder.ns !== ns) return "in another process id namespace: another container";
  return undefined;
}

/**
 * Whether the process a lock names still runs: the same process, not one given its id since (after a reboot too); one
 * this process cannot tell of (see `elsewhere`) is taken to run.
 */
function alive(holder: Holder): boolean {
  if (elsewhere(holder) !== undefined) return true;
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
 * What a lock file holds: `{"pid":…,"boot":…,"start":…,"nonce":…}`, or a process id alone (a lock holding only a pid,
 * as a script's `echo $$ > lock` writes one: judged by that process, see `alive`); undefined for anything else.
 */
function parseHolder(text: string): Holder | undefined {
  const pid = Number(text.trim());
  if (Number.isSafeInteger(pid) && pid > 0) return { pid };
  try {
    const value = JSON.parse(text);
    const str = (v: unknown) => (typeof v === "string" ? v : undefined);
    if (Number.isSafeInteger(value?.pid) && value.pid > 0) {
      const at = Number.isFinite(value.at) ? (value.at as number) : undefined;
      const [boot, start, nonce, host, ns] = [value.boot, value.start, value.nonce, value.host, value.ns].map(str);
      return { pid: value.pid, boot, start, nonce, host, ns, at };
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
 * One try at putting this process's lock text (`temporary`, naming it) at `name`: the lock itself (`depth` 0), or a
 * claim to replace one (`depth` 1 and on: see `takeLock`). Linked there when the name is free. Otherwise what is
 * there is read: held by a process that runs, its id is the answer. Held by one that is gone (a kill, a reboot since),
 * it is taken over: first its claim, `<name>.<hash of what it holds>.takeover`, by this same rule one level down
 * (which only one process can make; a claim whose maker is gone, killed while taking over, is itself replaced, so
 * that it does not block every later run), then, still what was found (none but the claim's holder replaces it),
 * replaced by this one's text whole (a rename of a link to `temporary`, so that the name is never empty for another to
 * take). Answers the claims made, to be removed once done (a claim's own name first; the lock's are removed here, once
 * it is taken), the id of a live process that holds the name, or undefined when what was there went away or changed
 * meanwhile (to be tried again).
 */
function take(
  name: string,
  temporary: string,
  depth: number,
  pause: LockOptions["pause"],
): { claims: string[] } | Held | undefined {
  const mine = depth ? [name] : [];
  try {
    linkSync(temporary, name);
    return { claims: mine };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  const found = readLock(name);
  if (found === undefined) return undefined;
  const holder = parseHolder(found);
  // A lock holding only a pid (no nonce) that names this process: a process before this one that had its id (this one
  // has written none: its own lock names its nonce).
  if (holder && !(holder.nonce === undefined && holder.pid === process.pid) && alive(holder)) {
    const where = elsewhere(holder);
    return where === undefined ? { holder: holder.pid } : { holder: holder.pid, elsewhere: where };
  }
  // Each claim level down needs another process killed while taking over the one above.
  if (depth === 4) throw new Error(`Could not take the lock file ${name}: remove ${name}`);
  if (!depth) pause?.("stale");
  const claimed = take(claimName(name, found), temporary, depth + 1, undefined);
  if (claimed === undefined || "holder" in claimed) return claimed;
  let replaced = false;
  try {
    if (!depth) pause?.("claimed");
    if (readLock(name) === found) {
      const copy = `${temporary}.${depth}`;
      linkSync(temporary, copy);
      try {
        renameSync(copy, name);
      } finally {
        rmSync(copy, { force: true });
      }
      replaced = true;
    }
  } finally {
    // The claims on the lock are done with once it is taken; those on a claim, once the lock is.
    if (!replaced || !depth) for (const claim of claimed.claims) rmSync(claim, { force: true });
  }
  return replaced ? { claims: [...mine, ...claimed.claims] } : undefined;
}

/**
 * Removes the files a taker of the lock at `path` killed while taking it left beside it (its temporary file
 * `<path>.<nonce>.tmp`, and a claim's copy of it, `….tmp.<n>`), each naming its process: only those whose process is
 * gone (as a lock's holder is told gone). One of a process that runs (taking the lock at this instant) is its; one
 * whose text names no process (a taker killed, or about to write it, between creating and writing it) is left, as
 * nothing tells which, unless it is empty and was made a minute ago or more (`ABANDONED_MS`): a taker whose write
 * failed (a full disk) and whose removal of it failed too leaves it so, and no taker stays that long between creating
 * and writing it.
 */
function removeLeftTemporaries(path: string): void {
  const directory = dirname(path);
  const name = escapeRegExp(basename(path));
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
      const text = readFileSync(file, "utf8");
      const holder = parseHolder(text);
      // One left empty (its write failed, a full disk, and so did its removal) a minute or more ago: no taker is
      // between creating and writing it for so long.
      const abandoned = text === "" && Date.now() - statSync(file).mtimeMs >= ABANDONED_MS;
      if ((holder?.nonce !== undefined && !alive(holder)) || abandoned) rmSync(file, { force: true });
    } catch {}
  }
}

/**
 * A lock's live holder: its process id, and where this process cannot tell whether it runs, why (see `elsewhere`):
 * taken to run, as the lock stays until removed by hand if it is gone.
 */
export interface Held {
  holder: number;
  elsewhere?: string;
}

/** A live holder told: `process 12`, or `process 12 on the machine h2, which this run cannot tell runs or not`. */
export function holderText(held: Held): string {
  const where = held.elsewhere ? ` ${held.elsewhere}, which this run cannot tell runs or not` : "";
  return `process ${held.holder}${where}`;
}

/**
 * How long ago an empty temporary file of a lock was last written for it to be taken as left (see
 * `removeLeftTemporaries`).
 */
const ABANDONED_MS = 60_000;

export interface LockOptions {
  /**
   * Called (tests) where another process may come between: a lock found stale, before it is taken over (`stale`); the
   * right to take over that one lock taken, before it is replaced (`claimed`).
   */
  pause?: ((step: "stale" | "claimed") => void) | undefined;
}

/**
 * Takes the lock file at `path`: a file naming this process (see `Holder`), put there whole or not at all (written
 * beside it, then linked to its name, which fails if the name is taken). Held by a process that still runs, or by one
 * whose state this process cannot tell (on another machine, in another container: see `elsewhere`): answers its id
 * (and why it cannot tell: such a lock stays until it is removed by hand). Held by one that is gone (a kill, a power
 * loss, a reboot since: a process given its id since is not the holder): taken over, by one process only, however many
 * find it stale at once: each must first create `<path>.<hash of the stale lock>.takeover` (which only one can; one
 * left by a process killed meanwhile is taken over as a stale lock is), then replaces it (a rename, so that the name is
 * never empty for another to take). Once taken, it is removed by `release`, and as the process exits (a second Ctrl-C),
 * whichever comes first. Taking it also removes the temporary files of takers killed while taking it (see
 * `removeLeftTemporaries`).
 *
 * (Not proper-lockfile: it takes a stale lock over by removing it and making it again, which two processes can both
 * do, and it keeps its lock by touching it every few seconds, which a process stopped a while, by Ctrl-Z, loses.)
 */
export function takeLock(path: string, options: LockOptions = {}): { release: () => void } | Held {
  const nonce = randomBytes(8).toString("hex");
  const self: Holder = {
    pid: process.pid,
    boot: bootId(),
    start: startOf(process.pid),
    nonce,
    host: hostname(),
    ns: pidNamespace(),
    at: Date.now(),
  };
  const temporary = `${path}.${nonce}.tmp`;
  const fd = openSync(temporary, "wx", 0o600);
  try {
    writeSync(fd, `${JSON.stringify(self)}\n`);
  } catch (e) {
    // (A full disk, a quota: its own file, empty, naming no process, would stay: see `removeLeftTemporaries`.)
    rmSync(temporary, { force: true });
    throw e;
  } finally {
    closeSync(fd);
  }
  try {
    for (let attempt = 0; ; attempt++) {
      // A name taken again each time by something that is not a live holder's lock (a directory there …).
      if (attempt === 5) throw new Error(`Could not take the lock file ${path}`);
      const taken = take(path, temporary, 0, options.pause);
      if (taken === undefined) continue;
      if ("holder" in taken) return taken;
      break;
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
