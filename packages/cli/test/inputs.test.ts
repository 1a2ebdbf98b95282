/**
 * Inputs from the command line that are not what they seem: a number in a form `Number()` reads but a user did not
 * mean, standard input that cannot be read or gives nothing, a file input that is a pipe, a file input's URL whose
 * server fails for a while (the network's failure, exit 1) or for good (the input's, exit 2).
 */
import { execFileSync, spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { maxFileBytes, maxFileDocs } from "@decart/api";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_TEXT_BYTES } from "../src/inputs.js";
import { BIN, childEnv, events, finished, type Loopback, listenOnLoopback, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f));

/** A PNG file the emulator's image model takes, made once by the emulator itself. */
let png: Buffer;

/**
 * Where file inputs are downloaded from: `/status/<code>/…` answers that status; `/cut/…` closes the connection
 * without an answer; `/hang/…` never answers (see `asked`); `/ok/…` answers `png`.
 */
let inputs: Loopback;
let inputsUrl: string;
/** Called with each `/hang/…` request as it comes (see `hangs`). */
let onHang: (() => void) | undefined;
/** Resolves once the inputs' server holds a `/hang/…` request (the CLI downloading a file input from there). */
const hangs = () => new Promise<void>((resolve) => (onHang = resolve));

beforeAll(async () => {
  const made = await run(["image", "A lighthouse", "-o", join(dir, "source.png")], { env });
  expect(made.code, made.stderr).toBe(0);
  png = readFileSync(join(dir, "source.png"));
  inputs = await listenOnLoopback((req, res) => {
    req.resume();
    const [, kind, value] = (req.url ?? "").split("/");
    if (kind === "cut") return req.socket.destroy();
    if (kind === "hang") return onHang?.();
    if (kind === "status") {
      res.writeHead(Number(value), { "content-type": "text/html" });
      return res.end("<html><body>no</body></html>");
    }
    res.writeHead(200, { "content-type": "image/png", "content-length": png.length });
    res.end(png);
  });
  inputsUrl = inputs.url;
});

afterAll(async () => {
  await inputs.close();
});

const edit = (data: string, out = join(dir, "edited.png")) =>
  run(["image", "Make it snow", "-m", "lucy-image-2", `data=${data}`, "-o", out], { env });

describe("a file input given as a URL that cannot be downloaded", () => {
  it("a transient failure of its server or of the network (5xx, 408, 429, a connection cut) is exit 1, nothing sent", async () => {
    for (const path of ["status/500", "status/502", "status/503", "status/408", "status/429", "cut"]) {
      const out = join(dir, "never.png");
      const { code, stdout, stderr } = await edit(`${inputsUrl}/${path}/x.png`, out);
      expect(code, `${path}: ${stderr}`).toBe(1);
      expect(stderr).toContain(`Could not download "data" from ${inputsUrl}/${path}/x.png`);
      expect(stderr).toContain("a failure of the network or of that server, not of the input's content");
      expect(events(stdout).at(-1)).toMatchObject({ type: "error", exit_code: 1, code: "INVALID_INPUT" });
      expect(existsSync(out)).toBe(false);
    }
    expect(emu.stats().requests.total).toBe(0);
  });

  it("a failure that is the input's (404, 403, 410) stays exit 2, without the network's words", async () => {
    for (const status of [404, 403, 410]) {
      const { code, stderr } = await edit(`${inputsUrl}/status/${status}/x.png`);
      expect(code, `${status}: ${stderr}`).toBe(2);
      expect(stderr).toContain(`HTTP ${status}`);
      expect(stderr).not.toContain("a failure of the network");
    }
    expect(emu.stats().requests.total).toBe(0);
  });

  it("one that answers is used", async () => {
    const { code, stderr } = await edit(`${inputsUrl}/ok/x.png`);
    expect(code, stderr).toBe(0);
    expect(emu.stats().requests.byRoute.process).toBe(1);
  });
});

describe("a signal while a file input given as a URL is downloaded", () => {
  it("stops at once, nothing sent to the API: exit 130 (SIGHUP: 129), an interrupted event without a job id (video, jobs submit, image, batch)", async () => {
    const url = `${inputsUrl}/hang/in`;
    const batch = join(dir, "hang.jsonl");
    writeFileSync(
      batch,
      `${JSON.stringify({ custom_id: "v", model: "lucy-clip", prompt: "Snow", data: `${url}.mp4` })}\n` +
        `${JSON.stringify({ custom_id: "i", model: "lucy-image-2", prompt: "Snow", data: `${url}.png` })}\n`,
    );
    const cases: { signal: NodeJS.Signals; args: string[]; downloads?: number }[] = [
      { signal: "SIGINT", args: ["video", "Snow", "-m", "lucy-clip", `data=${url}.mp4`, "-o", join(dir, "v.mp4")] },
      { signal: "SIGTERM", args: ["video", "Snow", "-m", "lucy-clip", `data=${url}.mp4`] },
      { signal: "SIGHUP", args: ["jobs", "submit", "Snow", "-m", "lucy-clip", `data=${url}.mp4`] },
      { signal: "SIGINT", args: ["image", "Snow", "-m", "lucy-image-2", `data=${url}.png`, "-o", join(dir, "i.png")] },
      // Both lines downloading (two at a time): the batch stops without waiting for either.
      { signal: "SIGTERM", args: ["batch", batch, "-c", "2", "--out", join(dir, "hang-out")], downloads: 2 },
    ];
    for (const { signal, args, downloads = 1 } of cases) {
      const what = `${args[0]} ${signal}`;
      let held = hangs();
      for (let n = 1; n < downloads; n++) held = held.then(hangs);
      const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(env), cwd: dir });
      const done = finished(child);
      await held;
      child.kill(signal);
      // Before the fix the submit (or image request) was held for its download: said so, and only a second signal ended
      // it. Whichever comes first tells.
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d));
      const ended = await Promise.race([
        done,
        new Promise<"held">((resolve) =>
          child.stderr.on("data", () => stderr.includes("Waiting for") && resolve("held")),
        ),
      ]);
      if (ended === "held") child.kill("SIGKILL");
      expect(ended, `${what}: ${stderr}`).not.toBe("held");
      const stopped = ended as Awaited<typeof done>;
      expect(stopped.code, `${what}: ${stopped.stderr}`).toBe(signal === "SIGHUP" ? 129 : 130);
      const last = events(stopped.stdout).at(-1);
      if (args[0] === "batch") {
        expect(last, what).toMatchObject({
          type: "interrupted",
          resume: expect.stringContaining("--resume"),
          exit_code: signal === "SIGHUP" ? 129 : 130,
        });
        expect(
          events(stopped.stdout).find((e) => e.type === "summary"),
          what,
        ).toMatchObject({ not_finished: 2 });
      } else {
        expect(last, what).toEqual({ type: "interrupted", exit_code: signal === "SIGHUP" ? 129 : 130 });
        const made = args[0] === "image" ? "image" : "job";
        const request = args[0] === "image" ? "image request" : "submit";
        expect(stopped.stderr, what).toContain(
          `Interrupted before the ${request} reached the API: nothing was sent to it, no ${made} was made`,
        );
      }
      expect(stopped.stderr, what).not.toContain("Waiting for");
    }
    expect(emu.stats().requests.total).toBe(0);
    expect(existsSync(join(dir, "v.mp4")) || existsSync(join(dir, "i.png"))).toBe(false);
  });
});

