/**
 * The version checks as the bins and scripts/pnpm.mjs run them, on the Node.js running the tests made to give another
 * `process.versions.node` (a module preloaded with --import): an older one than engines.node is refused (exit 2, both
 * versions named) and the versions at or after it, prereleases and nightlies too, pass. Needs no old Node.js at hand.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { BIN } from "./helpers.js";

const EMULATOR_BIN = fileURLToPath(new URL("../../emulator/bin/decart-emulator.js", import.meta.url));
const PNPM_SCRIPT = fileURLToPath(new URL("../../../scripts/pnpm.mjs", import.meta.url));

/** `script` with `args` on this Node.js, which says it is `version`: its exit code, stdout and stderr. */
const runAs = (version: string, script: string, args: string[]) =>
  promisify(execFile)(process.execPath, [
    "--import",
    `data:text/javascript,Object.defineProperty(process.versions,"node",{value:${JSON.stringify(version)}})`,
    script,
    ...args,
  ])
    .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }))
    .catch((error: { code: number; stdout: string; stderr: string }) => error);

describe("the Node.js version check of the bins and the root scripts", () => {
  for (const version of ["20.18.3", "20.0.0", "18.20.4"]) {
    it(`${version}: refused, exit 2, before anything runs`, async () => {
      for (const [script, args, words] of [
        [BIN, ["--version"], `decart needs Node.js >= 20.19 (this is v${version})`],
        [EMULATOR_BIN, ["--help"], `decart-emulator needs Node.js >= 20.19 (this is v${version})`],
        [PNPM_SCRIPT, ["--version"], `This repository needs Node.js >= 20.19 (this is v${version})`],
      ] as const) {
        expect(await runAs(version, script, [...args])).toMatchObject({ code: 2, stdout: "", stderr: `${words}\n` });
      }
    });
  }

  for (const version of [
    "20.19.0",
    "20.19.0-pre",
    "22.12.0",
    "24.11.1",
    "26.0.0",
    "27.0.0-nightly20261207a1b2c3d4e5",
  ]) {
    it(`${version}: let through`, async () => {
      expect(await runAs(version, BIN, ["--version"])).toMatchObject({ code: 0, stderr: "" });
      expect(await runAs(version, EMULATOR_BIN, ["--help"])).toMatchObject({ code: 0 });
      expect(await runAs(version, PNPM_SCRIPT, ["--version"])).toMatchObject({ code: 0 });
    });
  }
});
