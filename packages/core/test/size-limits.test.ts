import { createServer, type Server, type ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  createDecartClient,
  type DecartClientOptions,
  InvalidInputError,
  InvalidResponseError,
  models,
} from "../src/index.js";
import { nodeUpload } from "../src/node.js";
import { silent, until } from "./helpers.js";

// The limits, lowered here so that no test holds hundreds of MiB: the spec's limit of one file (`maxFileBytes` of
// @decart/api, 200 MiB) to 1 MiB, an image answer's (MAX_ANSWER_BYTES, 64 MiB) to 2 MiB. The code that reads them is
// the production code; only the figures change. The docs' words (`maxFileDocs`, "200 MB") are not the client's figure:
// a refusal says the client's 1 MiB here, and that the docs say 200 MB.
vi.mock("@decart/api", async (original) => ({
  ...(await original<typeof import("@decart/api")>()),
  maxFileBytes: 1 << 20,
}));
vi.mock("../src/limits.js", async (original) => ({
  ...(await original<typeof import("../src/limits.js")>()),
  MAX_ANSWER_BYTES: 2 << 20,
}));

const MiB = 1 << 20;
/** What the server sends at most of an endless answer (a client that never stops reading gets this much, then its end). */
const ENDLESS_CAP = 16 * MiB;
const MP4 = Buffer.from("\0\0\0\x18ftypisom\0\0\0\0isommp41");
const PNG = Buffer.from("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "latin1");
const chunk = Buffer.alloc(64 * 1024, 0x41);

let server: Server;
let base: string;
/** Requests that reached the API's routes (a POST), and the bytes of the latest endless answer sent. */
let posts: number;
let sent: number;
/**
 * The length an image answer declares (its Content-Length) while it sends only its first bytes and holds the rest; none:
 * an endless answer. And whether the connection of the latest held answer was closed by the client.
 */
let declared: number | undefined;
let heldClosed: Promise<void>;

/** Sends a Content-Length of `length`, then `head`, and holds the rest back (until the client lets the answer go). */
function held(res: ServerResponse, type: string, head: Buffer, length: number) {
  heldClosed = new Promise((resolve) => res.on("close", resolve));
  res.writeHead(200, { "content-type": type, "content-length": length });
  res.write(head);
}

/** Sends `head`, then chunks as fast as the client reads them, until `ENDLESS_CAP` bytes or the connection closes. */
function endless(res: ServerResponse, type: string, head: Buffer) {
  sent = 0;
  res.writeHead(200, { "content-type": type });
  res.write(head);
  const pump = () => {
    while (!res.destroyed) {
      if (sent >= ENDLESS_CAP) return res.end();
      sent += chunk.length;
      if (!res.write(chunk)) return;
    }
  };
  res.on("drain", pump);
  pump();
}

beforeAll(async () => {
  server = createServer((req, res) => {
    // A file to download: endless, or of a given size (`/sized/<bytes>.mp4`).
    if (req.method === "GET") {
      const length = /^\/held\/(\d+)\.mp4$/.exec(req.url!)?.[1];
      if (length) return held(res, "video/mp4", MP4, +length);
      const size = /^\/sized\/(\d+)\.mp4(\?length)?$/.exec(req.url!)?.[1];
      if (!size) return endless(res, "video/mp4", MP4);
      // (With `?length`, its Content-Length said; else none, chunked.)
      res.writeHead(200, {
        "content-type": "video/mp4",
        ...(req.url!.endsWith("?length") && { "content-length": size }),
      });
      return res.end(Buffer.concat([MP4, Buffer.alloc(+size - MP4.length)]));
    }
    posts++;
    // The API: a submit's answer once its body has come whole; an image model's answer endless.
    if (req.url!.startsWith("/v1/generate/")) {
      req.resume();
      return declared ? held(res, "image/png", PNG, declared) : endless(res, "image/png", PNG);
    }
    req.resume().on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"job_id":"job_0123456789abcdef0123456789abcdef","status":"pending"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  posts = 0;
  sent = 0;
  declared = undefined;
  blobs = 0;
});

/**
 * A fetch whose answers have no body stream, as React Native's: the real fetch over loopback, its answer handed back as
 * a Response built without one (`body` null), whose `blob()`, `text()` and `arrayBuffer()` read the real answer whole.
 * `blobs` counts those reads.
 */
let blobs = 0;
const streamless: typeof fetch = async (url, init) => {
  const answer = await fetch(url, init);
  const read = (how: "blob" | "text" | "arrayBuffer") => () => {
    blobs++;
    return answer[how]();
  };
  return Object.assign(new Response(null, answer), {
    blob: read("blob"),
    text: read("text"),
    arrayBuffer: read("arrayBuffer"),
  });
};
/** The ways a client reads answers: fetch's body stream, nodeUpload()'s (for a POST with files), none (`streamless`). */
const modes = {
  fetch: {},
  "nodeUpload()": { upload: nodeUpload() },
  "a fetch without body streams": { fetch: streamless },
} satisfies Record<string, Partial<DecartClientOptions>>;

const clientWith = (options: Partial<DecartClientOptions> = {}) =>
  createDecartClient({ apiKey: "dct_test_key_1234", baseUrl: base, logger: silent, maxRetries: 0, ...options });
const submit = (data: unknown, options?: Partial<DecartClientOptions>) =>
  clientWith(options).queue.submit({ model: models.video("lucy-clip"), prompt: "x", data: data as Blob });

describe("a file larger than the API takes in one file is refused before anything is sent", () => {
  for (const upload of [false, true]) {
    it(`a URL whose server never stops sending: its download ends past the limit, no request made (${upload ? "nodeUpload()" : "fetch"})`, async () => {
      const error = await submit(`${base}/in.mp4`, upload ? { upload: nodeUpload() } : {}).catch((e) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ field: "data", retryable: false });
      expect(error.message).toBe(
        `Could not download "data" from ${base}/in.mp4: over the client's 1 MiB per file (the docs say 200 MB): give a smaller one; nothing was sent`,
      );
      expect(posts).toBe(0);
      // The download was let go past the limit (the server's socket buffers hold a few chunks more), not read to its end.
      expect(sent).toBeLessThan(ENDLESS_CAP / 2);
    });
  }

  it("a URL's file of the limit exactly is sent; one byte more is refused", async () => {
    await expect(submit(`${base}/sized/${MiB}.mp4`)).resolves.toMatchObject({ status: "pending" });
    expect(posts).toBe(1);
    await expect(submit(`${base}/sized/${MiB + 1}.mp4`)).rejects.toMatchObject({
      field: "data",
      code: "INVALID_INPUT",
    });
    expect(posts).toBe(1);
  });

  it("a Blob, a File or bytes given over the limit (by their bytes), and a stream collected past it", async () => {
    const bytes = Buffer.concat([MP4, Buffer.alloc(MiB + 1 - MP4.length)]);
    const refusals = [
      new Blob([bytes], { type: "video/mp4" }),
      new File([bytes], "in.mp4", { type: "video/mp4" }),
      new Uint8Array(bytes),
      // Text counts by its UTF-8 bytes: fewer characters than the limit, more bytes.
      Readable.from([MP4, "é".repeat(MiB / 2)]),
    ];
    for (const data of refusals) {
      const error = await submit(data).catch((e) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.message).toBe(
        `Could not read the input "data": over the client's 1 MiB per file (the docs say 200 MB): give a smaller one; nothing was sent`,
      );
      expect(error.field).toBe("data");
    }
    expect(posts).toBe(0);
    // The limit itself is fine.
    await expect(submit(new Blob([bytes.subarray(0, MiB)], { type: "video/mp4" }))).resolves.toMatchObject({
      status: "pending",
    });
    expect(posts).toBe(1);
  });
});

describe("an image answer that never ends", () => {
  for (const upload of [false, true]) {
    it(`is cut past MAX_ANSWER_BYTES: an error saying the server may have made (and billed) it, not sent again (${upload ? "nodeUpload()" : "fetch"})`, async () => {
      const error = await clientWith({ maxRetries: 2, ...(upload ? { upload: nodeUpload() } : {}) })
        .process({ model: models.image("lucy-pro-t2i"), prompt: "x" })
        .catch((e) => e);
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false, status: 200 });
      expect(error.message).toContain("an image past 2 MiB: the server may have made (and billed) it (HTTP 200)");
      expect(posts).toBe(1);
      expect(sent).toBeLessThan(ENDLESS_CAP / 2);
    });
  }
});