describe("a signal while standard input is read (-, field=@-)", () => {
  it("is the CLI's: exit 130 (SIGHUP: 129), an interrupted event without a job id, nothing sent (video, jobs submit, image)", async () => {
    // (Text for a field without a maxLength: a prompt's, 1000 characters, is refused past 4005 bytes, less than a pipe
    // holds.)
    const cases: { signal: NodeJS.Signals; args: string[] }[] = [
      { signal: "SIGTERM", args: ["video", "Snow", "resolution=@-", "-o", join(dir, "stdin.mp4")] },
      { signal: "SIGINT", args: ["video", "Snow", "-m", "lucy-clip", "data=@-"] },
      { signal: "SIGHUP", args: ["jobs", "submit", "Snow", "resolution=@-"] },
      { signal: "SIGTERM", args: ["image", "Snow", "-m", "lucy-image-2", "data=@-", "-o", join(dir, "stdin.png")] },
    ];
    for (const { signal, args } of cases) {
      const what = `${args.join(" ")} ${signal}`;
      const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(env), cwd: dir });
      const done = finished(child);
      // More than a pipe holds: the write ends only once the CLI has read most of it, so it is reading stdin then (and
      // stdin stays open: the read goes on until the signal).
      await new Promise<void>((resolve, reject) =>
        child.stdin.write(Buffer.alloc(4 << 20, "a"), (e) => (e ? reject(e) : resolve())),
      );
      child.kill(signal);
      const stopped = await done;
      // Before the fix, the signal's default action: no exit code, nothing said.
      expect(stopped.signal, `${what}: ${stopped.stderr}`).toBe(null);
      expect(stopped.code, `${what}: ${stopped.stderr}`).toBe(signal === "SIGHUP" ? 129 : 130);
      expect(events(stopped.stdout).at(-1), what).toEqual({
        type: "interrupted",
        exit_code: signal === "SIGHUP" ? 129 : 130,
      });
      const [request, made] = args[0] === "image" ? ["image request", "image"] : ["submit", "job"];
      expect(stopped.stderr, what).toContain(
        `Interrupted before the ${request} reached the API: nothing was sent to it, no ${made} was made`,
      );
    }
    expect(emu.stats().requests.total).toBe(0);
    expect(existsSync(join(dir, "stdin.mp4")) || existsSync(join(dir, "stdin.png"))).toBe(false);
  });

  it("batch -: exit 130, an interrupted event, nothing sent, no --out made", async () => {
    const out = join(dir, "stdin-batch");
    const child = spawn(process.execPath, [BIN, "batch", "-", "--out", out], { env: childEnv(env), cwd: dir });
    const done = finished(child);
    // As above: the write ends once the CLI has read most of it. Lines of their own (each is checked as it comes).
    const line = (i: number) => `${JSON.stringify({ custom_id: `a${i}`, prompt: "A lake".repeat(20) })}\n`;
    const lines = Array.from({ length: (4 << 20) / line(0).length }, (_, i) => line(i)).join("");
    await new Promise<void>((resolve, reject) => child.stdin.write(lines, (e) => (e ? reject(e) : resolve())));
    child.kill("SIGTERM");
    const stopped = await done;
    expect(stopped.signal, stopped.stderr).toBe(null);
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(events(stopped.stdout)).toEqual([{ type: "interrupted", exit_code: 130 }]);
    expect(stopped.stderr).toContain("Interrupted while the batch was read from standard input: nothing was sent");
    expect(emu.stats().requests.total).toBe(0);
    expect(existsSync(out)).toBe(false);
  });
});

describe("--verbose shows a file input's URL as errors do", () => {
  it("without its query, fragment and credentials: a signed URL's signature stays out of the log", async () => {
    const port = new URL(inputsUrl).port;
    for (const [url, exit] of [
      [`${inputsUrl}/ok/x.png?X-Amz-Signature=SIGSECRET0123&X-Amz-Credential=CREDSECRET#FRAGSECRET`, 0],
      // fetch refuses credentials in a URL (quoting them in its error, which the log does not show): not sent, so no
      // request is logged.
      [`http://USERSECRET:PASSSECRET@127.0.0.1:${port}/ok/x.png`, 2],
    ] as const) {
      const out = join(dir, "verbose-url.png");
      const args = ["image", "Make it snow", "-m", "lucy-image-2", `data=${url}`, "-o", out, "--verbose", "--json"];
      const { code, stdout, stderr } = await run(args, { env });
      expect(code, stderr).toBe(exit);
      const line = new RegExp(`^[→←] (\\d+ )?GET http://127\\.0\\.0\\.1:${port}/ok/x\\.png( \\(.*)?$`, "gm");
      expect(stderr.match(line)?.length ?? 0, stderr).toBe(exit ? 0 : 2);
      expect(stdout + stderr).not.toMatch(/SECRET/);
    }
  });
});

