/**
 * stdout and stderr on two terminals (a shell's `2>/dev/pts/N`): the line on stderr that says a result was saved names
 * its path, which only the other terminal shows; on one terminal, it ends with `:`, the path following it there.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { finished, onTerminal, SCRIPT, useEmulator } from "./helpers.js";

let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ env, dir } = f));

/**
 * A second terminal (through `script`) and its path; `line` resolves with the first line written to it that holds
 * `text`, and `close` ends it.
 */
async function otherTerminal() {
  const child = spawn(SCRIPT!, ["-qec", "tty; exec sleep 60", "/dev/null"], { stdio: ["ignore", "pipe", "pipe"] });
  const done = finished(child);
  let transcript = "";
  const when = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const look = () => {
        const match = pattern.exec(transcript);
        if (match) resolve(match);
      };
      child.stdout!.on("data", (d: Buffer) => {
        transcript += d.toString("utf8");
        look();
      });
      look();
      done.then(() => reject(new Error(`ended before ${pattern}: ${transcript}`)));
    });
  const path = (await when(/(\/dev\/\S+)\r?\n/))[1]!;
  return {
    path,
    line: async (text: string) => (await when(new RegExp(`[^\n]*${text}[^\n]*\n`)))[0],
    close: () => {
      child.kill("SIGTERM");
      return done;
    },
  };
}

describe.skipIf(!SCRIPT)("a saved result's line on stderr", () => {
  it("names the path where stderr is another terminal than stdout", async () => {
    const other = await otherTerminal();
    try {
      const file = join(dir, "two.png");
      const { done } = onTerminal(["image", "A lake", "-o", file, "--no-color"], {
        env,
        columns: 200,
        stderr: other.path,
      });
      const { code, stdout } = await done;
      expect(code, stdout).toBe(0);
      expect(stdout).toContain(`${file}\r\n`);
      expect(stdout).not.toContain("saved");
      const line = await other.line("Image saved");
      expect(line).toMatch(/^✓ Image saved \(\d+ bytes\) to /);
      expect(line).toContain(` to ${file}\r\n`);
    } finally {
      await other.close();
    }
  });

  it("ends with `:` where stdout and stderr are one terminal, the path on the next line", async () => {
    const file = join(dir, "one.png");
    const { done } = onTerminal(["image", "A lake", "-o", file, "--no-color"], { env, columns: 200 });
    const { code, stdout } = await done;
    expect(code, stdout).toBe(0);
    expect(stdout).toMatch(new RegExp(`✓ Image saved \\(\\d+ bytes\\):\\r\\n${file}\\r\\n`));
  });

  it("ends with `:` where stderr is /dev/tty and stdout that terminal: one terminal, the path printed once", async () => {
    const file = join(dir, "tty.png");
    const { done } = onTerminal(["image", "A lake", "-o", file, "--no-color"], {
      env,
      columns: 200,
      stderr: "/dev/tty",
    });
    const { code, stdout } = await done;
    expect(code, stdout).toBe(0);
    expect(stdout).toMatch(new RegExp(`✓ Image saved \\(\\d+ bytes\\):\\r\\n${file}\\r\\n`));
    expect(stdout.split(file).length - 1, stdout).toBe(1);
  });
});
