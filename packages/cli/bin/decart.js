#!/usr/bin/env node
// `decart --version` alone is answered from package.json, without loading the command-line parser or the client.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  const { readFileSync } = await import("node:fs");
  const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${version}\n`);
} else {
  // Ctrl-C, SIGTERM and SIGHUP are the CLI's from here, before the command and the client are loaded (some tenths of
  // a second): a signal meanwhile ends the run with its exit code and event, not by the signal.
  const { catchSignals } = await import("../dist/signals.js");
  catchSignals();
  const { main } = await import("../dist/main.js");
  process.exitCode = await main(process.argv);
}
