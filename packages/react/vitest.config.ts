import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    environment: "happy-dom",
    setupFiles: ["test/refresh.ts", "test/setup.ts"],
    sequence: { hooks: "list" },
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-results/results.json" },
    testTimeout: 30_000,
  },
});
