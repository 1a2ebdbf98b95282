/**
 * `nodeUpload()` against servers that misbehave in the ways real ones do: an answer before the body is read, a
 * connection refused or reset, a source that stalls or fails. Each server is a small `node:http`/`node:net` one on
 * loopback, made for the fault it plays.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import busboy from "busboy";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  AbortError,
  ConnectionError,
  createDecartClient,
  type DecartClientOptions,
  InvalidInputError,
  JobTimeoutError,
  models,
  RateLimitError,
  TimeoutError,
  type UploadProgress,
} from "../src/index.js";
import { fileFromPath, mayHaveTaken, nodeUpload } from "../src/node.js";
import { silent, until } from "./helpers.js";

/** Bytes that differ from one position to the next (a shifted request would not parse the same). */
const pattern = (length: number) => {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + (i >> 8)) & 0xff;
  return out;
};
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/**
 * Listens on a loopback port (`port`, or any), and closes the server after the test: its connections first (`close`,
 * or every connection of an HTTP server). Answers its URL.
 */
async function listen(http: Server | NetServer, port = 0, close = () => (http as Server).closeAllConnections()) {
  await new Promise<void>((resolve) => http.listen(port, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        close();
        http.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(http.address() as { port: number }).port}`;
}

/** A files answer, as the API gives it. */
const stored = (size: number) =>
  JSON.stringify({
    id: "file_test",
    filename: "blob",
    mime_type: "application/octet-stream",
    size_bytes: size,
    created_at: new Date(0).toISOString(),
    expires_at: null,
  });

/**
 * A server that answers each request with `early(n)`'s answer at once, before reading its body (when it gives one),
 * and otherwise reads the multipart body and answers 200 with the file's size; it records every file it read whole,
 * and every request's connection.
 */
async function server(early: (n: number) => { status: number; body: string } | undefined, port = 0) {
  const files: { sha256: string; size: number }[] = [];
  const sockets: Socket[] = [];
  let n = 0;
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    sockets.push(req.socket);
    const answer = early(++n);
    if (answer) {
      // The rest of the body is read and dropped (as proxies and servers do to keep the connection).
      req.resume();
      res.writeHead(answer.status, { "content-type": "application/json", "retry-after": "0" });
      res.end(answer.body);
      return;
    }
    const bb = busboy({ headers: req.headers });
    bb.on("file", (_name, stream) => {
      const hash = createHash("sha256");
      let size = 0;
      stream.on("data", (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
      });
      stream.on("end", () => files.push({ sha256: hash.digest("hex"), size }));
    });
    bb.on("close", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(stored(files.at(-1)?.size ?? 0));
    });
    bb.on("error", () => {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ detail: "unreadable multipart body" }));
    });
    req.pipe(bb);
  });
  const url = await listen(http, port);
  return { url, files, sockets };
}

/**
 * A client whose pool keeps connections (as Node's global agent does since Node 19), and whose waits before a retry
 * (and `settled()`) last until its first connection is either back in the pool or being closed: the next request then
 * gets it if it can be had.
 */
function client(baseUrl: string, options: DecartClientOptions = {}) {
  const agent = new Agent({ keepAlive: true });
  closers.push(async () => agent.destroy());
  const sockets: Socket[] = [];
  const connect = agent.createConnection.bind(agent);
  agent.createConnection = ((...args: Parameters<typeof connect>) => {
    const socket = connect(...args) as Socket;
    sockets.push(socket);
    return socket;
  }) as typeof connect;
  const settled = () =>
    new Promise<void>((resolve) => {
      const first = sockets[0];
      // (No connection made yet: none to wait for.)
      if (!first || first.writableEnded || first.destroyed || Object.keys(agent.freeSockets).length) return resolve();
      agent.once("free", () => resolve());
      first.once("finish", () => resolve());
      first.once("close", () => resolve());
    });
  const c = createDecartClient({
    apiKey: "k",
    baseUrl,
    logger: silent,
    upload: nodeUpload({ agent }),
    ...options,
    poll: { delay: settled, ...options.poll },
  } as DecartClientOptions);
  return Object.assign(c, { settled, sockets });
}

/** Resolves once `socket` is closed (the test times out if it stays open). */
const closed = (socket: Socket) =>
  new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once("close", () => resolve())));

// Larger than the socket buffers of loopback: an answer given at once is seen long before the body could be sent.
const SIZE = 24 * 1024 * 1024 + 3;
const big = pattern(SIZE);

describe("nodeUpload(): an answer before the body is sent", () => {
  it.each([429, 503])("after an early %i, the retry arrives whole on a new connection", async (status) => {
    const api = await server((n) => (n === 1 ? { status, body: '{"detail":"busy"}' } : undefined));
    const c = client(api.url);
    expect((await c.files.upload(new Blob([big]))).size_bytes).toBe(SIZE);
    expect(api.files).toEqual([{ sha256: sha(big), size: SIZE }]);
    // The request cut short did not lend its connection to the next one.
    expect(api.sockets[1]).not.toBe(api.sockets[0]);
  });

  it("after an early 413, the next upload arrives whole", async () => {
    const api = await server((n) => (n === 1 ? { status: 413, body: '{"detail":"too large"}' } : undefined));
    const c = client(api.url);
    const error = await c.files.upload(new Blob([big])).catch((e) => e);
    expect(error).toMatchObject({ status: 413, code: "PAYLOAD_TOO_LARGE" });
    await c.settled();
    const small = pattern(1000);
    expect((await c.files.upload(new Blob([small]))).size_bytes).toBe(1000);
    expect(api.files).toEqual([{ sha256: sha(small), size: 1000 }]);
  });
});

describe("nodeUpload(): a success answered before the body was sent", () => {
  // The server answers 200 with the whole job at once, without reading the body: the submit succeeds while the first
  // stream (endless) is being read, and the second was never reached. Both are ended with the call: the one being
  // read was, the other was left open (a file's descriptor never closed, a web stream never cancelled).
  it("ends every stream input, the ones it never reached too", async () => {
    const http = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ job_id: "job_early", status: "pending" }));
    });
    const url = await listen(http);
    const dir = await mkdtemp(join(tmpdir(), "decart-early-"));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    const png = join(dir, "frame.png");
    await writeFile(png, pattern(1000));
    const c = client(url);
    /** An endless Node stream, and a promise of its `close`. */
    const endlessNode = () => {
      const stream = new Readable({
        read() {
          this.push(pattern(64 * 1024));
        },
      });
      return { stream, ended: new Promise((resolve) => stream.once("close", () => resolve("destroyed"))) };
    };
    /** A web stream (endless, or read only on demand), and a promise of its cancel. */
    const web = (endless: boolean) => {
      let cancelled!: (how: string) => void;
      const ended = new Promise((resolve) => {
        cancelled = resolve;
      });
      const stream = new ReadableStream<Uint8Array>(
        {
          pull: (controller) => controller.enqueue(pattern(endless ? 64 * 1024 : 1000)),
          cancel: () => cancelled("cancelled"),
        },
        { highWaterMark: 0 },
      );
      return { stream, ended };
    };
    const file = () => {
      const stream = createReadStream(png);
      return { stream, ended: new Promise((resolve) => stream.once("close", () => resolve("destroyed"))) };
    };
    for (const [first, second] of [
      [endlessNode(), file()],
      [web(true), web(false)],
    ] as const) {
      const job = await c.queue.submit({
        model: models.video("lucy-clip"),
        prompt: "x",
        data: first.stream,
        reference_image: second.stream,
      } as never);
      expect(job.job_id).toBe("job_early");
      // (The test times out if either is left open.)
      expect(await Promise.all([first.ended, second.ended])).toEqual(
        first.stream instanceof Readable ? ["destroyed", "destroyed"] : ["cancelled", "cancelled"],
      );
    }
  });
});

/** A server that answers 429 once 1000 bytes of the request came, before the body was read whole; its URL. */
const earlyTooMany = () =>
  listen(
    createServer((req, res) => {
      let got = 0;
      req.on("data", (chunk: Buffer) => {
        got += chunk.length;
        if (got > 1000 && !res.headersSent)
          res.writeHead(429, { "content-type": "application/json", "retry-after": "0" }).end('{"detail":"slow down"}');
      });
    }),
  );

describe("nodeUpload(): stream inputs that throw when they are ended", () => {
  // A 429 before the body was read: the input being read, and those never reached, are ended from the answer's
  // listener. A destroy() (or an iterator) of the caller's that throws there went uncaught: the process ended.
  it("an early 429 ends the call with its RateLimitError; what the inputs threw is theirs", async () => {
    const url = await earlyTooMany();
    const throws = () => {
      throw new Error("destroy threw");
    };
    // Never reached: an async iterable whose destroy() throws, or one whose iterator's return() throws.
    for (const reference_image of [
      { async *[Symbol.asyncIterator]() {}, destroy: throws },
      { [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true }), return: throws }) },
    ]) {
      // The input being read: endless, its destroy() throws.
      const data = new Readable({
        read() {
          this.push(pattern(16 * 1024));
        },
      });
      data.destroy = throws as never;
      const error = await client(url, { maxRetries: 0 })
        .queue.submit({ model: models.video("lucy-clip"), prompt: "x", data, reference_image } as never)
        .catch((e) => e);
      expect(error).toBeInstanceOf(RateLimitError);
      expect(error.status).toBe(429);
    }
  });

  it("an early 429 ends the call with its RateLimitError: a web stream whose reader's cancel() throws, or gives no promise", async () => {
    const url = await earlyTooMany();
    for (const cancel of [
      () => {
        throw new Error("cancel threw");
      },
      () => undefined,
    ]) {
      // Endless; its reader's cancel() is the caller's own.
      const data = new ReadableStream({ pull: (c) => c.enqueue(pattern(16 * 1024)) });
      const getReader = data.getReader.bind(data);
      data.getReader = (() => Object.assign(getReader(), { cancel })) as never;
      const error = await client(url, { maxRetries: 0 })
        .queue.submit({ model: models.video("lucy-clip"), prompt: "x", data })
        .catch((e) => e);
      expect(error).toBeInstanceOf(RateLimitError);
    }
  });

  it("a web stream whose getReader() throws is its field's error, not a broken connection", async () => {
    const api = await silentServer();
    const data = new ReadableStream();
    data.getReader = (() => {
      throw new Error("no reader");
    }) as never;
    const error = await client(api.url)
      .queue.submit({ model: models.video("lucy-clip"), prompt: "x", data })
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: "data", retryable: false });
    expect(error.message).toMatch(/^Could not send the input "data": no reader; /);
  });
});

describe("nodeUpload(): an answer before the body was sent, its connection kept open", () => {
  // The server answers at once and goes on reading (and dropping) the body, its connection kept open; the input then
  // stops sending. The call succeeded, but its stream was waited on for ever: a Node stream never destroyed, a web
  // stream never cancelled, the connection never closed (the request was still being written).
  it("ends a stream input that stalls, and closes the connection", async () => {
    const http = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ job_id: "job_early", status: "pending" }));
    });
    const url = await listen(http);
    const c = client(url);
    // One chunk, then nothing ever.
    const node = new Readable({ read() {} });
    node.push(pattern(1000));
    let cancelled!: (how: string) => void;
    const web = new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(pattern(1000)),
      pull: () => new Promise(() => {}),
      cancel: () => cancelled("cancelled"),
    });
    const ended = [
      new Promise((resolve) => node.once("close", () => resolve("destroyed"))),
      new Promise((resolve) => {
        cancelled = resolve;
      }),
    ];
    for (const [i, data] of [node, web].entries()) {
      const job = await c.queue.submit({ model: models.video("lucy-clip"), prompt: "x", data: data as never });
      expect(job.job_id).toBe("job_early");
      // (The test times out if the stream, or the connection, is left open.)
      expect(await ended[i]).toBe(i ? "cancelled" : "destroyed");
      await closed(c.sockets[i]!);
    }
  });

  // The server stops reading the body, and answers once the client's writes wait for a drain that never comes. The
  // connection was to be closed once the answer was read, after those writes: it stayed open, and so did the stream.
  it("closes the connection once the answer is read, when the server stopped reading the body", async () => {
    const paused: Socket[] = [];
    const http = createNetServer((socket) => {
      socket.on("error", () => {});
      socket.once("data", () => {
        socket.pause();
        paused.push(socket);
      });
    });
    const url = await listen(http, 0, () => {
      for (const socket of paused) socket.destroy();
    });
    const c = client(url);
    // An endless stream, read while the server reads no more.
    const node = new Readable({
      read() {
        this.push(pattern(64 * 1024));
      },
    });
    for (const [i, data] of [new Blob([big]), node].entries()) {
      const uploaded = c.files.upload(data);
      // The client's writes wait: the server's buffers, and the connection's, are full.
      await until(() => paused.length > i && !!c.sockets[i]?.writableNeedDrain);
      const body = stored(SIZE);
      paused[i]!.write(
        `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
      );
      expect((await uploaded).size_bytes).toBe(SIZE);
      // (The test times out if the connection is left open.)
      await closed(c.sockets[i]!);
    }
    expect(c.sockets.length).toBe(2);
    expect(node.destroyed).toBe(true);
  });
});

