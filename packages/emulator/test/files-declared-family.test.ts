/**
 * `/v1/files`, over HTTP: the declared-type rule (a type the emulator reads from bytes must be what the bytes are) takes
 * every file of the type it says: an MP4 that starts with a CMAF/DASH segment's `styp` box or with a `uuid` box (as
 * `@decart/core`'s `isMp4Start` takes one); an HEIF image sequence (major brand `msf1`, which file-type reads as
 * image/heif-sequence) declared image/heic-sequence, as a generic HEIF image is any of its family; any HEIF file, a
 * sequence or of a brand file-type names none of, declared image/heif; and `video/quicktime`
 * (a type the spec lists) is under the same rule: a text declared so is refused, a `.mov` is reported as declared.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import { jsonOf, multipart, raw, start } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await start();
});
afterAll(() => emu.close());

const B = "declaredFamilyBoundary";

/** Uploads `value` as the file part declared `type`; the answer's status and JSON. */
async function upload(value: Buffer, type: string): Promise<{ status: number; body: any }> {
  const res = await raw(emu.url, {
    method: "POST",
    path: "/v1/files",
    headers: { "x-api-key": emu.apiKey, "content-type": `multipart/form-data; boundary=${B}` },
    body: multipart(B, [{ name: "file", filename: "upload", value, type }]),
  });
  return { status: res.status, body: jsonOf(res) };
}

/** An ISO BMFF box: its size, its type, its body. */
const box = (type: string, body: Buffer = Buffer.alloc(8)): Buffer => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, "latin1");
  return Buffer.concat([head, body]);
};

/** A brands box (`ftyp` or `styp`): its major brand, a minor version of 0, its compatible brands. */
const brands = (type: string, major: string, ...compatible: string[]): Buffer =>
  box(type, Buffer.concat([Buffer.from(major, "latin1"), Buffer.alloc(4), Buffer.from(compatible.join(""), "latin1")]));

const notVideo = Buffer.from("hello, this is not a video");

describe("an MP4 declared video/mp4 is taken whatever box of an MP4's it starts with", () => {
  it("a CMAF/DASH segment (styp first) is video/mp4", async () => {
    const segment = Buffer.concat([brands("styp", "msdh", "msdh", "msix"), box("sidx", Buffer.alloc(24)), box("moof")]);
    expect(await upload(segment, "video/mp4")).toMatchObject({ status: 200, body: { mime_type: "video/mp4" } });
  });

  it("an MP4 with a uuid box before its ftyp is video/mp4", async () => {
    const mp4 = Buffer.concat([box("uuid", Buffer.alloc(24)), brands("ftyp", "isom", "isom", "mp41"), box("moov")]);
    expect(await upload(mp4, "video/mp4")).toMatchObject({ status: 200, body: { mime_type: "video/mp4" } });
  });

  it("a text declared video/mp4 is still refused", async () => {
    expect(await upload(notVideo, "video/mp4")).toMatchObject({
      status: 400,
      body: { detail: "Invalid file type: declared video/mp4, which its bytes are not." },
    });
  });
});

describe("an HEIF image sequence is any of its family", () => {
  it("major brand msf1 declared image/heic-sequence or image/heif-sequence is taken as declared", async () => {
    const sequence = Buffer.concat([brands("ftyp", "msf1", "msf1", "hevc"), box("meta", Buffer.alloc(16))]);
    for (const type of ["image/heic-sequence", "image/heif-sequence", "image/avif"])
      expect(await upload(sequence, type), type).toMatchObject({ status: 200, body: { mime_type: type } });
  });

  it("a HEIC sequence (hevc) is not a still image's type, nor a PNG one's", async () => {
    const hevc = Buffer.concat([brands("ftyp", "hevc", "msf1", "hevc"), box("meta", Buffer.alloc(16))]);
    expect((await upload(hevc, "image/heic-sequence")).status).toBe(200);
    for (const type of ["image/heic", "image/png"]) expect((await upload(hevc, type)).status, type).toBe(400);
  });
});

describe("a file of any HEIF brand declared image/heif is taken as image/heif", () => {
  it("an image sequence (msf1, a HEIC sequence's hevc) declared image/heif", async () => {
    for (const major of ["msf1", "hevc"]) {
      const sequence = Buffer.concat([brands("ftyp", major, "msf1", "hevc"), box("meta", Buffer.alloc(16))]);
      expect(await upload(sequence, "image/heif"), major).toMatchObject({
        status: 200,
        body: { mime_type: "image/heif" },
      });
    }
  });

  it("the HEIF brands file-type names none of (mif2, miaf, heim, heis, hevm, hevs): image/heif, and any of its family", async () => {
    for (const major of ["mif2", "miaf", "heim", "heis", "hevm", "hevs"]) {
      const heif = Buffer.concat([brands("ftyp", major, "mif1", major), box("meta", Buffer.alloc(16))]);
      for (const type of ["image/heif", "image/heic"])
        expect(await upload(heif, type), `${major} as ${type}`).toMatchObject({
          status: 200,
          body: { mime_type: type },
        });
      expect(await upload(heif, "application/octet-stream"), major).toMatchObject({
        status: 200,
        body: { mime_type: "image/heif" },
      });
      for (const type of ["image/png", "video/mp4"])
        expect((await upload(heif, type)).status, `${major} as ${type}`).toBe(400);
    }
  });
});

describe("video/quicktime is under the declared-type rule", () => {
  it("a text or an empty file declared video/quicktime is refused", async () => {
    for (const bytes of [notVideo, Buffer.alloc(0)])
      expect(await upload(bytes, "video/quicktime")).toMatchObject({
        status: 400,
        body: { detail: "Invalid file type: declared video/quicktime, which its bytes are not." },
      });
  });

  it("a .mov (ftyp qt, or moov first) declared video/quicktime is video/quicktime; an MP4 and a .mov are one kind", async () => {
    const mov = Buffer.concat([brands("ftyp", "qt  ", "qt  "), box("moov")]);
    const legacy = Buffer.concat([box("moov"), box("mdat")]);
    const mp4 = Buffer.concat([brands("ftyp", "isom", "isom", "mp41"), box("moov")]);
    for (const bytes of [mov, legacy, mp4])
      expect(await upload(bytes, "video/quicktime")).toMatchObject({
        status: 200,
        body: { mime_type: "video/quicktime" },
      });
    for (const bytes of [mov, legacy])
      expect(await upload(bytes, "video/mp4")).toMatchObject({ status: 200, body: { mime_type: "video/mp4" } });
  });
});
