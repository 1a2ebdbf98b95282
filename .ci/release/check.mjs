// The release check: what a user installs, checked the way a user gets it. Every publishable package (each
// packages/*/package.json without "private") is built, packed with pnpm (workspace:* becomes a real version), linted
// (publint, arethetypeswrong) and installed from its tarball with npm into a fresh project outside the workspace.
// There: ESM import and require() of every entry, each bin, the README examples typechecked under node16 and
// bundler resolution, browser bundles within their size budgets (budgets.mjs), and the migration note's flow against
// the packed emulator. Then `changeset version` in a copy of the repository and a publish dry run.
//
//   node .ci/release/check.mjs [--report file.json] [--keep]
//
// Prints one line per check and closes with "release: N passed, N failed"; --report writes those counts as JSON.
import { execFile } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { budgets } from "./budgets.mjs";

const here = dirname(new URL(import.meta.url).pathname);
const root = resolve(here, "../..");
const args = process.argv.slice(2);
const reportPath = args.includes("--report") ? resolve(args[args.indexOf("--report") + 1]) : undefined;
const keep = args.includes("--keep");
const rootPkg = readJson(join(root, "package.json"));
const work = mkdtempSync(join(tmpdir(), "decart-release-"));

let passed = 0;
let failed = 0;

function readJson(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}

/** Runs a command; resolves with stdout (and stderr with `stderr: true`), rejects with both in the message. */
async function run(cmd, argv, opts = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(cmd, argv, { maxBuffer: 64 << 20, ...opts });
    return opts.stderr ? `${stdout}${stderr}` : stdout;
  } catch (err) {
    const out = `${err.stdout ?? ""}${err.stderr ?? ""}`.trim();
    throw new Error(`${cmd} ${argv.join(" ")} failed (${err.code ?? err.signal}):\n${out}`);
  }
}

/** Runs one check; a check passes when it returns (optionally a detail to print) and fails when it throws. */
async function attempt(name, fn) {
  const started = performance.now();
  const took = () => `(${((performance.now() - started) / 1000).toFixed(1)} s)`;
  try {
    const detail = await fn();
    return { ok: true, line: `ok   ${name}${detail ? `: ${detail}` : ""} ${took()}` };
  } catch (err) {
    return { ok: false, line: `FAIL ${name} ${took()}\n${String(err?.message ?? err).replace(/^/gm, "     ")}` };
  }
}

function report({ ok, line }) {
  if (ok) passed++;
  else failed++;
  console.log(line);
}

async function check(name, fn) {
  report(await attempt(name, fn));
}

/** Independent checks side by side, reported in order. */
async function checkAll(list) {
  for (const result of await Promise.all(list.map(([name, fn]) => attempt(name, fn)))) report(result);
}

function assert(ok, message) {
  if (!ok) throw new Error(typeof message === "function" ? message() : message);
}

/**
 * What a bundle over its budget `b` says: by how much, its largest parts (what grew is among them), and what to do:
 * measure, then make it smaller or raise the limit in budgets.mjs with a line in bench/README.md saying what for.
 */
function overBudget(b, gzip, figures, metafile) {
  const output = Object.values(metafile.outputs ?? {})[0];
  const parts = Object.entries(output?.inputs ?? {})
    .sort(([, x], [, y]) => y.bytesInOutput - x.bytesInOutput)
    .slice(0, 5)
    .map(([file, input]) => `${file.replace(/^.*node_modules\//, "")} ${input.bytesInOutput} B`)
    .join(", ");
  return (
    `over budget by ${gzip - b.gzipLimit} B gzipped: ${figures}.\n` +
    `    Largest parts (minified): ${parts}. @decart/api's catalogue.js carries every model of spec/openapi.yaml: a ` +
    "model added, or a field, limit or deprecation, costs bytes here.\n" +
    "    To do: measure (`pnpm build && pnpm --filter bench run bundle-size --analyze`, as bench/README.md's " +
    '"Bundle size" says); then make the bundle smaller, or raise this budget\'s gzipLimit in .ci/release/budgets.mjs ' +
    'in a commit that says what the bytes are for, with a line in bench/README.md ("Bundle size") saying why.'
  );
}

function section(title) {
  console.log(`\n-- ${title}`);
}

