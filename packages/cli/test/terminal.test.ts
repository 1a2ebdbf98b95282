/**
 * What the CLI writes on a terminal (through `script`, a terminal of the test's own): `image -o -`, where the image's
 * bytes would go, is refused, as curl refuses binary output; a saved path is written with its control characters
 * written out there, and byte for byte into a pipe.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { BIN, childEnv, finished, run, runOnTerminal, SCRIPT, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f));

describe("image -o - with a terminal for stdout", () => {
  it.skipIf(!SCRIPT)(
    "is refused before anything is sent (binary bytes on a terminal): exit 2, naming -o <file>",
    async () => {
      for (const output of ["-", "/dev/stdout"]) {
        const { code, stdout } = await runOnTerminal(["image", "A lighthouse", "-o", output, "--no-color"], { env });
        expect(code, stdout).toBe(2);
        expect(stdout).toContain(
          "-o - writes the image's bytes to stdout, which is a terminal: give a file (-o image.png)",
        );
        expect(stdout).not.toContain("PNG");
      }
      expect(emu.stats().requests.total).toBe(0);
    },
  );
});

/**
 * Runs the CLI on a terminal of its own (through `script`, as `runOnTerminal` does) with `-o` naming that terminal by
 * its path (`/dev/pts/N`, as the shell's `tty` says): never the machine's `/dev/tty`.
 */
function onTerminalToItself(args: string[]) {
  const quote = (arg: string) => `'${arg.replace(/'/g, "'\\''")}'`;
  const command = `${[process.execPath, BIN, ...args].map(quote).join(" ")} -o "$(tty)"`;
  return finished(
    spawn(SCRIPT!, ["-qec", command, "/dev/null"], { env: childEnv(env), stdio: ["ignore", "pipe", "pipe"] }),
  );
}

describe("-o naming a terminal by its path", () => {
  it.skipIf(!SCRIPT)("is refused before anything is sent, as -o - onto a terminal is: exit 2, naming it", async () => {
    for (const args of [
      ["image", "A lighthouse", "--no-color"],
      ["video", "A lake", "--no-color"],
    ]) {
      const { code, stdout } = await onTerminalToItself(args);
      expect(code, stdout).toBe(2);
      expect(stdout).toMatch(/-o \/dev\/pts\/\d+: \/dev\/pts\/\d+ is a terminal, which a result's bytes would garble/);
      expect(stdout).not.toContain("PNG");
    }
    // The same through a descriptor of the CLI's own that is that terminal.
    const { code, stdout } = await runOnTerminal(["image", "A lighthouse", "-o", "/dev/stderr", "--no-color"], { env });
    expect(code, stdout).toBe(2);
    expect(stdout).toContain("-o /dev/stderr: /dev/stderr is a terminal, which a result's bytes would garble");
    expect(emu.stats().requests.total).toBe(0);
  });
});

describe("the saved path on stdout", () => {
  // A colour that hides what follows: the CLI's own colours never use it.
  const hidden = "\x1b[8m";

  it("is written byte for byte when stdout is not a terminal (what path=$(…) captures names the file)", async () => {
    const out = join(dir, `piped${hidden}x.png`);
    const { code, stderr, bytes } = await run(["image", "A lighthouse", "-o", out, "--no-json"], { env });
    expect(code, stderr).toBe(0);
    expect(bytes.equals(Buffer.from(`${out}\n`))).toBe(true);
    expect(existsSync(out)).toBe(true);
  });

  it.skipIf(!SCRIPT)("has its control characters written out on a terminal, colours on or off", async () => {
    const out = join(dir, `shown${hidden}x.png`);
    for (const colour of [[], ["--no-color"]]) {
      const { code, stdout } = await runOnTerminal(["image", "A lighthouse", "-o", out, ...colour], { env });
      expect(code, stdout).toBe(0);
      expect(stdout).not.toContain(hidden);
      expect(stdout).toContain(`${dir}/shown\\x1b[8mx.png\r\n`);
    }
    expect(existsSync(out)).toBe(true);
  });
});

describe("FORCE_COLOR=0 on a terminal", () => {
  it.skipIf(!SCRIPT)("turns colours off, as NO_COLOR does: no escape code at all", async () => {
    for (const force of ["0", "false"]) {
      const out = join(dir, `force-${force}.png`);
      const { code, stdout } = await runOnTerminal(["image", "A lighthouse", "-o", out], {
        env: { ...env, FORCE_COLOR: force },
      });
      expect(code, stdout).toBe(0);
      expect(stdout).toContain("Image saved");
      expect(stdout).not.toContain("\x1b");
    }
  });
});