/** A server that reads every body and never answers: only an abort or a timeout ends an upload to it. */
async function silentServer() {
  const bodies: number[] = [];
  let got: () => void;
  // Resolves once the server holds bytes of a body.
  const held = new Promise<void>((resolve) => (got = resolve));
  const http = createServer((req) => {
    const at = bodies.push(0) - 1;
    req.on("data", (chunk: Buffer) => {
      bodies[at]! += chunk.length;
      got();
    });
  });
  const url = await listen(http);
  return { url, bodies, held };
}

describe("nodeUpload(): a source waiting for its next chunk", () => {
  it("a web stream is cancelled on abort", async () => {
    const api = await silentServer();
    const controller = new AbortController();
    let cancelled!: (reason: unknown) => void;
    const cancel = new Promise((resolve) => {
      cancelled = resolve;
    });
    // One chunk, then nothing ever: the upload waits on the source.
    const stalled = new ReadableStream<Uint8Array>({
      start: (c) => c.enqueue(pattern(1000)),
      pull: () => new Promise(() => {}),
      cancel: (reason) => cancelled(reason ?? "cancelled"),
    });
    const error = await client(api.url)
      .files.upload(stalled, {
        signal: controller.signal,
        onUploadProgress: ({ sentBytes }) => {
          if (sentBytes === 1000) controller.abort();
        },
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(AbortError);
    // (The test times out if the source is left waiting.)
    expect(await cancel).toBeDefined();
  });

  it("a Node stream is destroyed on a timeout", async () => {
    const api = await silentServer();
    const stalled = new Readable({ read() {} });
    stalled.push(pattern(1000));
    const destroyed = new Promise((resolve) => stalled.once("close", () => resolve(stalled.destroyed)));
    // The timeout fires whatever the machine's pace: the source never gives a second chunk.
    const error = await client(api.url, { uploadTimeoutMs: 50, maxRetries: 0 })
      .files.upload(stalled)
      .catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(await destroyed).toBe(true);
  });
});

describe("nodeUpload(): a stream that stops sending, and uploadTimeoutMs", () => {
  // The request is the stream's read: uploadTimeoutMs bounds the whole upload, reads of the stream included, not each
  // read (as it bounds each read of a stream collected before the request, without an upload function).
  it("bounds the whole upload, not each read: a stream that keeps sending is cut too", async () => {
    const api = await silentServer();
    let chunks = 0;
    const endless = new Readable({
      read() {
        chunks++;
        this.push(pattern(16 * 1024));
      },
    });
    const error = await client(api.url, { uploadTimeoutMs: 50, maxRetries: 0 })
      .files.upload(endless)
      .catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: "TIMEOUT", retryable: true });
    expect(chunks).toBeGreaterThan(1);
    expect(endless.destroyed).toBe(true);
  });

  // A stream that stopped sending was read by the request that timed out: the retry cannot send it, and says why. It
  // said that the request "ended with The operation was aborted", not that the input had stalled, nor which one.
  it("a retry fails UPLOAD_NOT_REPEATABLE naming the input that stopped sending", async () => {
    const api = await silentServer();
    const stalled = new Readable({ read() {} });
    stalled.push(pattern(1000));
    const error = await client(api.url, { uploadTimeoutMs: 50 })
      .queue.submit({ model: models.video("lucy-clip"), prompt: "x", data: stalled })
      .catch((e) => e);
    expect(error).toMatchObject({ code: "UPLOAD_NOT_REPEATABLE", retryable: false });
    expect(error.message).toMatch(
      /; the request that read it ended with the input "data" sending nothing more until the request was aborted \(by its timeout, uploadTimeoutMs or the call's budget, or by the call's signal\)$/,
    );
    expect(error.cause.cause).toMatchObject({ name: "AbortError" });
    expect(stalled.destroyed).toBe(true);
  });

  // The budget of submitAndPoll cuts the request (the submit), whose retry would come after it: a JobTimeoutError, as
  // for any submit the budget cut before its body was sent (the cause says the request timed out). Without an upload
  // function the stream is read before the request, and its stall is a TimeoutError naming the field instead.
  // The budget runs on the test's time, a clock (`poll.now`) and timers moved by it once the server holds the body: on a
  // busy machine the request reaches the server whenever it does, and the budget ends after that, never before.
  it("submitAndPoll's budget ends it in JobTimeoutError, the TimeoutError its cause, the stream destroyed", async () => {
    const api = await silentServer();
    const stalled = new Readable({ read() {} });
    stalled.push(pattern(1000));
    let t = 0;
    let error: any;
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const c = client(api.url, { poll: { now: () => t } });
      const ended = c.queue
        .submitAndPoll({ model: models.video("lucy-clip"), prompt: "x", data: stalled, timeoutMs: 100 })
        .catch((e) => e);
      await api.held;
      t = 100;
      await vi.advanceTimersByTimeAsync(100);
      error = await ended;
    } finally {
      vi.useRealTimers();
    }
    expect(error).toBeInstanceOf(JobTimeoutError);
    expect(error.message).toMatch(/^The submit not done within 100 ms/);
    expect(error.cause).toBeInstanceOf(TimeoutError);
    expect(error.cause).toMatchObject({ code: "TIMEOUT" });
    expect(stalled.destroyed).toBe(true);
    expect(api.bodies.length).toBe(1);
  });
});

