#!/usr/bin/env node
// `decart --version` alone is answered from package.json, without loading the command-line parser or the client.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  const { readFileSync } = await import("node:fs");
  const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${version}\n`);
} else {
  const { main } = await import("../dist/main.js");
  process.exitCode = await main(process.argv);
}
