import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  AbortError,
  ConnectionError,
  createDecartClient,
  type DecartClientOptions,
  InvalidResponseError,
  TimeoutError,
} from "../src/index.js";
import { saveResult } from "../src/node.js";
import { instantDelay, silent } from "./helpers.js";

// Faults a well-behaved server (the emulator) does not make, written byte by byte on a raw socket: bodies that end
// early in ways Node's fetch (undici 6) takes as complete.
const video = Buffer.alloc(256 * 1024);
for (let i = 0; i < video.length; i++) video[i] = (i * 7919) % 251;
const gzipped = gzipSync(video);
const noise = Buffer.concat(Array.from({ length: 2048 }, (_, i) => createHash("sha256").update(`${i}`).digest()));
const garbled = Buffer.concat([gzipSync(noise), Buffer.from("GARBAGE")]);

type Answer = (socket: Socket) => void;
const head = (fields: Record<string, string | number>) =>
  `HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nConnection: close\r\n${Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("")}\r\n`;
const answers: Record<string, Answer> = {
  whole: (s) => s.end(head({ "Content-Length": video.length }) + video.toString("latin1"), "latin1"),
  // Chunked, one chunk, then the connection closes without the final 0-chunk.
  "chunked cut short": (s) => {
    s.write(head({ "Transfer-Encoding": "chunked" }));
    s.write(`${(0x10000).toString(16)}\r\n`);
    s.write(video.subarray(0, 0x10000));
    s.end("\r\n");
  },
  // A gzip body whose last bytes are missing, its Content-Length that of what is sent.
  "gzip cut short": (s) => {
    const cut = gzipped.subarray(0, gzipped.length - 100);
    s.write(head({ "Content-Encoding": "gzip", "Content-Length": cut.length }));
    s.end(cut);
  },
  // A Content-Length not reached: the connection closes cleanly (FIN) after part of the body.
  "length cut short": (s) => {
    s.write(head({ "Content-Length": video.length }));
    s.end(video.subarray(0, 100_000));
  },
  zstd: (s) => s.end(`${head({ "Content-Encoding": "zstd", "Content-Length": 4 })}abcd`),
  // A gzip body with bytes after its end, on which undici's decoder waits for more, forever, even once aborted. (Its
  // content incompressible, fixed: hashes of 0 … 2047.)
  "gzip then garbage": (s) => {
    s.write(head({ "Content-Encoding": "gzip", "Content-Length": garbled.length }));
    s.end(garbled);
  },
  // A job status, and an error, whose gzip body has bytes after its end: their text is never read to its end.
  "status gzip then garbage": (s) => {
    s.write(
      head({ "Content-Encoding": "gzip", "Content-Length": garbled.length }).replace("video/mp4", "application/json"),
    );
    s.end(garbled);
  },
  "503 gzip then garbage": (s) => {
    s.write(
      head({ "Content-Encoding": "gzip", "Content-Length": garbled.length })
        .replace("200 OK", "503 Service Unavailable")
        .replace("video/mp4", "application/json"),
    );
    s.end(garbled);
  },
  "gzip whole": (s) => {
    s.write(head({ "Content-Encoding": "gzip", "Content-Length": gzipped.length }));
    s.end(gzipped);
  },
};

