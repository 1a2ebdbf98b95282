import { randomBytes } from "node:crypto";
import type { BigIntStats, Stats } from "node:fs";
import { constants, fstatSync, lstatSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync } from "node:fs";
import {
  access,
  link,
  lstat,
  mkdir,
  open,
  readdir,
  readlink,
  realpath,
  rename,
  rm,
  rmdir,
  stat,
} from "node:fs/promises";
import { constants as osConstants } from "node:os";
import { basename, dirname, extname, isAbsolute, join, parse, resolve, sep } from "node:path";
import { isatty } from "node:tty";
import { getSystemErrorMap } from "node:util";
import { aborted } from "@decart/core";
import { openPipe, stickyRefuses } from "@decart/core/node";
import { type CliError, usageError } from "./exit.js";
import { holdsSecret } from "./secrets.js";

/**
 * The options of a synchronous stat of a path or descriptor that may be a named pipe or a socket (standard input, an
 * `-o`, a batch file): `bigint`, which Node fills in a record of its own. A plain one leaves the pipe's mode in the
 * record Node's module resolver reads next, and an import made after it then does not follow symbolic links
 * (nodejs/node#51142): pnpm's packages are reached through them, and `image-type.ts` (file-type) is imported after
 * standard input was read, the `-o` looked at and a batch file read.
 */
export const pipeSafeStat = { bigint: true, throwIfNoEntry: false } as const;

/** The file name extension of each image type an answer is saved as (told from its bytes, `image-type.ts`). */
export const extensions: Record<string, string> = {
  "image/png": ".png",
  "image/jpeg": ".jpg",
  "image/webp": ".webp",
};

/** Every extension an image is saved under (`.png`, `.jpg`, `.webp`). */
export const imageExtensions = Object.values(extensions);

/**
 * A temporary path beside `path`, so the final rename stays on one file system: `<path>.<process id>-<8 hex
 * digits>.partial`, the id of the process that writes it (see `removeStalePartials`), of 7 digits at least (a name of
 * one length whatever the process: see `checkOutputFile`).
 */
export const temporaryPath = (path: string) =>
  `${path}.${String(process.pid).padStart(7, "0")}-${randomBytes(4).toString("hex")}.partial`;

/**
 * Names of `temporaryPath` (the file's own name, the process id; one that saveResult names after it: see
 * `downloadResult`).
 */
const PARTIAL = /^(.+)\.(\d{7,})-[0-9a-f]{8}\.partial$/;
const PARTIAL_OF_PARTIAL = /^(.+)\.(\d{7,})-[0-9a-f]{8}\.partial\.(\d{7,})-[0-9a-f]{8}\.partial$/;

/**
 * How long a temporary file of a process gone from this machine stays untouched before it is taken as left behind:
 * a download going on writes to it far more often (the client gives up a read that stalls 60 s).
 */
export const STALE_MS = 10 * 60_000;

/** Whether a process of this id runs on this machine (one of another user's too: EPERM). */
function running(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/**
 * The temporary files (see `temporaryPath`) of writes to `path` whose process no longer runs on this machine, newest
 * first: a process killed between writing one whole and renaming it left it. None where the directory cannot be read.
 */
export async function leftPartials(path: string): Promise<string[]> {
  const dir = dirname(path);
  const found: Array<[string, number]> = [];
  for (const entry of await readdir(dir).catch(() => [])) {
    const once = PARTIAL.exec(entry);
    if (!once || once[1] !== basename(path) || running(Number(once[2]))) continue;
    const stats = await stat(join(dir, entry)).catch(() => undefined);
    if (stats?.isFile()) found.push([join(dir, entry), stats.mtimeMs]);
  }
  return found.sort((a, b) => b[1] - a[1]).map(([file]) => file);
}

/** The paths `removeStalePartials` has swept in this process. */
const swept = new Set<string>();

/**
 * Removes the temporary files of downloads to `paths` that a killed process left (SIGKILL, a power loss: nothing could
 * remove them then): those named as `temporaryPath` names them, by a process that no longer runs on this machine, and
 * not written for `STALE_MS`. A
 * file of a process that runs (this one's, another `decart`'s) is being written, and stays; so does any other file.
 * One read of each directory, and each path swept once per process: a batch sweeps the paths of all its lines at its
 * start, and the download of each line (which sweeps its own path, as a single one of `video` or `jobs wait` does)
 * then reads no directory again (a batch of N lines in one `--out` read it N + 1 times). Answers the files removed; a
 * directory that cannot be read, or a file that cannot be removed, is left as it is.
 */
export async function removeStalePartials(...paths: string[]): Promise<string[]> {
  const byDir = new Map<string, Set<string>>();
  for (const path of paths) {
    if (swept.has(path)) continue;
    swept.add(path);
    const dir = dirname(path);
    if (!byDir.has(dir)) byDir.set(dir, new Set());
    byDir.get(dir)!.add(basename(path));
  }
  const removed: string[] = [];
  for (const [dir, names] of byDir) {
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (!entry.endsWith(".partial")) continue;
      const twice = PARTIAL_OF_PARTIAL.exec(entry);
      const once = PARTIAL.exec(entry);
      const pids =
        twice && names.has(twice[1]!) ? [twice[2], twice[3]] : once && names.has(once[1]!) ? [once[2]] : undefined;
      if (!pids || pids.map(Number).some(running)) continue;
      try {
        // A process of another machine or container (a shared volume) runs under an id this one cannot see: a file
        // written in the last STALE_MS may be its download going on, and stays.
        if (Date.now() - (await stat(join(dir, entry))).mtimeMs < STALE_MS) continue;
        await rm(join(dir, entry));
        removed.push(join(dir, entry));
      } catch {}
    }
  }
  return removed;
}

/** The files the CLI is writing that are not yet complete in their place (see `tracked`). */
const unfinished = new Set<string>();

/** Removes every file of `unfinished`, synchronously: the process is exiting and awaits nothing more. */
function removeUnfinished(): void {
  for (const path of unfinished) {
    try {
      rmSync(path, { force: true });
    } catch {}
  }
  unfinished.clear();
}

/**
 * Runs `work`, given `track`: each path given to `track` (a temporary file, or a name taken before its file is
 * complete; `track` answers it) is marked unfinished, so that a process that exits meanwhile (a second Ctrl-C, SIGTERM
 * or SIGHUP exits at once, see `interruptible`) removes it and nothing half-written stays beside the target. Once
 * `work` is done (or has failed), the marks are taken off.
 */
