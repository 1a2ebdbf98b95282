// The size budgets of the browser-facing entry points: the one place they are set. Each program is what a browser
// app would write; the release check bundles it from the packed, installed packages with esbuild (--minify, browser,
// ESM), gzips it at level 9, prints the figures and fails above the limit (and says so when above its goal). A program whose packages are not in the
// workspace yet is reported as skipped. `external` leaves out what the app brings anyway (React).
export const budgets = [
  {
    name: "core: queue-only (one client, one model, one submitAndPoll)",
    packages: ["@decart/core"],
    // The core's goal is 10 KB (aim 8 KB). The limit is the figure measured at the last change, so that any growth
    // fails the release check until it is paid for by compaction or the limit is raised in a commit that says what
    // for. What each change cost, and where the bytes go: bench/README.md ("Bundle size"); this limit's history:
    // `git log -p .ci/release/budgets.mjs`.
    // Raised by 375 (22 933): unknown inputs named like an option told which it means, a fetch's failure checked for
    // the key by what printing shows, a watch's submit ending at once past its budget's Retry-After and the gate
    // keeping the server's ask, an image model told to use client.process, words of an unsent retrySubmit retry
    gzipLimit: 22 * 1024 + 405,
    gzipGoal: 10 * 1024,
    program: `
      import { createDecartClient, models } from "@decart/core";
      const c = createDecartClient({ apiKey: "k" });
      export const run = (p) => c.queue.submitAndPoll({ model: models.video("lucy-clip"), prompt: p, data: new Blob([]) });`,
  },
  {
    name: "core + queue-rx: one submitJob (rxjs included)",
    packages: ["@decart/core", "@decart/queue-rx"],
    // No goal of its own: the core's plus queue-rx and the part of RxJS it uses. The limit is the figure measured
    // at the last change (bench/README.md, "Bundle size"; history: `git log -p .ci/release/budgets.mjs`).
    // Raised by 477 (28 146) with core's, queue-rx's calls checking their client argument
    gzipLimit: 27 * 1024 + 498,
    program: `
      import { createDecartClient, models } from "@decart/core";
      import { submitJob } from "@decart/queue-rx";
      const c = createDecartClient({ apiKey: "k" });
      export const run = (p) => submitJob(c, { model: models.video("lucy-clip"), prompt: p, data: new Blob([]) });`,
  },
  {
    name: "react: a page that submits a video job and shows its status and video (core + queue-rx + hooks + rxjs; React excluded)",
    packages: ["@decart/core", "@decart/queue-rx", "@decart/react"],
    external: ["react", "react-dom"],
    // The goal is 20 KB. The limit is the figure measured at the last change (bench/README.md, "Bundle size";
    // history: `git log -p .ci/release/budgets.mjs`).
    // Raised by 620 (30 737) with core's and queue-rx's, DecartProvider checking its props, a submit overtaken told to
    // onOrphan, useResultUrl refusing what is no Blob
    gzipLimit: 30 * 1024 + 17,
    gzipGoal: 20 * 1024,
    program: `
      import { createElement as h } from "react";
      import { models } from "@decart/core";
      import { DecartProvider, useGenerateVideo, useResultUrl } from "@decart/react";
      function Page() {
        const video = useGenerateVideo();
        const src = useResultUrl(video.result);
        const go = () => video.submit({ model: models.video("lucy-pro-t2v"), prompt: "A lake" });
        return h("div", null, h("button", { onClick: go }, "Go"), h("p", null, video.status), src && h("video", { src }));
      }
      export const App = () => h(DecartProvider, { token: "/api/decart-token" }, h(Page));`,
  },
];
