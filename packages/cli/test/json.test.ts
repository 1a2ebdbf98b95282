import { describe, expect, it } from "vitest";
import { jsonText } from "../src/json.js";

describe("jsonText", () => {
  it("writes a value nested deeper than JSON.stringify goes, as JSON.stringify writes the same data", () => {
    const depth = 100_000;
    const data = {
      text: 'a "quoted" \\ line\n',
      n: 1.5,
      nan: Number.NaN,
      yes: true,
      none: null,
      gone: undefined,
      fn: () => 1,
      list: [undefined, () => 1, Symbol("s"), 0, -0, "x"],
      at: new Date(0),
      'key "quoted"': {},
      empty: [],
    };
    let deep: unknown = data;
    for (let i = 0; i < depth; i++) deep = i % 2 ? [deep] : { k: deep };
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    let expected = JSON.stringify(data);
    for (let i = 0; i < depth; i++) expected = i % 2 ? `[${expected}]` : `{"k":${expected}}`;
    expect(jsonText(deep)).toBe(expected);
    // A value JSON.stringify writes is its text, a cycle its TypeError.
    expect(jsonText(data)).toBe(JSON.stringify(data));
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => jsonText(cycle)).toThrow(TypeError);
  });
});
