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
 * The `ftyp` brands of an MP4 video (ISO 14496-12/14, Apple's M4V, 3GPP/3GPP2, MPEG-DASH, Adobe's F4V). A file of
 * another brand (`avif`, `heic`, `mif1`, `M4A `, …) is no video, whatever compatible brands it lists.
 */
const MP4_BRAND =
  /^(isom|iso[2-9a-c]|mp4[12v]|avc[1-4]|M4V[ HP]|3g[p2g].|dash|dsms|msdh|msix|F4[VP] |mmp4|XAVC|MSNV|NDAS)$/;

/**
 * Brands of ISO BMFF files that are no video: the still images and image sequences of HEIF/AVIF (ISO 23008-12,
 * MIAF) and the audio of MPEG-4 and Flash. A file whose major brand is one of these is not an MP4 even when it also
 * names `isom` or `mp42` (an M4A lists both).
 */
const OTHER_BRAND = /^(avif|avis|mif[12]|msf1|miaf|hei[cxms]|hev[cxms]|M4[ABP] |F4[AB] |crx )$/;

/**
 * The media type an `ftyp` box's brands give (`bytes` start with one, its size read): video/quicktime for QuickTime's
 * `qt  ` major brand; video/mp4 for an MP4 major brand, or for a major brand of neither kind (a camera maker's) beside
 * a compatible MP4 or QuickTime one; undefined otherwise (an AVIF, a HEIC or an M4A is left to file-type).
 */
function ftypType(bytes: Uint8Array, size: number): string | undefined {
  const brand = (at: number) => String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
  const major = brand(8);
  if (major === "qt  ") return "video/quicktime";
  if (MP4_BRAND.test(major)) return "video/mp4";
  if (OTHER_BRAND.test(major)) return undefined;
  // Compatible brands, from offset 16 to the box's end (a size of 0 or 1 says nothing of where: what was read).
  const end = Math.min(bytes.length, size >= 16 ? size : bytes.length);
  let compatible: string | undefined;
  for (let at = 16; at + 4 <= end; at += 4) {
    const b = brand(at);
    if (OTHER_BRAND.test(b)) return undefined;
    if (b === "qt  " || MP4_BRAND.test(b)) compatible ??= b === "qt  " ? "video/quicktime" : "video/mp4";
  }
  return compatible;
}

/**
 * Returns image/png, image/jpeg, image/webp, image/gif, video/mp4, video/quicktime or video/webm for recognised
 * signatures, otherwise undefined. An ISO BMFF file (an `ftyp` box) is video/mp4 or video/quicktime by its brands
 * (see `ftypType`: an AVIF, a HEIC or an M4A is none of the seven); a legacy QuickTime file (no `ftyp`, a `moov`,
 * `mdat`, … box first) is video/quicktime; any EBML file is reported as video/webm.
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
    if (plausibleSize && ascii(bytes, 4, "ftyp") && bytes.length >= 12) return ftypType(bytes, size);
    if (plausibleSize && LEGACY_QUICKTIME_BOXES.some((t) => ascii(bytes, 4, t))) return "video/quicktime";
  }
  return undefined;
}

/** The types `sniffMediaType` reads itself: file-type's reading never overrides its answer for these. */
const OWN_TYPES = new Set([
  "image/png",
  "image/jpeg",
  "image/webp",
  "image/gif",
  "video/mp4",
  "video/quicktime",
  "video/webm",
]);

/** The sizes of a BMP's DIB header (BITMAPCOREHEADER, OS/2's, BITMAPINFOHEADER and its V2 to V5), at its offset 14. */
const BMP_DIB_SIZES = new Set([12, 16, 40, 52, 56, 64, 108, 124]);

/**
 * Whether bytes file-type reads as a BMP, by its two bytes "BM" alone, are one: a DIB header of a known size follows
 * the 14-byte file header. A text starting "BM" ("BMW sales …") is none.
 */
const isBmp = (bytes: Uint8Array): boolean =>
  bytes.length >= 18 && BMP_DIB_SIZES.has(new DataView(bytes.buffer, bytes.byteOffset + 14, 4).getUint32(0, true));

/**
 * The media type of a file's first bytes: `sniffMediaType`'s for its seven types, otherwise file-type's (audio/mpeg for
 * an MP3, image/avif, audio/x-m4a, …), so that a model field accepting another type takes a real file of it. Undefined
 * when neither recognises the bytes (file-type's answer being one of the seven is left to `sniffMediaType`, which
 * refused it: file-type takes an `ftyp` box of any brand it does not know for an MP4; its image/bmp, read from "BM"
 * alone, is taken only for a BMP's header).
 */
export async function sniffAnyMediaType(bytes: Uint8Array): Promise<string | undefined> {
  const own = sniffMediaType(bytes);
  if (own !== undefined || bytes.length === 0) return own;
  const mime = (await fileTypeFromBuffer(bytes).catch(() => undefined))?.mime;
  if (mime === "image/bmp" && !isBmp(bytes)) return undefined;
  return mime !== undefined && !OWN_TYPES.has(mime) ? mime : undefined;
}

/**
 * Whether a declared media type (lower case) is one the emulator reads from bytes: the seven `sniffMediaType` reads
 * (image/png, image/jpeg, image/webp, image/gif, video/mp4, video/quicktime, video/webm) and the image formats
 * file-type reads (image/bmp, image/tiff, image/heic, …): bytes declared so must be one (see `bytesAre`).
 */
export const readableType = (type: string): boolean =>
  OWN_TYPES.has(type) || (type.startsWith("image/") && (supportedMimeTypes as ReadonlySet<string>).has(type));

/**
 * The HEIF images: file-type reads one whose major brand is the generic `mif1` as image/heif (a HEIC or an AVIF may
 * have it), one of `heic` as image/heic, of `avif` as image/avif.
 */
const HEIF = new Set(["image/heif", "image/heic", "image/avif"]);

/**
 * Whether a file's first bytes are of `type` (one `readableType` takes), read as `sniffAnyMediaType` reads them (the
 * one rule: an `ftyp` box by its brands, so a HEIC or an AVIF is no MP4; a BMP only where its header follows "BM"); a
 * generic HEIF image is any of its family. Bytes of no type (empty, a text, a cut header) are none.
 */
export async function bytesAre(type: string, bytes: Uint8Array): Promise<boolean> {
  const read = await sniffAnyMediaType(bytes);
  if (read === undefined) return false;
  return read === type || (HEIF.has(read) && HEIF.has(type) && (read === "image/heif" || type === "image/heif"));
}
