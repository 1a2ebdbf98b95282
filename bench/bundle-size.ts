// Queue-only browser bundle: createDecartClient + models.video + queue.submitAndPoll, bundled by esbuild
// (minified, ESM, browser), then gzip -9. The same one-call program for each SDK.
// Run: pnpm --filter bench run bundle-size   (after `pnpm build`)
//      pnpm --filter bench run bundle-size --analyze   (also: where this repo's bytes go)
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { build, type Plugin } from "esbuild";

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

async function bundle(contents: string, plugins: Plugin[] = []) {
  const result = await build({
    stdin: { contents, resolveDir: import.meta.dirname, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
    metafile: true,
    plugins,
  });
  const code = result.outputFiles[0]!.contents;
  const inputs = Object.values(result.metafile.outputs)[0]!.inputs;
  return { minified: code.length, gzip: gzipSync(code, { level: 9 }).length, inputs };
}

export async function bundleSizes() {
  const rows: { name: string; minified: number; gzip: number }[] = [];
  for (const [name, contents] of Object.entries(programs)) {
    const { minified, gzip } = await bundle(contents);
    rows.push({ name, minified, gzip });
  }
  return rows;
}

/** Replaces the source of the modules matching `filter` (a leave-one-out measure of what they cost). */
const replace = (filter: RegExp, edit: (source: string) => string): Plugin => ({
  name: "replace",
  setup(b) {
    b.onLoad({ filter }, (args) => ({ contents: edit(readFileSync(args.path, "utf8")), loader: "js" }));
  },
});

const CATALOGUE = /[\\/]api[\\/]dist[\\/]generated[\\/]catalogue\.js$/;
const OPENAPI_FETCH = /[\\/]openapi-fetch[\\/]dist[\\/]index\.mjs$/;

/** The generated catalogue with some keys removed from every model and field. */
function withoutKeys(keys: string[]) {
  return (source: string) => {
    const start = source.indexOf("export const catalogue = ");
    const end = source.indexOf("/** Models the server has retired");
    const catalogue = JSON.parse(
      source
        .slice(start + "export const catalogue = ".length, end)
        .trim()
        .replace(/;$/, ""),
    );
    const walk = (o: unknown): void => {
      if (Array.isArray(o)) o.forEach(walk);
      else if (o && typeof o === "object") {
        for (const k of keys) delete (o as Record<string, unknown>)[k];
        Object.values(o).forEach(walk);
      }
    };
    walk(catalogue);
    return `${source.slice(0, start)}export const catalogue = ${JSON.stringify(catalogue)};\n${source.slice(end)}`;
  };
}

/** Where this repository's bytes go: minified bytes per module, and what gzip bytes go away without some of them. */
async function analyze() {
  const ours = programs["@decart/core (this repo)"]!;
  const base = await bundle(ours);
  console.log("\nMinified bytes per module (esbuild metafile), @decart/core bundle:\n");
  console.log("| module | minified bytes |\n| --- | ---: |");
  for (const [path, { bytesInOutput }] of Object.entries(base.inputs).sort(
    (a, b) => b[1].bytesInOutput - a[1].bytesInOutput,
  )) {
    if (bytesInOutput > 0)
      console.log(`| ${path.replace(/^.*node_modules\//, "").replace(/^\.\.\//, "")} | ${bytesInOutput} |`);
  }
  const variants: [string, Plugin[]][] = [
    ["catalogue without `description`", [replace(CATALOGUE, withoutKeys(["description"]))]],
    [
      "catalogue without `description`, `summary`, `operationId`",
      [replace(CATALOGUE, withoutKeys(["description", "summary", "operationId"]))],
    ],
    [
      "catalogue empty (`{}`)",
      [
        replace(CATALOGUE, (s) =>
          s.replace(/export const catalogue = [\s\S]*?\n};\n/, "export const catalogue = {};\n"),
        ),
      ],
    ],
    [
      "openapi-fetch replaced by a 3-method stub",
      [
        replace(
          OPENAPI_FETCH,
          () =>
            "export default function createClient(o){const f=(m)=>(p)=>o.fetch(new Request(o.baseUrl+p,{method:m}));return {GET:f('GET'),POST:f('POST'),DELETE:f('DELETE')}}",
        ),
      ],
    ],
  ];
  console.log("\nLeave-one-out (what the gzip size would be without a part):\n");
  console.log("| variant | minified | min+gzip | gzip bytes saved |\n| --- | ---: | ---: | ---: |");
  console.log(`| as built | ${base.minified} | ${base.gzip} | 0 |`);
  for (const [name, plugins] of variants) {
    const v = await bundle(ours, plugins);
    console.log(`| ${name} | ${v.minified} | ${v.gzip} | ${base.gzip - v.gzip} |`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { analyze: { type: "boolean", default: false } } });
  const rows = await bundleSizes();
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log("| bundle | minified | min+gzip | min+gzip bytes |\n| --- | ---: | ---: | ---: |");
  for (const r of rows) console.log(`| ${r.name} | ${kb(r.minified)} | ${kb(r.gzip)} | ${r.gzip} |`);
  if (values.analyze) await analyze();
}
