import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The queue-only browser program of bench/bundle-size.ts: one client, one model, one submitAndPoll. */
const program = `
  import { createDecartClient, models } from "@decart/core";
  const c = createDecartClient({ apiKey: "k" });
  export const run = (p) => c.queue.submitAndPoll({ model: models.video("lucy-clip"), prompt: p, data: new Blob([]) });`;

/** The size limit of that program, bundled and minified for browsers, after gzip -9. */
const LIMIT = 10 * 1024;

describe("the browser bundle", () => {
  it(`of the queue-only program stays within ${LIMIT} bytes after gzip -9 (built entry, esbuild --minify)`, async () => {
    const result = await build({
      // Resolved from this package, so "@decart/core" is the built entry (dist/), as a user's bundler sees it.
      stdin: { contents: program, resolveDir: root, loader: "js" },
      absWorkingDir: root,
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      write: false,
      logLevel: "silent",
      metafile: true,
    });
    const code = result.outputFiles[0]!.contents;
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain("dist/client.js");
    expect(inputs.filter((p) => p === "dist/node.js" || p.startsWith("node:"))).toEqual([]);
    const gzip = gzipSync(code, { level: 9 }).length;
    expect(gzip, `${code.length} bytes minified, ${gzip} gzipped`).toBeLessThanOrEqual(LIMIT);
  });
});
