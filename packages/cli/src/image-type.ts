// Imported with the commands that save images (image, batch), when they load, not when an image is saved: an import
// made after a stat of a named pipe (an -o that is one) does not follow its symbolic links in Node 20
// (nodejs/node#51142), and pnpm's packages are reached through them. Not with files.ts, which every command line loads
// (file-type takes about 40 ms to import).
import { fileTypeFromBuffer } from "file-type";
import { CliError, EXIT } from "./exit.js";
import { extensions } from "./files.js";
import { quoted } from "./output.js";

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
  const type = found?.mime === "image/apng" ? "image/png" : found?.mime;
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
 * `imageExtension`) and ending as one does (a PNG's IEND chunk, a JPEG's end-of-image marker, a WebP's RIFF size the
 * size of the file), not a file cut short.
 */
export async function wholeImage(bytes: Uint8Array, extension: string): Promise<boolean> {
  if ((await imageExtension(bytes, undefined).catch(() => undefined)) !== extension) return false;
  const tail = Buffer.from(bytes.subarray(-12)).toString("hex");
  if (extension === ".png") return tail === "0000000049454e44ae426082";
  if (extension === ".jpg") return tail.endsWith("ffd9");
  return bytes.length >= 12 && Buffer.from(bytes.buffer, bytes.byteOffset, 8).readUInt32LE(4) + 8 === bytes.length;
}