export async function tracking<T>(work: (track: (path: string) => string) => Promise<T>): Promise<T> {
  const mine: string[] = [];
  const track = (path: string) => {
    if (!unfinished.size) process.once("exit", removeUnfinished);
    unfinished.add(path);
    mine.push(path);
    return path;
  };
  try {
    return await work(track);
  } finally {
    for (const path of mine) unfinished.delete(path);
    if (!unfinished.size) process.off("exit", removeUnfinished);
  }
}

/** Runs `work` with `path` marked unfinished (see `tracking`). */
export const tracked = <T>(path: string, work: () => Promise<T>): Promise<T> =>
  tracking((track) => {
    track(path);
    return work();
  });

/**
 * Creates `dir` and the directories missing above it, one at a time (outermost first), and answers those it made.
 * Node's own `mkdir(dir, { recursive: true })` never returns where the file system refuses a directory whose parent
 * exists (`/proc/x`); made one by one, the refusal is an error (its `code` and `path` say which and where).
 */
export async function makeDirectory(dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (let p = resolve(dir); ; p = dirname(p)) {
    const stats = await stat(p).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT" && dirname(p) !== p) return undefined;
      throw e;
    });
    if (stats?.isDirectory()) break;
    if (stats) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${p}'`), { code: "ENOTDIR", path: p });
    missing.unshift(p);
  }
  const made: string[] = [];
  for (const p of missing) {
    try {
      await mkdir(p);
      made.push(p);
    } catch (e) {
      // Made meanwhile by someone else: fine if it is a directory.
      if ((e as NodeJS.ErrnoException).code === "EEXIST" && (await stat(p).catch(() => undefined))?.isDirectory())
        continue;
      await removeDirectories(made);
      throw e;
    }
  }
  return made;
}

/**
 * Removes the empty directories `made` (as `makeDirectory` answers them), innermost first; what cannot be removed
 * stays.
 */
async function removeDirectories(made: string[]): Promise<void> {
  for (const p of [...made].reverse()) await rmdir(p).catch(() => {});
}

/**
 * Creates the directory `path` goes into, if it does not exist: a result that was paid for is not lost to a typo'd
 * `-o`.
 */
export const ensureDirectoryOf = (path: string) => makeDirectory(dirname(path));

/**
 * Writes `bytes` to `path` atomically: a temporary file beside it (its directory created if need be), flushed to disk,
 * then put in place by `placeFile` (with `avoid`: a default name, which never replaces a file). Answers the path
 * written. A failure leaves nothing behind, and never a half-written file. A path the user gave that is a stream (see
 * `writesInPlace`: `/dev/null`, a named pipe, a terminal) is opened and written as it is: no temporary file, no rename,
 * which would replace it by a file; a named pipe waits for its reader on a timer, never in a thread (see
 * `writeToPipe`). A path the user gave that is a symbolic link to a file (or to nowhere) writes that file, the link
 * staying (see `savedThrough`: as a video's download does, and as `>` or `curl -o` do); the path answered is the one
 * given. A file replaced keeps its mode, owner and group (as a video's download keeps them).
 */