// ---------------------------------------------------------------------------------------------------------------
// The publishable packages, found rather than listed.
const packages = readdirSync(join(root, "packages"))
  .map((dir) => ({ dir: join(root, "packages", dir), short: dir }))
  .filter((p) => existsSync(join(p.dir, "package.json")))
  .map((p) => ({ ...p, pkg: readJson(join(p.dir, "package.json")) }))
  .filter((p) => !p.pkg.private);
const names = new Set(packages.map((p) => p.pkg.name));
console.log(`publishable: ${[...names].join(", ")}`);

/** Every entry of a package's exports map as [subpath, specifier a user imports]. */
// The code entries of a package (its "./package.json" is the manifest, not code to import).
const entries = (p) =>
  Object.keys(p.pkg.exports ?? {})
    .filter((sub) => sub !== "./package.json")
    .map((sub) => [sub, p.pkg.name + sub.slice(1)]);

section("build");
await check("build every publishable package (turbo)", async () => {
  const filters = packages.map((p) => `--filter=${p.pkg.name}`);
  await run("pnpm", ["exec", "turbo", "run", "build", ...filters, "--output-logs=errors-only"], { cwd: root });
});

section("package metadata");
const license = readFileSync(join(root, "LICENSE"), "utf8");
const rootReadme = readFileSync(join(root, "README.md"), "utf8");
for (const p of packages) {
  await check(`${p.pkg.name} package.json and files`, () => {
    const { pkg } = p;
    assert(pkg.license === "MIT", `license is ${pkg.license}, expected MIT`);
    assert(existsSync(join(p.dir, "LICENSE")), "no LICENSE file");
    assert(readFileSync(join(p.dir, "LICENSE"), "utf8") === license, "LICENSE differs from the root's");
    const readme = existsSync(join(p.dir, "README.md")) ? readFileSync(join(p.dir, "README.md"), "utf8") : "";
    assert(readme.length > 200, "no README.md, or an empty one");
    assert(
      pkg.engines?.node === rootPkg.engines.node,
      `engines.node is ${pkg.engines?.node}, expected ${rootPkg.engines.node}`,
    );
    assert(pkg.type === "module", 'type is not "module"');
    assert(pkg.sideEffects !== undefined, "sideEffects is not set (false, or the list of files with side effects)");
    assert(Array.isArray(pkg.files) && pkg.files.length > 0, "files is not set");
    assert(pkg.description, "no description");
    assert(pkg.scripts?.docs, "no docs script (the API reference: typedoc)");
    const link = `(packages/${p.short}/docs/index.html)`;
    assert(rootReadme.includes(link), `the root README does not link the API reference ${link}`);
    for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
      // The manifest itself, for tools that read it (require.resolve("<name>/package.json")).
      if (sub === "./package.json") {
        assert(target === "./package.json", `exports["./package.json"] is not "./package.json"`);
        continue;
      }
      assert(typeof target === "object", `exports["${sub}"] has no conditions`);
      const keys = Object.keys(target);
      assert(keys[0] === "types", `exports["${sub}"] does not start with "types"`);
      // "default" (not "import") lets require() load the ESM entry on Node >= 20.19.
      assert(keys.at(-1) === "default", `exports["${sub}"] does not end with "default"`);
    }
    assert(pkg.exports?.["."], 'no exports["."]');
    return `${Object.keys(pkg.exports).length} entries, sideEffects ${JSON.stringify(pkg.sideEffects)}`;
  });
}

