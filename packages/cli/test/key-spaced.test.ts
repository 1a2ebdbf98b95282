/**
 * A key given with spaces around it (`DECART_API_KEY=" dct_…  "`, `--api-key " dct_… "`) is sent trimmed, and so it is
 * scrubbed: a message written before any command runs (`help <key>`, commander's `unknown command '<key>'`) quotes
 * the key as typed without those spaces, and it is `***` there, with `@decart/core` and without it.
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { childEnv, events, finished, KEY, run, tempDir } from "./helpers.js";
import { withoutCore } from "./without-core.js";

const SPACED = `  ${KEY}   `;

/** Command lines that quote the key, with the key given spaced in the environment or on the command line. */
const LINES: Array<[string[], Record<string, string>]> = [
  [["--json", "help", KEY], { DECART_API_KEY: SPACED }],
  [["--api-key", SPACED, "--json", "help", "jobs", KEY], {}],
  [[`--api-key=${SPACED}`, "--json", "help", KEY], {}],
];

describe("a key given with spaces around it", () => {
  it("help <key>: the key as sent is *** on stderr and in the error event", async () => {
    for (const [args, env] of LINES) {
      const { code, stdout, stderr } = await run(args, { env });
      const said = args.join(" ");
      expect(code, `${said}: ${stderr}`).toBe(2);
      expect(`${stdout}${stderr}`, said).not.toContain(KEY);
      expect(events(stdout)[0]!.message, said).toMatch(/^No help for "([\w-]+ )*\*\*\*"/);
    }
  });

  it("without @decart/core: commander's unknown command '<key>' is *** too", async () => {
    const { dir, remove } = tempDir();
    try {
      const bin = withoutCore(dir);
      const { code, stdout, stderr } = await finished(
        spawn(process.execPath, [bin, "--json", KEY], { env: childEnv({ DECART_API_KEY: SPACED }), stdio: "pipe" }),
      );
      expect(code, stderr).toBe(2);
      expect(`${stdout}${stderr}`).not.toContain(KEY);
      expect(events(stdout)).toEqual([{ type: "error", exit_code: 2, message: "unknown command '***'" }]);
    } finally {
      remove();
    }
  });
});