export async function writeAtomically(
  path: string,
  bytes: Uint8Array,
  avoid?: Avoid,
  /** Called once if `path` is a named pipe that no reader has open yet, as the write starts waiting for one. */
  waiting?: () => void,
  /**
   * Stops the write to a named pipe (its wait for a reader, a reader that does not read): the client's `AbortError`.
   */
  stop?: AbortSignal,
): Promise<string> {
  if (!avoid && writesInPlace(path)) {
    if (statSync(path, pipeSafeStat)?.isFIFO()) {
      await writeToPipe(path, bytes, waiting, stop);
      return path;
    }
    const file = await open(path, "w");
    try {
      await file.writeFile(bytes);
    } finally {
      await file.close();
    }
    return path;
  }
  const target = avoid ? path : await savedThrough(path);
  const temp = temporaryPath(target);
  await ensureDirectoryOf(target);
  // The file replaced (a name the user gave), as the client's `saveResult` keeps it for a video: its owner and group
  // where the process may give them, then its permissions (one made private stays so; an owner that cannot be kept
  // fails nothing). A new file has the default owner and mode.
  const replaced = avoid ? undefined : await stat(target).catch(() => undefined);
  return tracked(temp, async () => {
    try {
      const file = await open(temp, "w");
      try {
        if (replaced?.isFile()) {
          await file.chown(replaced.uid, replaced.gid).catch(() => {});
          await file.chmod(replaced.mode & 0o777);
        }
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      const placed = await placeFile(temp, target, avoid);
      return target === path ? placed : path;
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
  });
}

/**
 * Writes `bytes` to the named pipe `path` (or a descriptor that is a pipe: `/dev/fd/63` from `>(…)`) without a thread
 * ever waiting on it (see the client's `openPipe`): a pipe without a reader is waited for on a timer (`waiting` called
 * once, as the wait starts), until a reader comes or a signal ends the process, and the bytes go from the event loop
 * (as to a socket), so a reader that stops reading holds no thread either.
 */
async function writeToPipe(path: string, bytes: Uint8Array, waiting?: () => void, stop?: AbortSignal): Promise<void> {
  const pipe = await openPipe(path, "w", { waiting, ...(stop && { signal: stop }) });
  const onStop = () => pipe.destroy(aborted());
  try {
    await new Promise<void>((resolve, reject) => {
      pipe.on("error", reject);
      if (stop?.aborted) return onStop();
      stop?.addEventListener("abort", onStop, { once: true });
      pipe.end(bytes, (error?: Error | null) => (error ? reject(error) : resolve()));
    });
  } finally {
    stop?.removeEventListener("abort", onStop);
    pipe.destroy();
  }
}

/**
 * A signal that aborts `ms` after `signal` does (at once if it has, on the clock of `AbortSignal.timeout`): the grace
 * a first Ctrl-C gives what is paid for already (see `SUBMIT_GRACE_MS`).
 */
export function graceAfter(signal: AbortSignal, ms: number): AbortSignal {
  const controller = new AbortController();
  const start = () =>
    AbortSignal.timeout(ms).addEventListener("abort", () => controller.abort(signal.reason), { once: true });
  if (signal.aborted) start();
  else signal.addEventListener("abort", start, { once: true });
  return controller.signal;
}

/**
 * The names a name the CLI chose takes in turn when it is taken: `path` (n = 1), then `<name>-2<ext>`, `<name>-3<ext>`
 * … (`<ext>`: from the file name's last dot).
 */
export function numberedName(path: string, n: number): string {
  if (n === 1) return path;
  const extension = extname(path);
  return `${path.slice(0, path.length - extension.length)}-${n}${extension}`;
}

/**
 * For a name the CLI chose (no `-o`): the names it must not take although nothing is there yet (the journal's, which
 * is written later: see `journalsName`).
 */
export type Avoid = (path: string) => boolean;

/** The codes of a file system that makes no hard links (FAT and exFAT on Linux: EPERM; elsewhere ENOTSUP …). */
const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"]);

/**
 * The first of `numberedName(path, 1, 2, …)` that nothing has (a file, a directory, a link, even to nowhere) and that
 * `avoid` does not refuse: where a result with a name the CLI chose is expected to go (a video records it with its job
 * id before the result exists). Not a reservation: `placeFile` takes the name once the file is complete, and goes on to
 * the next one if it was taken meanwhile.
 */
export function freeName(path: string, avoid: Avoid): string {
  for (let n = 1; ; n++) {
    const name = numberedName(path, n);
    if (avoid(name)) continue;
    try {
      if (lstatSync(name, pipeSafeStat) === undefined) return name;
    } catch {
      return name; // cannot be looked up: placing it will say why
    }
  }
}

/**
 * Puts the complete file `temp` (beside `path`) in its place and answers the path it took. Without `avoid` (a name the
 * user gave: `-o`), that is `path`, and a file there is replaced (a rename: atomic). With `avoid` (a name the CLI
 * chose), nothing is ever replaced: the path is the first of `numberedName(path, 1, 2, …)` that nothing has and `avoid`
 * does not refuse, taken exclusively: a hard link from `temp` fails where the name exists, so two runs at once never
 * take one name, and the name appears only once the file is whole. Where the file system makes no hard links (FAT,
 * exFAT), the name is taken by creating it empty with `wx` (exclusive too), then `temp` is renamed over it.
 */
export async function placeFile(temp: string, path: string, avoid?: Avoid): Promise<string> {
  if (!avoid) {
    await rename(temp, path);
    return path;
  }
  for (let n = 1; ; n++) {
    const name = numberedName(path, n);
    if (avoid(name)) continue;
    try {
      await link(temp, name);
      await rm(temp, { force: true }).catch(() => {});
      return name;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? "";
      if (code === "EEXIST") continue;
      if (!NO_HARD_LINKS.has(code)) throw e;
    }
    let taken: Awaited<ReturnType<typeof open>>;
    try {
      taken = await open(name, "wx");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw e;
    }
    // The name is ours, empty until the rename: removed if the process exits before it (see `tracked`).
    return tracked(name, async () => {
      try {
        await taken.close();
        await rename(temp, name);
      } catch (e) {
        await rm(name, { force: true });
        throw e;
      }
      return name;
    });
  }
}

/** Names Windows keeps for devices, with any extension (`con.mp4` is the console there, not a file). */
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)/i;

/**
 * A file name made of text the CLI did not choose (a batch line's custom_id, a job id from the server): one path
 * component in the current directory, never a path. Letters, marks and digits of any script are kept (NFC), as are
 * `.`, `_` and `-`; anything else (a path separator, a control character, a space, a character Windows or macOS refuse
 * in a name) becomes `_`, as does a leading dot (a hidden file, `..`); a name Windows keeps for a device gets a `_` in
 * front.
 */
export const safeName = (text: string) => {
  const name = text
    .normalize("NFC")
    .replace(/[^\p{L}\p{M}\p{N}_.-]/gu, "_")
    .replace(/^\.+/, "_");
  return RESERVED.test(name) ? `_${name}` : name;
};

/**
 * Longest name `videoName` takes from a job id, in bytes: room for `-N`, the extension and two temporary suffixes (the
 * CLI's and saveResult's, 25 bytes each).
 */
const MAX_ID_NAME = 184;

/**
 * The default file name of a job's video: `<job id>.mp4`, the id made a safe name (`safeName`) and cut to
 * `MAX_ID_NAME` bytes, so that whatever id a server answers, the file is in the current directory.
 */
export function videoName(jobId: string): string {
  let name = "";
  for (const char of safeName(jobId)) {
    if (Buffer.byteLength(name + char) > MAX_ID_NAME) break;
    name += char;
  }
  return `${name}.mp4`;
}

/** A default output name: `<model>-<UTC date and time>.<ext>` in the current directory. */
export function defaultOutputName(stem: string, extension: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, "")
    .replace(/[-:]/g, "")
    .replace("T", "-");
  return `${stem}-${stamp}${extension}`;
}

/**
 * A file-system error in a few words: its code and the system's own description (`ELOOP: too many symbolic links
 * encountered`), without the path Node's message repeats.
 */
export function fsReason(error: unknown): string {
  const { code, errno, message } = (error ?? {}) as NodeJS.ErrnoException;
  const described = errno === undefined ? undefined : getSystemErrorMap().get(errno)?.[1];
  if (code && described) return `${code}: ${described}`;
  return code ?? message ?? String(error);
}

/**
 * A usage error (exit 2, one line) for a path that could not be looked up before anything was sent: a loop of
 * symbolic links, a name too long, a permission refused. `what` names where the path came from (`-o out.png`).
 */
export const lookupError = (what: string, path: string, error: unknown): CliError =>
  usageError(`${what}: cannot look up ${resolve(path)} (${fsReason(error)}); give another path (nothing was sent)`);

/** The longest file name most file systems take, in bytes. */
const NAME_MAX = 255;

/**
 * The nearest of `path` and its parents that exists, with its stats (undefined: none, which cannot happen for `/`). A
 * path that cannot be looked up is a usage error naming `what` (see `lookupError`).
 */
async function nearestExisting(path: string, what: string): Promise<{ path: string; stats: Stats } | undefined> {
  for (let p = resolve(path); ; p = dirname(p)) {
    try {
      return { path: p, stats: await stat(p) };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") throw lookupError(what, p, e);
      if (dirname(p) === p) return undefined;
    }
  }
}

