/**
 * The codes the CLI prints (its own, `CLI_CODES`, and the client's, `errorCodes` of `@decart/core`, the list the client
 * sets: one the client adds is one the CLI passes on, and must be in the table) are each in the README's "Error codes"
 * table, read from the README; and the table names no other (but the system's, `ENOSPC` …).
 */
import { readFileSync } from "node:fs";
import { constants } from "node:os";
import { errorCodes } from "@decart/core";
import { describe, expect, it } from "vitest";
import { CLI_CODES } from "../src/codes.js";

/** The codes in the first column of the README's "Error codes" table. */
function tableCodes(): string[] {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const start = readme.indexOf("\n### Error codes\n");
  expect(start, "the README has an Error codes section").toBeGreaterThan(0);
  const lines = readme.slice(start).split("\n");
  const first = lines.findIndex((line) => line.startsWith("|"));
  const end = lines.findIndex((line, i) => i > first && !line.startsWith("|"));
  // The table's rows (its header and rule have no code).
  const rows = lines.slice(first, end).filter((line) => line.startsWith("| `"));
  expect(rows.length).toBeGreaterThan(0);
  return rows.flatMap((row) => [...row.split("|")[1]!.matchAll(/`([A-Z][A-Z_]*)`/g)].map((m) => m[1]!));
}

describe("the README's Error codes table", () => {
  it("names every code of the CLI's own and of the client's, and no other but the system's", () => {
    const listed = tableCodes();
    for (const code of [...CLI_CODES, ...errorCodes]) expect(listed, code).toContain(code);
    const known = new Set<string>([...CLI_CODES, ...errorCodes]);
    for (const code of listed) {
      expect(known.has(code) || Object.hasOwn(constants.errno, code), `${code} is no code the CLI prints`).toBe(true);
    }
    // Each once.
    expect(new Set(listed).size).toBe(listed.length);
  });
});
