/**
 * File parts and text parts of a multipart body as the server tells them apart (Starlette: a part is a file exactly
 * when its Content-Disposition has a `filename` parameter, an empty one too), and a file's name as it reads it.
 * Bodies written by hand, over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import type { RawResponse } from "./helpers.js";
import { jsonOf, raw, sampleMp4, samplePng, start } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await start();
});
afterAll(() => emu.close());

const B = "pArT5";

/** One part: `disposition` is what follows `form-data; name="…"` (such as `; filename=""`), as bytes. */
interface Part {
  name: string;
  disposition?: string | Buffer;
  type?: string;
  value: string | Uint8Array;
}

function body(parts: Part[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(
      Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="${p.name}"`),
      Buffer.isBuffer(p.disposition) ? p.disposition : Buffer.from(p.disposition ?? ""),
      Buffer.from(`\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ""}\r\n`),
      Buffer.from(p.value),
      Buffer.from("\r\n"),
    );
  }
  chunks.push(Buffer.from(`--${B}--\r\n`));
  return Buffer.concat(chunks);
}

function send(path: string, parts: Part[] | Buffer, contentType = `multipart/form-data; boundary=${B}`) {
  return raw(emu.url, {
    method: "POST",
    path,
    headers: { "x-api-key": emu.apiKey, "content-type": contentType },
    body: Buffer.isBuffer(parts) ? parts : body(parts),
  });
}

const brief = (detail: { loc: string[]; type: string }[]) => detail.map((d) => [d.loc.join("."), d.type]);

describe("multipart parts: a file exactly when the part has a filename parameter", () => {
  it('takes a part with filename="" for a file: a prompt sent so is not a string (422), data sent so is the file', async () => {
    const mp4 = await sampleMp4();
    const promptAsFile = await send("/v1/jobs/lucy-clip", [
      { name: "prompt", disposition: '; filename=""', value: "a prompt" },
      { name: "data", disposition: '; filename="clip.mp4"', type: "video/mp4", value: mp4 },
    ]);
    expect(promptAsFile.status).toBe(422);
    expect(brief(jsonOf(promptAsFile).detail)).toEqual([["body.prompt", "string_type"]]);

    const dataAsFile = await send("/v1/jobs/lucy-clip", [
      { name: "prompt", value: "a prompt" },
      { name: "data", disposition: '; filename=""', type: "video/mp4", value: mp4 },
    ]);
    expect(dataAsFile.status).toBe(200);
    expect(jsonOf(dataAsFile)).toMatchObject({ status: "pending" });
  });

  it('keeps the empty name of a file sent with filename="" in its FileReference, and all its bytes', async () => {
    const png = samplePng();
    const res = await send("/v1/files", [{ name: "file", disposition: '; filename=""', value: png }]);
    expect(res.status).toBe(200);
    expect(jsonOf(res)).toMatchObject({ filename: "", mime_type: "image/png", size_bytes: png.length });

    // Larger than a text part may be (1 MiB): read as a file, not cut as text.
    const big = Buffer.concat([Buffer.from(png), Buffer.alloc(1024 * 1024 + 10, 0x41)]);
    const large = await send("/v1/files", [{ name: "file", disposition: '; filename=""', value: big }]);
    expect(large.status).toBe(200);
    expect(jsonOf(large)).toMatchObject({ filename: "", mime_type: "image/png", size_bytes: big.length });
  });

  it('takes a part with a bare filename (no =) for a file named "", as python-multipart reads it', async () => {
    const promptAsFile = await send("/v1/jobs/lucy-pro-t2v", [
      { name: "prompt", disposition: "; filename", value: "a" },
    ]);
    expect(promptAsFile.status).toBe(422);
    expect(brief(jsonOf(promptAsFile).detail)).toEqual([["body.prompt", "string_type"]]);

    const png = samplePng();
    const res = await send("/v1/files", [{ name: "file", disposition: "; filename", value: png }]);
    expect(res.status).toBe(200);
    expect(jsonOf(res)).toMatchObject({ filename: "", mime_type: "image/png", size_bytes: png.length });
  });

  it("takes an application/octet-stream part without a filename for text", async () => {
    const mp4 = await sampleMp4();
    const promptAsBytes = await send("/v1/jobs/lucy-clip", [
      { name: "prompt", type: "application/octet-stream", value: "a prompt" },
      { name: "data", disposition: '; filename="clip.mp4"', type: "video/mp4", value: mp4 },
    ]);
    expect(promptAsBytes.status).toBe(200);

    const dataAsText = await send("/v1/jobs/lucy-clip", [
      { name: "prompt", value: "a prompt" },
      { name: "data", type: "application/octet-stream", value: "not a file" },
    ]);
    expect(dataAsText.status).toBe(422);
    expect(jsonOf(dataAsText).detail).toMatchObject([
      { loc: ["body", "data"], type: "value_error", input: "not a file" },
    ]);
  });

  it('reads a text part after a file part sent with filename="" as text', async () => {
    const res = await send("/v1/jobs/lucy-clip", [
      { name: "data", disposition: '; filename=""', type: "video/mp4", value: await sampleMp4() },
      { name: "prompt", type: "text/plain; charset=iso-8859-1", value: Buffer.from("caf\xe9", "latin1") },
    ]);
    expect(res.status).toBe(200);
  });
});

describe("multipart parts: a part's name as the server reads it", () => {
  it('takes a part with name="" for a field named "", unknown to the model: 422 extra_forbidden at ["body", ""]', async () => {
    const res = await send("/v1/jobs/lucy-pro-t2v", [
      { name: "prompt", value: "a prompt" },
      { name: "", value: "stray" },
    ]);
    expect(res.status).toBe(422);
    expect(jsonOf(res).detail).toEqual([
      { type: "extra_forbidden", loc: ["body", ""], msg: "Extra inputs are not permitted", input: "stray" },
    ]);
    // A file so named too.
    const file = await send("/v1/files", [
      { name: "file", disposition: '; filename="a.png"', value: samplePng() },
      { name: "", disposition: '; filename="b.png"', value: samplePng() },
    ]);
    expect(file.status).toBe(422);
    expect(brief(jsonOf(file).detail)).toEqual([["body.", "extra_forbidden"]]);
  });
});

describe("multipart parts: the Content-Disposition a part must have", () => {
  const NO_NAME = { detail: 'The Content-Disposition header field "name" must be provided.' };
  const partOf = (head: string) => Buffer.from(`--${B}\r\n${head}\r\n\r\nhi\r\n`);
  const sendRaw = (...chunks: Buffer[]) =>
    send("/v1/jobs/lucy-pro-t2v", Buffer.concat([...chunks, Buffer.from(`--${B}--\r\n`)]));
  const prompt = partOf('Content-Disposition: form-data; name="prompt"');

  it("refuses a part without Content-Disposition, or without a name in it, as Starlette does (400, no job)", async () => {
    const created = emu.stats().jobsCreated;
    for (const head of [
      "Content-Type: text/plain",
      "Content-Disposition: form-data",
      'Content-Disposition: form-data; filename="a.png"',
    ]) {
      const res = await sendRaw(prompt, partOf(head));
      expect(res.status, head).toBe(400);
      expect(jsonOf(res), head).toEqual(NO_NAME);
    }
    expect(emu.stats().jobsCreated).toBe(created);
  });

  it("refuses a part with no header line at all as one without a name (400, no job)", async () => {
    const created = emu.stats().jobsCreated;
    const res = await sendRaw(prompt, Buffer.from(`--${B}\r\n\r\nhi\r\n`));
    expect(res.status).toBe(400);
    expect(jsonOf(res)).toEqual(NO_NAME);
    expect(emu.stats().jobsCreated).toBe(created);
  });

  it("reads a Content-Disposition of any type, and the last of two", async () => {
    expect((await sendRaw(partOf('Content-Disposition: attachment; name="prompt"'))).status).toBe(200);
    const two = await sendRaw(
      partOf('Content-Disposition: form-data; name="prompt"\r\nContent-Disposition: form-data; name="colour"'),
    );
    expect(two.status).toBe(422);
    expect(brief(jsonOf(two).detail)).toEqual([
      ["body.prompt", "missing"],
      ["body.colour", "extra_forbidden"],
    ]);
  });
});

describe("multipart bodies: what may come before the first boundary, as python-multipart reads it", () => {
  const prompt = body([{ name: "prompt", value: "a prompt" }]);
  const sendAfter = (before: string) =>
    send("/v1/jobs/lucy-pro-t2v", Buffer.concat([Buffer.from(before, "latin1"), prompt]));
  const PARSE_ERROR = { detail: "There was an error parsing the body" };

  it("takes CR and LF bytes, and what follows them up to the first '-', before the first boundary", async () => {
    for (const before of ["", "\r\n", "\r\n\r\n", "\r\npreamble\r\n", "\n", "\r", "\nabc", "\r\r\n"]) {
      expect((await sendAfter(before)).status, JSON.stringify(before)).toBe(200);
    }
  });

  it("takes anything after the closing boundary, and refuses a body of LF-only lines (400)", async () => {
    const epilogue = Buffer.concat([prompt, Buffer.from("an epilogue\r\n--not a boundary\r\n")]);
    expect((await send("/v1/jobs/lucy-pro-t2v", epilogue)).status).toBe(200);
    const lf = await send("/v1/jobs/lucy-pro-t2v", Buffer.from(prompt.toString().replaceAll("\r\n", "\n")));
    expect(lf.status).toBe(400);
    expect(jsonOf(lf)).toEqual(PARSE_ERROR);
  });

  it("refuses anything else there (400), where busboy skipped it", async () => {
    const created = emu.stats().jobsCreated;
    for (const before of ["preamble\r\n", "\r\npre-amble\r\n", `--${B}x\r\n`, `--${B}\n`, " "]) {
      const res = await sendAfter(before);
      expect(res.status, JSON.stringify(before)).toBe(400);
      expect(jsonOf(res)).toEqual(PARSE_ERROR);
    }
    expect(emu.stats().jobsCreated).toBe(created);
  });
});

describe("multipart bodies that end before their closing boundary, read as python-multipart reads them", () => {
  const partOf = (name: string, value: string | Uint8Array, disposition = "") =>
    Buffer.concat([
      Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="${name}"${disposition}\r\n\r\n`),
      Buffer.from(value),
      Buffer.from("\r\n"),
    ]);
  const issuesOf = (res: RawResponse) => {
    expect(res.status).toBe(422);
    return brief(jsonOf(res).detail);
  };

  it("keeps the parts the body holds in full and drops the one it cuts", async () => {
    const created = emu.stats().jobsCreated;
    // Cut in the only part, or just after it: it ends at a boundary followed by CRLF or "--", never before.
    for (const end of ["", `--${B}`, `--${B}\r`, `--${B}-`]) {
      const res = await send("/v1/jobs/lucy-pro-t2v", Buffer.concat([partOf("prompt", "a prompt"), Buffer.from(end)]));
      expect(issuesOf(res), JSON.stringify(end)).toEqual([["body.prompt", "missing"]]);
    }
    // An empty body: no part.
    expect(issuesOf(await send("/v1/jobs/lucy-pro-t2v", Buffer.alloc(0)))).toEqual([["body.prompt", "missing"]]);
    expect(emu.stats().jobsCreated).toBe(created);

    // The prompt in full, the seed cut: the server takes the prompt alone, and so makes the job.
    const seedCut = Buffer.concat([partOf("prompt", "a prompt"), partOf("seed", "12").subarray(0, -3)]);
    expect((await send("/v1/jobs/lucy-pro-t2v", seedCut)).status).toBe(200);
  });

  it("keeps a file the body holds in full, drops one it cuts", async () => {
    const png = samplePng();
    const fileThenCut = Buffer.concat([partOf("file", png, '; filename="a.png"'), partOf("ttl_seconds", "60")]);
    const kept = await send("/v1/files", fileThenCut.subarray(0, -4));
    expect(kept.status).toBe(200);
    expect(jsonOf(kept)).toMatchObject({ filename: "a.png", size_bytes: png.length });

    const fileCut = partOf("file", png, '; filename="a.png"').subarray(0, -10);
    expect(issuesOf(await send("/v1/files", fileCut))).toEqual([["body.file", "missing"]]);
  });

  it("refuses a body it cuts within a head or a text part already over the server's limits (400, no job)", async () => {
    const prompt = partOf("prompt", "a prompt");
    const cutAfter = async (rest: string | Buffer) =>
      send("/v1/jobs/lucy-pro-t2v", Buffer.concat([prompt, Buffer.from(`--${B}\r\n`), Buffer.from(rest)]));
    const created = emu.stats().jobsCreated;
    const PARSE_ERROR = { detail: "There was an error parsing the body" };
    // A head line of 4225 bytes, not ended.
    // A Content-Disposition line of `bytes` bytes (39 before the x's).
    const lineOf = (bytes: number) => `Content-Disposition: form-data; name="x${"x".repeat(bytes - 39)}`;
    const longLine = await cutAfter(lineOf(4225));
    expect(longLine.status).toBe(400);
    expect(jsonOf(longLine)).toEqual(PARSE_ERROR);
    // Nine head lines, and no blank line.
    const nineLines = await cutAfter(Array.from({ length: 9 }, (_, i) => `X-P${i}: ${i}\r\n`).join(""));
    expect(nineLines.status).toBe(400);
    expect(jsonOf(nineLines)).toEqual(PARSE_ERROR);
    // A text part of 2 MiB, and no boundary after it.
    const text = Buffer.concat([
      Buffer.from('Content-Disposition: form-data; name="colour"\r\n\r\n'),
      Buffer.alloc(2 * 1024 * 1024, 0x61),
    ]);
    const longText = await cutAfter(text);
    expect(longText.status).toBe(400);
    expect(jsonOf(longText)).toEqual({ detail: "Part exceeded maximum size of 1024KB." });
    expect(emu.stats().jobsCreated).toBe(created);

    // Within the limits, the cut part is dropped and the prompt makes the job.
    expect((await cutAfter(lineOf(4224))).status).toBe(200);
    expect((await cutAfter(Array.from({ length: 8 }, (_, i) => `X-P${i}: ${i}\r\n`).join(""))).status).toBe(200);
    expect((await cutAfter(text.subarray(0, -(1024 * 1024)))).status).toBe(200);
  });

  it("drops a file part it cuts where a text part of the same name came before: the text is the value", async () => {
    const res = await send(
      "/v1/jobs/lucy-pro-t2v",
      Buffer.concat([partOf("prompt", "a prompt"), partOf("prompt", "file bytes", '; filename="a"').subarray(0, -6)]),
    );
    expect(res.status).toBe(200);
  });

  it("refuses a part without a name where the body cuts it too", async () => {
    const res = await send("/v1/jobs/lucy-pro-t2v", Buffer.from(`--${B}\r\nContent-Disposition: form-data\r\n\r\nhi`));
    expect(res.status).toBe(400);
  });
});

