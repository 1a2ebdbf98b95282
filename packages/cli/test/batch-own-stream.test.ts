/**
 * A batch file that is the CLI's own stdout or stderr by another name (`decart batch /dev/stdout`, `/proc/self/fd/1`,
 * `/dev/stderr`) is where the CLI writes, not lines to read: refused in the words of the batch's input (exit 2, nothing
 * read or sent), not read (a pipe's read would wait for ever; a file's lines would be run while the CLI appends to it).
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { BIN, childEnv, finished, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f));

/** A line of a batch that the emulator would run. */
const LINE = `${JSON.stringify({ custom_id: "a", model: "lucy-pro-t2v", prompt: "A lake" })}\n`;

/**
 * Runs `decart batch <source> --no-json` with its `stream` appended to a file that holds a line of a batch (the other
 * stream a pipe); answers its exit code and the file's text and the pipe's after it.
 */
async function ownStream(source: string, stream: "stdout" | "stderr") {
  const file = join(dir, `${stream}-${source.replaceAll("/", "_")}.txt`);
  writeFileSync(file, LINE);
  const fd = openSync(file, "a");
  try {
    const child = spawn(process.execPath, [BIN, "batch", source, "--no-json", "--out", dir], {
      env: childEnv(env),
      stdio: ["ignore", stream === "stdout" ? fd : "pipe", stream === "stderr" ? fd : "pipe"],
    });
    const { code, stdout, stderr } = await finished(child);
    return { code, file: readFileSync(file, "utf8"), other: stream === "stdout" ? stderr : stdout };
  } finally {
    closeSync(fd);
  }
}

describe("a batch file that is the CLI's own stream", () => {
  for (const [source, stream] of [
    ["/dev/stdout", "stdout"],
    ["/proc/self/fd/1", "stdout"],
    ["/dev/stderr", "stderr"],
  ] as const) {
    it(`batch ${source}: exit 2, told as the batch's input, nothing sent`, async () => {
      const { code, file, other } = await ownStream(source, stream);
      const said = stream === "stderr" ? file : other;
      expect(code, said).toBe(2);
      expect(said).toContain(
        `decart: the batch file ${source} is this command's own ${stream}, which it writes to, not a file of lines ` +
          "to read: give the batch's file, or - to read its lines from standard input (nothing was sent)",
      );
      expect(said).not.toContain("result");
      expect(emu.stats().requests.total).toBe(0);
    });
  }
});
