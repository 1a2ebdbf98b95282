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
 * The boxes an MP4 or QuickTime file may start with, the list `@decart/core`'s `isMp4Start` (and so the `decart` CLI)
 * takes a video by: `ftyp`, a CMAF/DASH segment's `styp` (both read by their brands), a `uuid` box a writer put first
 * (the box after it is read), and those of `LEGACY_QUICKTIME_BOXES`. The emulator cannot import the client (which
 * depends on it), so the client's test mp4-start-emulator.test.ts holds the two lists the same over HTTP.
 */
const ISO_FIRST_BOXES = ["ftyp", "styp", "uuid", ...LEGACY_QUICKTIME_BOXES];

/**
 * The `ftyp` (or `styp`) brands of an MP4 video (ISO 14496-12/14, Apple's M4V, 3GPP/3GPP2, MPEG-DASH, CMAF, Adobe's
 * F4V). A file of
 * another brand (`avif`, `heic`, `mif1`, `M4A `, …) is no video, whatever compatible brands it lists.
 */
const MP4_BRAND =
  /^(isom|iso[2-9a-c]|mp4[12v]|avc[1-4]|M4V[ HP]|3g[p2g].|dash|dsms|msdh|msix|cmf[c2sfl]|F4[VP] |mmp4|XAVC|MSNV|NDAS)$/;

/**
 * Brands of ISO BMFF files that are no video: the still images and image sequences of HEIF/AVIF (ISO 23008-12,
 * MIAF), the audio of MPEG-4 and Flash, and Canon's raw photos. A file whose major brand is one of these is not an MP4
 * even when it also names `isom` or `mp42` (an M4A lists both). `@decart/core` leaves a file of no type whose major
 * brand is one of these untyped (no video/mp4): its test heif-brands.test.ts holds the two the same over HTTP. Frozen:
 * a test that reads it cannot change what the emulator takes.
 */
export const NO_VIDEO_BRANDS: readonly string[] = Object.freeze([
  ...["avif", "avis", "mif1", "mif2", "msf1", "miaf"],
  ...["heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs"],
  ...["M4A ", "M4B ", "M4P ", "F4A ", "F4B ", "crx "],
]);
const otherBrand = (brand: string) => NO_VIDEO_BRANDS.includes(brand);

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
  if (otherBrand(major)) return undefined;
  // Compatible brands, from offset 16 to the box's end (a size of 0 or 1 says nothing of where: what was read).
  const end = Math.min(bytes.length, size >= 16 ? size : bytes.length);
  let compatible: string | undefined;
  for (let at = 16; at + 4 <= end; at += 4) {
    const b = brand(at);
    if (otherBrand(b)) return undefined;
    if (b === "qt  " || MP4_BRAND.test(b)) compatible ??= b === "qt  " ? "video/quicktime" : "video/mp4";
  }
  return compatible;
}

/**
 * The EBML elements (a WebM's) from `at` to `end`: their IDs (length marker kept), where their bodies start and end
 * (`end` for one of unknown size, a live recording's segment). Stops at what `bytes` do not hold.
 */
function* ebml(bytes: Uint8Array, at: number, end: number): Generator<{ id: number; body: number; end: number }> {
  while (at < end) {
    // A number of 1 to 8 bytes, its length told by its first byte's leading zeros; `marker`: its first bit kept.
    const vint = (marker: boolean): number => {
      const length = Math.clz32(bytes[at]!) - 23;
      if (length < 1 || length > 8 || at + length > bytes.length) return -1;
      let value = marker ? bytes[at]! : bytes[at]! & (0xff >> length);
      for (let i = 1; i < length; i++) value = value * 256 + bytes[at + i]!;
      at += length;
      return value === 2 ** (7 * length) - 1 && !marker ? Number.POSITIVE_INFINITY : value;
    };
    const id = vint(true);
    const size = id < 0 ? -1 : vint(false);
    if (size < 0) return;
    yield { id, body: at, end: Math.min(end, at + size) };
    at += size;
  }
}

/**
 * Whether a WebM holds no video: its track list (`Tracks` in its `Segment`, read whole within `bytes`) names tracks,
 * and none of type video (1) or complex (3, video and sound mixed). One whose track list is not within `bytes` is
 * taken for a video.
 */
function webmWithoutVideo(bytes: Uint8Array): boolean {
  const inside = (el: { body: number; end: number }, id: number) =>
    [...ebml(bytes, el.body, el.end)].filter((e) => e.id === id);
  for (const segment of inside({ body: 0, end: Number.POSITIVE_INFINITY }, 0x18538067)) {
    const tracks = [...ebml(bytes, segment.body, segment.end)].find((e) => e.id === 0x1654ae6b);
    if (!tracks || tracks.end > bytes.length) return false;
    const types = inside(tracks, 0xae).map((entry) => inside(entry, 0x83).map((t) => bytes[t.end - 1]));
    return types.length > 0 && types.every((t) => t.length === 1 && t[0] !== 1 && t[0] !== 3);
  }
  return false;
}

