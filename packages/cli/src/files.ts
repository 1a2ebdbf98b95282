import { randomBytes } from "node:crypto";
import { constants, type Stats } from "node:fs";
import { access, mkdir, open, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { usageError } from "./exit.js";

/** The file name extension of each media type of the API's answers. */
const extensions: Record<string, string> = {
  "image/png": ".png",
  "image/jpeg": ".jpg",
  "image/webp": ".webp",
  "video/mp4": ".mp4",
  "video/webm": ".webm",
};

/** The file name extension for a media type of the API's answers. */
export function extensionFor(contentType: string | undefined, fallback: string): string {
  const type = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  return extensions[type] ?? fallback;
}

/** Every extension `extensionFor` gives an image (`.png`, `.jpg`, `.webp`). */
export const imageExtensions = Object.entries(extensions)
  .filter(([type]) => type.startsWith("image/"))
  .map(([, extension]) => extension);

/** A temporary path beside `path`, so the final rename stays on one file system. */
export const temporaryPath = (path: string) => `${path}.${randomBytes(4).toString("hex")}.partial`;

/** Creates the directory `path` goes into, if it does not exist: a result that was paid for is not lost to a typo'd `-o`. */
export const ensureDirectoryOf = (path: string) => mkdir(dirname(path), { recursive: true });

/**
 * Writes `bytes` to `path` atomically: a temporary file beside it (its directory created if need be), flushed to disk,
 * then renamed. A failure leaves nothing behind, and never a half-written `path`.
 */
export async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const temp = temporaryPath(path);
  await ensureDirectoryOf(path);
  try {
    const file = await open(temp, "w");
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
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

/** The longest file name most file systems take, in bytes. */
const NAME_MAX = 255;

/** The nearest of `path` and its parents that exists, with its stats (undefined: none, which cannot happen for `/`). */
async function nearestExisting(path: string): Promise<{ path: string; stats: Stats } | undefined> {
  for (let p = resolve(path); ; p = dirname(p)) {
    try {
      return { path: p, stats: await stat(p) };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") throw e;
      if (dirname(p) === p) return undefined;
    }
  }
}

/**
 * Checks, before anything is sent, that files can be created in `dir` (or in the directories that would be made for
 * it): a usage error (exit 2) naming `what` otherwise.
 */
export async function checkOutputDirectory(dir: string, what: string): Promise<void> {
  const found = await nearestExisting(dir);
  if (!found) return;
  if (!found.stats.isDirectory())
    throw usageError(`${what}: ${found.path} is a file, not a directory (nothing was sent)`);
  try {
    await access(found.path, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw usageError(`${what}: cannot write in ${found.path} (${(e as NodeJS.ErrnoException).code}; nothing was sent)`);
  }
}

/**
 * Checks, before anything is sent, that a file can be written at `path`: not a directory, and its directory exists or
 * can be made, and is writable. `what` names where the path came from (`-o out.png`). A usage error (exit 2) otherwise:
 * a result that was paid for is not lost to a typo.
 */
export async function checkOutputFile(path: string, what: string): Promise<void> {
  // The temporary file beside it has the longer name; most file systems take 255 bytes.
  const longest = Buffer.byteLength(basename(temporaryPath(path)));
  if (longest > NAME_MAX) {
    const most = NAME_MAX - (longest - Buffer.byteLength(basename(path)));
    throw usageError(`${what}: the file name is too long (at most ${most} bytes; nothing was sent)`);
  }
  const stats = await stat(path).catch(() => undefined);
  if (stats?.isDirectory()) {
    throw usageError(`${what}: ${resolve(path)} is a directory; give a file name (nothing was sent)`);
  }
  await checkOutputDirectory(dirname(resolve(path)), what);
}