const fileOnTheWay = (what: string, path: string) =>
  usageError(`${what}: ${path} is a file, not a directory; give a path with no file on the way (nothing was sent)`);

const directoryNotFile = (what: string, path: string) =>
  usageError(`${what}: ${resolve(path)} is a directory; give a file name (nothing was sent)`);

/**
 * Refuses, before anything is sent, a path the CLI would write to or record (a result's `-o`, the directory a default
 * name goes in, a batch's `--out` and file, the journal) that holds a key the process knows (see secrets.ts): every
 * line the CLI writes shows `***` in its place, so its messages, its events, stdout (`path=$(decart … --no-json)`) and
 * the journal would name another path than the file's, and a command printed to pick the job up would write
 * elsewhere. A usage error (exit 2) naming `what` (the path shown with `***`, which tells where the key is).
 */
export function checkShownPath(path: string, what: string): void {
  const absolute = resolve(path);
  if (!holdsSecret(absolute)) return;
  throw usageError(
    `${what}: ${absolute} holds the API key (*** here), which the CLI never writes: its messages, its events and the ` +
      "journal would name another path than that one. Give a path without the key (nothing was sent)",
  );
}

/**
 * Checks, before anything is sent, that files can be created in `dir` by doing it: the directories missing on the way
 * are made and a temporary file is created in `dir`, then both are removed. (Permission bits alone are not the answer:
 * root passes them, and a file system such as /proc or a read-only mount refuses all the same.) A usage error (exit 2)
 * naming `what`, the place and the fix otherwise.
 */
export async function checkOutputDirectory(dir: string, what: string): Promise<void> {
  checkShownPath(dir, what);
  const found = await nearestExisting(dir, what);
  if (found && !found.stats.isDirectory()) throw fileOnTheWay(what, found.path);
  const target = resolve(dir);
  let made: string[] = [];
  try {
    made = await makeDirectory(target);
  } catch (e) {
    const { code, path = target } = e as NodeJS.ErrnoException;
    const reason =
      code === "EEXIST" ? "a link to nowhere or a special file is in the way" : "the file system refuses it";
    throw usageError(
      `${what}: cannot create the directory ${path} (${code}: ${reason}); ` +
        "give a directory that exists and is writable, or one that can be made (nothing was sent)",
    );
  }
  try {
    const probe = temporaryPath(join(target, ".decart-check"));
    await (await open(probe, "wx")).close();
    await rm(probe, { force: true });
  } catch (e) {
    const { code } = e as NodeJS.ErrnoException;
    throw usageError(
      `${what}: cannot write in ${target} (${code}); give a directory you can write in (nothing was sent)`,
    );
  } finally {
    await removeDirectories(made);
  }
}

/**
 * The file a result given a path writes for it (a video's download, the client's `saveResult`; an image, a batch's
 * report: `writeAtomically`), as it finds it: through a symbolic link to a file, that file (the link stays); through a
 * link to nowhere, the file where it points (the link stays; its missing directories are made, as for any path), as
 * the client's `saveResult`, `>` and `curl -o` write through one; a named pipe or a character device (a descriptor
 * such as `/dev/fd/63` too), `path` as given; otherwise `path`. Its temporary file
 * (`temporaryPath`) goes beside it.
 */
export async function savedThrough(path: string): Promise<string> {
  try {
    // A named pipe or a character device is written as given (the kernel follows the links as it opens it), as the
    // client's `saveResult` does: an unnamed pipe's descriptor (`/dev/fd/63` of `>(…)`) has no real path.
    const kind = await stat(path, { bigint: true });
    if (kind.isFIFO() || kind.isCharacterDevice()) return path;
    return await realpath(path);
  } catch (e) {
    const { code } = e as NodeJS.ErrnoException;
    if (code !== "ENOENT" && code !== "ENOTDIR") return path;
  }
  // Each link's text put after the directory it is in, as written (the kernel follows `sub` of `sub/..` first), then
  // its directory walked as the kernel does, the part that exists by its real path.
  let target = resolve(path);
  for (let hops = 0; hops < MAX_LINKS; hops++) {
    const to = await readlink(target).catch(() => undefined);
    if (to === undefined) break;
    target = isAbsolute(to) ? to : `${dirname(target)}${sep}${to}`;
  }
  return join(await existingRealpath(dirname(target)), basename(target));
}

/**
 * The real path of `path` as the kernel walks it: component by component from the root, each that exists by its real
 * path (so `link/..` is the parent of where `link` points, not `.`), the missing rest put after the deepest that
 * exists as written.
 */
async function existingRealpath(path: string): Promise<string> {
  const { root } = parse(path);
  const parts = path
    .slice(root.length)
    .split(sep)
    .filter((part) => part !== "" && part !== ".");
  let real = await realpath(root);
  for (const [at, part] of parts.entries()) {
    const next = part === ".." ? dirname(real) : join(real, part);
    try {
      real = await realpath(next);
    } catch {
      return resolve(next, ...parts.slice(at + 1));
    }
  }
  return real;
}

/**
 * Checks, before anything is sent, that a file can be written at `path`: not a directory, and its directory exists or
 * can be made, and is writable. `what` names where the path came from (`-o out.png`). With `throughLinks` (a result
 * saved through a link, see `savedThrough`), a link to a file, or to nowhere, is checked as the file it points to,
 * whose name and directory the save uses. A stream (`writesInPlace`: a named pipe, a character device such as
 * `/dev/null`, a descriptor) is written in place: it must be writable, and nothing is made beside it. A socket or a
 * block device is refused. A file there must be one the user may replace (see `replaceRefusal`: writable, and not
 * another user's in a sticky directory). A usage error (exit 2) otherwise: a result that was paid for is not lost to a
 * typo.
 */
