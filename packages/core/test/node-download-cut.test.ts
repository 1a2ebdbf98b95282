import { globalAgent } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConnectionError, createDecartClient, type DecartClientOptions } from "../src/index.js";
import { nodeUpload } from "../src/node.js";
import { instantDelay, silent } from "./helpers.js";

// A result sent chunked with `Connection: close`, its connection closed (FIN) or reset (RST) in the middle of a chunk:
// Node's fetch (undici 6) hands such a body over as complete, node:http reports it cut short. Written on a raw socket.
const video = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from("ftypmp42"), Buffer.alloc(1000, 7)]);

let server: Server;
let url: string;
let requests = 0;
/** How the next content answer ends: cut by a FIN or a RST, or whole. */
let ending: "fin" | "rst" | "whole" = "fin";
beforeAll(async () => {
  server = createServer((socket: Socket) => {
    socket.on("error", () => {});
    socket.once("data", (data) => {
      if (!data.toString("latin1").includes("/content ")) {
        const job = JSON.stringify({ job_id: "job_1", status: "completed" });
        socket.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${job.length}\r\n\r\n${job}`);
        return;
      }
      requests++;
      socket.write(
        "HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
      );
      socket.write(`1f4\r\n${video.subarray(0, 500).toString("latin1")}\r\n`, "latin1");
      if (ending === "whole") {
        socket.end(
          `${(video.length - 500).toString(16)}\r\n${video.subarray(500).toString("latin1")}\r\n0\r\n\r\n`,
          "latin1",
        );
        return;
      }
      // A chunk of 512 bytes declared, 3 sent.
      socket.write("200\r\nabc");
      setTimeout(() => (ending === "rst" ? socket.resetAndDestroy() : socket.destroy()), 20);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  requests = 0;
});

const client = (options: DecartClientOptions = {}) =>
  createDecartClient({
    apiKey: "k",
    baseUrl: url,
    logger: silent,
    upload: nodeUpload(),
    poll: { delay: instantDelay() },
    ...options,
  } as DecartClientOptions);

describe("with nodeUpload(), a result cut before its last chunk is never handed over", () => {
  for (const cut of ["fin", "rst"] as const) {
    it(`queue.result (cut by a ${cut.toUpperCase()}): retried as a cut-short read, then a ConnectionError`, async () => {
      ending = cut;
      const error = await client({ maxRetries: 2 })
        .queue.result("job_1")
        .catch((e) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ jobId: "job_1", retryable: true });
      expect(requests).toBe(3);
    });

    it(`queue.download (cut by a ${cut.toUpperCase()}): its stream errors, after the bytes that came`, async () => {
      ending = cut;
      const { stream } = await client({ maxRetries: 0 }).queue.download("job_1");
      let bytes = 0;
      const reader = stream.getReader();
      const error = await (async () => {
        for (let r = await reader.read(); !r.done; r = await reader.read()) bytes += r.value.byteLength;
      })().catch((e) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ jobId: "job_1" });
      expect(bytes).toBeLessThan(video.length);
    });
  }

  it("queue.wait: the cut download is retried, never completed with it, until more than 4 × (maxRetries + 1) brought bytes", async () => {
    ending = "fin";
    // Time that passes only in waits: without the bound, the watch would retry the download until its budget is spent.
    let t = 0;
    const delay = instantDelay((ms) => {
      t += ms;
    });
    const error = await client({ poll: { delay, now: () => t } })
      .queue.wait("job_1", { timeoutMs: 660_000 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ jobId: "job_1" });
    expect(error.message).toMatch(/^Job job_1 completed; its result not downloaded/);
    // (A chunked result: no length to count its bytes by, so 4 × (2 + 1) cut downloads, and the one after them.)
    expect(requests).toBe(13);
  });

  it("a client's own fetch is still the one a download goes through", async () => {
    ending = "whole";
    let calls = 0;
    const own: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    // (nodeUpload() with an agent: without one, a client given a fetch refuses it.)
    await client({ fetch: own, upload: nodeUpload({ agent: globalAgent }) }).queue.result("job_1");
    expect(calls).toBe(1);
  });

  it("a whole chunked result is downloaded through it", async () => {
    ending = "whole";
    const blob = await client().queue.result("job_1");
    expect(Buffer.from(await blob.arrayBuffer()).equals(video)).toBe(true);
    expect(requests).toBe(1);
  });
});
