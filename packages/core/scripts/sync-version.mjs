// Writes package.json's version into src/version.ts (sent in the user agent). Run by `pnpm version-packages`.
import { readFileSync, writeFileSync } from "node:fs";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const file = new URL("../src/version.ts", import.meta.url);
writeFileSync(
  file,
  `/** This package's version, sent in the user agent. A test keeps it equal to package.json's. */\nexport const VERSION = ${JSON.stringify(version)};\n`,
);
console.log(`@decart/core VERSION = ${version}`);
