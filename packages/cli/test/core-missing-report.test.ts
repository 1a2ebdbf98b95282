/**
 * An error that is not commander's (an unknown `help` name, a command that loads the client) is written on one line,
 * scrubbed, with its exit code, even when `@decart/core` cannot be loaded (here: a copy of the CLI whose
 * `@decart/core` does not resolve), as commander's usage errors are then: not a stack trace of the module not found.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { childEnv, events, finished, KEY, tempDir } from "./helpers.js";
import { withoutCore } from "./without-core.js";

let bin: string;
let remove: () => void;
beforeAll(() => {
  const temp = tempDir();
  remove = temp.remove;
  bin = withoutCore(temp.dir);
});
afterAll(() => remove?.());

const decart = (args: string[]) =>
  finished(spawn(process.execPath, [bin, ...args], { env: childEnv({ DECART_API_KEY: KEY }), stdio: "pipe" }));

describe("an error other than commander's when @decart/core cannot be loaded", () => {
  it("help <key>: one line naming it as ***, the error event, exit 2", async () => {
    const help = await decart(["--json", "help", KEY]);
    expect(help.code, help.stderr).toBe(2);
    const message =
      'No help for "***": give a command or a topic (models, image, video, jobs, batch, emulator, exit-codes, ' +
      "environment), e.g. decart help exit-codes";
    expect(help.stderr).toBe(`decart: ${message}\n`);
    expect(events(help.stdout)).toEqual([{ type: "error", exit_code: 2, message }]);

    const human = await decart(["--no-json", "help", "jobs", KEY]);
    expect(human.code, human.stderr).toBe(2);
    expect(human.stdout).toBe("");
    expect(human.stderr).toMatch(/^decart: No help for "jobs \*\*\*": give a command of jobs \([^\n]*\n$/);
  });

  it("a command that loads the client: one line saying what is missing, exit 1", async () => {
    const list = await decart(["--json", "jobs", "list"]);
    expect(list.code, list.stderr).toBe(1);
    expect(list.stderr).toMatch(/^decart: Cannot find package '@decart\/core'[^\n]*; reinstall @decart\/cli\n$/);
    expect(events(list.stdout)).toEqual([
      {
        type: "error",
        exit_code: 1,
        message: expect.stringMatching(/^Cannot find package '@decart\/core'[^\n]*; reinstall @decart\/cli$/),
      },
    ]);
  });
});
