import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT } from "../src/exit.js";
import { emulator, events, run, runOnTerminal, SCRIPT, start, tempDir } from "./helpers.js";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const README = readFileSync(new URL("../README.md", import.meta.url), "utf8");

/**
 * What a help page lists under `Commands:` (their names, `help` aside) or `Options:` (each flag, short and long), from
 * the heading to the next line that is not indented.
 */
function section(page: string, heading: "Commands" | "Options"): string[] {
  const body = page.split(new RegExp(`^${heading}:$`, "m"))[1]?.split(/^\S/m)[0] ?? "";
  if (heading === "Commands") {
    return [...body.matchAll(/^ {2}([a-z]+)/gm)].map((m) => m[1]!).filter((name) => name !== "help");
  }
  return [...body.matchAll(/^ {2}(?:(-[A-Za-z]), )?(--[a-z][\w-]*)/gm)].flatMap((m) =>
    m[1] ? [m[1], m[2]!] : [m[2]!],
  );
}

/** A run refused with exit 2 for a setting `named` that is set but empty (or white space), nothing sent. */
function expectEmptyRefused(
  { code, stdout, stderr }: { code: number | null; stdout: string; stderr: string },
  args: readonly string[],
  named: string,
) {
  expect(code, `${args.join(" ")}: ${stderr}`).toBe(EXIT.usage);
  expect(events(stdout).at(-1)).toEqual({
    type: "error",
    exit_code: EXIT.usage,
    message: expect.stringMatching(new RegExp(`^${named} is (set but empty|empty|set to white space only); `)),
  });
  expect(stderr).toContain("(nothing was sent)");
}
describe("the program", () => {
  it("documents every command, flag, environment variable and exit code in --help and the README", async () => {
    const { code, stdout } = await run(["--help"]);
    expect(code).toBe(0);
    for (const command of ["models", "image", "video", "jobs", "batch", "emulator"]) {
      expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, "m"));
    }
    for (const variable of ["DECART_API_KEY", "DECART_BASE_URL", "DECART_JOURNAL", "NO_COLOR"]) {
      expect(stdout).toContain(variable);
      expect(README).toContain(`\`${variable}\``);
    }
    for (const [exit, words] of [
      [0, "ok"],
      [1, "error"],
      [2, "usage"],
      [3, "job failed"],
      [4, "authentication"],
      [5, "timeout"],
      [6, "batch partly failed"],
      [129, "hung up: as 130, for SIGHUP"],
      [130, "interrupted"],
    ] as const) {
      expect(stdout).toMatch(new RegExp(`^ +${exit} +.*${words}`, "m"));
      expect(README).toMatch(new RegExp(`^\\| ${exit} \\| `, "m"));
    }
    expect(Object.values(EXIT).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 129, 130]);

    // Every command and subcommand that --help lists, and every flag of its help page, is in the README.
    const pages: Array<[string[], string]> = [[[], stdout]];
    for (const command of section(stdout, "Commands")) {
      const page = (await run([command, "--help"])).stdout;
      pages.push([[command], page]);
      for (const sub of section(page, "Commands"))
        pages.push([[command, sub], (await run([command, sub, "--help"])).stdout]);
    }
    expect(pages.length).toBeGreaterThan(10);
    for (const [command, page] of pages) {
      if (command.length) expect(README).toContain(`decart ${command.join(" ")}`);
      const flags = section(page, "Options");
      expect(flags, command.join(" ")).toContain("--help");
      for (const flag of flags) {
        expect(README, `${flag} (decart ${command.join(" ")} --help)`).toMatch(new RegExp(`[\`\\s,]${flag}[\`\\s,<]`));
      }
    }
  });

  it("prints its version", async () => {
    const { code, stdout } = await run(["--version"]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(pkg.version);
  });

  it("exits 2 on an unknown command or option, with a hint on stderr", async () => {
    const command = await run(["fly", "--no-json"]);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain("unknown command 'fly'");
    expect(command.stdout).toBe("");
    const option = await run(["models", "--frobnicate", "--no-json"]);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("--frobnicate");
  });

  it("ends NDJSON with an error event on a usage error too (unknown option, a flag without its value, no command)", async () => {
    const cases: [string[], RegExp][] = [
      [["image", "A lighthouse", "--frobnicate"], /unknown option '--frobnicate'/],
      [["image", "A lighthouse", "-o"], /argument missing/],
      [["batch"], /missing required argument/],
      [[], /No command/],
    ];
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await run(args); // stdout is a pipe: NDJSON
      expect(code, args.join(" ")).toBe(2);
      expect(stderr).toMatch(/decart --help|Usage: decart/);
      expect(events(stdout)).toEqual([{ type: "error", exit_code: 2, message: expect.stringMatching(message) }]);
    }
  });

  it("exits quietly with 0 when the reader of stdout goes away (| head)", async () => {
    const child = start(["models", "--json"]);
    // The read end is closed before the child writes anything: its first write meets EPIPE.
    child.stdout!.destroy();
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (d) => {
      stderr += d;
    });
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    expect(stderr).toBe("");
  });

  it("writes NDJSON when stdout is a pipe, and output for a human with --no-json", async () => {
    const piped = await run(["models", "lucy-pro-t2v"]);
    expect(piped.code).toBe(0);
    expect(events(piped.stdout).map((e) => e.type)).toEqual(["model"]);
    const human = await run(["models", "lucy-pro-t2v", "--no-json"]);
    expect(human.code).toBe(0);
    expect(() => JSON.parse(human.stdout)).toThrow();
    expect(human.stdout).toContain("Fields:");
  });

  describe("colours", () => {
    const ESC = "\u001b[";
    const human = (env: Record<string, string>, ...extra: string[]) =>
      run(["models", "--no-json", ...extra], { env }).then((r) => r.stdout);

    it("are on with FORCE_COLOR off a terminal", async () => {
      expect(await human({ FORCE_COLOR: "1" })).toContain(ESC);
    });
    it("are off off a terminal by default", async () => {
      expect(await human({})).not.toContain(ESC);
    });
    it("are off with NO_COLOR, TERM=dumb or --no-color, even with FORCE_COLOR", async () => {
      expect(await human({ FORCE_COLOR: "1", NO_COLOR: "1" })).not.toContain(ESC);
      expect(await human({ FORCE_COLOR: "1", TERM: "dumb" })).not.toContain(ESC);
      expect(await human({ FORCE_COLOR: "1" }, "--no-color")).not.toContain(ESC);
    });
    it("never wrap an empty cell: no colour codes around nothing, no blanks before the line end", async () => {
      const table = await human({ FORCE_COLOR: "1" });
      expect(table).toContain(ESC);
      const code = "\\u001b\\[\\d+m"; // a colour code, as a regular expression
      expect(table).not.toMatch(new RegExp(code + code));
      for (const line of table.replace(new RegExp(code, "g"), "").split("\n")) expect(line).toBe(line.trimEnd());
    });
    it.skipIf(!SCRIPT)(
      "on a terminal: on; off with NO_COLOR, TERM=dumb or --no-color (no escape code at all)",
      async () => {
        const onTerminal = async (env: Record<string, string>, ...args: string[]) => {
          const result = await runOnTerminal(args, { env });
          expect(result.code, result.stdout).toBe(0);
          return result.stdout;
        };
        const { emu, env } = await emulator();
        const { dir, remove } = tempDir();
        try {
          const out = join(dir, "x.png");
          expect(await onTerminal({}, "models")).toContain(ESC);
          expect(await onTerminal(env, "image", "A lighthouse", "-o", out)).toContain(ESC);
          const mp4 = join(dir, "x.mp4");
          const batch = join(dir, "b.jsonl");
          writeFileSync(batch, '{"custom_id": "lake", "prompt": "A lake"}\n');
          for (const [off, flags] of [
            [{ NO_COLOR: "1" }, []],
            [{ TERM: "dumb" }, []],
            [{}, ["--no-color"]],
          ] as const) {
            expect(await onTerminal(off, "models", ...flags)).not.toContain("\u001b");
            expect(await onTerminal({ ...env, ...off }, "image", "A lighthouse", "-o", out, ...flags)).not.toContain(
              "\u001b",
            );
            // The download's progress bar moves the cursor with escape codes: none either.
            const journal = { DECART_JOURNAL: join(dir, `${Object.keys(off)[0] ?? "flag"}.jsonl`) };
            const video = await onTerminal({ ...env, ...journal, ...off }, "video", "A lake", "-o", mp4, ...flags);
            expect(video).toContain("saved");
            expect(video).not.toContain("\u001b");
            const batched = await onTerminal(
              { ...env, ...journal, ...off },
              "batch",
              batch,
              "--out",
              join(dir, "b"),
              ...flags,
            );
            expect(batched).toContain("lake");
            expect(batched).not.toContain("\u001b");
            rmSync(join(dir, "b"), { recursive: true });
          }
        } finally {
          await emu.close();
          remove();
        }
      },
    );
    it("never colour NDJSON", async () => {
      const { stdout } = await run(["models", "--json"], { env: { FORCE_COLOR: "1" } });
      expect(stdout).not.toContain(ESC);
    });
  });
});

