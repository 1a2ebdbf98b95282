import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-results/results.json" },
    testTimeout: 30_000,
    // Hooks spawn ffmpeg and start servers: on a loaded machine a spawn alone can take seconds.
    hookTimeout: 30_000,
  },
});
