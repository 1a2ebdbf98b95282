// A result that arrives in many small chunks renders its progress at most once per animation frame, never once per
// chunk, and its last progress and the completed state always render. A purpose-built server sends the result in
// hundreds of small writes (the emulator sends its result in one piece), and the test is the page's frame clock:
// `requestAnimationFrame` queues, and the test runs what is queued, so renders are counted against frames, not time.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createDecartClient } from "@decart/core";
import { act, renderHook } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type GenerationState, useJob } from "../src/index.js";
import { countingFetch, strictWith, until } from "./helpers.js";

const CHUNK = 64;
const HALF = 300; // chunks before the server pauses, and after

let server: Server | undefined;
afterEach(async () => {
  vi.unstubAllGlobals();
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/**
 * A server of one completed job whose result it writes `CHUNK` bytes at a time, a turn of the event loop apart: `HALF`
 * chunks, then none until `resume()`, then `HALF` more.
 */
async function chunkyServer() {
  let resume!: () => void;
  const resumed = new Promise<void>((resolve) => {
    resume = resolve;
  });
  const cors = { "access-control-allow-origin": "*", "access-control-expose-headers": "*" };
  server = createServer(async (req, res) => {
    if (req.method === "OPTIONS")
      return void res
        .writeHead(204, { ...cors, "access-control-allow-headers": "*", "access-control-allow-methods": "GET" })
        .end();
    if (!req.url!.endsWith("/content")) {
      res.writeHead(200, { ...cors, "content-type": "application/json" });
      return void res.end(JSON.stringify({ job_id: "job_many", status: "completed", model: "lucy-pro-t2v" }));
    }
    res.writeHead(200, { ...cors, "content-type": "video/mp4", "content-length": String(2 * HALF * CHUNK) });
    const write = async () => {
      for (let i = 0; i < HALF; i++) {
        res.write(new Uint8Array(CHUNK).fill(i % 251));
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    await write();
    await resumed;
    await write();
    res.end();
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, resume };
}

/** The page's frame clock, run by the test: callbacks wait until it calls the answer, which says how many it ran. */
function frameClock() {
  let queued = new Map<number, FrameRequestCallback>();
  let next = 0;
  vi.stubGlobal("requestAnimationFrame", (callback: FrameRequestCallback) => {
    queued.set(++next, callback);
    return next;
  });
  vi.stubGlobal("cancelAnimationFrame", (id: number) => queued.delete(id));
  return () => {
    const run = [...queued.values()];
    queued = new Map();
    for (const callback of run) callback(0);
    return run.length;
  };
}

/** `fetch` that also counts the bytes and chunks of the answers' bodies as the client reads them. */
function chunkCounting() {
  const page = countingFetch();
  const seen = { chunks: 0, bytes: 0 };
  const counted = async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await page(input, init);
    if (!response.body) return response;
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, out) {
          seen.chunks++;
          seen.bytes += chunk.byteLength;
          out.enqueue(chunk);
        },
      }),
    );
    return new Response(body, response);
  };
  return { fetch: counted, seen };
}

describe("download progress", () => {
  it("renders at most once per animation frame however many chunks arrive; the last progress and the end render", async () => {
    const run = frameClock();
    const { url, resume } = await chunkyServer();
    const { fetch, seen } = chunkCounting();
    const client = createDecartClient({
      token: async () => ({ apiKey: "ek_test", expiresAt: new Date(Date.now() + 3_600_000).toISOString() }),
      baseUrl: url,
      fetch,
      logger: { warn: () => {}, debug: () => {} },
      poll: { initialDelayMs: 0, intervalMs: 15 },
    });
    const rendered: GenerationState[] = [];
    const { result } = renderHook(
      () => {
        const job = useJob("job_many", { model: "lucy-pro-t2v" });
        rendered.push(job);
        return job;
      },
      { wrapper: strictWith(client) },
    );
    /** The progress values rendered while downloading, without repeats (StrictMode renders each state twice). */
    const progressOf = () => [
      ...new Set(rendered.filter((s) => s.status === "downloading").map((s) => s.progress!.receivedBytes)),
    ];
    // The first half arrived, no frame yet: the download's start rendered, and nothing since, however many chunks.
    await until(() => seen.bytes >= HALF * CHUNK);
    expect(progressOf()).toEqual([0]);
    // Frames until the bytes of the first half show (the client may still be reading the last chunk at the first).
    let frames = 0;
    while (result.current.progress?.receivedBytes !== HALF * CHUNK) {
      act(() => {
        frames += run();
      });
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    expect(result.current.progress).toEqual({ receivedBytes: HALF * CHUNK, totalBytes: 2 * HALF * CHUNK });
    expect(progressOf().length - 1).toBeLessThanOrEqual(frames); // at most one render per frame
    resume();
    await until(() => result.current.status !== "downloading");
    // The end renders at once, with the last progress, and no frame was needed for it.
    expect(result.current.status).toBe("completed");
    expect(result.current.result!.size).toBe(2 * HALF * CHUNK);
    expect(result.current.progress).toEqual({ receivedBytes: 2 * HALF * CHUNK, totalBytes: 2 * HALF * CHUNK });
    expect(seen.chunks).toBeGreaterThan(HALF); // many chunks arrived …
    expect(progressOf().length - 1).toBeLessThanOrEqual(frames); // … and no more progress rendered than frames ran
    const ended = rendered.length;
    act(() => {
      run(); // a frame after the end renders nothing more
    });
    expect(rendered.length).toBe(ended);
  });
});