/** A loopback port with nothing listening on it (yet). */
async function freePort() {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * A client (nodeUpload) of `port`, where nothing listens yet: the server starts there during the wait before the
 * retry (after `before`), and `api.files` are the files it stored.
 */
function serverOnRetry(port: number, before?: () => void) {
  const api: { files?: { sha256: string; size: number }[] } = {};
  const c = createDecartClient({
    apiKey: "k",
    baseUrl: `http://127.0.0.1:${port}`,
    logger: silent,
    upload: nodeUpload(),
    poll: {
      delay: async () => {
        before?.();
        api.files = (await server(() => undefined, port)).files;
      },
    },
  });
  return { c, api };
}
describe("nodeUpload(): an input it cannot read is refused before anything is sent", () => {
  const boom = () => {
    throw new Error("cannot be read");
  };
  /** Inputs whose stream (or part header) cannot be had, and why each is refused. */
  const unreadable: [what: string, make: () => unknown, reason: RegExp][] = [
    ["an iterable that gives no iterator", () => ({ [Symbol.asyncIterator]: () => undefined }), /gave no iterator/],
    [
      "an iterable that gives an iterator without next",
      () => ({ [Symbol.asyncIterator]: () => ({}) }),
      /gave no iterator/,
    ],
    ["an iterable whose iterator method throws", () => ({ [Symbol.asyncIterator]: boom }), /cannot be read/],
    [
      "a web stream locked by a reader",
      () => {
        const stream = new ReadableStream();
        stream.getReader();
        return stream;
      },
      /used already: give a new stream for each call/,
    ],
    [
      "a Node stream whose path cannot be read",
      () => Object.defineProperty(Readable.from([pattern(10)]), "path", { get: boom }),
      /cannot be read/,
    ],
  ];

  it.each(unreadable)("%s: an InvalidInputError naming the field, no connection made", async (_what, make, reason) => {
    const api = await silentServer();
    const c = client(api.url);
    for (const [field, call] of [
      ["file", () => c.files.upload(make() as never)],
      ["data", () => c.queue.submit({ model: models.video("lucy-clip"), prompt: "x", data: make() as never })],
    ] as const) {
      const error = await call().catch((e) => e);
      expect(error, String(error?.stack)).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ field, retryable: false });
      expect(error.message).toMatch(new RegExp(`^Could not read the input "${field}": .+; nothing was sent$`));
      expect(error.message).toMatch(reason);
    }
    expect(c.sockets).toHaveLength(0);
    expect(api.bodies).toHaveLength(0);
  });

  it("an iterable that gives a new iterator each time, left unread by a call, is sent whole by the next call", async () => {
    const api = await server((n) => (n === 1 ? { status: 429, body: '{"detail":"busy"}' } : undefined));
    const c = client(api.url, { maxRetries: 0 });
    const chunk = pattern(3000);
    const again = {
      async *[Symbol.asyncIterator]() {
        yield chunk;
      },
    };
    // Endless: the 429 comes while it is sent, and the iterable (a later field) is never reached, its iterator ended.
    const data = new Readable({
      read() {
        this.push(pattern(16 * 1024));
      },
    });
    const first = await c.queue
      .submit({ model: models.video("lucy-clip"), prompt: "x", data, reference_image: again } as never)
      .catch((e) => e);
    expect(first).toBeInstanceOf(RateLimitError);
    expect((await c.files.upload(again)).size_bytes).toBe(chunk.length);
    expect(api.files).toEqual([{ sha256: sha(chunk), size: chunk.length }]);
  });

  it("an iterable that gives one iterator only is sent whole by the retry after a refused connection", async () => {
    const port = await freePort();
    const chunks = [pattern(1000), pattern(2000)];
    let asked = 0;
    const once = {
      [Symbol.asyncIterator]() {
        if (asked++) throw new Error("iterated twice");
        return (async function* () {
          yield* chunks;
        })();
      },
    };
    const { c, api } = serverOnRetry(port);
    const whole = Buffer.concat(chunks);
    expect((await c.files.upload(once)).size_bytes).toBe(whole.length);
    expect(api.files).toEqual([{ sha256: sha(whole), size: whole.length }]);
    expect(asked).toBe(1);
  });
});

