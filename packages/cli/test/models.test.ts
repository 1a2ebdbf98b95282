import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { catalogue, type FieldInfo, type ModelName, retiredModels } from "@decart/api";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { generate } from "../../api/scripts/generate.mjs";
import { childEnv, events, run } from "./helpers.js";

describe("decart models", () => {
  it("--json prints the catalogue, one model per line, entries as they are, then each retired name", async () => {
    const { code, stdout, stderr } = await run(["models", "--json"]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const all = events(stdout);
    const lines = all.slice(0, Object.keys(catalogue).length);
    expect(lines.map((l) => l.name)).toEqual(Object.keys(catalogue));
    // After the models, one line per retired name with the model that replaces it, as the list for a human says.
    expect(retiredModels.length).toBeGreaterThan(0);
    expect(all.slice(lines.length)).toEqual(
      retiredModels.map(({ name, replacement }) => ({ type: "retired", name, replacement })),
    );
    for (const { type, docs, ...entry } of lines) {
      expect(type).toBe("model");
      expect(entry).toEqual(JSON.parse(JSON.stringify(catalogue[entry.name as ModelName])));
      expect(docs).toBeTypeOf("object");
    }
  });

  it("tags a model deprecated with no replacement, in the list, its own page and --json (deprecated: true)", async () => {
    const without = ["lucy-pro-flf2v", "lucy-motion"];
    const list = await run(["models", "--no-json"]);
    for (const name of without) expect(list.stdout).toMatch(new RegExp(`^${name} .*deprecated, no replacement$`, "m"));
    // One with a replacement names it; a current model has no tag.
    expect(list.stdout).toMatch(/^lucy-pro-v2v .*deprecated: use lucy-clip$/m);
    expect(list.stdout).not.toMatch(/^lucy-pro-t2v .*deprecated/m);
    const page = await run(["models", "lucy-motion", "--no-json"]);
    expect(page.stdout.split("\n")[0]).toContain("deprecated, no replacement");
    const json = events((await run(["models", "--json"])).stdout);
    const deprecated = json.filter((l) => l.type === "model" && l.deprecated === true).map((l) => l.name);
    expect(deprecated.sort()).toEqual(
      [...without, "lucy-2.1-vton-2", "lucy-pro-i2i", "lucy-pro-v2v", "lucy-restyle-v2v"].sort(),
    );
  });

  it("lists every model with its kind for a human", async () => {
    const { code, stdout } = await run(["models", "--no-json"]);
    expect(code).toBe(0);
    for (const [name, entry] of Object.entries(catalogue)) {
      expect(stdout).toMatch(new RegExp(`^${name.replace(".", "\\.")} +${entry.kind} `, "m"));
    }
    for (const retired of retiredModels) expect(stdout).toContain(`${retired.name} (use ${retired.replacement})`);
  });

  it("shows each field of a model with its type, limits and allowed values", async () => {
    for (const name of ["lucy-pro-t2v", "lucy-motion", "lucy-restyle-2"] as const) {
      const { code, stdout } = await run(["models", name, "--no-json"]);
      expect(code).toBe(0);
      for (const field of catalogue[name].fields as readonly FieldInfo[]) {
        const f = field as FieldInfo & Record<string, any>;
        const line = stdout.split("\n").find((l) => l.startsWith(`  ${f.name} `));
        expect(line, f.name).toBeDefined();
        if (f.enum) expect(line).toContain(`one of ${f.enum.join(", ")}`);
        if (f.required) expect(line).toContain("required");
        if (f.maxLength !== undefined) expect(line).toContain(`${f.minLength ?? 0}..${f.maxLength} characters`);
        if (f.maximum !== undefined) expect(line).toContain(`..${f.maximum}`);
        if (f.accept) expect(line).toContain(f.accept.join(", "));
      }
      for (const rule of catalogue[name].rules) expect(stdout).toContain(rule.message);
    }
  });

  it("exits 2 for an unknown model, listing the models, and for a retired one, naming its replacement", async () => {
    const unknown = await run(["models", "lucy-nope", "--no-json"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown model "lucy-nope"');
    expect(unknown.stderr).toContain("lucy-pro-t2v");
    // A name of 100 000 characters, or with a line break, is quoted and cut: one short line.
    const huge = await run(["models", `${"m".repeat(100_000)}\nFAKE: injected`, "--no-json"]);
    expect(huge.code).toBe(2);
    expect(huge.stderr).toContain(`Unknown model "${"m".repeat(40)}…"`);
    // Cut between characters, not inside one (an emoji is two UTF-16 units).
    const emoji = await run(["models", `${"m".repeat(39)}😀😀😀`, "--no-json"]);
    expect(emoji.stderr).toContain(`Unknown model "${"m".repeat(39)}😀…"`);
    expect(huge.stderr.length).toBeLessThan(2000);
    expect(huge.stderr).not.toMatch(/^FAKE/m);
    const retired = retiredModels[0]!;
    const gone = await run(["models", retired.name]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain(`use "${retired.replacement}"`);
    expect(events(gone.stdout)).toEqual([expect.objectContaining({ type: "error", exit_code: 2 })]);
  });
});

describe("decart models, with a model retired with no replacement", () => {
  // The CLI installed as in an app, beside the catalogue generated from a spec that retires lucy-motion (its operations
  // removed, an x-decart-retired-models entry without a replacement) and a copy of the built client.
  it("says it has none, instead of naming `undefined`", async () => {
    const dir = await mkdtemp(join(tmpdir(), "decart-cli-retired-"));
    try {
      const pkg = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
      let spec = await readFile(pkg("../spec/openapi.yaml"), "utf8");
      for (const path of ["/v1/jobs/lucy-motion", "/v1/generate/lucy-motion"]) {
        const at = spec.indexOf(`\n  ${path}:\n`);
        expect(at).toBeGreaterThan(0);
        spec = spec.slice(0, at) + spec.slice(spec.indexOf("\n  /", at + 4));
      }
      spec = spec.replace("x-decart-retired-models:\n", "x-decart-retired-models:\n  - name: lucy-motion\n");
      const files = await generate(spec);
      const js = (source: string) =>
        ts.transpileModule(source, {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        }).outputText;
      const modules = join(dir, "node_modules");
      const api = join(modules, "@decart/api");
      await mkdir(join(api, "dist/generated"), { recursive: true });
      await writeFile(join(api, "package.json"), '{ "type": "module", "exports": "./dist/index.js" }\n');
      await writeFile(join(api, "dist/generated/catalogue.js"), js(files["catalogue.ts"]!));
      await writeFile(join(api, "dist/index.js"), js(await readFile(pkg("api/src/index.ts"), "utf8")));
      for (const p of ["core/package.json", "core/dist", "cli/package.json", "cli/dist", "cli/bin"])
        await cp(pkg(p), join(modules, "@decart", p), { recursive: true });
      for (const dep of await readdir(pkg("cli/node_modules"))) {
        if (dep !== "@decart" && !dep.startsWith("."))
          await symlink(pkg(`cli/node_modules/${dep}`), join(modules, dep));
      }
      const decart = (...args: string[]) =>
        promisify(execFile)(process.execPath, [join(modules, "@decart/cli/bin/decart.js"), ...args], {
          env: childEnv(),
        }).catch((e: { stdout: string; stderr: string }) => e);
      const list = await decart("models", "--no-json");
      expect(list.stdout).toContain("lucy-motion (no replacement)");
      expect(list.stdout).not.toContain("undefined");
      const one = await decart("models", "lucy-motion", "--no-json");
      expect(one.stderr).toContain('Model "lucy-motion" is retired, with no replacement');
      const video = await decart("video", "-m", "lucy-motion", "x", "--no-json");
      expect(video.stderr).toContain('Model "lucy-motion" is retired, with no replacement');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
