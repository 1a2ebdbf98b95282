import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConnectionError, createDecartClient, type JobEvent } from "../src/index.js";
import { silent, virtualTime } from "./helpers.js";

// A completed job whose result is cut short: its `Content-Length` promised, part of it sent (99 %, or `kept`), the
// connection destroyed. The server counts the downloads and the bytes of the result it sent.
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
beforeAll(async () => {
  server = createServer((req, res) => {
    if (!req.url!.endsWith("/content")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ job_id: "job_1", status: "completed" }));
      return;
    }
    downloads++;
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

describe("a watch stops downloading a result cut short each time once maxRetries + 1 results' worth of bytes were lost", () => {
  // 99 % each: after the fourth download (maxRetries 2: 3.96 results > 3), or the second (maxRetries 0: 1.98 > 1).
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

  it("downloads cut at half, five times (2.5 results lost, under 3), are retried past maxRetries: the sixth completes", async () => {
    cuts = 5;
    kept = 0.5;
    const result = await client(2).queue.wait("job_1", { timeoutMs: 120_000 });
    expect(result.status).toBe("completed");
    expect(result.status === "completed" && result.data.size).toBe(size);
    expect(downloads).toBe(6);
  });
});
