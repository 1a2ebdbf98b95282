/**
 * A WebM is a video by its track list, over HTTP: one that holds sound alone (as a browser's MediaRecorder writes for a
 * microphone) is refused by a video field as audio/webm, naming the field, is refused by `/v1/files` declared
 * video/webm, and is stored as audio/webm; a WebM with a video track, with sound or without, stays a video.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import { sniffMediaType } from "../src/media/index.js";
import { blob, form, post, saveTemp, start } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await start({ timing: "fast" });
});
afterAll(() => emu.close());

/** A WebM of ffmpeg's test sources (`inputs`, each `-f lavfi -i <source>`), encoded with `codecs`. */
function webm(inputs: string[], codecs: string[], streamed = false): Uint8Array {
  const out = saveTemp(new Uint8Array(), "webm");
  const args = ["-nostdin", "-v", "error", "-y", ...inputs.flatMap((i) => ["-f", "lavfi", "-i", i]), ...codecs];
  // Written to a pipe, the segment has no size (as a live recording's): its end is unknown while the track list is read.
  const r = spawnSync("ffmpeg", streamed ? [...args, "-f", "webm", "pipe:"] : [...args, out]);
  expect(r.stderr.toString()).toBe("");
  return new Uint8Array(streamed ? r.stdout : readFileSync(out));
}

const SOUND = "sine=d=0.3";
const PICTURE = "testsrc=s=32x18:d=0.2:r=5";
const soundOnly = () => webm([SOUND], ["-c:a", "libopus"]);
const soundOnlyStreamed = () => webm([SOUND], ["-c:a", "libvorbis"], true);
const picture = () => webm([PICTURE], ["-c:v", "libvpx"]);
const pictureAndSound = () => webm([PICTURE, SOUND], ["-c:v", "libvpx", "-c:a", "libopus"]);

async function edit(bytes: Uint8Array) {
  const res = await post(emu, "/v1/jobs/lucy-clip", form({ prompt: "Make it snow", data: blob(bytes, "video/webm") }));
  return { status: res.status, body: (await res.json()) as { detail?: string; job_id?: string } };
}

async function upload(bytes: Uint8Array, type: string) {
  const res = await post(emu, "/v1/files", form({ file: blob(bytes, type) }));
  return { status: res.status, body: (await res.json()) as { detail?: string; mime_type?: string } };
}

describe("a WebM without a video track", () => {
  it("is refused as a video edit's data: 400 JSON naming the field, got audio/webm", async () => {
    for (const bytes of [soundOnly(), soundOnlyStreamed()]) {
      expect(await edit(bytes)).toEqual({
        status: 400,
        body: {
          detail: "Invalid file type for 'data': expected video/mp4, video/webm, video/quicktime; got audio/webm.",
        },
      });
    }
  });

  it("is refused by /v1/files declared video/webm, and stored as audio/webm declared nothing", async () => {
    expect(await upload(soundOnly(), "video/webm")).toEqual({
      status: 400,
      body: { detail: "Invalid file type: declared video/webm, which its bytes are not." },
    });
    expect(await upload(soundOnly(), "application/octet-stream")).toMatchObject({
      status: 200,
      body: { mime_type: "audio/webm" },
    });
  });
});

describe("a WebM with a video track", () => {
  it("is taken as a video edit's data and stored as video/webm, with sound or without", async () => {
    for (const bytes of [picture(), pictureAndSound()]) {
      const { status, body } = await edit(bytes);
      expect(status).toBe(200);
      expect(body.job_id).toMatch(/^job_/);
      expect(await upload(bytes, "video/webm")).toMatchObject({ status: 200, body: { mime_type: "video/webm" } });
    }
  });
});

describe("a WebM whose track list is not all in the bytes read", () => {
  /** An EBML element: its ID's bytes, its size (one byte), its body. */
  const el = (id: number[], ...body: Buffer[]) =>
    Buffer.concat([Buffer.from([...id, 0x80 | Buffer.concat(body).length]), ...body]);
  const track = (type: number) => el([0xae], el([0x83], Buffer.from([type])));
  const header = el([0x1a, 0x45, 0xdf, 0xa3], el([0x42, 0x82], Buffer.from("webm")));
  /** A segment of unknown size holding a track list of `types`. */
  const file = (...types: number[]) =>
    Buffer.concat([
      header,
      Buffer.from([0x18, 0x53, 0x80, 0x67, 0xff]),
      el([0x16, 0x54, 0xae, 0x6b], ...types.map(track)),
    ]);

  it("is taken for a video: the tracks not read may be one (its sound track read, its video track not)", () => {
    expect(sniffMediaType(file(2))).toBe("audio/webm");
    expect(sniffMediaType(file(2, 1))).toBe("video/webm");
    expect(sniffMediaType(file(2, 3))).toBe("video/webm");
    // Cut after the sound track's entry: the video track's is not read.
    const cut = file(2, 1);
    expect(sniffMediaType(cut.subarray(0, cut.length - track(1).length))).toBe("video/webm");
  });
});
