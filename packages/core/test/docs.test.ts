// The API reference as TypeDoc builds it (`pnpm run docs`): what a user reads there, and in an editor's hover text,
// which comes from the same TSDoc comments.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describeDocs } from "test-utils/typedoc";
import { Comment, type DeclarationReflection, ReflectionKind } from "typedoc";
import ts from "typescript";
import { expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

// No warning (`Schema`, `checkWatchOptions`' `also`, is exported; `Control`, `Uploads` and `AnyErrorClass` are shown
// inline, `@inline`; `OneOf` and `ObjectFromSchema` are the machinery of `Inputs` and `FromSchema`:
// `intentionallyNotExported` in tsconfig.build.json), and every export of every entry has a comment; then these.
describeDocs(root, [], (project) => {
  /** The text of the comment of `path` (`@decart/core.WaitOptions.timeoutMs`), a function's or method's signature's. */
  function docOf(path: string): string {
    const found = project().getChildByName(path) as DeclarationReflection | undefined;
    expect(found, path).toBeDefined();
    const comment = found!.comment ?? found!.signatures?.[0]?.comment;
    return comment ? Comment.combineDisplayParts(comment.summary) : "";
  }

  it("names each entry by its import path, with its module comment: the main entry is `@decart/core`, not an unnamed module", () => {
    // The entries TypeDoc reads from `exports`, which it would name by their keys ("." becoming "").
    const paths = Object.keys(pkg.exports)
      .filter((key) => key !== "./package.json")
      .map((key) => `${pkg.name}${key.slice(1)}`);
    const modules = project().children ?? [];
    expect(modules.map((m) => m.name).sort()).toEqual(paths.sort());
    for (const m of modules) expect(m.comment?.summary.length, m.name).toBeGreaterThan(0);
  });

  it("gives members a user must use a comment: the files methods, and the fields of a status read's answer", () => {
    // (The fields' descriptions come from the spec through @decart/api, as `@description` tags.)
    const files = project().getChildByName("@decart/core.DecartClient.files") as DeclarationReflection;
    const methods = (files.type as { declaration?: DeclarationReflection }).declaration;
    for (const name of ["upload", "get", "delete"]) {
      const comment = (methods?.getChildByName(name) as DeclarationReflection | undefined)?.signatures?.[0]?.comment;
      expect(comment?.summary.length, `files.${name}`).toBeGreaterThan(0);
    }
    // (TypeDoc shows an alias of the spec's schema as such, without its fields: read them as an editor does.)
    const program = ts.createProgram([join(root, "src/index.ts")], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      noEmit: true,
    });
    const checker = program.getTypeChecker();
    const entry = checker.getSymbolAtLocation(program.getSourceFile(join(root, "src/index.ts"))!)!;
    for (const name of ["JobStatusResponse", "JobSubmitResponse"]) {
      const alias = checker.getExportsOfModule(entry).find((s) => s.name === name)!;
      const declared = alias.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(alias) : alias;
      const type = checker.getDeclaredTypeOfSymbol(declared);
      for (const field of ["job_id", "status"]) {
        const property = type.getProperty(field);
        // A comment's text, or the spec's `@description` tag's.
        const text =
          ts.displayPartsToString(property?.getDocumentationComment(checker)) +
          (property?.getJsDocTags(checker) ?? []).map((tag) => ts.displayPartsToString(tag.text)).join("");
        expect(text, `${name}.${field}`).not.toBe("");
      }
    }
  });

  it("lists every option of `createDecartClient` under DecartClientOptions, the settings' too (not an intersection)", () => {
    // Its options as an editor reads them: every property of the type.
    const program = ts.createProgram([join(root, "src/index.ts")], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      noEmit: true,
    });
    const checker = program.getTypeChecker();
    const entry = checker.getSymbolAtLocation(program.getSourceFile(join(root, "src/index.ts"))!)!;
    const alias = checker.getExportsOfModule(entry).find((s) => s.name === "DecartClientOptions")!;
    const declared = alias.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(alias) : alias;
    const options = checker
      .getPropertiesOfType(checker.getDeclaredTypeOfSymbol(declared))
      .map((p) => p.name)
      .sort();
    expect(options).toContain("apiKey");
    expect(options).toContain("baseUrl");
    const listed = project().getChildByName("@decart/core.DecartClientOptions") as DeclarationReflection;
    expect(listed.kind).toBe(ReflectionKind.Interface);
    expect((listed.children ?? []).map((c) => c.name).sort()).toEqual(options);
    for (const child of listed.children ?? []) expect(child.comment?.summary.length, child.name).toBeGreaterThan(0);
  });

  it("has a createTokenRoute sample that compiles, given only what it says is yours (`session`, a Hono `app`)", () => {
    const [, sample] = /```ts\n([\s\S]*?)```/.exec(docOf("@decart/core/server.createTokenRoute")) ?? [];
    expect(sample).toBeDefined();
    const file = join(root, "test/token-route-sample.ts");
    const text = `${sample!.replace('"@decart/core/server"', '"../src/server.js"')}
declare function session(request: Request): Promise<unknown>;
declare const app: { post(path: string, handler: (c: { req: { raw: Request } }) => Promise<Response>): void };
`;
    const options: ts.CompilerOptions = {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      lib: ["lib.es2023.d.ts", "lib.dom.d.ts"],
      types: ["node"],
      strict: true,
      noEmit: true,
    };
    const host = ts.createCompilerHost(options);
    const { getSourceFile, fileExists, readFile } = host;
    host.fileExists = (name) => name === file || fileExists(name);
    host.readFile = (name) => (name === file ? text : readFile(name));
    host.getSourceFile = (name, version, ...rest) =>
      name === file ? ts.createSourceFile(name, text, version) : getSourceFile(name, version, ...rest);
    const program = ts.createProgram([file], options, host);
    const errors = ts
      .getPreEmitDiagnostics(program, program.getSourceFile(file))
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(errors).toEqual([]);
  });

  it("says what a submit cut off by the budget throws: a `TimeoutError` with code SUBMIT_OUTCOME_UNKNOWN, no job id", () => {
    // What budget.test.ts shows ("a submit cut off by the budget after its body was sent"): not a `JobTimeoutError`,
    // which code written from the docs would take for a job that exists, or for one that does not and can be resent.
    for (const path of ["@decart/core.WaitOptions.timeoutMs", "@decart/core.QueueClient.submitAndWatch"]) {
      const text = docOf(path);
      expect(text, path).toMatch(/`TimeoutError` with code\s+`SUBMIT_OUTCOME_UNKNOWN`/);
      expect(text, path).toMatch(/a job may exist/);
    }
  });
});
