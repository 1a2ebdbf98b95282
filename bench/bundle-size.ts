// Queue-only browser bundle: createDecartClient + models.video + queue.submitAndPoll, bundled by esbuild
// (minified, ESM, browser), then gzip -9. The same one-call program for each SDK.
// Run: pnpm --filter bench run bundle-size   (after `pnpm build`)
//      pnpm --filter bench run bundle-size --analyze   (also: where this repo's bytes go)
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { build, type Plugin, transform } from "esbuild";
import ts from "typescript";
import { budgets } from "../.ci/release/budgets.mjs";

/** The React page of the release check's budgets (React itself left out, as the app brings it). */
const reactPage = budgets.find((b: { name: string }) => b.name.startsWith("react:"))!;

const programs: Record<string, string> = {
  "@decart/core (this repo)": `
    import { createDecartClient, models } from "@decart/core";
    const c = createDecartClient({ apiKey: "k" });
    export const run = (p) => c.queue.submitAndPoll({ model: models.video("lucy-clip"), prompt: p, data: new Blob([]) });`,
  "@decart/queue-rx + core + rxjs (submitJob)": `
    import { createDecartClient, models } from "@decart/core";
    import { submitJob } from "@decart/queue-rx";
    const c = createDecartClient({ apiKey: "k" });
    export const run = (p) => submitJob(c, { model: models.video("lucy-clip"), prompt: p, data: new Blob([]) });`,
  "@decart/react page + queue-rx + core + rxjs (React external)": reactPage.program,
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

async function bundle(contents: string, plugins: Plugin[] = [], minify = true) {
  const result = await build({
    // The React page resolves its packages from @decart/react's folder (the package names itself; bench has no React).
    stdin: {
      contents,
      resolveDir: contents === reactPage.program ? `${import.meta.dirname}/../packages/react` : import.meta.dirname,
      loader: "js",
    },
    bundle: true,
    external: contents === reactPage.program ? reactPage.external : [],
    ...(minify ? { minify } : { minifySyntax: true, minifyIdentifiers: true }),
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
    metafile: true,
    plugins,
  });
  const code = result.outputFiles[0]!.contents;
  const inputs = Object.values(result.metafile.outputs)[0]!.inputs;
  return { minified: code.length, gzip: gzip(code), inputs, text: result.outputFiles[0]!.text };
}

const gzip = (code: string | Uint8Array) => gzipSync(code, { level: 9 }).length;

/** The code with the text of every string literal and template part emptied (quotes and `${…}` kept). */
function withoutStringText(code: string): string {
  const cuts: [number, number][] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) cuts.push([n.getStart() + 1, n.end - 1]);
    else if (ts.isTemplateExpression(n)) {
      cuts.push([n.head.getStart() + 1, n.head.end - 2]);
      for (const { literal } of n.templateSpans)
        cuts.push([literal.getStart() + 1, literal.end - (ts.isTemplateTail(literal) ? 1 : 2)]);
    }
    ts.forEachChild(n, visit);
  };
  visit(ts.createSourceFile("bundle.js", code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS));
  let out = code;
  for (const [from, to] of cuts.sort((a, b) => b[0] - a[0])) out = out.slice(0, from) + out.slice(to);
  return out;
}

/**
 * What the gzip size loses without each module's code: the bundle minified but for whitespace (so that esbuild's
 * `// path` comments mark the modules), less one module, then whitespace-minified and gzipped. Gzip finds repeats
 * across modules, so the figures do not add up to the total; each says what that module's code alone costs.
 */