describe("a number field takes decimal digits only", () => {
  it("seed=0x10, 1e3, ' 7', +7, 7.5 or nothing: exit 2 naming the field and the form, nothing sent", async () => {
    for (const seed of ["0x10", "1e3", " 7", "7 ", "+7", "7.5", "", "0b1", "Infinity"]) {
      const { code, stdout, stderr } = await run(["image", "A lighthouse", `seed=${seed}`, "-o", join(dir, "n.png")], {
        env,
      });
      expect(code, JSON.stringify(seed)).toBe(2);
      expect(stderr).toContain(
        `"seed" must be an integer in decimal digits, such as seed=42 (got ${JSON.stringify(seed)}`,
      );
      expect(events(stdout).at(-1)).toMatchObject({ type: "error", exit_code: 2 });
    }
    expect(emu.stats().requests.total).toBe(0);
  });

  it("a number beyond Number.MAX_SAFE_INTEGER (not held exactly): exit 2 naming the field and the range, nothing sent", async () => {
    for (const seed of ["9007199254740992", "9007199254740993", "-9007199254740993", "1".repeat(400)]) {
      const { code, stdout, stderr } = await run(["image", "A lighthouse", `seed=${seed}`, "-o", join(dir, "n.png")], {
        env,
      });
      expect(code, seed).toBe(2);
      expect(stderr).toContain(
        `"seed" must be an integer from -9007199254740991 to 9007199254740991 (got ${JSON.stringify(seed)}`,
      );
      expect(events(stdout).at(-1)).toMatchObject({ type: "error", exit_code: 2 });
    }
    // At the edge, the CLI passes the number on, exactly: the client's check of the field's own range answers.
    const edge = await run(["image", "A lighthouse", "seed=9007199254740991", "-o", join(dir, "n.png")], { env });
    expect(edge.code).toBe(2);
    expect(edge.stderr).toContain("9007199254740991");
    expect(edge.stderr).not.toContain("must be an integer from -9007199254740991");
    expect(emu.stats().requests.total).toBe(0);
  });

  it("field:=json with a number beyond Number.MAX_SAFE_INTEGER, at any depth: exit 2 naming the field and where, nothing sent", async () => {
    const image = join(dir, "source.png");
    const point = (x: string) => `[{"frame":0,"x":${x},"y":1},{"frame":1,"x":2,"y":3}]`;
    for (const [x, read] of [
      ["9007199254740993", "9007199254740992"],
      ["1e300", "1e+300"],
      ["-9007199254740992.5", "-9007199254740992"],
    ] as const) {
      const text = point(x);
      const { code, stdout, stderr } = await run(
        ["jobs", "submit", "-m", "lucy-motion", `data=@${image}`, `trajectory:=${text}`],
        { env },
      );
      expect(code, stderr).toBe(2);
      expect(events(stdout).at(-1)).toMatchObject({
        type: "error",
        exit_code: 2,
        message:
          `"trajectory" (at [0].x): a number must be from -9007199254740991 to 9007199254740991 (got ` +
          `${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)}, read as ${read}: beyond that, a ` +
          "number is not held exactly)",
      });
    }
    // The same rule as seed=…: at the top, and at the edge the number passes (the client's own range check answers).
    const top = await run(["image", "A lighthouse", "seed:=9007199254740993", "-o", join(dir, "n.png")], { env });
    expect(top.code).toBe(2);
    expect(top.stderr).toContain('"seed": a number must be from -9007199254740991 to 9007199254740991');
    const edge = await run(["image", "A lighthouse", "seed:=9007199254740991", "-o", join(dir, "n.png")], { env });
    expect(edge.code).toBe(2);
    expect(edge.stderr).not.toContain("a number must be from -9007199254740991");
    expect(emu.stats().requests.total).toBe(0);
  });

  it("seed=7 and seed=@file holding 7 are the number 7", async () => {
    const file = join(dir, "seed.txt");
    writeFileSync(file, "7\n");
    for (const seed of ["7", `@${file}`]) {
      const { code, stderr } = await run(["image", "A lighthouse", `seed=${seed}`, "-o", join(dir, "s.png")], { env });
      expect(code, stderr).toBe(0);
    }
    expect(emu.stats().requests.byRoute.process).toBe(2);
  });
});

/** Runs the CLI with `fd` (opened here) as its standard input. */
async function withStdin(args: string[], fd: number) {
  const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(env), stdio: [fd, "pipe", "pipe"] });
  closeSync(fd);
  return finished(child);
}

describe("standard input", () => {
  it("a directory as stdin (< /) is an error naming stdin, not an empty prompt (image -, batch -)", async () => {
    const stdinDir = join(dir, "a-directory");
    mkdirSync(stdinDir, { recursive: true });
    for (const args of [
      ["image", "-", "-o", join(dir, "never.png")],
      ["image", "Make it snow", "-m", "lucy-image-2", "data=@-", "-o", join(dir, "never.png")],
      ["batch", "-", "--out", join(dir, "out")],
    ]) {
      const { code, stderr } = await withStdin(args, openSync(stdinDir, "r"));
      expect(code, args.join(" ")).toBe(2);
      expect(stderr).toContain("Standard input (-) cannot be read (it is a directory)");
    }
    expect(emu.stats().requests.total).toBe(0);
  });

  it("stdin that gives nothing (closed, empty) for - or @- is an error naming stdin", async () => {
    for (const [args, field] of [
      [["image", "-"], "prompt"],
      [["image", "A lighthouse", "-m", "lucy-image-2", "data=@-"], "data"],
      [["image", "prompt=@-"], "prompt"],
    ] as const) {
      const { code, stderr } = await run([...args, "-o", join(dir, "never.png")], { env, cwd: dir, input: "" });
      expect(code, args.join(" ")).toBe(2);
      expect(stderr).toContain(`"${field}": standard input (-) gave nothing`);
    }
    expect(emu.stats().requests.total).toBe(0);
  });
});

