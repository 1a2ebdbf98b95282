/**
 * The Node.js version check: one module (scripts/node-version.mjs at the repository's root) that the `decart` and
 * `decart-emulator` bins load (the copy each build makes in its dist) and scripts/pnpm.mjs (the root scripts) loads.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { promisify } from "node:util";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { nodeTooOld } from "../../../scripts/node-version.mjs";
import { BIN, childEnv } from "./helpers.js";

const SHARED = new URL("../../../scripts/node-version.mjs", import.meta.url);
const PNPM_SCRIPT = new URL("../../../scripts/pnpm.mjs", import.meta.url).pathname;
const EMULATOR_BIN = new URL("../../emulator/bin/decart-emulator.js", import.meta.url).pathname;
/** A Node.js older than `engines` (20.0.0: no `crc32` in `node:zlib`, no `AbortSignal.any`), where one is at hand. */
const OLD_NODE = "/tmp/red1/old/20.0.0/package/bin/node";
const { engines } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

/** [engines.node, the Node.js version, whether it is refused] */
const TABLE: Array<[string | undefined, string, boolean]> = [
  [">=20.19", "20.0.0", true],
  [">=20.19", "20.18.3", true],
  [">=20.19", "18.20.4", true],
  [">=20.19", "20.19.0", false],
  [">=20.19", "20.19.0-pre", false],
  [">=20.19", "22.0.0", false],
  [">=20.19", "100.0.0", false],
  [">=20", "20.0.0", false],
  // The patch counts.
  [">=20.19.0", "20.18.9", true],
  [">=20.19.0", "20.19.0", false],
  [">=20.19.2", "20.19.1", true],
  [">= 20.19.2", "v20.19.1", true],
  [">=20.19.2", "20.19.2", false],
  // A range of another form is checked too.
  ["^20.19.0 || >=22.12", "18.0.0", true],
  ["^20.19.0 || >=22.12", "20.18.9", true],
  ["^20.19.0 || >=22.12", "20.19.0", false],
  ["^20.19.0 || >=22.12", "20.25.1", false],
  ["^20.19.0 || >=22.12", "21.7.3", true],
  ["^20.19.0 || >=22.12", "22.11.0", true],
  ["^20.19.0 || >=22.12", "22.12.0", false],
  ["^20.19.0 || >=22.12", "24.22.3", false],
  [">=20.19 <23", "23.0.0", true],
  ["~22.12", "22.13.0", true],
  ["22.x", "22.13.0", false],
  ["20.19 - 22", "22.99.0", false],
  ["20.19 - 22", "23.0.0", true],
  // Missing, empty, or of a form not known: not checked.
  [undefined, "18.0.0", false],
  ["", "18.0.0", false],
  ["node 20", "18.0.0", false],
];

/**
 * Runs `script` on this Node.js told it is `version` (process.versions.node set by a preload), as if run on an older
 * one, or on `OLD_NODE` itself: what a bin or script says and its exit code.
 */
async function runAs(version: string, script: string, args: string[]) {
  const preload = `data:text/javascript,Object.defineProperty(process.versions,"node",{value:${JSON.stringify(version)}})`;
  const [node, ...pre] = version === "20.0.0" ? [OLD_NODE] : [process.execPath, "--import", preload];
  return promisify(execFile)(node!, [...pre, script, ...args], { env: childEnv({ DECART_API_KEY: "x" }) })
    .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }))
    .catch((error: { code: number; stdout: string; stderr: string }) => error);
}

/** The command lines the bin is run with on a Node.js too old. */
const COMMAND_LINES = [["image", "a cat", "-o", "/dev/null"], ["batch", "lines.jsonl"], ["emulator"], ["--version"]];

describe("the Node.js version check", () => {
  it.each(TABLE)("engines %j, Node.js %s: refused %s", (range, version, refused) => {
    const said = nodeTooOld("decart", range, version);
    if (refused) {
      expect(said).toBe(
        `decart needs Node.js ${range!.replace(/>=\s*/g, ">= ")} (this is v${version.replace(/^v/, "")})`,
      );
    } else {
      expect(said).toBeUndefined();
    }
  });

  it("lets the Node.js running the tests through", () => {
    expect(nodeTooOld("decart", engines.node, process.versions.node)).toBeUndefined();
  });

  it("is written in what any Node.js from 14.8 parses (ES2020; top-level await, which the bins use, came in 14.8), so an old one is told what it needs, not shown a SyntaxError", () => {
    // ES2020 output the same as ESNext's: nothing of a later syntax (`||=`, `??=`, class fields…) to lower.
    const as = (target: ts.ScriptTarget) =>
      ts.transpileModule(readFileSync(SHARED, "utf8"), { compilerOptions: { target, module: ts.ModuleKind.ESNext } })
        .outputText;
    expect(as(ts.ScriptTarget.ES2020)).toBe(as(ts.ScriptTarget.ESNext));
  });

  it("is the module both bins load: each build's dist/node-version.js is the same file", () => {
    const shared = readFileSync(SHARED, "utf8");
    expect(readFileSync(new URL("../dist/node-version.js", import.meta.url), "utf8")).toBe(shared);
    expect(readFileSync(new URL("../../emulator/dist/node-version.js", import.meta.url), "utf8")).toBe(shared);
  });

  it("the bins and the root scripts on a Node.js too old say what they need, exit 2, before anything runs", async () => {
    for (const args of COMMAND_LINES) {
      expect(await runAs("20.18.3", BIN, args)).toMatchObject({
        code: 2,
        stdout: "",
        stderr: "decart needs Node.js >= 20.19 (this is v20.18.3)\n",
      });
    }
    expect(await runAs("20.19.0-pre", BIN, ["--version"])).toMatchObject({ code: 0, stderr: "" });
    expect(await runAs("20.18.3", EMULATOR_BIN, ["--port", "0"])).toMatchObject({
      code: 2,
      stdout: "",
      stderr: "decart-emulator needs Node.js >= 20.19 (this is v20.18.3)\n",
    });
    // scripts/pnpm.mjs would run pnpm (`npm run demo`: install, build) when not refused.
    expect(await runAs("20.18.3", PNPM_SCRIPT, ["--version"])).toMatchObject({
      code: 2,
      stdout: "",
      stderr: "This repository needs Node.js >= 20.19 (this is v20.18.3)\n",
    });
  });

  it.skipIf(!existsSync(OLD_NODE))(
    `on Node.js 20.0.0 itself, the bin and the root scripts (\`npm run demo\`, through scripts/pnpm.mjs) say what they need, exit 2, before a module fails to load or anything is installed (skipped without ${OLD_NODE})`,
    async () => {
      for (const args of COMMAND_LINES) {
        expect(await runAs("20.0.0", BIN, args)).toMatchObject({
          code: 2,
          stdout: "",
          stderr: "decart needs Node.js >= 20.19 (this is v20.0.0)\n",
        });
      }
      expect(await runAs("20.0.0", PNPM_SCRIPT, ["--version"])).toMatchObject({
        code: 2,
        stdout: "",
        stderr: "This repository needs Node.js >= 20.19 (this is v20.0.0)\n",
      });
    },
  );
});