describe("multipart parts: a field sent more than once", () => {
  it("is read by its last part, a file after text or text after a file, as FastAPI reads a form", async () => {
    const mp4 = await sampleMp4();
    const textLast = await send("/v1/jobs/lucy-clip", [
      { name: "prompt", value: "a prompt" },
      { name: "data", disposition: '; filename="a.mp4"', value: mp4 },
      { name: "data", value: "not a file" },
    ]);
    expect(textLast.status).toBe(422);
    expect(brief(jsonOf(textLast).detail)).toEqual([["body.data", "value_error"]]);

    const fileLast = await send("/v1/jobs/lucy-clip", [
      { name: "prompt", value: "a prompt" },
      { name: "data", value: "not a file" },
      { name: "data", disposition: '; filename="a.mp4"', value: mp4 },
    ]);
    expect(fileLast.status).toBe(200);

    // An unknown field: named once, with its last value.
    const extras = await send("/v1/jobs/lucy-pro-t2v", [
      { name: "colour", value: "red" },
      { name: "prompt", value: "a prompt" },
      { name: "colour", value: "blue" },
    ]);
    expect(jsonOf(extras).detail).toMatchObject([{ loc: ["body", "colour"], type: "extra_forbidden", input: "blue" }]);
  });
});

describe("multipart text parts: at most 1 MiB, as Starlette's max_part_size", () => {
  it("takes a text part of 1 MiB and refuses a longer one with the server's 400", async () => {
    const MiB = 1024 * 1024;
    // An unknown field: the server reads all of it and echoes it; a prompt of 1 MiB is over its own maxLength.
    const full = await send("/v1/jobs/lucy-pro-t2v", [
      { name: "prompt", value: "a prompt" },
      { name: "colour", value: "c".repeat(MiB) },
    ]);
    expect(full.status).toBe(422);
    expect(brief(jsonOf(full).detail)).toEqual([["body.colour", "extra_forbidden"]]);

    const created = emu.stats().jobsCreated;
    const over = await send("/v1/jobs/lucy-pro-t2v", [{ name: "prompt", value: "p".repeat(MiB + 1) }]);
    expect(over.status).toBe(400);
    expect(jsonOf(over)).toEqual({ detail: "Part exceeded maximum size of 1024KB." });
    expect(emu.stats().jobsCreated).toBe(created);
  });
});

