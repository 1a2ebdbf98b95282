/**
 * `errorCodes` (the list that `ErrorCode`, the type of `DecartError.code`, is made of) lists every code the source can
 * set, and the README's "Errors" table says when each comes: the codes are read from the source (each error class's
 * default, made by its constructor, and each literal given as a `code` where an error is made), from the list and from
 * the table, and compared.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as core from "../src/index.js";

const src = new URL("../src/", import.meta.url);
const sources = readdirSync(src)
  .filter((f) => f.endsWith(".ts"))
  .map((f) => readFileSync(new URL(f, src), "utf8"));
const literals = (text: string) => [...text.matchAll(/"([A-Z][A-Z_]+)"/g)].map((m) => m[1]!);

/** What the source sets: each class's own code, and the literals given to `code` (`code: …`, `code = …`, `?? …`). */
function codesOfSource(): Set<string> {
  const codes = new Set<string>();
  for (const value of Object.values(core)) {
    if (typeof value !== "function" || !(value.prototype instanceof Error)) continue;
    const error = new (value as typeof core.DecartError)("x");
    if (!core.DecartError.isInstance(error)) continue;
    // These two are made with a code of their own, always (checked below): their class's default is never set by the
    // client. (`DecartError`'s, `DECART`, is that of one you make without a code: a code of the type and the table.)
    if (value === core.ConnectionError) continue;
    codes.add(error.code);
  }
  for (const text of sources) {
    for (const m of text.matchAll(/\bcode\s*(?::|=(?!=)|\?\?)([^,;}\n]*)/g))
      for (const c of literals(m[1]!)) codes.add(c);
    // Every `new DecartError(` and `new ConnectionError(` gives a code (within the call's next lines).
    for (const m of text.matchAll(/new (DecartError|ConnectionError)\(/g)) {
      const call = text
        .slice(m.index, m.index + 400)
        .split("\n")
        .slice(0, 6)
        .join("\n");
      expect(call, `${m[0]} without a code`).toMatch(/\bcode\b/);
    }
  }
  return codes;
}

/** The members of `ErrorCode`: those of `errorCodes`, its list at run time, each once. */
function typeCodes(): Set<string> {
  const codes = new Set<string>(core.errorCodes);
  expect(codes.size, "errorCodes names each code once").toBe(core.errorCodes.length);
  return codes;
}

/** The codes of the README's "Errors" table (its second column). */
function readmeCodes(): Set<string> {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const table = readme.slice(readme.indexOf("| class | codes | when |")).split("\n\n")[0]!;
  const codes = new Set<string>();
  for (const row of table.split("\n").slice(2))
    for (const m of row.split("|")[2]!.matchAll(/`([A-Z_]+)`/g)) codes.add(m[1]!);
  return codes;
}

describe("error codes", () => {
  it("errorCodes (ErrorCode) lists every code the source sets, and no other", () => {
    const source = codesOfSource();
    expect(source.size).toBeGreaterThan(20);
    expect([...typeCodes()].sort()).toEqual([...source].sort());
  });

  it("the README's Errors table names every code, and no other", () => {
    expect([...readmeCodes()].sort()).toEqual([...codesOfSource()].sort());
  });
});
