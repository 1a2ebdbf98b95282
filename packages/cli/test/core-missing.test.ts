/**
 * A usage error is written, scrubbed, and exits 2 even when the modules that scrub a key's every form cannot be loaded
 * (here: a copy of the CLI whose `@decart/core` does not resolve): the keys are then scrubbed as given.
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { childEnv, events, finished, KEY, tempDir } from "./helpers.js";
import { withoutCore } from "./without-core.js";

describe("a usage error when @decart/core cannot be loaded", () => {
  it("commander's message on stderr, the keys as ***, the JSON error event, exit 2 (not a module-not-found stack)", async () => {
    const { dir, remove } = tempDir();
    try {
      const bin = withoutCore(dir);
      const decart = (args: string[]) =>
        finished(spawn(process.execPath, [bin, ...args], { env: childEnv({ DECART_API_KEY: KEY }), stdio: "pipe" }));
      const help = await decart(["--help"]);
      expect(help.code, help.stderr).toBe(0);

      const bogus = await decart(["--json", "--bogus"]);
      expect(bogus.code, bogus.stderr).toBe(2);
      expect(bogus.stderr).toBe("error: unknown option '--bogus'\n(decart --help for usage)\n");
      expect(events(bogus.stdout)).toEqual([{ type: "error", exit_code: 2, message: "unknown option '--bogus'" }]);

      // The key from the environment, and a mistyped --apikey=KEY's value, scrubbed as given.
      const named = await decart(["--json", KEY]);
      expect(named.code, named.stderr).toBe(2);
      expect(named.stderr).toContain("error: unknown command '***'");
      expect(events(named.stdout)).toEqual([{ type: "error", exit_code: 2, message: "unknown command '***'" }]);
      const typed = await decart(["--no-json", `--apikey=${KEY}`]);
      expect(typed.code, typed.stderr).toBe(2);
      expect(typed.stderr).toContain("error: unknown option '--apikey=***'");
      for (const r of [named, typed]) expect(`${r.stdout}${r.stderr}`).not.toContain(KEY);
    } finally {
      remove();
    }
  });
});
