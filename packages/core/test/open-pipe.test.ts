/**
 * `openPipe` from `@decart/core/node`: a named pipe opened without any thread waiting on it, for reading or writing,
 * the wait for a reader ended by its deadline or signal. (saveResult's pipes, and the CLI's, are opened with it.)
 */
import { execFileSync } from "node:child_process";
import { createReadStream, readdirSync, writeFileSync } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AbortError, InvalidInputError, TimeoutError } from "../src/index.js";
import { openPipe } from "../src/node.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "decart-core-pipe-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let made = 0;
/** A new named pipe. */
const fifo = () => {
  const path = join(dir, `pipe-${++made}`);
  execFileSync("mkfifo", [path]);
  return path;
};

/** The bytes a reader reads from `path` to its end. */
const readAll = (path: string) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    createReadStream(path)
      .on("data", (c) => chunks.push(c as Buffer))
      .on("end", () => resolve(Buffer.concat(chunks)))
      .on("error", reject);
  });

/** Writes `text` to an open pipe and closes it. */
const end = (pipe: Socket, text: string) =>
  new Promise<void>((resolve, reject) => {
    pipe.on("error", reject);
    pipe.end(text, () => resolve());
  });

describe("openPipe", () => {
  it("for writing: waits for its reader (waiting told once, as the wait starts), then writes from the event loop", async () => {
    const path = fifo();
    let waited = 0;
    // The clock is read once per open that found no reader: the reader comes after the third.
    let looks = 0;
    let third!: () => void;
    const three = new Promise<void>((resolve) => (third = resolve));
    const opening = openPipe(path, "w", {
      now: () => {
        if (++looks === 3) third();
        return 0;
      },
      waiting: () => waited++,
    });
    await three;
    const read = readAll(path);
    const pipe = await opening;
    await end(pipe, "to the reader");
    expect((await read).toString()).toBe("to the reader");
    expect(waited).toBe(1);
  });

  it("for writing, with a reader there: opens at once, nothing waited for", async () => {
    const path = fifo();
    const reader = await open(path, "r+"); // read and write: opens without waiting for the other end
    try {
      let waited = 0;
      const pipe = await openPipe(path, "w", { waiting: () => waited++ });
      pipe.destroy();
      expect(waited).toBe(0);
    } finally {
      await reader.close();
    }
  });

  it("the deadline (on the clock given) ends the wait with a TimeoutError naming the pipe; the signal with an AbortError", async () => {
    const path = fifo();
    let waited = 0;
    const late = await openPipe(path, "w", { deadline: 1000, now: () => 1000, waiting: () => waited++ }).catch(
      (e) => e,
    );
    expect(late).toBeInstanceOf(TimeoutError);
    expect(late.message).toBe(`The pipe ${path} had no reader before the deadline`);
    expect(waited).toBe(0);
    const controller = new AbortController();
    const reason = new Error("stop");
    const stopped = await openPipe(path, "w", {
      signal: controller.signal,
      waiting: () => controller.abort(reason),
    }).catch((e) => e);
    expect(stopped).toBeInstanceOf(AbortError);
    expect(stopped.cause).toBe(reason);
  });

  it("for reading: opens at once, before any writer, and reads what one writes", async () => {
    const path = fifo();
    const pipe = await openPipe(path, "r");
    const chunks: Buffer[] = [];
    const read = new Promise<string>((resolve, reject) => {
      pipe.on("data", (c: Buffer) => chunks.push(c));
      pipe.on("end", () => resolve(Buffer.concat(chunks).toString()));
      pipe.on("error", reject);
    });
    const writer = await open(path, "w");
    await writer.writeFile("lines");
    await writer.close();
    expect(await read).toBe("lines");
  });

  it("a path that is no pipe fails as the system says, its descriptor closed; a missing one as ENOENT", async () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "not a pipe");
    // (Linux: the process's open descriptors; a descriptor left open by each failure would add up.)
    const open = () => (process.platform === "linux" ? readdirSync("/proc/self/fd").length : 0);
    const before = open();
    for (let i = 0; i < 50; i++) {
      const error = await openPipe(file, "w").catch((e) => e);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe("ERR_INVALID_FD_TYPE");
    }
    // None left open: a leak of one each would be 50 (a margin of 2 for descriptors the runtime opens meanwhile).
    expect(open()).toBeLessThanOrEqual(before + 2);
    const missing = await openPipe(join(dir, "none"), "r").catch((e) => e);
    expect(missing.code).toBe("ENOENT");
  });

  it("refuses a path, a mode or an option of the wrong kind before anything is opened, naming it", async () => {
    const path = fifo();
    for (const [call, field] of [
      [() => openPipe("", "w"), "path"],
      [() => openPipe("a\0b", "w"), "path"],
      [() => openPipe(path, "rw" as "r"), "mode"],
      [() => openPipe(path, "w", { deadline: Number.NaN }), "deadline"],
      [() => openPipe(path, "w", { waiting: "soon" as never }), "waiting"],
      [() => openPipe(path, "w", { now: 5 as never }), "now"],
      [() => openPipe(path, "w", { signal: {} as AbortSignal }), "signal"],
      [() => openPipe(path, "w", { timeout: 5 } as never), "timeout"],
    ] as const) {
      const error = await call().catch((e) => e);
      expect(error, field).toBeInstanceOf(InvalidInputError);
      expect(error.message, field).toContain(`openPipe: "${field}"`);
    }
  });
});