describe("a form body's Content-Type, as Starlette reads it", () => {
  const prompt = body([{ name: "prompt", value: "a prompt" }]);

  it("takes the type in any case alone, in lowercase before parameters (else the form is empty: 422 missing)", async () => {
    expect((await send("/v1/jobs/lucy-pro-t2v", prompt, `multipart/form-data ; boundary=${B}`)).status).toBe(200);
    const mixed = await send("/v1/jobs/lucy-pro-t2v", prompt, `Multipart/Form-Data; boundary=${B}`);
    expect(mixed.status).toBe(422);
    expect(brief(jsonOf(mixed).detail)).toEqual([["body.prompt", "missing"]]);
    const bare = await send("/v1/jobs/lucy-pro-t2v", prompt, "MULTIPART/FORM-DATA");
    expect(bare.status).toBe(400);
    expect(jsonOf(bare)).toEqual({ detail: "Missing boundary in multipart." });
    const urlencoded = await send(
      "/v1/jobs/lucy-pro-t2v",
      Buffer.from("prompt=a"),
      "Application/X-WWW-Form-Urlencoded",
    );
    expect(urlencoded.status).toBe(200);
    const withCharset = "Application/X-WWW-Form-Urlencoded; charset=utf-8";
    expect((await send("/v1/jobs/lucy-pro-t2v", Buffer.from("prompt=a"), withCharset)).status).toBe(422);
  });

  it("reads the boundary as python-multipart does: quoted or not, the last of two, at most 256 characters", async () => {
    const named = (b: string) =>
      body([{ name: "prompt", value: "a prompt" }])
        .toString()
        .replaceAll(B, b);
    const ok = async (b: string, header: string) =>
      (await send("/v1/jobs/lucy-pro-t2v", Buffer.from(named(b)), `multipart/form-data; ${header}`)).status;
    expect(await ok("q b", 'boundary="q b"')).toBe(200);
    expect(await ok("second", "boundary=first; boundary=second")).toBe(200);
    expect(await ok("x".repeat(256), `boundary=${"x".repeat(256)}`)).toBe(200);
    const long = await send(
      "/v1/jobs/lucy-pro-t2v",
      Buffer.from(named("x".repeat(257))),
      `multipart/form-data; boundary=${"x".repeat(257)}`,
    );
    expect(long.status).toBe(400);
    expect(jsonOf(long)).toEqual({ detail: "There was an error parsing the body" });
  });

  it("looks for the boundary's bytes as sent, a byte over 0x7F or a character no token takes too", async () => {
    // The header's bytes and the body's, one character a byte: é as one byte (latin-1) and as two (UTF-8).
    const sent = async (b: string) => {
      const bytes = Buffer.from(
        `--${b}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nhi\r\n--${b}--\r\n`,
        "latin1",
      );
      return (await send("/v1/jobs/lucy-pro-t2v", bytes, `multipart/form-data; boundary=${b}`)).status;
    };
    expect(await sent("b\xe9")).toBe(200);
    expect(await sent("b\xc3\xa9")).toBe(200);
    expect(await sent("a@b")).toBe(200);
  });
});