describe("an answer whose Content-Length says it is past the limit is refused on that header, its body not read", () => {
  for (const [mode, options] of Object.entries(modes)) {
    it(`a URL's file: refused as one counted past the limit, its answer let go (${mode})`, async () => {
      // (Read, the body would wait for bytes that never come: the read's timeout, not the refusal.)
      const error = await submit(`${base}/held/${2 * MiB}.mp4`, { ...options, timeoutMs: 2000 }).catch((e) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ field: "data", code: "INVALID_INPUT", retryable: false });
      expect(error.message).toBe(
        `Could not download "data" from ${base}/held/${2 * MiB}.mp4: over the client's 1 MiB per file (the docs say 200 MB): give a smaller one; nothing was sent`,
      );
      expect(posts).toBe(0);
      if (options === modes["a fetch without body streams"]) expect(blobs).toBe(0);
      else await heldClosed;
    });

    it(`an image answer: refused as one counted past MAX_ANSWER_BYTES, its answer let go (${mode})`, async () => {
      declared = 3 * MiB;
      const error = await clientWith({ ...options, maxRetries: 2, uploadTimeoutMs: 2000 })
        .process({ model: models.image("lucy-pro-t2i"), prompt: "x" })
        .catch((e) => e);
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false, status: 200 });
      expect(error.message).toContain("an image past 2 MiB: the server may have made (and billed) it (HTTP 200)");
      expect(posts).toBe(1);
      if (options === modes["a fetch without body streams"]) expect(blobs).toBe(0);
      else await heldClosed;
    });
  }

  it("a URL's file whose Content-Length is the limit exactly is sent; one byte more is refused", async () => {
    for (const options of Object.values(modes))
      await expect(submit(`${base}/sized/${MiB}.mp4?length`, options)).resolves.toMatchObject({ status: "pending" });
    expect(posts).toBe(3);
    for (const options of Object.values(modes))
      await expect(submit(`${base}/sized/${MiB + 1}.mp4?length`, options)).rejects.toMatchObject({
        field: "data",
        code: "INVALID_INPUT",
      });
    expect(posts).toBe(3);
  });
});

