/**
 * Results into a stream: a named pipe (FIFO), a character device, a descriptor such as `/dev/fd/1`, also through a
 * symbolic link, is opened and written as the bytes come; a temporary file renamed over it would replace the node by a
 * regular file (run as root, `-o /dev/null` replaced the machine's `/dev/null`). The devices here are made in the
 * test's own directory: no test writes to a device of the system.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { events, finished, interrupt, jump, onStderr, run, start, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f));

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/**
 * A named pipe at `dir/name`, and what a reader reads from it to its end. The reader is a `cat` of its own (it opens
 * the pipe now and waits there for a writer), so that no thread of the test's process (which runs the emulator) waits.
 */
function fifo(name: string): { path: string; read: Promise<Buffer> } {
  const path = join(dir, name);
  execFileSync("mkfifo", [path]);
  const reader = spawn("cat", [path], { stdio: ["ignore", "pipe", "inherit"] });
  readers.add(reader);
  const read = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    reader.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    reader.on("error", reject);
    reader.on("close", (code) => {
      readers.delete(reader);
      if (code === 0) resolve(Buffer.concat(chunks));
      else reject(new Error(`cat ${path} ended with ${code}`));
    });
  });
  return { path, read };
}

/** The readers still waiting (a test that failed before writing): ended after each test. */
const readers = new Set<ChildProcess>();
afterEach(() => {
  for (const reader of readers) reader.kill("SIGKILL");
});

const partials = (where = dir) => readdirSync(where).filter((f) => f.endsWith(".partial"));

let socket: Server;
let socketPath: string;
beforeAll(async () => {
  socketPath = join(dir, "a-socket");
  socket = createServer();
  await new Promise<void>((resolve) => socket.listen(socketPath, resolve));
});
afterAll(() => new Promise<void>((resolve) => socket.close(() => resolve())));