describe("the error event's code", () => {
  it("is the client's code for the client's failure, and absent for an error of the CLI's own", async () => {
    const { emu, env } = await emulator();
    const temp = tempDir();
    try {
      const last = async (args: string[], extra: Record<string, string | undefined> = {}) => {
        const result = await run([...args, "--json"], { env: { ...env, ...extra } });
        return events(result.stdout).at(-1)!;
      };
      // The CLI's own: a bad flag, -o - for a video, no key, a refused journal.
      const own = [
        await last(["models", "--frobnicate"]),
        await last(["video", "A lake", "-o", "-"]),
        await last(["models", "lucy-nope"]),
        await last(["image", "A lighthouse", "-o", join(temp.dir, "x.png")], { DECART_API_KEY: undefined }),
        await last(["jobs", "submit", "A lake"], { DECART_JOURNAL: temp.dir }),
      ];
      for (const event of own) {
        expect(event).toEqual(expect.objectContaining({ type: "error" }));
        expect(event, event.message).not.toHaveProperty("code");
      }
      expect(own.map((e) => e.exit_code)).toEqual([EXIT.usage, EXIT.usage, EXIT.usage, EXIT.auth, EXIT.usage]);
      // The client's: a field the model does not take, a key the server refuses.
      const invalid = await last(["image", "A lighthouse", "nope=1", "-o", join(temp.dir, "y.png")]);
      expect(invalid).toEqual(expect.objectContaining({ type: "error", exit_code: EXIT.usage, code: "INVALID_INPUT" }));
      const refused = await last(["jobs", "status", "job_x"], { DECART_API_KEY: "dct_not_the_key" });
      expect(refused).toEqual(expect.objectContaining({ type: "error", exit_code: EXIT.auth, code: "AUTHENTICATION" }));
      expect(emu.stats().requests.byRoute.process ?? 0).toBe(0);
    } finally {
      temp.remove();
      await emu.close();
    }
  });
});

