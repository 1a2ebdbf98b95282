import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import { blob, form, post, sampleMp4, samplePng, start } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await start();
});
afterAll(() => emu.close());

const text = (s: string) => new TextEncoder().encode(s);

async function reported(bytes: Uint8Array, type: string): Promise<string> {
  const res = await post(emu, "/v1/files", form({ file: blob(bytes, type) }));
  expect(res.status).toBe(200);
  return ((await res.json()) as { mime_type: string }).mime_type;
}

describe("files: a declared type is not replaced by a guess from a few bytes", () => {
  it("keeps the declared type of texts whose first bytes look like another format", async () => {
    const svg = text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>');
    expect(await reported(svg, "image/svg+xml")).toBe("image/svg+xml");
    expect(await reported(text("BMW sales 2026, by region\n"), "text/plain")).toBe("text/plain");
    expect(await reported(text("MZ,123\nAB,456\n"), "text/csv")).toBe("text/csv");
  });

  it("reads the type from the bytes when the declared one says nothing (application/octet-stream)", async () => {
    // file-type reads "BM" as a BMP; a text starting so is none (no BMP header follows).
    expect(await reported(text("BMW sales 2026, by region\n"), "application/octet-stream")).toBe(
      "application/octet-stream",
    );
    expect(await reported(text("plain words"), "application/octet-stream")).toBe("application/octet-stream");
  });

  it("still reports PNG, JPEG, WebP, GIF, MP4 and WebM from the bytes over a declared type it cannot read", async () => {
    expect(await reported(samplePng(), "text/plain")).toBe("image/png");
    expect(await reported(await sampleMp4(), "application/x-anything")).toBe("video/mp4");
  });
});
