// Queue-only browser bundle: createDecartClient + models.video + queue.submitAndPoll, bundled by esbuild
// (minified, ESM, browser), then gzip -9. The same one-call program for each SDK.
// Run: pnpm --filter bench bundle-size   (after `pnpm build`)
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const programs: Record<string, string> = {
  "@decart/core (this repo)": `
    import { createDecartClient, models } from "@decart/core";
    const c = createDecartClient({ apiKey: "k" });
    export const run = (p) => c.queue.submitAndPoll({ model: models.video("lucy-clip"), prompt: p, data: new Blob([]) });`,
  "@decartai/sdk 0.1.20 (official)": `
    import { createDecartClient, models } from "@decartai/sdk";
    const c = createDecartClient({ apiKey: "k" });
    export const run = (p) => c.queue.submitAndPoll({ model: models.video("lucy-clip"), prompt: p, data: new Blob([]) });`,
  "replicate 1.4.0 (run)": `
    import Replicate from "replicate";
    const r = new Replicate({ auth: "k" });
    export const run = (p) => r.run("owner/model", { input: { prompt: p } });`,
  "@fal-ai/client 1.10.1 (subscribe)": `
    import { fal } from "@fal-ai/client";
    export const run = (p) => fal.subscribe("fal-ai/x", { input: { prompt: p } });`,
};

export async function bundleSizes() {
  const rows: { name: string; minified: number; gzip: number }[] = [];
  for (const [name, contents] of Object.entries(programs)) {
    const result = await build({
      stdin: { contents, resolveDir: import.meta.dirname, loader: "js" },
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      write: false,
      logLevel: "silent",
    });
    const code = result.outputFiles[0]!.contents;
    rows.push({ name, minified: code.length, gzip: gzipSync(code, { level: 9 }).length });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await bundleSizes();
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log("| bundle | minified | min+gzip |\n| --- | ---: | ---: |");
  for (const r of rows) console.log(`| ${r.name} | ${kb(r.minified)} | ${kb(r.gzip)} |`);
}
