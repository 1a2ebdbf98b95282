import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { type Emulator, type EmulatorOptions, startEmulator } from "@decart/emulator";
import { createDecartClient, type DecartClientOptions, type DelayFunction } from "../src/index.js";

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
  });
}

/** A delay that does not wait, and records what it was asked for. */
export function instantDelay(): DelayFunction & { calls: number[] } {
  const calls: number[] = [];
  const fn = (async (ms: number, signal?: AbortSignal) => {
    calls.push(ms);
    signal?.throwIfAborted();
  }) as DelayFunction & { calls: number[] };
  fn.calls = calls;
  return fn;
}

/**
 * The real `fetch`, watched: the URLs it was asked for, and how many requests are open (from the call until the answer's
 * body was read to its end or cancelled, or the call failed), and whether a body was cancelled. A client given it does
 * everything as usual; a test sees what it sent and whether anything is still on its way.
 */
export function watchedFetch() {
  const sent: string[] = [];
  let open = 0;
  let cancelled = false;
  const watched: typeof fetch = async (input, init) => {
    sent.push(String(input instanceof Request ? input.url : input));
    open++;
    let closed = false;
    const close = () => {
      if (!closed) open--;
      closed = true;
    };
    let response: Response;
    try {
      response = await fetch(input, init);
    } catch (e) {
      close();
      throw e;
    }
    if (!response.body) {
      close();
      return response;
    }
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(out) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            close();
            out.close();
          } else out.enqueue(value);
        } catch (e) {
          close();
          out.error(e);
        }
      },
      cancel(reason) {
        cancelled = true;
        close();
        return reader.cancel(reason);
      },
    });
    return new Response(body, response);
  };
  return {
    fetch: watched,
    /** The URLs asked for, in order. */
    sent,
    /** Requests not yet over. */
    open: () => open,
    /** Whether the client cancelled a body. */
    cancelled: () => cancelled,
  };
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

/** Active handles by kind, leaving out the emulator's own listening server. */
export function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind === "TCPServerWrap") continue;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

/**
 * The handles that stay: per kind, the fewest seen over 30 samples 10 ms apart. The test runner has short-lived
 * timers of its own that come and go; a leaked timer or socket is there in every sample.
 */
export async function lastingHandles(): Promise<Record<string, number>> {
  let min: Record<string, number> | undefined;
  for (let i = 0; i < 30; i++) {
    const now = handles();
    if (!min) min = now;
    else
      for (const kind of new Set([...Object.keys(min), ...Object.keys(now)]))
        min[kind] = Math.min(min[kind] ?? 0, now[kind] ?? 0);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return min!;
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