describe("multipart part heads: at most 8 header lines of at most 4224 bytes, as python-multipart reads them", () => {
  const withHeads = (heads: string[]) =>
    Buffer.from(
      `--${B}\r\nContent-Disposition: form-data; name="prompt"\r\n${heads.map((h) => `${h}\r\n`).join("")}\r\nhi\r\n--${B}--\r\n`,
    );
  const statusOf = async (heads: string[]) => (await send("/v1/jobs/lucy-pro-t2v", withHeads(heads))).status;

  it("reads a part of 8 header lines, refuses one of 9 (400)", async () => {
    const pads = (n: number) => Array.from({ length: n }, (_, i) => `X-Pad-${i}: ${i}`);
    expect(await statusOf(pads(7))).toBe(200);
    const nine = await send("/v1/jobs/lucy-pro-t2v", withHeads(pads(8)));
    expect(nine.status).toBe(400);
    expect(jsonOf(nine)).toEqual({ detail: "There was an error parsing the body" });
  });

  it("refuses parts whose Content-Disposition is over 4224 bytes of parameters (400, no job)", async () => {
    const created = emu.stats().jobsCreated;
    const head = `--${B}\r\nContent-Disposition: form-data; name="prompt"${";".repeat(16000)}\r\n\r\nx\r\n`;
    const res = await send("/v1/jobs/lucy-pro-t2v", Buffer.from(`${head.repeat(20)}--${B}--\r\n`));
    expect(res.status).toBe(400);
    expect(jsonOf(res)).toEqual({ detail: "There was an error parsing the body" });
    expect(emu.stats().jobsCreated).toBe(created);
  });

  it("reads a head of 8 lines of 4224 bytes (over 16 KiB in all)", async () => {
    expect(await statusOf(Array.from({ length: 7 }, (_, i) => `X-Pad-${i}: ${"v".repeat(4224 - 9)}`))).toBe(200);
  });

  it("reads a header line of 4224 bytes, refuses a longer one (400)", async () => {
    // "X-Pad: " is 7 bytes.
    expect(await statusOf([`X-Pad: ${"v".repeat(4224 - 7)}`])).toBe(200);
    expect(await statusOf([`X-Pad: ${"v".repeat(4225 - 7)}`])).toBe(400);
    // Every byte of the line counts: no space after the colon, or more than one.
    expect(await statusOf([`X-Pad:${"v".repeat(4224 - 6)}`])).toBe(200);
    expect(await statusOf([`X-Pad:${"v".repeat(4225 - 6)}`])).toBe(400);
    expect(await statusOf([`X-Pad:   ${"v".repeat(4224 - 9)}`])).toBe(200);
    expect(await statusOf([`X-Pad:   ${"v".repeat(4225 - 9)}`])).toBe(400);
  });
});

