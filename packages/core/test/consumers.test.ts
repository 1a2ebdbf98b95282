/**
 * The built declarations, as projects with settings other than this repository's compile them: each fixture of
 * test/fixtures/consumers imports the package by its name (its exports map, `dist/*.d.ts`) and must compile without
 * an error. Run after a build.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileErrors } from "test-utils/compile";
import { describe, expect, it } from "vitest";

const dir = join(dirname(fileURLToPath(import.meta.url)), "fixtures/consumers");

/** The compiler's errors for the fixture `file` under `options`, as text. */
const errorsOf = (file: string, options?: Parameters<typeof compileErrors>[1]) =>
  compileErrors(join(dir, file), options);

describe("the declarations in other projects", () => {
  it("take an explicit undefined for every optional option and input, with exactOptionalPropertyTypes", () => {
    expect(errorsOf("exact.ts", { exactOptionalPropertyTypes: true })).toEqual([]);
  });

  it("type a model definition of one's own (any name, fields of its own) without a cast; the catalogue's stay typed", () => {
    expect(errorsOf("own-model.ts")).toEqual([]);
  });

  it("take a generic SubmitOptions<M> in submitAndPoll, submitAndWatch and generate, as it is or spread with wait options", () => {
    for (const exactOptionalPropertyTypes of [false, true]) {
      expect(errorsOf("generic.ts", { exactOptionalPropertyTypes })).toEqual([]);
    }
  });

  it("name every option type, take a token's models (as const, typos refused) and a wrapper's options spread over a key", () => {
    expect(errorsOf("options.ts", { exactOptionalPropertyTypes: true })).toEqual([]);
  });

  it("name no generic typed array (Uint8Array<ArrayBuffer>), which TypeScript before 5.7 refuses in a library's declarations", () => {
    const built = join(dirname(fileURLToPath(import.meta.url)), "../dist");
    const generic = /\b(?:(?:Big)?(?:U?int|Float)(?:8|16|32|64)(?:Clamped)?Array|ArrayBufferView|DataView)</;
    const found = readdirSync(built)
      .filter((file) => file.endsWith(".d.ts"))
      .flatMap((file) =>
        readFileSync(join(built, file), "utf8")
          .split("\n")
          .filter((line) => generic.test(line))
          .map((line) => `${file}: ${line.trim()}`),
      );
    expect(found).toEqual([]);
  });

  it("compile in a Node project without the DOM lib, the libraries' declarations checked", () => {
    expect(errorsOf("no-dom.ts", { lib: ["lib.es2022.d.ts"], skipLibCheck: false })).toEqual([]);
  });
});
