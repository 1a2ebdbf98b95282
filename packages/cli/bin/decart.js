#!/usr/bin/env node
// Only what loads on any Node.js comes before the version check: a Node.js older than package.json's `engines` is
// told so (exit 2), not left to fail loading a module with an error that names no version (dist/node-version.js: the
// repository's scripts/node-version.mjs, which the build copies there).
const { readFileSync } = await import("node:fs");
const { version, engines } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const { nodeTooOld } = await import("../dist/node-version.js");
const tooOld = nodeTooOld("decart", engines?.node, process.versions.node);
// `decart --version` alone is answered from package.json, without loading the command-line parser or the client.
const args = process.argv.slice(2);
if (tooOld) {
  process.stderr.write(`${tooOld}\n`);
  process.exitCode = 2;
} else if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  process.stdout.write(`${version}\n`);
} else {
  // Ctrl-C, SIGTERM and SIGHUP are the CLI's from here, before the command and the client are loaded (some tenths of
  // a second): a signal meanwhile ends the run with its exit code and event, not by the signal.
  const { catchSignals } = await import("../dist/signals.js");
  catchSignals();
  const { main } = await import("../dist/main.js");
  process.exitCode = await main(process.argv);
}