let server: Server;
let url: string;
let dir: string;
/** The answers to give, one per request, in order (the last one repeated). */
let plan: string[] = [];
let requests = 0;
beforeAll(async () => {
  server = createServer((socket) => {
    socket.on("error", () => {});
    socket.once("data", () => answers[plan[Math.min(requests++, plan.length - 1)]!]!(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  dir = await mkdtemp(join(tmpdir(), "decart-save-"));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  requests = 0;
});

const client = (options: DecartClientOptions = {}) =>
  createDecartClient({
    apiKey: "k",
    baseUrl: url,
    logger: silent,
    poll: { delay: instantDelay() },
    ...options,
  } as DecartClientOptions);
const partials = async () => (await readdir(dir)).filter((f) => f.endsWith(".partial"));

describe("saveResult: a result cut short is never taken as complete", () => {
  for (const fault of ["chunked cut short", "gzip cut short"]) {
    it(`${fault}: retried, then an error; an existing file is kept`, async () => {
      const path = join(dir, `kept-${fault.replace(/ /g, "-")}.mp4`);
      await writeFile(path, "THE OLD RESULT");
      plan = [fault];
      const error = await saveResult(client({ maxRetries: 2 }), "job_1", path).catch((e) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ jobId: "job_1", retryable: true });
      expect(requests).toBe(3);
      expect(await readFile(path, "utf8")).toBe("THE OLD RESULT");
      expect(await partials()).toEqual([]);
    });
  }

  it("a download cut short is started again, and the whole result saved", async () => {
    const path = join(dir, "again.mp4");
    plan = ["chunked cut short", "gzip cut short", "whole"];
    const saved = await saveResult(client(), "job_1", path);
    expect(saved).toEqual({ path, bytes: video.length });
    expect(requests).toBe(3);
    expect((await readFile(path)).equals(video)).toBe(true);
  });

  it("a result in an encoding the client cannot decode is an InvalidResponseError, retried as a read", async () => {
    const path = join(dir, "zstd.mp4");
    plan = ["zstd"];
    const error = await saveResult(client({ maxRetries: 1 }), "job_1", path).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.message).toContain("cannot decode (zstd)");
    expect(requests).toBe(2);
    expect(await readdir(dir)).not.toContain("zstd.mp4");
  });

  it("a gzip result is saved decoded", async () => {
    const path = join(dir, "gzip.mp4");
    plan = ["gzip whole"];
    await saveResult(client(), "job_1", path);
    expect((await readFile(path)).equals(video)).toBe(true);
  });

  it("a client's own fetch is used for the download", async () => {
    let calls = 0;
    const path = join(dir, "own-fetch.mp4");
    plan = ["whole"];
    const own: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    await saveResult(client({ fetch: own }), "job_1", path);
    expect(calls).toBe(1);
    expect((await readFile(path)).equals(video)).toBe(true);
  });
});

describe("a body that ends short of its Content-Length, its connection closed", () => {
  // Node reports it as a failed read (ECONNRESET over node:http, UND_ERR_SOCKET through fetch): it is the README's
  // TRUNCATED all the same, retried as any cut-short download.
  it("is TRUNCATED for saveResult (node:http) and queue.result (fetch), retried", async () => {
    plan = ["length cut short"];
    const saved = await saveResult(client({ maxRetries: 1 }), "job_1", join(dir, "length.mp4")).catch((e) => e);
    expect(requests).toBe(2);
    requests = 0;
    const read = await client({ maxRetries: 0 })
      .queue.result("job_1")
      .catch((e) => e);
    for (const error of [saved, read]) {
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ code: "TRUNCATED", jobId: "job_1", retryable: true });
      expect(error.message).toContain(`the body ended after at least 100000 of ${video.length} bytes`);
    }
    expect(await partials()).toEqual([]);
  });
});

describe("a body read that never settles (undici's decoder stalled) still ends", () => {
  it("by the attempt's timer: a TimeoutError, within the call's deadline on the client's clock", async () => {
    // The clock jumps to the deadline once the body has started: the next read's timer is 0 ms (no real wait).
    let t = 0;
    const c = client({ maxRetries: 0, poll: { delay: instantDelay(), now: () => t } });
    plan = ["gzip then garbage"];
    const { stream } = await c.queue.download("job_1", {
      deadline: 60_000,
      onProgress: () => {
        t = 60_000;
      },
    });
    const reader = stream.getReader();
    let received = 0;
    const error = await (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return undefined;
        received += value.byteLength;
      }
    })().catch((e) => e);
    expect(received).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ jobId: "job_1", retryable: true });
  });

  it("by the call's signal: queue.result aborted mid-body is an AbortError", async () => {
    const controller = new AbortController();
    plan = ["gzip then garbage"];
    const error = await client({ maxRetries: 0 })
      .queue.result("job_1", { signal: controller.signal, onProgress: () => controller.abort() })
      .catch((e) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error.jobId).toBe("job_1");
  });
});

describe("a JSON answer's or an error's text that never settles (undici's decoder stalled) still ends", () => {
  for (const fault of ["status gzip then garbage", "503 gzip then garbage"]) {
    it(`${fault}: by the attempt's timer, within the call's deadline on the client's clock`, async () => {
      // The clock jumps to the deadline once the answer has started: the timer of its text is 0 ms (no real wait).
      let t = 0;
      const c = client({
        maxRetries: 0,
        poll: { delay: instantDelay(), now: () => t },
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          t = 60_000;
          return response;
        },
      });
      plan = [fault];
      const error = await c.queue.readStatus("job_1", { deadline: 60_000 }).catch((e) => e);
      if (fault.startsWith("503")) {
        // The error's text is not waited for: the status says what happened.
        expect(error).toMatchObject({ status: 503, retryable: true, jobId: "job_1" });
      } else {
        expect(error).toBeInstanceOf(TimeoutError);
        expect(error).toMatchObject({ jobId: "job_1", retryable: true });
      }
    });
  }

  it("by the call's signal: a status read aborted mid-text is an AbortError", async () => {
    // The client's fetch hands the answer's body on as it comes, and aborts the call's signal once the first chunk of
    // it has been read: the abort comes mid-text, however slow the machine.
    const controller = new AbortController();
    const c = client({
      maxRetries: 0,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        const reader = response.body!.getReader();
        const body = new ReadableStream<Uint8Array>({
          async pull(out) {
            const chunk = await reader.read();
            if (chunk.done) return out.close();
            out.enqueue(chunk.value);
            controller.abort();
          },
        });
        return new Response(body, response);
      },
    });
    plan = ["status gzip then garbage"];
    const error = await c.queue.status("job_1", { signal: controller.signal }).catch((e) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error.jobId).toBe("job_1");
  });
});
