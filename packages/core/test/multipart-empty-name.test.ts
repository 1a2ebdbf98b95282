/**
 * The form encoding for a `fetch` you give (`multipart`) writes a File's empty name as `filename=""`, as a browser's
 * form does (the HTML form encoding), not as Node's fetch (undici) does, leaving the parameter out: the API's server
 * (Starlette over python-multipart) takes a part for a file exactly when it has a `filename` parameter, so a part
 * without one is text, and a file input sent so is refused (422). The emulator reads parts as that server does.
 */
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { multipart } from "../src/inputs.js";
import { startFast } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const upload = (body: BodyInit, type?: string) =>
  fetch(`${emu.url}/v1/files`, {
    method: "POST",
    body,
    headers: { "x-api-key": emu.apiKey, ...(type && { "content-type": type }) },
  });

describe("multipart() of a File whose name is empty", () => {
  it('writes filename="", which the server takes as a file (a part without it is text, refused)', async () => {
    const form = new FormData();
    form.append("file", new File([png], "", { type: "image/png" }));
    const [blob, type] = multipart(form, "b");
    const text = new TextDecoder("latin1").decode(await blob.arrayBuffer());
    expect(text.split("\r\n").slice(0, 3)).toEqual([
      "--b",
      'Content-Disposition: form-data; name="file"; filename=""',
      "Content-Type: image/png",
    ]);
    const made = await upload(blob, type);
    expect(made.status).toBe(200);
    expect(await made.json()).toMatchObject({ filename: "", mime_type: "image/png", size_bytes: png.length });
    // The same part without its filename parameter (as Node's fetch writes a File whose name is empty, whatever the
    // runtime's fetch does): text, refused. What the encoding's filename="" keeps from happening.
    const bare = Buffer.from(text.replace('; filename=""', ""), "latin1");
    const refused = await upload(new Blob([bare]), type);
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ detail: [{ loc: ["body", "file"], msg: /Expected UploadFile/ }] });
  });
});
