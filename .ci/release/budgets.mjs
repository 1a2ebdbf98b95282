// The size budgets of the browser-facing entry points: the one place they are set. Each program is what a browser
// app would write; the release check bundles it from the packed, installed packages with esbuild (--minify, browser,
// ESM), gzips it at level 9, prints the figures and fails above the limit. A program whose packages are not in the
// workspace yet is reported as skipped. Still to add when its package lands: the React page (a component that
// submits a job and shows its status with @decart/react's hooks; `external: ["react", "react-dom"]` leaves out what
// the app brings anyway).
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
  {
    name: "core + queue-rx: one job's status through a batch pacer (rxjs included)",
    packages: ["@decart/core", "@decart/queue-rx"],
    gzipLimit: 16 * 1024,
    program: `
      import { createDecartClient } from "@decart/core";
      import { createPacer, throughPacer } from "@decart/queue-rx";
      import { defer } from "rxjs";
      const c = createDecartClient({ apiKey: "k" });
      const pacer = createPacer();
      export const status$ = (id) => defer(() => c.queue.status(id)).pipe(throughPacer(pacer));`,
  },
  {
    name: "core + queue-rx: submitJob, one job's events as an observable (rxjs included)",
    packages: ["@decart/core", "@decart/queue-rx"],
    gzipLimit: 20 * 1024,
    program: `
      import { createDecartClient, models } from "@decart/core";
      import { submitJob } from "@decart/queue-rx";
      const c = createDecartClient({ apiKey: "k" });
      export const run = (p) => submitJob(c, { model: models.video("lucy-clip"), prompt: p, data: new Blob([]) });`,
  },
];
