/**
 * Every example the help shows is a command that works against the catalogue: each is run as a user would copy it,
 * against the emulator (which checks inputs as the spec says), and its model names and the defaults the help names are
 * models of the catalogue. A spec change that renames a model or drops a value the help uses fails here.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { isImageModelName, isModelName, isVideoModelName } from "@decart/api";
import { describe, expect, it } from "vitest";
import { DEFAULT_IMAGE_MODEL } from "../src/commands/image.js";
import { DEFAULT_VIDEO_MODEL } from "../src/commands/video.js";
import { run, useEmulator } from "./helpers.js";

let env: Record<string, string>;
let dir: string;
useEmulator({ timing: { pendingMs: 100, processingMs: 100 } }, (f) => ({ env, dir } = f), { ownDir: true });

/** The commands of a help text's `Commands:` list (`help` aside: it has no examples). */
const commandsOf = (help: string) =>
  [...(help.split("\nCommands:\n")[1] ?? "").matchAll(/^ {2}([a-z]+)\b/gm)]
    .map((m) => m[1]!)
    .filter((c) => c !== "help");

/** Every command's help, by its words: the root's, each command's, each subcommand's. */
async function helps(): Promise<Map<string, string>> {
  const all = new Map<string, string>();
  const read = async (words: string[]) => {
    const { code, stdout, stderr } = await run([...words, "--help"]);
    expect(code, stderr).toBe(0);
    all.set(words.join(" "), stdout);
    if (words.length < 2)
      for (const c of commandsOf(stdout)) if (words.length || c !== "emulator") await read([...words, c]);
  };
  await read([]);
  return all;
}

/** A line of the help's `Examples:` as the words a shell would pass (double quotes and `"$var"` only, as they use). */
function words(line: string, vars: Record<string, string>): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map(([, quoted, bare]) =>
    (quoted ?? bare!).replace(/\$(\w+)/g, (_, name) => vars[name] ?? `$${name}`),
  );
}

/** The examples of one help text, each a line, without its comment. */
const examplesOf = (help: string) =>
  (help.split("\nExamples:\n")[1] ?? "")
    .split("\n\n")[0]!
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter(Boolean);

/** Makes the files an example reads (`data=@photo.jpg`, a batch file) that do not exist, with the CLI itself. */
async function makeInputs(args: string[]) {
  for (const arg of args) {
    const path = /^\w+=@(.+)$/.exec(arg)?.[1] ?? (/\.jsonl$/.test(arg) ? arg : undefined);
    if (!path || existsSync(join(dir, path))) continue;
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    if (path.endsWith(".jsonl")) writeFileSync(join(dir, path), '{"custom_id": "one", "prompt": "A lake"}\n');
    else {
      const kind = /\.(mp4|webm|mov)$/.test(path) ? "video" : "image";
      const made = await run([kind, "An input", "-o", path], { env, cwd: dir });
      expect(made.code, `${kind} -o ${path}: ${made.stderr}`).toBe(0);
    }
  }
}

describe("the help's examples", () => {
  it("name models of the catalogue, defaults included, each of the kind its command takes", async () => {
    const all = await helps();
    expect([...all.keys()]).toEqual(expect.arrayContaining(["image", "video", "jobs submit", "batch", "models"]));
    for (const [command, help] of all) {
      // An image command's model is an image model, a video command's a video model.
      const kind =
        command === "image" ? isImageModelName : /^(video|jobs)/.test(command) ? isVideoModelName : isModelName;
      for (const [, name] of help.matchAll(/(?:--model |-m |decart models )([a-z][\w.-]*)/g))
        expect(kind(name), `${command}: ${name}`).toBe(true);
      for (const [, name] of help.matchAll(/default(?:s to)? (lucy[\w.-]*)/g))
        expect([DEFAULT_IMAGE_MODEL, DEFAULT_VIDEO_MODEL], `${command}: default ${name}`).toContain(name);
    }
    expect(isImageModelName(DEFAULT_IMAGE_MODEL)).toBe(true);
    expect(isVideoModelName(DEFAULT_VIDEO_MODEL)).toBe(true);
    expect(all.get("image")).toContain(`default ${DEFAULT_IMAGE_MODEL}`);
    expect(all.get("video")).toContain(`default ${DEFAULT_VIDEO_MODEL}`);
  });

  it("each run as written, in order, against the emulator: exit 0", async () => {
    const all = await helps();
    const vars: Record<string, string> = {};
    let ran = 0;
    for (const [command, help] of all) {
      for (const line of examplesOf(help)) {
        // `id=$(decart …)` keeps the command's output as $id; `decart … | jq …` is the part before the pipe.
        const [, name, inner] = /^(\w+)=\$\((.*)\)$/.exec(line) ?? [];
        const args = words((inner ?? line).split(" | ")[0]!, vars);
        expect(args[0], `${command}: ${line}`).toBe("decart");
        await makeInputs(args.slice(1));
        const { code, stdout, stderr } = await run(["--no-json", ...args.slice(1)], { env, cwd: dir });
        expect(code, `${command}: ${line}\n${stderr}`).toBe(0);
        if (name) vars[name] = stdout.trim();
        ran++;
      }
    }
    expect(ran).toBeGreaterThanOrEqual(12);
  }, 120_000);
});