describe("a bad API URL", () => {
  it("names the variable or the flag it came from, not the client's option: exit 2, nothing sent, no credentials shown", async () => {
    const { emu, env } = await emulator();
    const temp = tempDir();
    try {
      for (const [args, extra, named] of [
        [
          ["image", "A lighthouse", "-o", join(temp.dir, "x.png")],
          { DECART_BASE_URL: `${env.DECART_BASE_URL}/?x=1` },
          "DECART_BASE_URL",
        ],
        [["video", "A lake", "--base-url", "not a url"], {}, "--base-url"],
        // The flag wins over a good variable, and is what is named.
        [["jobs", "status", "job_x", "--base-url", "http://user:hunter2@127.0.0.1:9"], {}, "--base-url"],
      ] as const) {
        const { code, stdout, stderr } = await run([...args, "--json"], { env: { ...env, ...extra } });
        expect(code, stderr).toBe(EXIT.usage);
        const last = events(stdout).at(-1)!;
        // Before the fix: `Invalid options: "baseUrl" must be an http(s) URL without @, ? or #`.
        expect(last.message).toMatch(new RegExp(`^${named} must be an http\\(s\\) URL without @, \\? or #`));
        expect(last).toMatchObject({ type: "error", exit_code: EXIT.usage, code: "INVALID_INPUT" });
        expect(stdout + stderr).not.toContain("baseUrl");
        expect(stdout + stderr).not.toContain("hunter2");
      }
      // One that does not parse: said so, without the other rule's reasons.
      for (const url of ["http://[::1", "http://a b"]) {
        const { code, stderr } = await run(["jobs", "status", "job_x", "--base-url", url], { env });
        expect(code, stderr).toBe(EXIT.usage);
        expect(stderr).toContain(
          "--base-url must be an http(s) URL that parses (https://host:port); give the server's URL, such as",
        );
        expect(stderr).not.toContain("swallow");
      }
      expect(emu.stats().requests.total).toBe(0);
    } finally {
      temp.remove();
      await emu.close();
    }
  });
});