section("pack (pnpm pack: workspace:* becomes the real version)");
const tarballDir = join(work, "tarballs");
mkdirSync(tarballDir);
for (const p of packages) {
  await check(`${p.pkg.name} packs what ships`, async () => {
    const out = await run("pnpm", ["pack", "--pack-destination", tarballDir, "--json"], { cwd: p.dir });
    p.tarball = JSON.parse(out).filename;
    const files = (await run("tar", ["tzf", p.tarball])).split("\n").filter(Boolean);
    const manifest = JSON.parse(await run("tar", ["xzf", p.tarball, "-O", "package/package.json"]));
    for (const f of ["package.json", "README.md", "LICENSE"])
      assert(files.includes(`package/${f}`), `no ${f} in the tarball`);
    const stray = files.filter((f) => /(^package\/test\/|\.test\.[cm]?[jt]s$|\.tsbuildinfo$|\/\.turbo\/)/.test(f));
    assert(stray.length === 0, `ships files it should not:\n${stray.join("\n")}`);
    for (const [sub, target] of Object.entries(manifest.exports)) {
      for (const file of typeof target === "string" ? [target] : Object.values(target))
        assert(files.includes(`package/${file.slice(2)}`), `exports["${sub}"] → ${file} is not in the tarball`);
    }
    for (const file of Object.values(manifest.bin ?? {}))
      assert(files.includes(`package/${file.replace(/^\.\//, "")}`), `bin ${file} is not in the tarball`);
    const ranges = JSON.stringify([manifest.dependencies, manifest.peerDependencies, manifest.optionalDependencies]);
    assert(!ranges.includes("workspace:"), `a workspace: range is left in the packed package.json: ${ranges}`);
    return `${files.length} files, ${(readFileSync(p.tarball).length / 1024).toFixed(1)} KiB`;
  });
}
const packed = packages.filter((p) => p.tarball);

section("publint (strict) and arethetypeswrong (ESM-only profile) on the tarballs");
const { publint } = await import("publint");
const { formatMessage } = await import("publint/utils");
await checkAll(
  packed.flatMap((p) => [
    [
      `${p.pkg.name} publint`,
      async () => {
        const tarball = readFileSync(p.tarball);
        const buffer = tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.length);
        const { messages, pkg } = await publint({ pack: { tarball: buffer }, strict: true });
        assert(messages.length === 0, messages.map((m) => `${m.type}: ${formatMessage(m, pkg)}`).join("\n"));
      },
    ],
    [
      `${p.pkg.name} attw`,
      // ESM only: the types are checked for node16 (from ESM) and bundler resolution. CommonJS callers load the
      // packages with require() of ESM (Node >= 20.19), checked at run time below.
      () =>
        run(
          "pnpm",
          ["exec", "attw", p.tarball, "--profile", "esm-only", "--format", "table-flipped", "--no-emoji", "--no-color"],
          { cwd: root },
        ).then(() => ""),
    ],
  ]),
);

section("install the tarballs with npm into a fresh project outside the workspace");
const app = join(work, "app");
mkdirSync(app);
const tool = (name) => rootPkg.devDependencies[name];
writeJson(join(app, "package.json"), {
  name: "release-check-app",
  private: true,
  type: "module",
  dependencies: Object.fromEntries(packed.map((p) => [p.pkg.name, `file:${p.tarball}`])),
  // A packed package names its internal dependencies by version; these point them at the tarballs too.
  overrides: Object.fromEntries(packed.map((p) => [p.pkg.name, `$${p.pkg.name}`])),
  devDependencies: {
    typescript: tool("typescript"),
    "@types/node": tool("@types/node"),
    // The ```tsx README examples (JSX) typecheck against React's types, pinned as the React package pins them.
    "@types/react": JSON.parse(readFileSync(join(root, "packages/react/package.json"), "utf8")).devDependencies[
      "@types/react"
    ],
    esbuild: tool("esbuild"),
  },
});
let installed = false;
await check("npm install", async () => {
  await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], { cwd: app });
  for (const p of packed)
    assert(existsSync(join(app, "node_modules", p.pkg.name, "package.json")), `${p.pkg.name} not installed`);
  installed = true;
  return `${packed.length} tarballs and ${readdirSync(join(app, "node_modules")).length} top-level modules`;
});

