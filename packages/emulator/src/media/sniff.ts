/**
 * Media type detection from leading "magic" bytes only (no extension, no headers).
 */
import { fileTypeFromBuffer, supportedMimeTypes } from "file-type";

function ascii(bytes: Uint8Array, offset: number, text: string): boolean {
  if (bytes.length < offset + text.length) return false;
  for (let i = 0; i < text.length; i++) {
    if (bytes[offset + i] !== text.charCodeAt(i)) return false;
  }
  return true;
}

/** Top-level box types a QuickTime file written without an `ftyp` box may start with. */
const LEGACY_QUICKTIME_BOXES = ["moov", "mdat", "wide", "free", "skip", "pnot"];

/**
 * Returns image/png, image/jpeg, image/webp, image/gif, video/mp4 or video/webm
 * for recognised signatures, otherwise undefined. ISO BMFF files (an `ftyp`
 * box, including QuickTime's "qt  " brand) and legacy QuickTime files are all
 * reported as video/mp4; any EBML file is reported as video/webm.
 */
export function sniffMediaType(bytes: Uint8Array): string | undefined {
  const b = (i: number) => bytes[i];
  if (ascii(bytes, 0, "\x89PNG\r\n\x1a\n")) return "image/png";
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return "image/jpeg";
  if (ascii(bytes, 0, "RIFF") && ascii(bytes, 8, "WEBP")) return "image/webp";
  if (ascii(bytes, 0, "GIF87a") || ascii(bytes, 0, "GIF89a")) return "image/gif";
  if (b(0) === 0x1a && b(1) === 0x45 && b(2) === 0xdf && b(3) === 0xa3) return "video/webm";
  if (bytes.length >= 8) {
    const size = ((b(0)! << 24) | (b(1)! << 16) | (b(2)! << 8) | b(3)!) >>> 0;
    // A box size is 0 (to end of file), 1 (64-bit size follows) or >= 8.
    const plausibleSize = size === 0 || size === 1 || size >= 8;
    if (plausibleSize && ascii(bytes, 4, "ftyp") && bytes.length >= 12) return "video/mp4";
    if (plausibleSize && LEGACY_QUICKTIME_BOXES.some((t) => ascii(bytes, 4, t))) return "video/mp4";
  }
  return undefined;
}

/** The types `sniffMediaType` reads itself: file-type's reading never overrides its answer for these. */
const OWN_TYPES = new Set(["image/png", "image/jpeg", "image/webp", "image/gif", "video/mp4", "video/webm"]);

/** The sizes of a BMP's DIB header (BITMAPCOREHEADER, OS/2's, BITMAPINFOHEADER and its V2 to V5), at its offset 14. */
const BMP_DIB_SIZES = new Set([12, 16, 40, 52, 56, 64, 108, 124]);

/**
 * Whether bytes file-type reads as a BMP, by its two bytes "BM" alone, are one: a DIB header of a known size follows
 * the 14-byte file header. A text starting "BM" ("BMW sales …") is none.
 */
const isBmp = (bytes: Uint8Array): boolean =>
  bytes.length >= 18 && BMP_DIB_SIZES.has(new DataView(bytes.buffer, bytes.byteOffset + 14, 4).getUint32(0, true));

/**
 * The media type of a file's first bytes: `sniffMediaType`'s for its six types, otherwise file-type's (audio/mpeg for an
 * MP3, audio/wav, …), so that a model field accepting another type takes a real file of it. Undefined when neither
 * recognises the bytes (file-type's answer being one of the six is left to `sniffMediaType`, which refused it; its
 * image/bmp, read from "BM" alone, is taken only for a BMP's header).
 */
export async function sniffAnyMediaType(bytes: Uint8Array): Promise<string | undefined> {
  const own = sniffMediaType(bytes);
  if (own !== undefined || bytes.length === 0) return own;
  const mime = (await fileTypeFromBuffer(bytes).catch(() => undefined))?.mime;
  if (mime === "image/bmp" && !isBmp(bytes)) return undefined;
  return mime !== undefined && !OWN_TYPES.has(mime) ? mime : undefined;
}

/**
 * Whether a declared media type (lower case) is one the emulator reads from bytes: the six `sniffMediaType` reads
 * (image/png, image/jpeg, image/webp, image/gif, video/mp4, video/webm) and the image formats file-type reads
 * (image/bmp, image/tiff, image/heic, …): bytes declared so must be one (see `bytesAre`).
 */
export const readableType = (type: string): boolean =>
  OWN_TYPES.has(type) || (type.startsWith("image/") && (supportedMimeTypes as ReadonlySet<string>).has(type));

/**
 * The HEIF images: file-type reads one whose major brand is the generic `mif1` as image/heif (a HEIC or an AVIF may
 * have it), one of `heic` as image/heic, of `avif` as image/avif.
 */
const HEIF = new Set(["image/heif", "image/heic", "image/avif"]);

/**
 * Whether a file's first bytes are of `type` (one `readableType` takes): as `sniffMediaType` reads them for its six,
 * otherwise as file-type does (a HEIC or an AVIF, which `sniffMediaType` takes for an MP4 by its `ftyp` box; a BMP only
 * where its header follows "BM"). Bytes of no type (empty, a text, a cut header) are none.
 */
export async function bytesAre(type: string, bytes: Uint8Array): Promise<boolean> {
  const own = sniffMediaType(bytes);
  if (own === type) return true;
  if (OWN_TYPES.has(type) || bytes.length === 0) return false;
  const mime = (await fileTypeFromBuffer(bytes).catch(() => undefined))?.mime;
  if (mime === undefined || (mime === "image/bmp" && !isBmp(bytes))) return false;
  return mime === type || (HEIF.has(mime) && HEIF.has(type) && (mime === "image/heif" || type === "image/heif"));
}