describe("nodeUpload(): a connection refused", () => {
  it("reads nothing of a stream: the retry sends it whole", async () => {
    const port = await freePort();
    const chunks = Array.from({ length: 8 }, (_, i) => pattern(64 * 1024 + i));
    let pulled = 0;
    const source = Readable.from(
      (function* () {
        for (const chunk of chunks) {
          pulled++;
          yield chunk;
        }
      })(),
    );
    // Nothing of the stream is read before the retry.
    const { c, api } = serverOnRetry(port, () => expect(pulled).toBe(0));
    const whole = Buffer.concat(chunks);
    expect((await c.files.upload(source)).size_bytes).toBe(whole.length);
    expect(api.files).toEqual([{ sha256: sha(whole), size: whole.length }]);
  });

  it("fails with CONNECTION_REFUSED (its cause kept), the stream unread", async () => {
    const port = await freePort();
    let pulled = 0;
    const source = new Readable({
      read() {
        pulled++;
        this.push(pattern(1000));
      },
    });
    const error = await client(`http://127.0.0.1:${port}`, { maxRetries: 0 })
      .files.upload(source)
      .catch((e) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "CONNECTION_REFUSED", retryable: true, cause: { code: "ECONNREFUSED" } });
    expect(pulled).toBe(0);
  });
});

