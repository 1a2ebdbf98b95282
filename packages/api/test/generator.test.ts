// What the generator makes of a spec an API release may bring: each case edits a copy of the spec and generates from it
// in the process (writing into a scratch directory, the checkout untouched), reading the catalogue it makes, or the
// generator's refusal. (The command itself, its exit code and what it prints, is drift.test.ts's.)
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { generate as generateFiles, SpecError } from "../scripts/generate.mjs";
import { catalogue } from "../src/index.js";

const index = fileURLToPath(new URL("../src/index.ts", import.meta.url));
const spec = readFileSync(fileURLToPath(new URL("../../../spec/openapi.yaml", import.meta.url)), "utf8");
const scratch = mkdtempSync(join(tmpdir(), "decart-generator-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let runs = 0;

/** The spec with each `[from, to]` replaced once (each `from` must be there). */
function edited(...edits: [string, string][]): string {
  let text = spec;
  for (const [from, to] of edits) {
    expect(text, from).toContain(from);
    text = text.replace(from, to);
  }
  return text;
}

/** The lines of the spec's path item `path` (up to the next one), as text. */
function pathItem(path: string): string {
  const at = spec.indexOf(`\n  ${path}:\n`) + 1;
  expect(at).toBeGreaterThan(0);
  const next = spec.slice(at + 3).search(/\n {2}\/|\ncomponents:/);
  return spec.slice(at, at + 3 + next + 1);
}

/** Generates from `text` (failing on a refusal): `src/index.ts` over its output, in `dir`. */
async function generate(text: string) {
  const files = await generateFiles(text);
  const dir = join(scratch, `run-${++runs}`);
  mkdirSync(join(dir, "src/generated"), { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, "src/generated", file), content);
  copyFileSync(index, join(dir, "src/index.ts"));
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  const api: typeof import("../src/index.js") = await import(join(dir, "src/index.ts"));
  return { api, dir };
}

/** The generator's refusal of `text`: a `SpecError`'s message, which the command prints (after the spec's path). */
async function refusal(text: string): Promise<string> {
  const error = await generateFiles(text).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SpecError);
  return (error as SpecError).message;
}

describe("a model deprecated in favour of another", () => {
  const lucy21 = "      x-decart-model:\n        name: lucy-2.1\n";
  const deprecate = (to: string) =>
    [lucy21, `      deprecated: true\n${lucy21}        deprecatedInFavourOf: ${to}\n`] as [string, string];

  it("may name a successor, another model (lucy-2.1 in favour of lucy-2.5), which it does not run", async () => {
    // (The retired lucy-2-v2v then names lucy-2.5: a retired model's replacement is no deprecated one.)
    const retired = "  - name: lucy-2-v2v\n    replacement: lucy-2.1\n";
    const { api } = await generate(edited(deprecate("lucy-2.5"), [retired, retired.replace("lucy-2.1", "lucy-2.5")]));
    expect(api!.catalogue["lucy-2.1"]).toMatchObject({ deprecated: true, deprecatedInFavourOf: "lucy-2.5" });
    // The name runs itself, and so does its alias: lucy-2.1's facts are not lucy-2.5's.
    expect(api!.canonicalModel("lucy-2.1")).toBe("lucy-2.1");
    expect(api!.canonicalModel("lucy-latest")).toBe("lucy-2.1");
    // A deprecated name the server runs as its replacement (aliasOf too) still runs it.
    expect(api!.canonicalModel("lucy-pro-v2v")).toBe("lucy-clip");
  });

  it.each([
    ["no model of the spec", "lucy-9", "deprecatedInFavourOf lucy-9 is no model of the spec"],
    ["a model of another kind", "lucy-image-2", "deprecatedInFavourOf lucy-image-2 is an image model, not a video one"],
    ["a deprecated model", "lucy-pro-v2v", "deprecatedInFavourOf lucy-pro-v2v is deprecated too: name lucy-clip"],
  ])("may not name %s", async (_, to, said) => {
    expect(await refusal(edited(deprecate(to)))).toContain(`model lucy-2.1: x-decart-model.${said}`);
  });

  it("runs its replacement only as an alias of it, with the same facts (aliasOf)", async () => {
    const said = await refusal(
      edited([
        lucy21,
        `      deprecated: true\n${lucy21}        aliasOf: lucy-2.5\n        deprecatedInFavourOf: lucy-2.5\n`,
      ]),
    );
    expect(said).toContain("model lucy-2.1 runs lucy-2.5 (x-decart-model.aliasOf), but its");
    expect(said).toContain("a model to use instead that is another model is its deprecatedInFavourOf alone");
  });
});

describe("a retired model's replacement", () => {
  const last = "  - name: lucy-fast-v2v\n    replacement: lucy-clip\n";
  const retire = (name: string, replacement: string) =>
    [last, `${last}  - name: ${name}\n    replacement: ${replacement}\n`] as [string, string];

  it.each([
    [
      "a model retired itself (a chain)",
      retire("lucy-old-v2v", "lucy-fast-v2v"),
      "x-decart-retired-models: lucy-old-v2v: its replacement lucy-fast-v2v is retired too (lucy-old-v2v → lucy-fast-v2v → lucy-clip): name lucy-clip, the model served",
    ],
    [
      "no model of the spec",
      retire("lucy-old-v2v", "lucy-nope"),
      "x-decart-retired-models: lucy-old-v2v: its replacement lucy-nope is no model the spec serves (lucy-old-v2v → lucy-nope)",
    ],
    [
      "a deprecated model with a replacement",
      retire("lucy-old-v2v", "lucy-pro-v2v"),
      "x-decart-retired-models: lucy-old-v2v: its replacement lucy-pro-v2v is deprecated: name lucy-clip",
    ],
    [
      "a deprecated model with no replacement",
      retire("lucy-old-v2v", "lucy-motion"),
      "x-decart-retired-models: lucy-old-v2v: its replacement lucy-motion is deprecated, with no replacement",
    ],
    [
      "of a model still served (its own name)",
      retire("lucy-clip", "lucy-2.1"),
      "x-decart-retired-models: lucy-clip is retired, yet an operation serves it",
    ],
  ])("is refused when it is %s, naming the chain or the clash", async (_, edit, said) => {
    expect(await refusal(edited(edit))).toContain(said);
  });

  it("is a served model in every retired entry of the catalogue made", async () => {
    const { api } = await generate(edited(retire("lucy-old-v2v", "lucy-clip")));
    expect(api!.retiredModels.at(-1)).toEqual({ name: "lucy-old-v2v", replacement: "lucy-clip" });
    for (const r of api!.retiredModels) expect(api!.isModelName(r.replacement), r.name).toBe(true);
  });
});

/** The type errors of `src/index.ts` over a generated catalogue (in `dir`), as the package's build checks it. */
function typeErrors(dir: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    fileURLToPath(new URL("../tsconfig.build.json", import.meta.url)),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  )!;
  const program = ts.createProgram([join(dir, "src/index.ts")], { ...config.options, noEmit: true, rootDir: dir });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

describe("a video model's routes", () => {
  // lucy-pro-t2v's operation, copied as lucy-pro-t2v-2's: a new video model, with no deprecated synchronous route.
  const t2v2 = pathItem("/v1/jobs/lucy-pro-t2v")
    .replaceAll("lucy-pro-t2v", "lucy-pro-t2v-2")
    .replaceAll("lucy_pro_t2v", "lucy_pro_t2v_2");
  const before = "  /v1/jobs/lucy-pro-i2v:\n";

  it("need not include the deprecated synchronous one: the entry has none, and the catalogue type-checks", async () => {
    const { api, dir } = await generate(edited([before, t2v2 + before]));
    const entry = api!.catalogue["lucy-pro-t2v-2" as "lucy-pro-t2v"];
    expect(entry).toMatchObject({ name: "lucy-pro-t2v-2", kind: "video", path: "/v1/jobs/lucy-pro-t2v-2" });
    expect("legacySyncPath" in entry).toBe(false);
    expect(api!.isVideoModelName("lucy-pro-t2v-2")).toBe(true);
    // The others keep theirs.
    expect(api!.catalogue["lucy-pro-t2v"].legacySyncPath).toBe("/v1/generate/lucy-pro-t2v");
    expect(typeErrors(dir)).toEqual([]);
  });

  it.each([
    [
      "its operation elsewhere",
      [before, t2v2.replace("  /v1/jobs/lucy-pro-t2v-2:", "  /v1/queue/lucy-pro-t2v-2:") + before],
      "model lucy-pro-t2v-2: its operation is at /v1/queue/lucy-pro-t2v-2, but a video model's is at /v1/jobs/lucy-pro-t2v-2",
    ],
    [
      "its deprecated synchronous route elsewhere",
      ["  /v1/generate/lucy-pro-t2v:\n", "  /v1/generate/lucy-pro-t2v-old:\n"],
      "model lucy-pro-t2v: its deprecated synchronous route (x-decart-legacy-sync-of) is at /v1/generate/lucy-pro-t2v-old, but a video model's is at /v1/generate/lucy-pro-t2v, or there is none",
    ],
  ])("are refused with %s, saying where they go", async (_, edit, said) => {
    expect(await refusal(edited(edit as [string, string]))).toContain(said);
  });
});

describe("a model the catalogue cannot represent", () => {
  const t2v = "  /v1/jobs/lucy-pro-t2v:\n";
  const i2v = "  /v1/jobs/lucy-pro-i2v:\n";
  // lucy-pro-t2v's operation, copied as another model's (`name`, at `route`), with `edit` made to it.
  const copy = (name: string, route: string, ...edits: [string, string][]) => {
    let text = pathItem("/v1/jobs/lucy-pro-t2v")
      .replace(t2v, `  ${route}:\n`)
      .replaceAll("name: lucy-pro-t2v", `name: ${name}`)
      .replaceAll("lucy_pro_t2v", name.replaceAll("-", "_"));
    for (const [from, to] of edits) {
      expect(text, from).toContain(from);
      text = text.replace(from, to);
    }
    return [i2v, text + i2v] as [string, string];
  };

  it.each([
    [
      "a JSON body",
      [
        copy("lucy-url-v2v", "/v1/jobs/lucy-url-v2v", ['requestBodies/TextToVideo"', 'requestBodies/UrlEdit"']),
        [
          "  requestBodies:\n",
          "  requestBodies:\n    UrlEdit:\n      content:\n        application/json:\n          schema:\n            type: object\n",
        ],
      ],
      'paths["/v1/jobs/lucy-url-v2v"].post.requestBody (#/components/requestBodies/UrlEdit): its content is application/json; the catalogue carries a model whose body is multipart/form-data alone',
    ],
    [
      "a model of kind realtime",
      [copy("lucy-rt-2", "/v1/generate/lucy-rt-2", ["kind: video", "kind: realtime"])],
      'paths["/v1/generate/lucy-rt-2"].post.x-decart-model.kind: "realtime" is no kind the catalogue carries (video, image)',
    ],
    [
      "a form field of type array",
      [
        [
          "    PromptRequired:\n      type: string\n",
          "    PromptRequired:\n      type: array\n      items:\n        type: string\n",
        ],
      ],
      "field prompt (#/components/schemas/PromptRequired): the keyword `items` is not carried",
    ],
    [
      "a form field of type array, its keywords all carried",
      [["    PromptRequired:\n      type: string\n", "    PromptRequired:\n      type: array\n"]],
      'field prompt (#/components/schemas/PromptRequired): a form field\'s type is one of string, integer, number, boolean, a file or JSON text (got "array": send it as JSON text',
    ],
  ])("is refused before it is read, naming its place in the spec: %s", async (_, edits, said) => {
    // (A SpecError: the command prints the generator's own message, not a stack.)
    const message = await refusal(edited(...(edits as [string, string][])));
    expect(message).toContain(said);
    expect(message).not.toMatch(/TypeError|\n\s+at /);
  });
});

describe("a model's cross-field rules (x-decart-rules)", () => {
  const at = "#/components/schemas/RestyleInput/x-decart-rules";
  const rules = "      x-decart-rules:\n";
  it.each([
    [
      "a rule of a kind the client and the emulator do not check",
      [
        rules,
        `${rules}        - rule: atLeastOne\n          fields: [prompt, reference_image]\n          message: Give one\n`,
      ],
      `${at}[0].rule: "atLeastOne" is no kind of rule the client and the emulator check (exactlyOne, forbiddenWith)`,
    ],
    [
      "a rule naming a field the form lacks",
      ["          with: reference_image\n", "          with: refrence_image\n"],
      `${at}[1]: the rule names the field "refrence_image", which the form does not have (`,
    ],
    [
      "an exactlyOne rule naming a field the form lacks",
      ["            - reference_image\n", "            - reference_img\n"],
      `${at}[0]: the rule names the field "reference_img", which the form does not have (`,
    ],
    [
      "a rule with a key of another kind",
      ["          with: reference_image\n", "          with: reference_image\n          fields: [prompt]\n"],
      `${at}[1]: a forbiddenWith rule has field, with, message, not \`fields\``,
    ],
  ])("is refused, naming its place: %s", async (_, edit, said) => {
    expect(await refusal(edited(edit as [string, string]))).toContain(said);
  });
});

describe("x-decart-model's keys", () => {
  const dev = "      x-decart-model:\n        name: lucy-dev-i2v\n";
  const at = 'paths["/v1/jobs/lucy-dev-i2v"].post.x-decart-model: the key';
  it.each([
    [
      "deprecatedInFavorOf",
      "lucy-pro-i2v",
      "`deprecatedInFavorOf` is not one the catalogue reads: did you mean `deprecatedInFavourOf`?",
    ],
    ["aliasof", "lucy-pro-i2v", "`aliasof` is not one the catalogue reads: did you mean `aliasOf`?"],
    [
      "deprecated",
      "true",
      "`deprecated` is not one the catalogue reads: a deprecated model is the operation's `deprecated: true`",
    ],
    ["replacement", "lucy-pro-i2v", "`replacement` is not one the catalogue reads: the keys are name, kind, fps"],
  ])("refuses a key it does not read (%s), naming the nearest it does", async (key, value, said) => {
    expect(await refusal(edited([dev, `      deprecated: true\n${dev}        ${key}: ${value}\n`]))).toContain(
      `${at} ${said}`,
    );
  });
});

describe("a field's limits that contradict each other", () => {
  it.each([
    [
      "a default outside its enum",
      [
        "        - 720p\n      default: 720p\n      description: Output resolution.\n    Resolution720or480",
        "        - 720p\n      default: 1080p\n      description: Output resolution.\n    Resolution720or480",
      ],
      '(#/components/schemas/Resolution720): its default "1080p" is not one of its enum (720p)',
    ],
    [
      "a default above its maximum",
      ["      maximum: 4294967295\n", "      maximum: 4294967295\n      default: 4294967296\n"],
      "(#/components/schemas/Seed): its default 4294967296 is above its maximum 4294967295",
    ],
    [
      "a default below its minimum",
      [
        "      minimum: 0\n      maximum: 4294967295\n",
        "      minimum: 0\n      maximum: 4294967295\n      default: -1\n",
      ],
      "(#/components/schemas/Seed): its default -1 is below its minimum 0",
    ],
    [
      "a default longer than its maxLength",
      ["      minLength: 0\n      maxLength: 1000\n", "      minLength: 0\n      maxLength: 3\n      default: four\n"],
      '(#/components/schemas/PromptMayBeEmpty): its default "four" is longer than its maxLength 3',
    ],
    [
      "a minLength above its maxLength",
      [
        "      minLength: 1\n      maxLength: 1000\n      description: What to generate.",
        "      minLength: 10\n      maxLength: 5\n      description: What to generate.",
      ],
      "(#/components/schemas/PromptRequired): `minLength: 10` is above `maxLength: 5`: no value would do",
    ],
    [
      "a minimum above its maximum",
      ["      minimum: 0\n      maximum: 4294967295\n", "      minimum: 10\n      maximum: 5\n"],
      "(#/components/schemas/Seed): `minimum: 10` is above `maximum: 5`: no value would do",
    ],
  ])("is refused, naming the field: %s", async (_, edit, said) => {
    expect(await refusal(edited(edit as [string, string]))).toContain(said);
  });
});

describe("a request body's name", () => {
  // The spec with each request body `from` renamed `to` (its definition and every reference to it).
  const renamed = (...names: [string, string][]) => {
    let text = spec;
    for (const [from, to] of names) {
      expect(text).toContain(`\n    ${from}:\n`);
      text = text
        .replaceAll(`"#/components/requestBodies/${from}"`, `"#/components/requestBodies/${to}"`)
        .replace(new RegExp(`(\\n  requestBodies:\\n(?:.*\\n)*?)    ${from}:\\n`), `$1    ${to}:\n`);
    }
    return text;
  };
  it.each([
    ["no JS identifier", [["TextToVideo", "TextToVideo-Neo"]]],
    ["a global the module would shadow", [["TextToVideo", "Object"]]],
    ["a name of the module's own", [["TextToVideo", "frozen"]]],
    [
      "two names that come out the same",
      [
        ["TextToVideo", "Text.Video"],
        ["ImageToVideo", "Text-Video"],
      ],
    ],
  ])("may be %s: the catalogue is the same, and type-checks", async (_, names) => {
    const { api, dir } = await generate(renamed(...(names as [string, string][])));
    expect(JSON.stringify(api!.catalogue)).toBe(JSON.stringify(catalogue));
    expect(typeErrors(dir)).toEqual([]);
  });
});