if (installed) {
  section("Node: ESM import and require() of every entry");
  const node = (code, type) => run(process.execPath, [`--input-type=${type}`, "-e", code], { cwd: app });
  const [major, minor] = process.versions.node.split(".").map(Number);
  const requireEsm = major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19);
  for (const p of packed) {
    for (const [, spec] of entries(p)) {
      await check(`import("${spec}")`, async () => {
        const keys = JSON.parse(
          await node(
            `const m = await import(${JSON.stringify(spec)}); console.log(JSON.stringify(Object.keys(m)))`,
            "module",
          ),
        );
        assert(keys.length > 0, "no exports");
        return `${keys.length} exports`;
      });
      if (!requireEsm) continue;
      await check(`require("${spec}")`, async () => {
        const keys = JSON.parse(
          await node(
            `const m = require(${JSON.stringify(spec)}); console.log(JSON.stringify(Object.keys(m)))`,
            "commonjs",
          ),
        );
        assert(keys.length > 0, "no exports");
        return `${keys.length} exports`;
      });
    }
  }

  section("bins");
  const bins = packed.flatMap((p) => Object.keys(p.pkg.bin ?? {}).map((bin) => ({ bin, p })));
  for (const { bin } of bins) {
    await check(`${bin} --help`, async () => {
      const out = await run(join(app, "node_modules/.bin", bin), ["--help"], { cwd: app });
      assert(/usage/i.test(out), `no usage text:\n${out}`);
    });
  }
  // The CLI's own checks run as soon as a package ships the `decart` bin.
  const cli = bins.find((b) => b.bin === "decart");
  if (cli) {
    await check("decart --version", async () => {
      const out = (await run(join(app, "node_modules/.bin/decart"), ["--version"], { cwd: app })).trim();
      assert(out.includes(cli.p.pkg.version), `printed ${out}, expected ${cli.p.pkg.version}`);
      return out;
    });
    await check("decart models", async () => {
      const out = await run(join(app, "node_modules/.bin/decart"), ["models"], { cwd: app });
      assert(out.includes("lucy-pro-t2v"), `no lucy-pro-t2v in:\n${out}`);
      return `${out.trim().split("\n").length} lines`;
    });
  } else {
    console.log(
      "     (no package ships the `decart` bin yet: `decart --version` and `decart models` run once one does)",
    );
  }

  section("TypeScript: the README examples under node16 and bundler resolution");
  const readmes = join(app, "readme");
  const counts = [];
  const modules = []; // [package dir, file name, text]
  for (const p of packed) {
    const snippets = readmeSnippets(readFileSync(join(p.dir, "README.md"), "utf8"));
    if (snippets.length === 0) continue;
    const contextFile = join(here, "readme-context", `${p.short}.ts`);
    const context = existsSync(contextFile) ? readFileSync(contextFile, "utf8") : "";
    for (const s of snippets) modules.push([p.short, `line-${s.line}.${s.lang}`, snippetModule(s, context)]);
    counts.push(`${p.short} ${snippets.length}`);
  }
  await checkAll(
    [
      ["node16", "node16"],
      ["bundler", "esnext"],
    ].map(([mode, module]) => [
      `README examples typecheck, moduleResolution ${mode} (${counts.join(", ")})`,
      async () => {
        const dir = join(readmes, mode);
        for (const [pkgDir, name, text] of modules) {
          mkdirSync(join(dir, pkgDir), { recursive: true });
          writeFileSync(join(dir, pkgDir, name), text);
        }
        writeJson(join(dir, "tsconfig.json"), {
          compilerOptions: {
            module,
            moduleResolution: mode,
            target: "es2022",
            lib: ["es2023", "dom", "dom.iterable"],
            jsx: "react-jsx",
            types: ["node"],
            strict: true,
            noEmit: true,
            skipLibCheck: false,
          },
          include: ["*/*.ts", "*/*.tsx"],
        });
        const tsc = () =>
          run(process.execPath, [join(app, "node_modules/typescript/bin/tsc"), "-p", ".", "--pretty", "false"], {
            cwd: dir,
          })
            .then(() => "")
            .catch((err) => err.message);
        // A name a snippet uses but neither defines nor finds in its readme-context file is a placeholder
        // (`saveSomewhere(id)`): declared `any` and named in the output, so the check is about the API, not prose.
        const errorAt = /^(\w[\w-]*)\/(line-\d+\.tsx?)\((\d+),(\d+)\): error TS(\d+): (.*)$/gm;
        const placeholders = new Map();
        let errors = await tsc();
        for (const [, pkgDir, fence, , , code, text] of errors.matchAll(errorAt)) {
          const name = (code === "2304" || code === "18004") && text.match(/'([^']+)'/)?.[1];
          if (!name) continue;
          const file = join(dir, pkgDir, fence);
          if (!placeholders.has(file)) placeholders.set(file, new Set());
          placeholders.get(file).add(name);
        }
        for (const [file, names] of placeholders) {
          const decls = [...names].map((n) => `declare const ${n}: any;`).join(" ");
          writeFileSync(file, `${readFileSync(file, "utf8")}${decls}\n`);
        }
        if (placeholders.size) errors = await tsc();
        // Point at the README's own lines: packages/<dir>/README.md:<line>:<column>.
        const atReadme = (text) =>
          text.replace(
            /^(\w[\w-]*)\/line-(\d+)\.tsx?\((\d+),(\d+)\)/gm,
            (_, d, fence, l, c) => `packages/${d}/README.md:${+fence + +l - 2}:${c}`,
          );
        assert(!errors, atReadme(errors));
        const assumed = [...placeholders].map(
          ([file, names]) => `${[...names].join(", ")} (${file.slice(dir.length + 1)})`,
        );
        return assumed.length ? `placeholders: ${assumed.join("; ")}` : "";
      },
    ]),
  );

  section("TypeScript: a user's project with the packages installed (no `types` list, skipLibCheck off)");
  // With no `types` list TypeScript loads every node_modules/@types package, including those a dependency brings in
  // (a DOM-only @types package breaks the whole project: duplicate identifiers with lib.dom, unknown names without
  // it). The user's own file compiles against the default lib and against a Node-only lib.
  await checkAll(
    [
      ["the default lib", undefined],
      ['lib ["es2022"] (no DOM)', ["es2022"]],
    ].map(([label, lib], i) => [
      `a plain .ts file compiles in the project, ${label}`,
      async () => {
        const dir = join(app, `user-project-${i}`);
        mkdirSync(dir);
        const imports = packed
          .filter((p) => ["@decart/emulator", "@decart/cli"].includes(p.pkg.name))
          .map((p) => `import * as m${p.short.replace(/\W/g, "")} from "${p.pkg.name}";`);
        writeFileSync(
          join(dir, "index.ts"),
          `${imports.join("\n")}\nexport const n: number = ${imports.length};\nexport {${imports.map((s) => s.match(/as (\w+)/)[1]).join(", ")}};\n`,
        );
        writeJson(join(dir, "tsconfig.json"), {
          compilerOptions: { target: "es2022", module: "nodenext", strict: true, noEmit: true, ...(lib && { lib }) },
          include: ["index.ts"],
        });
        await run(process.execPath, [join(app, "node_modules/typescript/bin/tsc"), "-p", ".", "--pretty", "false"], {
          cwd: dir,
        }).catch((err) => {
          const lines = err.message.split("\n");
          throw new Error(
            lines.length > 12 ? `${lines.slice(0, 12).join("\n")}\n… (${lines.length} lines)` : err.message,
          );
        });
        return `@types: ${readdirSync(join(app, "node_modules/@types")).join(", ")}`;
      },
    ]),
  );

  section("one @decart/core under the layers over it (`npm install @decart/core@latest` alone)");
  const layers = ["@decart/api", "@decart/core", "@decart/queue-rx", "@decart/react"];
  if (layers.every((n) => names.has(n))) {
    await check("a newer @decart/core installed: one copy, and its client fits queue-rx and react (tsc)", async () => {
      // The core tarball repacked at the next patch version stands for a core updated on its own; queue-rx and react
      // take the user's core (a peer dependency): no second copy of it nests under them, whose client type would not
      // be assignable to theirs (TS2345/TS2322, "types of property process are incompatible").
      const dir = join(work, "app-newer-core");
      const unpacked = join(dir, "core");
      mkdirSync(unpacked, { recursive: true });
      const tarballOf = (name) => packed.find((p) => p.pkg.name === name).tarball;
      await run("tar", ["xzf", tarballOf("@decart/core"), "-C", unpacked]);
      const manifest = readJson(join(unpacked, "package/package.json"));
      const [major, minor, patch] = manifest.version.split(/[.+-]/).map(Number);
      manifest.version = `${major}.${minor}.${patch + 1}`;
      writeJson(join(unpacked, "package/package.json"), manifest);
      const newer = join(dir, `decart-core-${manifest.version}.tgz`);
      await run("tar", ["czf", newer, "-C", unpacked, "package"]);
      const reactPkg = readJson(join(root, "packages/react/package.json"));
      writeJson(join(dir, "package.json"), {
        name: "release-check-newer-core",
        private: true,
        type: "module",
        dependencies: {
          "@decart/api": `file:${tarballOf("@decart/api")}`,
          "@decart/core": `file:${newer}`,
          "@decart/queue-rx": `file:${tarballOf("@decart/queue-rx")}`,
          "@decart/react": `file:${tarballOf("@decart/react")}`,
          react: reactPkg.devDependencies.react,
          rxjs: reactPkg.devDependencies.rxjs,
        },
        // The core names @decart/api by version; only that points at the tarball (no override of the core itself).
        overrides: { "@decart/api": "$@decart/api" },
        devDependencies: { "@types/react": reactPkg.devDependencies["@types/react"] },
      });
      await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], { cwd: dir });
      const cores = (await run("find", ["node_modules", "-path", "*/@decart/core/package.json"], { cwd: dir }))
        .split("\n")
        .filter(Boolean)
        .map((file) => `${dirname(file)} (${readJson(join(dir, file)).version})`);
      assert(cores.length === 1, `@decart/core installed more than once:\n${cores.join("\n")}`);
      writeFileSync(
        join(dir, "index.tsx"),
        [
          'import { createDecartClient, models } from "@decart/core";',
          'import { submitJob } from "@decart/queue-rx";',
          'import { DecartProvider } from "@decart/react";',
          'const client = createDecartClient({ apiKey: "k" });',
          'export const job = submitJob(client, { model: models.video("lucy-pro-t2v"), prompt: "A serene lake" });',
          "export const page = <DecartProvider client={client}>{null}</DecartProvider>;",
          "",
        ].join("\n"),
      );
      writeJson(join(dir, "tsconfig.json"), {
        compilerOptions: {
          target: "es2022",
          module: "nodenext",
          lib: ["es2023", "dom", "dom.iterable"],
          jsx: "react-jsx",
          types: [],
          strict: true,
          noEmit: true,
        },
        include: ["index.tsx"],
      });
      await run(process.execPath, [join(app, "node_modules/typescript/bin/tsc"), "-p", ".", "--pretty", "false"], {
        cwd: dir,
      });
      return `one core, ${cores[0]}`;
    });
  }

  section("browser bundles (esbuild --minify, platform browser) and their size budgets (gzip -9)");
  const esbuild = await import(join(app, "node_modules/esbuild/lib/main.js"));
  for (const b of budgets) {
    const missing = b.packages.filter((n) => !names.has(n));
    if (missing.length) {
      console.log(`skip ${b.name}: ${missing.join(", ")} not in the workspace yet`);
      continue;
    }
    await check(`budget ${b.name}`, async () => {
      const options = {
        stdin: { contents: b.program, resolveDir: app, loader: "js" },
        external: b.external ?? [],
        absWorkingDir: app,
        bundle: true,
        minify: true,
        format: "esm",
        platform: "browser",
        write: false,
        logLevel: "silent",
        metafile: true,
      };
      const result = await esbuild.build(options);
      const inputs = Object.keys(result.metafile.inputs);
      const nodeOnly = inputs.filter((f) => f.startsWith("node:"));
      assert(nodeOnly.length === 0, `pulls in Node built-ins: ${nodeOnly.join(", ")}`);
      const code = result.outputFiles[0].contents;
      // The browser floor (packages/core/README.md: ES2022, `Object.hasOwn`): the bundle built for ES2022 is the same
      // bytes (no newer syntax, a dependency's too), and names no built-in of ES2023 or later (a method called, or
      // named as in `a.findLast.call(…)`; those with common names, such as `with` and `union`, only called).
      const es2022 = await esbuild.build({ ...options, target: "es2022" });
      assert(Buffer.compare(es2022.outputFiles[0].contents, code) === 0, "uses syntax newer than ES2022");
      const newer = new TextDecoder()
        .decode(code)
        .match(
          /\b(Promise\.try|RegExp\.escape|Error\.isError|Math\.sumPrecise|Iterator\.from|Uint8Array\.from(Base64|Hex)|Atomics\.waitAsync)\b|\.(findLast|findLastIndex|toSorted|toReversed|toSpliced|isWellFormed|toWellFormed|groupBy|withResolvers|fromAsync|symmetricDifference|isSubsetOf|isSupersetOf|isDisjointFrom|toBase64|toHex|setFromBase64|setFromHex|transferToFixedLength)\b|\.(with|union|intersection|difference)\(/g,
        );
      assert(!newer, () => `uses built-ins newer than ES2022: ${[...new Set(newer)].join(" ")}`);
      const gzip = gzipSync(code, { level: 9 }).length;
      const figures = `${code.length} B minified, ${gzip} B gzipped (limit ${b.gzipLimit} B, ${inputs.length} modules)`;
      assert(gzip <= b.gzipLimit, () => overBudget(b, gzip, figures, result.metafile));
      return b.gzipGoal && gzip > b.gzipGoal ? `${figures}; ABOVE ITS GOAL of ${b.gzipGoal} B` : figures;
    });
  }

  section("the migration note's flow against the packed emulator");
  if (names.has("@decart/core") && names.has("@decart/emulator")) {
    await check('submitAndPoll "A serene lake at sunset" (lucy-pro-t2v)', async () => {
      cpSync(join(here, "seed-flow.mjs"), join(app, "seed-flow.mjs"));
      const line = JSON.parse((await run(process.execPath, ["seed-flow.mjs"], { cwd: app })).trim().split("\n").at(-1));
      assert(line.status === "completed", `ended ${line.status}: ${line.error}`);
      assert(line.statuses.at(-1) === "completed", `status changes: ${line.statuses.join(" → ")}`);
      assert(line.mp4, "the result is not an MP4");
      return `${line.statuses.join(" → ")}, ${line.bytes} bytes of MP4`;
    });
  }
}

