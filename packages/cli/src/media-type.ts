// Imported when a file input is read, not with inputs.ts, which every command that takes inputs loads (file-type takes
// about 40 ms to import).
import { fileTypeFromBuffer, fileTypeFromFile } from "file-type";
import { isVideoStart } from "./video-type.js";

/**
 * The media types file-type names otherwise than the catalogue's fields do: an animated PNG is a PNG; an M4V, and an
 * MP4 with a 3GPP brand (`ftyp3gp4`, as phones and messaging apps write them), an MP4; a WebM whose header says
 * Matroska, a WebM (each was sent, by its name, before the bytes were read).
 */
const SAME: Record<string, string> = {
  "image/apng": "image/png",
  "video/x-m4v": "video/mp4",
  "video/3gpp": "video/mp4",
  "video/3gpp2": "video/mp4",
  "video/matroska": "video/webm",
  "video/x-matroska": "video/webm",
};

/**
 * The media type of a file input, told from its bytes (their signature, as file-type reads it), whatever its name says:
 * a PNG named `.jpg` is a PNG. Bytes of an ISO base media file that file-type does not name (one that starts with a
 * `free` or `mdat` box) are an MP4, as a result's check takes them (see `isVideoStart`). Undefined: none it knows.
 */
const named = (mime: string | undefined, start: Uint8Array): string | undefined =>
  mime ? (SAME[mime] ?? mime) : isVideoStart(start) ? "video/mp4" : undefined;

/** The media type of `bytes` (see `named`). */
export async function mediaTypeOf(bytes: Uint8Array): Promise<string | undefined> {
  const found = await fileTypeFromBuffer(bytes).catch(() => undefined);
  return named(found?.mime, bytes.subarray(0, 8));
}

/** The media type of the file at `path`, from its first bytes (see `named`); undefined when it cannot be read. */
export async function mediaTypeOfFile(path: string): Promise<string | undefined> {
  const found = await fileTypeFromFile(path).catch(() => undefined);
  if (found) return named(found.mime, new Uint8Array());
  const { open } = await import("node:fs/promises");
  const start = new Uint8Array(8);
  try {
    const file = await open(path);
    try {
      await file.read(start, 0, 8, 0);
    } finally {
      await file.close();
    }
  } catch {
    return undefined;
  }
  return named(undefined, start);
}
