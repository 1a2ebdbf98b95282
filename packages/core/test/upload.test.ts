import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { Emulator } from "@decart/emulator";
import busboy from "busboy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AbortError, DecartError, models, type UploadProgress } from "../src/index.js";
import { fileFromPath, nodeUpload } from "../src/node.js";
import { clientFor, firstN, startFast } from "./helpers.js";

/** Seeded bytes (mulberry32), so every run uploads the same file. */
function seededBytes(length: number, seed = 7): Buffer {
  const out = Buffer.alloc(length);
  let a = seed;
  for (let i = 0; i < length; i += 4) {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out.writeUInt32LE((t ^ (t >>> 14)) >>> 0, i);
  }
  return out;
}

const SIZE = 3 * 1024 * 1024 + 5; // several chunks, and not a multiple of any chunk size
const bytes = seededBytes(SIZE + 3).subarray(0, SIZE);
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

let emu: Emulator;
let dir: string;
let path: string;
beforeAll(async () => {
  emu = await startFast();
  dir = await mkdtemp(join(tmpdir(), "decart-upload-"));
  path = join(dir, "input.bin");
  await writeFile(path, bytes);
});
afterAll(async () => {
  await emu.close();
  await rm(dir, { recursive: true, force: true });
});

/** A server that reads multipart uploads and records, per request, its headers and each file part's SHA-256. */
async function recordingServer() {
  const seen: {
    headers: IncomingHttpHeaders;
    files: { name: string; filename: string; sha256: string; size: number }[];
  }[] = [];
  const server = createServer((req, res) => {
    const record = { headers: req.headers, files: [] as (typeof seen)[number]["files"] };
    seen.push(record);
    const bb = busboy({ headers: req.headers });
    bb.on("file", (name, stream, info) => {
      const hash = createHash("sha256");
      let size = 0;
      stream.on("data", (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
      });
      stream.on("end", () =>
        record.files.push({ name, filename: info.filename ?? "", sha256: hash.digest("hex"), size }),
      );
    });
    bb.on("close", () => {
      const file = record.files[0];
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id: "file_test",
          filename: file?.filename ?? null,
          mime_type: "application/octet-stream",
          size_bytes: file?.size ?? 0,
          created_at: new Date(0).toISOString(),
          expires_at: null,
        }),
      );
    });
    req.pipe(bb);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const sources = {
  "a file from disk (fileFromPath)": () => fileFromPath(path),
  "a Node stream (fs.createReadStream)": async () => createReadStream(path, { highWaterMark: 64 * 1024 }),
  "a web ReadableStream": async () => Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>,
};

