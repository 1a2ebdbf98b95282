import { describe, expect, it } from "vitest";
import { brokenRules, catalogue, type ModelRule } from "../src/index.js";

const restyle = catalogue["lucy-restyle-2"].rules;
const given =
  (...names: string[]) =>
  (field: string) =>
    names.includes(field);

describe("brokenRules", () => {
  it("reads the catalogue's restyle rules: exactly one of prompt / reference_image", () => {
    expect(restyle.length).toBe(2);
    expect(brokenRules(restyle, given("video", "prompt")).map((r) => r.rule)).toEqual([]);
    expect(brokenRules(restyle, given("video", "reference_image")).map((r) => r.rule)).toEqual([]);
    expect(brokenRules(restyle, given("video")).map((r) => r.rule)).toEqual(["exactlyOne"]);
    expect(brokenRules(restyle, given("video", "prompt", "reference_image")).map((r) => r.rule)).toEqual([
      "exactlyOne",
    ]);
  });

  it("reads forbiddenWith: enhance_prompt is refused beside reference_image only", () => {
    expect(brokenRules(restyle, given("reference_image", "enhance_prompt")).map((r) => r.message)).toEqual([
      restyle[1].message,
    ]);
    expect(brokenRules(restyle, given("prompt", "enhance_prompt"))).toEqual([]);
  });

  it("reports a rule of an unknown kind as broken", () => {
    const rules: ModelRule[] = [{ rule: "someNewRule", fields: ["a"], message: "new" }];
    expect(brokenRules(rules, given("a"))).toEqual(rules);
  });

  it("knows every rule kind the catalogue uses", () => {
    const kinds = new Set(Object.values(catalogue).flatMap((m) => m.rules.map((r: ModelRule) => r.rule)));
    expect([...kinds].sort()).toEqual(["exactlyOne", "forbiddenWith"]);
  });
});