describe("a file input's type is told by its bytes, before anything is sent", () => {
  /** The start of an MP4 (its `ftyp` box), then zeros. */
  const mp4 = Buffer.concat([Buffer.from("\0\0\0\x18ftypmp42\0\0\0\0mp42isom", "latin1"), Buffer.alloc(4096)]);

  // Piped, it was sent whole as `application/octet-stream` (named `blob`), and the server refused it (HTTP 400); named
  // `.png`, it was labelled `image/png` by its name and sent.
  it("an MP4 piped as data=@- or named clip.png, to a field that takes images: exit 2 naming the field and the types", async () => {
    writeFileSync(join(dir, "clip.png"), mp4);
    for (const [value, input] of [
      ["data=@-", mp4],
      [`data=@${join(dir, "clip.png")}`, undefined],
    ] as const) {
      const { code, stderr } = await run(["jobs", "submit", "A lake", "-m", "lucy-pro-i2v", value], { env, input });
      expect(code, `${value}: ${stderr}`).toBe(2);
      expect(stderr).toContain('"data" must be of type image/png, image/jpeg, image/webp (got "video/mp4")');
    }
    const random = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37 + 11) % 256));
    const { code, stderr } = await run(["jobs", "submit", "A lake", "-m", "lucy-pro-i2v", "data=@-"], {
      env,
      input: random,
    });
    expect(code, stderr).toBe(2);
    expect(stderr).toContain(
      '"data": standard input (-) is no file of a type "data" takes (image/png, image/jpeg, image/webp): its 64 bytes, starting 0b 30 55 7a 9f c4 e9 0e, are none of those (nothing was sent)',
    );
    expect(emu.stats().requests.total).toBe(0);
  });

  // file-type names them video/3gpp and video/matroska, which the catalogue's fields do not list: they were refused.
  it("an MP4 of a 3GPP brand and a WebM whose header says Matroska are taken as the MP4 and WebM they are", async () => {
    const head = (hex: string) => Buffer.concat([Buffer.from(hex, "hex"), Buffer.alloc(4096)]);
    const files = {
      "phone.mp4": head(
        "000000206674797033677035000002003367703569736f6d69736f32617663310000000866726565000007546d646174",
      ),
      "clip.webm": head(
        "1a45dfa3a34286810142f7810142f2810442f381084282886d6174726f736b6142878104428581021853806701000000",
      ),
    };
    const before = emu.stats().jobsCreated;
    for (const [name, bytes] of Object.entries(files)) {
      writeFileSync(join(dir, name), bytes);
      for (const [value, input] of [
        [`data=@${join(dir, name)}`, undefined],
        ["data=@-", bytes],
      ] as const) {
        const { code, stderr } = await run(["jobs", "submit", "A lake", "-m", "lucy-clip", value], { env, input });
        expect(code, `${name} ${value}: ${stderr}`).toBe(0);
      }
    }
    expect(emu.stats().jobsCreated).toBe(before + 4);
  });

  // Each was sent whole, untyped (application/octet-stream), for the server to refuse once it had the bytes.
  it("a file of no type by its bytes nor its name (a key, notes.txt, /etc/passwd; a batch line's too): exit 2 naming the field, the path and the types, nothing sent", async () => {
    const key = "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a real one\n";
    writeFileSync(join(dir, "id_rsa"), key);
    writeFileSync(join(dir, "notes.txt"), key);
    const types = "(video/mp4, video/webm, video/quicktime): neither its first bytes nor its name say one";
    for (const path of [join(dir, "id_rsa"), join(dir, "notes.txt"), "/etc/passwd"]) {
      const { code, stderr } = await run(["jobs", "submit", "A lake", "-m", "lucy-clip", `data=@${path}`], { env });
      expect(code, `${path}: ${stderr}`).toBe(2);
      expect(stderr).toContain(`"data": ${path} is no file of a type "data" takes ${types} (nothing was sent)`);
    }
    const batch = join(dir, "keys.jsonl");
    writeFileSync(
      batch,
      `${JSON.stringify({ custom_id: "k", model: "lucy-clip", prompt: "A lake", data: "id_rsa" })}\n`,
    );
    const { stderr } = await run(["batch", batch, "--out", join(dir, "keys-out"), "--journal", join(dir, "k.jsonl")], {
      env,
    });
    expect(stderr).toContain(`"data": ${join(dir, "id_rsa")} is no file of a type "data" takes ${types}`);
    expect(emu.stats().requests.total).toBe(0);
  });

  it("a PNG piped, or named photo.jpg, is taken as the PNG it is", async () => {
    writeFileSync(join(dir, "photo.jpg"), png);
    for (const [value, input] of [
      ["data=@-", png],
      [`data=@${join(dir, "photo.jpg")}`, undefined],
    ] as const) {
      const { code, stderr } = await run(["jobs", "submit", "A lake", "-m", "lucy-pro-i2v", value], { env, input });
      expect(code, `${value}: ${stderr}`).toBe(0);
    }
    expect(emu.stats().jobsCreated).toBe(2);
  });
});

