import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient } from "../src/index.js";
import { nodeUpload, saveResult } from "../src/node.js";
import { silent } from "./helpers.js";

// A result whose Content-Length is 1 MiB, of which 4 KiB less are sent before the connection closes (FIN). Read
// slowly (written to a file, by saveResult), the chunks Node had queued when the connection failed are dropped before
// they are handed on: the message names the bytes handed on as what at least came, never as all that came.
const TOTAL = 2 ** 20;
const SENT = TOTAL - 4096;
let server: Server;
let url: string;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "truncated-count-"));
  server = createServer(async (req, res) => {
    if (!req.url!.endsWith("/content")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ job_id: "job_1", status: "completed" }));
      return;
    }
    const socket = req.socket;
    socket.write(`HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\ncontent-length: ${TOTAL}\r\n\r\n`);
    const block = Buffer.alloc(65536, 7);
    for (let at = 0; at < SENT; at += block.length)
      if (!socket.write(block.subarray(0, Math.min(block.length, SENT - at))))
        await new Promise((resolve) => socket.once("drain", resolve));
    socket.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const client = (upload?: ReturnType<typeof nodeUpload>) =>
  createDecartClient({ apiKey: "k", baseUrl: url, logger: silent, maxRetries: 0, upload });
const count = /: the body ended after at least (\d+) of 1048576 bytes$/;

describe("a result cut short: its TRUNCATED message names the bytes that at least came", () => {
  it("saveResult: at least N of the Content-Length, N no more than was sent", async () => {
    for (let i = 0; i < 3; i++) {
      const error = await saveResult(client(), "job_1", join(dir, "out.mp4"), { maxRetries: 0 }).catch((e) => e);
      expect(error).toMatchObject({ code: "TRUNCATED", jobId: "job_1" });
      expect(error.message).toMatch(count);
      expect(+count.exec(error.message)![1]!).toBeLessThanOrEqual(SENT);
    }
  });

  it("queue.result, over fetch and nodeUpload(): the same words", async () => {
    for (const upload of [undefined, nodeUpload()]) {
      const error = await client(upload)
        .queue.result("job_1")
        .catch((e) => e);
      expect(error).toMatchObject({ code: "TRUNCATED", jobId: "job_1" });
      expect(error.message).toMatch(count);
      expect(+count.exec(error.message)![1]!).toBeLessThanOrEqual(SENT);
    }
  });
});
