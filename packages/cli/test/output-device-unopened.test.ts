/**
 * A character device given with `-o` (`/dev/ttyS0`, `/dev/zero`) is told by what it is (`stat`, its device number),
 * never opened before the result is there: opening a device changes it (a serial port resets what is on it, a watchdog
 * arms). A terminal is refused all the same, exit 2 before anything is sent; another device is written once the result
 * comes. Whether a device is opened is told by `opens.mjs`, loaded into the CLI, which counts the opens of the one the
 * test watches.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { events, root, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({ timing: "fast" }, (f) => ({ emu, env, dir } = f), { ownDir: true });

/** Counts the opens of a path in the CLI (see `opens.mjs`). */
const OPENS = fileURLToPath(new URL("./opens.mjs", import.meta.url));

/** The environment that makes the CLI note each open of `device` in a file; the lines noted so far. */
function watchOpens(device: string) {
  const log = join(dir, "opens.log");
  const watching = { ...env, NODE_OPTIONS: `--import ${OPENS}`, OPENS_WATCHED: device, OPENS_LOG: log };
  return { watching, opens: () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : []) };
}

/** A character device node `name` in the test's directory with the given numbers (root alone may make one). */
function deviceNode(name: string, major: number, minor: number): string {
  const path = join(dir, name);
  const made = spawnSync("mknod", [path, "c", String(major), String(minor)], { encoding: "utf8" });
  expect(made.status, made.stderr).toBe(0);
  return path;
}

describe.runIf(process.platform === "linux")("-o naming a character device", () => {
  it("that is no terminal (/dev/zero) is not opened before the result is there: a failed job never opens it", async () => {
    const { watching, opens } = watchOpens("/dev/zero");
    const { code, stdout, stderr } = await run(["video", "A lake [fail]", "-o", "/dev/zero"], { env: watching });
    expect(code, stderr).toBe(3);
    expect(events(stdout).map((e) => e.type)).toContain("failed");
    expect(opens()).toEqual([]);
  });

  it("that is no terminal (/dev/zero) is written once the result is there (opened then)", async () => {
    const { watching, opens } = watchOpens("/dev/zero");
    const { code, stdout, stderr } = await run(["video", "A lake", "-o", "/dev/zero"], { env: watching });
    expect(code, stderr).toBe(0);
    expect(events(stdout).find((e) => e.type === "saved")).toMatchObject({ path: "/dev/zero" });
    expect(opens().length).toBeGreaterThan(0);
  });

  it.runIf(root)(
    "that is a serial port or a pseudo-terminal (by its numbers, through a link too) is refused unopened: exit 2",
    async () => {
      for (const [name, major, minor] of [
        ["ttyS0", 4, 64],
        ["console-port", 4, 65],
        ["pts", 136, 4000],
      ] as const) {
        const node = deviceNode(name, major, minor);
        const link = join(dir, `${name}.mp4`);
        symlinkSync(node, link);
        for (const [command, output] of [
          ["video", node],
          ["image", link],
        ]) {
          const { watching, opens } = watchOpens(node);
          const { code, stderr } = await run([command!, "A lake", "-o", output!, "--no-color"], { env: watching });
          expect(code, stderr).toBe(2);
          expect(stderr).toContain(
            `-o ${output}: ${output} is a terminal, which a result's bytes would garble; give a file, or a pipe ` +
              "(nothing was sent)",
          );
          expect(opens()).toEqual([]);
        }
      }
      expect(emu.stats().requests.total).toBe(0);
    },
  );
});
