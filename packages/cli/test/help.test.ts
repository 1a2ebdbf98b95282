/** `decart help …`: a command's help as its `--help` gives it, and the topics that are not commands. */
import { describe, expect, it } from "vitest";
import { EXIT_CODES_HELP } from "../src/exit.js";
import { events, run } from "./helpers.js";

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
});