export async function checkOutputFile(
  path: string,
  what: string,
  { throughLinks = false, writer }: { throughLinks?: boolean; writer?: Writer } = {},
): Promise<void> {
  checkShownPath(path, what);
  if (await checkOutputKind(path, what, writer)) return;
  const written = throughLinks ? await savedThrough(resolve(path)) : resolve(path);
  // The temporary file beside it has the longer name; most file systems take 255 bytes.
  const longest = Buffer.byteLength(basename(temporaryPath(written)));
  if (longest > NAME_MAX) {
    const most = NAME_MAX - (longest - Buffer.byteLength(basename(written)));
    const whose = written === resolve(path) ? "the file name" : `the name of ${written}, the file it links to,`;
    throw usageError(`${what}: ${whose} is too long (at most ${most} bytes; nothing was sent)`);
  }
  await checkOutputDirectory(dirname(written), what);
  await checkReplaceable(written, what);
}

/** `replaceRefusal`'s reason for a file the user cannot write. */
const UNWRITABLE = "its permissions do not let you write it (`>` and `curl -o` refuse it too)";

/** What `replaceRefusal` looks at of a file, or of the directory it is in: its owner and its mode bits. */
export interface Owned {
  uid: number;
  mode: number;
}

/**
 * Why a file that is there (`file`: its own entry, as `lstat` gives it) cannot be replaced by a rename in `dir` by the
 * user `uid` (undefined: a system without user ids), `writable` telling whether the user may write it
 * (`access(W_OK)`): a file the user cannot write (made read-only, another user's), which `>` and `curl -o` refuse
 * too; or, in a sticky directory (mode `+t`, as `/tmp`), a file of another user in a directory of another user, which
 * the system does not let the user rename over (EPERM), whatever the file's mode (the core's `stickyRefuses`, which
 * `saveResult` checks too). Undefined when it can be replaced (root passes both, as the system lets it).
 */
export function replaceRefusal(
  file: Owned,
  dir: Owned,
  uid: number | undefined,
  writable: boolean,
): string | undefined {
  if (!writable) return UNWRITABLE;
  if (stickyRefuses(file, dir, uid))
    return "another user's file, in a directory where only a file's owner replaces it (sticky, as /tmp)";
}

/**
 * Checks, before anything is sent, that a regular file at `path` (the file a result replaces, the journal), if there,
 * can be replaced (see `replaceRefusal`): a usage error (exit 2) naming `what`, the file and why otherwise. Nothing
 * there, or a stream (written in place), passes. (`checkOutputFile` checks it for a path given; a batch, for each
 * line's result as the line is sent, through `savedThrough`.)
 */
export async function checkReplaceable(path: string, what: string): Promise<void> {
  const why = await replaceBlocked(path, what);
  if (why) {
    const fix = why.startsWith(UNWRITABLE) ? "make it writable, or give another path" : "give another path";
    throw usageError(`${what}: cannot replace ${path}: ${why}; ${fix} (nothing was sent)`);
  }
}

/**
 * Checks, before anything is sent, that at least one of `paths` (the names a result may take, of which its answer picks
 * one) can be replaced (see `checkReplaceable`); when none can, a usage error naming `what` and every one of them with
 * why, so that a user who fixes one is not then refused for the next. A path that cannot be looked up counts as one
 * that cannot be replaced, its own error thrown when it is the only one.
 */
export async function checkReplaceableAny(paths: string[], what: string): Promise<void> {
  const blocked: Array<{ path: string; why: string }> = [];
  let failure: unknown;
  for (const path of paths) {
    const why = await replaceBlocked(path, what).catch((e: unknown) => {
      failure ??= e;
      return (e as Error).message;
    });
    if (why === undefined) return;
    blocked.push({ path, why });
  }
  if (blocked.length === 1 && failure !== undefined) throw failure;
  if (blocked.length === 1) return checkReplaceable(blocked[0]!.path, what);
  const fix = blocked.every(({ why }) => why.startsWith(UNWRITABLE))
    ? "make one of them writable, or give another path"
    : "give another path";
  const each = blocked.map(({ path, why }) => `${path}: ${why}`).join("; nor ");
  throw usageError(`${what}: cannot replace any name the result may take: ${each}; ${fix} (nothing was sent)`);
}

/**
 * Why the regular file at `path`, if there, cannot be replaced (see `replaceRefusal`); undefined when it can, or is not
 * there. A path that cannot be looked up is a usage error naming `what` (see `lookupError`).
 */
export async function replaceBlocked(path: string, what: string): Promise<string | undefined> {
  const entry = await lstat(path).catch(() => undefined);
  if (!entry || !(entry.isFile() || entry.isSymbolicLink())) return;
  const dir = await stat(dirname(path));
  // (A link to nowhere: a new file where it points. One that cannot be looked up, a loop: said as such.)
  const writable = await access(path, constants.W_OK).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      if (e.code === "EACCES" || e.code === "EPERM") return false;
      if (e.code === "ENOENT") return true;
      throw lookupError(what, path, e);
    },
  );
  return replaceRefusal(entry, dir, process.getuid?.(), writable);
}

/** The kind of a file that is neither a regular file nor a directory, in words (`a named pipe (FIFO)`). */
export const kindOf = (stats: Stats) =>
  stats.isFIFO()
    ? "a named pipe (FIFO)"
    : stats.isSocket()
      ? "a socket"
      : stats.isCharacterDevice()
        ? "a character device"
        : stats.isBlockDevice()
          ? "a block device"
          : "a special file";

/**
 * Where the descriptors of a process are, as paths: Linux's `/proc/<pid>/fd` (`/dev/fd` links there), else `/dev/fd`.
 */
const DESCRIPTORS = /^(\/proc\/(?:self|thread-self|(\d+))(?:\/task\/\d+)?\/fd|\/dev\/fd)$/;

/**
 * The descriptor `path` names, through any links (`/dev/stdout` → `/proc/self/fd/1`, `/dev/fd/3`): its number, and
 * whether it is this process's own; undefined for any other path. Such a path is the descriptor, whatever it leads to
 * (a pipe, a terminal, a file the shell opened): never a name to rename a file over.
 */
function descriptorOf(path: string): { fd: number; own: boolean } | undefined {
  let p = resolve(path);
  for (let links = 0; links <= MAX_LINKS; links++) {
    let dir: string;
    try {
      dir = realpathSync.native(dirname(p));
    } catch {
      return undefined;
    }
    const found = DESCRIPTORS.exec(dir);
    if (found && /^\d+$/.test(basename(p))) {
      return { fd: Number(basename(p)), own: found[2] === undefined || Number(found[2]) === process.pid };
    }
    let target: string;
    try {
      target = readlinkSync(join(dir, basename(p)));
    } catch {
      return undefined;
    }
    p = resolve(dir, target);
  }
  return undefined;
}