describe("nodeUpload(): whether a failure may have made a job", () => {
  it("a connection reset before the body was whole made nothing: retryable, not SUBMIT_OUTCOME_UNKNOWN", async () => {
    // Reads a little of the first request, then resets the connection.
    const reset = createNetServer((socket) => {
      socket.once("data", () => socket.resetAndDestroy());
    });
    await new Promise<void>((resolve) => reset.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise<void>((resolve) => reset.close(() => resolve())));
    const url = `http://127.0.0.1:${(reset.address() as { port: number }).port}`;
    const error = await client(url, { maxRetries: 0 })
      .files.upload(new Blob([big]))
      .catch((e) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "CONNECTION_ERROR", retryable: true });
    expect(error.message).not.toMatch(/may exist/);
  });

  // A server that answers 2xx took the request, whether or not it read the whole body first: an answer cut short then
  // may have made a job, as one cut short after the body was sent. It was taken as a failure before the body was
  // whole (nodeUpload had not said the body went), retryable: the submit was sent three times.
  it("a 200 given before the body was whole, its JSON cut short: SUBMIT_OUTCOME_UNKNOWN, not sent again", async () => {
    let posts = 0;
    const http = createServer((req, res) => {
      posts++;
      // The body is not read (the client's writes stop at the connection's buffers); the answer's JSON ends short of
      // its Content-Length (the connection ended, without a reset).
      res.writeHead(200, { "content-type": "application/json", "content-length": "64", "x-request-id": "req_early" });
      res.write('{"job_id":"job_early","sta', () => req.socket.end());
    });
    const url = await listen(http);
    const error = await client(url)
      .queue.submit({ model: models.video("lucy-clip"), prompt: "x", data: new Blob([big], { type: "video/mp4" }) })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false, requestId: "req_early" });
    expect(error.message).toMatch(/\(request req_early\); a job \(or file\) may exist/);
    expect(posts).toBe(1);
  });

  it("mayHaveTaken: the one rule, by the answer's status and what the upload function says of the body", () => {
    // [status, bodySent, may have taken]
    const cases: [number | undefined, boolean | undefined, boolean][] = [
      [200, false, true],
      [303, false, true],
      [303, undefined, true],
      [300, undefined, true],
      [304, true, true],
      // A redirect that asks for the same request elsewhere: the server that answered it took nothing.
      [301, undefined, false],
      [302, true, false],
      [307, undefined, false],
      [308, false, false],
      [408, true, false],
      [429, true, false],
      [422, undefined, false],
      [503, true, false],
      [500, true, true],
      [500, false, false],
      [502, undefined, true],
      [undefined, true, true],
      [undefined, undefined, true],
      [undefined, false, false],
    ];
    for (const [status, bodySent, taken] of cases)
      expect(mayHaveTaken(status, bodySent), `${status} ${bodySent}`).toBe(taken);
  });

  // A redirect (3xx) says the server took the request too, whether or not it read the whole body first (nodeUpload's
  // bodySent stays false): a failure of the request that follows it (a GET) may have lost a job. It was retryable, and
  // the POST was sent again.
  it("a 303 given before the body was whole, its GET reset: SUBMIT_OUTCOME_UNKNOWN, the POST not sent again", async () => {
    const posts: string[] = [];
    let gets = 0;
    const http = createServer((req, res) => {
      if (req.method !== "POST") {
        gets++;
        return req.socket.resetAndDestroy();
      }
      posts.push(req.url!);
      res.writeHead(303, { location: "/v1/files/file_early", "x-request-id": "req_see" });
      res.end();
    });
    const url = await listen(http);
    const error = await client(url)
      .files.upload(new Blob([big]))
      .catch((e) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false });
    expect(error.message).toMatch(/a job \(or file\) may exist/);
    expect(posts).toEqual(["/v1/files"]);
    expect(gets).toBe(1);
  });

  it("an input that fails is the caller's error, naming it: not retried, nothing made", async () => {
    const api = await silentServer();
    const broken = new Error("disk read failed");
    const failing = Readable.from(
      (async function* () {
        yield pattern(1000);
        throw broken;
      })(),
    );
    const error = await client(api.url, { retrySubmit: true })
      .files.upload(failing)
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: "file", retryable: false, cause: broken });
    expect(error.message).toMatch(/Could not send the input "file": disk read failed; .*nothing was made/);
  });

  it("a chunk that is not bytes is refused, naming the input", async () => {
    const api = await silentServer();
    const odd = (async function* () {
      yield 42 as unknown as Uint8Array;
    })();
    const error = await client(api.url)
      .files.upload(odd)
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(/"file": it gave number, not bytes/);
  });

  it("a chunk that cannot be read is the input's failure, naming it: not a broken connection", async () => {
    const api = await silentServer();
    /** A view whose buffer was transferred (as to a worker): detached. */
    const detached = () => {
      const bytes = new Uint8Array(8);
      structuredClone(bytes, { transfer: [bytes.buffer] });
      return bytes;
    };
    const boom = () => {
      throw new Error("result unreadable");
    };
    /** An iterable whose one result is `result`. */
    const giving = (result: unknown) => ({ [Symbol.asyncIterator]: () => ({ next: async () => result }) });
    const sources: [what: string, make: () => unknown, reason: RegExp][] = [
      [
        "a detached ArrayBuffer",
        () =>
          (async function* () {
            yield detached().buffer;
          })(),
        /detached/,
      ],
      ["a detached view, from a Node stream in object mode", () => Readable.from([detached()]), /detached/],
      [
        "a detached view, from a web stream",
        () => new ReadableStream({ start: (c) => c.enqueue(detached()) }),
        /detached/,
      ],
      ["no result", () => giving(undefined), /undefined/],
      [
        "a result whose value getter throws",
        () => giving(Object.defineProperty({}, "value", { get: boom })),
        /result unreadable/,
      ],
      [
        "a result whose done getter throws",
        () => giving(Object.defineProperty({}, "done", { get: boom })),
        /result unreadable/,
      ],
    ];
    for (const [what, make, reason] of sources) {
      const error = await client(api.url)
        .files.upload(make() as never)
        .catch((e) => e);
      expect(error, `${what}: ${error?.stack}`).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ field: "file", retryable: false, code: "INVALID_INPUT" });
      expect(error.message).toMatch(
        /^Could not send the input "file": .+; the upload stopped before its end, nothing was made$/,
      );
      expect(error.message, what).toMatch(reason);
    }
  });

  it("a Node stream that fails before it is read (a file that cannot be opened) is its field's error, not the process's", async () => {
    const api = await server(() => undefined);
    const missing = join(tmpdir(), `decart-missing-${process.pid}`, "in.png");
    // The only stream: its open fails while the connection is made.
    const alone = await client(api.url)
      .files.upload(createReadStream(missing))
      .catch((e) => e);
    expect(alone, String(alone?.stack)).toBeInstanceOf(InvalidInputError);
    expect(alone).toMatchObject({ field: "file", retryable: false, cause: { code: "ENOENT" } });
    // A later field's: it fails while the first one is sent (which waits for it to have failed).
    const reference_image = createReadStream(missing);
    let sent = 0;
    const data = new Readable({
      read() {
        if (sent++) void until(() => reference_image.destroyed).then(() => this.push(null));
        else this.push(pattern(1000));
      },
    });
    const later = await client(api.url)
      .queue.submit({ model: models.video("lucy-clip"), prompt: "x", data, reference_image } as never)
      .catch((e) => e);
    expect(later, String(later?.stack)).toBeInstanceOf(InvalidInputError);
    expect(later).toMatchObject({ field: "reference_image", retryable: false, cause: { code: "ENOENT" } });
    expect(later.message).toMatch(/^Could not send the input "reference_image" \(.+in\.png\): ENOENT/);
  });

  it("an abort says a job (or file) may exist once the whole body was sent, and not before", async () => {
    const api = await silentServer();
    const c = client(api.url);
    for (const whole of [false, true]) {
      const controller = new AbortController();
      const error = await c.files
        .upload(new Blob([pattern(3 * 256 * 1024)]), {
          signal: controller.signal,
          onUploadProgress: ({ sentBytes, totalBytes }) => {
            if (whole ? sentBytes === totalBytes : sentBytes > 0) controller.abort();
          },
        })
        .catch((e) => e);
      expect(error).toBeInstanceOf(AbortError);
      expect(error.code).toBe("ABORT");
      if (whole) expect(error.message).toMatch(/a job \(or file\) may exist/);
      else expect(error.message).not.toMatch(/may exist/);
    }
  });
});