describe("multipart part heads: each line as python-multipart reads it", () => {
  const head = (lines: string) => Buffer.from(`--${B}\r\n${lines}\r\n\r\nhi\r\n--${B}--\r\n`, "latin1");

  it("refuses a line folded onto the one before (one starting with a space or a tab): 400", async () => {
    for (const fold of [" ", "\t"]) {
      const res = await send("/v1/jobs/lucy-pro-t2v", head(`Content-Disposition: form-data;\r\n${fold}name="prompt"`));
      expect(res.status).toBe(400);
      expect(jsonOf(res)).toEqual({ detail: "There was an error parsing the body" });
    }
    const padded = await send(
      "/v1/jobs/lucy-pro-t2v",
      head(`Content-Disposition: form-data; name="prompt"\r\nX-Pad: a\r\n b`),
    );
    expect(padded.status).toBe(400);
  });

  it("reads a value holding a control character or DEL (any byte but CR), as it was sent", async () => {
    for (const byte of ["\x7f", "\x01", "\x00", "\n", "\x1b"]) {
      const res = await send(
        "/v1/jobs/lucy-pro-t2v",
        head(`Content-Disposition: form-data; name="prompt"\r\nX-Note: a${byte}b`),
      );
      expect(res.status).toBe(200);
    }
    const file = await send("/v1/files", [
      { name: "file", disposition: Buffer.from('; filename="a\x7fb\x01.png"', "latin1"), value: samplePng() },
    ]);
    expect(file.status).toBe(200);
    expect(jsonOf(file).filename).toBe("a\x7fb\x01.png");
  });
});

