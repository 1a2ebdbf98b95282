import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { generate, SpecError, staleFiles } from "../scripts/generate.mjs";

// The command (`pnpm check-generated`, `node scripts/generate.mjs --check`) is run for what it alone does: its exit code,
// what it prints and the files it compares. The other cases generate in the process, as the command does (its refusal a
// `SpecError`, what it prints after the spec's path; the files out of date `staleFiles`, what it compares).
const script = fileURLToPath(new URL("../scripts/generate.mjs", import.meta.url));
const specPath = fileURLToPath(new URL("../../../spec/openapi.yaml", import.meta.url));
const generated = fileURLToPath(new URL("../src/generated", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "decart-drift-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What `--check` makes of the spec `text`: the generator's refusal (its message), or the files out of date (`stale`). */
async function check(text: string): Promise<{ refusal?: string; stale?: string[] }> {
  try {
    return { stale: staleFiles(await generate(text), generated) };
  } catch (e) {
    if (e instanceof SpecError) return { refusal: e.message };
    throw e;
  }
}

describe("generated code drift check", () => {
  it("passes when the committed code matches the spec", () => {
    const out = execFileSync(process.execPath, [script, "--check"], { encoding: "utf8" });
    expect(out).toContain("up to date");
  });

  it("names the line and column of a spec that is no valid YAML, without a stack", async () => {
    // A description given ": " without quotes, as "Deprecated: use `x`" would be.
    const spec = readFileSync(specPath, "utf8");
    const at = spec.indexOf("\n      description:", spec.indexOf("\n  /v1/jobs/lucy-dev-i2v:")) + 1;
    expect(at).toBeGreaterThan(0);
    const end = spec.indexOf("\n", at);
    const broken = `${spec.slice(0, end)} Deprecated: use it${spec.slice(end)}`;
    const line = broken.slice(0, at).split("\n").length;
    const copy = join(scratch, "bad.yaml");
    writeFileSync(copy, broken);
    const run = spawnSync(process.execPath, [script, "--check", "--spec", copy], { encoding: "utf8", cwd: scratch });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^bad\\.yaml:${line}:\\d+: \\S`));
    expect(run.stderr).not.toMatch(/YAMLParseError|\n\s+at /);
    // In the process, the same refusal: a SpecError with the place.
    const error = await generate(broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpecError);
    expect(error).toMatchObject({ line });
  });

  it("fails with the fix named when a field is edited without regenerating", () => {
    const spec = readFileSync(specPath, "utf8");
    const edited = spec.replace(/(PromptRequired:\n(?:.*\n)*?\s+maxLength: )1000/, "$12000");
    expect(edited).not.toBe(spec);
    const copy = join(scratch, "openapi.yaml");
    writeFileSync(copy, edited);
    const run = spawnSync(process.execPath, [script, "--check", "--spec", copy], { encoding: "utf8" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("out of date");
    expect(run.stderr).toContain("pnpm generate");
    expect(run.stderr).toContain("catalogue.ts");
  });

  it.each([
    [
      "the docs' figure",
      "x-decart-max-file-docs: 200 MB",
      "x-decart-max-file-docs: 190 MB",
      "as 190 MiB (199229440 bytes)",
    ],
    ["the docs' unit", "x-decart-max-file-docs: 200 MB", "x-decart-max-file-docs: 200 kB", "as 200 KiB (204800 bytes)"],
    [
      "the bytes, read the smaller way",
      "x-decart-max-file-bytes: 209715200",
      "x-decart-max-file-bytes: 200000000",
      "(200000000) is not",
    ],
  ])("fails when the limit of one file's two figures disagree: %s", async (_, from, to, said) => {
    const spec = readFileSync(specPath, "utf8");
    expect(spec).toContain(from);
    const { refusal } = await check(spec.replace(from, to));
    expect(refusal).toContain("x-decart-max-file-docs");
    expect(refusal).toContain("read the larger way");
    expect(refusal).toContain(said);
  });

  it.each(["200 MiB", "204800 KiB", "204800 kB", "0.1953125 GiB", "0.1953125 GB"])(
    "takes the docs' limit in binary units, in each usual spelling of its unit: %s is 209715200 bytes as 200 MB is",
    async (words) => {
      const spec = readFileSync(specPath, "utf8");
      const { refusal, stale } = await check(
        spec.replace("x-decart-max-file-docs: 200 MB", `x-decart-max-file-docs: ${words}`),
      );
      // Only the docs' words changed in the generated code: out of date, not refused.
      expect(refusal).toBeUndefined();
      expect(stale).toEqual(["catalogue.ts"]);
    },
  );

  it.each(["204800 kiB", "204800 KB", "200 mB", "200 Mib", "200 B", "200MB"])(
    "refuses a unit spelled otherwise, naming the spellings it takes: %s",
    async (words) => {
      const spec = readFileSync(specPath, "utf8");
      const { refusal } = await check(
        spec.replace("x-decart-max-file-docs: 200 MB", `x-decart-max-file-docs: ${words}`),
      );
      expect(refusal).toContain("needs x-decart-max-file-docs, a figure and a unit (kB, KiB, MB, MiB, GB, GiB)");
      expect(refusal).toContain(`(got "${words}")`);
    },
  );

  it("fails when the job_id and file_id path parameters disagree on their maxLength", () => {
    const spec = readFileSync(specPath, "utf8");
    const at = spec.indexOf("        - name: file_id");
    const edited = spec.slice(0, at) + spec.slice(at).replace("maxLength: 256", "maxLength: 128");
    expect(edited).not.toBe(spec);
    const copy = join(scratch, "ids.yaml");
    writeFileSync(copy, edited);
    const run = spawnSync(process.execPath, [script, "--check", "--spec", copy], { encoding: "utf8" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("the job_id and file_id path parameters need one maxLength");
    // The command prints the refusal after the spec's path, the generator's own message: no stack.
    expect(run.stderr).toMatch(/^\S*ids\.yaml: the job_id and file_id/);
    expect(run.stderr).not.toMatch(/TypeError|\n\s+at /);
  });

  it.each([
    ["a deprecated name", "lucy-pro-i2i", "typicalJobSeconds: 8", "typicalJobSeconds: 5", "typicalJobSeconds (5)"],
    ["an alias", "lucy-restyle-latest", "fps: 22", "fps: 30", "fps (30)"],
  ])("fails on %s (%s) whose facts differ from its target's", async (_, name, from, to, said) => {
    const spec = readFileSync(specPath, "utf8");
    const at = spec.indexOf(`        name: ${name}\n`);
    const end = spec.indexOf("requestBody:", at);
    expect(at).toBeGreaterThan(0);
    expect(spec.slice(at, end)).toContain(from);
    const { refusal } = await check(spec.slice(0, at) + spec.slice(at, end).replace(from, to) + spec.slice(end));
    expect(refusal).toContain(`model ${name} runs`);
    expect(refusal).toContain(said);
  });
});

describe("a field's schema the catalogue cannot carry", () => {
  const seed =
    "    Seed:\n      type: integer\n      minimum: 0\n      maximum: 4294967295\n      description: Random seed, for reproducible results.\n";
  const prompt = "    PromptRequired:\n      type: string\n      minLength: 1\n      maxLength: 1000\n";
  const trajectoryX = "            x:\n              type: number\n              minimum: 0\n";
  const run = (from: string, to: string) => {
    const spec = readFileSync(specPath, "utf8");
    expect(spec).toContain(from);
    return check(spec.replace(from, to));
  };

  it.each([
    ["pattern", prompt, `${prompt}      pattern: "^[^<>]*$"\n`, "field prompt (#/components/schemas/PromptRequired)"],
    ["exclusiveMinimum", seed, seed.replace("      maximum", "      exclusiveMinimum: 0\n      maximum"), "field seed"],
    ["exclusiveMaximum", seed, seed.replace("      maximum", "      exclusiveMaximum: 9\n      maximum"), "field seed"],
    ["multipleOf", seed, `${seed}      multipleOf: 2\n`, "field seed (#/components/schemas/Seed)"],
    ["allOf", seed, `${seed}      allOf:\n        - minimum: 1\n`, "field seed"],
    ["pattern", trajectoryX, `${trajectoryX}              pattern: "^1"\n`, "contentSchema.items.properties.x"],
  ])("refuses `%s`, naming the field's place in the spec and the keyword", async (keyword, from, to, place) => {
    const out = await run(from, to);
    expect(out.refusal).toContain(place);
    expect(out.refusal).toContain(`the keyword \`${keyword}\` is not carried by the catalogue`);
    expect(out.stale).toBeUndefined();
  });

  it("refuses an `anyOf` that is not an optional value (one schema or null)", async () => {
    const out = await run(
      seed,
      seed.replace("      type: integer\n", "      anyOf:\n        - type: integer\n        - type: string\n"),
    );
    expect(out.refusal).toContain(
      "field seed (#/components/schemas/Seed): `anyOf` is carried only as an optional value",
    );
  });

  it.each([
    [
      "FastAPI's optional seed, anyOf [{integer 0..4294967295}, {null}], default null (as pydantic writes it)",
      seed,
      '    Seed:\n      anyOf:\n        - type: integer\n          minimum: 0\n          maximum: 4294967295\n        - type: "null"\n      default: null\n      title: Seed\n      description: Random seed, for reproducible results.\n',
    ],
    ["a seed of type [integer, null]", seed, seed.replace("type: integer", 'type: [integer, "null"]')],
    [
      "Resolution720 as `const: 720p`",
      "    Resolution720:\n      type: string\n      enum:\n        - 720p\n",
      "    Resolution720:\n      type: string\n      const: 720p\n",
    ],
  ])("carries %s as the same catalogue: only the types differ", async (_, from, to) => {
    const out = await run(from, to);
    expect(out.refusal).toBeUndefined();
    expect(out.stale).toContain("openapi.ts");
    expect(out.stale).not.toContain("catalogue.ts");
  });
});
