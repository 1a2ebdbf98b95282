/**
 * The orientation of an uploaded PNG, JPEG or WebP image, read from its header: a PNG's and a WebP's size are in their
 * first bytes; a JPEG's frame header (SOFn) follows segments of any length (a phone's EXIF, with its thumbnail, is
 * often longer than the bytes kept of an upload's start), so its segments are followed by their lengths as its bytes
 * stream by (never held), as `MoovReader` follows an MP4's boxes, and the start of its EXIF kept: its orientation
 * turns the picture a quarter (5 to 8), as phones store portrait photos.
 */

/** How much of a JPEG's EXIF segment is kept: its first directory, where the orientation is, is at its start. */
const EXIF_BYTES = 4096;

/** Follows a JPEG's segments as `feed` is given its bytes in order, to its frame header. */
export class JpegReader {
  /** Offset of the next marker. */
  private next = 0;
  private at = 0;
  private header: number[] = [];
  /** The start of the EXIF segment's body (its `Exif\0\0` and TIFF header: the first APP1 that is one), to `exifEnd`. */
  private exif: number[] = [];
  private exifEnd = 0;
  private done = false;
  /** The frame's size, once its header was read. */
  private size: { width: number; height: number } | undefined;

  /** The next bytes of the file. */
  feed(chunk: Buffer): void {
    let i = 0;
    while (!this.done && i < chunk.length) {
      const pos = this.at + i;
      if (pos < this.next) {
        const n = Math.min(chunk.length - i, this.next - pos);
        for (let k = 0; k < n && pos + k < this.exifEnd; k++) this.exif.push(chunk[i + k]!);
        i += n;
        continue;
      }
      const h = this.header;
      h.push(chunk[i++]!);
      if (h[0] !== 0xff) this.done = true;
      if (h.length < 2 || this.done) continue;
      // The file starts with SOI (FFD8), a marker without length.
      if (this.next === 0) {
        this.done = h[1] !== 0xd8;
        this.next = 2;
        this.header = [];
        continue;
      }
      // SOF0 to SOF15 (not DHT, JPG, DAC): precision, height, width.
      const sof = h[1]! >= 0xc0 && h[1]! <= 0xcf && h[1] !== 0xc4 && h[1] !== 0xc8 && h[1] !== 0xcc;
      if (h.length < (sof ? 9 : 4)) continue;
      const length = (h[2]! << 8) | h[3]!;
      if (sof) this.size = { height: (h[5]! << 8) | h[6]!, width: (h[7]! << 8) | h[8]! };
      // Done at the frame header, at the scan (no frame header before it) or at what is no segment.
      if (sof || h[1] === 0xda || length < 2) {
        this.done = true;
        continue;
      }
      // An APP1 segment, until one is EXIF's (an XMP one, also APP1, often comes before it): its start kept.
      if (h[1] === 0xe1 && String.fromCharCode(...this.exif.slice(0, 6)) !== "Exif\0\0") {
        this.exif = [];
        this.exifEnd = this.next + 4 + Math.min(length - 2, EXIF_BYTES);
      }
      this.next += 2 + length;
      this.header = [];
    }
    this.at += chunk.length;
  }

  /** Whether the picture is shown taller than wide; undefined when its frame header was not read. */
  portrait(): boolean | undefined {
    if (!this.size) return undefined;
    const { width, height } = this.size;
    return exifOrientation(Buffer.from(this.exif)) >= 5 ? width > height : height > width;
  }
}

/** The orientation (1 to 8) an EXIF segment's first directory gives; 1 when it gives none. */
function exifOrientation(exif: Buffer): number {
  if (exif.toString("latin1", 0, 6) !== "Exif\0\0") return 1;
  const tiff = exif.subarray(6);
  const le = tiff.toString("latin1", 0, 2) === "II";
  const u16 = (at: number) => (at + 2 > tiff.length ? 0 : le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const ifd = tiff.length < 8 ? 0 : le ? tiff.readUInt32LE(4) : tiff.readUInt32BE(4);
  for (let k = 0, n = u16(ifd); k < n; k++) if (u16(ifd + 2 + 12 * k) === 0x0112) return u16(ifd + 10 + 12 * k);
  return 1;
}

/**
 * Whether a PNG or WebP image, of which `head` are the first bytes, is taller than wide; undefined for any other file
 * (a JPEG's is read by `JpegReader`), or one whose size is not there.
 */
export function isPortraitImage(head: Buffer): boolean | undefined {
  const tall = (width: number, height: number) => height > width;
  if (head.length < 30) return undefined;
  if (head.toString("latin1", 1, 4) === "PNG" && head.toString("latin1", 12, 16) === "IHDR")
    return tall(head.readUInt32BE(16), head.readUInt32BE(20));
  if (head.toString("latin1", 0, 4) !== "RIFF" || head.toString("latin1", 8, 12) !== "WEBP") return undefined;
  switch (head.toString("latin1", 12, 16)) {
    case "VP8 ": // a key frame's start code, then 14-bit width and height
      return tall(head.readUInt16LE(26) & 0x3fff, head.readUInt16LE(28) & 0x3fff);
    case "VP8L": {
      // after its signature byte, 14 bits of width - 1, 14 of height - 1
      const bits = head.readUInt32LE(21);
      return tall(bits & 0x3fff, (bits >>> 14) & 0x3fff);
    }
    case "VP8X": // the canvas: 24 bits of width - 1, 24 of height - 1
      return tall(head.readUIntLE(24, 3), head.readUIntLE(27, 3));
  }
  return undefined;
}
