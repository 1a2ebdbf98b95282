import { createReadStream, type ReadStream } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AbortError,
  ConnectionError,
  createDecartClient,
  type DecartClient,
  InvalidInputError,
  models,
} from "../src/index.js";
import { nodeUpload } from "../src/node.js";
import { clientFor, closedPort, drain, serve, silent, startFast } from "./helpers.js";

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

describe("a stream input is ended with its call when its options are refused", () => {
  // An option refused by the check of the call (a signal that is none, a timeoutMs that is text): nothing is read nor
  // sent, and the call's stream inputs are ended with it (they were left open: the check came before the inputs were
  // taken).
  const refusals: [string, (client: DecartClient, stream: unknown) => Promise<unknown>][] = [
    [
      "queue.submit, a signal that is none",
      (client, data) =>
        client.queue.submit({ model: models.video("lucy-clip"), prompt: "x", data, signal: "nope" } as never),
    ],
    [
      "queue.submitAndPoll, a timeoutMs that is text",
      (client, data) =>
        client.queue.submitAndPoll({ model: models.video("lucy-clip"), prompt: "x", data, timeoutMs: "5000" } as never),
    ],
    [
      "process, a signal that is none",
      (client, data) => client.process({ model: models.image("lucy-image-2"), prompt: "x", data, signal: 1 } as never),
    ],
  ];
  it("a Node stream destroyed, a web stream cancelled with the error (with nodeUpload or fetch), nothing sent", async () => {
    emu.resetStats();
    for (const upload of [nodeUpload(), undefined]) {
      for (const [name, call] of refusals) {
        const how = `${upload ? "nodeUpload" : "fetch"}: ${name}`;
        const file = createReadStream(png);
        const error = await call(clientFor(emu, { upload }), file).catch((e) => e);
        expect(error, how).toBeInstanceOf(InvalidInputError);
        expect(file.destroyed, how).toBe(true);
        let reason: unknown;
        const web = new ReadableStream({
          cancel: (why) => {
            reason = why;
          },
        });
        const refused = await call(clientFor(emu, { upload }), web).catch((e) => e);
        expect(refused, how).toBeInstanceOf(InvalidInputError);
        expect(reason, how).toBe(refused);
      }
    }
    expect(emu.stats().requests.total).toBe(0);
  });
});

describe("a stream input is ended with its call when another field fails first", () => {
  // lucy-clip's `data` comes before its `reference_image`: a file URL of one that cannot be downloaded fails the call
  // before the stream of the other is read (with nodeUpload, even the stream in `data`, which is sent as it is).
  it("a Node stream in one field, another field's file URL failing: destroyed (with nodeUpload or fetch)", async () => {
    const url = `http://127.0.0.1:${await closedPort()}/clip.mp4`;
    emu.resetStats();
    for (const upload of [nodeUpload(), undefined]) {
      const arrangements = upload ? (["reference_image", "data"] as const) : (["reference_image"] as const);
      for (const streamIn of arrangements) {
        const stream = createReadStream(png);
        const inputs =
          streamIn === "data" ? { data: stream, reference_image: url } : { data: url, reference_image: stream };
        const error = await clientFor(emu, { upload })
          .queue.submit({ model: models.video("lucy-clip"), prompt: "x", ...inputs })
          .catch((e) => e);
        const how = `${upload ? "nodeUpload" : "fetch"}, the stream in ${streamIn}`;
        expect(error, how).toBeInstanceOf(InvalidInputError);
        expect(error.field, how).toBe(streamIn === "data" ? "reference_image" : "data");
        expect(stream.destroyed, how).toBe(true);
      }
    }
    expect(emu.stats().requests.total).toBe(0);
  });
});

describe("a Node stream input is heard once, whatever the number of calls", () => {
  // A no-op 'error' listener was added to a Node stream input twice per submit (the inputs' check, then its read) and
  // once more per call given the same stream: twelve failing calls reusing one printed MaxListenersExceededWarning.
  it("one stream in 12 calls refused by a server (its other field's URL answered 403): one listener, no warning", async () => {
    const refusing = await serve((_req, res) => void res.writeHead(403).end());
    const warnings: Error[] = [];
    const warned = (warning: Error) => warnings.push(warning);
    process.on("warning", warned);
    try {
      for (const upload of [nodeUpload(), undefined]) {
        // (With nodeUpload, a stream in `data` is sent as it is: its read hears it too, after the inputs' check.)
        for (const streamIn of upload ? (["data", "reference_image"] as const) : (["reference_image"] as const)) {
          const stream = new Readable({ read() {} });
          const url = `${refusing.url}/in.mp4`;
          const inputs =
            streamIn === "data" ? { data: stream, reference_image: url } : { data: url, reference_image: stream };
          const how = `${upload ? "nodeUpload" : "fetch"}, the stream in ${streamIn}`;
          for (let i = 0; i < 12; i++) {
            const error = await clientFor(emu, { upload })
              .queue.submit({ model: models.video("lucy-clip"), prompt: "x", ...inputs })
              .catch((e) => e);
            expect(error, how).toBeInstanceOf(InvalidInputError);
            // (The first call ends the stream: with nodeUpload, a later call reaches it in `data` first, and refuses it.)
            expect(error.message, how).toContain(
              i && streamIn === "data" ? "used already: give a new stream for each call" : "HTTP 403",
            );
          }
          expect(stream.listenerCount("error"), how).toBe(1);
        }
      }
      await drain();
      expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
    } finally {
      process.off("warning", warned);
      await refusing.close();
    }
  });
});

