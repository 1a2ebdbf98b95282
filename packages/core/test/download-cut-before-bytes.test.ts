import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConnectionError } from "../src/index.js";
import { json, serve, virtualClient } from "./helpers.js";

// A completed job whose result's download is cut before any byte of its body: the headers (a `Content-Length`) come,
// then the connection closes. Some runtimes' fetch (Bun's) hand on none of the bytes of a body cut short, whatever came:
// each download is cut short having brought nothing. The downloads after the first `cuts` are whole.
const size = 50_000;
let downloads = 0;
let cuts = Infinity;
let server: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  server = await serve((req, res) => {
    if (!req.url!.endsWith("/content")) return json(res, 200, { job_id: "job_1", status: "completed" });
    if (++downloads > cuts) {
      res.writeHead(200, { "content-type": "video/mp4", "content-length": size });
      return void res.end(Buffer.alloc(size, 7));
    }
    const socket = req.socket;
    socket.write(`HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\ncontent-length: ${size}\r\n\r\n`, () =>
      socket.destroy(),
    );
  });
});
afterAll(() => server.close());
beforeEach(() => {
  downloads = 0;
  cuts = Infinity;
});

describe("a result cut short before any byte each time: the watch stops downloading it, as it does one cut later", () => {
  // 4 × (maxRetries + 1) downloads cut short are retried; the next ends the watch (maxRetries 0: 5; 2: 13).
  for (const [maxRetries, count] of [
    [0, 5],
    [2, 13],
  ] as const) {
    it(`queue.wait, maxRetries ${maxRetries}: ${count} downloads, then TRUNCATED saying the result stays`, async () => {
      const { client } = virtualClient(server.url, { maxRetries, random: () => 0.5 });
      const error = await client.queue.wait("job_1", { timeoutMs: 660_000 }).catch((e) => e);
      expect(downloads).toBe(count);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ code: "TRUNCATED", jobId: "job_1", retryable: true });
      expect(error.message).toMatch(
        /^Job job_1 completed; its result not downloaded \(queue\.result or saveResult fetches it again\): GET .*\/content: the body ended after at least 0 of 50000 bytes/,
      );
    });
  }

  it("cut before any byte 12 times (maxRetries 2): retried, the thirteenth download completes", async () => {
    cuts = 12;
    const { client } = virtualClient(server.url, { maxRetries: 2, random: () => 0.5 });
    const result = await client.queue.wait("job_1", { timeoutMs: 660_000 });
    expect(result.status === "completed" && result.data.size).toBe(size);
    expect(downloads).toBe(13);
  });
});

describe("a result of no Content-Length cut before any byte each time (a fetch that hands on nothing of it)", () => {
  // The server sends it whole, chunked; the fetch (Bun's does so) fails its body before handing on any byte.
  let chunked: Awaited<ReturnType<typeof serve>>;
  let contents = 0;
  beforeAll(async () => {
    chunked = await serve((req, res) => {
      if (!req.url!.endsWith("/content")) return json(res, 200, { job_id: "job_1", status: "completed" });
      contents++;
      res.writeHead(200, { "content-type": "video/mp4" });
      res.end(Buffer.alloc(size, 7));
    });
  });
  afterAll(() => chunked.close());
  const cutting: typeof fetch = async (url, init) => {
    const response = await fetch(url, init);
    if (!String(url).endsWith("/content")) return response;
    await response.body?.cancel();
    const body = new ReadableStream({ pull: (controller) => controller.error(new TypeError("terminated")) });
    return new Response(body, { status: response.status, headers: response.headers });
  };

  it("queue.wait, maxRetries 0: 5 downloads, then TRUNCATED saying the result stays", async () => {
    contents = 0;
    const { client } = virtualClient(chunked.url, { maxRetries: 0, random: () => 0.5, fetch: cutting });
    const error = await client.queue.wait("job_1", { timeoutMs: 660_000 }).catch((e) => e);
    expect(contents).toBe(5);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "TRUNCATED", jobId: "job_1", retryable: true });
    expect(error.message).toMatch(
      /^Job job_1 completed; its result not downloaded \(queue\.result or saveResult fetches it again\): GET .*\/content: the body ended after at least 0 bytes/,
    );
  });
});
