import { getEventListeners } from "node:events";
import { createServer, type Server, type ServerResponse } from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AbortError, createDecartClient, type DecartClientOptions } from "../src/index.js";
import { instantDelay, silent } from "./helpers.js";

// A download's stream holds no chunk once it has handed it on: its memory stays bounded however long the result (a
// 500 MiB save grew by 527 MiB while every chunk stayed reachable until the download ended). Checked with WeakRefs to
// the chunks read, and the garbage collector run on demand, while the download is still open.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const CHUNK = 64 * 1024;
/** Chunks sent at once; one more is sent only when the test says (`finish`), so that the download stays open. */
const SENT = 64;
const chunk = Buffer.alloc(CHUNK);
for (let i = 0; i < CHUNK; i++) chunk[i] = (i * 31) % 251;

let server: Server;
let url: string;
/** The answer of the latest request, still open (its last chunk unsent). */
let open: ServerResponse | undefined;
beforeAll(async () => {
  server = createServer((_, res) => {
    res.writeHead(200, { "Content-Type": "video/mp4", "Content-Length": (SENT + 1) * CHUNK });
    for (let i = 0; i < SENT; i++) res.write(chunk);
    open = res;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  open?.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** The garbage collector run a few times, a macrotask between runs (a WeakRef's target is kept for the current job). */
async function collect() {
  for (let i = 0; i < 4; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  await new Promise((resolve) => setImmediate(resolve));
}

describe("a download's stream keeps no chunk it has handed on", () => {
  it("the chunks read are collected while the download is still open, and no abort listener piles up", async () => {
    // The client's fetch is Node's, through a wrapper that keeps the attempt's signal (the listeners on it are counted).
    let attemptSignal: AbortSignal | undefined;
    const options: DecartClientOptions = {
      apiKey: "k",
      baseUrl: url,
      logger: silent,
      maxRetries: 0,
      poll: { delay: instantDelay() },
      fetch: (input, init) => {
        attemptSignal = init?.signal ?? undefined;
        return fetch(input, init);
      },
    };
    const { stream } = await createDecartClient(options).queue.download("job_1");
    const reader = stream.getReader();
    const refs: WeakRef<Uint8Array>[] = [];
    const listeners: number[] = [];
    let received = 0;
    // Read what was sent (however the connection split it), keeping a weak reference to each chunk only.
    while (received < SENT * CHUNK) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`ended after ${received} bytes`);
      received += value.byteLength;
      refs.push(new WeakRef(value));
      listeners.push(getEventListeners(attemptSignal!, "abort").length);
    }
    expect(refs.length).toBeGreaterThan(4);
    // One listener per read would pile up on the attempt's signal: their count after each read is the same.
    expect(new Set(listeners).size).toBe(1);
    await collect();
    // Every chunk but the last two is gone (each was reachable until the download ended, through the attempt's one
    // promise raced against every read).
    const kept = refs.slice(0, -2).filter((ref) => ref.deref() !== undefined).length;
    expect(kept).toBe(0);
    // The download was open all along: its last chunk comes now, and the body ends whole.
    open!.end(chunk);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
    }
    expect(received).toBe((SENT + 1) * CHUNK);
  });

  it("a read started once the call's signal has aborted ends at once, even if the runtime's read never settles", async () => {
    // The client's fetch hands the body on through a stream whose reads never settle once the attempt is aborted (as
    // undici's gzip decoder does). The call's signal aborts between two reads, while none is waiting.
    const controller = new AbortController();
    const client = createDecartClient({
      apiKey: "k",
      baseUrl: url,
      logger: silent,
      maxRetries: 0,
      poll: { delay: instantDelay() },
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        const reader = response.body!.getReader();
        const body = new ReadableStream<Uint8Array>(
          {
            async pull(out) {
              if (init?.signal?.aborted) return new Promise<void>(() => {});
              const { done, value } = await reader.read();
              if (done) return out.close();
              out.enqueue(value);
            },
          },
          { highWaterMark: 0 },
        );
        return new Response(body, response);
      },
    });
    const { stream } = await client.queue.download("job_1", { signal: controller.signal });
    const reader = stream.getReader();
    expect((await reader.read()).done).toBe(false);
    controller.abort();
    const error = await reader.read().catch((e) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error.jobId).toBe("job_1");
    open?.destroy();
  });
});