describe("text that is not UTF-8", () => {
  it("prompt=@file, - or prompt=@- holding Latin-1 (caf\\xe9): exit 2 naming the field and the file or stdin, nothing sent", async () => {
    // Before the fix: each bad byte became U+FFFD, and the prompt "caf\uFFFD" was sent (and paid for).
    const latin1 = Buffer.from("caf\xe9 au lait\n", "latin1");
    writeFileSync(join(dir, "latin1.txt"), latin1);
    for (const [args, input, from] of [
      [["image", "prompt=@latin1.txt"], undefined, join(dir, "latin1.txt")],
      [["image", "-"], latin1, "standard input (-)"],
      [["video", "prompt=@-"], latin1, "standard input (-)"],
    ] as const) {
      const { code, stdout, stderr } = await run([...args, "-o", join(dir, "never.out"), "--json"], {
        env,
        cwd: dir,
        input,
      });
      expect(code, `${args.join(" ")}: ${stderr}`).toBe(2);
      expect(events(stdout).at(-1)).toEqual({
        type: "error",
        exit_code: 2,
        message: expect.stringMatching(/^"prompt": (.+) is not UTF-8 text \(.*\(nothing was sent\)$/),
      });
      expect(events(stdout).at(-1)!.message).toContain(`"prompt": ${from} is not UTF-8 text`);
    }
    expect(emu.stats().requests.total).toBe(0);
    expect(existsSync(join(dir, "never.out"))).toBe(false);
  });

  it("UTF-16 or UTF-32 (a byte order mark FF FE, FE FF, FF FE 00 00) is told as such, with its conversion (file, stdin, batch)", async () => {
    // Before the fix: the advice was Latin-1's (iconv -f latin1 -t utf-8), which made of "hi" the text "ÿþh\0i\0".
    const utf16le = Buffer.from("\ufeffhi\n", "utf16le");
    const utf16be = Buffer.from(utf16le).swap16();
    const utf32 = Buffer.from([0xff, 0xfe, 0, 0, 0x68, 0, 0, 0]);
    writeFileSync(join(dir, "utf16le.txt"), utf16le);
    writeFileSync(join(dir, "utf16be.txt"), utf16be);
    writeFileSync(join(dir, "utf32.txt"), utf32);
    writeFileSync(join(dir, "utf16.jsonl"), Buffer.from('\ufeff{"custom_id":"a","prompt":"hi"}\n', "utf16le"));
    for (const [args, input, said] of [
      [["jobs", "submit", "prompt=@utf16le.txt"], undefined, `"prompt": ${join(dir, "utf16le.txt")} is`],
      [["jobs", "submit", "prompt=@utf16be.txt"], undefined, `"prompt": ${join(dir, "utf16be.txt")} is`],
      [["jobs", "submit", "-"], utf16le, '"prompt": standard input (-) is'],
      [["batch", "utf16.jsonl", "--out", "out16"], undefined, "line 1:"],
      [["batch", "-", "--out", "out16"], Buffer.from('\ufeff{"custom_id":"a"}\n', "utf16le"), "line 1:"],
      [["jobs", "submit", "prompt=@utf32.txt"], undefined, `"prompt": ${join(dir, "utf32.txt")} is`],
    ] as const) {
      const { code, stdout, stderr } = await run([...args, "--json"], { env, cwd: dir, input });
      expect(code, `${args.join(" ")}: ${stderr}`).toBe(2);
      const { message } = events(stdout).at(-1)!;
      const name = args[2] === "prompt=@utf32.txt" ? "UTF-32" : "UTF-16";
      const mark =
        args[2] === "prompt=@utf32.txt" ? "FF FE 00 00" : args[2] === "prompt=@utf16be.txt" ? "FE FF" : "FF FE";
      expect(message).toBe(
        `${said} not UTF-8 text (it is ${name} text: it starts with ${mark}, the byte order mark of ${name}` +
          (name === "UTF-16" ? ', as Windows PowerShell 5.1 writes text ("…" > file, Out-File)' : "") +
          `); convert it to UTF-8 (iconv -f ${name.toLowerCase()} -t utf-8, or in PowerShell write it with -Encoding ` +
          "utf8 (Out-File, Set-Content)) (nothing was sent)",
      );
    }
    expect(emu.stats().requests.total).toBe(0);
  });

  it("the advice follows the bytes: Latin-1's for é, Windows-1252's for “ (0x93), UTF-16's for NUL bytes", async () => {
    for (const [bytes, what, convert] of [
      ["caf\xe9", "such as é written in Latin-1", "iconv -f latin1 -t utf-8"],
      ["caf\xe9 \x93quoted\x94", "such as “ or € written in Windows-1252", "iconv -f windows-1252 -t utf-8"],
      [
        "c\0a\0f\0\xe9\0",
        "it holds NUL bytes (0x00), as UTF-16 text without a byte order mark does",
        "if it is UTF-16 text: iconv -f utf-16le -t utf-8",
      ],
    ]) {
      writeFileSync(join(dir, "bytes.txt"), Buffer.from(bytes!, "latin1"));
      const { code, stderr } = await run(["jobs", "submit", "prompt=@bytes.txt", "--no-json"], { env, cwd: dir });
      expect(code, stderr).toBe(2);
      expect(stderr).toContain(`${join(dir, "bytes.txt")} is not UTF-8 text (`);
      expect(stderr).toContain(what);
      expect(stderr).toContain(`convert it to UTF-8 (${convert}) (nothing was sent)`);
    }
    expect(emu.stats().requests.total).toBe(0);
  });

  it("text mostly UTF-8 with a few Latin-1 bytes (edited in two editors): the first such byte named, no whole-file conversion", async () => {
    // Before the fix: the advice was iconv -f latin1 -t utf-8, which made of its "café" the text "cafÃ©".
    const mixed = Buffer.from("Un caf\xc3\xa9\nau lait, \xc3\x89t\xe9 \x93chaud\x94", "latin1");
    writeFileSync(join(dir, "mixed.txt"), mixed);
    const { code, stderr } = await run(["jobs", "submit", "prompt=@mixed.txt", "--no-json"], { env, cwd: dir });
    expect(code, stderr).toBe(2);
    expect(stderr).toContain(
      `${join(dir, "mixed.txt")} is not UTF-8 text throughout: it holds UTF-8 characters, and bytes no UTF-8 text ` +
        "holds, the first at line 2, column 12 (0xE9, such as é written in Latin-1 or “ in Windows-1252",
    );
    expect(stderr).toContain("converting the whole of it from another encoding would garble its UTF-8 characters");
    expect(stderr).not.toContain("iconv");
    // A batch file so: its lines before the one that is not UTF-8 hold UTF-8 characters.
    const line = (id: string, prompt: string) => `{"custom_id":"${id}","prompt":"${prompt}"}`;
    writeFileSync(
      join(dir, "mixed.jsonl"),
      Buffer.concat([
        Buffer.from(`${line("a", "un café")}\n${line("b", "a lake")}\n`),
        Buffer.from(`${line("c", "l'\xe9t\xe9")}\n`, "latin1"),
      ]),
    );
    const batch = await run(["batch", "mixed.jsonl", "--out", "mixed-out", "--no-json"], { env, cwd: dir });
    expect(batch.code, batch.stderr).toBe(2);
    expect(batch.stderr).toContain("line 3: not UTF-8 text throughout: it holds UTF-8 characters, and bytes no UTF-8");
    expect(batch.stderr).toContain("the first at line 3, column 30 (0xE9,");
    expect(batch.stderr).not.toContain("iconv");
    // Latin-1 throughout: converted whole, as before.
    writeFileSync(join(dir, "latin1.jsonl"), Buffer.from(`${line("c", "l'\xe9t\xe9")}\n`, "latin1"));
    const whole = await run(["batch", "latin1.jsonl", "--out", "mixed-out", "--no-json"], { env, cwd: dir });
    expect(whole.stderr).toContain("convert it to UTF-8 (iconv -f latin1 -t utf-8)");
    expect(emu.stats().requests.total).toBe(0);
  });

  it("Windows-1252 or Latin-1 text whose bytes happen to make a UTF-8 character (`ß“`, `É”`, `É»`) is not called mixed", async () => {
    // Before the fix: an uppercase accented letter or ß before a sign is a valid 2-byte UTF-8 sequence, and each of
    // these was "not UTF-8 text throughout … retype the characters" instead of the conversion that fixes it.
    for (const [name, bytes, convert] of [
      ["de.txt", "\x84Ich wei\xdf\x93, sagte er.\n", "iconv -f windows-1252 -t utf-8"],
      ["fr.txt", "Le mot \x93CAF\xc9\x94 et JOS\xc9\x92s\n", "iconv -f windows-1252 -t utf-8"],
      ["ete.txt", "\xabL'\xc9T\xc9\xbb\n", "iconv -f latin1 -t utf-8"],
    ]) {
      writeFileSync(join(dir, name!), Buffer.from(bytes!, "latin1"));
      const { code, stderr } = await run(["jobs", "submit", `prompt=@${name}`, "--no-json"], { env, cwd: dir });
      expect(code, stderr).toBe(2);
      expect(stderr).toContain(`${join(dir, name!)} is not UTF-8 text (`);
      expect(stderr).toContain(`convert it to UTF-8 (${convert}) (nothing was sent)`);
    }
    // Cyrillic and Greek UTF-8 with a stray Latin-1 byte: mixed still (their letters, two bytes each, come in words).
    for (const text of ["\u041f\u0440\u0438\u0432\u0435\u0442 caf", "\u039a\u03b1\u03bb\u03b7 caf"]) {
      writeFileSync(join(dir, "mixed.txt"), Buffer.concat([Buffer.from(text), Buffer.from([0xe9])]));
      const { code, stderr } = await run(["jobs", "submit", "prompt=@mixed.txt", "--no-json"], { env, cwd: dir });
      expect(code, stderr).toBe(2);
      expect(stderr).toContain("is not UTF-8 text throughout: it holds UTF-8 characters");
      expect(stderr).not.toContain("iconv");
    }
    // A batch file: an earlier line that Windows-1252 explains (valid UTF-8 by chance) makes no later Latin-1 line mixed.
    const line = (id: string, prompt: string) => `{"custom_id":"${id}","prompt":"${prompt}"}`;
    writeFileSync(
      join(dir, "cp1252.jsonl"),
      Buffer.from(`${line("a", "JOS\xc9\x92s")}\n${line("b", "\xabL'\xc9T\xc9\xbb")}\n`, "latin1"),
    );
    const batch = await run(["batch", "cp1252.jsonl", "--out", "cp1252-out", "--no-json"], { env, cwd: dir });
    expect(batch.code, batch.stderr).toBe(2);
    expect(batch.stderr).toContain("line 2: not UTF-8 text (");
    expect(batch.stderr).toContain("convert it to UTF-8 (iconv -f latin1 -t utf-8)");
    expect(emu.stats().requests.total).toBe(0);
  });

  it("text that holds NUL (UTF-16 without a byte order mark, UTF-16 converted as Latin-1) is refused, nothing sent", async () => {
    // Before the fix: both were sent as the prompt ("h\0i\0", "ÿþh\0i\0"), and paid for.
    for (const [bytes, input, said] of [
      [Buffer.from("hi", "utf16le"), false, "UTF-16 text without a byte order mark holds them"],
      [
        Buffer.from("\ufeffhi", "utf16le").toString("latin1"),
        false,
        "it starts with ÿþ, the byte order mark of UTF-16 so read",
      ],
      [Buffer.from("hi\n", "utf16le"), true, "convert it to UTF-8 (iconv -f utf-16le -t utf-8)"],
    ] as const) {
      writeFileSync(join(dir, "nul.txt"), bytes);
      const { code, stderr } = await run(["jobs", "submit", input ? "-" : "prompt=@nul.txt", "--no-json"], {
        env,
        cwd: dir,
        input: input ? (bytes as Buffer) : undefined,
      });
      expect(code, stderr).toBe(2);
      expect(stderr).toContain(
        `"prompt": ${input ? "standard input (-)" : join(dir, "nul.txt")} holds NUL characters (U+0000), which no text holds; `,
      );
      expect(stderr).toContain(said);
    }
    expect(emu.stats().requests.total).toBe(0);
  });

  it("UTF-8 text is taken, a byte order mark at its start dropped (file, -, prompt=@-), as a batch file's is", async () => {
    // Before the fix: the mark (U+FEFF) was sent as the prompt's first character, while a batch file's was dropped.
    const bodies: string[] = [];
    const { url, close } = await listenOnLoopback((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => (body += chunk));
      req.on("end", () => {
        bodies.push(body);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ job_id: `job_bom${bodies.length}`, status: "pending" }));
      });
    });
    try {
      writeFileSync(join(dir, "utf8.txt"), "\ufeffcafé au lait 日本\n");
      for (const [args, input] of [
        [["jobs", "submit", "prompt=@utf8.txt"], undefined],
        [["jobs", "submit", "-"], "\ufeffcafé au lait 日本\n"],
        [["jobs", "submit", "prompt=@-"], "\ufeffcafé au lait 日本"],
        [["jobs", "submit", "-"], "café au lait 日本\n"],
      ] as const) {
        const { code, stderr } = await run([...args, "--json"], {
          env: { ...env, DECART_BASE_URL: url },
          cwd: dir,
          input,
        });
        expect(code, `${args.join(" ")}: ${stderr}`).toBe(0);
      }
    } finally {
      await close();
    }
    expect(bodies).toHaveLength(4);
    for (const body of bodies) {
      expect(body).toContain('name="prompt"\r\n\r\ncafé au lait 日本\r\n');
      expect(body).not.toContain("\ufeff");
    }
  });
});