describe("XDG_STATE_HOME", () => {
  // The XDG Base Directory spec: a relative path there is invalid, to be ignored. It was taken from the current
  // directory: each directory a script ran from had a journal of its own, and `jobs list` elsewhere lacked the job.
  it("a relative one is ignored: the journal is ~/.local/state/decart/jobs.jsonl, whatever the current directory", async () => {
    const { emu, env } = await emulator();
    const temp = tempDir();
    const home = join(temp.dir, "home");
    const [one, two] = [join(temp.dir, "one"), join(temp.dir, "two")];
    for (const path of [home, one, two]) mkdirSync(path);
    const own = { ...env, HOME: home, XDG_STATE_HOME: "state" };
    try {
      const submitted = await run(["--no-json", "jobs", "submit", "A lake"], { env: own, cwd: one });
      expect(submitted.code, submitted.stderr).toBe(0);
      const id = submitted.stdout.trim();
      expect(readFileSync(join(home, ".local", "state", "decart", "jobs.jsonl"), "utf8")).toContain(id);
      expect(existsSync(join(one, "state"))).toBe(false);
      const listed = await run(["--no-json", "jobs", "list"], { env: own, cwd: two });
      expect(listed.stdout).toContain(id);
    } finally {
      temp.remove();
      await emu.close();
    }
  });
});

describe("a HOME that is no absolute path", () => {
  // Node takes HOME as it is: set but empty, the default journal was ./.local/state/decart/jobs.jsonl of the current
  // directory, so `jobs submit` in one directory and `jobs list` in another did not find the job.
  it("HOME empty or relative, without XDG_STATE_HOME or a journal given: exit 2 naming HOME and DECART_JOURNAL, nothing sent or written", async () => {
    const { emu, env } = await emulator();
    const temp = tempDir();
    try {
      for (const [home, said] of [
        ["", "HOME is set but empty"],
        ["me", 'HOME is a relative path ("me")'],
      ] as const) {
        const own = { ...env, HOME: home, XDG_STATE_HOME: undefined };
        for (const args of [
          ["jobs", "submit", "A lake"],
          ["jobs", "list"],
          ["jobs", "wait", "job_x"],
          ["video", "A lake", "-o", join(temp.dir, "a.mp4")],
          ["batch", "-", "--out", join(temp.dir, "out")],
        ]) {
          const { code, stdout, stderr } = await run([...args, "--json"], {
            env: own,
            cwd: temp.dir,
            input: '{"custom_id":"a","prompt":"x"}\n',
          });
          expect(code, `${args.join(" ")}: ${stderr}`).toBe(EXIT.usage);
          const { message } = events(stdout).at(-1)!;
          expect(message).toMatch(new RegExp(`^${said.replace(/[()]/g, "\\$&")}, so the journal's default place`));
          expect(message).toContain("DECART_JOURNAL=<file>");
          expect(message).toMatch(/\(nothing was sent\)$/);
        }
      }
      expect(emu.stats().requests.total).toBe(0);
      expect(readdirSync(temp.dir)).toEqual([]);
      // A journal given, or an absolute XDG_STATE_HOME, needs no HOME.
      for (const given of [
        { DECART_JOURNAL: join(temp.dir, "j.jsonl") },
        { XDG_STATE_HOME: join(temp.dir, "state") },
      ]) {
        const submitted = await run(["--no-json", "jobs", "submit", "A lake"], {
          env: { ...env, HOME: "", XDG_STATE_HOME: undefined, ...given },
          cwd: temp.dir,
        });
        expect(submitted.code, submitted.stderr).toBe(0);
      }
      expect(readFileSync(join(temp.dir, "state", "decart", "jobs.jsonl"), "utf8")).toContain("job_");
      expect(existsSync(join(temp.dir, ".local"))).toBe(false);
    } finally {
      temp.remove();
      await emu.close();
    }
  });
});

