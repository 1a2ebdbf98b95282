/**
 * An error printed by a printer that prints what a `nodejs.util.inspect.custom` hook returns (chai's, which Vitest's
 * `expect` uses for its messages) when the error is not tagged an Error: a Proxy of one (a reactive store's), an object
 * made from one. The hook is there only while the `jobId` is key-like, and what it returns has none: the printer does
 * not call it again and again until the stack overflows, and a key-like id is still printed by its length.
 */
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { NotFoundError } from "../src/index.js";

const KEY = "dct_pasted_key_0123456789abcdef";

/** What a failing `toEqual` of `got` against `want` throws. */
const failure = (got: unknown, want: unknown) => {
  try {
    expect(got).toEqual(want);
  } catch (e) {
    return e as Error;
  }
  throw new Error("toEqual passed");
};

describe("an error printed by Vitest's expect", () => {
  for (const id of ["job_0123", KEY])
    it(`${id.slice(0, 4)}…: a Proxy of an error, an object made from one: the comparison fails as an assertion`, () => {
      const error = new NotFoundError("Job gone", { jobId: id });
      for (const got of [new Proxy(error, {}), Object.create(error)]) {
        const e = failure(got, new NotFoundError("Job other", { jobId: "job_9" }));
        expect(e.name).toBe("AssertionError");
        expect(e.message).toContain("to deeply equal");
        expect(e.message).not.toContain(KEY.slice(0, 8));
      }
      // Node's print as before: a key-like id by its length, a job's id as it is.
      const printed = inspect(new Proxy(error, {}));
      expect(printed).toContain(id === KEY ? `jobId: '${KEY.length} characters'` : "jobId: 'job_0123'");
      expect(printed).not.toContain(KEY.slice(0, 8));
    });
});
