import { createReadStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, type DecartClient, InvalidInputError, models } from "../src/index.js";
import { nodeUpload } from "../src/node.js";
import { json, serve, silent } from "./helpers.js";

// A stream can be read once. One that was read already (by an earlier call, which sent it, or by the user), ended,
// destroyed or locked by a reader of its own cannot give its whole content: it was sent as an empty (or cut) file,
// a paid job with an empty input. It is refused before any request, naming the field, with or without an upload
// function; so is a stream collected whole (without one) that gave no bytes, as an empty Blob is.

const BYTES = Buffer.from("not really a video, but bytes all the same");
let dir: string;
let file: string;
let api: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "decart-core-reuse-"));
  file = join(dir, "clip.mp4");
  await writeFile(file, BYTES);
  // Takes every submit: the job is "pending". Counts the requests that reached it, bodies read or not.
  api = await serve((_req, res) => json(res, 200, { job_id: "job_1", status: "pending" }));
});
afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  api.seen.length = 0;
});

const client = (upload?: ReturnType<typeof nodeUpload>) =>
  createDecartClient({ apiKey: "k", baseUrl: api.url, logger: silent, upload, maxRetries: 0 });
const submit = (c: DecartClient, data: unknown) =>
  c.queue.submit({ model: models.video("lucy-clip"), prompt: "x", data } as never);
/** Each way a stream is sent: collected by the client and sent with fetch, or streamed by `nodeUpload()`. */
const paths = [
  ["fetch", () => undefined],
  ["nodeUpload", () => nodeUpload()],
] as const;

/** Expects `data` refused by `call`, naming the field and the fix, with no request reaching the server. */
async function refused(call: Promise<unknown>, how: string) {
  const before = api.arrived();
  const error = (await call.catch((e) => e)) as InvalidInputError;
  expect(error, how).toBeInstanceOf(InvalidInputError);
  expect(error.field, how).toBe("data");
  expect(error.message, how).toBe(
    'Could not read the input "data": used already: give a new stream for each call; nothing was sent',
  );
  expect(error.retryable, how).toBe(false);
  expect(api.arrived() - before, how).toBe(0);
  return error;
}

describe("a stream input that cannot give its whole content is refused before any request", () => {
  for (const [path, upload] of paths) {
    it(`${path}: a Node stream given again after a call that sent it`, async () => {
      const stream = createReadStream(file);
      const before = api.arrived();
      expect((await submit(client(upload()), stream)).job_id).toBe("job_1");
      expect(api.arrived() - before).toBe(1);
      expect(api.seen.at(-1)!.bytes).toBeGreaterThan(BYTES.length);
      // The same client (with nodeUpload: the upload function that read it), and a new one.
      await refused(submit(client(upload()), stream), `${path}, a new client`);
      const same = client(upload());
      await refused(submit(same, stream), `${path}, a new client`);
      await refused(submit(same, stream), `${path}, the same client again`);
    });

    it(`${path}: a Node stream the user read from (a chunk taken), not ended`, async () => {
      const stream = new PassThrough();
      stream.write(Buffer.from("head"));
      stream.end(Buffer.from("tail"));
      expect(stream.read(4)?.toString()).toBe("head");
      await refused(submit(client(upload()), stream), path);
    });

    it(`${path}: a Node stream the user piped to its end`, async () => {
      const stream = createReadStream(file);
      const sink = new PassThrough();
      stream.pipe(sink).resume();
      await new Promise((resolve) => sink.on("end", resolve));
      await refused(submit(client(upload()), stream), path);
    });

    it(`${path}: a destroyed Node stream, in call after call: refused, no listener left on it`, async () => {
      const stream = createReadStream(file);
      stream.destroy();
      const c = client(upload());
      for (let i = 0; i < 3; i++) await refused(submit(c, stream), `${path}, call ${i}`);
      // The client's own listener only: the stream is never iterated (Node's iterator left one of its own each time).
      expect(stream.listenerCount("error")).toBe(1);
    });

    it(`${path}: a web stream locked by a reader of the user's`, async () => {
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.enqueue(new Uint8Array(BYTES));
          controller.close();
        },
      });
      const reader = stream.getReader();
      await refused(submit(client(upload()), stream), path);
      // Still the user's: not cancelled, its content there to read.
      expect((await reader.read()).value?.byteLength).toBe(BYTES.length);
    });

    it(`${path}: a Node stream that is only paused, or heard, but gave nothing: sent whole`, async () => {
      const paused = createReadStream(file).pause();
      const heard = Readable.from([BYTES]);
      heard.on("readable", () => {});
      heard.on("end", () => {});
      for (const stream of [paused, heard]) {
        const before = api.arrived();
        expect((await submit(client(upload()), stream)).job_id).toBe("job_1");
        expect(api.arrived() - before).toBe(1);
        expect(api.seen.at(-1)!.bytes).toBeGreaterThan(BYTES.length);
      }
    });
  }
});

describe("a stream that gives no bytes", () => {
  it("collected (fetch): refused as an empty file is, naming the field, before any request", async () => {
    const before = api.arrived();
    for (const data of [
      Readable.from([]),
      new ReadableStream({ start: (controller) => controller.close() }),
      (async function* () {})(),
    ]) {
      const error = await submit(client(), data).catch((e) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.field).toBe("data");
      expect(error.message, String(data)).toContain('"data" must be a non-empty file (got "0 bytes")');
    }
    expect(api.arrived() - before).toBe(0);
  });
});