describe("multipart text: in the charset of the whole body, as Starlette decodes it", () => {
  /** The text the server read for `seed` (echoed by int_parsing) and the names of the parts it took for extras. */
  const read = async (seed: Buffer, options: { type?: string; contentType?: string; extra?: Buffer } = {}) => {
    const parts: Part[] = [
      { name: "prompt", value: "a prompt" },
      { name: "seed", type: options.type, value: seed },
    ];
    const chunks = [body(parts).subarray(0, -`--${B}--\r\n`.length)];
    if (options.extra) {
      chunks.push(
        Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="`),
        options.extra,
        Buffer.from('"\r\n\r\nx\r\n'),
      );
    }
    chunks.push(Buffer.from(`--${B}--\r\n`));
    const res = await send("/v1/jobs/lucy-pro-t2v", Buffer.concat(chunks), options.contentType);
    expect(res.status).toBe(422);
    const detail = jsonOf(res).detail as { loc: string[]; type: string; input?: unknown }[];
    return {
      seed: detail.find((d) => d.loc[1] === "seed")?.input,
      extras: detail.filter((d) => d.type === "extra_forbidden").map((d) => d.loc[1]),
    };
  };
  const utf8 = (text: string) => Buffer.from(text, "utf8");
  const bytes = (text: string) => Buffer.from(text, "latin1");

  it("reads a part in UTF-8 whatever charset the part names for itself", async () => {
    expect((await read(utf8("café"), { type: "text/plain; charset=iso-8859-1" })).seed).toBe("café");
    expect((await read(bytes("caf\xe9"), { type: "text/plain; charset=iso-8859-1" })).seed).toBe("café");
    expect((await read(utf8("café"), { type: "text/plain; charset=bogus" })).seed).toBe("café");
  });

  it("reads bytes that are not UTF-8 one character a byte, never as an error", async () => {
    expect((await read(bytes("caf\xe9"))).seed).toBe("café");
    expect((await read(bytes("\xff\xfe"))).seed).toBe("ÿþ");
  });

  it("reads every part, and the names, in the charset the body's Content-Type names", async () => {
    const latin = `multipart/form-data; charset=iso-8859-1; boundary=${B}`;
    const sent = await read(utf8("café"), { contentType: latin, extra: bytes("caf\xe9") });
    expect(sent).toEqual({ seed: "cafÃ©", extras: ["café"] });
    // A charset Python does not know: one character a byte.
    const bogus = await read(utf8("café"), { contentType: `multipart/form-data; boundary=${B}; charset=bogus` });
    expect(bogus.seed).toBe("cafÃ©");
    // Python's names for UTF-8.
    expect((await read(utf8("café"), { contentType: `multipart/form-data; charset=UTF8; boundary=${B}` })).seed).toBe(
      "café",
    );
  });
  it("reads a charset by the names Python gives its codecs, and by no other", async () => {
    const as = async (charset: string, seed: Buffer) =>
      (await read(seed, { contentType: `multipart/form-data; boundary=${B}; charset=${charset}` })).seed;
    // Names Python knows that are no WHATWG label.
    expect(await as("mac-roman", bytes("caf\x8e"))).toBe("café");
    expect(await as("mac_cyrillic", bytes("\xe4\xe0"))).toBe("да");
    expect(await as("latin9", bytes("\xa4"))).toBe("€");
    expect(await as("Windows_1251", bytes("\xe4\xe0"))).toBe("да");
    expect(await as("u32", Buffer.from([0xff, 0xfe, 0, 0, 0x63, 0, 0, 0, 0xe9, 0, 0, 0]))).toBe("cé");
    expect(await as("UTF-32BE", Buffer.from([0, 0, 0, 0x63, 0, 0, 0, 0xe9]))).toBe("cé");
    expect(await as("sjis", Buffer.from([0x82, 0xa0]))).toBe("あ");
    // iso8859_9's bytes 0x80–0x9F are C1 controls, where WHATWG reads the name as windows-1254.
    expect(await as("iso-8859-9", bytes("\x80\xfd"))).toBe("\x80ı");
    // A byte a Windows code page leaves undefined: not text in it, so one character a byte.
    expect(await as("cp1250", bytes("\x81\xe9"))).toBe("\x81é");
    // WHATWG labels Python does not know: one character a byte.
    expect(await as("x-cp1252", bytes("\x80"))).toBe("\x80");
    expect(await as("unicode-1-1-utf-8", utf8("é"))).toBe("Ã©");
    // Nor a name Python's aliases do not write so (latin9, not latin_9).
    expect(await as("latin_9", bytes("\xa4"))).toBe("¤");
  });

  it("reads a Windows code page as Python's codec reads it, a byte it leaves undefined as the whole value one character a byte", async () => {
    const as = async (charset: string, seed: Buffer) =>
      (await read(seed, { contentType: `multipart/form-data; boundary=${B}; charset=${charset}` })).seed;
    // cp1252's 0x80–0x9F, which Node's windows-1252 decoder reads as latin-1.
    for (const name of ["cp1252", "windows-1252", "1252"]) {
      expect(await as(name, bytes("\x93hi\x94 \x80 \x9f"))).toBe("“hi” € Ÿ");
    }
    // One of its five undefined bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D): the whole value latin-1.
    expect(await as("cp1252", bytes("\x93\x81\x94"))).toBe("\x93\x81\x94");
    expect(await as("cp1252", bytes("\x9d\x80"))).toBe("\x9d\x80");
    // Bytes Python's codec leaves undefined that Node's decoder reads as letters: cp1253's 0xAA, cp874's 0xDB.
    expect(await as("cp1253", bytes("\xe1\xaa"))).toBe("áª");
    expect(await as("cp1253", bytes("\xe1"))).toBe("α");
    expect(await as("cp874", bytes("\xa1\xdb"))).toBe("¡Û");
    expect(await as("cp874", bytes("\xa1"))).toBe("ก");
    // Names Python does not know (codecs.lookup raises LookupError): one character a byte.
    expect(await as("874", bytes("\xe9"))).toBe("é");
    expect(await as("65001", utf8("é"))).toBe("Ã©");
    expect(await as("cp65001", utf8("é"))).toBe("é");
  });

  it("reads the bytes 0x1A, 0x1C and 0x7F in shift_jis and cp866 as themselves, as Python's codecs do", async () => {
    const as = async (charset: string, seed: Buffer) =>
      (await read(seed, { contentType: `multipart/form-data; boundary=${B}; charset=${charset}` })).seed;
    for (const name of ["shift_jis", "cp932", "sjis"]) {
      expect(await as(name, Buffer.from([0x82, 0xa0, 0x7f, 0x1a, 0x1c]))).toBe("あ\x7f\x1a\x1c");
    }
    for (const name of ["cp866", "ibm866"]) {
      expect(await as(name, Buffer.from([0xa0, 0x7f, 0x1a, 0x1c]))).toBe("а\x7f\x1a\x1c");
    }
  });
});

