import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDecartClient,
  type DecartClientOptions,
  InvalidResponseError,
  isMp4Start,
  models,
} from "../src/index.js";
import { nodeUpload, saveResult } from "../src/node.js";
import { silent } from "./helpers.js";

// A proxy's error page (or an error's JSON) answered 200 and labelled `application/octet-stream`, which says no type:
// not the video. The job's id names the body; each answer's Content-Length is its own.
const bodies: Record<string, Buffer> = {
  html: Buffer.from("\r\n  <html><body>502 Bad Gateway</body></html>\n"),
  json: Buffer.from('{"error":"upstream unavailable"}'),
  // Behind a UTF-8 byte order mark, in UTF-16LE behind its own, a JSON array.
  bom: Buffer.from("\uFEFF<html><body>502 Bad Gateway</body></html>"),
  utf16: Buffer.from("\uFEFF <html>502 Bad Gateway</html>", "utf16le"),
  array: Buffer.from('["error","bad gateway"]'),
  // An MP4 whose first box is 60 bytes long: its fourth byte is `<`, its first not.
  mp4: Buffer.concat([Buffer.from("0000003c6674797069736f6d", "hex"), Buffer.alloc(48, 1)]),
  // MP4s whose first box is an `mdat` of 1 GB, 540 MB, 176 MB (its size `<`, ` <`, `\n{`), and bytes A0 7B.
  mdat1: Buffer.concat([Buffer.from("3c0000006d646174", "hex"), Buffer.alloc(64, 1)]),
  mdat2: Buffer.concat([Buffer.from("203c00006d646174", "hex"), Buffer.alloc(64, 1)]),
  mdat3: Buffer.concat([Buffer.from("0a7b00006d646174", "hex"), Buffer.alloc(64, 1)]),
  nbsp: Buffer.from([0xa0, 0x7b, 1, 2, 3]),
  // Fragmented MP4 segments whose first box's size has `<`, `{` or `[` after NULs (a moof, a sidx, an emsg).
  moof: Buffer.concat([Buffer.from("0000203c6d6f6f66", "hex"), Buffer.alloc(64, 1)]),
  sidx: Buffer.concat([Buffer.from("00000a3c73696478", "hex"), Buffer.alloc(64, 1)]),
  emsg: Buffer.concat([Buffer.from("0000005b656d7367", "hex"), Buffer.alloc(64, 1)]),
};
const good = Buffer.concat([
  Buffer.from("000000186674797069736f6d0000020069736f6d69736f32", "hex"),
  Buffer.alloc(1000),
]);
// An image of `process` so labelled, whose first byte is `<`: its caller's to check, not refused as a page.
const image = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>');
let server: Server;
let url: string;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "octet-page-"));
  server = createServer((req, res) => {
    const id = req.url!.split("/")[3]!;
    if (req.method === "POST") {
      req.resume();
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": image.length });
      res.end(image);
      return;
    }
    if (!req.url!.endsWith("/content")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ job_id: id, status: "completed" }));
      return;
    }
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": bodies[id]!.length });
    res.end(bodies[id]);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const roads: Record<string, DecartClientOptions["upload"]> = { fetch: undefined, "nodeUpload()": nodeUpload() };
for (const [road, upload] of Object.entries(roads)) {
  // (Made once the server listens.)
  let client: ReturnType<typeof createDecartClient>;
  beforeAll(() => {
    client = createDecartClient({ apiKey: "k", baseUrl: url, logger: silent, maxRetries: 0, upload });
  });
  describe(`an HTML or JSON page labelled application/octet-stream is no result (${road})`, () => {
    for (const id of ["html", "json", "bom", "utf16", "array"]) {
      const page = expect.objectContaining({
        code: "INVALID_RESPONSE",
        jobId: id,
        retryable: true,
        message: expect.stringContaining("/content: an HTML or JSON page, not the media (HTTP 200"),
      });

      it(`queue.result (${id}): an InvalidResponseError, no Blob`, async () => {
        const error = await client.queue.result(id).catch((e) => e);
        expect(error).toBeInstanceOf(InvalidResponseError);
        expect(error).toEqual(page);
      });

      it(`queue.download (${id}): its stream errors at its first read, nothing handed on`, async () => {
        const { stream } = await client.queue.download(id);
        const reader = stream.getReader();
        await expect(reader.read()).rejects.toEqual(page);
      });

      it(`saveResult (${id}): refused, the file already there kept as it was`, async () => {
        const path = join(dir, `${road}-${id}.mp4`);
        await writeFile(path, good);
        await expect(saveResult(client, id, path, { maxRetries: 0 })).rejects.toEqual(page);
        expect((await readFile(path)).equals(good)).toBe(true);
      });
    }

    it("process: an image so labelled that begins with `<` is not page-checked", async () => {
      const blob = await client.process({ model: models.image("lucy-pro-t2i"), prompt: "a cat" });
      expect(Buffer.from(await blob.arrayBuffer()).equals(image)).toBe(true);
    });

    for (const id of ["mp4", "mdat1", "mdat2", "mdat3", "nbsp", "moof", "sidx", "emsg"]) {
      it(`${id}: an MP4 so labelled whose bytes hold a \`<\` or \`{\` (first too) is the result`, async () => {
        const blob = await client.queue.result(id);
        expect(Buffer.from(await blob.arrayBuffer()).equals(bodies[id]!)).toBe(true);
      });
    }
  });
}

describe("isMp4Start: the rule this check takes an MP4 by (and the decart CLI's check of a result)", () => {
  it("is true of the MP4s above, false of the pages, of other bytes and of fewer than 8 bytes", () => {
    for (const id of ["mp4", "mdat1", "mdat2", "mdat3", "moof", "sidx", "emsg"]) {
      // (A fragment's first box, moof, sidx or emsg, is none a whole file begins with: taken as no page, not as an MP4.)
      expect(isMp4Start(bodies[id]!), id).toBe(["mp4", "mdat1", "mdat2", "mdat3"].includes(id));
    }
    for (const id of ["html", "json", "bom", "utf16", "array", "nbsp"]) expect(isMp4Start(bodies[id]!), id).toBe(false);
    expect(isMp4Start(good)).toBe(true);
    expect(isMp4Start(good.subarray(0, 8))).toBe(true);
    expect(isMp4Start(good.subarray(0, 7))).toBe(false);
    expect(isMp4Start(new Uint8Array(0))).toBe(false);
    for (const box of ["styp", "free", "skip", "wide", "moov", "pnot", "uuid"]) {
      expect(isMp4Start(Buffer.from(`\0\0\0\x08${box}`, "latin1")), box).toBe(true);
    }
    expect(isMp4Start(Buffer.from("\0\0\0\x08FTYP", "latin1"))).toBe(false);
  });
});
