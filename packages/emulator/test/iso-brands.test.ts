/**
 * An ISO base media file (an `ftyp` box) is a video by its brands only, over HTTP: an AVIF or HEIC photo and an M4A
 * (which lists `isom` among its compatible brands) are no video to a video field, are refused by an image field as
 * what they are, and are stored by `/v1/files` under their own type; MP4, QuickTime, 3GPP, M4V and a camera's own
 * major brand beside a compatible MP4 one stay videos.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import { NO_VIDEO_BRANDS } from "../src/testing.js";
import { blob, form, post, start } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await start();
});
afterAll(() => emu.close());

/** An `ftyp` box of `major` and `compatible` brands, then a `free` box of zeros (as the first bytes of a file). */
function ftyp(major: string, compatible: string[]): Uint8Array {
  const size = 16 + 4 * compatible.length;
  const head = Buffer.alloc(size + 64);
  head.writeUInt32BE(size, 0);
  head.write(`ftyp${major}`, 4, "latin1");
  head.writeUInt32BE(0x200, 12);
  for (const [i, brand] of compatible.entries()) head.write(brand, 16 + 4 * i, "latin1");
  head.writeUInt32BE(64, size);
  head.write("free", size + 4, "latin1");
  return new Uint8Array(head);
}

// The brands as ffmpeg and phones write them.
const AVIF = ftyp("avif", ["avif", "mif1", "miaf", "MA1A"]);
const HEIC = ftyp("heic", ["mif1", "heic"]);
const M4A = ftyp("M4A ", ["M4A ", "isom", "iso2"]);

async function stored(bytes: Uint8Array): Promise<string> {
  const res = await post(emu, "/v1/files", form({ file: blob(bytes) }));
  expect(res.status).toBe(200);
  return ((await res.json()) as { mime_type: string }).mime_type;
}

async function submitted(model: string, path: string, bytes: Uint8Array) {
  const res = await post(emu, `${path}/${model}`, form({ prompt: "Make it snow", data: blob(bytes) }));
  return { status: res.status, body: (await res.json()) as { detail?: unknown; job_id?: string } };
}

describe("ISO BMFF brands", () => {
  it("stores an AVIF, a HEIC and an M4A under their own types, not video/mp4", async () => {
    expect(await stored(AVIF)).toBe("image/avif");
    expect(await stored(HEIC)).toBe("image/heic");
    expect(await stored(M4A)).toBe("audio/x-m4a");
  });

  it("refuses an AVIF, a HEIC or an M4A as a video edit's data, naming what it is", async () => {
    for (const [bytes, type] of [
      [AVIF, "image/avif"],
      [HEIC, "image/heic"],
      [M4A, "audio/x-m4a"],
    ] as const) {
      const { status, body } = await submitted("lucy-clip", "/v1/jobs", bytes);
      expect(status).toBe(400);
      expect(body.detail).toBe(
        `Invalid file type for 'data': expected video/mp4, video/webm, video/quicktime; got ${type}.`,
      );
    }
  });

  it("refuses an AVIF as an image edit's data as an AVIF, not as a video", async () => {
    const { status, body } = await submitted("lucy-image-2", "/v1/generate", AVIF);
    expect(status).toBe(400);
    expect(body.detail).toBe(
      "Invalid file type for 'data': expected image/png, image/jpeg, image/webp; got image/avif.",
    );
  });

  it("takes MP4, QuickTime, 3GPP, M4V and a camera brand beside a compatible MP4 one as videos", async () => {
    const videos = [
      [ftyp("isom", ["isom", "iso2", "avc1", "mp41"]), "video/mp4"],
      [ftyp("mp42", ["mp42", "isom"]), "video/mp4"],
      [ftyp("3gp4", ["isom", "3gp4"]), "video/mp4"],
      [ftyp("M4V ", ["M4V ", "M4A ", "mp42", "isom"]), "video/mp4"],
      [ftyp("XAVC", ["XAVC", "mp42", "iso2"]), "video/mp4"],
      [ftyp("qt  ", ["qt  "]), "video/quicktime"],
    ] as const;
    for (const [bytes, type] of videos) {
      expect(await stored(bytes)).toBe(type);
      const { status, body } = await submitted("lucy-clip", "/v1/jobs", bytes);
      expect(status, JSON.stringify(body)).toBe(200);
      expect(body.job_id).toEqual(expect.any(String));
    }
  });
});

it("NO_VIDEO_BRANDS (@decart/emulator/testing) is read-only: a test that reads it cannot change what the emulator takes", async () => {
  expect(() => (NO_VIDEO_BRANDS as string[]).push("abcd")).toThrow(TypeError);
  expect(NO_VIDEO_BRANDS).not.toContain("abcd");
  const res = await post(emu, "/v1/files", form({ file: blob(ftyp("abcd", ["isom"])) }));
  expect(((await res.json()) as { mime_type: string }).mime_type).toBe("video/mp4");
});
