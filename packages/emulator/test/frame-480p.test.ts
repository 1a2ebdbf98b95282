/**
 * A `480p` result has the docs' 480p frame's aspect, 832×480 (480×832 in portrait), not 16:9: a video of
 * `lucy-pro-t2v` and an image of `lucy-pro-t2i`, over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import { form, get, pollUntil, post, probe, saveTemp, start, submit } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await start();
});
afterAll(() => emu.close());

/** Within 0.5% of `ratio` (the scaling's tolerance), and farther than that from 16:9. */
function aspectOf832x480(width: number, height: number, portrait = false) {
  const ratio = portrait ? height / width : width / height;
  expect(Math.abs(ratio / (832 / 480) - 1)).toBeLessThanOrEqual(0.005);
  expect(Math.abs(ratio / (16 / 9) - 1)).toBeGreaterThan(0.005);
}

describe("480p", () => {
  it("a video at 480p is 832x480's aspect, landscape and portrait", async () => {
    for (const orientation of ["landscape", "portrait"]) {
      const id = await submit(emu, "lucy-pro-t2v", { prompt: "A lake", resolution: "480p", orientation });
      await pollUntil(emu, id);
      const res = await get(emu, `/v1/jobs/${id}/content`);
      expect(res.status).toBe(200);
      const { width, height } = probe(saveTemp(Buffer.from(await res.arrayBuffer()), "mp4"));
      expect(Math.max(width, height)).toBeLessThanOrEqual(96);
      aspectOf832x480(width, height, orientation === "portrait");
    }
  });

  it("an image at 480p is 832x480's aspect", async () => {
    const res = await post(emu, "/v1/generate/lucy-pro-t2i", form({ prompt: "A lake", resolution: "480p" }));
    expect(res.status).toBe(200);
    const png = Buffer.from(await res.arrayBuffer());
    expect(png.toString("latin1", 12, 16)).toBe("IHDR");
    aspectOf832x480(png.readUInt32BE(16), png.readUInt32BE(20));
  });
});