async function gzipPerModule(contents: string): Promise<[module: string, bytes: number][]> {
  const { text } = await bundle(contents, [], false);
  const squeeze = async (code: string) => (await transform(code, { minifyWhitespace: true, loader: "js" })).code;
  const parts = text.split(/^(?=\/\/ \S+\.js\n)/m);
  const whole = gzip(await squeeze(text));
  const rows: [string, number][] = [];
  for (const [i, part] of parts.entries()) {
    const name = part.match(/^\/\/ (\S+\.js)\n/)?.[1];
    if (!name || name.startsWith("<")) continue;
    rows.push([name.replace(/^\.\.\//, ""), whole - gzip(await squeeze(parts.filter((_, j) => j !== i).join("")))]);
  }
  return rows.sort((a, b) => b[1] - a[1]);
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
const replace = (filter: RegExp, edit: (source: string, path: string) => string | Promise<string>): Plugin => ({
  name: "replace",
  setup(b) {
    b.onLoad({ filter }, async (args) => ({
      contents: await edit(readFileSync(args.path, "utf8"), args.path),
      loader: "js",
    }));
  },
});

const CATALOGUE = /[\\/]api[\\/]dist[\\/]generated[\\/]catalogue\.js$/;

/**
 * Writes module exports back as source. An object or array reached more than once (the inputs objects that models
 * share) becomes one `const`, so the result keeps the built module's sharing whatever its textual format.
 */
function moduleSource(exports: Record<string, unknown>): string {
  const seen = new Map<object, number>();
  const count = (v: unknown): void => {
    if (!v || typeof v !== "object") return;
    seen.set(v, (seen.get(v) ?? 0) + 1);
    if (seen.get(v) === 1) Object.values(v).forEach(count);
  };
  Object.values(exports).forEach(count);
  const names = new Map<object, string>();
  const consts: string[] = [];
  const write = (v: unknown): string => {
    if (!v || typeof v !== "object") return JSON.stringify(v);
    if (names.has(v)) return names.get(v)!;
    const text = Array.isArray(v)
      ? `[${v.map(write).join(",")}]`
      : `{${Object.entries(v)
          .map(([k, x]) => `${JSON.stringify(k)}:${write(x)}`)
          .join(",")}}`;
    if (seen.get(v)! < 2) return text;
    names.set(v, `shared${names.size}`);
    consts.push(`const ${names.get(v)} = ${text};`);
    return names.get(v)!;
  };
  const body = Object.entries(exports).map(([k, v]) => `export const ${k} = ${write(v)};`);
  return [...consts, ...body].join("\n");
}

/** The generated catalogue module (evaluated, so any source format works), with `edit` applied to `catalogue`. */
function editCatalogue(edit: (catalogue: Record<string, unknown>) => Record<string, unknown>) {
  return async (_source: string, path: string) => {
    const module = await import(`${pathToFileURL(path).href}?edit=${Math.random()}`);
    return moduleSource({ ...module, catalogue: edit(structuredClone(module.catalogue)) });
  };
}

/** The catalogue with some keys removed from every model and field. */
function withoutKeys(keys: string[]) {
  return editCatalogue((catalogue) => {
    const walk = (o: unknown): void => {
      if (Array.isArray(o)) o.forEach(walk);
      else if (o && typeof o === "object") {
        for (const k of keys) delete (o as Record<string, unknown>)[k];
        Object.values(o).forEach(walk);
      }
    };
    walk(catalogue);
    return catalogue;
  });
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
  console.log("\nGzip bytes per module (what the gzip size loses without the module's code), @decart/core bundle:\n");
  console.log("| module | gzip bytes |\n| --- | ---: |");
  for (const [module, bytes] of await gzipPerModule(ours)) console.log(`| ${module} | ${bytes} |`);
  // The key-removal rows are measured against the catalogue as evaluated and written back as plain literals (the
  // generator's helpers, which add each entry's kind and routes from its name, are gone there), not against the build.
  const writtenBack = "catalogue as plain literals (evaluated, written back)";
  const variants: [name: string, plugins: Plugin[], against?: string][] = [
    [
      writtenBack,
      [
        replace(
          CATALOGUE,
          editCatalogue((c) => c),
        ),
      ],
    ],
    [
      "catalogue without `width`, `height`, `fps`, `legacySyncPath`",
      [replace(CATALOGUE, withoutKeys(["width", "height", "fps", "legacySyncPath"]))],
      writtenBack,
    ],
    ["catalogue without `rules`", [replace(CATALOGUE, withoutKeys(["rules"]))], writtenBack],
    [
      "catalogue empty (`{}`)",
      [
        replace(
          CATALOGUE,
          editCatalogue(() => ({})),
        ),
      ],
    ],
  ];
  console.log("\nLeave-one-out (what the gzip size would be without a part):\n");
  console.log(
    "| variant | minified | min+gzip | gzip bytes saved | compared with |\n| --- | ---: | ---: | ---: | --- |",
  );
  console.log(`| as built | ${base.minified} | ${base.gzip} | 0 | |`);
  const sizes: Record<string, number> = { "as built": base.gzip };
  for (const [name, plugins, against = "as built"] of variants) {
    const v = await bundle(ours, plugins);
    sizes[name] = v.gzip;
    console.log(`| ${name} | ${v.minified} | ${v.gzip} | ${sizes[against]! - v.gzip} | ${against} |`);
  }
  // Strings (messages, error names, option names, paths, header names) and the code around them, measured apart.
  const empty = await bundle(ours, [
    replace(
      CATALOGUE,
      editCatalogue(() => ({})),
    ),
  ]);
  for (const [name, v] of [
    ["every string's text emptied", base],
    ["catalogue empty and every string's text emptied (the code alone)", empty],
  ] as const) {
    const code = withoutStringText(v.text);
    console.log(`| ${name} | ${code.length} | ${gzip(code)} | ${base.gzip - gzip(code)} | as built |`);
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