describe("nodeUpload(): chunks of other kinds", () => {
  it("text is sent as UTF-8, counted in bytes; an ArrayBuffer as its bytes", async () => {
    const api = await server(() => undefined);
    const c = client(api.url);
    const text = new ReadableStream<unknown>({
      start(controller) {
        controller.enqueue("héllo ");
        controller.enqueue(new TextEncoder().encode("wörld").buffer);
        controller.close();
      },
    });
    const events: UploadProgress[] = [];
    const bytes = Buffer.from("héllo wörld");
    const stored = await c.files.upload(text as ReadableStream<Uint8Array>, {
      onUploadProgress: (p) => events.push(p),
    });
    expect(stored.size_bytes).toBe(bytes.length);
    expect(api.files).toEqual([{ sha256: sha(bytes), size: bytes.length }]);
    expect(events.map((e) => e.sentBytes)).toEqual([0, 7, 13, 13]);
    expect(events.at(-1)).toEqual({ sentBytes: 13, totalBytes: 13 });
  });
});

describe("fileFromPath: what cannot be sent is refused up front", () => {
  it("a missing path, a directory and a pipe: an InvalidInputError naming the path", async () => {
    const dir = await mkdtemp(join(tmpdir(), "decart-path-"));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    const missing = join(dir, "nope.mp4");
    const error = await fileFromPath(missing).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: "path", cause: { code: "ENOENT" } });
    expect(error.message).toContain(`fileFromPath("${missing}")`);
    expect(error.message).toMatch(/give the path of a readable file/);
    const directory = await fileFromPath(dir).catch((e) => e);
    expect(directory).toBeInstanceOf(InvalidInputError);
    expect(directory.message).toMatch(/it is a directory/);
    if (process.platform !== "win32") {
      const fifo = join(dir, "pipe");
      execFileSync("mkfifo", [fifo]);
      const pipe = await fileFromPath(fifo).catch((e) => e);
      expect(pipe).toBeInstanceOf(InvalidInputError);
      expect(pipe.message).toMatch(/not a regular file/);
    }
    const file = join(dir, "clip.mp4");
    await writeFile(file, pattern(10));
    expect(await fileFromPath(file)).toMatchObject({ name: "clip.mp4", size: 10, type: "video/mp4" });
  });
});

describe("nodeUpload(): a stream that would have to be sent again", () => {
  it("fails UPLOAD_NOT_REPEATABLE with how the request that read it ended as cause", async () => {
    const reset = createNetServer((socket) => {
      socket.once("data", () => socket.resetAndDestroy());
    });
    await new Promise<void>((resolve) => reset.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise<void>((resolve) => reset.close(() => resolve())));
    const url = `http://127.0.0.1:${(reset.address() as { port: number }).port}`;
    const error = await client(url, { maxRetries: 1 })
      .files.upload(Readable.from([big.subarray(0, SIZE >> 1), big.subarray(SIZE >> 1)]))
      .catch((e) => e);
    expect(error).toMatchObject({ code: "UPLOAD_NOT_REPEATABLE", cause: { code: "ECONNRESET" } });
    expect(error.message).toMatch(/the request that read it ended with .*ECONNRESET/);
  });
});
