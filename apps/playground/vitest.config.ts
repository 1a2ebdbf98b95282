import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-results/results.json" },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
