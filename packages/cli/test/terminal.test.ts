/** `image -o -` with a terminal for stdout, where the image's bytes would go: refused, as curl refuses binary output. */
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { runOnTerminal, SCRIPT, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
useEmulator({}, (f) => ({ emu, env } = f));

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
