/**
 * Arguments that reach the CLI otherwise than they were typed: a carriage return at the end of the last word of a line
 * of a script saved with Windows line ends (CRLF), run by a POSIX shell; a text file that ends with Ctrl-Z, the
 * end-of-file mark of old DOS tools.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { BIN, childEnv, events, finished, listenOnLoopback, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f), { ownDir: true });

/** The advice every refusal of a carriage return at an argument's end gives. */
const CRLF =
  'a script saved with Windows line ends (CRLF) leaves one on the last word of each line; save the script with LF line ends (dos2unix <script>, or "LF" in the editor) (nothing was sent)';

describe("a carriage return at the end of an argument (a CRLF script)", () => {
  it("a path to write to (-o, --out, --journal, DECART_JOURNAL) is refused, naming it: exit 2, nothing sent or written", async () => {
    // The script as Windows saves it: bash reads `lake.png\r` as the last word (a file of that name was saved, exit 0).
    writeFileSync(join(dir, "make.sh"), `"${process.execPath}" "${BIN}" image "A lake" --json -o lake.png\r\n`);
    // (Not spawnSync: the emulator answers in this process.)
    const child = spawn("bash", ["make.sh"], { cwd: dir, env: childEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    const script = await finished(child);
    expect(script.code, script.stderr).toBe(2);
    expect(events(script.stdout).at(-1)).toEqual({
      type: "error",
      exit_code: 2,
      message: `-o "lake.png\\r": the path ends in a carriage return (\\r), which would end the file's name: ${CRLF}`,
    });
    const journal = join(dir, "j.jsonl");
    for (const [args, extra, named] of [
      [["video", "A lake", "-o", "lake.mp4\r"], {}, '-o "lake.mp4\\r"'],
      [["jobs", "wait", "job_x", "-o", "lake.mp4\r"], {}, '-o "lake.mp4\\r"'],
      [["jobs", "result", "job_x", "-o", "lake.mp4\r"], {}, '-o "lake.mp4\\r"'],
      [["batch", "-", "--out", "out\r"], {}, '--out "out\\r"'],
      [["jobs", "submit", "A lake", "--journal", `${journal}\r`], {}, `--journal "${journal}\\r"`],
      [["jobs", "list"], { DECART_JOURNAL: `${journal}\r` }, `DECART_JOURNAL "${journal}\\r"`],
      [["image", "A lake", "-o", "a.png"], { DECART_JOURNAL: `${journal}\r` }, `DECART_JOURNAL "${journal}\\r"`],
    ] as const) {
      const { code, stdout, stderr } = await run([...args, "--json"], {
        env: { ...env, ...extra },
        cwd: dir,
        input: '{"custom_id":"a","prompt":"x"}\n',
      });
      expect(code, `${args.join(" ")}: ${stderr}`).toBe(2);
      expect(events(stdout).at(-1)!.message).toBe(
        `${named}: the path ends in a carriage return (\\r), which would end the file's name: ${CRLF}`,
      );
    }
    expect(emu.stats().requests.total).toBe(0);
    expect(readdirSync(dir)).toEqual(["make.sh"]);
  });

  it("a prompt or a field's value is refused, naming the field (the prompt was sent as …\\r\\n); a job id, with the same advice", async () => {
    for (const [args, name] of [
      [["jobs", "submit", "A lake\r"], "prompt"],
      [["video", "A lake", "resolution=480p\r", "-o", "a.mp4"], "resolution"],
      [["image", "A lake", "seed=7\r", "-o", "a.png"], "seed"],
    ] as const) {
      const { code, stdout, stderr } = await run([...args, "--json"], { env, cwd: dir });
      expect(code, `${args.join(" ")}: ${stderr}`).toBe(2);
      expect(events(stdout).at(-1)!.message).toBe(
        `"${name}": the argument ends in a carriage return (\\r), which no text usefully ends in: ${CRLF}`,
      );
    }
    // `id=$(…)` and `jobs wait -- "$id"` in such a script: a CR each.
    for (const id of ["job_x\r", "job_x\r\r"]) {
      const { code, stdout } = await run(["jobs", "wait", "--json", "--", id], { env, cwd: dir });
      expect(code).toBe(2);
      expect(events(stdout).at(-1)!.message).toBe(
        `${JSON.stringify(id)} is not a job id (it holds "\\r"); it ends in a carriage return (\\r): ${CRLF}`,
      );
    }
    expect(emu.stats().requests.total).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a file to read (field=@path, a batch file) that is not found says why", async () => {
    writeFileSync(join(dir, "photo.png"), "");
    for (const [args, start] of [
      [
        ["video", "-m", "lucy-pro-i2v", "A lake", "data=@photo.png\r"],
        `"data": cannot read ${join(dir, "photo.png")}\r`,
      ],
      [["jobs", "submit", "prompt=@prompt.txt\r"], `"prompt": cannot read prompt.txt\r`],
      [["batch", "lines.jsonl\r"], `Cannot read ${join(dir, "lines.jsonl")}\r`],
    ] as const) {
      const { code, stdout, stderr } = await run([...args, "--json"], { env, cwd: dir });
      expect(code, `${args.join(" ")}: ${stderr}`).toBe(2);
      expect(events(stdout).at(-1)!.message).toBe(
        `${start} (no such file: the path ends in a carriage return (\\r): ${CRLF.replace(" (nothing was sent)", "")})`,
      );
    }
    expect(emu.stats().requests.total).toBe(0);
  });
});

describe("a text file that ends with Ctrl-Z (U+001A, an old DOS end-of-file mark)", () => {
  it("prompt=@file: the Ctrl-Z is not sent, nor the line break before it; a file that long with both is taken", async () => {
    const sent: FormData[] = [];
    const api = await listenOnLoopback(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const type = req.headers["content-type"] ?? "";
      sent.push(await new Response(Buffer.concat(chunks), { headers: { "content-type": type } }).formData());
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ job_id: `job_${sent.length}`, status: "pending" }));
    });
    try {
      const own = { ...env, DECART_BASE_URL: api.url };
      for (const [text, prompt] of [
        ["A lake at dusk\r\n\x1a", "A lake at dusk"],
        ["A lake at dusk\x1a", "A lake at dusk"],
        ["A lake at dusk\n\x1a", "A lake at dusk"],
        ["A lake\r\nat dusk\r\n", "A lake\r\nat dusk"],
      ] as const) {
        writeFileSync(join(dir, "p.txt"), text);
        const { code, stderr } = await run(["jobs", "submit", "prompt=@p.txt", "--json"], { env: own, cwd: dir });
        expect(code, stderr).toBe(0);
        expect(sent.at(-1)!.get("prompt")).toBe(prompt);
      }
    } finally {
      await api.close();
    }
    // A byte order mark, 1000 characters of 4 bytes each (the field's maxLength), a CRLF and Ctrl-Z: read whole, taken.
    mkdirSync(join(dir, "long"));
    writeFileSync(join(dir, "long", "p.txt"), `\ufeff${"🌊".repeat(1000)}\r\n\x1a`);
    const taken = await run(["image", "prompt=@long/p.txt", "-o", join(dir, "long", "a.png")], { env, cwd: dir });
    expect(taken.code, taken.stderr).toBe(0);
    expect(existsSync(join(dir, "long", "a.png"))).toBe(true);
  });
});

