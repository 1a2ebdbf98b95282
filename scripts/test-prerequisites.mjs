#!/usr/bin/env node
// What `npm test` needs besides Node.js, checked before anything is installed or run: a missing tool fails here, naming
// what to install, rather than deep in a test. Nothing is skipped: the tests that use these tools run, or none do.
import { spawnSync } from "node:child_process";
import { findChromium } from "./chromium.mjs";

// The Chromium the playground's browser test launches, found by the same rule (see chromium.mjs).
const chromium = findChromium();
const missing = ["ffmpeg", "ffprobe"].filter((tool) => spawnSync(tool, ["-version"], { stdio: "ignore" }).status !== 0);
const ffmpeg = missing.length > 0;
if (chromium.problem) missing.push(chromium.from === "default" ? "Chromium" : "CHROMIUM_PATH's Chromium");
if (missing.length) {
  const packages = [ffmpeg && "ffmpeg", chromium.problem && chromium.from === "default" && "chromium"]
    .filter(Boolean)
    .join(" ");
  console.error(
    [
      `npm test needs tools this machine lacks (missing: ${missing.join(", ")}):`,
      ffmpeg &&
        "- ffmpeg and ffprobe on PATH: the emulator's and the quickstart's tests check the media they make with them",
      chromium.problem &&
        `- Chromium (${chromium.problem}): the playground's browser test runs the page in it; set CHROMIUM_PATH to ` +
          "its path, or put chromium, chromium-browser or google-chrome on PATH",
      packages && `Install them, e.g. on Debian (as .ci/run does): sudo apt-get install -y ${packages}`,
    ]
      .filter(Boolean)
      .join("\n"),
  );
  process.exit(1);
}
