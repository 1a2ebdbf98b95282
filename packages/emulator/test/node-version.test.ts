import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { nodeTooOld } from "../../../scripts/node-version.mjs";

/** A Node.js older than `engines` (20.0.0: no `crc32` in `node:zlib`), where one is at hand. */
const OLD_NODE = "/tmp/red1/old/20.0.0/package/bin/node";
const BIN = new URL("../bin/decart-emulator.js", import.meta.url).pathname;
const { engines } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

describe("the Node.js version check", () => {
  it("refuses a version older than engines.node, naming both, and lets later ones through", () => {
    expect(nodeTooOld("decart-emulator", ">=20.19", "20.14.0")).toBe(
      "decart-emulator needs Node.js >= 20.19 (this is v20.14.0)",
    );
    expect(nodeTooOld("decart-emulator", ">=20.19", "19.9.0")).toBe(
      "decart-emulator needs Node.js >= 20.19 (this is v19.9.0)",
    );
    for (const version of ["20.19.0", "20.20.0", "21.0.0", "26.12.1"]) {
      expect(nodeTooOld("decart-emulator", ">=20.19", version)).toBeUndefined();
    }
    expect(nodeTooOld("decart-emulator", "^20.19 || >=22", "18.0.0")).toBe(
      "decart-emulator needs Node.js ^20.19 || >= 22 (this is v18.0.0)",
    );
    expect(nodeTooOld("decart-emulator", engines.node, process.versions.node)).toBeUndefined();
  });

  it.skipIf(!existsSync(OLD_NODE))(
    `the bin on Node.js 20.0.0 says what it needs, exit 2, before a module fails to load (skipped without ${OLD_NODE})`,
    async () => {
      const run = await promisify(execFile)(OLD_NODE, [BIN, "--port", "0"])
        .then(() => ({ code: 0, stdout: "", stderr: "" }))
        .catch((error: { code: number; stdout: string; stderr: string }) => error);
      expect(run).toMatchObject({
        code: 2,
        stdout: "",
        stderr: "decart-emulator needs Node.js >= 20.19 (this is v20.0.0)\n",
      });
    },
  );
});
