import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { deflateSync } from "node:zlib";
import { catalogue } from "@decart/api";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import {
  events,
  finished,
  interrupt,
  jump,
  KEY,
  listenOnLoopback,
  onStderr,
  run,
  runOnTerminal,
  SCRIPT,
  start,
  startHeld,
  tempDir,
  useEmulator,
} from "./helpers.js";
import { secondCtrlC } from "./second-signal.js";

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG chunk: its length, type, data and CRC-32. */
function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  let crc = 0xffffffff;
  for (const byte of body) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return Buffer.concat([head, body, tail]);
}

/** An animated PNG of one black pixel (its `acTL` chunk makes it one). */
const APNG = (() => {
  const header = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  const animation = Buffer.from([0, 0, 0, 1, 0, 0, 0, 0]);
  return Buffer.concat([
    PNG,
    pngChunk("IHDR", header),
    pngChunk("acTL", animation),
    pngChunk("IDAT", deflateSync(Buffer.from([0, 0, 0, 0]))),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
})();

/** The environment that makes the CLI import `modules` (test modules written to disk) before it runs. */
const importing = (...modules: string[]) => ({
  NODE_OPTIONS: modules.map((module) => `--import=${pathToFileURL(module).href}`).join(" "),
});

/**
 * A module that stops the CLI's clock at 2026-01-02 03:04:05 UTC, so that the name it picks is known (`STOPPED_NAME`);
 * the rest of it runs as ever. Written to `dir`.
 */
function stoppedClock(dir: string): string {
  const module = join(dir, "clock.mjs");
  writeFileSync(
    module,
    "const At = Date;\nglobalThis.Date = class extends At { constructor(...a) { a.length ? super(...a) : super(Date.UTC(2026, 0, 2, 3, 4, 5)); } };\n",
  );
  return module;
}
const STOPPED_NAME = "lucy-pro-t2i-20260102-030405";

/**
 * A module that holds the CLI where it first puts a file of `STOPPED_NAME` in place (a rename or a link of
 * `fs/promises`) until `runs` CLIs have come that far. Runs at once then each look for a free name before any takes
 * one: the race a check made before the write (or just before the rename) would lose is certain, not a matter of
 * luck. Written to `dir`, with the directory where the runs meet.
 */
function meetingBeforePlacing(dir: string, runs: number): string {
  const meeting = join(dir, "meeting");
  mkdirSync(meeting);
  const module = join(dir, "meeting.mjs");
  writeFileSync(
    module,
    `import { readdirSync, writeFileSync } from "node:fs";
import promises from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
import { basename, join } from "node:path";
let met = false;
async function meet(to) {
  if (met || !basename(String(to)).startsWith(${JSON.stringify(STOPPED_NAME)})) return;
  met = true;
  writeFileSync(join(${JSON.stringify(meeting)}, String(process.pid)), "");
  while (readdirSync(${JSON.stringify(meeting)}).length < ${runs}) await new Promise((next) => setTimeout(next, 5));
}
for (const name of ["link", "rename"]) {
  const real = promises[name];
  promises[name] = async (from, to) => (await meet(to), real(from, to));
}
syncBuiltinESMExports();
`,
  );
  return module;
}

/**
 * A module that holds the CLI once it has opened the temporary file of a result (`….partial`, opened to be written;
 * the check's probe is opened with `wx`) and says so on stderr (`HOLDING`): the file is there, not yet complete nor
 * renamed, and stays so until a signal ends the process. No real-time window: the write waits for the test. Written to
 * `dir`.
 */
function holdingTemporary(dir: string): string {
  const module = join(dir, "holding.mjs");
  writeFileSync(
    module,
    `import promises from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
const real = promises.open;
promises.open = async (path, flags, ...rest) => {
  const file = await real(path, flags, ...rest);
  if (String(path).endsWith(".partial") && flags === "w") {
    process.stderr.write(${JSON.stringify(`${HOLDING}
`)});
    setInterval(() => {}, 1 << 30); // keeps the process alive while it waits (for a signal, never for time)
    await new Promise(() => {});
  }
  return file;
};
syncBuiltinESMExports();
`,
  );
  return module;
}
const HOLDING = "test: holding the temporary file";

const WAITING = "Waiting for the image (5 s at most), so that it is not lost";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f));

