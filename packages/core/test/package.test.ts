import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { VERSION } from "../src/index.js";
import { startFast } from "./helpers.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

/** Every module the built main entry loads, following relative imports. */
function importGraph(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(file, "utf8");
    seen.set(file, text);
    for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
      if (spec!.startsWith(".")) visit(resolve(dirname(file), spec!));
    }
  };
  visit(entry);
  return seen;
}

describe("the package", () => {
  it("keeps VERSION (sent in the user agent) equal to package.json's version: `pnpm version-packages` rewrites src/version.ts", () => {
    expect(VERSION).toBe(pkg.version);
  });

  it.each(["index", "server"])(
    "builds the %s entry with no Node built-in, directly or through its own modules",
    (entry) => {
      const graph = importGraph(join(root, `dist/${entry}.js`));
      expect(graph.size).toBeGreaterThan(5);
      expect([...graph.keys()].some((f) => f.endsWith("node.js"))).toBe(false);
      for (const [file, text] of graph) {
        // (Imports in TSDoc samples, inside block comments, are a reader's, not the module's.)
        const code = text.replace(/\/\*[\s\S]*?\*\//g, "");
        const bare = [...code.matchAll(/(?:from|import)\s*\(?\s*["']([^."'][^"']*)["']/g)].map((m) => m[1]);
        expect(
          bare.filter((s) => !["@decart/api"].includes(s!)),
          file,
        ).toEqual([]);
        expect(text, file).not.toMatch(/\bprocess\.env\b|\brequire\(|\bBuffer\./);
      }
    },
  );

  it("runs a whole job from the built entry with no `process` global (as in a browser or an edge runtime)", async () => {
    const emu = await startFast();
    try {
      const child = await promisify(execFile)(process.execPath, [
        join(root, "test/fixtures/no-process.mjs"),
        emu.url,
        emu.apiKey,
      ]);
      const line = JSON.parse(child.stdout.trim());
      expect(line).toEqual({ status: "completed", bytes: expect.any(Number), process: "undefined" });
      expect(line.bytes).toBeGreaterThan(1000);
    } finally {
      await emu.close();
    }
  });

  it("has no import cycle among its modules, type-only imports included", () => {
    const src = join(root, "src");
    const imports = new Map(
      readdirSync(src).map((f) => [
        f.replace(/\.ts$/, ""),
        [...readFileSync(join(src, f), "utf8").matchAll(/from\s*"\.\/([^"]+)\.js"/g)].map((m) => m[1]!),
      ]),
    );
    const cycles: string[] = [];
    const walk = (module: string, path: string[]) => {
      if (path.includes(module)) return void cycles.push([...path.slice(path.indexOf(module)), module].join(" → "));
      for (const next of imports.get(module) ?? []) walk(next, [...path, module]);
    };
    for (const module of imports.keys()) walk(module, []);
    expect(imports.size).toBeGreaterThan(10);
    expect(cycles).toEqual([]);
  });

  it("depends only on packages whose browser builds need no Node built-in", () => {
    // (file-type is imported by the node entry alone, and only when a file is typed by its bytes: the main entry's
    // graph names no package but @decart/api, see above; its browser build is core.js.)
    expect(Object.keys(pkg.dependencies)).toEqual(["@decart/api", "file-type"]);
    for (const dep of ["@decart/api/dist/index.js", "file-type/core.js"]) {
      const text = readFileSync(join(root, "node_modules", dep), "utf8");
      expect(text, dep).not.toMatch(/from\s*["']node:|require\(["'](?:node:)?(?:fs|path|http|stream)["']/);
    }
  });

  it("exposes the node helpers only on the ./node subpath (the token route on ./server), with ESM and no side effects", () => {
    expect(pkg.type).toBe("module");
    expect(pkg.sideEffects).toBe(false);
    expect(Object.keys(pkg.exports)).toEqual([".", "./node", "./server", "./package.json"]);
    const nodeEntry = readFileSync(join(root, "dist/node.js"), "utf8");
    expect(nodeEntry).toMatch(/from "node:fs"/);
  });

  it.each(["core", "api", "queue-rx", "react", "cli", "emulator"])(
    "@decart/%s: main and types name the main entry (for moduleResolution node10), package.json is exported",
    (name) => {
      const own = JSON.parse(readFileSync(join(root, "..", name, "package.json"), "utf8"));
      expect([own.main, own.types]).toEqual([own.exports["."].default, own.exports["."].types]);
      // (queue-rx's own package test holds its exports map to ".": it gets "./package.json" with that test.)
      if (name !== "queue-rx") expect(own.exports["./package.json"]).toBe("./package.json");
    },
  );

  it("resolves every entry's types under moduleResolution node10, the subpaths through typesVersions", () => {
    const host = ts.createCompilerHost({});
    const options = { moduleResolution: ts.ModuleResolutionKind.Node10 };
    // From a package that depends on this one (its node_modules links it).
    const from = join(root, "../queue-rx/src/index.ts");
    const resolved = Object.fromEntries(
      ["@decart/core", "@decart/core/node", "@decart/core/server", "@decart/api"].map((spec) => [
        spec,
        ts.resolveModuleName(spec, spec === "@decart/api" ? join(root, "src/index.ts") : from, options, host)
          .resolvedModule?.resolvedFileName,
      ]),
    );
    expect(Object.values(resolved).map((f) => f?.replace(/.*\/packages\//, ""))).toEqual([
      "core/dist/index.d.ts",
      "core/dist/node.d.ts",
      "core/dist/server.d.ts",
      "api/dist/index.d.ts",
    ]);
  });
});
