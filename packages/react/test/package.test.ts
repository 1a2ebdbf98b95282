import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

describe("the package", () => {
  it("has react, rxjs, @decart/core and @decart/queue-rx (0.x: the app's one copy of each) as peers, and no dependency", () => {
    expect(pkg.peerDependencies).toEqual({
      "@decart/core": "workspace:0.x",
      "@decart/queue-rx": "workspace:0.x",
      react: "^18 || ^19",
      rxjs: "^7.8.0",
    });
    expect(pkg.dependencies).toBeUndefined();
  });

  it('marks its built entry "use client"', () => {
    expect(readFileSync(join(root, "dist/index.js"), "utf8").startsWith('"use client";')).toBe(true);
  });

  it("imports in plain Node, with no window or document, and exports the hooks", async () => {
    const script = `const m = await import(${JSON.stringify(join(root, "dist/index.js"))});
      console.log(JSON.stringify({ window: typeof window, document: typeof document, names: Object.keys(m).sort() }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script]);
    expect(JSON.parse(stdout)).toEqual({
      window: "undefined",
      document: "undefined",
      names: [
        "DecartProvider",
        "fetchTokenFrom",
        "useDecartClient",
        "useGenerateImage",
        "useGenerateVideo",
        "useJob",
        "useResultUrl",
      ],
    });
  });
});
