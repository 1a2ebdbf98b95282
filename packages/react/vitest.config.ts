import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    environment: "happy-dom",
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-results/results.json" },
    testTimeout: 30_000,
  },
});
