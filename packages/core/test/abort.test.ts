import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Emulator, FaultRule } from "@decart/emulator";
import { afterEach, describe, expect, it } from "vitest";
import { AbortError, createDecartClient, DecartError, models } from "../src/index.js";
import { nodeUpload } from "../src/node.js";
import { clientFor, lastingHandles, serve, silent, startFast } from "./helpers.js";

let emu: Emulator | undefined;
let before: Record<string, number>;

/** Counts handles before the emulator exists (its server has a timer of its own), then starts it. */
async function start(options: Parameters<typeof startFast>[0] = {}) {
  before = await lastingHandles();
  emu = await startFast(options);
  return emu;
}

/** After the emulator is closed, nothing of ours is left: no timer, no socket, no request. */
async function expectNothingLeft() {
  await emu!.close();
  emu = undefined;
  const after = await lastingHandles();
  for (const [kind, count] of Object.entries(after)) expect(count, kind).toBeLessThanOrEqual(before[kind] ?? 0);
}

/**
 * The sockets open in this process: the client's end of each connection and the emulator's. Taken while the emulator
 * still runs, so that a request the abort did not drop is still there (closing the emulator would end it).
 */
const sockets = async () => (await lastingHandles()).TCPSocketWrap ?? 0;

afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

/** Resolves once the emulator has seen `n` requests on `route`. */
async function seen(route: string, n = 1) {
  while ((emu!.stats().requests.byRoute[route] ?? 0) < n) await new Promise((r) => setTimeout(r, 2));
}

function expectAbort(error: unknown, jobId?: string) {
  expect(error).toBeInstanceOf(AbortError);
  expect(error).toBeInstanceOf(DecartError);
  expect((error as AbortError).name).toBe("AbortError");
  expect((error as AbortError).jobId).toBe(jobId);
}

describe("abort", () => {
  it("during the upload: the submit request is dropped, and no job id exists yet", async () => {
    await start({ faults: [{ route: "submit", kind: "slow", delayMs: 60_000 }] });
    const client = clientFor(emu!);
    const controller = new AbortController();
    const pending = client.queue
      .submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "never", signal: controller.signal })
      .catch((e) => e);
    await seen("submit");
    const open = await sockets();
    controller.abort();
    expectAbort(await pending);
    // The request's connection is closed by the abort (the emulator still holds its answer back).
    expect(await sockets()).toBeLessThan(open);
    await expectNothingLeft();
  });

  it("while a file input is still being read (a stream that never ends)", async () => {
    await start();
    const client = clientFor(emu!);
    const controller = new AbortController();
    let pulled!: () => void;
    const pulling = new Promise<void>((r) => {
      pulled = r;
    });
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(new Uint8Array(4));
        pulled();
        return new Promise(() => {});
      },
    });
    const pending = client.queue
      .submit({ model: models.video("lucy-pro-i2v"), prompt: "x", data: endless, signal: controller.signal })
      .catch((e) => e);
    await pulling;
    controller.abort();
    expectAbort(await pending);
    expect(emu!.stats().requests.total).toBe(0);
    await expectNothingLeft();
  });

  it("while waiting between polls: the sleep ends at once, with the job id", async () => {
    await start();
    const client = clientFor(emu!, { poll: { initialDelayMs: 60_000, intervalMs: 60_000 } });
    const controller = new AbortController();
    let jobId: string | undefined;
    const pending = client.queue
      .submitAndPoll({
        model: models.video("lucy-pro-t2v"),
        prompt: "[stuck]",
        signal: controller.signal,
        onSubmitted: (id) => {
          jobId = id;
          queueMicrotask(() => controller.abort());
        },
      })
      .catch((e) => e);
    const error = await pending;
    expectAbort(error, jobId);
    expect(emu!.job(jobId!)!.statusReads).toBe(0);
    await expectNothingLeft();
  });

  /** Starts a submitAndPoll against a faulty emulator, aborts once `route` is reached, and checks the rejection. */
  async function abortWhile(fault: FaultRule, prompt: string, route: string) {
    await start({ faults: [fault] });
    const client = clientFor(emu!);
    const controller = new AbortController();
    let jobId: string | undefined;
    const pending = client.queue
      .submitAndPoll({
        model: models.video("lucy-pro-t2v"),
        prompt,
        signal: controller.signal,
        onSubmitted: (id) => {
          jobId = id;
        },
      })
      .catch((e) => e);
    await seen(route);
    const open = await sockets();
    controller.abort();
    expectAbort(await pending, jobId);
    // The request's connection is closed by the abort (the emulator still holds its answer or its body back).
    expect(await sockets()).toBeLessThan(open);
    await expectNothingLeft();
  }

  it("during a status read of a stuck job", () =>
    abortWhile({ route: "status", kind: "slow", delayMs: 60_000 }, "[stuck]", "status"));

  it("during the download: a stalled body stops at once, with the job id", () =>
    abortWhile({ route: "content", kind: "stall" }, "stalls", "content"));

  it("while reading a download stream with progress", async () => {
    await start({ faults: [{ route: "content", kind: "stall" }] });
    const client = clientFor(emu!);
    const job = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "progress" });
    while ((await client.queue.status(job.job_id)).status !== "completed") await new Promise((r) => setTimeout(r, 10));
    const controller = new AbortController();
    const download = await client.queue.download(job.job_id, {
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    const error = await new Response(download.stream).arrayBuffer().catch((e) => e);
    expectAbort(error, job.job_id);
    await expectNothingLeft();
  });

  it("of an image generation in flight", async () => {
    await start({ faults: [{ route: "process", kind: "slow", delayMs: 60_000 }] });
    const client = clientFor(emu!);
    const controller = new AbortController();
    const pending = client
      .process({ model: models.image("lucy-pro-t2i"), prompt: "x", signal: controller.signal })
      .catch((e) => e);
    await seen("process");
    const open = await sockets();
    controller.abort();
    expectAbort(await pending);
    // The request's connection is closed by the abort (the emulator still holds its answer back).
    expect(await sockets()).toBeLessThan(open);
    await expectNothingLeft();
  });

  it("before anything starts: nothing is sent", async () => {
    await start();
    const client = clientFor(emu!);
    const signal = AbortSignal.abort();
    expectAbort(
      await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x", signal }).catch((e) => e),
    );
    expectAbort(await client.queue.status("job_x", { signal }).catch((e) => e), "job_x");
    expectAbort(await client.queue.wait("job_x", { signal }).catch((e) => e), "job_x");
    expect(emu!.stats().requests.total).toBe(0);
    await expectNothingLeft();
  });
});

