/**
 * A file input of no type (bytes, a Blob without a type, one labelled `application/octet-stream`) that begins as a WebP
 * (`RIFF`, a size, `WEBP`) or a WebM (Matroska's `1A 45 DF A3`) is checked as one before anything is sent: a WebM where
 * an image goes, or a WebP where a video goes, is refused naming the field; each where it goes is sent as given.
 * Against the emulator, which counts what is sent.
 */
import { expect, it } from "vitest";
import { models } from "../src/index.js";
import { expectDataRefused, refusal, useEmulatorClient } from "./helpers.js";

const env = useEmulatorClient();

const WEBP = Uint8Array.from(Buffer.concat([Buffer.from("RIFF\x24\0\0\0WEBPVP8 ", "latin1"), Buffer.alloc(64)]));
const WEBM = Uint8Array.from(
  Buffer.concat([Buffer.from("1a45dfa39f4286810142f7810142f2810442f381084282847765626d", "hex"), Buffer.alloc(64)]),
);

const v2v = models.video("lucy-pro-v2v");
const i2i = models.image("lucy-pro-i2i");
it.each([
  ["WebM bytes", WEBM],
  ["a WebM Blob of no type", new Blob([WEBM])],
  ["a WebM Blob labelled application/octet-stream", new Blob([WEBM], { type: "application/octet-stream" })],
])("%s where an image goes: refused naming the field, nothing sent", async (_, data) => {
  await expectDataRefused(
    env.emu,
    () => env.client.process({ model: i2i, prompt: "x", data }),
    `Invalid input for lucy-pro-i2i: "data" must be of type image/png, image/jpeg, image/webp (got "video/webm")`,
  );
});

it("WebP bytes where a video goes: refused alike", async () => {
  await expectDataRefused(
    env.emu,
    () => env.client.queue.submit({ model: v2v, prompt: "edit", data: WEBP }),
    /"data" must be of type video\/mp4, video\/webm, video\/quicktime \(got "image\/webp"\)$/,
  );
});

it("WebM bytes where a video goes, and WebP bytes where an image goes, are sent", async () => {
  expect(await refusal(env.emu, () => env.client.queue.submit({ model: v2v, prompt: "edit", data: WEBM }))).toEqual([
    undefined,
    1,
  ]);
  expect(await refusal(env.emu, () => env.client.process({ model: i2i, prompt: "x", data: WEBP }))).toEqual([
    undefined,
    1,
  ]);
});