section("changesets: `changeset version` in a copy of the repository");
await check("changeset version bumps every package together and writes changelogs", async () => {
  const copy = join(work, "repo");
  const tracked = (
    await run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root })
  ).split("\0");
  for (const f of tracked.filter(Boolean)) {
    if (!existsSync(join(root, f))) continue;
    mkdirSync(dirname(join(copy, f)), { recursive: true });
    cpSync(join(root, f), join(copy, f));
  }
  symlinkSync(join(root, "node_modules"), join(copy, "node_modules"), "dir");
  const pending = readdirSync(join(copy, ".changeset")).filter((f) => f.endsWith(".md") && f !== "README.md");
  if (pending.length === 0) {
    // Nothing pending (just after a release): a patch for every package shows the mechanism still works.
    const front = packages.map((p) => `"${p.pkg.name}": patch`).join("\n");
    writeFileSync(join(copy, ".changeset/release-check.md"), `---\n${front}\n---\n\nRelease check.\n`);
  }
  // A peer dependency range that a bump leaves makes changesets release its dependents as a major: only a changeset
  // that asks for a major may move the major version.
  const asksMajor = pending.some((f) =>
    /^"[^"]+":\s*major\s*$/m.test(readFileSync(join(copy, ".changeset", f), "utf8")),
  );
  await run(join(root, "node_modules/.bin/changeset"), ["version"], { cwd: copy });
  const after = packages.map((p) => ({ p, pkg: readJson(join(copy, "packages", p.short, "package.json")) }));
  const versions = new Set(after.map((a) => a.pkg.version));
  assert(
    versions.size === 1,
    `versions drifted apart: ${after.map((a) => `${a.pkg.name}@${a.pkg.version}`).join(", ")}`,
  );
  const [version] = versions;
  const from = packages[0].pkg.version;
  assert(
    asksMajor || version.split(".")[0] === from.split(".")[0],
    `${from} → ${version}, a major release, though no pending changeset asks for one (a peer dependency range ` +
      "the new version leaves? see onlyUpdatePeerDependentsWhenOutOfRange in .changeset/config.json)",
  );
  for (const { p, pkg } of after) {
    assert(version !== p.pkg.version, `${pkg.name} was not bumped from ${p.pkg.version}`);
    const log = join(copy, "packages", p.short, "CHANGELOG.md");
    assert(
      existsSync(log) && readFileSync(log, "utf8").includes(`## ${version}`),
      `${pkg.name}: no "## ${version}" in CHANGELOG.md`,
    );
    for (const [dep, range] of Object.entries({ ...pkg.dependencies, ...pkg.peerDependencies })) {
      if (!names.has(dep)) continue;
      assert(
        range.startsWith("workspace:") || range === version,
        `${pkg.name} depends on ${dep}@${range}, not ${version}`,
      );
    }
  }
  return `${pending.length} pending changesets → ${after.map((a) => `${a.pkg.name}@${a.pkg.version}`).join(", ")}`;
});

