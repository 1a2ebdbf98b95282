/**
 * The built declarations as other projects compile them: one with `exactOptionalPropertyTypes` passes an explicit
 * `undefined` for any option of the hooks (not given, as they take it at run time).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileErrors } from "test-utils/compile";
import { describe, expect, it } from "vitest";

const dir = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "consumers");

describe("the declarations in other projects", () => {
  it("take an explicit undefined for every option of useJob, useGenerateVideo and DecartProvider's props (a key of another form as undefined; both forms given refused), with exactOptionalPropertyTypes", () => {
    expect(compileErrors(join(dir, "exact.ts"), { exactOptionalPropertyTypes: true })).toEqual([]);
  });

  it("narrow the state by its status: `result` is the Blob once `completed` (undefined with download: false), with and without exactOptionalPropertyTypes", () => {
    for (const exactOptionalPropertyTypes of [false, true]) {
      expect(compileErrors(join(dir, "narrowing.ts"), { exactOptionalPropertyTypes })).toEqual([]);
    }
  });

  it("type the state's error as a DecartError, and take a model definition of one's own in useJob and the submits", () => {
    expect(compileErrors(join(dir, "state.ts"), { exactOptionalPropertyTypes: true })).toEqual([]);
  });
});
