/**
 * A file input is read before anything is sent (a URL downloaded, a stream collected, without an upload function): each
 * read waits under the client's timeout and the call's deadline, and ends at once on an abort. The servers here are
 * small `node:http` ones on loopback: one for the file URLs, which never answers or sends a byte now and then, and one
 * standing for the API, which counts what reaches it.
 */
import { createServer, type ServerResponse } from "node:http";
import { PassThrough, Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AbortError,
  createDecartClient,
  type DecartClientOptions,
  InvalidInputError,
  models,
  TimeoutError,
} from "../src/index.js";
import { nodeUpload } from "../src/node.js";
import { json, serve, silent, until } from "./helpers.js";

let api: Awaited<ReturnType<typeof serve>>;
/** The bodies the API was sent. */
const bodies: Buffer[] = [];
const stored = {
  id: "file_1",
  filename: "blob",
  mime_type: "application/octet-stream",
  size_bytes: 1,
  created_at: new Date(0).toISOString(),
  expires_at: null,
};
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
  api = await serve((req, res, body) => {
    bodies.push(body);
    json(res, 200, req.url === "/v1/files" ? stored : { job_id: "j1", status: "pending" });
  });
  await new Promise<void>((resolve) => files$.listen(0, "127.0.0.1", resolve));
  files = `http://127.0.0.1:${(files$.address() as { port: number }).port}`;
});
afterAll(async () => {
  await api.close();
  files$.closeAllConnections();
  await new Promise((resolve) => files$.close(resolve));
});

const client = (options: DecartClientOptions = {}) =>
  createDecartClient({ apiKey: "k", baseUrl: api.url, logger: silent, ...options } as DecartClientOptions);

describe("a file given as a URL", () => {
  it("whose server never answers ends by the client's timeoutMs: a TimeoutError naming the field and the URL, nothing sent", async () => {
    const sent = api.arrived();
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
          `Could not download "${i === 2 ? "file" : "data"}" from ${files}/silent.mp4: timed out (50 ms per read)`,
        );
      }
    }
    expect(api.arrived()).toBe(sent);
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
    const sent = api.arrived();
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
        `Could not download "data" from ${files}/dribble.mp4: timed out (the budget of 100 ms)`,
      );
    }
    expect(api.arrived()).toBe(sent);
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
    const sent = api.arrived();
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
    expect(api.arrived()).toBe(sent);
  });

  it("ends at submitAndPoll's deadline, and a plain call by uploadTimeoutMs: a TimeoutError naming the field", async () => {
    const sent = api.arrived();
    for (const [input, make] of Object.entries(stalled())) {
      const data = make();
      const error = await client()
        .queue.submitAndPoll({ model: models.video("lucy-clip"), prompt: "x", data: data as never, timeoutMs: 100 })
        .catch((e) => e);
      expect(error, input).toBeInstanceOf(TimeoutError);
      expect(error.message).toBe('Could not read the input "data": timed out (the budget of 100 ms)');
      if (data instanceof Readable) expect(data.destroyed).toBe(true);
    }
    for (const [input, make] of Object.entries(stalled())) {
      const error = await client({ uploadTimeoutMs: 50 })
        .files.upload(make() as never)
        .catch((e) => e);
      expect(error, input).toBeInstanceOf(TimeoutError);
      expect(error).toMatchObject({ code: "TIMEOUT", retryable: false });
      expect(error.message).toBe('Could not read the input "file": timed out (50 ms per read)');
    }
    // A stream that sent a little, then stopped.
    const some = new PassThrough();
    some.write(new Uint8Array(10));
    const error = await client({ uploadTimeoutMs: 50 })
      .queue.submit({ model: models.video("lucy-clip"), prompt: "x", data: some })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(some.destroyed).toBe(true);
    expect(api.arrived()).toBe(sent);
  });
});

describe("a stream input's chunks and failures (without an upload function)", () => {
  it("a chunk that is not bytes is refused, naming the field: nothing sent (it was sent as its text)", async () => {
    const sent = api.arrived();
    const cases: [data: () => unknown, problem: string][] = [
      [
        () =>
          (async function* () {
            yield { a: 1 };
          })(),
        "it gave an object, not bytes (Uint8Array)",
      ],
      [
        () =>
          (async function* () {
            yield new Uint8Array(3);
            yield 42;
          })(),
        "it gave number, not bytes (Uint8Array)",
      ],
      [() => Readable.from([[1, 2]]), "it gave an object, not bytes (Uint8Array)"],
      [() => Readable.from([{ frame: 1 }, 7], { objectMode: true }), "it gave an object, not bytes (Uint8Array)"],
      [() => new ReadableStream({ start: (c) => c.enqueue(true) }), "it gave boolean, not bytes (Uint8Array)"],
    ];
    for (const [make, problem] of cases) {
      const data = make();
      const error = await client()
        .queue.submit({ model: models.video("lucy-clip"), prompt: "x", data: data as never })
        .catch((e) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ field: "data", retryable: false });
      expect(error.message).toBe(`Could not read the input "data": ${problem}; nothing was sent`);
      if (data instanceof Readable) expect(data.destroyed).toBe(true);
    }
    expect(api.arrived()).toBe(sent);
  });

  it("text is sent as UTF-8, ArrayBuffers and views as their bytes (as nodeUpload() sends them)", async () => {
    const sent = api.arrived();
    const text = (async function* () {
      yield "héllo ";
      yield new TextEncoder().encode("wörld").buffer;
      yield new DataView(new TextEncoder().encode("!").buffer);
    })();
    await client().files.upload(text as never);
    expect(api.arrived()).toBe(sent + 1);
    expect(bodies.at(-1)!.includes(Buffer.from("héllo wörld!"))).toBe(true);
  });

  it("a stream that fails part-way is an InvalidInputError naming the field, its error the cause: nothing sent", async () => {
    const sent = api.arrived();
    const broken = new Error("disk gone");
    const failing = {
      "a web stream": () =>
        new ReadableStream({
          start(c) {
            c.enqueue(new Uint8Array(10));
            c.error(broken);
          },
        }),
      "an async iterable": () =>
        (async function* () {
          yield new Uint8Array(10);
          throw broken;
        })(),
    };
    const calls = {
      submit: (data: never) => client().queue.submit({ model: models.video("lucy-clip"), prompt: "x", data }),
      submitAndPoll: (data: never) =>
        client().queue.submitAndPoll({ model: models.video("lucy-clip"), prompt: "x", data }),
      process: (data: never) => client().process({ model: models.image("lucy-pro-i2i"), prompt: "x", data }),
      "files.upload": (data: never) => client().files.upload(data),
    };
    for (const [name, call] of Object.entries(calls)) {
      for (const [input, make] of Object.entries(failing)) {
        const error = await call(make() as never).catch((e) => e);
        expect(error, `${name}, ${input}`).toBeInstanceOf(InvalidInputError);
        const field = name === "files.upload" ? "file" : "data";
        expect(error).toMatchObject({ field, retryable: false, cause: broken });
        expect(error.message).toBe(`Could not read the input "${field}": disk gone; nothing was sent`);
      }
    }
    expect(api.arrived()).toBe(sent);
  });
});