describe("a command-line argument that is not UTF-8", () => {
  /** Runs `decart jobs submit <args>`, each argument's bytes made by printf of it (`caf\\351`: octal escapes). */
  const submitBytes = (...args: string[]) => {
    const words = args.map((_, i) => `"$(printf "$${i + 2}")"`).join(" ");
    const script = `exec "$0" "$1" jobs submit ${words} --json`;
    const child = spawn("sh", ["-c", script, process.execPath, BIN, ...args], { env: childEnv(env), cwd: dir });
    child.stdin.end();
    return finished(child);
  };

  it("a prompt or a field's value with a byte that is not UTF-8 ($'caf\\xe9') is exit 2 naming the field, nothing sent", async () => {
    // Before the fix: Node read the byte as U+FFFD, and the prompt "caf\uFFFD au lait" was sent (and paid for).
    for (const [args, name] of [
      [["caf\\351 au lait"], "prompt"],
      [["A lake", "resolution=72\\3510p"], "resolution"],
      [["A lake", "seed:=\\351"], "seed"],
      // U+FFFD typed as such (its UTF-8 bytes) cannot be told from one made of a byte, where the bytes are not there.
      [["caf\\357\\277\\275"], "prompt"],
    ] as const) {
      const { code, stdout, stderr } = await submitBytes(...args);
      expect(code, stderr).toBe(2);
      expect(events(stdout).at(-1)).toEqual({
        type: "error",
        exit_code: 2,
        message:
          `"${name}": the argument is not UTF-8 text (it holds U+FFFD, the character that a byte no UTF-8 text holds ` +
          "there, such as é written in Latin-1, becomes as the command line is read, which the CLI cannot tell from " +
          `one typed); convert it to UTF-8 (iconv -f latin1 -t utf-8), or to send U+FFFD itself, give the text in a ` +
          `file, ${name}=@file, or as JSON, ${name}:='"\\ufffd"' (nothing was sent)`,
      });
    }
    expect(emu.stats().requests.total).toBe(0);
  });

  it("U+FFFD meant as such is sent from a file, or written \\ufffd in JSON; UTF-8 arguments are taken", async () => {
    writeFileSync(join(dir, "fffd.txt"), "caf\ufffd\n");
    for (const args of [["prompt=@fffd.txt"], ['prompt:="caf\\\\ufffd"'], ["caf\\303\\251 au lait"]]) {
      const { code, stderr } = await submitBytes(...args);
      expect(code, `${args}: ${stderr}`).toBe(0);
    }
    expect(emu.stats().jobsCreated).toBe(3);
  });
});

