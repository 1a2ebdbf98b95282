/**
 * A video edit's result follows its input's orientation, as the real API's does (the docs: 1280×720 or 720×1280): a
 * 9:16 clip given to `lucy-clip` or `lucy-2.1` comes back portrait, whether its `moov` box comes first or after its
 * media, and so does a landscape-stored clip whose track header turns it a quarter (as phones write portrait clips);
 * a 16:9 clip comes back landscape. An image edit's too: a portrait PNG, JPEG or WebP given to `lucy-image-2`, or a
 * landscape-stored JPEG whose EXIF orientation turns it a quarter (its TIFF either endian, its EXIF segment after a JFIF
 * or an XMP one), comes back portrait. Over HTTP.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import { renderImage, renderVideo } from "../src/media/index.js";
import { blob, form, get, pollUntil, post, probe, sampleMp4, saveTemp, start, submit } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await start();
});
afterAll(() => emu.close());

/** The width and height of a job's result, of `model` given `data`. */
async function resultFrame(model: string, data: Uint8Array): Promise<{ width: number; height: number }> {
  const id = await submit(emu, model, { prompt: "Make it snow", data: blob(data) });
  await pollUntil(emu, id);
  const res = await get(emu, `/v1/jobs/${id}/content`);
  expect(res.status).toBe(200);
  return probe(saveTemp(Buffer.from(await res.arrayBuffer()), "mp4"));
}

/** The same clip with its `moov` box after its media (ffmpeg's default, without `-movflags faststart`). */
function moovLast(mp4: Uint8Array): Uint8Array {
  const input = saveTemp(mp4, "mp4");
  const output = saveTemp(new Uint8Array(), "mp4");
  const r = spawnSync("ffmpeg", ["-nostdin", "-v", "error", "-y", "-i", input, "-c", "copy", output]);
  expect(r.stderr.toString()).toBe("");
  const bytes = new Uint8Array(readFileSync(output));
  const types = [];
  for (let at = 0; at + 8 <= bytes.length; at += Buffer.from(bytes.buffer, at, 4).readUInt32BE(0))
    types.push(Buffer.from(bytes.subarray(at + 4, at + 8)).toString("latin1"));
  expect(types.indexOf("moov")).toBeGreaterThan(types.indexOf("mdat"));
  return bytes;
}

/** The clip with its track header's matrix turning it a quarter (a = d = 0, b = 1, c = -1, in 16.16). */
function turned(mp4: Uint8Array): Uint8Array {
  const bytes = Buffer.from(mp4);
  const tkhd = bytes.indexOf("tkhd", 0, "latin1") - 4;
  expect(tkhd).toBeGreaterThan(0);
  const matrix = tkhd + (bytes[tkhd + 8] === 1 ? 60 : 48);
  bytes.writeInt32BE(0, matrix);
  bytes.writeInt32BE(0x10000, matrix + 4);
  bytes.writeInt32BE(-0x10000, matrix + 12);
  bytes.writeInt32BE(0, matrix + 16);
  return new Uint8Array(bytes);
}

describe("a video edit's result follows its input's orientation", () => {
  it("a 9:16 clip, its moov first or last: a portrait result from lucy-clip and lucy-2.1", async () => {
    const portrait = await renderVideo({ prompt: "tall", seed: 3, width: 36, height: 64, fps: 5, durationSeconds: 1 });
    for (const data of [portrait, moovLast(portrait)]) {
      for (const model of ["lucy-clip", "lucy-2.1"]) {
        const { width, height } = await resultFrame(model, data);
        expect(height, model).toBeGreaterThan(width);
      }
    }
  });

  it("a landscape-stored clip turned a quarter by its track header: a portrait result", async () => {
    const { width, height } = await resultFrame("lucy-clip", turned(await sampleMp4()));
    expect(height).toBeGreaterThan(width);
  });

  it("a 16:9 clip: a landscape result", async () => {
    for (const data of [await sampleMp4(), moovLast(await sampleMp4())]) {
      const { width, height } = await resultFrame("lucy-clip", data);
      expect(width).toBeGreaterThan(height);
    }
  });
});

