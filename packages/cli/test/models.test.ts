import { catalogue, type FieldInfo, type ModelName, retiredModels } from "@decart/api";
import { describe, expect, it } from "vitest";
import { events, run } from "./helpers.js";

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
