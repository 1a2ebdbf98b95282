#!/usr/bin/env node
// Runs the pnpm pinned by package.json's `packageManager`, with the arguments given, on any Node.js >= 20.19: the
// `pnpm` on PATH when it is that version (as `corepack enable` or a global install of it makes it), otherwise that
// version through npm (`npm exec pnpm@<version>`, fetched once into npm's cache), which also puts it on PATH for what
// it runs: turbo runs each package's task with the `pnpm` it finds there. (Plain `corepack pnpm` does not: turbo then
// finds no pnpm, and Node ships no corepack from v25.) The root scripts (`npm run demo`, `npm test`, `npm run
// playground`) call it, so they need only Node.js and npm.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { nodeTooOld } from "./node-version.mjs";

const { packageManager, engines } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
// A Node.js older than `engines` is told so before anything is installed or built (`npm run demo` would otherwise end
// in a module that fails to load on it, with an error that names no version): exit 2. The same check as the bins'.
const tooOld = nodeTooOld("This repository", engines?.node, process.versions.node);
if (tooOld) {
  console.error(tooOld);
  process.exit(2);
}
const pnpm = packageManager.split("+")[0]; // "pnpm@10.34.9"
const shell = process.platform === "win32"; // pnpm and npm are .cmd files there
const env = { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: "0", TURBO_TELEMETRY_DISABLED: "1" };
const onPath = spawnSync("pnpm", ["--version"], { encoding: "utf8", env, shell }).stdout?.trim();
const [command, ...pre] =
  `pnpm@${onPath}` === pnpm ? ["pnpm"] : ["npm", "exec", "--yes", `--package=${pnpm}`, "--", "pnpm"];
const run = spawnSync(command, [...pre, ...process.argv.slice(2)], { stdio: "inherit", env, shell });
if (run.error) console.error(`Could not run ${command}: ${run.error.message}`);
process.exitCode = run.status ?? 1;
