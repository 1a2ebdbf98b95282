/**
 * The orientation of an uploaded MP4 or QuickTime video, read as its bytes stream by (never held): its top-level boxes
 * are followed by their sizes to its `moov` box (first, in a "fast start" file; after the media, `mdat`, in most
 * others), of which the first bytes are kept; their video track's header (`tkhd`) gives its width and height, and its
 * matrix a rotation (a phone's portrait clip is often stored landscape, turned 90°).
 */

/** How much of the `moov` box is kept (as much as of every upload's start): its movie header and first track's header are at its start. */
const MOOV_BYTES = 4096;

/** Follows a file's top-level boxes as `feed` is given its bytes in order, and keeps the start of its `moov`. */
export class MoovReader {
  /** Offset of the next top-level box. */
  private next = 0;
  /** Bytes read of the box header at `next` (8, or 16 with a 64-bit size). */
  private header: number[] = [];
  /** Offset where the `moov` box ends (Infinity: to the end of the file). */
  private moovEnd = -1;
  private kept: Buffer[] = [];
  private keptBytes = 0;
  /** Stopped: `moov` kept, or the bytes are no box structure the reader can follow. */
  private done = false;
  private at = 0;

  /** The next bytes of the file. */
  feed(chunk: Buffer): void {
    let i = 0;
    while (!this.done && i < chunk.length) {
      const pos = this.at + i;
      if (this.moovEnd >= 0) {
        const take = Math.min(chunk.length - i, MOOV_BYTES - this.keptBytes, this.moovEnd - pos);
        this.kept.push(Buffer.from(chunk.subarray(i, i + take)));
        this.keptBytes += take;
        i += take;
        if (this.keptBytes >= MOOV_BYTES || this.at + i >= this.moovEnd) this.done = true;
        continue;
      }
      if (pos < this.next) {
        i += Math.min(chunk.length - i, this.next - pos);
        continue;
      }
      this.header.push(chunk[i++]!);
      const h = this.header;
      if (h.length < 8 || (h.length < 16 && word(h, 0) === 1)) continue;
      const size = word(h, 0) === 1 ? word(h, 8) * 2 ** 32 + word(h, 12) : word(h, 0);
      const type = String.fromCharCode(h[4]!, h[5]!, h[6]!, h[7]!);
      this.header = [];
      // A size of 0 is "to the end of the file"; one smaller than its header, or a type of no printable text, is no box.
      if (!/^[\x20-\x7e]{4}$/.test(type) || (size !== 0 && size < h.length)) {
        this.done = true;
        continue;
      }
      const start = this.next;
      if (type === "moov") {
        this.moovEnd = size === 0 ? Number.POSITIVE_INFINITY : start + size;
        this.kept.push(Buffer.from(h));
        this.keptBytes = h.length;
      } else if (size === 0) this.done = true;
      else this.next = start + size;
    }
    this.at += chunk.length;
  }

  /** The start of the `moov` box (its header included), when one was found. */
  moov(): Buffer | undefined {
    return this.moovEnd >= 0 ? Buffer.concat(this.kept) : undefined;
  }
}

const word = (bytes: ArrayLike<number>, at: number) =>
  ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;

/**
 * The boxes of `box` from `from` (its contents' start, or a file's) to its end, or to what was kept of it; a box of a
 * size under 8 (0, "to the end", or 1, a 64-bit size follows) ends the walk.
 */
export function* children(box: Buffer, from: number): Generator<{ type: string; start: number; end: number }> {
  for (let at = from; at + 8 <= box.length; ) {
    const size = word(box, at);
    if (size < 8) return;
    yield { type: box.toString("latin1", at + 4, at + 8), start: at, end: Math.min(box.length, at + size) };
    at += size;
  }
}

/**
 * Whether the video a `moov` box (its start, see `MoovReader`) describes is shown taller than wide: its first track
 * with a width and height (the video's; a sound track has none), turned by its matrix when that rotates it by 90° or
 * 270°. Undefined when the kept bytes hold no such track header.
 */
export function isPortraitMoov(moov: Buffer): boolean | undefined {
  for (const trak of children(moov, 8)) {
    if (trak.type !== "trak") continue;
    for (const tkhd of children(moov.subarray(0, trak.end), trak.start + 8)) {
      if (tkhd.type !== "tkhd") continue;
      // Version 1 has 64-bit times: 12 bytes more before the matrix. Then the 3×3 matrix (16.16), width, height.
      const matrix = tkhd.start + (moov[tkhd.start + 8] === 1 ? 60 : 48);
      if (matrix + 44 > tkhd.end) return undefined;
      const width = word(moov, matrix + 36);
      const height = word(moov, matrix + 40);
      if (width === 0 || height === 0) break;
      // a = 0 (and b ≠ 0): turned a quarter.
      const turned = word(moov, matrix) === 0 && word(moov, matrix + 4) !== 0;
      return turned ? width > height : height > width;
    }
  }
  return undefined;
}
