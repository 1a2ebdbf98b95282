import { catalogue } from "@decart/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import {
  expectCleanDecode,
  fakeMsUntil,
  form,
  modelsOfKind,
  post,
  probe,
  saveTemp,
  start,
  validInputs,
} from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await start();
});
afterAll(() => emu.close());

describe("process (synchronous images)", () => {
  it("answers a decodable PNG with the model's aspect ratio, and creates no job", async () => {
    const kept = emu.stats().jobsKept;
    const res = await post(emu, "/v1/generate/lucy-pro-t2i", form({ prompt: "a lighthouse", seed: "9" }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(Number(res.headers.get("content-length"))).toBe(bytes.length);
    expect(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    const path = saveTemp(bytes, "png");
    expectCleanDecode(path);
    const p = probe(path);
    expect(p.codec_name).toBe("png");
    expect(p.width / p.height).toBeCloseTo(catalogue["lucy-pro-t2i"].width / catalogue["lucy-pro-t2i"].height, 1);
    expect(emu.stats().jobsKept).toBe(kept);
  });

  it("answers every image model of the catalogue, and is deterministic", async () => {
    for (const model of modelsOfKind("image")) {
      const a = await post(emu, `/v1/generate/${model}`, form(await validInputs(model, "same picture")));
      const b = await post(emu, `/v1/generate/${model}`, form(await validInputs(model, "same picture")));
      expect(a.status, model).toBe(200);
      expect(Buffer.from(await a.arrayBuffer()).equals(Buffer.from(await b.arrayBuffer())), model).toBe(true);
    }
  });

  it("turns [fail: reason] into a 500 with that reason", async () => {
    const res = await post(emu, "/v1/generate/lucy-pro-t2i", form({ prompt: "[fail: no pixels left]" }));
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ detail: "no pixels left" });
  });
});

describe("deprecated synchronous video route", () => {
  it("answers the video with Deprecation and Warning headers", async () => {
    const res = await post(emu, "/v1/generate/lucy-pro-t2v", form({ prompt: "old style" }));
    expect(res.status).toBe(200);
    expect(res.headers.get("deprecation")).toBe("true");
    expect(res.headers.get("warning")).toMatch(/^299 - ".*\/v1\/jobs\/lucy-pro-t2v/);
    expect(res.headers.get("content-type")).toBe("video/mp4");
    const path = saveTemp(Buffer.from(await res.arrayBuffer()), "mp4");
    expectCleanDecode(path);
    expect(probe(path).codec_name).toBe("h264");
    expect(emu.stats().requests.byRoute.legacy).toBeGreaterThanOrEqual(1);
  });

  it("puts the deprecation headers on errors too", async () => {
    const res = await post(emu, "/v1/generate/lucy-pro-t2v", form({ colour: "x" }));
    expect(res.status).toBe(422);
    expect(res.headers.get("deprecation")).toBe("true");
  });

  it("waits for the whole job time before answering (the slow way)", async () => {
    const slow = await start({ timing: { pendingMs: 100, processingMs: 200 } });
    try {
      // The wait is counted in fake ms (its timer's), not on the wall clock: no answer before 300 of them.
      const { ms, value: res } = await fakeMsUntil(async () => {
        const res = await post(slow, "/v1/generate/lucy-pro-t2v", form({ prompt: "patience" }));
        await res.clone().arrayBuffer();
        return res;
      });
      expect(res.status).toBe(200);
      expect(ms).toBeGreaterThanOrEqual(300);
    } finally {
      await slow.close();
    }
  });
});