/**
 * Returns image/png, image/jpeg, image/webp, image/gif, video/mp4, video/quicktime or video/webm for recognised
 * signatures, otherwise undefined. An ISO BMFF file (an `ftyp` box, or a segment's `styp`) is video/mp4 or
 * video/quicktime by its brands (see `ftypType`: an AVIF, a HEIC or an M4A is none of the seven); a legacy QuickTime
 * file (no `ftyp`, a `moov`, `mdat`, … box first) is video/quicktime; one with a `uuid` box first is read by the box
 * after it (see `isoType`); an EBML file is video/webm, unless its track list says it holds no video: audio/webm (see
 * `webmWithoutVideo`).
 */
export function sniffMediaType(bytes: Uint8Array): string | undefined {
  const b = (i: number) => bytes[i];
  if (ascii(bytes, 0, "\x89PNG\r\n\x1a\n")) return "image/png";
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return "image/jpeg";
  if (ascii(bytes, 0, "RIFF") && ascii(bytes, 8, "WEBP")) return "image/webp";
  if (ascii(bytes, 0, "GIF87a") || ascii(bytes, 0, "GIF89a")) return "image/gif";
  if (b(0) === 0x1a && b(1) === 0x45 && b(2) === 0xdf && b(3) === 0xa3)
    return webmWithoutVideo(bytes) ? "audio/webm" : "video/webm";
  return isoType(bytes);
}

/**
 * The media type of an ISO base media file by its first box (one of `ISO_FIRST_BOXES`): an `ftyp` or `styp` box's
 * brands (see `ftypType`); video/quicktime for a legacy QuickTime box; a `uuid` box is passed over to the box after it,
 * and is video/mp4 where that one says nothing more (not within the bytes read, or of another type: `moof`, …).
 */
function isoType(bytes: Uint8Array): string | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0, afterUuid = false; ; ) {
    if (bytes.length < at + 8) return afterUuid ? "video/mp4" : undefined;
    const size = view.getUint32(at);
    // A box size is 0 (to end of file), 1 (64-bit size follows) or >= 8.
    const plausibleSize = size === 0 || size === 1 || size >= 8;
    const box = ISO_FIRST_BOXES.find((t) => ascii(bytes, at + 4, t));
    if (!plausibleSize || box === undefined) return afterUuid && plausibleSize ? "video/mp4" : undefined;
    if (box === "ftyp" || box === "styp")
      return bytes.length >= at + 12 ? ftypType(bytes.subarray(at), size) : undefined;
    if (box !== "uuid") return "video/quicktime";
    // Past the uuid box (a size of 0 or 1 says nothing of where its end is: no box is read after it).
    if (size < 8) return "video/mp4";
    at += size;
    afterUuid = true;
  }
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
  // HEIF major brands of `NO_VIDEO_BRANDS` that file-type names none of (it reads them as MP4s): any HEIF file.
  if (ascii(bytes, 4, "ftyp") && /^(mif2|miaf|hei[ms]|hev[ms])$/.test(String.fromCharCode(...bytes.subarray(8, 12))))
    return "image/heif";
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
 * Types whose files are one kind, each family a generic type and the types it stands for: file-type reads a HEIF image
 * whose major brand is the generic `mif1` as image/heif (a HEIC or an AVIF may have it), one of `heic` as image/heic,
 * of `avif` as image/avif; an image sequence of `msf1` as image/heif-sequence, of `hevc` as image/heic-sequence, of
 * `avis` as image/avif. image/heif is any HEIF file, its image sequences too (`sniffAnyMediaType` reads so the HEIF
 * brands file-type names none of).
 */
const FAMILIES: readonly (readonly [generic: string, members: readonly string[]])[] = [
  ["image/heif", ["image/heic", "image/avif", "image/heif-sequence", "image/heic-sequence"]],
  ["image/heif-sequence", ["image/heic-sequence", "image/avif"]],
];

/**
 * The ISO base media videos: MP4 and QuickTime files start with the same boxes (see `ISO_FIRST_BOXES`), so either,
 * declared the other (a `.mov` file declared video/mp4, a `moov`-first one), is the file it says it is.
 */
const ISO_VIDEO = new Set(["video/mp4", "video/quicktime"]);

/** Whether bytes read as `read` are a file of the declared `type`: the same type, or one of its kind (see `FAMILIES`). */
const fits = (read: string, type: string): boolean =>
  read === type ||
  (ISO_VIDEO.has(read) && ISO_VIDEO.has(type)) ||
  FAMILIES.some(([generic, members]) =>
    read === generic ? members.includes(type) : type === generic && members.includes(read),
  );

/**
 * Whether a file's first bytes are of `type` (one `readableType` takes), read as `sniffAnyMediaType` reads them (the
 * one rule: an `ftyp` box by its brands, so a HEIC or an AVIF is no MP4; a BMP only where its header follows "BM"), or
 * of its kind (see `fits`: a generic HEIF image or image sequence is any of its family, an MP4 a QuickTime file and
 * back). Bytes of no type (empty, a text, a cut header) are none.
 */
export async function bytesAre(type: string, bytes: Uint8Array): Promise<boolean> {
  const read = await sniffAnyMediaType(bytes);
  return read !== undefined && fits(read, type);
}
