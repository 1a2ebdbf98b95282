/**
 * Answers with a Content-Encoding (gzip, deflate, br), and answers whose body is shorter than their Content-Length, over
 * real HTTP against small purpose-built servers on loopback. `fetch` asks for gzip (but for a multipart POST's answer
 * and a job's result, asked for unencoded) and hands the body over decoded, but a Content-Length is of the encoded bytes: it must not be
 * checked against, or reported as, the decoded body's size.
 * `nodeUpload()` asks for no encoding, and decodes one sent all the same, as fetch does.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { createServer as createNetServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  ConnectionError,
  createDecartClient,
  type DecartClientOptions,
  type DownloadProgress,
  InvalidResponseError,
  type JobEvent,
  models,
} from "../src/index.js";
import { nodeUpload, saveResult } from "../src/node.js";
import { json, serve, silent, virtualTime } from "./helpers.js";

const JOB = `job_${"ab".repeat(16)}`;

/** 20 000 bytes that do not compress (a SHA-256 chain): gzipped, they are longer than they are. */
const media = Buffer.concat(
  Array.from({ length: 625 }, (_, i) => createHash("sha256").update(String(i)).digest()),
).subarray(0, 20_000);
/** 20 000 bytes that compress to a few dozen. */
const plain = Buffer.alloc(20_000, 7);