describe("a fetch without body streams: an answer without Content-Length is measured once read whole", () => {
  it("a URL's file past the limit is refused, nothing sent", async () => {
    const error = await submit(`${base}/in.mp4`, { fetch: streamless }).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe(
      `Could not download "data" from ${base}/in.mp4: over the client's 1 MiB per file (the docs say 200 MB): give a smaller one; nothing was sent`,
    );
    expect([posts, blobs]).toEqual([0, 1]);
  });

  it("an image answer past MAX_ANSWER_BYTES is refused, not sent again", async () => {
    const error = await clientWith({ fetch: streamless, maxRetries: 2 })
      .process({ model: models.image("lucy-pro-t2i"), prompt: "x" })
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false, status: 200 });
    expect(error.message).toContain("an image past 2 MiB: the server may have made (and billed) it (HTTP 200)");
    expect([posts, blobs]).toEqual([1, 1]);
  });
});

describe("a stream sent as it comes by nodeUpload() is counted as it is sent", () => {
  /** A source of `total` bytes, 64 KiB a chunk, starting as an MP4 does: what it gave, whether it was stopped. */
  function source(total: number) {
    const seen = { given: 0, stopped: false };
    async function* chunks() {
      try {
        for (let at = 0; at < total; at += chunk.length) {
          const bytes = at ? chunk : Buffer.concat([MP4, chunk.subarray(MP4.length)]);
          seen.given += Math.min(bytes.length, total - at);
          yield bytes.subarray(0, total - at);
        }
      } finally {
        seen.stopped = seen.given < total;
      }
    }
    return { seen, chunks };
  }

  const kinds = {
    "a Node stream": (chunks: () => AsyncGenerator<Buffer>) => Readable.from(chunks()),
    "a web stream": (chunks: () => AsyncGenerator<Buffer>) => {
      const it = chunks();
      return new ReadableStream<Uint8Array>({
        async pull(out) {
          const { done, value } = await it.next();
          if (done) out.close();
          else out.enqueue(value);
        },
        cancel: () => void it.return(undefined),
      });
    },
    "an async iterable": (chunks: () => AsyncGenerator<Buffer>) => ({ [Symbol.asyncIterator]: chunks }),
  };

  for (const [kind, make] of Object.entries(kinds)) {
    it(`${kind} that goes on past the API's limit: the upload stops there, an InvalidInputError naming the field`, async () => {
      // (The server here takes it whole: before the fix, the call went on with it.)
      const { seen, chunks } = source(4 * MiB);
      const error = await submit(make(chunks), { upload: nodeUpload() }).catch((e) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ field: "data", code: "INVALID_INPUT", retryable: false });
      expect(error.message).toBe(
        `Could not send the input "data": over the client's 1 MiB per file (the docs say 200 MB): give a smaller one; the upload stopped before its end, nothing was made`,
      );
      // Stopped a chunk past the limit (a stream's buffer reads a few more ahead), not read on.
      await until(() => seen.stopped);
      expect(seen.given).toBeGreaterThan(MiB);
      expect(seen.given).toBeLessThan(2 * MiB);
    });
  }

  it("one of the limit exactly is sent", async () => {
    for (const [kind, make] of Object.entries(kinds)) {
      const { seen, chunks } = source(MiB);
      await expect(submit(make(chunks), { upload: nodeUpload() }), kind).resolves.toMatchObject({ status: "pending" });
      expect(seen).toEqual({ given: MiB, stopped: false });
    }
    expect(posts).toBe(3);
  });
});