describe("a result into a named pipe is written in place, never replaced by a file", () => {
  it("image -o fifo: the reader gets the PNG, the pipe stays a pipe, no temporary file", async () => {
    const { path, read } = fifo("image.fifo");
    const result = await run(["image", "A lighthouse", "-o", path], { env });
    expect(result.code, result.stderr).toBe(0);
    const bytes = await read;
    expect(bytes.subarray(0, 8)).toEqual(PNG);
    expect(events(result.stdout)).toEqual([expect.objectContaining({ type: "saved", path, bytes: bytes.length })]);
    expect(lstatSync(path).isFIFO()).toBe(true);
    expect(partials()).toEqual([]);
  });

  it("image -o a named pipe nobody reads yet: the wait is said, and a reader that comes then gets the PNG", async () => {
    const path = join(dir, "later.fifo");
    execFileSync("mkfifo", [path]);
    const child = start(["image", "A lighthouse", "-o", path], { env });
    const done = finished(child);
    await onStderr(child, `Waiting for a reader of the named pipe ${path}`);
    const bytes = await readFile(path);
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    expect(bytes.subarray(0, 8)).toEqual(PNG);
    expect(events(result.stdout)).toEqual([expect.objectContaining({ type: "saved", path, bytes: bytes.length })]);
    expect(lstatSync(path).isFIFO()).toBe(true);
  });

  it("image -o a named pipe nobody reads: a signal, then another, ends the run (exit 130), the pipe stays", async () => {
    const path = join(dir, "unread.fifo");
    execFileSync("mkfifo", [path]);
    const child = start(["image", "A lighthouse", "-o", path], { env });
    const done = finished(child);
    await onStderr(child, `Waiting for a reader of the named pipe ${path}`);
    // Before the fix the open of the pipe waited for a reader in a worker thread, and the exit of the second signal
    // waited for that thread: neither Ctrl-C twice nor SIGTERM ended the run until some reader opened the pipe.
    child.kill("SIGINT");
    child.kill("SIGTERM");
    const stopped = await done;
    expect(stopped.code, `${stopped.signal}: ${stopped.stderr}`).toBe(130);
    expect(emu.stats().requests.byRoute.process).toBe(1);
    expect(events(stopped.stdout).filter((e) => e.type === "saved")).toEqual([]);
    expect(lstatSync(path).isFIFO()).toBe(true);
    expect(partials()).toEqual([]);
  }, 20_000);

  it("image -o a named pipe nobody reads: one SIGTERM waits 5 s at most for a reader, then exit 130, the image not written", async () => {
    const path = join(dir, "unread-once.fifo");
    execFileSync("mkfifo", [path]);
    // The grace ends when the test moves the CLI's clock on (only then).
    const child = start(["image", "A lighthouse", "-o", path], { env, clock: true });
    const done = finished(child);
    await onStderr(child, `Waiting for a reader of the named pipe ${path}`);
    // Before the fix one SIGTERM was not heeded there: only a second signal (or SIGKILL) ended the run.
    await interrupt(child, "SIGTERM", `Waiting for a reader of the named pipe ${path} 5 s more at most`);
    jump(child);
    const stopped = await done;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(events(stopped.stdout)).toEqual([{ type: "interrupted", exit_code: 130 }]);
    expect(stopped.stderr).toContain(
      `Interrupted: the image was made (and billed), but no reader of the named pipe ${path} took it whole within 5 s ` +
        "of the signal, so it was not written",
    );
    expect(lstatSync(path).isFIFO()).toBe(true);
    expect(partials()).toEqual([]);
  }, 20_000);

  it("image -o a named pipe: a reader that comes within the grace of a SIGTERM gets the image, exit 130", async () => {
    const path = join(dir, "late-reader.fifo");
    execFileSync("mkfifo", [path]);
    const child = start(["image", "A lighthouse", "-o", path], { env, clock: true });
    const done = finished(child);
    await onStderr(child, `Waiting for a reader of the named pipe ${path}`);
    await interrupt(child, "SIGTERM", `Waiting for a reader of the named pipe ${path} 5 s more at most`);
    const bytes = await readFile(path);
    const stopped = await done;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(bytes.subarray(0, 8)).toEqual(PNG);
    expect(events(stopped.stdout)).toEqual([
      expect.objectContaining({ type: "saved", path, bytes: bytes.length }),
      { type: "interrupted", path, exit_code: 130 },
    ]);
  });

  it("image -o a symbolic link to a pipe: written through it; the link and the pipe stay", async () => {
    const { path, read } = fifo("linked-image.fifo");
    const link = join(dir, "to-image.png");
    symlinkSync(path, link);
    const result = await run(["image", "A lighthouse", "-o", link], { env });
    expect(result.code, result.stderr).toBe(0);
    expect((await read).subarray(0, 8)).toEqual(PNG);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(lstatSync(path).isFIFO()).toBe(true);
  });

  it("video -o fifo: the reader gets the whole video; the journal names the pipe", async () => {
    const { path, read } = fifo("video.fifo");
    const result = await run(["video", "A lake", "-o", path], { env });
    expect(result.code, result.stderr).toBe(0);
    const saved = events(result.stdout).find((e) => e.type === "saved")!;
    expect(saved).toEqual(expect.objectContaining({ path }));
    expect(sha256(await read)).toBe(emu.job(saved.job_id)!.resultSha256);
    expect(lstatSync(path).isFIFO()).toBe(true);
    expect(readFileSync(env.DECART_JOURNAL!, "utf8")).toContain(`"path":${JSON.stringify(path)}`);
    expect(partials()).toEqual([]);
  });

  it("jobs wait and jobs result -o a link to a pipe: each reader gets the whole video", async () => {
    const submitted = await run(["jobs", "submit", "A lake", "--no-json"], { env });
    expect(submitted.code, submitted.stderr).toBe(0);
    const id = submitted.stdout.trim();
    const waited = fifo("wait.fifo");
    symlinkSync(waited.path, join(dir, "wait.mp4"));
    const wait = await run(["jobs", "wait", id, "-o", join(dir, "wait.mp4")], { env });
    expect(wait.code, wait.stderr).toBe(0);
    expect(sha256(await waited.read)).toBe(emu.job(id)!.resultSha256);
    const again = fifo("result.fifo");
    const result = await run(["jobs", "result", id, "-o", again.path], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(sha256(await again.read)).toBe(emu.job(id)!.resultSha256);
    expect(lstatSync(waited.path).isFIFO() && lstatSync(again.path).isFIFO()).toBe(true);
    expect(lstatSync(join(dir, "wait.mp4")).isSymbolicLink()).toBe(true);
  });

  it("batch --out: a line's result and results.jsonl that are pipes are written in place", async () => {
    const out = join(dir, "batch-out");
    mkdirSync(out);
    const batch = join(dir, "pipes.jsonl");
    writeFileSync(
      batch,
      `${JSON.stringify({ custom_id: "clip", prompt: "A lake" })}\n${JSON.stringify({ custom_id: "pic", model: "lucy-pro-t2i", prompt: "A lighthouse" })}\n`,
    );
    const clip = fifo("batch-out/clip.mp4");
    const pic = fifo("batch-out/pic.png");
    const results = fifo("batch-out/results.jsonl");
    const result = await run(["batch", batch, "--out", out], { env });
    expect(result.code, result.stderr).toBe(0);
    const lines = (await results.read)
      .toString("utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      expect.objectContaining({ custom_id: "clip", status: "completed", path: clip.path }),
      expect.objectContaining({ custom_id: "pic", status: "completed", path: pic.path }),
    ]);
    expect(sha256(await clip.read)).toBe(emu.job(lines[0].job_id)!.resultSha256);
    expect((await pic.read).subarray(0, 8)).toEqual(PNG);
    for (const path of [clip.path, pic.path, results.path]) expect(lstatSync(path).isFIFO(), path).toBe(true);
    expect(partials(out)).toEqual([]);
  });

  // A device node can be made only by root (with the capability to): elsewhere, skipped.
  it("image -o a character device (a null device made here): written in place", async (context) => {
    const device = join(dir, "null-device");
    try {
      execFileSync("mknod", ["-m", "666", device, "c", "1", "3"], { stdio: "ignore" });
    } catch {
      context.skip();
    }
    const result = await run(["image", "A lighthouse", "-o", device], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(lstatSync(device).isCharacterDevice()).toBe(true);
    expect(partials()).toEqual([]);
  });
});

describe("stdout by its path, and places that are refused before anything is sent", () => {
  it("image -o /dev/fd/1 is -o -: the PNG alone on stdout, no event among its bytes", async () => {
    const result = await run(["image", "A lighthouse", "-o", "/dev/fd/1"], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.bytes.subarray(0, 8)).toEqual(PNG);
    expect(result.bytes.includes(Buffer.from('"type":"saved"'))).toBe(false);
    expect(emu.stats().requests.byRoute.process).toBe(1);
  });

  it("video, jobs wait and jobs result refuse -o /dev/fd/1 as they refuse -o -: exit 2, nothing sent", async () => {
    for (const args of [
      ["video", "A lake"],
      ["jobs", "wait", "job_x"],
      ["jobs", "result", "job_x"],
    ]) {
      const result = await run([...args, "-o", "/dev/fd/1"], { env });
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toContain("-o /dev/fd/1 (stdout) is for images only");
    }
    expect(emu.stats().requests.total).toBe(0);
  });

  it("a socket (or a link to one) is refused: exit 2 naming its kind, nothing sent, the socket stays", async () => {
    symlinkSync(socketPath, join(dir, "to-socket.png"));
    for (const args of [
      ["image", "A lighthouse", "-o", socketPath],
      ["image", "A lighthouse", "-o", join(dir, "to-socket.png")],
      ["video", "A lake", "-o", socketPath],
      ["jobs", "result", "job_x", "-o", socketPath],
    ]) {
      const result = await run(args, { env });
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toContain("is a socket, not a file, a named pipe or a character device");
    }
    const out = join(dir, "socket-out");
    mkdirSync(out);
    symlinkSync(socketPath, join(out, "results.jsonl"));
    const batch = join(dir, "one.jsonl");
    writeFileSync(batch, `${JSON.stringify({ custom_id: "c", prompt: "A lake" })}\n`);
    const result = await run(["batch", batch, "--out", out], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("is a socket");
    expect(emu.stats().requests.total).toBe(0);
    expect(lstatSync(socketPath).isSocket()).toBe(true);
  });
});
