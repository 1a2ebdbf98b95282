/**
 * A file input is read before anything is sent (a URL downloaded, a stream collected, without an upload function): each
 * read waits under the client's timeout and the call's deadline, and ends at once on an abort. The servers here are
 * small `node:http` ones on loopback: one for the file URLs, which never answers or sends a byte now and then, and one
 * standing for the API, which counts what reaches it.
 */
import { createServer, type ServerResponse } from "node:http";
import { PassThrough, Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AbortError, createDecartClient, type DecartClientOptions, models, TimeoutError } from "../src/index.js";
import { nodeUpload } from "../src/node.js";
import { json, serve, silent, until } from "./helpers.js";

let api: Awaited<ReturnType<typeof serve>>;
let files: string;
const open = new Set<ServerResponse>();
/** How many requests the file server was sent. */
let asked = 0;
const files$ = createServer((req, res) => {
  asked++;
  open.add(res);
  res.on("close", () => open.delete(res));
  // Headers, then a byte every 10 ms, never the end.
  if (req.url!.startsWith("/dribble")) {
    res.writeHead(200, { "content-type": "video/mp4" });
    const timer = setInterval(() => res.write("a"), 10);
    res.on("close", () => clearInterval(timer));
  }
  // Anything else: no answer at all.
});
beforeAll(async () => {
  api = await serve((_req, res) => json(res, 200, { job_id: "j1", status: "pending" }));
  await new Promise<void>((resolve) => files$.listen(0, "127.0.0.1", resolve));
  files = `http://127.0.0.1:${(files$.address() as { port: number }).port}`;
});
afterAll(async () => {
  await api.close();
  files$.closeAllConnections();
  await new Promise((resolve) => files$.close(resolve));
});

const client = (options: DecartClientOptions = {}) =>
  createDecartClient({ apiKey: "k", baseUrl: api.url, logger: silent, ...options });

describe("a file given as a URL", () => {
  it("whose server never answers ends by the client's timeoutMs: a TimeoutError naming the field and the URL, nothing sent", async () => {
    for (const upload of [undefined, nodeUpload()]) {
      const c = client({ timeoutMs: 50, upload });
      const url = `${files}/silent.mp4?sig=SECRET`;
      const calls = [
        c.queue.submit({ model: models.video("lucy-clip"), prompt: "x", data: url }),
        c.process({ model: models.image("lucy-pro-i2i"), prompt: "x", data: url }),
        c.files.upload(url),
      ];
      for (const [i, call] of calls.entries()) {
        const error = await call.catch((e) => e);
        expect(error).toBeInstanceOf(TimeoutError);
        expect(error).toMatchObject({ code: "TIMEOUT", retryable: true });
        expect(error.message).toBe(
          `Could not download "${i === 2 ? "file" : "data"}" from ${files}/silent.mp4: timed out (50 ms per read, or the budget)`,
        );
      }
    }
    expect(api.arrived()).toBe(0);
    await until(() => open.size === 0);
  });

  it("is not downloaded by a call whose signal was aborted already: AbortError, nothing asked of its server", async () => {
    const before = asked;
    const error = await client()
      .queue.submit({
        model: models.video("lucy-clip"),
        prompt: "x",
        data: `${files}/dribble.mp4`,
        signal: AbortSignal.abort(),
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(asked).toBe(before);
  });

  it("that sends a byte now and then ends at submitAndPoll's deadline (each read well within timeoutMs)", async () => {
    for (const upload of [undefined, nodeUpload()]) {
      const error = await client({ upload })
        .queue.submitAndPoll({
          model: models.video("lucy-clip"),
          prompt: "x",
          data: `${files}/dribble.mp4`,
          timeoutMs: 100,
        })
        .catch((e) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error.message).toBe(
        `Could not download "data" from ${files}/dribble.mp4: timed out (60000 ms per read, or the budget)`,
      );
    }
    expect(api.arrived()).toBe(0);
    // The downloads were ended: the file server's answers closed.
    await until(() => open.size === 0);
  });
});

/**
 * Inputs that stop sending (a Node stream, an async generator, a web stream), made by each function; `asked` is called
 * when one is first read.
 */
const stalled = (asked: () => void = () => {}) => ({
  "a Node stream": () => new Readable({ read: asked }),
  "an async iterable": () =>
    (async function* () {
      asked();
      await new Promise(() => {});
    })(),
  "a web stream": () =>
    new ReadableStream(
      {
        pull() {
          asked();
          return new Promise(() => {});
        },
      },
      { highWaterMark: 0 },
    ),
});

describe("a stream input that stops sending (collected, without an upload function)", () => {
  it("ends at once when the call's signal aborts: AbortError, a Node stream destroyed, nothing sent", async () => {
    let controller = new AbortController();
    for (const [kind, call] of Object.entries({
      submit: (data: unknown, signal: AbortSignal) =>
        client().queue.submit({ model: models.video("lucy-clip"), prompt: "x", data: data as Blob, signal }),
      submitAndPoll: (data: unknown, signal: AbortSignal) =>
        client().queue.submitAndPoll({ model: models.video("lucy-clip"), prompt: "x", data: data as Blob, signal }),
      process: (data: unknown, signal: AbortSignal) =>
        client().process({ model: models.image("lucy-pro-i2i"), prompt: "x", data: data as Blob, signal }),
      "files.upload": (data: unknown, signal: AbortSignal) => client().files.upload(data as Blob, { signal }),
    })) {
      for (const [input, make] of Object.entries(stalled(() => controller.abort()))) {
        // Aborted as the input is first read: it never sends.
        controller = new AbortController();
        const data = make();
        const error = await call(data, controller.signal).catch((e) => e);
        expect(error, `${kind}, ${input}`).toBeInstanceOf(AbortError);
        if (data instanceof Readable) expect(data.destroyed, kind).toBe(true);
      }
    }
    expect(api.arrived()).toBe(0);
  });

  it("ends at submitAndPoll's deadline, and a plain call by uploadTimeoutMs: a TimeoutError naming the field", async () => {
    for (const [input, make] of Object.entries(stalled())) {
      const data = make();
      const error = await client()
        .queue.submitAndPoll({ model: models.video("lucy-clip"), prompt: "x", data: data as never, timeoutMs: 100 })
        .catch((e) => e);
      expect(error, input).toBeInstanceOf(TimeoutError);
      expect(error.message).toBe('Could not read the input "data": timed out (600000 ms per read, or the budget)');
      if (data instanceof Readable) expect(data.destroyed).toBe(true);
    }
    for (const [input, make] of Object.entries(stalled())) {
      const error = await client({ uploadTimeoutMs: 50 })
        .files.upload(make() as never)
        .catch((e) => e);
      expect(error, input).toBeInstanceOf(TimeoutError);
      expect(error).toMatchObject({ code: "TIMEOUT", retryable: false });
      expect(error.message).toBe('Could not read the input "file": timed out (50 ms per read, or the budget)');
    }
    // A stream that sent a little, then stopped.
    const some = new PassThrough();
    some.write(new Uint8Array(10));
    const error = await client({ uploadTimeoutMs: 50 })
      .queue.submit({ model: models.video("lucy-clip"), prompt: "x", data: some })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(some.destroyed).toBe(true);
    expect(api.arrived()).toBe(0);
  });
});
