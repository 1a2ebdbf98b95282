// The size budgets of the browser-facing entry points: the one place they are set. Each program is what a browser
// app would write; the release check bundles it from the packed, installed packages with esbuild (--minify, browser,
// ESM), gzips it at level 9, prints the figures and fails above the limit. A program whose packages are not in the
// workspace yet is reported as skipped.
export const budgets = [
  {
    name: "core: queue-only (one client, one model, one submitAndPoll)",
    packages: ["@decart/core"],
    gzipLimit: 10 * 1024,
    program: `
      import { createDecartClient, models } from "@decart/core";
      const c = createDecartClient({ apiKey: "k" });
      export const run = (p) => c.queue.submitAndPoll({ model: models.video("lucy-clip"), prompt: p, data: new Blob([]) });`,
  },
];
