import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer } from "node:net";
import { type Emulator, type EmulatorOptions, startEmulator } from "@decart/emulator";
import { afterAll, beforeAll, expect } from "vitest";
import {
  createDecartClient,
  type DecartClient,
  type DecartClientOptions,
  type DelayFunction,
  InvalidInputError,
} from "../src/index.js";

export { lastingHandles, watchedFetch } from "test-utils";

/** A quick fixed schedule for jobs of the "fast" emulator (20 ms pending + 60 ms processing). */
export const fastPoll = { initialDelayMs: 10, intervalMs: 15 } as const;

export const silent = { warn: () => {}, debug: () => {} };

export function startFast(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ timing: "fast", ...options });
}

export function clientFor(emu: Emulator, options: DecartClientOptions = {}) {
  return createDecartClient({
    apiKey: emu.apiKey,
    baseUrl: emu.url,
    logger: silent,
    ...options,
    poll: { ...fastPoll, ...options.poll },
  } as DecartClientOptions);
}

/**
 * A file's emulator (`startFast(options)`), started before its tests and closed after them, and a client of it
 * (`clientFor`): read them through the getters, which answer them once the tests run (`beforeAll` sets them).
 */
export function useEmulatorClient(options?: EmulatorOptions) {
  let emu: Emulator | undefined;
  let client: DecartClient | undefined;
  beforeAll(async () => {
    emu = await startFast(options);
    client = clientFor(emu);
  });
  afterAll(() => emu?.close());
  return {
    get emu() {
      return emu!;
    },
    get client() {
      return client!;
    },
  };
}

/** What `call` was refused with (undefined when it was not), and how many requests reached `emu` meanwhile. */
export async function refusal(emu: Emulator, call: () => Promise<unknown>) {
  const before = emu.stats().requests.total;
  const error = await call().then(
    () => undefined,
    (e) => e,
  );
  return [error, emu.stats().requests.total - before] as const;
}

/**
 * Expects `call` refused before any request reached `emu`: an `InvalidInputError` naming the field `data`, whose message
 * is `message` (or matches it).
 */
export async function expectDataRefused(emu: Emulator, call: () => Promise<unknown>, message: string | RegExp) {
  const [error, sent] = await refusal(emu, call);
  expect(error).toBeInstanceOf(InvalidInputError);
  expect(error.field).toBe("data");
  if (typeof message === "string") expect(error.message).toBe(message);
  else expect(error.message).toMatch(message);
  expect(sent).toBe(0);
}

/** A delay that does not wait, and records what it was asked for (then tells `waited`, if given). */
export function instantDelay(waited?: (ms: number) => void): DelayFunction & { calls: number[] } {
  const calls: number[] = [];
  const fn = (async (ms: number, signal?: AbortSignal) => {
    calls.push(ms);
    waited?.(ms);
    signal?.throwIfAborted();
  }) as DelayFunction & { calls: number[] };
  fn.calls = calls;
  return fn;
}

/**
 * Time that passes only in waits, for a client's `poll`: a clock (`now`, from 0) that moves by each wait `delay` (an
 * `instantDelay`) is asked for, and by nothing else. A client on it asks for the waits its schedule wants, to the ms:
 * on the real clock, a wait is counted from when it was decided, so a millisecond that ticks before it starts (a busy
 * machine) takes one off it.
 */
export function virtualTime() {
  let t = 0;
  const delay = instantDelay((ms) => {
    t += ms;
  });
  return { now: () => t, delay };
}

/**
 * A client of the server at `url` (key "k", silent) on `time` (a `virtualTime`, a new one if not given): its clock and
 * its waits, none waited, each recorded in `delay.calls`; `options` go over those (a `poll.now` of its own too).
 */
export function virtualClient(url: string, options: DecartClientOptions = {}, time = virtualTime()) {
  const client = createDecartClient({
    apiKey: "k",
    baseUrl: url,
    logger: silent,
    ...options,
    poll: { now: time.now, delay: time.delay, ...options.poll },
  } as DecartClientOptions);
  return { client, ...time };
}