describe("uploads through nodeUpload()", () => {
  it.each(Object.entries(sources))("%s arrives byte-identical", async (_name, open) => {
    const server = await recordingServer();
    try {
      const client = clientFor(emu, { baseUrl: server.url, upload: nodeUpload() });
      const stored = await client.files.upload(await open(), { ttlSeconds: 3600 });
      expect(stored.size_bytes).toBe(SIZE);
      expect(server.seen).toHaveLength(1);
      const [request] = server.seen;
      expect(request!.files).toEqual([expect.objectContaining({ name: "file", sha256: sha(bytes), size: SIZE })]);
      expect(request!.files[0]!.filename).toMatch(/^(input\.bin|blob)$/);
    } finally {
      await server.close();
    }
  });

  it("sends a Content-Length when every size is known, chunked transfer encoding when not", async () => {
    const server = await recordingServer();
    try {
      const client = clientFor(emu, { baseUrl: server.url, upload: nodeUpload() });
      await client.files.upload(await fileFromPath(path));
      await client.files.upload(createReadStream(path));
      const [disk, stream] = server.seen;
      expect(Number(disk!.headers["content-length"])).toBeGreaterThan(SIZE);
      expect(disk!.headers["transfer-encoding"]).toBeUndefined();
      expect(stream!.headers["content-length"]).toBeUndefined();
      expect(stream!.headers["transfer-encoding"]).toBe("chunked");
    } finally {
      await server.close();
    }
  });

  it.each(Object.entries(sources))("%s reaches the emulator's files API whole", async (_name, open) => {
    const client = clientFor(emu, { upload: nodeUpload() });
    const stored = await client.files.upload(await open());
    expect(stored.size_bytes).toBe(SIZE);
    expect((await client.files.get(stored.id)).size_bytes).toBe(SIZE);
  });

  it("submits a job whose video comes from a Node stream of unknown size (chunked)", async () => {
    const plain = clientFor(emu);
    const made = await plain.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "a clip to edit" });
    if (made.status !== "completed") throw new Error("could not render an input clip");
    const clip = join(dir, "clip.mp4");
    await writeFile(clip, Buffer.from(await made.data.arrayBuffer()));
    const client = clientFor(emu, { upload: nodeUpload() });
    const before = emu.stats().jobsCreated;
    const events: UploadProgress[] = [];
    const edit = await client.queue.submitAndPoll({
      model: models.video("lucy-clip"),
      prompt: "make it snow",
      data: createReadStream(clip),
      download: false,
      onUploadProgress: (p) => events.push(p),
    });
    expect(edit.status).toBe("completed");
    expect(emu.stats().jobsCreated).toBe(before + 1);
    expect(events.at(-1)).toEqual({ sentBytes: made.data.size, totalBytes: made.data.size });
  });

  it("process sends an image from a Node stream and reports its progress", async () => {
    const plain = clientFor(emu);
    const image = await plain.process({ model: models.image("lucy-pro-t2i"), prompt: "a frame to edit" });
    const png = join(dir, "frame.png");
    await writeFile(png, Buffer.from(await image.arrayBuffer()));
    const client = clientFor(emu, { upload: nodeUpload() });
    const events: UploadProgress[] = [];
    const edited = await client.process({
      model: models.image("lucy-image-2"),
      prompt: "make it night",
      data: createReadStream(png),
      onUploadProgress: (p) => events.push(p),
    });
    expect(edited.size).toBeGreaterThan(0);
    expect(events.at(-1)).toEqual({ sentBytes: image.size, totalBytes: image.size });
  });

  it("reports progress that only grows and ends at the total, known or not", async () => {
    const client = clientFor(emu, { upload: nodeUpload() });
    for (const source of [await fileFromPath(path), createReadStream(path)]) {
      const events: UploadProgress[] = [];
      await client.files.upload(source, { onUploadProgress: (p) => events.push(p) });
      expect(events.length).toBeGreaterThan(2);
      for (let i = 1; i < events.length; i++)
        expect(events[i]!.sentBytes).toBeGreaterThanOrEqual(events[i - 1]!.sentBytes);
      expect(events.at(-1)).toEqual({ sentBytes: SIZE, totalBytes: SIZE });
      if (source instanceof Blob) expect(events.every((e) => e.totalBytes === SIZE)).toBe(true);
    }
  });

  it("an onUploadProgress that throws ends the upload with CALLBACK_ERROR, not sent again (even with retrySubmit)", async () => {
    const client = clientFor(emu, { upload: nodeUpload(), retrySubmit: true });
    const oops = new Error("oops");
    let calls = 0;
    const before = emu.stats().requests.byRoute.files ?? 0;
    const error = await client.files
      .upload(await fileFromPath(path), {
        onUploadProgress: (p) => {
          calls++;
          if (p.sentBytes > 0) throw oops;
        },
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(DecartError);
    expect(error).toMatchObject({ code: "CALLBACK_ERROR", cause: oops, retryable: false });
    // Thrown partway: the server could take nothing.
    expect(error.mayExist).toBeUndefined();
    expect(calls).toBe(2);
    expect((emu.stats().requests.byRoute.files ?? 0) - before).toBeLessThanOrEqual(1);
  });

  it("an onUploadProgress that throws on its last call (the whole body sent) says a job (or file) may exist (mayExist)", async () => {
    const client = clientFor(emu, { upload: nodeUpload() });
    for (const source of [await fileFromPath(path), createReadStream(path)]) {
      const oops = new Error("oops");
      const events: UploadProgress[] = [];
      const error = await client.files
        .upload(source, {
          onUploadProgress: (p) => {
            events.push(p);
            if (p.sentBytes === p.totalBytes) throw oops;
          },
        })
        .catch((e) => e);
      expect(error).toBeInstanceOf(DecartError);
      expect(error).toMatchObject({ code: "CALLBACK_ERROR", cause: oops, retryable: false, mayExist: true });
      expect(error.message).toMatch(
        /a callback threw \(Error: oops\); the whole body was sent: a job \(or file\) may exist/,
      );
      // The last call was the only one at the total.
      expect(events.at(-1)).toEqual({ sentBytes: SIZE, totalBytes: SIZE });
      expect(events.filter((e) => e.sentBytes === e.totalBytes)).toHaveLength(1);
    }
  });

  it("stops an upload on abort with AbortError, and cancels the stream", async () => {
    const client = clientFor(emu, { upload: nodeUpload() });
    const controller = new AbortController();
    let cancel!: (reason: unknown) => void;
    const cancelled = new Promise((resolve) => {
      cancel = resolve;
    });
    // Endless: only an abort ends this upload.
    const endless = new ReadableStream<Uint8Array>({
      pull: (c) => c.enqueue(bytes.subarray(0, 64 * 1024)),
      cancel: () => cancel(true),
    });
    const error = await client.files
      .upload(endless, {
        signal: controller.signal,
        onUploadProgress: (p) => {
          if (p.sentBytes > 1024 * 1024) controller.abort();
        },
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(AbortError);
    // The source is cancelled (the test would time out otherwise).
    expect(await cancelled).toBe(true);
  });

  it("sends a file from disk again after a 429, and says why a stream cannot be", async () => {
    const limited = await startFast({
      faults: [{ route: "files", kind: "429", rate: 0.5, retryAfterSeconds: 0 }],
      random: firstN(1),
    });
    try {
      const client = clientFor(limited, { upload: nodeUpload() });
      expect((await client.files.upload(await fileFromPath(path))).size_bytes).toBe(SIZE);
      expect(limited.stats().requests.byRoute.files).toBe(2);
    } finally {
      await limited.close();
    }
    const again = await startFast({
      faults: [{ route: "files", kind: "429", rate: 0.5, retryAfterSeconds: 0 }],
      random: firstN(1),
    });
    try {
      const client = clientFor(again, { upload: nodeUpload() });
      const error = await client.files.upload(createReadStream(path)).catch((e) => e);
      expect(error).toBeInstanceOf(DecartError);
      expect(error.code).toBe("UPLOAD_NOT_REPEATABLE");
    } finally {
      await again.close();
    }
  });
});

describe("uploads through fetch (the main entry)", () => {
  it("collects a Node stream, and reports one progress event once the server has answered", async () => {
    const client = clientFor(emu);
    const events: UploadProgress[] = [];
    const stored = await client.files.upload(createReadStream(path), { onUploadProgress: (p) => events.push(p) });
    expect(stored.size_bytes).toBe(SIZE);
    expect(events).toEqual([{ sentBytes: SIZE, totalBytes: SIZE }]);
  });
});