describe("multipart parts: a file's name as the server reads it", () => {
  const named = async (disposition: string | Buffer) => {
    const res = await send("/v1/files", [{ name: "file", disposition, type: "image/png", value: samplePng() }]);
    expect(res.status).toBe(200);
    return jsonOf(res).filename as string;
  };

  it("keeps directories in a name as sent, / or \\ alike", async () => {
    expect(await named('; filename="a/b/c.mp4"')).toBe("a/b/c.mp4");
    expect(await named('; filename="../up.png"')).toBe("../up.png");
    expect(await named('; filename="dir\\sub\\c.png"')).toBe("dir\\sub\\c.png");
  });

  it("keeps a ';' within a quoted name, and a name ending in a backslash (sent unescaped, as browsers send it)", async () => {
    expect(await named('; filename="a;b.png"')).toBe("a;b.png");
    expect(await named('; filename="a;b.png"; x="1"')).toBe("a;b.png");
    expect(await named('; filename="photo\\"')).toBe("photo\\");
  });

  it("cuts a full Windows path (a drive or a share, as Internet Explorer sent it) to its last segment", async () => {
    expect(await named('; filename="C:\\Users\\me\\c.png"')).toBe("c.png");
    // In a quoted name, \\ is one backslash: the path is cut once unquoted, as the server reads it.
    expect(await named('; filename="\\\\\\\\server\\\\share\\\\c.png"')).toBe("c.png");
    expect(await named('; filename="\\\\server\\share\\c.png"')).toBe("\\server\\share\\c.png");
  });

  it("ignores the extended notation (filename*=, name*=) as python-multipart does, after RFC 7578", async () => {
    // Beside a plain filename: the plain one.
    expect(await named("; filename=\"plain.png\"; filename*=utf-8''fancy%C3%A9.png")).toBe("plain.png");
    expect(await named("; filename*=utf-8''fancy%C3%A9.png; filename=\"plain.png\"")).toBe("plain.png");
    // Alone: no filename, so the part is text, where the field takes a file.
    const alone = await send("/v1/files", [
      { name: "file", disposition: "; filename*=utf-8''fancy.png", type: "image/png", value: "bytes" },
    ]);
    expect(alone.status).toBe(422);
    expect(jsonOf(alone).detail).toMatchObject([{ loc: ["body", "file"], type: "value_error", input: "bytes" }]);
    // A part named only so has no name.
    const unnamed = await send(
      "/v1/jobs/lucy-pro-t2v",
      Buffer.from(`--${B}\r\nContent-Disposition: form-data; name*=utf-8''prompt\r\n\r\nhi\r\n--${B}--\r\n`),
    );
    expect(unnamed.status).toBe(400);
  });

  it("reads a name in UTF-8, and one whose bytes are not UTF-8 one character a byte", async () => {
    expect(await named(Buffer.from('; filename="café.png"', "utf8"))).toBe("café.png");
    expect(await named(Buffer.from('; filename="caf\xe9.png"', "latin1"))).toBe("café.png");
  });

  it("reads a name in the charset the body's Content-Type names", async () => {
    const res = await send(
      "/v1/files",
      [{ name: "file", disposition: Buffer.from('; filename="café.png"', "utf8"), value: samplePng() }],
      `multipart/form-data; boundary=${B}; charset=latin-1`,
    );
    expect(res.status).toBe(200);
    expect(jsonOf(res).filename).toBe("cafÃ©.png");
  });
});