/**
 * Where `path` leads through any links, read one by one as `descriptorOf` reads them (a link to a node that is gone is
 * followed to that node's name too, which a real path cannot give): the final path, and its node, or the error that
 * looking it up met (ENOENT where there is none).
 */
function finalTarget(path: string): { path: string; stats?: Stats; error?: unknown } {
  let p = resolve(path);
  for (let links = 0; links <= MAX_LINKS; links++) {
    try {
      p = join(realpathSync.native(dirname(p)), basename(p));
      p = resolve(dirname(p), readlinkSync(p));
    } catch {
      break;
    }
  }
  try {
    return { path: p, stats: statSync(p) };
  } catch (error) {
    return { path: p, error };
  }
}

/** Why a path the journal recorded cannot take a result a later command saves (see `sessionBound`). */
export type Bound =
  | { kind: "descriptor" }
  /**
   * A character device other than `/dev/null` or a block device (`device`, links followed), never opened to tell which
   * (a terminal, a serial port, a tape, a disk); or a name in `/dev` where nothing is: `reason`, as `fsReason`.
   */
  | { kind: "device"; device: string; reason?: string }
  /**
   * A socket, a directory or a path through a file (`what`, in words; `at`: where links led), which no result is
   * written in place of.
   */
  | { kind: "unwritable"; what: string; at: string };

/**
 * Whether `path` holds only for the run or the session that gave it, so that a command given later (a bare `jobs wait
 * <id>`) must not reuse it: a descriptor (`/dev/fd/3`, `/dev/stderr`, links followed; see `descriptorOf`), one the
 * shell gave that run (`3> >(…)`); or a device (`kind: "device"`): a character device other than `/dev/null`
 * (`/dev/pts/3`, `/dev/ptmx`, `/dev/ttyS0`, `/dev/watchdog`, links followed) or a block device (`/dev/sda`, which a
 * result given it would refuse: see `checkOutputKind`), or a name in `/dev` where nothing is (a link to the
 * `/dev/pts/7` of a session that ended); or what no result is written in place of (`kind: "unwritable"`), as
 * `checkOutputFile` refuses it: a socket or a directory (made there since the run, links followed), or a path through a
 * file (a directory on its way replaced by one). Told by `lstat`,
 * `readlink` and `stat` alone: the path is never opened, since opening a device changes it (a serial port resets what
 * is on it, a watchdog arms, a tape rewinds). The path is told by where its links lead, never by its name alone: a
 * regular file `out/dev/tty1` is none. Undefined for any other path (`/dev/null` too, and a named pipe).
 */
export function sessionBound(path: string): Bound | undefined {
  if (descriptorOf(path)) return { kind: "descriptor" };
  const target = finalTarget(path);
  // A name in `/dev` (not its shared memory, `/dev/shm`, where anyone may make files) is a device's.
  if (!target.stats)
    return /^\/dev\/(?!shm\/)/.test(target.path)
      ? { kind: "device", device: target.path, reason: fsReason(target.error) }
      : (target.error as NodeJS.ErrnoException).code === "ENOTDIR"
        ? { kind: "unwritable", what: "a path through a file", at: target.path }
        : undefined;
  if (target.stats.isBlockDevice() || (target.stats.isCharacterDevice() && target.stats.rdev !== nullDevice()))
    return { kind: "device", device: target.path };
  if (target.stats.isSocket() || target.stats.isDirectory())
    return { kind: "unwritable", what: target.stats.isSocket() ? "a socket" : "a directory", at: target.path };
  return undefined;
}

/** The device number of `/dev/null` (by `stat`, not opened), undefined where there is none. */
const nullDevice = (): number | undefined => statSync("/dev/null", { throwIfNoEntry: false })?.rdev;

/** Whether `path` is this process's stdout (`/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1`, or a link to one). */
export const namesStdout = (path: string): boolean => {
  const descriptor = descriptorOf(path);
  return descriptor?.own === true && descriptor.fd === 1;
};

/**
 * Whether a result for `path` (a name the user gave) is written in place, opened and written as the bytes come, not
 * through a temporary file renamed over it: a named pipe (FIFO), a character device (`/dev/null`, a terminal) or a
 * descriptor (`/dev/stderr`, `/dev/fd/3`), links followed. A rename would replace such a node by a regular file (run
 * as root, `-o /dev/null` would replace the machine's `/dev/null`). A regular file, or nothing yet, is written
 * atomically; the other kinds are refused before anything is sent (`checkOutputFile`).
 */
export function writesInPlace(path: string): boolean {
  if (descriptorOf(path)) return true;
  try {
    const stats = statSync(path, pipeSafeStat);
    return stats !== undefined && (stats.isFIFO() || stats.isCharacterDevice());
  } catch {
    return false;
  }
}

/**
 * Whether a stream `path` names (`writesInPlace`), found so (`stats`, links followed; undefined where it could not be
 * looked up), is a terminal: one of this process's descriptors is asked as it is (`/dev/stderr`); a character device
 * (`/dev/tty`, `/dev/pts/3`, `/dev/ttyS0`, another process's descriptor) is told by what it is, never opened, since
 * opening a device changes it (a serial port resets what is on it, a watchdog arms; see `sessionBound`): on Linux by
 * its device number (the pseudo-terminals', the consoles', or one of the `tty` class in `/sys/dev/char`), elsewhere by
 * the name its links lead to (see `terminalName`).
 * `/dev/tty` in a process without a controlling terminal (cron, CI, `docker run` without `-t`; `/proc/self/stat` says
 * so) throws ENXIO, which its write would have met once the result was paid for.
 */
