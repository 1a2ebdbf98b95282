/**
 * What `--resume` takes as a whole image left under its temporary name (`wholeImage`): not one cut short, nor one
 * with a stretch never written (zeros: a power loss before its data reached the disk, the file's size already set).
 */
import { crc32, deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { wholeImage } from "../src/image-type.js";

/** A PNG chunk: its length, type, data and CRC. */
function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

/** A 64×64 grey PNG, its pixels in several IDAT chunks. */
function png(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(64, 0);
  header.writeUInt32BE(64, 4);
  header.set([8, 0, 0, 0, 0], 8);
  const rows = Buffer.alloc(64 * 65);
  for (let i = 0; i < rows.length; i++) rows[i] = i % 65 ? (i * 7) % 251 : 0;
  const pixels = deflateSync(rows, { level: 0 });
  const parts = [0, 1, 2, 3].map((n) => pixels.subarray((n * pixels.length) / 4, ((n + 1) * pixels.length) / 4));
  return Buffer.concat([
    Buffer.from("89504e470d0a1a0a", "hex"),
    chunk("IHDR", header),
    ...parts.map((part) => chunk("IDAT", part)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A JPEG's markers: start, an APP0 (JFIF) and a DQT segment, a scan (with stuffed bytes and a restart), its end. */
function jpeg(): Buffer {
  const segment = (marker: number, data: Buffer) => {
    const head = Buffer.from([0xff, marker, 0, 0]);
    head.writeUInt16BE(data.length + 2, 2);
    return Buffer.concat([head, data]);
  };
  const scan = Buffer.alloc(2000);
  for (let i = 0; i < scan.length; i++) scan[i] = (i * 13) % 255;
  scan.set([0xff, 0x00], 500);
  scan.set([0xff, 0xd3], 1000);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, Buffer.from("JFIF\0\x01\x01\0\0\x01\0\x01\0\0", "latin1")),
    segment(0xdb, Buffer.alloc(65, 1)),
    segment(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0])),
    scan,
    Buffer.from([0xff, 0xd9]),
  ]);
}

describe("wholeImage", () => {
  it("a PNG with a stretch of zeros in its middle is not whole, nor one cut short; the whole one is", async () => {
    const whole = png();
    expect(await wholeImage(whole, ".png")).toBe(true);
    const zeroed = Buffer.from(whole);
    zeroed.fill(0, 200, whole.length - 100);
    expect(await wholeImage(zeroed, ".png")).toBe(false);
    // One byte of a chunk's data changed: its CRC is wrong.
    const changed = Buffer.from(whole);
    changed[whole.length - 200]! ^= 1;
    expect(await wholeImage(changed, ".png")).toBe(false);
    expect(await wholeImage(whole.subarray(0, whole.length - 12), ".png")).toBe(false);
  });

  it("a JPEG whose segments are zeroed is not whole, nor one cut short; the whole one is", async () => {
    const whole = jpeg();
    expect(await wholeImage(whole, ".jpg")).toBe(true);
    const zeroed = Buffer.from(whole);
    // From inside the JFIF segment through the DQT's marker: its end marker still at the end.
    zeroed.fill(0, 10, 40);
    expect(await wholeImage(zeroed, ".jpg")).toBe(false);
    expect(await wholeImage(whole.subarray(0, whole.length - 2), ".jpg")).toBe(false);
  });
});