section("publish dry run (pnpm publish -r --dry-run)");
await check("pnpm publish -r --dry-run", async () => {
  const out = await run("pnpm", ["publish", "-r", "--dry-run", "--no-git-checks"], {
    cwd: root,
    env: { ...process.env, npm_config_loglevel: "notice" },
    stderr: true,
  });
  // npm's notices per tarball: "📦  name@version", then "package size: …", "unpacked size: …", "total files: …".
  const summary = [];
  for (const line of out.split("\n").map((l) => l.replace(/^npm notice /, "").trim())) {
    if (line.startsWith("📦")) summary.push({ id: line.replace("📦", "").trim(), facts: [] });
    else if (/^(package size|unpacked size|total files):/.test(line)) summary.at(-1)?.facts.push(line);
  }
  for (const { id, facts } of summary) console.log(`     would publish ${id} (${facts.join(", ")})`);
  const published = out
    .split("\n")
    .filter((l) => l.startsWith("+ "))
    .map((l) => l.slice(2).replace(/@[^@]+$/, ""));
  const unlisted = [...names].filter((n) => !published.includes(n));
  assert(unlisted.length === 0, `not in the dry run: ${unlisted.join(", ")}`);
  return `${published.length} packages`;
});

if (!keep) rmSync(work, { recursive: true, force: true });
else console.log(`\nkept ${work}`);
console.log(`\nrelease: ${passed} passed, ${failed} failed`);
if (reportPath) writeJson(reportPath, { numPassedTests: passed, numFailedTests: failed });
process.exit(failed > 0 ? 1 : 0);