function isTerminal(path: string, stats: Stats | undefined): boolean {
  const descriptor = descriptorOf(path);
  if (descriptor?.own) return isatty(descriptor.fd);
  if (!stats?.isCharacterDevice()) return false;
  if (process.platform !== "linux") return terminalName(finalTarget(path).path);
  // Linux's device numbers (glibc's encoding): 2-5 the old pseudo-terminals, the consoles, serial ports, `/dev/tty`
  // and `/dev/ptmx`; 136-143 the pseudo-terminals of `/dev/pts`, which have no entry in `/sys`.
  const major = (Math.floor(stats.rdev / 2 ** 8) & 0xfff) | (Math.floor(stats.rdev / 2 ** 32) & ~0xfff);
  const minor = (stats.rdev & 0xff) | (Math.floor(stats.rdev / 2 ** 12) & ~0xff);
  if (major === 5 && minor === 0 && !controllingTerminal())
    throw Object.assign(new Error("ENXIO"), { code: "ENXIO", errno: -osConstants.errno.ENXIO });
  if ((major >= 2 && major <= 5) || (major >= 136 && major <= 143)) return true;
  try {
    return basename(readlinkSync(`/sys/dev/char/${major}:${minor}/subsystem`)) === "tty";
  } catch {
    return false;
  }
}

/**
 * Whether a device's path names a terminal where device numbers do not tell (macOS, the BSDs): `/dev/tty…`, `/dev/pts/…`,
 * `/dev/pty…`, `/dev/console`, `/dev/ptmx`, and the serial ports' call-out names, macOS's `/dev/cu.…`, FreeBSD's and
 * OpenBSD's `/dev/cua…` (`cuau0`, `cuaU0`, `cua00`), NetBSD's `/dev/dty…`.
 */
export const terminalName = (path: string): boolean => /^\/dev\/(tty|cu\.|cua|dty|pts\/|pty|console$|ptmx$)/.test(path);

/** Whether this process has a controlling terminal (the 7th field of `/proc/self/stat`; true where it is unknown). */
function controllingTerminal(): boolean {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[4] !== "0";
  } catch {
    return true;
  }
}

/**
 * Which of this process's own streams, stdout or stderr, `path` is by identity (device and inode, links followed: an
 * unnamed pipe has one too), whatever its name (`/dev/stderr`, `/dev/fd/3` after `3>&1`, a named pipe stderr was
 * sent to); undefined for any other, or where one cannot be looked up (a descriptor that is closed).
 */
export function ownStreamAt(path: string): "stdout" | "stderr" | undefined {
  let target: BigIntStats | undefined;
  try {
    target = statSync(path, { bigint: true, throwIfNoEntry: false });
  } catch {}
  if (!target) return undefined;
  for (const [fd, name] of [
    [1, "stdout"],
    [2, "stderr"],
  ] as const) {
    try {
      const stream = fstatSync(fd, { bigint: true });
      if (stream.dev === target.dev && stream.ino === target.ino) return name;
    } catch {}
  }
  return undefined;
}

/** What writes a file `checkOutputKind` checks, as its refusal of stdout's file says: its name, and what to give instead. */
export interface Writer {
  name: string;
  other: string;
}
const RESULT: Writer = { name: "the result", other: "give another file for the result" };

/**
 * Whether `path` ends as only a directory's name can: in a separator (`/`, and `\` on Windows), or in `.` or `..`
 * after one or alone (the empty path too, the current directory).
 */
export const endsAsDirectory = (path: string): boolean =>
  (sep === "/" ? /(^|\/)\.{0,2}$/ : /(^|[/\\])\.{0,2}$/).test(path);

/**
 * Checks, before anything is sent, a path the user gave for a result where something is there already: a regular file
 * or a stream (`writesInPlace`) passes; a directory, a socket or a block device (a descriptor that is one too, as the
 * client's save refuses it once the result is paid for) is refused (a usage error, exit 2,
 * naming `what` and the kind), and so is a terminal (`-o /dev/tty`): a result's bytes would garble it, as they would
 * through `-o -` onto one, and so is this command's own stdout or stderr by identity (`ownStreamAt`: `-o /dev/stderr`,
 * `-o /dev/fd/3 3>&1`), where its bytes would be mixed with the command's own output, and so is a regular file this
 * command's stdout or stderr is sent to (`-o out.mp4 > out.mp4`), which the result would replace. Answers whether it is a stream,
 * which is checked to be writable (by its mode: a device is never opened before the result is there, see `isTerminal`).
 */
export async function checkOutputKind(path: string, what: string, writer = RESULT): Promise<boolean> {
  // Looked up as given: `resolve` drops a trailing separator, so `-o out/` would be written as the file `out`.
  const directoryForm = endsAsDirectory(path);
  const stats = await stat(directoryForm ? join(resolve(path), sep) : path).catch(() => undefined);
  if (stats?.isDirectory()) throw directoryNotFile(what, path);
  if (directoryForm) {
    throw usageError(
      `${what}: a path ending in ${sep} (or ${sep}. or ${sep}..) names a directory, and ${resolve(path)} is none; ` +
        "give a file name (a missing directory on the way is made; nothing was sent)",
    );
  }
  // A descriptor (`/dev/fd/3`) is judged by what it is, as the client's save judges it: a socket there cannot be
  // opened.
  if (!writesInPlace(path) || (stats && !stats.isFile() && !stats.isFIFO() && !stats.isCharacterDevice())) {
    if (!stats) return false;
    // The file this command's stdout or stderr is sent to (`-o out.mp4 > out.mp4`): the result would replace it, and
    // what the command writes there would go to the file replaced, lost.
    const own = stats.isFile() ? ownStreamAt(path) : undefined;
    if (own) {
      const redirect = own === "stdout" ? ">" : "2>";
      throw usageError(
        `${what}: ${resolve(path)} is the file this command's ${own} is sent to (${redirect} ${path}): ${writer.name} ` +
          `would replace it, and the ${own === "stdout" ? "events" : "lines"} written there would be lost; send ${own} ` +
          `to another file or a pipe, or ${writer.other} (nothing was sent)`,
      );
    }
    if (stats.isFile()) return false;
    throw usageError(
      `${what}: ${resolve(path)} is ${kindOf(stats)}, not a file, a named pipe or a character device; give a file ` +
        "(nothing was sent)",
    );
  }
  const own = stats && !stats.isCharacterDevice() ? ownStreamAt(path) : undefined;
  if (own) {
    throw usageError(
      `${what}: ${resolve(path)} is this command's own ${own}, where it writes its own ${own === "stdout" ? "events" : "lines"}: the result's bytes would be mixed with ` +
        "them; give a file (nothing was sent)",
    );
  }
  let terminal: boolean;
  try {
    await access(path, constants.W_OK);
    terminal = isTerminal(path, stats);
  } catch (e) {
    const none =
      (e as NodeJS.ErrnoException).code === "ENXIO"
        ? ": no device answers there, as /dev/tty where the process has no controlling terminal (cron, CI, " +
          "docker run without -t)"
        : "";
    throw usageError(
      `${what}: cannot write to ${resolve(path)} (${fsReason(e)}${none}); give another path (nothing was sent)`,
    );
  }
  if (terminal) {
    throw usageError(
      `${what}: ${resolve(path)} is a terminal, which a result's bytes would garble; give a file, or a pipe (nothing ` +
        "was sent)",
    );
  }
  return true;
}

