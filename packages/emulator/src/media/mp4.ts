/**
 * MP4 (ISO BMFF) helpers: muxing Annex-B H.264 access units with mediabunny,
 * making the result byte-deterministic, and padding a file to an exact size.
 */
import { BufferTarget, EncodedPacket, EncodedVideoPacketSource, Mp4OutputFormat, Output } from "mediabunny";
import { children } from "./moov.js";

export interface MuxOptions {
  /** Display size. */
  width: number;
  height: number;
  fps: number;
  /** RFC 6381 codec string, e.g. "avc1.42c01e". */
  codecString: string;
}

export interface VideoAccessUnit {
  /** Annex-B data; the first unit must carry SPS and PPS. */
  data: Uint8Array;
  key: boolean;
}

/**
 * Muxes H.264 access units into a "fast start" MP4 (ftyp, moov, mdat). With no
 * decoder description, mediabunny builds the avcC box from the SPS/PPS in the
 * first packet and converts Annex-B data to length-prefixed samples.
 */
export async function muxH264ToMp4(units: readonly VideoAccessUnit[], opts: MuxOptions): Promise<Uint8Array> {
  const target = new BufferTarget();
  const output = new Output({ format: new Mp4OutputFormat({ fastStart: "in-memory" }), target });
  // No tags, in an object without a prototype: mediabunny reads its tags with `for…in`, which would take a property
  // someone added to Object.prototype for a tag it does not know, and throw (every video render failed).
  output.setMetadataTags(Object.create(null));
  const source = new EncodedVideoPacketSource("avc");
  output.addVideoTrack(source, { frameRate: opts.fps });
  await output.start();

  const frameDuration = 1 / opts.fps;
  for (let i = 0; i < units.length; i++) {
    const unit = units[i]!;
    const packet = new EncodedPacket(unit.data, unit.key ? "key" : "delta", i * frameDuration, frameDuration);
    if (i === 0) {
      await source.add(packet, {
        decoderConfig: { codec: opts.codecString, codedWidth: opts.width, codedHeight: opts.height },
      });
    } else {
      await source.add(packet);
    }
  }
  await output.finalize();
  if (!target.buffer) throw new Error("mediabunny produced no output");
  const bytes = new Uint8Array(target.buffer);
  clearMovieTimestamps(bytes);
  return bytes;
}

const CONTAINER_BOXES = new Set(["moov", "trak", "mdia"]);
const TIMESTAMPED_BOXES = new Set(["mvhd", "tkhd", "mdhd"]);

/**
 * mediabunny stamps the wall-clock time into the creation/modification fields
 * of mvhd, tkhd and mdhd. Zero them in place (walking moov > trak > mdia) so the
 * output depends only on the input frames.
 */
export function clearMovieTimestamps(bytes: Uint8Array, start = 0, end = bytes.length): void {
  for (const box of children(Buffer.from(bytes.buffer, bytes.byteOffset, end), start)) {
    const body = box.start + 8;
    if (CONTAINER_BOXES.has(box.type)) {
      clearMovieTimestamps(bytes, body, box.end);
    } else if (TIMESTAMPED_BOXES.has(box.type)) {
      // Full box: version (1 byte) + flags (3 bytes), then creation and
      // modification times as 32-bit (version 0) or 64-bit (version 1) values.
      const fieldBytes = bytes[body] === 1 ? 8 : 4;
      bytes.fill(0, body + 4, body + 4 + 2 * fieldBytes);
    }
  }
}

export interface PaddedStream {
  /** Total size in bytes (the requested `totalBytes`). */
  length: number;
  /** A fresh iterator over the bytes each time it is called. */
  stream(): AsyncIterable<Uint8Array>;
}

/**
 * The given MP4 followed by one top-level `free` box whose payload is zeros,
 * so that the file is exactly `totalBytes` long and still a valid MP4 (players
 * skip `free` boxes). The padding is never materialised: one shared, read-only
 * zero chunk is yielded repeatedly.
 */
export function paddedVideoStream(mp4: Uint8Array, totalBytes: number, chunkSize = 64 * 1024): PaddedStream {
  if (!Number.isSafeInteger(totalBytes) || totalBytes < mp4.length + 8) {
    throw new RangeError(`totalBytes must be an integer >= mp4.length + 8 (${mp4.length + 8}), got ${totalBytes}`);
  }
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
  }
  const padding = totalBytes - mp4.length;
  // Box sizes above 2^32-1 need the 64-bit "largesize" form (size field = 1).
  const header = new Uint8Array(padding > 0xffffffff ? 16 : 8);
  const view = new DataView(header.buffer);
  if (header.length === 16) {
    view.setUint32(0, 1);
    view.setBigUint64(8, BigInt(padding));
  } else {
    view.setUint32(0, padding);
  }
  header.set([0x66, 0x72, 0x65, 0x65], 4); // "free"

  return {
    length: totalBytes,
    async *stream() {
      for (let o = 0; o < mp4.length; o += chunkSize) yield mp4.subarray(o, Math.min(mp4.length, o + chunkSize));
      yield header;
      let remaining = padding - header.length;
      const zeros = new Uint8Array(Math.min(chunkSize, remaining));
      while (remaining > 0) {
        const n = Math.min(zeros.length, remaining);
        yield n === zeros.length ? zeros : zeros.subarray(0, n);
        remaining -= n;
      }
    },
  };
}