describe("abort once the answer started (fetch, no upload function)", () => {
  it("of a submit or process says a job (or file) may exist, as a failure then does; of a read, nothing of a job", async () => {
    // Every answer starts (a 200 and the first bytes of its body: a job's JSON, an image), then nothing more comes. The client's fetch aborts
    // the call's signal once the answer has started and the transport has it (a turn of the event loop later: the
    // transport takes the answer in microtasks), so the abort comes while the body is read, however slow the machine.
    const api = await serve((req, res) => {
      const image = req.url!.startsWith("/v1/generate/");
      res.writeHead(200, { "content-type": image ? "image/png" : "application/json" });
      res.write(image ? "\x89PNG" : '{"job_id": "job_1", ');
    });
    let controller = new AbortController();
    const client = createDecartClient({
      apiKey: "k",
      baseUrl: api.url,
      logger: silent,
      maxRetries: 0,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        const current = controller;
        setImmediate(() => current.abort());
        return response;
      },
    });
    try {
      const submitted = await client.queue
        .submit({ model: models.video("lucy-pro-t2v"), prompt: "x", signal: controller.signal })
        .catch((e) => e);
      expectAbort(submitted);
      expect(submitted.message).toBe("The operation was aborted; a job (or file) may exist");
      controller = new AbortController();
      const image = await client
        .process({ model: models.image("lucy-pro-t2i"), prompt: "x", signal: controller.signal })
        .catch((e) => e);
      expectAbort(image);
      expect(image.message).toBe("The operation was aborted; a job (or file) may exist");
      controller = new AbortController();
      const read = await client.queue.status("job_1", { signal: controller.signal }).catch((e) => e);
      expectAbort(read, "job_1");
      expect(read.message).toBe("Job job_1: the operation was aborted; the job is not cancelled (it bills)");
      expect(api.seen.map((r) => r.method)).toEqual(["POST", "POST", "GET"]);
    } finally {
      await api.close();
    }
  });
});

describe("abort of a POST: a job (or file) may exist as the one rule says (mayHaveTaken, by its first answer)", () => {
  /**
   * A server on loopback: `answer` handles each request (it may answer a POST at once, before its body is read, or
   * hold it); `arrived` resolves with a request's method and path as it comes.
   */
  async function server(answer: (req: IncomingMessage, res: ServerResponse) => void) {
    const arrivals: string[] = [];
    let heard = () => {};
    const http = createServer((req, res) => {
      arrivals.push(`${req.method} ${req.url}`);
      heard();
      answer(req, res);
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    /** Resolves once `n` requests have arrived. */
    const arrived = (n: number) =>
      new Promise<void>((resolve) => {
        heard = () => arrivals.length >= n && resolve();
        heard();
      });
    const close = () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      });
    return { url: `http://127.0.0.1:${(http.address() as { port: number }).port}`, arrivals, arrived, close };
  }

  /** A web stream that never ends: an upload of it is never sent whole. */
  const endless = () =>
    new ReadableStream<Uint8Array>({ pull: (c) => c.enqueue(new Uint8Array(64 * 1024)) }, { highWaterMark: 0 });

  it("through nodeUpload(), a 303 answered before the body was whole, then aborted during its GET: a file may exist", async () => {
    // The server takes the upload at once and sends the client to the stored file, which it never answers.
    const api = await server((req, res) => {
      if (req.method === "POST") {
        req.resume();
        res.writeHead(303, { location: "/v1/files/file_1" });
        res.end();
      }
    });
    const controller = new AbortController();
    const client = createDecartClient({ apiKey: "k", baseUrl: api.url, logger: silent, upload: nodeUpload() });
    try {
      const pending = client.files.upload(endless(), { signal: controller.signal }).catch((e) => e);
      await api.arrived(2);
      controller.abort();
      const error = await pending;
      expectAbort(error);
      expect(error.message).toBe("The operation was aborted; a job (or file) may exist");
      expect(api.arrivals).toEqual(["POST /v1/files", "GET /v1/files/file_1"]);
    } finally {
      await api.close();
    }
  });

  it("with fetch, a submit the server holds unanswered: a job may exist, as a timeout there says", async () => {
    const api = await server(() => {});
    const controller = new AbortController();
    const client = createDecartClient({ apiKey: "k", baseUrl: api.url, logger: silent });
    try {
      const pending = client.queue
        .submit({ model: models.video("lucy-pro-t2v"), prompt: "x", signal: controller.signal })
        .catch((e) => e);
      await api.arrived(1);
      controller.abort();
      const error = await pending;
      expectAbort(error);
      expect(error.message).toBe("The operation was aborted; a job (or file) may exist");
    } finally {
      await api.close();
    }
  });
});
