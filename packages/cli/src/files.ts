import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";

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
