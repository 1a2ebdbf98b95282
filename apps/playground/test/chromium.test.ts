/**
 * Which Chromium the browser test drives and `npm test` checks for (scripts/chromium.mjs): `CHROMIUM_PATH`, else the
 * first of chromium, chromium-browser, google-chrome, google-chrome-stable on PATH, else /usr/bin/chromium; and the
 * check of `npm test`'s prerequisites by that rule. With stand-in executables in a temporary directory.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM_DEFAULT, findChromium } from "../../../scripts/chromium.mjs";

const PREREQUISITES = fileURLToPath(new URL("../../../scripts/test-prerequisites.mjs", import.meta.url));

let dir: string;
/** A directory holding a stand-in `chromium-browser` and `google-chrome`; one holding nothing. */
let bin: string;
let empty: string;
/** A file that may be run, and one that may not. */
let runnable: string;
let plain: string;

/** A stand-in browser: a shell script that may be run. */
const executable = (path: string) => {
  writeFileSync(path, "#!/bin/sh\nexit 0\n");
  chmodSync(path, 0o755);
  return path;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "chromium-"));
  bin = join(dir, "bin");
  empty = join(dir, "empty");
  mkdirSync(bin);
  mkdirSync(empty);
  executable(join(bin, "chromium-browser"));
  executable(join(bin, "google-chrome"));
  runnable = executable(join(dir, "my-chrome"));
  plain = join(dir, "not-runnable");
  writeFileSync(plain, "");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("findChromium", () => {
  it("takes CHROMIUM_PATH first: an absolute path, or a command name on PATH", () => {
    expect(findChromium({ CHROMIUM_PATH: runnable, PATH: bin })).toEqual({ path: runnable, from: "CHROMIUM_PATH" });
    expect(findChromium({ CHROMIUM_PATH: "google-chrome", PATH: `${empty}${delimiter}${bin}` })).toEqual({
      path: join(bin, "google-chrome"),
      from: "CHROMIUM_PATH",
    });
  });

  it("names a CHROMIUM_PATH that cannot be run, rather than taking another", () => {
    for (const [given, problem] of [
      [join(dir, "missing"), "no file there that may be run"],
      [plain, "no file there that may be run"],
      ["bin/chromium", "give an absolute path"],
      ["no-such-browser", "no such command on PATH"],
    ]) {
      const found = findChromium({ CHROMIUM_PATH: given, PATH: bin });
      expect(found, given).toMatchObject({ path: given, from: "CHROMIUM_PATH" });
      expect(found.problem, given).toContain(`CHROMIUM_PATH=${given}: ${problem}`);
    }
  });

  it("else the first of chromium, chromium-browser, google-chrome on PATH (relative directories are not looked in)", () => {
    expect(findChromium({ PATH: `${empty}${delimiter}bin${delimiter}${bin}` })).toEqual({
      path: join(bin, "chromium-browser"),
      from: "PATH",
    });
    // A blank CHROMIUM_PATH is none.
    expect(findChromium({ CHROMIUM_PATH: " ", PATH: bin })).toMatchObject({ from: "PATH" });
  });

  it("else /usr/bin/chromium", () => {
    expect(findChromium({ PATH: empty })).toMatchObject({ path: CHROMIUM_DEFAULT, from: "default" });
    expect(CHROMIUM_DEFAULT).toBe("/usr/bin/chromium");
  });
});

describe("npm test's check of its prerequisites", () => {
  const check = (env: Record<string, string>) =>
    spawnSync(process.execPath, [PREREQUISITES], { env: { ...process.env, ...env }, encoding: "utf8" });

  it("takes the Chromium at CHROMIUM_PATH, and fails on one that is not there, naming it", () => {
    expect(check({ CHROMIUM_PATH: runnable }).status).toBe(0);
    const missing = check({ CHROMIUM_PATH: join(dir, "missing") });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`CHROMIUM_PATH=${join(dir, "missing")}: no file there that may be run`);
  });
});
