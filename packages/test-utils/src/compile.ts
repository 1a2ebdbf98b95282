import { resolve } from "node:path";
import ts from "typescript";

/**
 * The type errors of `file` compiled as a project of its own would compile it (strict, NodeNext, the ES2022 and DOM
 * libraries, other packages' declarations not checked; `options` over that), each as `path: message`: the packages' consumer fixtures, compiled against the built declarations. (An entry of its
 * own: TypeScript takes a while to load, and only these tests need it.)
 */
export function compileErrors(file: string, options: ts.CompilerOptions = {}): string[] {
  const program = ts.createProgram([file], {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
    types: ["node"],
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    skipLibCheck: true,
    ...options,
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file ? resolve(d.file.fileName) : ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
}
