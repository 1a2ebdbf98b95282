#!/usr/bin/env node
// Runs the pnpm pinned by package.json's `packageManager`, with the arguments given, on any Node.js >= 20.19: through
// corepack where it is on PATH (Node ships it up to v24), otherwise through npm (`npm exec pnpm@<version>`, fetched
// once into npm's cache). The root scripts (`npm run demo`, `npm test`, `npm run playground`) call it, so they need
// only Node.js and npm.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const { packageManager } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const pnpm = packageManager.split("+")[0]; // "pnpm@10.34.9" (corepack checks the hash after "+" itself)
const shell = process.platform === "win32"; // corepack and npm are .cmd files there
const env = { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: "0", TURBO_TELEMETRY_DISABLED: "1" };
const corepack = spawnSync("corepack", ["--version"], { stdio: "ignore", shell }).status === 0;
const [command, ...pre] = corepack ? ["corepack", "pnpm"] : ["npm", "exec", "--yes", `--package=${pnpm}`, "--", "pnpm"];
const run = spawnSync(command, [...pre, ...process.argv.slice(2)], { stdio: "inherit", env, shell });
if (run.error) console.error(`Could not run ${command}: ${run.error.message}`);
process.exitCode = run.status ?? 1;
