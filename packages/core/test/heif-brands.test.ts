/**
 * The client and the emulator read an ISO BMFF file of no type (an `ftyp` box first) the same way: a video by its major
 * brand, or none. For each brand the emulator takes for no video (its `NO_VIDEO_BRANDS`: HEIF and AVIF images and
 * image sequences, M4A and Flash audio, Canon's raw photos), and for MP4 brands beside them, a file of that brand given
 * as bytes where an image goes is refused by the client as video/mp4 before any request exactly when the emulator
 * takes the same bytes, given where a video goes, for a video (over HTTP). A brand one of them adds alone fails here.
 */
import { NO_VIDEO_BRANDS } from "@decart/emulator/testing";
import { expect, it } from "vitest";
import { InvalidInputError, models } from "../src/index.js";
import { useEmulatorClient } from "./helpers.js";

const env = useEmulatorClient();

/** The first bytes of a file of `major` brand: its `ftyp` box (`isom` among its compatible brands), then a `free` box. */
const iso = (major: string): Uint8Array => {
  const bytes = Buffer.alloc(24 + 64);
  bytes.writeUInt32BE(24, 0);
  bytes.write(`ftyp${major}\0\0\0\0${major}isom`, 4, "latin1");
  bytes.writeUInt32BE(64, 24);
  bytes.write("free", 28, "latin1");
  return new Uint8Array(bytes);
};

/** MP4 brands (ISO, Apple's M4V, Adobe's F4V and protected F4P, 3GPP): videos to both. */
const MP4_BRANDS = ["isom", "mp42", "avc1", "M4V ", "F4V ", "F4P ", "3gp4"];

/** Whether the client takes `bytes` of no type for a video: refused where an image goes as video/mp4, nothing sent. */
async function clientTakesVideo(bytes: Uint8Array): Promise<boolean> {
  const before = env.emu.stats().requests.total;
  const error = await env.client.process({ model: models.image("lucy-pro-i2i"), prompt: "x", data: bytes }).then(
    () => undefined,
    (e) => e,
  );
  const refused = error instanceof InvalidInputError && error.field === "data" && /"video\/mp4"\)$/.test(error.message);
  return refused && env.emu.stats().requests.total === before;
}

/** Whether the emulator takes `bytes` of no type for a video: a video edit's data, its job started (else a 400). */
async function emulatorTakesVideo(bytes: Uint8Array): Promise<boolean> {
  const form = new FormData();
  form.append("prompt", "Make it snow");
  form.append("data", new Blob([bytes as Uint8Array<ArrayBuffer>]), "clip");
  const res = await fetch(`${env.emu.url}/v1/jobs/lucy-pro-v2v`, {
    method: "POST",
    headers: { "x-api-key": env.emu.apiKey },
    body: form,
  });
  const body = (await res.json()) as { job_id?: string; detail?: unknown };
  expect([200, 400], JSON.stringify(body)).toContain(res.status);
  return res.status === 200;
}

it("a file of no type, of a brand the emulator takes for no video, is none to the client either; an MP4 is one to both", async () => {
  expect(NO_VIDEO_BRANDS.length).toBeGreaterThan(0);
  const client: Record<string, boolean> = {};
  const emulator: Record<string, boolean> = {};
  for (const brand of [...NO_VIDEO_BRANDS, ...MP4_BRANDS]) {
    client[brand] = await clientTakesVideo(iso(brand));
    emulator[brand] = await emulatorTakesVideo(iso(brand));
  }
  // The emulator reads its list as it says, and its MP4 brands as videos (the probe tells both apart).
  expect(emulator).toEqual(Object.fromEntries(Object.keys(emulator).map((b) => [b, MP4_BRANDS.includes(b)])));
  expect(client).toEqual(emulator);
});
