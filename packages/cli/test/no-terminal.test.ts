/**
 * `-o /dev/tty` in a process with no controlling terminal (cron, CI, systemd, `docker run` without `-t`): the device's
 * mode says it is writable, but it cannot be opened (ENXIO). It is refused before anything is sent, naming it, rather
 * than failing once the image or the job was paid for.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { BIN, childEnv, finished, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
useEmulator({}, (f) => ({ emu, env } = f));

/** Runs the CLI in a session of its own (`setsid`, as `detached` makes it): it has no controlling terminal. */
const runWithoutTerminal = (args: string[]) =>
  finished(spawn(process.execPath, [BIN, ...args], { env: childEnv(env), detached: true, stdio: "pipe" }));

describe("-o /dev/tty with no controlling terminal", () => {
  it.skipIf(!existsSync("/dev/tty"))(
    "is refused before anything is sent: exit 2, naming it and why (no image made, no job)",
    async () => {
      for (const command of ["image", "video"]) {
        const { code, stderr, stdout } = await runWithoutTerminal([command, "A lake", "-o", "/dev/tty", "--no-color"]);
        expect(code, stderr).toBe(2);
        expect(stderr).toContain(
          "-o /dev/tty: cannot write to /dev/tty (ENXIO: no such device or address: no device answers there, as " +
            "/dev/tty where the process has no controlling terminal",
        );
        expect(stderr).toContain("(nothing was sent)");
        expect(JSON.parse(stdout.trim())).toMatchObject({ type: "error", exit_code: 2 });
      }
      expect(emu.stats().requests.total).toBe(0);
      expect(emu.stats().jobsCreated).toBe(0);
    },
  );
});
