/**
 * The reader of image bytes (image-type.ts: file-type and mime-types, tens of ms to import) is loaded only by what saves
 * an image: `decart image` once its inputs are read, a batch that has an image line. Loaded after standard input or a
 * named pipe was looked at, it is still found (nodejs/node#51142: see `pipeSafeStat` in files.ts).
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { finished, loadedModules, run, start, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f), { ownDir: true });

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const imageModules = /\/node_modules\/(file-type|mime-types|mime-db)\//;

/** Runs the CLI recording the modules it loads (see `loadedModules`). */
const recorded = async (args: string[], input?: string) => {
  const { env: recording, loaded } = loadedModules(dir);
  const r = await run(args, { env: { ...env, ...recording }, cwd: dir, input });
  return { ...r, loaded: loaded() };
};
const lines = (...records: object[]) => records.map((r) => `${JSON.stringify(r)}\n`).join("");

describe("the image commands load file-type and mime-types only when an image is to be saved", () => {
  it("decart image: not for a command line refused before its inputs are read or its -o checked; once it sends, yes", async () => {
    for (const args of [
      ["image", "a lake", "a sea"],
      ["image", "a lake", "colour=red"],
      ["image", "a lake", "-o", dir],
    ]) {
      const r = await recorded(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.loaded.some((url) => url.endsWith("/dist/commands/image.js"))).toBe(true);
      expect(
        r.loaded.filter((url) => imageModules.test(url)),
        args.join(" "),
      ).toEqual([]);
    }
    expect(emu.stats().requests.total).toBe(0);
    const saved = await recorded(["image", "a lake", "-o", join(dir, "lake.png")]);
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.loaded.some((url) => /\/node_modules\/file-type\//.test(url))).toBe(true);
  });

  it("decart image saves its image after reading standard input (-, data=@-: a pipe, looked at first), -o - too", async () => {
    // (Without the module hook of `loadedModules`, which resolves modules in a thread of its own.)
    const first = await run(["image", "-", "-o", "-"], { env, input: "A lighthouse\n" });
    expect(first.code, first.stderr).toBe(0);
    expect(first.bytes.subarray(0, 8)).toEqual(PNG);
    const edit = await run(["image", "Make it snow", "-m", "lucy-image-2", "data=@-", "-o", "-"], {
      env,
      input: first.bytes,
    });
    expect(edit.code, edit.stderr).toBe(0);
    expect(edit.bytes.subarray(0, 8)).toEqual(PNG);
    const saved = await run(["image", "Make it rain", "-m", "lucy-image-2", "data=@-", "-o", join(dir, "b.png")], {
      env,
      input: first.bytes,
    });
    expect(saved.code, saved.stderr).toBe(0);
    expect(readFileSync(join(dir, "b.png")).subarray(0, 8)).toEqual(PNG);
    expect(emu.stats().requests.byRoute.process).toBe(3);
  });

  it("a batch of video lines does without them; one with an image line loads them, from a file or stdin", async () => {
    const videos = join(dir, "videos.jsonl");
    writeFileSync(videos, lines({ custom_id: "lake", prompt: "A lake" }));
    const r = await recorded(["batch", videos, "--out", join(dir, "videos")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.loaded.some((url) => url.endsWith("/dist/commands/batch.js"))).toBe(true);
    expect(r.loaded.filter((url) => imageModules.test(url))).toEqual([]);

    const both = lines(
      { custom_id: "sea", prompt: "A sea" },
      { custom_id: "bay", model: "lucy-pro-t2i", prompt: "A bay" },
    );
    const mixed = await recorded(["batch", "-", "--out", join(dir, "mixed")], both);
    expect(mixed.code, mixed.stderr).toBe(0);
    expect(mixed.loaded.some((url) => /\/node_modules\/file-type\//.test(url))).toBe(true);
    expect(readFileSync(join(dir, "mixed", "bay.png")).subarray(0, 8)).toEqual(PNG);
  });

  it.skipIf(process.platform !== "linux")(
    "a batch with an image line read from standard input or a named pipe saves its image",
    async () => {
      const both = lines(
        { custom_id: "sea", prompt: "A sea" },
        { custom_id: "bay", model: "lucy-pro-t2i", prompt: "A bay" },
      );
      // (Without the module hook of `loadedModules`, which resolves modules in a thread of its own.)
      const piped = await run(["batch", "-", "--out", join(dir, "stdin")], {
        env: { ...env, DECART_JOURNAL: join(dir, "stdin.jsonl") },
        input: both,
      });
      expect(piped.code, piped.stderr).toBe(0);
      expect(readFileSync(join(dir, "stdin", "bay.png")).subarray(0, 8)).toEqual(PNG);

      const fifo = join(dir, "lines.fifo");
      execFileSync("mkfifo", [fifo]);
      const child = start(["batch", fifo, "--out", join(dir, "fifo")], {
        env: { ...env, DECART_JOURNAL: join(dir, "fifo.jsonl") },
      });
      const done = finished(child);
      const writer = await open(fifo, "w");
      await writer.writeFile(both);
      await writer.close();
      const read = await done;
      expect(read.code, read.stderr).toBe(0);
      expect(readFileSync(join(dir, "fifo", "bay.png")).subarray(0, 8)).toEqual(PNG);
    },
  );
});
