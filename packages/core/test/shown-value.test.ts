/**
 * `shownValue` is the one rule by which a refusal shows what was given, `invalid`'s "(got …)": a view layer's refusals
 * (queue-rx's batch) show a value by it, as the core's do. Text that looks like a key, anywhere in it and in any letter
 * case, is shown by its length alone; other text quoted and cut at 40 characters; a value of no text as its kind.
 */
import { expect, it } from "vitest";
import { invalid, shownValue } from "../src/index.js";

const KEY = "dct_s3cr3t_0123456789abcdef0123456789abcdef";

it("is invalid's (got …), for every kind of value", () => {
  const text = "A serene lake at sunset, with mountains behind it";
  for (const [value, shown] of [
    [KEY, `${KEY.length} characters`],
    [`my key: EK_${KEY.slice(4)}`, `${KEY.length + 7} characters`],
    [text, JSON.stringify(text.slice(0, 40))],
    [42, "42"],
    [Number.NaN, "NaN"],
    [1n, "1n"],
    [null, "null"],
    [false, "false"],
    [Symbol("s"), "Symbol(s)"],
    [{ toString: () => KEY }, "an object"],
    [() => KEY, "a function"],
  ] as const) {
    expect(shownValue(value)).toBe(shown);
    expect(invalid("Invalid input", "f", "a thing", value).message).toBe(
      `Invalid input: "f" must be a thing (got ${shown})`,
    );
  }
  expect(shownValue(undefined)).toBe("undefined");
});

it("any text by its length alone with byLength, as invalid shows text given where a file (URL) goes", () => {
  expect(shownValue("/home/me/secret.mp4", true)).toBe("19 characters");
  expect(invalid("Invalid input", "data", "a file or an http(s) URL", "/home/me/secret.mp4").message).toMatch(
    /\(got 19 characters\)$/,
  );
});
