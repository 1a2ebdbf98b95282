import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { nodeTooOld } from "../src/node-version.js";
import { BIN } from "./helpers.js";

/** A Node.js older than `engines` (20.0.0: no `crc32` in `node:zlib`, no `AbortSignal.any`), where one is at hand. */
const OLD_NODE = "/tmp/red1/old/20.0.0/package/bin/node";
const { engines } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

describe("the Node.js version check", () => {
  it("refuses a version older than engines.node, naming both", () => {
    expect(nodeTooOld("decart", ">=20.19", "20.0.0")).toBe("decart needs Node.js >= 20.19 (this is v20.0.0)");
    expect(nodeTooOld("decart", ">=20.19", "20.18.3")).toBe("decart needs Node.js >= 20.19 (this is v20.18.3)");
    expect(nodeTooOld("decart", ">=20.19", "18.20.4")).toBe("decart needs Node.js >= 20.19 (this is v18.20.4)");
    expect(nodeTooOld("decart", ">= 20.19.2", "v20.19.1")).toBe("decart needs Node.js >= 20.19.2 (this is v20.19.1)");
  });

  it("lets engines.node's own version and later ones through", () => {
    for (const version of ["20.19.0", "20.19.0-pre", "20.20.1", "22.0.0", "24.22.3", "100.0.0"]) {
      expect(nodeTooOld("decart", ">=20.19", version)).toBeUndefined();
    }
    expect(nodeTooOld("decart", ">=20", "20.0.0")).toBeUndefined();
  });

  it("does not check a range of another form", () => {
    expect(nodeTooOld("decart", "^20.19 || >=22", "18.0.0")).toBeUndefined();
    expect(nodeTooOld("decart", undefined, "18.0.0")).toBeUndefined();
  });

  it("lets the Node.js running the tests through (engines.node is of the form checked)", () => {
    expect(engines.node).toMatch(/^>=\d/);
    expect(nodeTooOld("decart", engines.node, process.versions.node)).toBeUndefined();
  });

  it.skipIf(!existsSync(OLD_NODE))(
    `the bin on Node.js 20.0.0 says what it needs, exit 2, before a module fails to load (skipped without ${OLD_NODE})`,
    async () => {
      for (const args of [
        ["image", "a cat", "-o", "/dev/null"],
        ["batch", "lines.jsonl"],
        ["emulator"],
        ["--version"],
      ]) {
        const run = await promisify(execFile)(OLD_NODE, [BIN, ...args], {
          env: { ...process.env, DECART_API_KEY: "x" },
        })
          .then(() => ({ code: 0, stdout: "", stderr: "" }))
          .catch((error: { code: number; stdout: string; stderr: string }) => error);
        expect(run).toMatchObject({ code: 2, stdout: "", stderr: `decart needs Node.js >= 20.19 (this is v20.0.0)\n` });
      }
    },
  );

  it.skipIf(!existsSync(OLD_NODE))(
    `the root scripts (\`npm run demo\`, through scripts/pnpm.mjs) on Node.js 20.0.0: said, exit 2, nothing installed (skipped without ${OLD_NODE})`,
    async () => {
      const script = new URL("../../../scripts/pnpm.mjs", import.meta.url).pathname;
      const run = await promisify(execFile)(OLD_NODE, [script, "--version"])
        .then(() => ({ code: 0, stdout: "", stderr: "" }))
        .catch((error: { code: number; stdout: string; stderr: string }) => error);
      expect(run).toMatchObject({
        code: 2,
        stdout: "",
        stderr: "This repository needs Node.js >= 20.19 (this is v20.0.0)\n",
      });
    },
  );
});
