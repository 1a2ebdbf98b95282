/**
 * A batch whose report cannot be written at its end (a full disk; here `results.jsonl` a link to /dev/full): the file
 * is named, the summary is still printed (it names what was not written) with the command that writes the report again,
 * and the batch exits 1. (It ended with the bare `ENOSPC: no space left on device, write`: no summary, no command.)
 */
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { events, printed, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f), { ownDir: true });

describe("a batch report that cannot be written", () => {
  it.skipIf(!existsSync("/dev/full"))(
    "names the file, prints the summary and the --resume command, exit 1; that command writes it, nothing sent again",
    async () => {
      const file = join(dir, "b.jsonl");
      writeFileSync(file, '{"custom_id":"pic","model":"lucy-pro-t2i","prompt":"A lighthouse"}\n');
      const out = join(dir, "out");
      mkdirSync(out);
      const results = join(out, "results.jsonl");
      symlinkSync("/dev/full", results);
      const first = await run(["batch", file, "--out", out], { env });
      expect(first.code, first.stderr).toBe(1);
      const summary = events(first.stdout).at(-1);
      expect(summary).toMatchObject({ type: "summary", completed: 1, not_written: [results], exit_code: 1 });
      const again = printed(env, "batch", file, "--out", out, "--resume");
      expect(first.stderr).toContain(`Could not write ${results} (ENOSPC: no space left on device)`);
      expect(first.stderr).toContain(`write the report again (no line done is sent again): ${again}`);
      expect(emu.stats().requests.byRoute.process).toBe(1);

      rmSync(results);
      const second = await run(["batch", file, "--out", out, "--resume"], { env });
      expect(second.code, second.stderr).toBe(0);
      expect(JSON.parse(readFileSync(results, "utf8"))).toMatchObject({ custom_id: "pic", status: "completed" });
      expect(emu.stats().requests.byRoute.process).toBe(1);
    },
  );
});