const encoders: Record<string, (bytes: Buffer) => Buffer> = {
  gzip: (bytes) => gzipSync(bytes),
  deflate: (bytes) => deflateSync(bytes),
  "deflate (raw, as some servers send it)": (bytes) => deflateRawSync(bytes),
  br: (bytes) => brotliCompressSync(bytes),
  "deflate, gzip": (bytes) => gzipSync(deflateSync(bytes)),
};
const codingOf = (name: string) => name.replace(/ \(.*/, "");

/** Answers `bytes` encoded with `coding` (gzip by default), with the encoded bytes' Content-Length. */
function encoded(res: ServerResponse, type: string, bytes: Buffer, coding = "gzip") {
  const body = encoders[coding]!(bytes);
  res.writeHead(200, {
    "content-type": type,
    "content-encoding": codingOf(coding),
    "content-length": body.length,
    "x-request-id": "req_test",
  });
  res.end(body);
}

const client = (url: string, options: DecartClientOptions = {}) =>
  createDecartClient({
    apiKey: "dct_encoding_key_0123456789",
    baseUrl: url,
    logger: silent,
    ...options,
  } as DecartClientOptions);

const equal = async (blob: Blob, bytes: Buffer) =>
  expect(Buffer.from(await blob.arrayBuffer()).equals(bytes)).toBe(true);

describe("an encoded result: the Content-Length is of the encoded bytes", () => {
  it("queue.result of a gzipped video longer encoded than decoded is the video, downloaded once", async () => {
    expect(gzipSync(media).length).toBeGreaterThan(media.length);
    const api = await serve((_req, res) => encoded(res, "video/mp4", media));
    try {
      await equal(await client(api.url).queue.result(JOB), media);
      expect(api.seen).toHaveLength(1);
    } finally {
      await api.close();
    }
  });

  it("queue.download reports no total (not the encoded length) and no contentLength", async () => {
    const api = await serve((_req, res) => encoded(res, "video/mp4", plain));
    try {
      const progress: DownloadProgress[] = [];
      const download = await client(api.url).queue.download(JOB, { onProgress: (p) => progress.push(p) });
      expect(download.contentLength).toBeUndefined();
      await equal(await new Response(download.stream).blob(), plain);
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.map((p) => p.totalBytes)).toEqual(progress.map(() => undefined));
      expect(progress.at(-1)!.receivedBytes).toBe(plain.length);
    } finally {
      await api.close();
    }
  });

  it("Content-Encoding: identity is no encoding: the Content-Length is the total", async () => {
    const api = await serve((_req, res) => {
      res.writeHead(200, {
        "content-type": "video/mp4",
        "content-encoding": "identity",
        "content-length": media.length,
      });
      res.end(media);
    });
    try {
      const progress: DownloadProgress[] = [];
      const download = await client(api.url).queue.download(JOB, { onProgress: (p) => progress.push(p) });
      expect(download.contentLength).toBe(media.length);
      await equal(await new Response(download.stream).blob(), media);
      expect(progress.at(-1)).toEqual({ receivedBytes: media.length, totalBytes: media.length });
    } finally {
      await api.close();
    }
  });

  it("submitAndWatch completes with the decoded video; its downloading events carry no total", async () => {
    const api = await serve((req, res) => {
      if (req.method === "POST") return json(res, 200, { job_id: JOB, status: "pending" });
      if (req.url!.endsWith("/content")) return encoded(res, "video/mp4", media);
      json(res, 200, { job_id: JOB, status: "completed" });
    });
    try {
      const { now, delay } = virtualTime();
      const events: JobEvent[] = [];
      const watch = client(api.url, { poll: { now, delay } }).queue.submitAndWatch({
        model: models.video("lucy-pro-t2v"),
        prompt: "x",
        timeoutMs: 60_000,
      });
      for await (const event of watch) events.push(event);
      const last = events.at(-1)!;
      expect(last.type).toBe("completed");
      await equal((last as Extract<JobEvent, { type: "completed" }>).data!, media);
      const downloading = events.filter((e) => e.type === "downloading");
      expect(downloading.map((e) => e.totalBytes)).toEqual(downloading.map(() => undefined));
      expect(api.seen.filter((r) => r.path.endsWith("/content"))).toHaveLength(1);
    } finally {
      await api.close();
    }
  });

  it("saveResult writes the decoded video after one download", async () => {
    const api = await serve((_req, res) => encoded(res, "video/mp4", media));
    const dir = await mkdtemp(join(tmpdir(), "decart-encoding-"));
    try {
      const progress: DownloadProgress[] = [];
      const path = join(dir, "out.mp4");
      const saved = await saveResult(client(api.url), JOB, path, { onProgress: (p) => progress.push(p) });
      expect(saved).toEqual({ path, bytes: media.length });
      expect((await readFile(path)).equals(media)).toBe(true);
      expect(progress.at(-1)).toEqual({ receivedBytes: media.length, totalBytes: undefined });
      expect(api.seen).toHaveLength(1);
    } finally {
      await api.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/**
 * A fetch that hides the answer's Content-Encoding but keeps its Content-Length, as a browser does for a page of
 * another origin (Content-Length is exposed to it, Content-Encoding is not): the decoded body then looks shorter than
 * its length.
 */
const hidingEncoding: typeof fetch = async (input, init) => {
  const answer = await fetch(input, init);
  const headers = new Headers(answer.headers);
  headers.delete("content-encoding");
  return new Response(answer.body, { status: answer.status, statusText: answer.statusText, headers });
};

describe("a POST's answer shorter than its Content-Length: the work may have been done", () => {
  it("process: an image cut short is SUBMIT_OUTCOME_UNKNOWN with the request id, not retryable, not sent again", async () => {
    const api = await serve((_req, res) => encoded(res, "image/png", media));
    try {
      const error = await client(api.url, { fetch: hidingEncoding })
        .process({ model: models.image("lucy-pro-t2i"), prompt: "x" })
        .catch((e) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false, requestId: "req_test" });
      expect(error.message).toMatch(
        /the body ended after at least 20000 of \d+ bytes \(request req_test\); a job \(or file\) may exist/,
      );
      expect(api.seen).toHaveLength(1);
    } finally {
      await api.close();
    }
  });

  it("a GET's answer cut short stays TRUNCATED, retryable, with the job id (it is downloaded again)", async () => {
    let n = 0;
    const api = await serve((_req, res) => {
      if (n++ === 0) return encoded(res, "video/mp4", media);
      res.writeHead(200, { "content-type": "video/mp4", "content-length": media.length });
      res.end(media);
    });
    try {
      const progress: DownloadProgress[] = [];
      const failed = await client(api.url, { fetch: hidingEncoding })
        .queue.download(JOB, { onProgress: (p) => progress.push(p) })
        .then((d) => new Response(d.stream).blob())
        .catch((e) => e);
      expect(failed).toBeInstanceOf(ConnectionError);
      expect(failed).toMatchObject({ code: "TRUNCATED", retryable: true, jobId: JOB });
      await equal(await client(api.url, { fetch: hidingEncoding }).queue.result(JOB), media);
      expect(api.seen).toHaveLength(2);
    } finally {
      await api.close();
    }
  });
});

describe("fetch: a multipart POST asks for its answer unencoded", () => {
  it("submit, process and files.upload send Accept-Encoding: identity (a server that honours it answers plain); reads do not", async () => {
    const asked: Record<string, string | undefined> = {};
    const file = {
      id: "file_1",
      filename: null,
      mime_type: "text/plain",
      size_bytes: 1,
      created_at: "2026-01-31T12:00:00Z",
      expires_at: null,
    };
    const api = await serve((req, res) => {
      const accept = req.headers["accept-encoding"];
      asked[`${req.method} ${req.url!.replace(/\/[^/]*$/, "")}`] = accept;
      const coding = accept === "identity" ? "identity" : "gzip";
      const answer = (type: string, bytes: Buffer) => {
        if (coding === "gzip") return encoded(res, type, bytes);
        res.writeHead(200, { "content-type": type });
        res.end(bytes);
      };
      if (req.url!.startsWith("/v1/generate/")) return answer("image/png", media);
      answer(
        "application/json",
        Buffer.from(
          JSON.stringify(req.url!.startsWith("/v1/files") ? file : { job_id: JOB, status: "completed", pad: coding }),
        ),
      );
    });
    try {
      const c = client(api.url);
      const job = await c.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x" });
      // (The server answered the submit plain: it was asked to.)
      expect(job).toMatchObject({ job_id: JOB, pad: "identity" });
      await equal(await c.process({ model: models.image("lucy-pro-t2i"), prompt: "x" }), media);
      expect(await c.files.upload(new Blob(["a"], { type: "text/plain" }))).toEqual(file);
      await c.files.get("file_1");
      expect(await c.queue.status(JOB)).toMatchObject({ pad: "gzip" });
      expect(asked).toEqual({
        "POST /v1/jobs": "identity",
        "POST /v1/generate": "identity",
        "POST /v1": "identity",
        "GET /v1/files": expect.not.stringMatching(/^identity$/),
        "GET /v1/jobs": expect.not.stringMatching(/^identity$/),
      });
    } finally {
      await api.close();
    }
  });
});

describe("fetch: a job's result is asked for unencoded", () => {
  it("queue.result, queue.download and a watch send Accept-Encoding: identity: the result's length is known and checked", async () => {
    const asked: (string | undefined)[] = [];
    // A server that honours the header: gzip unless asked for identity.
    const api = await serve((req, res) => {
      if (!req.url!.endsWith("/content")) return json(res, 200, { job_id: JOB, status: "completed" });
      asked.push(req.headers["accept-encoding"]);
      if (req.headers["accept-encoding"] !== "identity") return encoded(res, "video/mp4", media);
      res.writeHead(200, { "content-type": "video/mp4", "content-length": media.length });
      res.end(media);
    });
    try {
      const c = client(api.url);
      await equal(await c.queue.result(JOB), media);
      const { stream, contentLength } = await c.queue.download(JOB);
      await stream.cancel();
      expect(contentLength).toBe(media.length);
      const totals = new Set<number | undefined>();
      for await (const event of c.queue.watch(JOB)) if (event.type === "downloading") totals.add(event.totalBytes);
      expect(totals).toEqual(new Set([undefined, media.length]));
      expect(asked).toEqual(["identity", "identity", "identity"]);
    } finally {
      await api.close();
    }
  });
});

describe("nodeUpload(): answers asked for unencoded, and decoded when encoded all the same", () => {
  for (const coding of Object.keys(encoders)) {
    it(`${coding}: a submit's job and an image's bytes, decoded`, async () => {
      const asked: (string | undefined)[] = [];
      const api = await serve((req, res) => {
        asked.push(req.headers["accept-encoding"]);
        if (req.url!.startsWith("/v1/jobs/"))
          encoded(res, "application/json", Buffer.from(JSON.stringify({ job_id: JOB, status: "pending" })), coding);
        else encoded(res, "image/png", media, coding);
      });
      try {
        const c = client(api.url, { upload: nodeUpload() });
        expect(await c.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x" })).toEqual({
          job_id: JOB,
          status: "pending",
        });
        await equal(await c.process({ model: models.image("lucy-pro-t2i"), prompt: "x" }), media);
        expect(asked).toEqual(["identity", "identity"]);
      } finally {
        await api.close();
      }
    });
  }

  it("an encoding it cannot decode: a typed error, SUBMIT_OUTCOME_UNKNOWN after a 2xx, the status kept otherwise", async () => {
    let submits = 0;
    const api = await serve((req, res) => {
      // The first submit is refused (429) in an unknown encoding: still a 429, safe to send again.
      const status = req.url!.startsWith("/v1/jobs/") && submits++ === 0 ? 429 : 200;
      res.writeHead(status, {
        "content-type": req.url!.startsWith("/v1/jobs/") ? "application/json" : "image/png",
        "content-encoding": "zstd",
        "retry-after": "0",
        "x-request-id": "req_test",
      });
      res.end(media);
    });
    try {
      const c = client(api.url, { upload: nodeUpload(), poll: { delay: async () => {} } });
      for (const call of [
        () => c.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x" }),
        () => c.process({ model: models.image("lucy-pro-t2i"), prompt: "x" }),
      ]) {
        const error = await call().catch((e) => e);
        expect(error).toBeInstanceOf(InvalidResponseError);
        expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false, requestId: "req_test" });
        expect(error.message).toMatch(/an encoding the client cannot decode \(zstd\).*may exist/);
      }
      // The 429 was sent again; each 200 was not.
      expect(api.seen.map((r) => r.path)).toEqual([
        "/v1/jobs/lucy-pro-t2v",
        "/v1/jobs/lucy-pro-t2v",
        "/v1/generate/lucy-pro-t2i",
      ]);
    } finally {
      await api.close();
    }
  });

  it("a corrupt gzip body is a typed error that says the work may have been done", async () => {
    const api = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "image/png", "content-encoding": "gzip", "x-request-id": "req_test" });
      res.end(media);
    });
    try {
      const error = await client(api.url, { upload: nodeUpload() })
        .process({ model: models.image("lucy-pro-t2i"), prompt: "x" })
        .catch((e) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false, requestId: "req_test" });
      expect(api.seen).toHaveLength(1);
    } finally {
      await api.close();
    }
  });
});