describe("a web stream input is cancelled when its call ends without reading it", () => {
  /** A web stream of the PNG's bytes, read only on demand, that records the reason it was cancelled with. */
  const webStream = async () => {
    const bytes = new Uint8Array(await readFile(png));
    const seen = { reason: undefined as unknown, cancelled: false };
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          controller.enqueue(bytes);
          controller.close();
        },
        cancel(reason) {
          seen.cancelled = true;
          seen.reason = reason;
        },
      },
      { highWaterMark: 0 },
    );
    return { stream, seen };
  };
  const video = (client: DecartClient, inputs: Record<string, unknown>, signal?: AbortSignal) =>
    client.queue.submit({ model: models.video("lucy-clip"), prompt: "x", ...inputs, signal } as never);

  it("aborted before it was sent: cancelled (with nodeUpload or fetch), nothing sent", async () => {
    emu.resetStats();
    for (const upload of [nodeUpload(), undefined]) {
      for (const call of [
        (stream: ReadableStream<Uint8Array>, signal: AbortSignal) =>
          video(clientFor(emu, { upload }), { data: stream }, signal),
        (stream: ReadableStream<Uint8Array>, signal: AbortSignal) =>
          clientFor(emu, { upload }).files.upload(stream, { signal }),
      ]) {
        const { stream, seen } = await webStream();
        const error = await call(stream, AbortSignal.abort()).catch((e) => e);
        expect(error).toBeInstanceOf(AbortError);
        expect(seen.cancelled, `${upload ? "nodeUpload" : "fetch"}: ${call}`).toBe(true);
      }
    }
    expect(emu.stats().requests.total).toBe(0);
  });

  it("refused (a connection refused, no retries; the inputs refused by their checks): cancelled with the call's error", async () => {
    const port = await closedPort();
    const refused = createDecartClient({
      apiKey: "k",
      baseUrl: `http://127.0.0.1:${port}`,
      logger: silent,
      upload: nodeUpload(),
      maxRetries: 0,
    });
    const calls: [string, (stream: ReadableStream<Uint8Array>) => Promise<unknown>][] = [
      ["submit, refused connection", (stream) => video(refused, { data: stream })],
      ["files.upload, refused connection", (stream) => refused.files.upload(stream)],
      [
        "process, refused connection",
        (stream) => refused.process({ model: models.image("lucy-image-2"), prompt: "x", data: stream }),
      ],
      // `seed` of the wrong type: refused before anything is sent, the stream not read.
      [
        "submit, an input refused",
        (stream) => video(clientFor(emu, { upload: nodeUpload() }), { data: stream, seed: "x" }),
      ],
      ["files.upload, an option refused", (stream) => clientFor(emu).files.upload(stream, { ttlSeconds: -1 })],
    ];
    emu.resetStats();
    for (const [name, call] of calls) {
      const { stream, seen } = await webStream();
      const error = await call(stream).catch((e) => e);
      expect(error, name).toBeInstanceOf(name.includes("connection") ? ConnectionError : InvalidInputError);
      expect(seen.cancelled, name).toBe(true);
      expect(seen.reason, name).toBe(error);
    }
    expect(emu.stats().requests.total).toBe(0);
  });

  it("another field's file URL failing first: cancelled with the call's error (with nodeUpload or fetch)", async () => {
    const url = `http://127.0.0.1:${await closedPort()}/clip.mp4`;
    for (const upload of [nodeUpload(), undefined]) {
      for (const streamIn of upload ? ["reference_image", "data"] : ["reference_image"]) {
        const { stream, seen } = await webStream();
        const inputs =
          streamIn === "data" ? { data: stream, reference_image: url } : { data: url, reference_image: stream };
        const error = await video(clientFor(emu, { upload }), inputs).catch((e) => e);
        const how = `${upload ? "nodeUpload" : "fetch"}, the stream in ${streamIn}`;
        expect(error, how).toBeInstanceOf(InvalidInputError);
        expect(seen.cancelled, how).toBe(true);
        expect(seen.reason, how).toBe(error);
      }
    }
  });

  // A stream read to its end (the call sent it, or collected it first) is not cancelled: its source ended.
  it("sent: read to its end, not cancelled (with nodeUpload or fetch)", async () => {
    for (const upload of [nodeUpload(), undefined]) {
      const { stream, seen } = await webStream();
      const stored = await clientFor(emu, { upload }).files.upload(stream);
      expect(stored.size_bytes).toBe((await readFile(png)).length);
      expect(seen.cancelled).toBe(false);
    }
  });
});
