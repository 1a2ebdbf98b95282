import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConnectionError, createDecartClient, type JobEvent } from "../src/index.js";
import { silent, virtualTime } from "./helpers.js";

// A completed job whose result is cut short: its `Content-Length` promised (or `length`: none, a false one, gzip), part
// of it sent (99 %, or `kept`), the connection destroyed. The server counts the downloads and the bytes it sent.
const size = 200_000;
const video = Buffer.alloc(size, 7);
let server: Server;
let url: string;
let downloads = 0;
let sent = 0;
/** Downloads cut short before the next one is whole (Infinity: all of them). */
let cuts = Infinity;
/** The part of the result a cut download brings. */
let kept = 0.99;
/** The result's `Content-Length` as sent: its size, none (chunked), 100 times its size (all of it sent), or gzip. */
let length: "true" | "none" | "false" | "gzip" = "true";
// (Seeded bytes that do not compress: each cut gzip download brings some of them decoded.)
const zipped = gzipSync(
  Buffer.concat(Array.from({ length: size / 32 }, (_, i) => createHash("sha256").update(String(i)).digest())),
);
beforeAll(async () => {
  server = createServer((req, res) => {
    if (!req.url!.endsWith("/content")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ job_id: "job_1", status: "completed" }));
      return;
    }
    downloads++;
    if (length !== "true") {
      const body = length === "gzip" ? zipped : video;
      res.writeHead(200, {
        "content-type": "video/mp4",
        ...(length === "false" && { "content-length": size * 100 }),
        ...(length === "gzip" && { "content-encoding": "gzip" }),
      });
      const part = length === "false" ? body : body.subarray(0, body.length * kept);
      sent += part.length;
      res.write(part, () => res.destroy());
      return;
    }
    res.writeHead(200, { "content-type": "video/mp4", "content-length": size });
    if (downloads > cuts) {
      sent += size;
      res.end(video);
      return;
    }
    const part = video.subarray(0, size * kept);
    sent += part.length;
    res.write(part, () => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  downloads = sent = 0;
  cuts = Infinity;
  kept = 0.99;
  length = "true";
});

const client = (maxRetries?: number) =>
  createDecartClient({
    apiKey: "k",
    baseUrl: url,
    logger: silent,
    maxRetries,
    random: () => 0.5,
    // Time that passes only in waits: without the count, the downloads go on until the watch's budget is spent.
    poll: virtualTime(),
  });

describe("a watch stops downloading a result cut short each time: more than maxRetries + 1 results' worth of bytes lost, or 4 × (maxRetries + 1) downloads", () => {
  // 99 % each: after the fourth download (maxRetries 2: 4 > 3), or the second (maxRetries 0: 2 > 1).
  const cases: [maxRetries: number, downloads: number][] = [
    [0, 2],
    [2, 4],
  ];
  for (const [maxRetries, count] of cases) {
    it(`queue.wait, maxRetries ${maxRetries}: ${count} downloads, then the cut's error saying the result stays`, async () => {
      const error = await client(maxRetries)
        .queue.wait("job_1", { timeoutMs: 120_000 })
        .catch((e) => e);
      expect(downloads).toBe(count);
      expect(sent).toBe(count * size * 0.99);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ code: "TRUNCATED", jobId: "job_1", retryable: true });
      expect(error.cause).toBeInstanceOf(ConnectionError);
      expect(error.message).toMatch(
        /^Job job_1 completed; its result not downloaded \(queue\.result or saveResult fetches it again\): GET .*\/content: /,
      );
    });
  }

  it("queue.watch: a retrying event for each download started again, then the error (the client's default, 2)", async () => {
    const events: JobEvent["type"][] = [];
    const error = await (async () => {
      for await (const event of client().queue.watch("job_1", { timeoutMs: 120_000 })) events.push(event.type);
    })().catch((e) => e);
    expect(events.filter((type) => type === "retrying")).toHaveLength(3);
    expect(downloads).toBe(4);
    expect(error).toMatchObject({ code: "TRUNCATED", jobId: "job_1" });
  });

  // Whatever the `Content-Length` says (none, 100 times the bytes that exist, or one of an encoded body) and however
  // little a download brings (1 %), the thirteenth failed download that brought bytes ends the watch (maxRetries 2:
  // 13 > 4 × 3).
  const odd: [length: typeof length, kept: number, bytes: number][] = [
    ["none", 0.99, size * 0.99],
    ["false", 1, size],
    ["gzip", 0.99, Math.trunc(zipped.length * 0.99)],
    ["true", 0.01, size * 0.01],
  ];
  for (const [given, part, bytes] of odd) {
    it(`Content-Length ${given}, ${part * 100} % brought each time: 13 downloads, then the cut's error`, async () => {
      length = given;
      kept = part;
      const error = await client(2)
        .queue.wait("job_1", { timeoutMs: 660_000 })
        .catch((e) => e);
      expect(downloads).toBe(13);
      expect(sent).toBe(13 * bytes);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ jobId: "job_1", retryable: true });
      expect(error.message).toMatch(/^Job job_1 completed; its result not downloaded/);
    });
  }

  // A network that cuts a result now and then: half of it five times (2.5 results' worth, under the 3 of maxRetries 2).
  it("downloads cut at half five times are retried: the sixth completes", async () => {
    cuts = 5;
    kept = 0.5;
    const result = await client(2).queue.wait("job_1", { timeoutMs: 120_000 });
    expect(result.status).toBe("completed");
    expect(result.status === "completed" && result.data.size).toBe(size);
    expect(downloads).toBe(6);
  });

  // A progress bar follows one download at a time: the one cut short falls back to 0 (its size the cut answer's) just
  // before its `retrying` (a view shows the retry over an empty bar, until an event after it), and the bytes of the
  // download started again count from 0, rather than going back from the cut's count at their first chunk.
  it("a download cut short and started again: `downloading` at 0, `retrying`, then the new download's chunks", async () => {
    cuts = 1;
    kept = 0.5;
    const events: JobEvent[] = [];
    for await (const event of client(2).queue.watch("job_1", { timeoutMs: 120_000 })) events.push(event);
    const retry = events.findIndex((event) => event.type === "retrying");
    expect(events[retry - 2]).toMatchObject({ type: "downloading", receivedBytes: size * 0.5, totalBytes: size });
    expect(events[retry - 1]).toMatchObject({ type: "downloading", receivedBytes: 0, totalBytes: size });
    // From the 0, bytes only grow, to the whole result.
    const bytes = events
      .slice(retry - 1)
      .flatMap((event) => (event.type === "downloading" ? [event.receivedBytes] : []));
    expect(bytes.length).toBeGreaterThan(2);
    expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
    expect(bytes.at(-1)).toBe(size);
    expect(events.at(-1)?.type).toBe("completed");
    expect(downloads).toBe(2);
  });
});
