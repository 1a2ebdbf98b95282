import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import { blob, form, get, headers, jsonOf, multipart, post, raw, sampleMp4, samplePng, start } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await start();
});
afterAll(() => emu.close());

interface FileReference {
  id: string;
  filename: string | null;
  mime_type: string;
  size_bytes: number;
  created_at: string;
  expires_at: string | null;
}

async function upload(fields: Record<string, string | Uint8Array | Blob>): Promise<Response> {
  return post(emu, "/v1/files", form(fields));
}

describe("files", () => {
  it("stores an upload and answers a FileReference with the sniffed type and a 24 h expiry", async () => {
    const mp4 = await sampleMp4();
    const res = await upload({ file: blob(mp4, "application/octet-stream") });
    expect(res.status).toBe(200);
    const ref = (await res.json()) as FileReference;
    expect(ref.id).toMatch(/^file_[0-9a-f]{32}$/);
    expect(ref).toMatchObject({ filename: "blob", mime_type: "video/mp4", size_bytes: mp4.length });
    const ttl = Date.parse(ref.expires_at!) - Date.parse(ref.created_at);
    expect(ttl).toBe(86_400_000);

    const again = await get(emu, `/v1/files/${ref.id}`);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(ref);
  });

  it("sniffs a type beyond the images and videos it makes: an MP3 sent as octet-stream is audio/mpeg", async () => {
    // An ID3v2.4 tag of 10 bytes of padding, then one MPEG-1 Layer III frame header and silence.
    const mp3 = Uint8Array.from([
      ...[0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 10],
      ...new Array(10).fill(0),
      ...[0xff, 0xfb, 0x90, 0x64],
      ...new Array(400).fill(0),
    ]);
    const ref = (await (await upload({ file: blob(mp3, "application/octet-stream") })).json()) as FileReference;
    expect(ref).toMatchObject({ mime_type: "audio/mpeg", size_bytes: mp3.length });
  });

  it("honours ttl_seconds, and persistent means no expiry", async () => {
    const short = (await (await upload({ file: samplePng(), ttl_seconds: "120" })).json()) as FileReference;
    expect(Date.parse(short.expires_at!) - Date.parse(short.created_at)).toBe(120_000);
    expect(short.mime_type).toBe("image/png");
    const forever = (await (await upload({ file: samplePng(), ttl_seconds: "persistent" })).json()) as FileReference;
    expect(forever.expires_at).toBeNull();
  });

  it("validates ttl_seconds against the spec's oneOf (integer 60..2592000 or 'persistent')", async () => {
    for (const [ttl, type] of [
      ["59", "greater_than_equal"],
      ["2592001", "less_than_equal"],
    ] as const) {
      const res = await upload({ file: samplePng(), ttl_seconds: ttl });
      expect(res.status).toBe(422);
      const { detail } = (await res.json()) as { detail: { loc: string[]; type: string }[] };
      // one complaint per member of the union, as pydantic reports it
      expect(detail).toMatchObject([
        { loc: ["body", "ttl_seconds"], type },
        { loc: ["body", "ttl_seconds"], type: "literal_error" },
      ]);
    }
    const word = await upload({ file: samplePng(), ttl_seconds: "forever" });
    expect(word.status).toBe(422);
  });

  it("requires the file part and refuses unknown fields", async () => {
    const res = await upload({ name: "x" });
    expect(res.status).toBe(422);
    const { detail } = (await res.json()) as { detail: { loc: string[]; type: string }[] };
    expect(detail.map((d) => [d.loc.join("."), d.type])).toEqual([
      ["body.file", "missing"],
      ["body.name", "extra_forbidden"],
    ]);
  });

  it("keeps a file name of up to 255 characters and a media type of up to 255 (RFC 6838), and refuses longer: 422", async () => {
    const png = Buffer.from(samplePng());
    const send = (filename: string, type = "application/octet-stream") =>
      raw(emu.url, {
        method: "POST",
        path: "/v1/files",
        headers: { "x-api-key": emu.apiKey, "content-type": "multipart/form-data; boundary=b0und" },
        body: multipart("b0und", [{ name: "file", value: png, filename, type }]),
      });
    // Characters, not bytes: 255 of U+1F600 (4 bytes, 2 UTF-16 units each) are a name that is kept.
    for (const filename of ["n".repeat(255), "\u{1F600}".repeat(255)]) {
      const ok = await send(filename);
      expect(ok.status).toBe(200);
      expect(jsonOf(ok).filename).toBe(filename);
    }
    const longName = await send("n".repeat(256));
    expect(longName.status).toBe(422);
    expect(jsonOf(longName).detail).toEqual([
      {
        type: "string_too_long",
        loc: ["body", "file", "filename"],
        msg: "String should have at most 255 characters",
        ctx: { max_length: 255 },
      },
    ]);
    // A header line over 4224 bytes is more than the server reads: 400, nothing kept.
    const longHead = await send("n".repeat(16_000));
    expect(longHead.status).toBe(400);
    expect(jsonOf(longHead)).toEqual({ detail: "There was an error parsing the body" });

    const bytes = Buffer.from("not media");
    const typed = (type: string) =>
      raw(emu.url, {
        method: "POST",
        path: "/v1/files",
        headers: { "x-api-key": emu.apiKey, "content-type": "multipart/form-data; boundary=b0und" },
        body: multipart("b0und", [{ name: "file", value: bytes, filename: "f", type }]),
      });
    const longest = `${"t".repeat(127)}/${"s".repeat(127)}`;
    const kept = await typed(longest);
    expect(kept.status).toBe(200);
    expect(jsonOf(kept).mime_type).toBe(longest);
    const longType = await typed(`application/${"s".repeat(244)}`);
    expect(longType.status).toBe(422);
    expect(jsonOf(longType).detail[0]).toMatchObject({
      type: "string_too_long",
      loc: ["body", "file", "content_type"],
      ctx: { max_length: 255 },
    });
  });

  it("deletes with 204 and then answers 404", async () => {
    const ref = (await (await upload({ file: samplePng() })).json()) as FileReference;
    const del = await fetch(`${emu.url}/v1/files/${ref.id}`, { method: "DELETE", headers: headers(emu) });
    expect(del.status).toBe(204);
    expect(await del.text()).toBe("");
    expect(del.headers.get("x-request-id")).toBeTruthy();
    const gone = await get(emu, `/v1/files/${ref.id}`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ detail: "File not found" });
    const again = await fetch(`${emu.url}/v1/files/${ref.id}`, { method: "DELETE", headers: headers(emu) });
    expect(again.status).toBe(404);
  });

  it("finds URL-encoded ids (the JS SDK encodes them)", async () => {
    const ref = (await (await upload({ file: samplePng() })).json()) as FileReference;
    const res = await get(emu, `/v1/files/${encodeURIComponent(ref.id)}`);
    expect(res.status).toBe(200);
  });
});