describe("a result that fetch did not decode is not the media", () => {
  // fetch decodes a Content-Encoding only when it knows every coding of the list: one with identity in it (`gzip,
  // identity`), or with a coding it does not decode (zstd, on a Node whose fetch has no zstd), comes as it was sent.
  // Those encoded bytes are refused, never handed over as the video or image; a fetch that decoded them hands over the
  // media. `nodeUpload()` and `saveResult` decode identity lists themselves (above).
  const png = Buffer.concat([Buffer.from("89504e470d0a1a0a", "hex"), media.subarray(0, 200)]);
  /** A zstd frame of `bytes` (at most 255) in one raw block: magic, single-segment header, size, block header. */
  const zstd = (bytes: Buffer) =>
    Buffer.concat([
      Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, bytes.length]),
      Buffer.from([(bytes.length << 3) | 1, bytes.length >> 5, 0]),
      bytes,
    ]);
  const cases: [coding: string, encode: (bytes: Buffer) => Buffer][] = [
    ["gzip, identity", gzipSync],
    ["identity, gzip", gzipSync],
    ["zstd", zstd],
  ];
  for (const [coding, encode] of cases) {
    it(`${coding}: queue.result and process give the media or an InvalidResponseError naming the encoding`, async () => {
      const api = await serve((req, res) => {
        const type = req.url!.endsWith("/content") ? "video/mp4" : "image/png";
        const body = encode(png);
        res.writeHead(200, { "content-type": type, "content-encoding": coding, "content-length": body.length });
        res.end(body);
      });
      try {
        const c = client(api.url, { maxRetries: 0 });
        for (const call of [
          () => c.queue.result(JOB),
          () => c.process({ model: models.image("lucy-pro-t2i"), prompt: "x" }),
        ]) {
          const outcome = await call().catch((e) => e);
          if (outcome instanceof Blob) await equal(outcome, png);
          else {
            expect(outcome).toBeInstanceOf(InvalidResponseError);
            expect(outcome.message).toContain(
              `a result in ${coding.replace(/, ?identity|identity, ?/, "")}, not decoded`,
            );
          }
        }
      } finally {
        await api.close();
      }
    });
  }
});