/** The width and height of `lucy-image-2`'s answer given `data`. */
async function editedFrame(data: Uint8Array): Promise<{ width: number; height: number }> {
  const res = await post(emu, "/v1/generate/lucy-image-2", form({ prompt: "Make it snow", data: blob(data) }));
  expect(res.status).toBe(200);
  return probe(saveTemp(Buffer.from(await res.arrayBuffer()), "png"));
}

/** An image of `width` × `height` in `format`: PNG and JPEG rendered, WebP converted by ffmpeg (`args` its codec). */
function picture(width: number, height: number, format: "png" | "jpeg" | "webp", args: string[] = []): Buffer {
  const png = renderImage({ prompt: "a picture", seed: 5, width, height, format: format === "jpeg" ? "jpeg" : "png" });
  if (format !== "webp") return Buffer.from(png);
  const output = saveTemp(new Uint8Array(), "webp");
  const r = spawnSync("ffmpeg", ["-nostdin", "-v", "error", "-y", "-i", saveTemp(png, "png"), ...args, output]);
  expect(r.stderr.toString()).toBe("");
  return readFileSync(output);
}

/** A JPEG segment: its marker, its length (of itself and its body), its body. */
function segment(marker: number, body: Buffer): Buffer {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
}

/** `jpeg` with `segments` right after its SOI marker. */
const withSegments = (jpeg: Buffer, ...segments: Buffer[]) =>
  Buffer.concat([jpeg.subarray(0, 2), ...segments, jpeg.subarray(2)]);

/** An EXIF segment (APP1, a big-endian TIFF, or little-endian for `order` "II") whose first directory gives `orientation`. */
function exif(orientation: number, order: "MM" | "II" = "MM"): Buffer {
  const tiff = Buffer.alloc(26);
  const le = order === "II";
  const u16 = (value: number, at: number) => (le ? tiff.writeUInt16LE(value, at) : tiff.writeUInt16BE(value, at));
  const u32 = (value: number, at: number) => (le ? tiff.writeUInt32LE(value, at) : tiff.writeUInt32BE(value, at));
  tiff.write(order, 0, "latin1");
  u16(42, 2);
  u32(8, 4); // the first directory
  u16(1, 8); // one entry: Orientation, SHORT, 1 value
  u16(0x0112, 10);
  u16(3, 12);
  u32(1, 14);
  u16(orientation, 18);
  return segment(0xe1, Buffer.concat([Buffer.from("Exif\0\0", "latin1"), tiff]));
}

/** An XMP segment (APP1 too, as editors and phones write one, often before the EXIF one), its packet `padding` long. */
const xmp = (padding: number) =>
  segment(
    0xe1,
    Buffer.concat([
      Buffer.from('http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x="adobe:ns:meta/">', "latin1"),
      Buffer.alloc(padding, 0x20),
      Buffer.from("</x:xmpmeta>", "latin1"),
    ]),
  );

/** A 32×18 JPEG written by ffmpeg: SOI, an APP0 (JFIF) segment, then its comment, tables and frame. */
function ffmpegJpeg(): Buffer {
  const output = saveTemp(new Uint8Array(), "jpg");
  const r = spawnSync(
    "ffmpeg",
    ["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=red:s=32x18"].concat(["-frames:v", "1", output]),
  );
  expect(r.stderr.toString()).toBe("");
  const bytes = readFileSync(output);
  expect(bytes.toString("latin1", 2, 11)).toBe("\xff\xe0\0\x10JFIF\0");
  return bytes;
}

/** `jpeg` (ffmpeg's) with `segments` right after its APP0 (JFIF) segment. */
const afterJfif = (jpeg: Buffer, ...segments: Buffer[]) =>
  Buffer.concat([jpeg.subarray(0, 20), ...segments, jpeg.subarray(20)]);

