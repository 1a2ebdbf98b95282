/** `decart help …`: a command's help as its `--help` gives it, and the topics that are not commands. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT_CODES_HELP } from "../src/exit.js";
import { events, KEY, listenOnLoopback, loadedModules, run, tempDir } from "./helpers.js";

describe("decart help", () => {
  it("help exit-codes and help environment print those tables on stdout, exit 0", async () => {
    const codes = await run(["help", "exit-codes"]);
    expect(codes.code, codes.stderr).toBe(0);
    expect(codes.stdout).toBe(`${EXIT_CODES_HELP}\n`);
    for (const exit of [0, 1, 2, 3, 4, 5, 6, 129, 130]) expect(codes.stdout).toMatch(new RegExp(`^ +${exit} `, "m"));

    const environment = await run(["--no-json", "help", "environment"]);
    expect(environment.code, environment.stderr).toBe(0);
    expect(environment.stdout).toMatch(/^Environment:\n/);
    expect(environment.stdout).toContain("DECART_API_KEY");
    expect(environment.stdout).toContain("use the URL recorded with it when of the same origin");
  });

  it("help <command> [<subcommand>] is that command's --help, the emulator's flags included", async () => {
    for (const [words, usage] of [
      [["jobs", "wait"], "Usage: decart jobs wait [options] <job-id>"],
      [["image"], "Usage: decart image [options]"],
      [["emulator"], "--port"],
      [[], "Usage: decart [options] [command]"],
    ] as const) {
      const { code, stdout, stderr } = await run(["help", ...words]);
      expect(code, stderr).toBe(0);
      expect(stdout).toContain(usage);
      expect(stdout).toBe((await run([...words, "--help"])).stdout);
    }
  });

  it("--help, help and --version load neither the client nor the API's catalogue (a faster start), with a key given", async () => {
    const { dir, remove } = tempDir();
    try {
      const of = async (args: string[]) => {
        const { env, loaded } = loadedModules(dir);
        // A key in the environment and on the command line: what scrubs it is not loaded for help either.
        const r = await run(["--api-key", KEY, ...args], { env: { ...env, DECART_API_KEY: KEY } });
        return { ...r, loaded: loaded() };
      };
      const client = /\/(core|api)\/dist\//;
      const commands = [[], ["models"], ["image"], ["video"], ["jobs"], ["batch"], ["emulator"]];
      for (const sub of ["submit", "status", "wait", "result", "list"]) commands.push(["jobs", sub]);
      for (const words of commands) {
        for (const args of [
          [...words, "--help"],
          ["help", ...words],
        ]) {
          const r = await of(args);
          expect(r.code, r.stderr).toBe(0);
          expect(r.stdout).toMatch(/^Usage: decart/);
          expect(r.loaded.some((url) => url.endsWith("/cli/dist/main.js"))).toBe(true);
          // (The emulator's help lists the emulator's flags: it loads the emulator, and its catalogue.)
          const unwanted = words[0] === "emulator" ? /\/core\/dist\// : client;
          expect(
            r.loaded.filter((url) => unwanted.test(url)),
            args.join(" "),
          ).toEqual([]);
        }
      }
      for (const args of [["help", "exit-codes"], ["--no-color", "--version"], ["-h"]]) {
        const r = await of(args);
        expect(r.code, r.stderr).toBe(0);
        expect(
          r.loaded.filter((url) => client.test(url)),
          args.join(" "),
        ).toEqual([]);
      }
      // A command that runs loads it (the hook sees the client's modules).
      const models = await of(["models"]);
      expect(models.code, models.stderr).toBe(0);
      expect(models.loaded.some((url) => /\/core\/dist\/index\.js$/.test(url))).toBe(true);
    } finally {
      remove();
    }
  });

  it("a name that is neither a command nor a topic: exit 2, listing both", async () => {
    const { code, stdout, stderr } = await run(["help", "nosuch"]);
    expect(code).toBe(2);
    expect(stderr).toContain('No help for "nosuch": give a command or a topic (models, image, video, jobs, batch');
    expect(stderr).toContain("exit-codes, environment");
    expect(events(stdout)).toEqual([expect.objectContaining({ type: "error", exit_code: 2 })]);

    const sub = await run(["help", "jobs", "nosuch"]);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain("give a command of jobs (submit, status, wait, result, list)");
  });

  it("a word after a command without subcommands: no such help topic, naming that command's help; --no-json heard", async () => {
    for (const words of [["image"], ["jobs", "wait"]]) {
      const said = `help ${words.join(" ")} foo`;
      const { code, stdout, stderr } = await run(["--no-json", "help", ...words, "foo"]);
      expect(code, said).toBe(2);
      expect(stderr, said).toBe(
        `decart: No help for "${words.join(" ")} foo": no such help topic (${words.join(" ")} has no subcommands); see decart help ${words.join(" ")}\n`,
      );
      // (stdout is a pipe: without --no-json it would carry the error event.)
      expect(stdout, said).toBe("");
      const json = await run(["--json", "help", ...words, "foo"]);
      expect(events(json.stdout), said).toEqual([
        expect.objectContaining({
          type: "error",
          exit_code: 2,
          message: expect.stringContaining("no such help topic"),
        }),
      ]);
    }
  });
});

describe("exit 2 for an input the server refused", () => {
  it("a 400, 413 or 422 to a submit, an image or a status read is exit 2, as the exit codes say (nothing made)", async () => {
    let status = 400;
    const server = await listenOnLoopback((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(status, { "content-type": "application/json" }).end('{"detail":"no lakes"}'));
    });
    const { dir, remove } = tempDir();
    const env = {
      DECART_API_KEY: KEY,
      DECART_BASE_URL: server.url,
      DECART_JOURNAL: join(dir, "journal.jsonl"),
    };
    try {
      for (status of [400, 413, 422]) {
        for (const args of [
          ["video", "A lake", "-o", join(dir, "v.mp4")],
          ["image", "A lake", "-o", join(dir, "i.png")],
          ["jobs", "status", "job_1"],
        ]) {
          const { code, stdout, stderr } = await run(args, { env });
          expect(code, `${status} ${args[0]}: ${stderr}`).toBe(2);
          expect(events(stdout).at(-1)).toMatchObject({ type: "error", exit_code: 2 });
          expect(stderr).toContain(`no lakes (HTTP ${status})`);
        }
      }
    } finally {
      await server.close();
      remove();
    }
    // The exit codes say so: --help (help exit-codes) and the README.
    const two = /^ {2}2 {4}(.*\n)(?: {7}.*\n)*/m.exec(EXIT_CODES_HELP)?.[0];
    expect(two).toContain("or by the server (HTTP 400, 413 or");
    expect(two?.replace(/\s+/g, " ")).toContain("nothing made");
    const row = readFileSync(new URL("../README.md", import.meta.url), "utf8").match(/^\| 2 \| .*$/m)?.[0];
    expect(row).toContain("refused by the server as it came: an answer of HTTP 400, 413 or 422");
    expect(row).not.toContain("(nothing was sent)");
  });
});
