/**
 * The key is scrubbed from the errors of a command line that stops before any command runs (`help <name>` quotes the
 * name it does not know, which may be the key pasted in the wrong place), as from every other output.
 */
import { describe, expect, it } from "vitest";
import { events, KEY, run } from "./helpers.js";

describe("the key in an error written before a command runs", () => {
  it("help <key>, help <command> <key>: the key is *** on stderr and in the error event, from the environment or --api-key", async () => {
    const lines: Array<[string[], Record<string, string>]> = [
      [["--json", "help", KEY], { DECART_API_KEY: KEY }],
      [["--no-json", "help", KEY], { DECART_API_KEY: KEY }],
      [["help", "jobs", "wait", KEY], { DECART_API_KEY: KEY }],
      [["help", "exit-codes", KEY], { DECART_API_KEY: KEY }],
      [["--api-key", KEY, "--json", "help", "jobs", KEY], {}],
      [[`--api-key=${KEY}`, "--json", "help", KEY], {}],
    ];
    for (const [args, env] of lines) {
      const { code, stdout, stderr } = await run(args, { env });
      const said = args.join(" ");
      expect(code, `${said}: ${stderr}`).toBe(2);
      expect(`${stdout}${stderr}`, said).not.toContain(KEY);
      expect(stderr, said).toMatch(/No help for "([\w-]+ )*\*\*\*"/);
      if (args.includes("--json")) {
        expect(events(stdout), said).toEqual([expect.objectContaining({ type: "error", exit_code: 2 })]);
        expect(events(stdout)[0]!.message, said).toMatch(/^No help for "([\w-]+ )*\*\*\*"/);
      }
    }
  });
});
