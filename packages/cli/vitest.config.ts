import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-results/results.json" },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // A test file here spends most of its time waiting on the CLI processes it starts (their start-up, the emulator's
    // jobs), not running itself: one file more than the cores keeps them busy. (Vitest's default, a core less than
    // there are, ran one file at a time on a machine of 2.) Forks, the default pool: each file in a process of its own,
    // as its signals and its children need.
    maxWorkers: availableParallelism() + 1,
  },
});
