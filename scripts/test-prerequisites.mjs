#!/usr/bin/env node
// What `npm test` needs besides Node.js, checked before anything is installed or run: a missing tool fails here, naming
// what to install, rather than deep in a test. Nothing is skipped: the tests that use these tools run, or none do.
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";

const chromium = "/usr/bin/chromium"; // the path the playground's browser test launches
const missing = ["ffmpeg", "ffprobe"].filter((tool) => spawnSync(tool, ["-version"], { stdio: "ignore" }).status !== 0);
const ffmpeg = missing.length > 0;
try {
  accessSync(chromium, constants.X_OK);
} catch {
  missing.push(chromium);
}
if (missing.length) {
  const packages = [ffmpeg && "ffmpeg", missing.includes(chromium) && "chromium"].filter(Boolean).join(" ");
  console.error(
    [
      `npm test needs tools this machine lacks (missing: ${missing.join(", ")}):`,
      ffmpeg &&
        "- ffmpeg and ffprobe on PATH: the emulator's and the quickstart's tests check the media they make with them",
      missing.includes(chromium) && `- Chromium at ${chromium}: the playground's browser test runs the page in it`,
      `Install them, e.g. on Debian (as .ci/run does): sudo apt-get install -y ${packages}`,
    ]
      .filter(Boolean)
      .join("\n"),
  );
  process.exit(1);
}
