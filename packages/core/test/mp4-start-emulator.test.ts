/**
 * `isMp4Start` (the client's and the `decart` CLI's reading of a result's first box) and the emulator's `/v1/files`
 * agree on what an MP4 starts with: each sample below that `isMp4Start` takes, uploaded declared `video/mp4`, is taken
 * as one (200 `video/mp4`), and each it refuses is refused (400). A box one of them adds alone fails here.
 */
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, expect, it } from "vitest";
import { isMp4Start } from "../src/index.js";
import { startFast } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

/** An ISO BMFF box: its size, its type, its body. */
const box = (type: string, body: Buffer = Buffer.alloc(8)): Buffer => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, "latin1");
  return Buffer.concat([head, body]);
};
const ftyp = box("ftyp", Buffer.from("isom\0\0\0\0isommp41", "latin1"));

/** Files starting with every box an MP4 or QuickTime file may start with, and with others that no video does. */
const samples: Record<string, Buffer> = {
  ftyp: Buffer.concat([ftyp, box("moov")]),
  styp: Buffer.concat([box("styp", Buffer.from("msdh\0\0\0\0msdhmsix", "latin1")), box("sidx"), box("moof")]),
  uuid: Buffer.concat([box("uuid", Buffer.alloc(24)), ftyp, box("moov")]),
  ...Object.fromEntries(
    ["free", "skip", "wide", "moov", "mdat", "pnot"].map((type) => [type, Buffer.concat([box(type), box("mdat")])]),
  ),
  moof: Buffer.concat([box("moof"), box("mdat")]),
  meta: Buffer.concat([box("meta"), box("mdat")]),
  html: Buffer.from("<!doctype html><title>502</title>"),
  png: Buffer.from("89504e470d0a1a0a0000000d4948445200000001", "hex"),
};

it("a file the client takes for an MP4 by its first box is one the emulator takes declared video/mp4, and no other", async () => {
  for (const [name, bytes] of Object.entries(samples)) {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(bytes)], { type: "video/mp4" }), `${name}.mp4`);
    const res = await fetch(`${emu.url}/v1/files`, {
      method: "POST",
      headers: { "x-api-key": emu.apiKey },
      body: form,
    });
    const body = (await res.json()) as { mime_type?: string };
    expect({ name, mp4: res.status === 200 && body.mime_type === "video/mp4" }).toEqual({
      name,
      mp4: isMp4Start(bytes),
    });
  }
});
