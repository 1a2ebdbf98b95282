/**
 * The built declarations as other projects compile them: one with `exactOptionalPropertyTypes` passes an explicit
 * `undefined` for any option (not given, as queue-rx takes it at run time).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileErrors } from "test-utils/compile";
import { describe, expect, it } from "vitest";

const dir = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "consumers");

/** The compiler's errors for the fixture `file` under `options`, as text. */
const errorsOf = (file: string, options?: Parameters<typeof compileErrors>[1]) =>
  compileErrors(join(dir, file), options);

describe("the declarations in other projects", () => {
  it("take an explicit undefined for every option of watchJob, submitJob and submitAll, with exactOptionalPropertyTypes", () => {
    expect(errorsOf("exact.ts", { exactOptionalPropertyTypes: true })).toEqual([]);
  });

  it("take submitAll's inputs with or without a key, its events typed with the key given; a model of one's own", () => {
    expect(errorsOf("batch-keys.ts", { exactOptionalPropertyTypes: true })).toEqual([]);
  });

  it("keep the events' type through retryWatch, as download makes them (JobEventOf)", () => {
    expect(errorsOf("retry.ts")).toEqual([]);
  });
});
