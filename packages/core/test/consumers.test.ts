/**
 * The built declarations, as projects with settings other than this repository's compile them: each fixture of
 * test/fixtures/consumers imports the package by its name (its exports map, `dist/*.d.ts`) and must compile without
 * an error. Run after a build.
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const dir = join(dirname(fileURLToPath(import.meta.url)), "fixtures/consumers");

/** The compiler's errors for `file` under `options` (over strict ES2022 NodeNext), as text. */
function errorsOf(file: string, options: ts.CompilerOptions): string[] {
  const program = ts.createProgram([join(dir, file)], {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
    types: ["node"],
    ...options,
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file ? resolve(d.file.fileName) : ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
}

describe("the declarations in other projects", () => {
  it("take an explicit undefined for every optional option and input, with exactOptionalPropertyTypes", () => {
    expect(
      errorsOf("exact.ts", {
        exactOptionalPropertyTypes: true,
        lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
        skipLibCheck: true,
      }),
    ).toEqual([]);
  });

  it("compile in a Node project without the DOM lib, the libraries' declarations checked", () => {
    expect(errorsOf("no-dom.ts", { lib: ["lib.es2022.d.ts"], skipLibCheck: false })).toEqual([]);
  });
});