describe("a file input that is a pipe", () => {
  it("data=@<named pipe> (as @<(cmd) gives) is refused, naming data=@-; nothing is read from it, nothing sent", async () => {
    const pipe = join(dir, "input.fifo");
    execFileSync("mkfifo", [pipe]);
    const { code, stderr } = await edit(`@${pipe}`);
    expect(code, stderr).toBe(2);
    expect(stderr).toContain(`"data": ${pipe} is a named pipe (FIFO), not a file`);
    expect(stderr).toContain("use data=@- (standard input)");
    expect(emu.stats().requests.total).toBe(0);
  });
});

describe("text and standard input read with a bound, refused as it passes it", () => {
  /** Writes `byte` to the child's stdin, a MiB at a time, for as long as it reads (stdin never ended). */
  function firehose(child: ReturnType<typeof spawn>, byte: string): void {
    const chunk = Buffer.alloc(1 << 20, byte);
    child.stdin!.on("error", () => {});
    const more = () => {
      while (child.stdin!.writable && child.stdin!.write(chunk));
      if (child.stdin!.writable) child.stdin!.once("drain", more);
    };
    more();
  }

  it("a text field without a maxLength from a file past 64 MiB: exit 2 naming the field and the file, nothing sent", async () => {
    const path = join(dir, "huge-text.txt");
    const fd = openSync(path, "w");
    writeSync(fd, "720p\n");
    ftruncateSync(fd, MAX_TEXT_BYTES + 1); // sparse: no disk used
    closeSync(fd);
    const before = emu.stats().requests.total;
    const result = await run(["video", "A lake", `resolution=@${path}`, "-o", join(dir, "huge.mp4")], { env });
    // Before the fix the file was read whole (300 MB: past V8's heap, the process killed, no event), then refused by
    // the field's check.
    expect(result.code, result.stderr).toBe(2);
    expect(events(result.stdout)).toEqual([
      {
        type: "error",
        exit_code: 2,
        message:
          `"resolution": ${path} holds more than 64 MiB, the most read for a text field (far more than any takes): ` +
          "give a shorter text (nothing was sent)",
      },
    ]);
    expect(emu.stats().requests.total).toBe(before);
  });

  it("a text field with a maxLength from a file: read up to the bytes that many characters can take (and a CRLF), refused past them as the client refuses a text too long", async () => {
    const path = join(dir, "long-prompt.txt");
    const before = emu.stats().requests.total;
    const tooLong = (got: string) => [
      {
        type: "error",
        exit_code: 2,
        code: "INVALID_INPUT",
        message: `Invalid input for lucy-pro-t2v: "prompt" must be 1 to 1000 characters long (got ${got})`,
      },
    ];
    for (const [text, got] of [
      // 20 MB: read no further than 4005 bytes (it was read whole, then refused as 20000000 characters long).
      ["a".repeat(20_000_000), "more than 1000"],
      // 1002 characters of 4 bytes each: 4008 bytes.
      ["🌊".repeat(1002), "more than 1000"],
      // Within the bytes that 1000 characters can take: read whole, refused by the client with its count.
      ["a".repeat(1001), "1001"],
    ] as const) {
      writeFileSync(path, text);
      const result = await run(["video", `prompt=@${path}`, "-o", join(dir, "long.mp4")], { env });
      expect(result.code, result.stderr).toBe(2);
      expect(events(result.stdout)).toEqual(tooLong(got));
    }
    expect(emu.stats().requests.total).toBe(before);
    // A byte order mark, 1000 characters of 4 bytes each and a final CRLF (neither sent): 4005 bytes, the most read, taken.
    writeFileSync(path, `\ufeff${"🌊".repeat(1000)}\r\n`);
    const taken = await run(["image", `prompt=@${path}`, "-o", join(dir, "long.png")], { env });
    expect(taken.code, taken.stderr).toBe(0);
    expect(emu.stats().requests.byRoute.process).toBeGreaterThan(0);
  });

  it("standard input that goes on past the bound (a text field's maxLength, else 64 MiB for text, 200 MiB for a file): exit 2 naming the field, before its end", async () => {
    const longer =
      '^Invalid input for lucy-pro-t2v: "prompt" must be 1 to 1000 characters long \\(got more than 1000\\)$';
    const cases = [
      { args: ["video", "-", "-o", join(dir, "endless.mp4")], expected: longer },
      { args: ["jobs", "submit", "prompt=@-"], expected: longer },
      { args: ["jobs", "submit", "A lake", "resolution=@-"], field: "resolution", most: "64 MiB" },
      // The spec's limit of one file, as the client holds it (`maxFileBytes`), and the docs' words for it, quoted.
      {
        args: ["video", "Snow", "-m", "lucy-clip", "data=@-"],
        expected:
          `^"data": standard input \\(-\\) holds more than ${maxFileBytes / 2 ** 20} MiB, the most the client takes ` +
          `for a file \\(the docs say ${maxFileDocs}\\): give a smaller one \\(nothing was sent\\)$`,
      },
    ];
    const before = emu.stats().requests.total;
    for (const { args, field, most, expected } of cases) {
      const what = args.join(" ");
      const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(env), cwd: dir });
      const done = finished(child);
      // Never ended: before the fix the CLI held all of it, waiting for its end (`yes | decart video -` grew to
      // gigabytes, then V8 ended the process).
      firehose(child, "a");
      const stopped = await done;
      expect(stopped.code, `${what}: ${stopped.stderr}`).toBe(2);
      expect(events(stopped.stdout).at(-1)!.message, what).toMatch(
        new RegExp(
          expected ?? `^"${field}": standard input \\(-\\) holds more than ${most}, .*\\(nothing was sent\\)$`,
        ),
      );
    }
    expect(emu.stats().requests.total).toBe(before);
  }, 60_000);
});