describe("an image edit's result follows its input's orientation", () => {
  it("a portrait PNG, JPEG or WebP (lossy, lossless): a portrait result; a landscape one: a landscape result", async () => {
    for (const [format, args] of [
      ["png"],
      ["jpeg"],
      ["webp", ["-c:v", "libwebp"]],
      ["webp", ["-c:v", "libwebp", "-lossless", "1"]],
    ] as const) {
      const tall = await editedFrame(picture(18, 32, format, args ? [...args] : []));
      expect(tall.height, `${format} ${args}`).toBeGreaterThan(tall.width);
      const wide = await editedFrame(picture(32, 18, format, args ? [...args] : []));
      expect(wide.width, `${format} ${args}`).toBeGreaterThan(wide.height);
    }
  });

  it("an image-to-video model given a portrait image: a portrait video", async () => {
    const { width, height } = await resultFrame("lucy-pro-i2v", picture(18, 32, "png"));
    expect(height).toBeGreaterThan(width);
  });

  it("an extended WebP (VP8X) by its canvas: a portrait one, a portrait result", async () => {
    /** The file's header and its VP8X chunk (flags, then the canvas's width - 1 and height - 1, 24 bits each). */
    const extended = (width: number, height: number) => {
      const bytes = Buffer.alloc(30);
      bytes.write("RIFF", 0, "latin1");
      bytes.writeUInt32LE(22, 4);
      bytes.write("WEBPVP8X", 8, "latin1");
      bytes.writeUInt32LE(10, 16);
      bytes.writeUIntLE(width - 1, 24, 3);
      bytes.writeUIntLE(height - 1, 27, 3);
      return bytes;
    };
    const tall = await editedFrame(extended(600, 800));
    expect(tall.height).toBeGreaterThan(tall.width);
    const wide = await editedFrame(extended(800, 600));
    expect(wide.width).toBeGreaterThan(wide.height);
  });

  it("a JPEG whose frame header comes after segments longer than the bytes kept of an upload's start", async () => {
    const filler = segment(0xe2, Buffer.alloc(20_000, 1));
    const { width, height } = await editedFrame(withSegments(picture(18, 32, "jpeg"), filler, filler));
    expect(height).toBeGreaterThan(width);
  });

  it("a landscape-stored JPEG that its EXIF orientation turns a quarter (as phones store portrait photos)", async () => {
    const stored = picture(32, 18, "jpeg");
    for (const orientation of [5, 6, 7, 8]) {
      const { width, height } = await editedFrame(
        withSegments(stored, exif(orientation), segment(0xe2, Buffer.alloc(8_000))),
      );
      expect(height, `orientation ${orientation}`).toBeGreaterThan(width);
    }
    for (const orientation of [1, 3]) {
      const { width, height } = await editedFrame(withSegments(stored, exif(orientation)));
      expect(width, `orientation ${orientation}`).toBeGreaterThan(height);
    }
  });

  it("a JPEG's EXIF orientation, its TIFF big- or little-endian, after an XMP segment or a JFIF one or both", async () => {
    const jpeg = ffmpegJpeg();
    const stored = picture(32, 18, "jpeg");
    for (const order of ["MM", "II"] as const) {
      const layouts = (orientation: number) => ({
        exif: withSegments(stored, exif(orientation, order)),
        "xmp, exif": withSegments(stored, xmp(100), exif(orientation, order)),
        "long xmp, exif": withSegments(stored, xmp(6000), exif(orientation, order)),
        "jfif, exif": afterJfif(jpeg, exif(orientation, order)),
        "jfif, xmp, exif": afterJfif(jpeg, xmp(100), exif(orientation, order)),
      });
      for (const [layout, data] of Object.entries(layouts(6))) {
        const { width, height } = await editedFrame(data);
        expect(height, `${order} ${layout}, orientation 6`).toBeGreaterThan(width);
      }
      for (const [layout, data] of Object.entries(layouts(1))) {
        const { width, height } = await editedFrame(data);
        expect(width, `${order} ${layout}, orientation 1`).toBeGreaterThan(height);
      }
    }
  });
});
