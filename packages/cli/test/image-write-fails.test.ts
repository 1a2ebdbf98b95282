/**
 * `decart image` whose write fails once the image was made (a full disk; here /dev/full, which takes no byte): the
 * error names the path and says the image was made and billed, as a batch's image line does, its code the system's
 * (it was the bare system error: `ENOSPC: no space left on device, write`).
 */
import { existsSync } from "node:fs";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { events, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
useEmulator({}, (f) => ({ emu, env } = f));

describe("image whose write fails", () => {
  it.skipIf(!existsSync("/dev/full"))(
    "-o /dev/full: exit 1, ENOSPC, the path named and the image said billed",
    async () => {
      const { code, stdout, stderr } = await run(["image", "A lighthouse", "-o", "/dev/full"], { env });
      expect(code, stderr).toBe(1);
      const last = events(stdout).at(-1);
      expect(last).toMatchObject({ type: "error", exit_code: 1, code: "ENOSPC" });
      expect(last?.message).toContain("Could not write the image to /dev/full (ENOSPC: no space left on device)");
      expect(last?.message).toContain("an image was made (and billed), but it was not kept");
      expect(stderr).toContain("decart: Could not write the image to /dev/full");
      expect(emu.stats().requests.byRoute.process).toBe(1);
    },
  );
});
