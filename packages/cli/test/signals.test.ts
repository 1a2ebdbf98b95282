/**
 * Ctrl-C, SIGTERM and SIGHUP while the CLI starts: loading a command and the client takes some tenths of a second,
 * and a signal then ended the process by the signal (exit 143, nothing on stdout), where a run that exits non-zero ends
 * with a line carrying its exit code.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { events, finished, onStderr, start, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f));

const HOLDING = "holding the command's load";

/**
 * A module to load first (`--import`) that holds the bin's load of the command line's code (`../dist/main.js`) until
 * the file `go` exists, saying so on stderr: the CLI is starting, with nothing of the command loaded. Written to `dir`.
 */
function holdingMain(go: string): string {
  const hook = join(dir, "hold-main-hook.mjs");
  writeFileSync(
    hook,
    `import { existsSync, writeSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
export async function resolve(specifier, context, next) {
  if (specifier === "../dist/main.js") {
    writeSync(2, ${JSON.stringify(`${HOLDING}\n`)});
    while (!existsSync(${JSON.stringify(go)})) await sleep(5);
  }
  return next(specifier, context);
}
`,
  );
  const module = join(dir, "hold-main.mjs");
  writeFileSync(
    module,
    `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`,
  );
  return module;
}

describe("a signal while the CLI starts", () => {
  it("ends the run with its exit code and an interrupted event, nothing sent (130; SIGHUP 129)", async () => {
    for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
      const go = join(dir, `go-${signal}`);
      const child = start(["video", "A lake", "-o", join(dir, `early-${signal}.mp4`)], {
        env: { ...env, NODE_OPTIONS: `--import=${pathToFileURL(holdingMain(go)).href}` },
      });
      const done = finished(child);
      await onStderr(child, HOLDING);
      child.kill(signal);
      writeFileSync(go, "");
      const stopped = await done;
      const code = signal === "SIGHUP" ? 129 : 130;
      // Before the fix: no handler yet, the process ended by the signal (no exit code, nothing on stdout).
      expect(stopped.signal, `${signal}: ${stopped.stderr}`).toBe(null);
      expect(stopped.code, `${signal}: ${stopped.stderr}`).toBe(code);
      expect(events(stopped.stdout), signal).toEqual([{ type: "interrupted", exit_code: code }]);
      expect(stopped.stderr, signal).toContain("Interrupted as the command started: nothing was sent");
    }
    expect(emu.stats().requests.total).toBe(0);
  });
});
