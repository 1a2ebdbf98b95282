/**
 * The built declarations as other projects compile them: one with `exactOptionalPropertyTypes` passes an explicit
 * `undefined` for any option (not given, as queue-rx takes it at run time).
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const dir = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "consumers");

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
  it("take an explicit undefined for every option of watchJob, submitJob and submitAll, with exactOptionalPropertyTypes", () => {
    expect(
      errorsOf("exact.ts", {
        exactOptionalPropertyTypes: true,
        lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
        skipLibCheck: true,
      }),
    ).toEqual([]);
  });
});
