/**
 * `/v1/files`, over HTTP: a file part without a Content-Type (a client that leaves it out, as React Native's FormData
 * did) is typed by its bytes, as one declared `application/octet-stream` is, not taken as RFC 7578's `text/plain`; and a
 * part that declares an image format file-type reads (`image/bmp`) must be one: a text starting "BM" is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import { jsonOf, multipart, raw, samplePng, start } from "./helpers.js";

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
