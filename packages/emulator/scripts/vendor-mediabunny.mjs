// The build's second step (after tsc): bundles the part of mediabunny the emulator uses (its MP4 muxer, imported by
// src/media/mp4.ts) into dist/vendor/mediabunny.js and points dist/media/mp4.js at it, so that mediabunny is no
// runtime dependency of the package. Its own dependencies, @types/dom-webcodecs and @types/dom-mediacapture-transform,
// would otherwise land in a user's node_modules/@types, which TypeScript loads into every project without a `types`
// list ("Duplicate identifier" against lib.dom, "Cannot find name 'MediaStreamTrack'" without it).
//
// mediabunny is MPL-2.0: its files go in unmodified and unminified, each with its own notice; the bundle's header says
// which version it is and where its source is, and its license text ships beside it (dist/vendor/mediabunny.LICENSE).
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(pkgDir, "dist");
const vendor = join(dist, "vendor");
// mediabunny's ESM build: <package>/dist/modules/src/index.js.
const modules = dirname(fileURLToPath(import.meta.resolve("mediabunny")));
const mediabunnyDir = join(modules, "../../..");
const { version, repository } = JSON.parse(readFileSync(join(mediabunnyDir, "package.json"), "utf8"));
const source = repository.url.replace(/^git\+/, "").replace(/\.git$/, "");

// What mp4.ts imports, from the modules that define it (not the package's index, whose top level marks the global
// object as "mediabunny loaded" and would make a user's own copy of mediabunny warn that it was loaded twice).
const used = {
  Output: "output.js",
  Mp4OutputFormat: "output-format.js",
  BufferTarget: "target.js",
  EncodedPacket: "packet.js",
  EncodedVideoPacketSource: "media-source.js",
};
const mp4 = join(dist, "media/mp4.js");
const specifier = '"mediabunny"';
const code = readFileSync(mp4, "utf8");
const imported = code
  .match(/import \{([^}]*)\} from "mediabunny";/)?.[1]
  .split(",")
  .map((s) => s.trim());
if (!imported || imported.sort().join() !== Object.keys(used).sort().join())
  throw new Error(
    `dist/media/mp4.js imports ${imported ?? "nothing"} from mediabunny; this script bundles ${Object.keys(used)}`,
  );

await build({
  stdin: {
    contents: Object.entries(used)
      .map(([name, file]) => `export { ${name} } from ${JSON.stringify(join(modules, file))};`)
      .join("\n"),
    resolveDir: mediabunnyDir,
    loader: "js",
  },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: false,
  legalComments: "inline",
  banner: {
    js: [
      "/*!",
      ` * mediabunny ${version} (${source}), the modules the emulator's MP4 muxing uses, bundled unmodified.`,
      " * Licensed under the Mozilla Public License 2.0: see mediabunny.LICENSE beside this file.",
      ` * Its source (TypeScript): the src folder of the npm package mediabunny@${version}`,
      ` * (https://www.npmjs.com/package/mediabunny/v/${version}), and its repository ${source}.`,
      " */",
    ].join("\n"),
  },
  absWorkingDir: mediabunnyDir, // the bundle names each module by its path in the package
  outfile: join(vendor, "mediabunny.js"),
  logLevel: "warning",
});
writeFileSync(join(vendor, "mediabunny.LICENSE"), readFileSync(join(mediabunnyDir, "LICENSE"), "utf8"));
writeFileSync(mp4, code.replace(specifier, '"../vendor/mediabunny.js"'));

// Nothing in dist may still import the package.
const stray = [];
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = join(dir, entry.name);
    if (entry.isDirectory()) walk(file);
    else if (/\.(js|d\.ts)$/.test(entry.name) && readFileSync(file, "utf8").includes(specifier)) stray.push(file);
  }
};
walk(dist);
if (stray.length) throw new Error(`still importing mediabunny: ${stray.map((f) => relative(pkgDir, f)).join(", ")}`);
