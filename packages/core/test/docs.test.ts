import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Application } from "typedoc";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

describe("the API reference (TypeDoc, as `pnpm run docs` builds it)", () => {
  it("names each entry by its import path, with its module comment: the main entry is `@decart/core`, not an unnamed module", async () => {
    // The entries TypeDoc reads from `exports`, which it would name by their keys ("." becoming "").
    const paths = Object.keys(pkg.exports)
      .filter((key) => key !== "./package.json")
      .map((key) => `${pkg.name}${key.slice(1)}`);
    const app = await Application.bootstrapWithPlugins({
      tsconfig: join(root, "tsconfig.build.json"),
      skipErrorChecking: true,
      logLevel: "Error",
    });
    const project = await app.convert();
    const modules = project?.children ?? [];
    expect(modules.map((m) => m.name).sort()).toEqual(paths.sort());
    for (const m of modules) expect(m.comment?.summary.length, m.name).toBeGreaterThan(0);
  });
});
