// A model the server retired without a replacement (an `x-decart-retired-models` entry with no `replacement`), as a spec
// may bring one: the catalogue generated from such a spec is installed beside a copy of the built client, as in an app.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate } from "../../api/scripts/generate.mjs";

const specPath = fileURLToPath(new URL("../../../spec/openapi.yaml", import.meta.url));
let dir: string;
let core: typeof import("../src/index.js");

/** The spec with lucy-motion's operations removed and the model listed as retired, with no replacement. */
function retiring(spec: string, name: string): string {
  const lines = spec.split("\n");
  for (const path of [`  /v1/jobs/${name}:`, `  /v1/generate/${name}:`]) {
    const at = lines.indexOf(path);
    if (at < 0) continue;
    let end = at + 1;
    while (!/^ {2}\/|^\S/.test(lines[end]!)) end++;
    lines.splice(at, end - at);
  }
  const text = lines.join("\n");
  expect(text).toContain("x-decart-retired-models:\n");
  return text.replace("x-decart-retired-models:\n", `x-decart-retired-models:\n  - name: ${name}\n`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "decart-retired-"));
  const api = join(dir, "node_modules/@decart/api");
  await mkdir(join(api, "dist/generated"), { recursive: true });
  await writeFile(join(api, "package.json"), '{ "type": "module", "exports": "./dist/index.js" }\n');
  const js = (source: string) =>
    ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } })
      .outputText;
  const files = await generate(retiring(await readFile(specPath, "utf8"), "lucy-motion"));
  await writeFile(join(api, "dist/generated/catalogue.js"), js(files["catalogue.ts"]!));
  const index = await readFile(new URL("../../api/src/index.ts", import.meta.url), "utf8");
  await writeFile(join(api, "dist/index.js"), js(index));
  await cp(fileURLToPath(new URL("../dist", import.meta.url)), join(dir, "core"), { recursive: true });
  core = await import(pathToFileURL(join(dir, "core/index.js")).href);
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("a model retired with no replacement", () => {
  it("models.video throws ModelRetiredError saying it has none, not a generic error", () => {
    const error = (() => {
      try {
        core.models.video("lucy-motion" as never);
      } catch (e) {
        return e;
      }
    })();
    expect(core.ModelRetiredError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "MODEL_RETIRED", model: "lucy-motion", replacement: undefined });
    expect((error as Error).message).toBe('Model "lucy-motion" is retired, with no replacement');
  });

  it("a retired model with a replacement still names it", () => {
    expect(() => core.models.video("lucy-2-v2v" as never)).toThrow(/^Model "lucy-2-v2v" is retired; use "lucy-/);
  });
});