describe("a fetch of yours whose answers' bodies are Node streams (node-fetch's, cross-fetch's in Node)", () => {
  /** The real fetch over loopback for a file input's URL, its answer's body handed back as a Node stream. */
  const nodeBodies: typeof fetch = async (url, init) => {
    const answer = await fetch(url, init);
    if (!String(url).includes("/sized/")) return answer;
    const { status, ok, headers } = answer;
    return { status, ok, headers, body: Readable.fromWeb(answer.body as never) } as never;
  };

  it("a URL's file is read through the body's async iterator: sent at the limit, refused one byte past it", async () => {
    await expect(submit(`${base}/sized/${MiB}.mp4`, { fetch: nodeBodies })).resolves.toMatchObject({
      status: "pending",
    });
    const error = await submit(`${base}/sized/${MiB + 1}.mp4`, { fetch: nodeBodies }).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain(
      "over the client's 1 MiB per file (the docs say 200 MB): give a smaller one; nothing was sent",
    );
  });
});

it("an image answer refused on its Content-Length ends the call though its body's cancel() never settles", async () => {
  // An upload function of yours whose answer's body never ends, nor its cancel().
  const upload = async () =>
    new Response(new ReadableStream({ pull: () => new Promise(() => {}), cancel: () => new Promise(() => {}) }), {
      headers: { "content-type": "image/png", "content-length": String(3 * MiB) },
    });
  const error = await clientWith({ upload, timeoutMs: 1000, uploadTimeoutMs: 1000 })
    .process({ model: models.image("lucy-pro-t2i"), prompt: "x" })
    .catch((e) => e);
  expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false });
  expect(error.message).toContain("an image past 2 MiB");
});