describe("a byte that is not UTF-8 in a path ($'caf\\xe9', typed in a Latin-1 terminal)", () => {
  /** Runs the CLI with `args`, each argument's bytes made by printf of it (`caf\\351`: octal escapes). */
  const runBytes = (...args: string[]) => {
    const words = args.map((arg, i) => (arg.includes("\\") ? `"$(printf "$${i + 2}")"` : `"$${i + 2}"`)).join(" ");
    const child = spawn("sh", ["-c", `exec "$0" "$1" ${words} --json`, process.execPath, BIN, ...args], {
      env: childEnv(env),
      cwd: dir,
      stdio: ["pipe", "pipe", "pipe"],
    });
    child.stdin.end('{"custom_id":"a","prompt":"x"}\n');
    return finished(child);
  };
  const NOT_UTF8 =
    "U+FFFD, the character that a byte no UTF-8 text holds there, such as é written in Latin-1, becomes as the command line and the environment are read";

  it("a path to write to (-o, --out, --journal) is refused, naming it: exit 2, nothing sent or written (the file was named caf\\ufffd.mp4)", async () => {
    for (const [args, named] of [
      [["video", "A lake", "-o", "caf\\351.mp4"], '-o "caf\ufffd.mp4"'],
      [["image", "A lake", "-o", "caf\\351.png"], '-o "caf\ufffd.png"'],
      [["batch", "-", "--out", "caf\\351"], '--out "caf\ufffd"'],
      [["jobs", "submit", "A lake", "--journal", "caf\\351.jsonl"], '--journal "caf\ufffd.jsonl"'],
    ] as const) {
      const { code, stdout, stderr } = await runBytes(...args);
      expect(code, `${args.join(" ")}: ${stderr}`).toBe(2);
      expect(events(stdout).at(-1)!.message).toBe(
        `${named}: the path is not UTF-8 text: it holds ${NOT_UTF8}, and the file would be named with U+FFFD, not ` +
          "that byte; give the name in UTF-8 (for a Latin-1 one: iconv -f latin1 -t utf-8) (nothing was sent)",
      );
    }
    expect(emu.stats().requests.total).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a file to read whose name holds such a byte cannot be named: the message says why", async () => {
    // The file as a Latin-1 system names it: its name's bytes `caf\xe9.png`.
    writeFileSync(Buffer.from(`${dir}/caf\xe9.png`, "latin1"), "");
    const { code, stdout, stderr } = await runBytes("video", "-m", "lucy-pro-i2v", "A lake", "data=@caf\\351.png");
    expect(code, stderr).toBe(2);
    expect(events(stdout).at(-1)!.message).toBe(
      `"data": cannot read ${join(dir, "caf\ufffd.png")} (no such file: the path holds ${NOT_UTF8}, so it cannot ` +
        "name a file whose name holds such a byte; rename the file in UTF-8 (convmv -f latin1 -t utf-8 --notest " +
        "<file>), or give it on standard input (@-))",
    );
    expect(emu.stats().requests.total).toBe(0);
  });
});
