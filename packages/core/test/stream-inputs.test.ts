import { createReadStream, type ReadStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AbortError, ConnectionError, createDecartClient, type DecartClient, models } from "../src/index.js";
import { nodeUpload } from "../src/node.js";
import { clientFor, closedPort, silent, startFast } from "./helpers.js";

// A Node stream given as an input is ended with its call (destroyed: the file's handle closed), read or not: a call
// aborted before it started, or while it waits to try again, or one that fails before the stream was read, does not
// leave the file open (a stream of `createReadStream` holds its descriptor until it is destroyed or read to its end).

let emu: Emulator;
let dir: string;
let png: string;
beforeAll(async () => {
  emu = await startFast();
  dir = await mkdtemp(join(tmpdir(), "decart-core-streams-"));
  const image = await clientFor(emu).process({ model: models.image("lucy-pro-t2i"), prompt: "a frame" });
  png = join(dir, "frame.png");
  await writeFile(png, Buffer.from(await image.arrayBuffer()));
});
afterAll(async () => {
  await emu.close();
  await rm(dir, { recursive: true, force: true });
});

/** The calls that take a stream input, each given `stream` and `signal`. */
const calls = {
  "files.upload": (client: DecartClient, stream: ReadStream, signal?: AbortSignal) =>
    client.files.upload(stream, { signal }),
  submit: (client: DecartClient, stream: ReadStream, signal?: AbortSignal) =>
    client.queue.submit({ model: models.video("lucy-clip"), prompt: "x", data: stream, signal }),
  process: (client: DecartClient, stream: ReadStream, signal?: AbortSignal) =>
    client.process({ model: models.image("lucy-image-2"), prompt: "x", data: stream, signal }),
};

describe("a Node stream input is ended with its call", () => {
  for (const [name, call] of Object.entries(calls)) {
    it(`${name} with a signal aborted already: AbortError, nothing sent, the stream destroyed (with nodeUpload or fetch)`, async () => {
      emu.resetStats();
      for (const upload of [nodeUpload(), undefined]) {
        const stream = createReadStream(png);
        const error = await call(clientFor(emu, { upload }), stream, AbortSignal.abort()).catch((e) => e);
        expect(error, upload ? "nodeUpload" : "fetch").toBeInstanceOf(AbortError);
        expect(stream.destroyed, upload ? "nodeUpload" : "fetch").toBe(true);
      }
      expect(emu.stats().requests.total).toBe(0);
    });
  }

  it("aborted while it waits to try again (a refused connection), the stream unread: destroyed", async () => {
    const port = await closedPort();
    for (const call of Object.values(calls)) {
      const controller = new AbortController();
      const client = createDecartClient({
        apiKey: "k",
        baseUrl: `http://127.0.0.1:${port}`,
        logger: silent,
        upload: nodeUpload(),
        // The wait before the second attempt: the call is aborted there.
        poll: {
          delay: async (_ms, signal) => {
            controller.abort();
            signal?.throwIfAborted();
          },
        },
      });
      const stream = createReadStream(png);
      const error = await call(client, stream, controller.signal).catch((e) => e);
      expect(error).toBeInstanceOf(AbortError);
      expect(stream.destroyed).toBe(true);
    }
  });

  it("failed before the stream was read (a refused connection, no retries): destroyed", async () => {
    const port = await closedPort();
    const client = createDecartClient({
      apiKey: "k",
      baseUrl: `http://127.0.0.1:${port}`,
      logger: silent,
      upload: nodeUpload(),
      maxRetries: 0,
    });
    for (const call of Object.values(calls)) {
      const stream = createReadStream(png);
      const error = await call(client, stream).catch((e) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error.code).toBe("CONNECTION_REFUSED");
      expect(stream.destroyed).toBe(true);
    }
  });
});