describe("a setting set but empty", () => {
  it("DECART_BASE_URL or --base-url empty or only white space: exit 2 naming it, no request at all (it was the production API)", async () => {
    const { emu, env } = await emulator();
    const temp = tempDir();
    // A journal and a default one of the test's own: a run that went on would not write the user's.
    const own = { ...env, DECART_JOURNAL: join(temp.dir, "j.jsonl"), XDG_STATE_HOME: temp.dir };
    try {
      for (const [args, extra, named] of [
        // No flag: the variable, empty, was taken as unset, and the key went to https://api.decart.ai.
        [["image", "A lighthouse", "-o", join(temp.dir, "a.png")], { DECART_BASE_URL: "" }, "DECART_BASE_URL"],
        [["video", "A lake", "-o", join(temp.dir, "b.mp4")], { DECART_BASE_URL: " \t" }, "DECART_BASE_URL"],
        // The flag, empty, won over a variable set to the emulator, and was the production API too.
        [["image", "A lighthouse", "-o", join(temp.dir, "c.png"), "--base-url", ""], {}, "--base-url"],
        [["jobs", "status", "job_x", "--base-url", " "], {}, "--base-url"],
        [["batch", "-", "--out", join(temp.dir, "out"), "--base-url="], {}, "--base-url"],
      ] as const) {
        const input = '{"custom_id":"a","prompt":"x"}\n';
        const { code, stdout, stderr } = await run(["-v", ...args, "--timeout", "5", "--json"], {
          env: { ...own, ...extra },
          input,
        });
        expectEmptyRefused({ code, stdout, stderr }, args, named);
        // -v logs every request as it starts: none started, to any server.
        expect(stderr, args.join(" ")).not.toMatch(/^→ /m);
        expect(stderr).not.toContain("api.decart.ai/");
      }
      expect(emu.stats().requests.total).toBe(0);
    } finally {
      temp.remove();
      await emu.close();
    }
  });

  it("DECART_JOURNAL or --journal empty or only white space: exit 2 naming it, nothing sent (it was the next default)", async () => {
    const { emu, env } = await emulator();
    const temp = tempDir();
    const own = { ...env, XDG_STATE_HOME: temp.dir };
    try {
      for (const [args, extra, named] of [
        [["video", "A lake", "-o", join(temp.dir, "a.mp4")], { DECART_JOURNAL: "" }, "DECART_JOURNAL"],
        [["jobs", "submit", "A lake"], { DECART_JOURNAL: "  " }, "DECART_JOURNAL"],
        // The flag, empty, gave way to the variable.
        [
          ["batch", "-", "--out", join(temp.dir, "out"), "--journal", ""],
          { DECART_JOURNAL: join(temp.dir, "j") },
          "--journal",
        ],
        // `image` checks its file against the journal (without -o, the name it picks avoids the journal's).
        [["image", "A lighthouse", "--journal", " "], {}, "--journal"],
        [["jobs", "list", "--journal="], {}, "--journal"],
      ] as const) {
        const { code, stdout, stderr } = await run([...args, "--json"], {
          env: { ...own, ...extra },
          cwd: temp.dir,
          input: '{"custom_id":"a","prompt":"x"}\n',
        });
        expectEmptyRefused({ code, stdout, stderr }, args, named);
      }
      // Nothing sent, nothing written: not the default journal, not an image.
      expect(emu.stats().requests.total).toBe(0);
      expect(readdirSync(temp.dir)).toEqual([]);
    } finally {
      temp.remove();
      await emu.close();
    }
  });

  it("DECART_API_KEY or --api-key empty or only white space: exit 4 naming it, not the other", async () => {
    const { emu, env } = await emulator();
    try {
      for (const [args, extra, named] of [
        // Before the fix: "No API key: set DECART_API_KEY or pass --api-key", with DECART_API_KEY set.
        [["--api-key", ""], {}, "--api-key"],
        [[], { DECART_API_KEY: " " }, "DECART_API_KEY"],
      ] as const) {
        const { code, stdout } = await run(["jobs", "status", "job_x", ...args, "--json"], {
          env: { ...env, ...extra },
        });
        expect(code).toBe(EXIT.auth);
        expect(events(stdout).at(-1)).toMatchObject({
          type: "error",
          exit_code: EXIT.auth,
          message: expect.stringMatching(new RegExp(`^${named} is (empty|set to white space only); `)),
        });
      }
      expect(emu.stats().requests.total).toBe(0);
    } finally {
      await emu.close();
    }
  });
});

describe("main(argv) called again and again in one process", () => {
  it("leaves one error listener on stdout and stderr, not one more per call", async () => {
    // A host (a test harness, a wrapper) running command lines through the package's import: twelve calls, then the
    // listeners its streams hold, printed by the child once it is done.
    const script = `
      import { main } from ${JSON.stringify(new URL("../dist/main.js", import.meta.url).href)};
      const before = [process.stdout.listenerCount("error"), process.stderr.listenerCount("error")];
      for (let i = 0; i < 12; i++) await main(["node", "decart", "models", "--json"]);
      const after = [process.stdout.listenerCount("error"), process.stderr.listenerCount("error")];
      process.stderr.write("\\nLISTENERS " + JSON.stringify({ before, after }) + "\\n");
    `;
    const { stderr } = await new Promise<{ stderr: string }>((resolve, reject) =>
      execFile(process.execPath, ["--input-type=module", "-e", script], (error, _stdout, stderr) =>
        error ? reject(error) : resolve({ stderr }),
      ),
    );
    expect(stderr).not.toContain("MaxListenersExceededWarning");
    const line = stderr.split("\n").find((l) => l.startsWith("LISTENERS "));
    const { before, after } = JSON.parse(line!.slice("LISTENERS ".length));
    expect(after).toEqual([before[0] + 1, before[1] + 1]);
  });
});
