import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { constants, createReadStream, readdirSync } from "node:fs";
import { lstat, mkdir, mkdtemp, open, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AbortError,
  createDecartClient,
  DecartError,
  InvalidInputError,
  InvalidResponseError,
  MAX_ID_LENGTH,
  models,
  ServerError,
  TimeoutError,
} from "../src/index.js";
import { fileFromPath, nodeUpload, saveResult } from "../src/node.js";
import { clientFor, firstN, instantDelay, serve, serveBytes, silent, startFast } from "./helpers.js";

let emu: Emulator;
let dir: string;
beforeAll(async () => {
  emu = await startFast();
  dir = await mkdtemp(join(tmpdir(), "decart-core-"));
});
afterAll(async () => {
  await emu.close();
  await rm(dir, { recursive: true, force: true });
});

async function completedJob(target: Emulator = emu) {
  const client = clientFor(target);
  const job = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "to disk" });
  while ((await client.queue.status(job.job_id)).status !== "completed") await new Promise((r) => setTimeout(r, 10));
  return { client, jobId: job.job_id };
}

describe("@decart/core/node", () => {
  it("waits without downloading, then saveResult downloads the video once", async () => {
    const client = clientFor(emu);
    const job = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "wait then save" });
    const outcome = await client.queue.wait(job.job_id, { model: "lucy-pro-t2v", download: false });
    expect(outcome).toEqual({ status: "completed", job_id: job.job_id });
    expect(emu.job(job.job_id)!.contentReads).toBe(0);
    const path = join(dir, "waited.mp4");
    await saveResult(client, job.job_id, path);
    const record = emu.job(job.job_id)!;
    expect(record.contentReads).toBe(1);
    expect(
      createHash("sha256")
        .update(await readFile(path))
        .digest("hex"),
    ).toBe(record.resultSha256);
  });

  it("saveResult streams a result to a file, with progress", async () => {
    const { client, jobId } = await completedJob();
    const path = join(dir, "out.mp4");
    const progress: number[] = [];
    const saved = await saveResult(client, jobId, path, { onProgress: (p) => progress.push(p.receivedBytes) });
    const bytes = await readFile(path);
    const record = emu.job(jobId)!;
    expect(saved).toEqual({ path, bytes: record.resultBytes });
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(record.resultSha256);
    expect(progress.at(-1)).toBe(record.resultBytes);
    expect((await readdir(dir)).filter((f) => f.endsWith(".partial"))).toEqual([]);
  });

  it("saveResult downloads through the agent the client's nodeUpload({ agent }) was given", async () => {
    const { jobId } = await completedJob();
    // An agent that counts the connections it makes (keep-alive off: one per request).
    let connections = 0;
    const agent = new Agent({ keepAlive: false });
    const connect = agent.createConnection.bind(agent);
    agent.createConnection = ((...args: Parameters<typeof connect>) => {
      connections++;
      return connect(...args);
    }) as typeof agent.createConnection;
    try {
      const path = join(dir, "through-agent.mp4");
      await saveResult(clientFor(emu, { upload: nodeUpload({ agent }) }), jobId, path);
      expect(connections).toBe(1);
      expect(
        createHash("sha256")
          .update(await readFile(path))
          .digest("hex"),
      ).toBe(emu.job(jobId)!.resultSha256);
    } finally {
      agent.destroy();
    }
  });

  describe("saveResult into a named pipe (a character device is told apart the same way)", () => {
    /** A FIFO in its own directory, and the bytes a reader reads from it to its end. */
    const fifo = (name: string) => {
      const path = join(dir, name);
      execFileSync("mkfifo", [path]);
      const read = new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        createReadStream(path)
          .on("data", (c) => chunks.push(c as Buffer))
          .on("end", () => resolve(Buffer.concat(chunks)))
          .on("error", reject);
      });
      return { path, read };
    };
    const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

    it("writes into the pipe as it is: no temporary file beside it, no rename over it", async () => {
      const { client, jobId } = await completedJob();
      const { path, read } = fifo("direct.fifo");
      const saved = await saveResult(client, jobId, path);
      expect(sha(await read)).toBe(emu.job(jobId)!.resultSha256);
      expect(saved).toEqual({ path, bytes: emu.job(jobId)!.resultBytes });
      expect((await lstat(path)).isFIFO()).toBe(true);
      expect((await readdir(dir)).filter((f) => f.endsWith(".partial"))).toEqual([]);
    });

    it("writes through a symbolic link to a pipe; the link and the pipe stay", async () => {
      const { client, jobId } = await completedJob();
      const { path, read } = fifo("linked.fifo");
      const link = join(dir, "to-fifo.mp4");
      await symlink(path, link);
      await saveResult(client, jobId, link);
      expect(sha(await read)).toBe(emu.job(jobId)!.resultSha256);
      expect((await lstat(link)).isSymbolicLink()).toBe(true);
      expect((await lstat(path)).isFIFO()).toBe(true);
    });

    it("waits for a pipe's reader without holding a thread: the signal and the deadline end the wait", async () => {
      const { client, jobId } = await completedJob();
      const paths = [0, 1, 2, 3, 4].map((i) => {
        const path = join(dir, `no-reader-${i}.fifo`);
        execFileSync("mkfifo", [path]);
        return path;
      });
      const controller = new AbortController();
      // More waits than libuv has threads (4): a blocking open of each would hold one, and no file could then be read.
      const waits = paths.map((path) => saveResult(client, jobId, path, { signal: controller.signal }).catch((e) => e));
      expect(await readdir(dir)).toContain("no-reader-4.fifo");
      controller.abort();
      for (const error of await Promise.all(waits)) {
        expect(error).toBeInstanceOf(AbortError);
        expect(error.jobId).toBe(jobId);
      }
      const late = await saveResult(client, jobId, paths[0]!, { deadline: Date.now() + 30 }).catch((e) => e);
      expect(late).toBeInstanceOf(TimeoutError);
      expect(late.jobId).toBe(jobId);
      expect(late.message).toContain("no reader");
      // Nothing was downloaded, and the pipes stay.
      expect(emu.job(jobId)!.contentReads).toBe(0);
      for (const path of paths) expect((await lstat(path)).isFIFO()).toBe(true);
    });

    it("a reader that stops reading: the signal ends the save at once", async () => {
      const server = await serveBytes(new Uint8Array(4 << 20), "video/mp4");
      const path = join(dir, "stalled.fifo");
      execFileSync("mkfifo", [path]);
      // A reader that opens the pipe and never reads: the pipe's buffer fills, and every write waits.
      const reader = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
      try {
        const client = createDecartClient({ apiKey: "k", baseUrl: server.url, logger: silent });
        const controller = new AbortController();
        let received = 0;
        const saving = saveResult(client, "job_1", path, {
          signal: controller.signal,
          onProgress: (p) => (received = p.receivedBytes),
        }).catch((e) => e);
        // Aborted once the download stands still (the same count over three looks in a row), the pipe full (64 KiB on
        // Linux) and a write waiting.
        for (let seen = -1, still = 0; still < 3 || received < 64 << 10; ) {
          still = seen === received ? still + 1 : 0;
          seen = received;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        controller.abort();
        const error = await saving;
        expect(error).toBeInstanceOf(AbortError);
        expect(error.jobId).toBe("job_1");
      } finally {
        await reader.close();
        await server.close();
      }
    });

    it("does not download again once the first bytes went into the pipe", async () => {
      const cut = await startFast({ faults: [{ route: "content", kind: "truncate", rate: 1 }] });
      try {
        const { client, jobId } = await completedJob(cut);
        const { path, read } = fifo("cut.fifo");
        const error = await saveResult(client, jobId, path).catch((e: unknown) => e);
        expect(DecartError.isInstance(error)).toBe(true);
        expect((error as DecartError).message).toMatch(/cut short after \d+ bytes .*Not downloaded again/);
        expect(cut.job(jobId)!.contentReads).toBe(1);
        expect((await read).length).toBeLessThan(cut.job(jobId)!.resultBytes!);
        expect((await lstat(path)).isFIFO()).toBe(true);
      } finally {
        await cut.close();
      }
    });

    it("tries each download once, as into a file: maxRetries 2 means 3 requests, not 3 inside each of 3", async () => {
      const failing = await startFast();
      try {
        const { jobId } = await completedJob(failing);
        failing.setFaults([{ route: "content", kind: "503" }]);
        failing.resetStats();
        const delay = instantDelay();
        const { path, read } = fifo("unavailable.fifo");
        const error = await saveResult(clientFor(failing, { poll: { delay } }), jobId, path).catch((e) => e);
        expect(error).toBeInstanceOf(ServerError);
        expect(error.jobId).toBe(jobId);
        expect(failing.stats().requests.byRoute.content).toBe(3);
        expect(delay.calls).toHaveLength(2);
        // Nothing was written: the reader sees the pipe closed empty.
        expect((await read).length).toBe(0);
      } finally {
        await failing.close();
      }
    });

    it("starts again only while nothing was written: a 503, then a body cut after its first bytes, is 2 requests", async () => {
      const jobId = "job_cut";
      const bytes = new Uint8Array(1000).fill(7);
      // The first answer is a 503; the second sends 100 of its 1000 bytes, then the connection is cut.
      const server = await serve((_req, res) => {
        if (server.arrived() === 1) return void res.writeHead(503, { "retry-after": "0" }).end();
        res.writeHead(200, { "content-type": "video/mp4", "content-length": bytes.length });
        res.write(bytes.subarray(0, 100), () => res.destroy());
      });
      try {
        const delay = instantDelay();
        const client = createDecartClient({ apiKey: "k", baseUrl: server.url, logger: silent, poll: { delay } });
        const { path, read } = fifo("cut-after-retry.fifo");
        const error = await saveResult(client, jobId, path).catch((e: unknown) => e);
        expect(DecartError.isInstance(error)).toBe(true);
        expect((error as DecartError).message).toMatch(/cut short after 100 bytes .*Not downloaded again/);
        expect(server.arrived()).toBe(2);
        expect(delay.calls).toHaveLength(1);
        expect(await read).toEqual(Buffer.from(bytes.subarray(0, 100)));
      } finally {
        await server.close();
      }
    });
  });

  it("saveResult starts again after a truncated download and leaves no partial file", async () => {
    const flaky = await startFast({ faults: [{ route: "content", kind: "truncate", rate: 0.5 }], random: firstN(1) });
    try {
      const { client, jobId } = await completedJob(flaky);
      const path = join(dir, "retried.mp4");
      await saveResult(client, jobId, path);
      const bytes = await readFile(path);
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(flaky.job(jobId)!.resultSha256);
      expect(flaky.job(jobId)!.contentReads).toBe(2);
    } finally {
      await flaky.close();
    }
    expect((await readdir(dir)).filter((f) => f.endsWith(".partial"))).toEqual([]);
  });

  it("saveResult retries under the client's policy, once per attempt: maxRetries 2 means 3 requests", async () => {
    const failing = await startFast();
    try {
      const { jobId } = await completedJob(failing);
      failing.setFaults([{ route: "content", kind: "503" }]);
      failing.resetStats();
      const delay = instantDelay();
      const client = clientFor(failing, { poll: { delay } });
      const error = await saveResult(client, jobId, join(dir, "unavailable.mp4")).catch((e) => e);
      expect(error).toBeInstanceOf(ServerError);
      expect(error.jobId).toBe(jobId);
      expect(failing.stats().requests.byRoute.content).toBe(3);
      // The policy's waits: backoff with its floor, through the client's delay.
      expect(delay.calls).toHaveLength(2);
      expect((await readdir(dir)).filter((f) => f.endsWith(".partial"))).toEqual([]);
    } finally {
      await failing.close();
    }
  });

  it("saveResult takes an option of null as not given: maxRetries null is the client's, deadline null none", async () => {
    // The first download fails with a 503 (seeded: the same on every run), the retry succeeds.
    const flaky = await startFast({ faults: [{ route: "content", kind: "503", rate: 0.5 }], random: firstN(1) });
    try {
      const { jobId } = await completedJob(flaky);
      const client = clientFor(flaky, { poll: { delay: instantDelay() } });
      const path = join(dir, "null-options.mp4");
      const saved = await saveResult(client, jobId, path, {
        maxRetries: null,
        deadline: null,
        temporaryPath: null,
        onProgress: null,
        signal: null,
      } as never);
      expect(saved.bytes).toBe((await readFile(path)).length);
      expect(flaky.stats().faultsInjected["503"]).toBe(1);
      expect(flaky.stats().requests.byRoute.content).toBe(2);
    } finally {
      await flaky.close();
    }
  });

  it("saveResult aborts with AbortError and removes the partial file", async () => {
    const stalled = await startFast({ faults: [{ route: "content", kind: "stall" }] });
    try {
      const { client, jobId } = await completedJob(stalled);
      const controller = new AbortController();
      const path = join(dir, "aborted.mp4");
      const error = await saveResult(client, jobId, path, {
        signal: controller.signal,
        onProgress: () => controller.abort(),
      }).catch((e) => e);
      expect(error).toBeInstanceOf(AbortError);
      expect(error.jobId).toBe(jobId);
      expect(await readdir(dir)).not.toContain("aborted.mp4");
      expect((await readdir(dir)).filter((f) => f.endsWith(".partial"))).toEqual([]);
    } finally {
      await stalled.close();
    }
  });

  it("saveResult under a missing directory fails with FILE_WRITE_FAILED before downloading, not retried", async () => {
    const { client, jobId } = await completedJob();
    const path = join(dir, "missing", "out.mp4");
    const error = await saveResult(client, jobId, path).catch((e) => e);
    expect(error).toBeInstanceOf(DecartError);
    expect(error).not.toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({ code: "FILE_WRITE_FAILED", jobId, path, retryable: false });
    expect(error.cause.code).toBe("ENOENT");
    expect(error.message).toContain(path);
    expect(error.message).toContain(`queue.result("${jobId}")`);
    expect(error.message).not.toMatch(/Unexpected answer/);
    // The path was checked first: no download was spent on it, and none repeated.
    expect(emu.job(jobId)!.contentReads).toBe(0);
    // The result is still there to save.
    await saveResult(client, jobId, join(dir, "saved-again.mp4"));
    expect(emu.job(jobId)!.contentReads).toBe(1);
  });

  it("saveResult to a name with no room for its temporary file beside it fails with FILE_WRITE_FAILED", async () => {
    const { client, jobId } = await completedJob();
    // 240 bytes: a name the file system takes, but not with the temporary file's 17 more.
    const path = join(dir, `${"n".repeat(236)}.mp4`);
    const error = await saveResult(client, jobId, path).catch((e) => e);
    expect(error).toMatchObject({ code: "FILE_WRITE_FAILED", jobId, path, retryable: false });
    expect(error.cause.code).toBe("ENAMETOOLONG");
    expect(emu.job(jobId)!.contentReads).toBe(0);
  });

  it("saveResult to a directory's path, or a link to one, fails with FILE_WRITE_FAILED before downloading", async () => {
    const { client, jobId } = await completedJob();
    const directory = join(dir, "a-directory");
    await mkdir(directory);
    await symlink(directory, join(dir, "a-directory-link"));
    for (const path of [directory, join(dir, "a-directory-link")]) {
      const error = await saveResult(client, jobId, path).catch((e) => e);
      expect(error).toMatchObject({ code: "FILE_WRITE_FAILED", jobId, path, retryable: false });
      expect(error.cause.code).toBe("EISDIR");
    }
    expect(emu.job(jobId)!.contentReads).toBe(0);
    expect((await lstat(join(dir, "a-directory-link"))).isSymbolicLink()).toBe(true);
    expect(await readdir(directory)).toEqual([]);
    expect((await readdir(dir)).filter((f) => f.endsWith(".partial"))).toEqual([]);
  });

  it("saveResult to a link to a file writes through it: the file it points to gets the result, the link stays", async () => {
    const { client, jobId } = await completedJob();
    const file = join(dir, "linked.mp4");
    const link = join(dir, "link.mp4");
    await writeFile(file, "OLD");
    await symlink(file, link);
    expect(await saveResult(client, jobId, link)).toMatchObject({ path: link });
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    const bytes = await readFile(file);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(emu.job(jobId)!.resultSha256);
  });

  it("saveResult's temporaryPath names each attempt's file, beside the one a link points to; a throw is CALLBACK_ERROR", async () => {
    const flaky = await startFast({ faults: [{ route: "content", kind: "truncate", rate: 0.5 }], random: firstN(1) });
    try {
      const { client, jobId } = await completedJob(flaky);
      const place = join(dir, "named");
      await mkdir(place);
      const file = join(place, "real.mp4");
      const link = join(dir, "named-link.mp4");
      await writeFile(file, "OLD");
      await symlink(file, link);
      const named: string[] = [];
      const seen = new Set<string>();
      await saveResult(client, jobId, link, {
        temporaryPath: (target) => {
          named.push(target);
          return `${target}.mine-${named.length}.partial`;
        },
        // Each attempt writes the file it named.
        onProgress: () => {
          for (const f of readdirSync(place)) if (f.endsWith(".partial")) seen.add(f);
        },
      });
      // The first download was cut short: two attempts, two names, each beside the file the link points to.
      expect(named).toEqual([file, file]);
      expect([...seen]).toEqual(["real.mp4.mine-1.partial", "real.mp4.mine-2.partial"]);
      expect(await readdir(place)).toEqual(["real.mp4"]);
      expect(
        createHash("sha256")
          .update(await readFile(file))
          .digest("hex"),
      ).toBe(flaky.job(jobId)!.resultSha256);

      const reads = flaky.job(jobId)!.contentReads;
      const error = await saveResult(client, jobId, join(dir, "unnamed.mp4"), {
        temporaryPath: () => {
          throw new Error("no name");
        },
      }).catch((e) => e);
      expect(error).toMatchObject({ code: "CALLBACK_ERROR", jobId, retryable: false });
      expect(error.message).toContain("temporaryPath threw (Error: no name)");
      // What is no path (an async function's promise, one that rejects too; a number) is refused so, never opened.
      for (const [answer, shown] of [
        [async () => Promise.reject(new Error("no name yet")), "[object Promise]"],
        [() => 42, "42"],
        [() => "", '""'],
      ] as const) {
        const odd = await saveResult(client, jobId, join(dir, "unnamed.mp4"), {
          temporaryPath: answer as never,
        }).catch((e) => e);
        expect(odd).toMatchObject({ code: "CALLBACK_ERROR", jobId, retryable: false });
        expect(odd.message).toContain(`temporaryPath answered ${shown}, not a path`);
      }
      expect(flaky.job(jobId)!.contentReads).toBe(reads);
    } finally {
      await flaky.close();
    }
  });

  it("saveResult's FILE_WRITE_FAILED for a failure that is no Error (a message getter that throws, no toString) writes ?", async () => {
    // A queue of yours whose download passes the real one through a step of its own (a decoder, a cache) that fails
    // the stream with a value carrying a `syscall`, as a failed write of the file does, but that cannot be written as
    // text. The file takes it as a failed write: the error is still the typed one, not a TypeError of its own.
    const failures: Record<string, unknown> = {
      "a message getter that throws": {
        syscall: "write",
        get message(): string {
          throw new Error("no message");
        },
      },
      "an object without toString": Object.assign(Object.create(null), { syscall: "write" }),
    };
    for (const [name, failure] of Object.entries(failures)) {
      const { client, jobId } = await completedJob();
      const queue: typeof client.queue = {
        ...client.queue,
        download: async (id, options) => {
          const download = await client.queue.download(id, options);
          const failing = new TransformStream<Uint8Array, Uint8Array>({
            transform() {
              throw failure;
            },
          });
          return { ...download, stream: download.stream.pipeThrough(failing) };
        },
      };
      const path = join(dir, "odd-failure.mp4");
      const error = await saveResult({ queue }, jobId, path).catch((e) => e);
      expect(error, name).toMatchObject({ code: "FILE_WRITE_FAILED", jobId, path, retryable: false });
      expect(error.cause, name).toBe(failure);
      expect(error.message, name).toBe(
        `Could not write the result of job ${jobId} to ${path}: ?. The result is still on the server: download it ` +
          `again with saveResult or queue.result("${jobId}")`,
      );
      expect(emu.job(jobId)!.contentReads, name).toBe(1);
      expect(
        (await readdir(dir)).filter((f) => f.endsWith(".partial")),
        name,
      ).toEqual([]);
    }
  });

  it("saveResult's deadline ends a download that trickles on (each chunk in time) with a TimeoutError, no file left", async () => {
    // A result of 1 000 bytes sent one byte at a time, each well within the client's per-chunk timeout: only the
    // deadline can end it. The server stops when the client goes.
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "video/mp4", "content-length": 1000 });
      const timer = setInterval(() => res.write("x"), 20);
      res.on("close", () => clearInterval(timer));
    });
    try {
      const client = createDecartClient({ apiKey: "k", baseUrl: server.url, logger: silent });
      const target = join(dir, "trickled");
      await mkdir(target);
      const path = join(target, "out.mp4");
      let received = 0;
      const error = await saveResult(client, "job_trickle", path, {
        deadline: Date.now() + 200,
        onProgress: (p) => (received = p.receivedBytes),
      }).catch((e) => e);
      expect(TimeoutError.isInstance(error)).toBe(true);
      expect(error.code).toBe("TIMEOUT");
      expect(error.jobId).toBe("job_trickle");
      // It was downloading (not refused before), once (not retried at the deadline), and left nothing behind.
      expect(received).toBeGreaterThan(0);
      expect(server.seen.length).toBe(1);
      expect(await readdir(target)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("saveResult's deadline is checked before anything: not a finite number is an InvalidInputError", async () => {
    const server = await serve((_req, res) => {
      res.end();
    });
    try {
      const client = createDecartClient({ apiKey: "k", baseUrl: server.url, logger: silent });
      for (const deadline of [Number.NaN, Number.POSITIVE_INFINITY, "5000"]) {
        const path = join(dir, "never.mp4");
        const error = await saveResult(client, "job_x", path, { deadline: deadline as number }).catch((e) => e);
        expect(InvalidInputError.isInstance(error)).toBe(true);
        expect(error.field).toBe("deadline");
        await expect(lstat(path)).rejects.toThrow();
      }
      expect(server.arrived()).toBe(0);
    } finally {
      await server.close();
    }
  });

  it("saveResult's other options are checked before anything: each refused naming it, a key that is none too", async () => {
    const server = await serve((_req, res) => {
      res.end();
    });
    try {
      const client = createDecartClient({ apiKey: "k", baseUrl: server.url, logger: silent });
      const cases: [options: object, field: string, what: string][] = [
        [{ onProgress: "log" }, "onProgress", 'must be a function (got "log")'],
        [{ temporaryPath: "x.partial" }, "temporaryPath", 'must be a function (got "x.partial")'],
        [{ maxRetries: "2" }, "maxRetries", 'must be an integer (got "2")'],
        [{ maxRetries: -1 }, "maxRetries", "must be 0 or more (got -1)"],
        [
          { signal: {} },
          "signal",
          "must be an AbortSignal: an AbortController's signal (a polyfill's tagged \"AbortSignal\") (got an object)",
        ],
        [
          Object.defineProperty({}, "onProgress", {
            enumerable: true,
            get: () => {
              throw new Error("no");
            },
          }),
          "onProgress",
          "must be a value that can be read",
        ],
        [
          { onProgres: () => {} },
          "onProgres",
          "must be a known name (one of maxRetries, temporaryPath, deadline, onRetry, signal, onProgress)",
        ],
      ];
      for (const [options, field, what] of cases) {
        const path = join(dir, "never.mp4");
        const error = await saveResult(client, "job_x", path, options as never).catch((e) => e);
        expect(InvalidInputError.isInstance(error), String(error?.stack)).toBe(true);
        expect(error.field).toBe(field);
        expect(error.message).toContain(`saveResult: "${field}" ${what}`);
        await expect(lstat(path)).rejects.toThrow();
      }
      expect(server.arrived()).toBe(0);
      // Undefined and null are not given (the client's maxRetries then: 3 tries of a read the server answers empty).
      const none = { onProgress: undefined, maxRetries: null, temporaryPath: null, signal: undefined };
      await expect(saveResult(client, "job_x", join(dir, "none.mp4"), none as never)).rejects.not.toBeInstanceOf(
        InvalidInputError,
      );
      expect(server.arrived()).toBe(3);
    } finally {
      await server.close();
    }
  });

  // One wording for every refusal, as the client's own (`invalid`): `saveResult: "<field>" must be <what it takes>`, then
  // what was given. The path's and the deadline's read otherwise (`path` in backticks, `got ""` without parentheses;
  // the deadline without what was given).
  it("saveResult's refusals read as the client's: the field quoted, what it must be, what was given; nothing sent", async () => {
    const server = await serve((_req, res) => {
      res.end();
    });
    try {
      const client = createDecartClient({ apiKey: "k", baseUrl: server.url, logger: silent });
      const ownRefusal = (await client.queue.status("..").catch((e) => e)) as InvalidInputError;
      expect(ownRefusal.message).toBe(
        `Invalid input: "jobId" must be 1 to ${MAX_ID_LENGTH} characters long, not . or .. (got "..")`,
      );
      const file = join(dir, "refused.mp4");
      const refusals: [() => Promise<unknown>, string][] = [
        [() => saveResult(client, "..", file), ownRefusal.message.replace("Invalid input", "saveResult")],
        [
          () => saveResult(client, "job_x", ""),
          'saveResult: "path" must be the path of a file to write, not empty, without NUL characters (got "")',
        ],
        [
          () => saveResult(client, "job_x", "a\0b"),
          'saveResult: "path" must be the path of a file to write, not empty, without NUL characters (got "a\\u0000b")',
        ],
        [
          () => saveResult(client, "job_x", 5 as unknown as string),
          'saveResult: "path" must be the path of a file to write, not empty, without NUL characters (got 5)',
        ],
        [
          () => saveResult(client, "job_x", file, { deadline: Number.NaN }),
          `saveResult: "deadline" must be a finite number (ms on the client's clock) (got NaN)`,
        ],
      ];
      for (const [call, message] of refusals) {
        const error = (await call().catch((e) => e)) as InvalidInputError;
        expect(error).toBeInstanceOf(InvalidInputError);
        expect(error.message).toBe(message);
        // The field and what it takes, as the message names them.
        expect(error.message).toContain(`"${error.field}" must be ${error.expected} (got `);
        expect(error.jobId).toBeUndefined();
      }
      await expect(lstat(file)).rejects.toThrow();
      expect(server.arrived()).toBe(0);
    } finally {
      await server.close();
    }
  });

  it("fileFromPath opens a local file as a named, typed input", async () => {
    const { client, jobId } = await completedJob();
    const path = join(dir, "source.mp4");
    await saveResult(client, jobId, path);
    const file = await fileFromPath(path);
    expect(file.name).toBe("source.mp4");
    expect(file.type).toBe("video/mp4");
    expect(file.size).toBe((await readFile(path)).byteLength);
    const edit = await client.queue.submitAndPoll({ model: models.video("lucy-clip"), prompt: "edit it", data: file });
    expect(edit.status).toBe("completed");
    const other = join(dir, "notes.bin");
    await writeFile(other, "x");
    expect((await fileFromPath(other)).type).toBe("");
    expect((await fileFromPath(other, { type: "image/png" })).type).toBe("image/png");
  });
});