// ---------------------------------------------------------------------------------------------------------------

function writeJson(file, value) {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * A README snippet as a module: its imports, then the declarations of the names it uses without defining (the
 * package's readme-context file, less the names the snippet imports), then its code in a block of its own.
 */
function snippetModule(snippet, context) {
  const imports = [...snippet.code.matchAll(/^import\s[\s\S]*?["'][^"']+["'];?[ \t]*$/gm)].map((m) => m[0]);
  // Imports move to the first line; their lines stay, blank, so line L of the file is line `fence + L - 2` of the README.
  // A snippet's `export` (a module's top level) would not parse inside the block its code goes into: dropped.
  const body = imports
    .reduce((code, statement) => code.replace(statement, "\n".repeat(statement.split("\n").length - 1)), snippet.code)
    .replace(/^export\s+(?=(?:const|let|function|class|async)\b)/gm, "");
  const imported = new Set(
    imports.flatMap((statement) => {
      const head = statement.replace(/\sfrom\s*["'][^"']+["'];?\s*$/, "").replace(/^import\s+(type\s+)?/, "");
      const named = head.match(/\{([^}]*)\}/)?.[1].split(",") ?? [];
      const other = head.replace(/\{[^}]*\}/, "").split(",");
      return [...named, ...other].map((n) =>
        n
          .trim()
          .replace(/^type\s+/, "")
          .split(/\s+as\s+|\*\s*as\s+/)
          .at(-1)
          .trim(),
      );
    }),
  );
  const declarations = context
    .split("\n")
    .filter((line) => !imported.has(line.match(/^declare\s+(?:const|function|let)\s+([A-Za-z_$][\w$]*)/)?.[1]));
  const head = imports.map((statement) => statement.replace(/\s+/g, " ")).join(" ");
  return `${head}\n{\n${body}\n}\n${declarations.join("\n")}\nexport {};\n`;
}

/**
 * The ```ts and ```tsx (JSX) blocks of a README, except those marked ```ts signature (API listings, not programs): at
 * the margin, or indented (a block of a list item), its code then read without that indent.
 */
function readmeSnippets(text) {
  const out = [];
  const re = /^([ \t]*)```(tsx|ts|typescript)(?![\w-])([^\n]*)\n([\s\S]*?)^\1```/gm;
  for (const m of text.matchAll(re)) {
    const [, indent, lang, info, code] = m;
    if (/\bsignature\b/.test(info)) continue;
    out.push({
      line: text.slice(0, m.index).split("\n").length,
      lang: lang === "tsx" ? "tsx" : "ts",
      code: code.replace(new RegExp(`^${indent}`, "gm"), ""),
    });
  }
  return out;
}
