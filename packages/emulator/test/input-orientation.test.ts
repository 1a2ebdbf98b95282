/**
 * A video edit's result follows its input's orientation, as the real API's does (the docs: 1280×720 or 720×1280): a
 * 9:16 clip given to `lucy-clip` or `lucy-2.1` comes back portrait, whether its `moov` box comes first or after its
 * media, and so does a landscape-stored clip whose track header turns it a quarter (as phones write portrait clips);
 * a 16:9 clip comes back landscape. Over HTTP.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import { renderVideo } from "../src/media/index.js";
import { blob, get, pollUntil, probe, sampleMp4, saveTemp, start, submit } from "./helpers.js";

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
