import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { startFast } from "./helpers.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

/** Every module the built entry loads, following relative imports, with the bare specifiers each one imports. */
function importGraph(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const specs = [...readFileSync(file, "utf8").matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map(
      (m) => m[1]!,
    );
    seen.set(
      file,
      specs.filter((s) => !s.startsWith(".")),
    );
    for (const spec of specs) if (spec.startsWith(".")) visit(resolve(dirname(file), spec));
  };
  visit(entry);
  return seen;
}

describe("the package", () => {
  it("has rxjs (^7.8.0) and @decart/core (0.x: the app's one copy, whose client it takes) as peers, and no dependency", () => {
    expect(pkg.peerDependencies).toEqual({ "@decart/core": "workspace:0.x", rxjs: "^7.8.0" });
    expect(pkg.dependencies).toBeUndefined();
    expect([pkg.type, pkg.sideEffects, Object.keys(pkg.exports)]).toEqual(["module", false, [".", "./package.json"]]);
  });

  it("builds an entry that imports only rxjs and @decart/core (no Node built-in)", () => {
    const graph = importGraph(join(root, "dist/index.js"));
    expect(graph.size).toBeGreaterThan(3);
    expect(new Set([...graph.values()].flat())).toEqual(new Set(["rxjs", "@decart/core"]));
  });

  it("runs a job from the built entry, imported by its name", async () => {
    const emu = await startFast();
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [
        join(root, "test/fixtures/built.mjs"),
        emu.url,
        emu.apiKey,
      ]);
      expect(JSON.parse(stdout)).toEqual({ last: "completed", status: "completed", bytes: expect.any(Number) });
    } finally {
      await emu.close();
    }
  });
});
