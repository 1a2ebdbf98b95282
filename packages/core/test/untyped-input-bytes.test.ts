/**
 * A file input with no type of its own (bytes, a `Blob` without a type, one labelled `application/octet-stream`) is
 * checked by its first bytes before anything is sent: a PNG or a JPEG given where a video goes (an image for a video
 * model's `data`) is refused naming the field, as a Blob labelled `image/png` is; an MP4 there is taken, and sent as
 * given. A model that takes an image refuses MP4 bytes alike. With `validateInputs: false`, nothing is read. Against
 * the emulator, which counts what is sent.
 */
import { expect, it } from "vitest";
import { createDecartClient, models } from "../src/index.js";
import { expectDataRefused, refusal, silent, useEmulatorClient } from "./helpers.js";

const env = useEmulatorClient();

const PNG = Uint8Array.from(Buffer.concat([Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"), Buffer.alloc(64)]));
const JPEG = Uint8Array.from(Buffer.concat([Buffer.from("ffd8ffe000104a464946", "hex"), Buffer.alloc(64)]));
const MP4 = Uint8Array.from(
  Buffer.concat([Buffer.from("000000186674797069736f6d0000020069736f6d69736f32", "hex"), Buffer.alloc(64)]),
);

const v2v = models.video("lucy-pro-v2v");
it.each([
  ["PNG bytes", PNG, "image/png"],
  ["a JPEG Blob of no type", new Blob([JPEG]), "image/jpeg"],
  ["a PNG Blob labelled application/octet-stream", new Blob([PNG], { type: "application/octet-stream" }), "image/png"],
])("%s where a video goes: refused naming the field, nothing sent", async (_, data, got) => {
  await expectDataRefused(
    env.emu,
    () => env.client.queue.submit({ model: v2v, prompt: "edit", data }),
    `Invalid input for lucy-pro-v2v: "data" must be of type video/mp4, video/webm, video/quicktime (got "${got}")`,
  );
});

it("MP4 bytes where an image goes: refused alike", async () => {
  await expectDataRefused(
    env.emu,
    () => env.client.process({ model: models.image("lucy-pro-i2i"), prompt: "x", data: MP4 }),
    /"data" must be of type image\/png, image\/jpeg, image\/webp \(got "video\/mp4"\)$/,
  );
});

it("MP4 bytes where a video goes, and PNG bytes where an image goes, are sent", async () => {
  const job = await env.client.queue.submit({ model: v2v, prompt: "edit", data: MP4 });
  expect(job.job_id).toBeTruthy();
  const image = await env.client.process({ model: models.image("lucy-pro-i2i"), prompt: "x", data: PNG });
  expect(image.size).toBeGreaterThan(0);
});

it("validateInputs: false reads nothing: the server is left to judge", async () => {
  const client = createDecartClient({ apiKey: "k", baseUrl: env.emu.url, logger: silent, validateInputs: false });
  const [, sent] = await refusal(env.emu, () => client.queue.submit({ model: v2v, prompt: "edit", data: PNG }));
  expect(sent).toBe(1);
});

// An ISO file of an image's brand (HEIC, AVIF: `ftyp` then `heic`, `avif`, `mif1` …) begins as an MP4 does: it is no
// video, and is left to the rules a file of no type is held to (the server judges it), not refused as `video/mp4`.
const iso = (brand: string) =>
  Uint8Array.from(
    Buffer.concat([Buffer.from("00000018", "hex"), Buffer.from(`ftyp${brand}\0\0\0\0${brand}`), Buffer.alloc(64)]),
  );

it.each([
  ["AVIF bytes", iso("avif")],
  ["a HEIC File of no type", new File([iso("heic")], "IMG_0001.HEIC")],
  ["a HEIF Blob labelled application/octet-stream", new Blob([iso("mif1")], { type: "application/octet-stream" })],
  ["a HEIF Blob of brand miaf, of no type", new Blob([iso("miaf")])],
])("%s where an image goes: not taken for an MP4, sent", async (_, data) => {
  const [error, sent] = await refusal(env.emu, () =>
    env.client.process({ model: models.image("lucy-pro-i2i"), prompt: "x", data }),
  );
  expect(error?.message).not.toMatch(/video\/mp4/);
  expect(sent).toBe(1);
});