/** Runs what the event loop has queued now: every pending microtask, then a few turns (no timer is waited for). */
export async function drain(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Randomness for the emulator's fault sampling: the first `n` samples fire a fault of rate < 1, then none do. */
export function firstN(n: number): () => number {
  let calls = 0;
  return () => (calls++ < n ? 0 : 0.999);
}

/** A port on loopback where nothing listens. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function sha256(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return Buffer.from(digest).toString("hex");
}

/** Resolves once `condition` holds (checked every 2 ms; the test's own timeout bounds it). */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
}

/** A tiny web server for URL inputs: serves `bytes` at any path, counting hits. */
export async function serveBytes(bytes: Uint8Array, type: string) {
  let hits = 0;
  let sawKey = false;
  const server = createHttpServer((req, res) => {
    hits++;
    if (req.headers["x-api-key"]) sawKey = true;
    res.writeHead(200, { "content-type": type, "content-length": bytes.byteLength });
    res.end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    sawKey: () => sawKey,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>;

/**
 * A purpose-built server on loopback, for the answers the emulator cannot make: records every request (method, path,
 * key; once its body is in), counts the requests that arrived (bodies in or not), and answers with `handler`.
 */
export async function serve(handler: Handler) {
  const seen: { method: string; path: string; key: string | undefined; bytes: number }[] = [];
  let arrived = 0;
  const server = createHttpServer(async (req, res) => {
    arrived++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    seen.push({ method: req.method!, path: req.url!, key: req.headers["x-api-key"] as string, bytes: body.length });
    await handler(req, res, body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    arrived: () => arrived,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An error's message and stack, and those of its causes, with every other own property written out. */
export const chainText = (error: unknown): string => {
  const texts: string[] = [];
  for (let e = error as Record<string, unknown> | undefined, depth = 0; e && depth < 9; e = e.cause as never, depth++) {
    texts.push(String(e.message), String(e.stack));
    for (const key of Object.getOwnPropertyNames(e)) texts.push(`${key}: ${String(e[key])}`);
  }
  return texts.join("\n");
};

export const json = (res: ServerResponse, status: number, value: unknown) => {
  res.writeHead(status, { "content-type": "application/json", "x-request-id": "req_test" });
  res.end(JSON.stringify(value));
};

/**
 * A client of the server at `url` (key "k", silent, `timeoutMs`, jitter 0.5) on a clock the test alone moves
 * (`clock.t`, from 0), whose waits the test lets go: `letWaitsGo(n, ended)`, each time every one of `n` calls waits or
 * has ended (`ended()` of them), lets the earliest wait go, the clock moved to its end, until all `n` have ended.
 * `closings()` counts the closings of its rate-limit gate.
 */
export function steppedClient(url: string, timeoutMs: number) {
  const clock = { t: 0 };
  const waits: { end: number; go: () => void }[] = [];
  const client = createDecartClient({
    apiKey: "k",
    baseUrl: url,
    logger: silent,
    timeoutMs,
    random: () => 0.5,
    poll: {
      now: () => clock.t,
      delay: (ms, signal) =>
        new Promise((go, fail) => {
          waits.push({ end: clock.t + ms, go });
          signal?.addEventListener("abort", () => fail(signal.reason));
        }),
    },
  });
  let closings = 0;
  client.rateLimit.subscribe(() => closings++);
  return {
    client,
    clock,
    closings: () => closings,
    async letWaitsGo(n: number, ended: () => number) {
      while (ended() < n) {
        await until(() => ended() + waits.length === n);
        waits.sort((a, b) => a.end - b.end);
        const next = waits.shift();
        if (!next) continue;
        clock.t = Math.max(clock.t, next.end);
        next.go();
      }
    },
  };
}