describe("a field the model does not have, given a file or standard input", () => {
  it("is refused by its name before anything is read: exit 2, listing the model's fields, nothing sent", async () => {
    // A video for `data` without `-m lucy-clip`: lucy-pro-t2v, the default, has no such field.
    const mp4 = Buffer.concat([Buffer.from("\0\0\0\x18ftypmp42\0\0\0\0mp42isom\xff\xfe", "latin1"), Buffer.alloc(64)]);
    writeFileSync(join(dir, "input.mp4"), mp4);
    const out = join(dir, "unknown-field.out");
    for (const { args, input } of [
      { args: ["video", "Make it snow", `data=@${join(dir, "input.mp4")}`, "-o", out] },
      { args: ["video", "Make it snow", "data=@-", "-o", out], input: mp4 },
      { args: ["jobs", "submit", "Make it snow", "data=@-"], input: mp4 },
      { args: ["image", "x", "foo=@/nonexistent", "-o", out] },
      { args: ["image", "x", "foo=@-", "-o", out], input: "hi\n" },
    ]) {
      const { code, stderr } = await run(args, { env, input });
      expect(code, stderr).toBe(2);
      const [name, model] = args[0] === "image" ? ["foo", "lucy-pro-t2i"] : ["data", "lucy-pro-t2v"];
      expect(stderr).toContain(
        `Invalid input for ${model}: "${name}" must be a known name (one of prompt, seed, resolution, orientation)`,
      );
      expect(stderr).not.toMatch(/UTF-8|cannot read/);
    }
    expect(emu.stats().requests.total).toBe(0);
  });
});