describe("nodeUpload(): a whole gzip answer whose connection fails before its framing's end", () => {
  // The answer's gzip member came whole, but not the end of its HTTP framing (a chunked body's last chunk, the rest of
  // a Content-Length): the connection's failure must not drop what the decoder has still to hand on. The answer is
  // long (400 KB decoded, from about 1 KB sent), so the decoder is still at it when the connection fails.
  const answer = JSON.stringify({ job_id: JOB, status: "pending", pad: "x".repeat(400_000) });
  const gzipped = gzipSync(answer);
  const framings: Record<string, (socket: Socket) => void> = {
    "chunked, without its last chunk": (s) =>
      s.end(
        Buffer.concat([
          Buffer.from(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n" +
              `Transfer-Encoding: chunked\r\n\r\n${gzipped.length.toString(16)}\r\n`,
          ),
          gzipped,
          Buffer.from("\r\n"),
        ]),
      ),
    "a Content-Length 50 bytes longer": (s) =>
      s.end(
        Buffer.concat([
          Buffer.from(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n" +
              `Content-Length: ${gzipped.length + 50}\r\n\r\n`,
          ),
          gzipped,
        ]),
      ),
  };
  for (const [framing, answerWith] of Object.entries(framings)) {
    it(`${framing}: the submit's job id is kept`, async () => {
      // The answer goes once the whole request came (its Content-Length read), then the connection closes.
      const server = createNetServer((socket) => {
        socket.on("error", () => {});
        let got = Buffer.alloc(0);
        socket.on("data", (data) => {
          got = Buffer.concat([got, data]);
          const end = got.indexOf("\r\n\r\n");
          const length = Number(/content-length: *(\d+)/i.exec(got.toString("latin1"))?.[1]);
          if (end >= 0 && got.length >= end + 4 + length) answerWith(socket);
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
        const job = await client(url, { upload: nodeUpload() })
          .queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x" })
          .catch((e) => e);
        expect(job).toMatchObject({ job_id: JOB, status: "pending" });
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  }
});