describe("decart image", () => {
  it("saves a PNG and reports it as an NDJSON event", async () => {
    const out = join(dir, "lighthouse.png");
    const { code, stdout } = await run(["image", "A lighthouse", "orientation=portrait", "seed:=7", "-o", out], {
      env,
    });
    expect(code).toBe(0);
    const [saved, ...rest] = events(stdout);
    expect(rest).toEqual([]);
    const bytes = readFileSync(out);
    expect(saved).toEqual({
      type: "saved",
      model: "lucy-pro-t2i",
      path: out,
      bytes: bytes.length,
      content_type: "image/png",
      server_content_type: "image/png",
    });
    expect(bytes.subarray(0, 8)).toEqual(PNG);
    // A portrait PNG: its IHDR height is larger than its width.
    expect(bytes.readUInt32BE(20)).toBeGreaterThan(bytes.readUInt32BE(16));
    expect(readdirSync(dir).filter((f) => f.endsWith(".partial"))).toEqual([]);
    expect(emu.stats().requests.byRoute.process).toBe(1);
  });

  it("names the file after the model by default, and prints the path for a human", async () => {
    const { dir: cwd, remove: clean } = tempDir();
    try {
      const { code, stdout, stderr } = await run(["image", "A lighthouse", "--no-json"], { env, cwd });
      expect(code).toBe(0);
      const path = stdout.trim();
      expect(path.startsWith(`${cwd}/`)).toBe(true);
      expect(path.slice(cwd.length + 1)).toMatch(/^lucy-pro-t2i-\d{8}-\d{6}\.png$/);
      expect(readFileSync(path).subarray(0, 8)).toEqual(PNG);
      expect(stderr).toContain("Image saved");
    } finally {
      clean();
    }
  });

  it("never names the file the journal: the name it would pick is the journal's, so it adds -2", async () => {
    const { dir: cwd, remove: clean } = tempDir();
    try {
      const clock = stoppedClock(cwd);
      /** Runs `decart image` in the directory `place` (made if need be) with the journal `journal`. */
      const at = (place: string, journal: string) => {
        mkdirSync(join(cwd, place), { recursive: true });
        return run(["image", "A lighthouse", "--no-json", "--journal", journal], {
          env: { ...env, ...importing(clock) },
          cwd: join(cwd, place),
        });
      };
      const name = STOPPED_NAME;
      const plain = await at("plain", join(cwd, "elsewhere.jsonl"));
      expect(plain.code, plain.stderr).toBe(0);
      expect(plain.stdout.trim()).toBe(join(cwd, "plain", `${name}.png`));

      // A journal there already, with a job in it: kept as it was.
      const line = `${JSON.stringify({ at: "2026-01-01T00:00:00.000Z", job_id: "job_kept", event: "submitted" })}\n`;
      mkdirSync(join(cwd, "state"));
      writeFileSync(join(cwd, "state", `${name}.png`), line);
      const journal = await at("state", `${name}.png`);
      expect(journal.code, journal.stderr).toBe(0);
      expect(journal.stdout.trim()).toBe(join(cwd, "state", `${name}-2.png`));
      expect(readFileSync(join(cwd, "state", `${name}-2.png`)).subarray(0, 8)).toEqual(PNG);
      expect(readFileSync(join(cwd, "state", `${name}.png`), "utf8")).toBe(line);

      // A journal not written yet under that name, or through a link to the directory: the same. Under the name of
      // another image type (a WebP): not the name the PNG takes, which keeps its own.
      const later = await at("later", join(cwd, "later", `${name}.png`));
      expect(later.code, later.stderr).toBe(0);
      expect(later.stdout.trim()).toBe(join(cwd, "later", `${name}-2.png`));
      expect(existsSync(join(cwd, "later", `${name}.png`))).toBe(false);
      const other = await at("webp", join(cwd, "webp", `${name}.webp`));
      expect(other.code, other.stderr).toBe(0);
      expect(other.stdout.trim()).toBe(join(cwd, "webp", `${name}.png`));
      expect(existsSync(join(cwd, "webp", `${name}.webp`))).toBe(false);
      symlinkSync(join(cwd, "linked"), join(cwd, "link"));
      const linked = await at("linked", join(cwd, "link", `${name}.png`));
      expect(linked.code, linked.stderr).toBe(0);
      expect(linked.stdout.trim()).toBe(join(cwd, "linked", `${name}-2.png`));
      expect(emu.stats().requests.byRoute.process).toBe(5);
    } finally {
      clean();
    }
  });

  it("never writes over what is there without -o: the name takes -2, -3 … (-o replaces a file, as asked)", async () => {
    const { dir: cwd, remove: clean } = tempDir();
    try {
      const env2 = { ...env, ...importing(stoppedClock(cwd)) };
      const name = (suffix = "") => join(cwd, `${STOPPED_NAME}${suffix}.png`);
      // The user's file, a directory and a link to nowhere already have the names of that second.
      writeFileSync(name(), "mine");
      mkdirSync(name("-2"));
      symlinkSync(join(cwd, "nowhere"), name("-3"));
      const first = await run(["image", "A lighthouse", "--no-json"], { env: env2, cwd });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toBe(`${name("-4")}\n`);
      expect(readFileSync(name("-4")).subarray(0, 8)).toEqual(PNG);
      // Another run in that second: the next name.
      const second = await run(["image", "A lighthouse"], { env: env2, cwd });
      expect(second.code, second.stderr).toBe(0);
      expect(events(second.stdout)).toEqual([expect.objectContaining({ type: "saved", path: name("-5") })]);
      expect(readFileSync(name(), "utf8")).toBe("mine");
      expect(statSync(name("-2")).isDirectory()).toBe(true);
      expect(readlinkSync(name("-3"))).toBe(join(cwd, "nowhere"));
      expect(existsSync(join(cwd, "nowhere"))).toBe(false);
      expect(readdirSync(cwd).filter((f) => f.endsWith(".partial"))).toEqual([]);

      // A name given with -o is written over.
      const given = await run(["image", "A lighthouse", "-o", name(), "--no-json"], { env: env2, cwd });
      expect(given.code, given.stderr).toBe(0);
      expect(given.stdout).toBe(`${name()}\n`);
      expect(readFileSync(name()).subarray(0, 8)).toEqual(PNG);
    } finally {
      clean();
    }
  });

  it("runs at once in one second each take a name of their own", async () => {
    const { dir: cwd, remove: clean } = tempDir();
    try {
      const runs = 3;
      const env2 = { ...env, ...importing(stoppedClock(cwd), meetingBeforePlacing(cwd, runs)) };
      const prompts = Array.from({ length: runs }, (_, i) => `Lighthouse ${i + 1}`);
      const results = await Promise.all(
        prompts.map((prompt) => run(["image", prompt, "--no-json"], { env: env2, cwd })),
      );
      for (const result of results) expect(result.code, result.stderr).toBe(0);
      const paths = results.map((r) => r.stdout.trim());
      const names = ["", "-2", "-3"].map((suffix) => join(cwd, `${STOPPED_NAME}${suffix}.png`));
      expect([...paths].sort()).toEqual(names.sort());
      // Each file is its own run's image (the emulator answers a prompt with the same image every time).
      for (const [i, prompt] of prompts.entries()) {
        const again = await run(["image", prompt, "-o", "-"], { env });
        expect(again.code, again.stderr).toBe(0);
        expect(readFileSync(paths[i]!)).toEqual(again.bytes);
      }
      expect(readdirSync(cwd).filter((f) => f.endsWith(".partial"))).toEqual([]);
    } finally {
      clean();
    }
  });

  it("says where the image went in a line that reads whole when stdout is not the terminal", async () => {
    const out = join(dir, "told.png");
    // Human output into a pipe: the path alone on stdout (what a script captures), the whole sentence on stderr.
    const piped = await run(["image", "A lighthouse", "-o", out, "--no-json"], { env });
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toBe(`${out}\n`);
    expect(piped.stderr).toContain(`✓ Image saved (${statSync(out).size} bytes) to ${out}\n`);
    // NDJSON on stdout: stderr's line names the path too.
    const ndjson = await run(["image", "A lighthouse", "-o", out], { env });
    expect(ndjson.code, ndjson.stderr).toBe(0);
    expect(ndjson.stderr).toContain(`✓ Image saved (${statSync(out).size} bytes) to ${out}\n`);
  });

  it.skipIf(!SCRIPT)("on a terminal, gives the path once, on the line after 'saved'", async () => {
    const out = join(dir, "terminal.png");
    const tty = await runOnTerminal(["image", "A lighthouse", "-o", out, "--no-color"], { env });
    expect(tty.code, tty.stdout).toBe(0);
    expect(tty.stdout).toContain(`✓ Image saved (${statSync(out).size} bytes):\r\n${out}\r\n`);
    expect(tty.stdout.split(out)).toHaveLength(2);
  });

  it("an answer's bytes tell its type: a JPEG sent as application/octet-stream is a .jpg, an animated PNG a .png; bytes of no image are exit 1, nothing saved", async () => {
    const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);
    const answers: Array<[string, Buffer]> = [
      ["jpeg", JPEG],
      ["apng", APNG],
      ["gif", Buffer.from("GIF89a\x01\x00\x01\x00\x00\x00\x00;", "latin1")],
      ["html", Buffer.from("<html>Service unavailable</html>")],
      ["text", Buffer.from("PNG")],
    ];
    let body: Buffer = Buffer.alloc(0);
    // The Process API, answering with `body` as application/octet-stream.
    const server = await listenOnLoopback((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length });
        res.end(body);
      });
    });
    const place = join(dir, "sniffed");
    mkdirSync(place);
    try {
      const served = { ...env, DECART_BASE_URL: server.url };
      for (const [what, bytes] of answers) {
        body = bytes;
        const { code, stdout, stderr } = await run(["image", "A lighthouse"], { env: served, cwd: place });
        if (what === "jpeg" || what === "apng") {
          expect(code, stderr).toBe(0);
          const saved = events(stdout).at(-1)!;
          expect(saved.path).toMatch(what === "jpeg" ? /\.jpg$/ : /\.png$/);
          expect(readFileSync(saved.path)).toEqual(bytes);
          continue;
        }
        expect(code, `${what}: ${stderr}`).toBe(1);
        expect(events(stdout).at(-1)).toMatchObject({ type: "error", code: "NOT_AN_IMAGE" });
        expect(stderr).toContain(
          `The server's answer is not a PNG, JPEG or WebP image (content type "application/octet-stream", ${bytes.length} bytes`,
        );
        // Nor onto stdout.
        const piped = await run(["image", "A lighthouse", "-o", "-"], { env: served, cwd: place });
        expect(piped.code, piped.stderr).toBe(1);
        expect(piped.bytes.length).toBe(0);
        // Nor a batch's image line, which fails.
        const line = `${JSON.stringify({ custom_id: what, model: "lucy-pro-t2i", prompt: "A lighthouse" })}\n`;
        // (Each in its own --out: a batch is refused where another batch's report is.)
        const batch = await run(["batch", "-", "--out", join(place, "batch", what)], { env: served, input: line });
        expect(batch.code, batch.stderr).toBe(6);
        expect(events(batch.stdout).find((e) => e.type === "line_failed")?.error).toContain(
          "is not a PNG, JPEG or WebP image",
        );
      }
      expect(readdirSync(place).sort()).toEqual([
        "batch",
        expect.stringMatching(/\.jpg$/),
        expect.stringMatching(/\.png$/),
      ]);
      for (const what of readdirSync(join(place, "batch"))) {
        // The image was made (and billed): its line is not to be run again as one that certainly made nothing.
        expect(readdirSync(join(place, "batch", what)).sort()).toEqual(["results.jsonl", "unknown.jsonl"]);
      }
    } finally {
      await server.close();
    }
  });

  it("-o a symbolic link to a file writes that file, the link staying, as video -o does", async () => {
    const place = join(dir, "through");
    mkdirSync(place);
    for (const [command, extension] of [
      ["image", "png"],
      ["video", "mp4"],
    ] as const) {
      const real = join(place, `real.${extension}`);
      const link = join(place, `link.${extension}`);
      writeFileSync(real, "OLD");
      symlinkSync(real, link);
      const saved = await run([command, "A lighthouse", "-o", link], { env });
      expect(saved.code, saved.stderr).toBe(0);
      expect(events(saved.stdout).at(-1)).toMatchObject({ path: link });
      expect(lstatSync(link).isSymbolicLink(), command).toBe(true);
      expect(readFileSync(real).length, command).toBeGreaterThan(3);
    }
    expect(readFileSync(join(place, "real.png")).subarray(0, 8)).toEqual(PNG);
    expect(readdirSync(place).sort()).toEqual(["link.mp4", "link.png", "real.mp4", "real.png"]);
  });

  // The image's -o was replaced by a file of the default mode (0644) and of the process's owner: a private file (0600,
  // another user's) was left readable by everyone, and owned by root.
  it("-o a file that exists (or a link to one) keeps its mode, owner and group, as video -o does", async () => {
    const place = join(dir, "kept");
    mkdirSync(place);
    // As root, the replaced file is another user's (nobody's); otherwise the user's own, its mode alone told.
    const owner = process.getuid?.() === 0 ? 65534 : undefined;
    for (const [command, extension] of [
      ["image", "png"],
      ["video", "mp4"],
    ] as const) {
      const real = join(place, `private.${extension}`);
      const link = join(place, `link.${extension}`);
      writeFileSync(real, "OLD");
      symlinkSync(real, link);
      for (const path of [real, link]) {
        chmodSync(real, 0o600);
        if (owner !== undefined) chownSync(real, owner, owner);
        const saved = await run([command, "A lighthouse", "-o", path], { env });
        expect(saved.code, saved.stderr).toBe(0);
        const after = statSync(real);
        expect(readFileSync(real).length, `${command} -o ${path}`).toBeGreaterThan(3);
        expect(after.mode & 0o777, `${command} -o ${path}`).toBe(0o600);
        if (owner !== undefined) expect([after.uid, after.gid], `${command} -o ${path}`).toEqual([owner, owner]);
      }
    }
  });

  it("creates the directory of -o when it does not exist", async () => {
    const out = join(dir, "new", "deeper", "lighthouse.png");
    const { code, stderr } = await run(["image", "A lighthouse", "-o", out], { env });
    expect(code, stderr).toBe(0);
    expect(readFileSync(out).subarray(0, 8)).toEqual(PNG);
  });

  it("writes the image to stdout with -o -", async () => {
    const result = await run(["image", "A lighthouse", "-o", "-", "--no-json"], { env });
    expect(result.code).toBe(0);
    expect(result.bytes.subarray(0, 8)).toEqual(PNG);
  });

  it("writes the image to stdout with -o - into a pipe without --no-json (no NDJSON there); --json is refused", async () => {
    const piped = await run(["image", "A lighthouse", "-o", "-"], { env });
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.bytes.subarray(0, 8)).toEqual(PNG);

    const json = await run(["image", "A lighthouse", "-o", "-", "--json"], { env });
    expect(json.code).toBe(2);
    expect(json.stderr).toContain("-o - writes the image to stdout: not with --json");
  });

  it("reads the prompt from stdin (-), a text field from a file (@path), and a file input (@path, @-)", async () => {
    const promptFile = join(dir, "prompt.txt");
    writeFileSync(promptFile, "A lighthouse from a file\n");
    const source = join(dir, "source.png");
    expect((await run(["image", "-", "-o", source], { env, input: "A lighthouse from stdin\n" })).code).toBe(0);
    expect((await run(["image", `prompt=@${promptFile}`, "-o", join(dir, "b.png")], { env })).code).toBe(0);

    const edit = await run(
      ["image", "Make it snow", "--model", "lucy-image-2", `data=@${source}`, "-o", join(dir, "c.png")],
      {
        env,
      },
    );
    expect(edit.code, edit.stderr).toBe(0);
    const piped = await run(["image", "Make it snow", "-m", "lucy-image-2", "data=@-", "-o", join(dir, "d.png")], {
      env,
      input: readFileSync(source),
    });
    expect(piped.code, piped.stderr).toBe(0);
    expect(readFileSync(join(dir, "d.png")).subarray(0, 8)).toEqual(PNG);
    expect(emu.stats().requests.byRoute.process).toBe(4);
  });

  describe("bad input: exit 2, the field named, nothing sent", () => {
    const rejected = async (args: string[], ...expected: string[]) => {
      const out = join(dir, "never.png");
      const { code, stdout, stderr } = await run(["image", ...args, "-o", out], { env });
      expect(code, stderr).toBe(2);
      for (const text of expected) expect(stderr).toContain(text);
      const [error] = events(stdout);
      expect(error).toMatchObject({ type: "error", exit_code: 2 });
      expect(existsSync(out)).toBe(false);
      expect(emu.stats().requests.total).toBe(0);
    };

    it("an enum value that is not allowed: the allowed values are listed", async () => {
      const field = catalogue["lucy-pro-t2i"].fields.find((f) => f.name === "resolution")!;
      await rejected(["A lighthouse", "resolution=4k"], '"resolution"', ...field.enum!.map((v) => `"${v}"`));
    });
    it("a number out of range, text where a number goes", async () => {
      await rejected(["A lighthouse", "seed=-1"], '"seed"');
      await rejected(["A lighthouse", "seed=abc"], '"seed"', "integer");
    });
    it("an unknown field: the model's fields are listed", async () => {
      await rejected(
        ["A lighthouse", "colour=red"],
        '"colour"',
        ...catalogue["lucy-pro-t2i"].fields.map((f) => f.name),
      );
    });
    it("a missing required field", async () => {
      await rejected(["seed=1"], '"prompt"');
    });
    it("bad JSON after :=, a file that cannot be read, two prompts", async () => {
      await rejected(["A lighthouse", "seed:=nope"], '"seed"', "JSON");
      // A long value is quoted cut short, the cut marked.
      await rejected(["A lighthouse", `seed:=${"x".repeat(100)}`], `(got "${"x".repeat(40)}…")`);
      await rejected(["Make it snow", "-m", "lucy-image-2", "data=@/nonexistent/x.png"], '"data"', "no such file");
      await rejected(["A lighthouse", "A lake"], "One prompt only");
    });
    it("a model that is unknown, of the other kind, or retired", async () => {
      // (Without the client's way past its check, a definition of one's own, which the CLI does not take.)
      await rejected(
        ["A lighthouse", "-m", "lucy-nope"],
        'must be one of the catalogue\'s image models (got "lucy-nope")',
      );
      await rejected(["A lighthouse", "-m", "lucy-pro-t2v"], "image model");
      await rejected(["A lighthouse", "-m", "lucy-pro-i2i", "data=@/nonexistent.png"], '"data"');
    });
  });

  it("exits 4 without a key or with a refused key, 1 when the server fails the request", async () => {
    const none = await run(["image", "A lighthouse"], { env: { ...env, DECART_API_KEY: undefined } as never });
    expect(none.code).toBe(4);
    expect(none.stderr).toContain("DECART_API_KEY");
    expect(emu.stats().requests.total).toBe(0);
    const refused = await run(["image", "A lighthouse"], { env: { ...env, DECART_API_KEY: "dct_wrong_key_0000" } });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain("check the key given by --api-key or DECART_API_KEY");
    expect(refused.stderr).not.toContain("dct_wrong_key_0000");
    const failed = await run(["image", "[fail] A lighthouse", "-o", join(dir, "failed.png")], { env });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("asked to fail");
    expect(existsSync(join(dir, "failed.png"))).toBe(false);
  });

  it("takes flags over the environment", async () => {
    const flags = await run(
      ["image", "A lighthouse", "--api-key", KEY, "--base-url", emu.url, "-o", join(dir, "f.png")],
      {
        env: { DECART_API_KEY: "dct_wrong_key_0000", DECART_BASE_URL: "http://127.0.0.1:9" },
      },
    );
    expect(flags.code, flags.stderr).toBe(0);
  });

  it("a 500 (the outcome unknown) says an image may have been made, in the CLI's terms (no retrySubmit)", async () => {
    emu.setFaults([{ route: "process", kind: "500" }]);
    const journal = join(dir, "unknown-journal.jsonl");
    const { code, stdout, stderr } = await run(["image", "A lighthouse", "-o", join(dir, "unknown.png")], {
      env: { ...env, DECART_JOURNAL: journal },
    });
    expect(code, stderr).toBe(1);
    expect(stderr).not.toContain("retrySubmit");
    // An image's words: `image` writes no journal, and an image has no job id (before: "a job made this way is in the
    // journal only as a submit whose outcome is unknown (decart jobs list shows it)", and jobs list showed none).
    expect(stderr).toContain(
      "an image may have been made (and billed) although its answer was not one the CLI could use, and the CLI did " +
        "not send it again. Running the command again asks for (and bills) another one; an image has no job id, so " +
        "there is nothing to look up (no command can fetch it): the request id above lets support find it",
    );
    expect(stderr).not.toContain("a job");
    expect(stderr).not.toContain("journal");
    expect(existsSync(journal)).toBe(false);
    expect(events(stdout).at(-1)).toMatchObject({ type: "error", code: "SUBMIT_OUTCOME_UNKNOWN" });
    // The client's clause is replaced whole; the server's request id, which the message names, is for support.
    expect(stderr).not.toContain("a job (or file) may exist");
    expect(stderr).not.toContain("ask support before retrying");
    expect(stderr).toMatch(/\(HTTP 500, request req_\w+\); the server may have taken the request/);
    expect(stderr).toContain("the request id above lets support find it");
  });

  it("an outcome unknown with no answer at all (the connection closed once the request was read): no request id", async () => {
    // A server of its own that reads the whole request, then closes the connection without a word.
    const server = await listenOnLoopback((req) => {
      req.resume();
      req.on("end", () => req.socket.destroy());
    });
    try {
      const url = server.url;
      const out = join(dir, "unanswered.png");
      const { code, stdout, stderr } = await run(["image", "A lighthouse", "-o", out], {
        env: { ...env, DECART_BASE_URL: url },
      });
      expect(code, stderr).toBe(1);
      const error = events(stdout).at(-1)!;
      expect(error).toMatchObject({ type: "error", code: "SUBMIT_OUTCOME_UNKNOWN" });
      expect(error.message).toContain("an image may have been made");
      expect(error.message).not.toContain("a job");
      expect(error.message).not.toContain("retrySubmit");
      expect(error.message).not.toContain("request id above");
      expect(error.message).toContain("no answer came, so there is no request id to give support");
      expect(error.message).toContain("although its answer never came");
    } finally {
      await server.close();
    }
  });

  it("an outcome unknown after an answer without a request id (HTML with 200, a body cut short): said so, not 'no answer came'", async () => {
    // A server of its own whose answer came (its status and headers) but could not be used, with no x-request-id.
    let answer: "html" | "cut" = "html";
    const server = await listenOnLoopback((req, res) => {
      req.resume();
      req.on("end", () => {
        if (answer === "html") {
          res.writeHead(200, { "content-type": "text/html" });
          return res.end("<html>error</html>");
        }
        res.writeHead(200, { "content-type": "image/png", "content-length": 100_000 });
        res.write(Buffer.from("\x89PNG\r\n\x1a\n", "latin1"), () => res.socket?.destroy());
      });
    });
    try {
      const url = server.url;
      const cases: Array<["html" | "cut", string[]]> = [
        ["html", ["image", "A lighthouse", "-o", join(dir, "html.png")]],
        ["cut", ["image", "A lighthouse", "-o", join(dir, "cut.png")]],
        ["html", ["video", "A lake", "-o", join(dir, "html.mp4")]],
      ];
      for (const [kind, args] of cases) {
        answer = kind;
        const { code, stdout, stderr } = await run(args, {
          env: { ...env, DECART_BASE_URL: url, DECART_JOURNAL: join(dir, "answered.jsonl") },
        });
        const what = `${kind} ${args[0]}`;
        expect(code, stderr).toBe(1);
        const error = events(stdout).at(-1)!;
        expect(error, what).toMatchObject({ type: "error", code: "SUBMIT_OUTCOME_UNKNOWN" });
        expect(error.message, what).toContain("although its answer was not one the CLI could use");
        expect(error.message, what).toContain("its answer carried no request id (x-request-id) to give support");
        expect(error.message, what).not.toContain("never came");
        expect(error.message, what).not.toContain("no answer came");
      }
    } finally {
      await server.close();
    }
  });

  it("Ctrl-C or SIGTERM while the image request is in flight lets it finish: the image saved, exit 130", async () => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const out = join(dir, `held-${signal}.png`);
      // The answer is held until the CLI says it waits for it: the signal comes while the request is in flight.
      const { child, done, release } = await startHeld(["image", "A lighthouse", "-o", out], emu.url, { env });
      await interrupt(child, signal, WAITING);
      release();
      const stopped = await done;
      expect(stopped.code, `${signal}: ${stopped.stderr}`).toBe(130);
      expect(stopped.stderr, signal).toContain("Ctrl-C again stops at once");
      expect(readFileSync(out).subarray(0, 8).equals(PNG), signal).toBe(true);
      const lines = events(stopped.stdout);
      expect(lines, signal).toMatchObject([
        { type: "saved", path: out },
        { type: "interrupted", path: out, exit_code: 130 },
      ]);
    }
  });

  it("without -o, the image held by Ctrl-C takes the default name, printed for a human", async () => {
    const cwd = join(dir, "held-default");
    mkdirSync(cwd);
    const { child, done, release } = await startHeld(["image", "A lighthouse", "--no-json"], emu.url, { env, cwd });
    await interrupt(child, "SIGINT", WAITING);
    release();
    const stopped = await done;
    expect(stopped.code, stopped.stderr).toBe(130);
    const [name] = readdirSync(cwd);
    expect(name).toMatch(/^lucy-pro-t2i-\d{8}-\d{6}\.png$/);
    expect(stopped.stdout + stopped.stderr).toContain(join(cwd, name!));
  });

  it("-o -: the image held by Ctrl-C or SIGTERM is still written to stdout, then exit 130", async () => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const { child, done, release } = await startHeld(["image", "A lighthouse", "-o", "-"], emu.url, { env });
      await interrupt(child, signal, WAITING);
      release();
      const stopped = await done;
      expect(stopped.code, `${signal}: ${stopped.stderr}`).toBe(130);
      // The bytes alone on stdout, the whole image (from its signature to its IEND chunk), no event around it.
      expect(stopped.bytes.subarray(0, 8).equals(PNG), signal).toBe(true);
      expect(stopped.bytes.subarray(-8).toString("hex"), signal).toBe("49454e44ae426082");
      expect(stopped.stderr, signal).toContain("Ctrl-C again stops at once");
    }
  });

  it("a second Ctrl-C while the image is being written exits at once and leaves no temporary file", async () => {
    for (const output of ["held-write.png", undefined]) {
      const cwd = join(dir, `held-write-${output ?? "default"}`);
      mkdirSync(cwd);
      const args = ["image", "A lighthouse", ...(output ? ["-o", join(cwd, output)] : [])];
      const { child, done, release } = await startHeld(args, emu.url, {
        env: { ...env, ...importing(holdingTemporary(dir)) },
        cwd,
      });
      await interrupt(child, "SIGINT", WAITING);
      const writing = onStderr(child, HOLDING);
      release();
      await writing; // the temporary file is open beside the target, not yet complete
      expect(readdirSync(cwd).filter((f) => f.endsWith(".partial"))).toHaveLength(1);
      // (A second Ctrl-C not taken as one leaves it held there for good.)
      await secondCtrlC(child);
      const stopped = await done;
      expect(stopped.code, stopped.stderr).toBe(130);
      expect(readdirSync(cwd), output).toEqual([]);
    }
  });

  it("the first signal waits 5 s at most for the image: then exit 130, an image may have been made, nothing saved", async () => {
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      const out = join(dir, `grace-${signal}.png`);
      // An answer never passed on: the grace ends when the test moves the CLI's clock on (it ends only then). Before
      // the fix, the CLI waited for that answer as long as the client does for an upload's, 10 minutes.
      const { child, done } = await startHeld(["image", "A lighthouse", "-o", out], emu.url, { env, clock: true });
      await interrupt(child, signal, WAITING);
      jump(child);
      const stopped = await done;
      const code = signal === "SIGHUP" ? 129 : 130;
      expect(stopped.code, `${signal}: ${stopped.stderr}`).toBe(code);
      expect(events(stopped.stdout), signal).toEqual([
        { type: "interrupted", code: "SUBMIT_OUTCOME_UNKNOWN", exit_code: code },
      ]);
      expect(stopped.stderr, signal).toContain(
        "Interrupted: the image request's answer did not come within 5 s of the signal, so the CLI stopped waiting " +
          "for it. The request had reached the server: an image may have been made (and billed) although it never " +
          "came back, so nothing was saved, and with no answer there is no request id to give support either. " +
          "Running the command again makes (and bills) another one",
      );
      expect(stopped.stderr, signal).not.toContain("journal");
      expect(existsSync(out), signal).toBe(false);
    }
  });

  it("the grace ends after the image's headers came, not its body: said so, with the request id", async () => {
    // Headers of 200 (with a request id or without), and a body that never comes: the image is the body.
    let requestId: string | undefined;
    const server = await listenOnLoopback((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "image/png", ...(requestId && { "x-request-id": requestId }) });
        res.flushHeaders();
      });
    });
    const url = server.url;
    try {
      for (const id of [undefined, "req_image_headers"]) {
        requestId = id;
        const out = join(dir, "headers-only.png");
        const child = start(["--verbose", "image", "A lighthouse", "-o", out], {
          env: { ...env, DECART_BASE_URL: url },
          clock: true,
        });
        const done = finished(child);
        await onStderr(child, "← 200 POST"); // the answer's headers are in
        await interrupt(child, "SIGTERM", WAITING);
        jump(child);
        const stopped = await done;
        expect(stopped.code, `${id}: ${stopped.stderr}`).toBe(130);
        expect(events(stopped.stdout), id).toEqual([
          { type: "interrupted", code: "SUBMIT_OUTCOME_UNKNOWN", exit_code: 130, ...(id && { request_id: id }) },
        ]);
        expect(stopped.stderr, id).toContain(
          "the image request's answer had not come whole within 5 s (its headers came, HTTP 200, not its body) of the signal",
        );
        expect(stopped.stderr, id).toContain(
          id
            ? `; the answer's request id, ${id}, is what support can find it by. `
            : "; its answer carried no request id (x-request-id) to give support either. ",
        );
        expect(existsSync(out), id).toBe(false);
      }
    } finally {
      await server.close();
    }
  });

  it("the first signal, then a 500 within the grace: exit 130, an image may have been made, the request id", async () => {
    // The answer is held until the CLI says it waits (after the signal), then given: a 500, the outcome unknown.
    let held: import("node:http").ServerResponse | undefined;
    const server = await listenOnLoopback((req, res) => {
      req.resume();
      req.on("end", () => {
        held = res;
      });
    });
    try {
      const out = join(dir, "interrupted-500.png");
      const child = start(["image", "A lighthouse", "-o", out], { env: { ...env, DECART_BASE_URL: server.url } });
      const done = finished(child);
      while (!held) await new Promise((resolve) => setImmediate(resolve));
      await interrupt(child, "SIGINT", WAITING);
      held.writeHead(500, { "content-type": "application/json", "x-request-id": "req_image_500" });
      held.end('{"detail":"Internal Server Error"}');
      const stopped = await done;
      expect(stopped.code, stopped.stderr).toBe(130);
      expect(events(stopped.stdout)).toEqual([
        { type: "interrupted", code: "SUBMIT_OUTCOME_UNKNOWN", request_id: "req_image_500", exit_code: 130 },
      ]);
      expect(stopped.stderr).toContain("Interrupted: Internal Server Error (HTTP 500, request req_image_500)");
      // An image's words, as without the signal: no job, nothing to look up.
      expect(stopped.stderr).toContain(
        "an image may have been made (and billed) although its answer was not one the CLI could use",
      );
      expect(stopped.stderr).toContain("an image has no job id, so there is nothing to look up");
      expect(stopped.stderr).not.toContain("a job");
      expect(existsSync(out)).toBe(false);
    } finally {
      await server.close();
    }
  });

  it("a second Ctrl-C while the image request is in flight exits at once, nothing saved", async () => {
    const out = join(dir, "held-twice.png");
    // An answer never passed on, and the CLI on the test's clock, never moved on: the first signal's wait for the image
    // (5 s at most) does not end by itself, so only a second Ctrl-C taken as one ends the CLI (one taken for the first
    // delivered twice leaves it waiting: the test times out).
    const { child, done } = await startHeld(["image", "A lighthouse", "-o", out], emu.url, { env, clock: true });
    await interrupt(child, "SIGINT", WAITING);
    await secondCtrlC(child);
    const stopped = await done;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(events(stopped.stdout)).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });
});
