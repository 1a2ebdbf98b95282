// Imported only by what saves an image (`decart image` once its inputs are read, a batch that has an image line), not
// with the commands (file-type takes about 40 ms to import). Imported after standard input or a named
// pipe was looked at: the CLI's own stats of those leave the record Node's module resolver reads as it was (see
// `pipeSafeStat` in files.ts; nodejs/node#51142), so that pnpm's symbolic links are still followed.
import { crc32 } from "node:zlib";
import { InvalidResponseError } from "@decart/core";
import { fileTypeFromBuffer } from "file-type";
import { CliError, EXIT } from "./exit.js";
import { extensions } from "./files.js";
import { quoted } from "./output.js";

/** An animated PNG's media type: a PNG to every viewer, saved as one (`.png`). */
const APNG = "image/apng";

/**
 * The extension an image answer is saved under, told from its bytes (their signature, as file-type reads it: PNG, an
 * animated PNG included, JPEG or WebP), whatever its content type says (`application/octet-stream`, or a type its bytes
 * are not). Bytes of no such image (an error page, an empty body, a GIF) are a `CliError` (exit 1, code `NOT_AN_IMAGE`)
 * naming the content type and the first bytes: nothing is saved under an image's name. One list of image extensions
 * (`imageExtensions`), which a batch checks and looks for before and after it writes (a `.gif` of a line was neither
 * checked apart from `--journal` nor found by `--resume`).
 */
export async function imageExtension(bytes: Uint8Array, contentType: string | undefined): Promise<string> {
  const found = await fileTypeFromBuffer(bytes).catch(() => undefined);
  // An animated PNG is a PNG to every viewer (and named so).
  const type = found?.mime === APNG ? "image/png" : found?.mime;
  if (type && Object.hasOwn(extensions, type)) return extensions[type]!;
  const start = Buffer.from(bytes.subarray(0, 8))
    .toString("hex")
    .replace(/(..)(?!$)/g, "$1 ");
  throw new CliError(
    `The server's answer is not a PNG, JPEG or WebP image (content type ${contentType ? quoted(contentType, Infinity) : "none"}, ` +
      `${bytes.length} bytes${bytes.length ? `, starting ${start}` : ""}); nothing was saved`,
    EXIT.error,
    undefined,
    false,
    "NOT_AN_IMAGE",
  );
}

/**
 * Whether `bytes` are a whole image saved under `extension` (`.png`, `.jpg`, `.webp`): of that type (see
 * `imageExtension`) and whole, not a file cut short nor one with a stretch never written (zeros: a power loss before
 * its data reached the disk, the size already set): a PNG's chunks one after another, each's CRC right, to its IEND
 * chunk at the end; a JPEG's markers one after another (the segments' lengths, a scan's data to the next marker) to
 * its end-of-image marker at the end; a WebP's RIFF size the size of the file.
 */
export async function wholeImage(bytes: Uint8Array, extension: string): Promise<boolean> {
  if ((await imageExtension(bytes, undefined).catch(() => undefined)) !== extension) return false;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (extension === ".png") return wholePng(buffer);
  if (extension === ".jpg") return wholeJpeg(buffer);
  return bytes.length >= 12 && buffer.readUInt32LE(4) + 8 === bytes.length;
}

/** A PNG's chunks after its signature, each's CRC (of its type and data) right, the last its IEND, at the end. */
function wholePng(png: Buffer): boolean {
  for (let at = 8; at + 12 <= png.length; ) {
    const size = png.readUInt32BE(at);
    const end = at + 12 + size;
    if (end > png.length || crc32(png.subarray(at + 4, end - 4)) !== png.readUInt32BE(end - 4)) return false;
    if (png.toString("latin1", at + 4, at + 8) === "IEND") return end === png.length;
    at = end;
  }
  return false;
}

/**
 * A JPEG's markers after its start-of-image, each segment by its length, a scan's data (in which a 0xFF is followed by
 * 0x00, a stuffed byte, or a restart marker) to the next marker, to its end-of-image marker at the end.
 */
function wholeJpeg(jpeg: Buffer): boolean {
  let at = 2;
  while (at + 1 < jpeg.length) {
    if (jpeg[at] !== 0xff) return false;
    const marker = jpeg[at + 1]!;
    // Fill bytes before a marker.
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === 0xd9) return at + 2 === jpeg.length;
    // Markers with no segment: restarts, TEM.
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    if (at + 4 > jpeg.length) return false;
    at += 2 + jpeg.readUInt16BE(at + 2);
    if (marker === 0xda) {
      // The scan's data, to the next marker that is neither stuffing nor a restart.
      while (at + 1 < jpeg.length) {
        const next = jpeg[at + 1]!;
        if (jpeg[at] === 0xff && next !== 0 && !(next >= 0xd0 && next <= 0xd7)) break;
        at++;
      }
    }
  }
  return false;
}

/**
 * An image the client refused for its content type alone (one the spec does not list for `process`, `image/webp`),
 * which it hands on whole with its error (`data`): kept when its bytes are a whole image the CLI saves (a PNG, JPEG or
 * WebP: see `wholeImage`), the image made and billed; else the client's error (an AVIF: upgrading is the remedy).
 * `decart image` and a batch's image lines catch the client's `process` with it.
 */
export async function keptImage(error: unknown): Promise<Blob> {
  const data = InvalidResponseError.isInstance(error) && error.data;
  if (data) {
    const bytes = new Uint8Array(await data.arrayBuffer());
    const extension = await imageExtension(bytes, data.type).catch(() => "");
    if (extension && (await wholeImage(bytes, extension))) return data;
  }
  throw error;
}