/**
 * Checks, creating nothing, that `path`, where it exists, is a regular file (or a directory, which the other checks
 * refuse with their own words): a named pipe, a socket or a device passes every other check, but a read of a named pipe
 * waits for a writer forever and a journal's flush (`fsync`) fails there once a job is paid for. A usage error (exit 2)
 * naming `what` and the kind otherwise.
 */
export async function checkRegularFile(path: string, what: string): Promise<void> {
  const stats = await stat(path).catch(() => undefined);
  if (!stats || stats.isFile() || stats.isDirectory()) return;
  throw usageError(`${what}: ${resolve(path)} is ${kindOf(stats)}, not a regular file; give a file (nothing was sent)`);
}

/**
 * Checks, creating nothing, that a file that is only read (the journal of `jobs list`) can be read at `path` if it is
 * there: not a directory, no file on the way, nothing that stops its lookup. A usage error (exit 2) otherwise.
 */
export async function checkReadableFile(path: string, what: string): Promise<void> {
  checkShownPath(path, what);
  const found = await nearestExisting(path, what);
  if (!found) return;
  if (found.path === resolve(path)) {
    if (found.stats.isDirectory()) throw directoryNotFile(what, path);
  } else if (!found.stats.isDirectory()) throw fileOnTheWay(what, found.path);
}

/**
 * Where a path is on the file system, to tell whether two paths are one file: its real path (symbolic links resolved
 * where they exist, a link to nowhere followed to where it points, the rest as given) and, when the file exists, its
 * device and inode.
 */
export interface Place {
  real: string;
  /** As bigints from the system (Windows' 64-bit file ids do not fit a number); numbers where a test gives them. */
  file?: { dev: bigint | number; ino: bigint | number } | undefined;
}

/** The most symbolic links `realPlace` follows to nowhere before it takes the name as it is (as the system's 40). */
const MAX_LINKS = 40;

/**
 * The real path of `path` (see `Place`). Synchronous, and with the real paths found so far in `known` (a batch's
 * thousands of results share one directory): a check made once, before anything is sent.
 */
function realPlace(path: string, known: Map<string, string>, links = 0): string {
  const p = resolve(path);
  let real = known.get(p);
  if (real !== undefined) return real;
  try {
    real = realpathSync.native(p);
  } catch {
    // Not there (or not to be looked up): its directory's real path and its name, or where a link to nowhere points.
    const parent = dirname(p);
    const here = parent === p ? p : join(realPlace(parent, known, links), basename(p));
    let target: string | undefined;
    try {
      if (links < MAX_LINKS) target = readlinkSync(here);
    } catch {}
    real = target === undefined ? here : realPlace(resolve(dirname(here), target), known, links + 1);
  }
  known.set(p, real);
  return real;
}

/**
 * The `Place` of `path`; never throws (what cannot be looked up is taken as written). `known`: real paths found before,
 * shared by the paths of one check.
 */
export function placeOf(path: string, known = new Map<string, string>()): Place {
  const p = resolve(path);
  const identity = (stats: BigIntStats | undefined) => stats && { dev: stats.dev, ino: stats.ino };
  let stats: BigIntStats | undefined;
  try {
    stats = lstatSync(p, { bigint: true, throwIfNoEntry: false });
  } catch {}
  // A link: where it leads. Anything else (most often nothing yet): its name in its directory's real path.
  if (stats?.isSymbolicLink()) {
    let target: BigIntStats | undefined;
    try {
      target = statSync(p, { bigint: true, throwIfNoEntry: false });
    } catch {}
    return { real: realPlace(p, known), file: identity(target) };
  }
  const parent = dirname(p);
  return { real: parent === p ? p : join(realPlace(parent, known), basename(p)), file: identity(stats) };
}

/**
 * A path (or a name) as a file system that ignores case (APFS on macOS, NTFS on Windows) compares it, near enough:
 * two that give one `folded` are one file there. APFS folds case by Unicode's full case folding (`ß`, `ẞ` and `ss`
 * are one; `ς`, `σ` and `Σ`; `µ` and `μ`; `ﬁ` and `fi`) and Unicode forms alike; NTFS upper-cases each character
 * (`ı` and `i` are one). Lower case, then upper case (its full mappings: `ß` as `SS`, `ς` and `σ` as `Σ`, `ı` as
 * `I`), then lower case again gives one name to each of those pairs, where lower case alone gave two to most of them
 * (`ΑΣ.mp4` lower-cased is `ασ.mp4`, not `ας.mp4`; `STRASSE` is not `straße`); upper case then lower case missed
 * `ẞ` (`STRAẞE` is `straße`, `Straße` is `strasse`). (`Intl.Collator`'s `sensitivity: "accent"` equality took
 * `ß` apart from `ss`, `ſ` from `s`, and took as one names no file system merges: `Ａ` and `a`, `a\u200bb` and `ab`.)
 */
export const folded = (path: string) =>
  path.normalize("NFC").toLowerCase().toUpperCase().toLowerCase().normalize("NFC");

/**
 * Whether two places are one file, as the file system says: when both exist, the same device and inode (a symbolic or
 * hard link, a name in another case on a file system that ignores case); when one exists, never (a lookup of the other
 * would have found it); when neither does, the same real path, where names that differ only in case count as the same
 * (on macOS and Windows they become one file once written).
 */
export function samePlace(a: Place, b: Place): boolean {
  if (a.file && b.file) return a.file.dev === b.file.dev && a.file.ino === b.file.ino;
  if (a.file || b.file) return false;
  return folded(a.real) === folded(b.real);
}

/** Whether `inner` is below the directory `outer` (real paths compared, case ignored as in `samePlace`). */
export const isBelow = (inner: Place, outer: Place) => folded(inner.real).startsWith(folded(outer.real) + sep);
