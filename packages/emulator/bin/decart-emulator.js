#!/usr/bin/env node
// Only what loads on any Node.js comes before the version check: a Node.js older than package.json's `engines` is
// told so (exit 2), not left to fail loading a module with an error that names no version (dist/node-version.js: the
// repository's scripts/node-version.mjs, which the build copies there).
const { readFileSync } = await import("node:fs");
const { engines } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const { nodeTooOld } = await import("../dist/node-version.js");
const tooOld = nodeTooOld("decart-emulator", engines?.node, process.versions.node);
if (tooOld) {
  process.stderr.write(`${tooOld}\n`);
  process.exitCode = 2;
} else {
  await import("../dist/cli.js");
}
