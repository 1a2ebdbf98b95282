/**
 * A `queue.download()` stream that is never read holds its connection: no timer runs while no read waits (a slow
 * reader is not cut). The README says to cancel one you do not read; its `cancel()`, or an abort of the call's signal,
 * closes the connection at once.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createDecartClient } from "../src/index.js";
import { nodeUpload } from "../src/node.js";
import { silent } from "./helpers.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A result of 4 MiB of which the first 64 KiB are sent, the rest never: its connection stays open until the client closes it. */
async function endlessResult() {
  const sockets: Socket[] = [];
  const answers: ServerResponse[] = [];
  const server: Server = createServer((_req, res) => {
    answers.push(res);
    res.writeHead(200, { "content-type": "video/mp4", "content-length": 4 * 2 ** 20 });
    res.write(Buffer.alloc(64 * 1024, 1));
  });
  server.on("connection", (s) => sockets.push(s));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    /** The download's connection (the first), closed by the client once this settles. */
    closed: () =>
      new Promise<void>((resolve) => (sockets[0]!.destroyed ? resolve() : sockets[0]!.once("close", resolve))),
    open: () => sockets.filter((s) => !s.destroyed).length,
  };
}

describe("a download stream never read", () => {
  for (const [through, extra] of [
    ["fetch", {}],
    ["nodeUpload()", { upload: nodeUpload() }],
  ] as const) {
    it(`over ${through}: cancelling it closes its connection`, async () => {
      const server = await endlessResult();
      const client = createDecartClient({ apiKey: "k", baseUrl: server.url, logger: silent, ...extra });
      const { stream, contentLength } = await client.queue.download("job_1");
      expect(contentLength).toBe(4 * 2 ** 20);
      expect(server.open()).toBe(1);
      await stream.cancel();
      // (Its connection, the first: fetch's pool may open another, idle.)
      await server.closed();
    });

    it(`over ${through}: an abort of the call's signal closes its connection`, async () => {
      const server = await endlessResult();
      const client = createDecartClient({ apiKey: "k", baseUrl: server.url, logger: silent, ...extra });
      const controller = new AbortController();
      const { stream } = await client.queue.download("job_1", { signal: controller.signal });
      expect(server.open()).toBe(1);
      controller.abort();
      // (Its connection, the first: fetch's pool may open another, idle.)
      await server.closed();
      // The stream, read now, says why it ended.
      await expect(stream.getReader().read()).rejects.toMatchObject({ code: "ABORT", jobId: "job_1" });
    });
  }
});
