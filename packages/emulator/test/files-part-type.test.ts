/**
 * `/v1/files`, over HTTP: a file part without a Content-Type (a client that leaves it out, as React Native's FormData
 * did) is typed by its bytes, as one declared `application/octet-stream` is, not taken as RFC 7578's `text/plain`; and a
 * part that declares a type the emulator reads from bytes (PNG, JPEG, WebP, GIF, MP4, WebM, and the image formats
 * file-type reads: `image/bmp`) must be one, one rule for images and videos: bytes of another type, or of none (empty,
 * a text), are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import { jsonOf, multipart, raw, sampleMp4, samplePng, start } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await start();
});
afterAll(() => emu.close());

const B = "partTypeBoundary";

/** Uploads `value` as the file part, with the Content-Type `type` or none; the answer's status and JSON. */
async function upload(value: Buffer, type?: string): Promise<{ status: number; body: any }> {
  const res = await raw(emu.url, {
    method: "POST",
    path: "/v1/files",
    headers: { "x-api-key": emu.apiKey, "content-type": `multipart/form-data; boundary=${B}` },
    body: multipart(B, [{ name: "file", filename: "upload", value, ...(type !== undefined && { type }) }]),
  });
  return { status: res.status, body: jsonOf(res) };
}

/** A BMP of 2×1 pixels, 24 bits: the 14-byte file header, a BITMAPINFOHEADER (40 bytes), its 8 bytes of pixels. */
function bmp(): Buffer {
  const b = Buffer.alloc(62);
  b.write("BM", 0, "latin1");
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(2, 18);
  b.writeInt32LE(1, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  b.writeUInt32LE(8, 34);
  return b;
}

const bmwText = Buffer.from("BMW sales 2026, by region\n");

describe("a file part without a Content-Type is typed by its bytes", () => {
  it("a BMP is image/bmp (as with application/octet-stream), not text/plain", async () => {
    const none = await upload(bmp());
    expect(none.status).toBe(200);
    expect(none.body.mime_type).toBe("image/bmp");
    expect((await upload(bmp(), "application/octet-stream")).body.mime_type).toBe("image/bmp");
    expect((await upload(Buffer.from(samplePng()))).body.mime_type).toBe("image/png");
  });

  it("bytes no reading knows are application/octet-stream; a declared text/plain stays text/plain", async () => {
    expect((await upload(bmwText)).body.mime_type).toBe("application/octet-stream");
    expect((await upload(bmwText, "text/plain")).body.mime_type).toBe("text/plain");
  });
});

describe("a declared image format file-type reads must be what the bytes are", () => {
  it("a text starting BM declared image/bmp: 400 Invalid file type", async () => {
    const refused = await upload(bmwText, "image/bmp");
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toBe("Invalid file type: declared image/bmp, which its bytes are not.");
  });

  it("a BMP declared image/bmp (in any case) is taken as it", async () => {
    const taken = await upload(bmp(), "Image/BMP");
    expect(taken.status).toBe(200);
    expect(taken.body.mime_type).toBe("image/bmp");
  });
});

describe("one rule for every declared type the emulator reads from bytes, images and videos", () => {
  const refusedAs = (type: string) => ({
    status: 400,
    body: { detail: `Invalid file type: declared ${type}, which its bytes are not.` },
  });

  it("bytes of none (empty, a text, a cut PNG) declared an image or a video of the six: 400", async () => {
    const png = Buffer.from(samplePng());
    for (const type of ["image/png", "image/jpeg", "image/webp", "image/gif", "video/mp4", "video/webm"]) {
      for (const [what, bytes] of [
        ["empty", Buffer.alloc(0)],
        ["a text", Buffer.from("hello world")],
        ["a cut PNG", png.subarray(0, 4)],
      ] as const) {
        expect(await upload(bytes, type), `${what} declared ${type}`).toEqual(refusedAs(type));
      }
    }
  });

  it("bytes of another type of the six: 400, whichever way round", async () => {
    const mp4 = Buffer.from(await sampleMp4());
    const png = Buffer.from(samplePng());
    expect(await upload(mp4, "image/png")).toEqual(refusedAs("image/png"));
    expect(await upload(png, "video/mp4")).toEqual(refusedAs("video/mp4"));
    expect(await upload(png, "image/jpeg")).toEqual(refusedAs("image/jpeg"));
    expect(await upload(bmp(), "video/webm")).toEqual(refusedAs("video/webm"));
  });

  it("bytes that are what is declared: taken as it; a type it cannot read is kept, or the six's reported", async () => {
    const mp4 = Buffer.from(await sampleMp4());
    expect(await upload(mp4, "video/mp4")).toMatchObject({ status: 200, body: { mime_type: "video/mp4" } });
    expect(await upload(Buffer.from(samplePng()), "image/png")).toMatchObject({
      status: 200,
      body: { mime_type: "image/png" },
    });
    // Not a type the emulator reads: kept as declared, or the six's type when the bytes are one.
    expect(await upload(bmp(), "image/x-ms-bmp")).toMatchObject({ status: 200, body: { mime_type: "image/x-ms-bmp" } });
    expect(await upload(Buffer.from(samplePng()), "image/jpg")).toMatchObject({
      status: 200,
      body: { mime_type: "image/png" },
    });
  });

  it("a HEIC (an ftyp box, as an MP4 has) declared image/heic is taken as image/heic", async () => {
    const box = (type: string, payload: Buffer) => {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(8 + payload.length);
      head.write(type, 4, "latin1");
      return Buffer.concat([head, payload]);
    };
    const ftyp = box("ftyp", Buffer.concat([Buffer.from("heic"), Buffer.alloc(4), Buffer.from("mif1heic")]));
    const heic = Buffer.concat([ftyp, box("meta", Buffer.alloc(16))]);
    expect(await upload(heic, "image/heic")).toMatchObject({ status: 200, body: { mime_type: "image/heic" } });
  });
});
