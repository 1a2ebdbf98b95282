/**
 * JSON text read as Python's `json.loads` reads it (CPython 3.13's C scanner, what Starlette's `Request.json()` and so
 * FastAPI use on a JSON body), where JavaScript's JSON.parse reads it otherwise:
 * - `NaN`, `Infinity` and `-Infinity` are values (numbers), as Python's json takes them by default;
 * - an error says what Python's says (`Expecting value`, `Expecting ',' delimiter`, …) at the position Python gives,
 *   counted in code points as Python counts a str;
 * - nesting is bounded: past some depth of arrays and objects Python's scanner runs out of recursion (a
 *   RecursionError, which FastAPI answers 400, not 422); this one stops past `maxDepth`, by count, never by the stack.
 * - an integer is read exactly, as Python's int: beyond 2^53 a bigint, more than 4300 digits a ValueError (which
 *   FastAPI answers 400); a number with a fraction or an exponent is a double, as Python's float (`1e400` Infinity).
 * Objects are plain objects (a `__proto__` key an own property, as JSON.parse makes it); a repeated key keeps its
 * first place and its last value, as a Python dict does.
 */

/** Most digits of an integer Python's `int()` reads from text (and so its json, and pydantic): Python's own limit. */
export const MAX_INTEGER_DIGITS = 4300;

/**
 * JSON nests at most this deep (the spec's deepest is 3, the token's `metadata` takes any depth): Python's default
 * recursion limit, about where CPython 3.11's json gives up (a RecursionError); later versions go deeper before they do.
 */
export const MAX_JSON_DEPTH = 1000;

/** Length in Unicode code points, as Python's len() counts it. */
export function codePointLength(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const p = text.charCodeAt(i - 1);
      if (p >= 0xd800 && p <= 0xdbff) n--;
    }
  }
  return n;
}

/**
 * What the text reads as: its value, an error where Python's json stops (its message, and the position in code points
 * with its line and column, as a JSONDecodeError has them), or what Python's json raises otherwise: a RecursionError
 * for nesting past the bound (in an array or an object), a ValueError for an integer of more digits than `int()`
 * reads (how many).
 */
export type PyJsonResult =
  | { kind: "value"; value: unknown }
  | { kind: "error"; msg: string; pos: number; lineno: number; colno: number }
  | { kind: "too-deep"; container: "array" | "object" }
  | { kind: "too-many-digits"; digits: number };

class DecodeError {
  constructor(
    readonly msg: string,
    readonly at: number,
  ) {}
}

class TooDeep {
  constructor(readonly container: "array" | "object") {}
}

class TooManyDigits {
  constructor(readonly digits: number) {}
}

const isWhitespace = (c: string | undefined) => c === " " || c === "\t" || c === "\n" || c === "\r";
const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
const HEX = /^[0-9A-Fa-f]{4}$/;

/** Reads `text` as `json.loads` does (its bytes already decoded); `maxDepth` bounds the nesting of arrays and objects. */
export function pyJsonLoads(text: string, maxDepth: number): PyJsonResult {
  const s = text;
  const len = s.length;

  const skip = (i: number) => {
    while (i < len && isWhitespace(s[i])) i++;
    return i;
  };

  /** A string whose opening quote is at `begin`; returns it and the index after its closing quote. */
  const scanString = (begin: number): [string, number] => {
    let out = "";
    let end = begin + 1;
    for (;;) {
      let next = end;
      for (; next < len; next++) {
        const c = s.charCodeAt(next);
        if (c === 0x22 || c === 0x5c) break;
        if (c <= 0x1f) throw new DecodeError("Invalid control character at", next);
      }
      if (next >= len) throw new DecodeError("Unterminated string starting at", begin);
      out += s.slice(end, next);
      if (s[next] === '"') return [out, next + 1];
      next++; // past the backslash
      if (next >= len) throw new DecodeError("Unterminated string starting at", begin);
      const esc = s[next]!;
      if (esc !== "u") {
        const char = ESCAPES[esc];
        if (char === undefined) throw new DecodeError("Invalid \\escape", next - 1);
        out += char;
        end = next + 1;
        continue;
      }
      // \uXXXX: four hex digits, and something after them; a high surrogate joins a low one escaped right after.
      end = next + 5;
      if (end >= len) throw new DecodeError("Invalid \\uXXXX escape", next);
      const digits = s.slice(next + 1, end);
      if (!HEX.test(digits)) throw new DecodeError("Invalid \\uXXXX escape", next);
      const unit = Number.parseInt(digits, 16);
      if (unit >= 0xd800 && unit <= 0xdbff && end + 6 < len && s[end] === "\\" && s[end + 1] === "u") {
        const low = s.slice(end + 2, end + 6);
        if (!HEX.test(low)) throw new DecodeError("Invalid \\uXXXX escape", end + 1);
        const second = Number.parseInt(low, 16);
        if (second >= 0xdc00 && second <= 0xdfff) {
          out += String.fromCharCode(unit, second);
          end += 6;
          continue;
        }
      }
      out += String.fromCharCode(unit);
    }
  };

  /**
   * A number at `start` (`-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?`), or "Expecting value" there. A fraction or an
   * exponent makes a float (a double, as in Python: `1e400` is Infinity); else an integer, read exactly as Python
   * reads one: a bigint beyond 2^53, more than 4300 digits `TooManyDigits`.
   */
  const scanNumber = (start: number): [number | bigint, number] => {
    let i = start;
    if (s[i] === "-") i++;
    const digits = i;
    if (s[i] === "0") i++;
    else if (isDigit(s[i]) && s[i] !== "0") {
      while (isDigit(s[i])) i++;
    } else throw new DecodeError("Expecting value", start);
    const integerEnd = i;
    if (s[i] === "." && isDigit(s[i + 1])) {
      i += 2;
      while (isDigit(s[i])) i++;
    }
    if (s[i] === "e" || s[i] === "E") {
      let j = i + 1;
      if (s[j] === "-" || s[j] === "+") j++;
      if (isDigit(s[j])) {
        while (isDigit(s[j])) j++;
        i = j;
      }
    }
    const text = s.slice(start, i);
    if (i !== integerEnd) return [Number(text), i];
    if (integerEnd - digits > MAX_INTEGER_DIGITS) throw new TooManyDigits(integerEnd - digits);
    const n = Number(text);
    return [Number.isSafeInteger(n) ? n : BigInt(text), i];
  };

  const scanValue = (i: number, depth: number): [unknown, number] => {
    const c = s[i];
    if (c === '"') return scanString(i);
    if (c === "{" || c === "[") {
      if (depth >= maxDepth) throw new TooDeep(c === "{" ? "object" : "array");
      return c === "{" ? scanObject(i + 1, depth + 1) : scanArray(i + 1, depth + 1);
    }
    for (const [word, value] of CONSTANTS) if (s.startsWith(word, i)) return [value, i + word.length];
    return scanNumber(i);
  };

  const scanObject = (start: number, depth: number): [unknown, number] => {
    const out: Record<string, unknown> = {};
    let i = skip(start);
    if (s[i] === "}") return [out, i + 1];
    for (;;) {
      if (s[i] !== '"') throw new DecodeError("Expecting property name enclosed in double quotes", i);
      const [key, afterKey] = scanString(i);
      i = skip(afterKey);
      if (s[i] !== ":") throw new DecodeError("Expecting ':' delimiter", i);
      const [value, afterValue] = scanValue(skip(i + 1), depth);
      if (key === "__proto__")
        Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
      else out[key] = value;
      i = skip(afterValue);
      if (s[i] === "}") return [out, i + 1];
      if (s[i] !== ",") throw new DecodeError("Expecting ',' delimiter", i);
      const comma = i;
      i = skip(i + 1);
      if (s[i] === "}") throw new DecodeError("Illegal trailing comma before end of object", comma);
    }
  };

  const scanArray = (start: number, depth: number): [unknown, number] => {
    const out: unknown[] = [];
    let i = skip(start);
    if (s[i] === "]") return [out, i + 1];
    for (;;) {
      const [value, after] = scanValue(i, depth);
      out.push(value);
      i = skip(after);
      if (s[i] === "]") return [out, i + 1];
      if (s[i] !== ",") throw new DecodeError("Expecting ',' delimiter", i);
      const comma = i;
      i = skip(i + 1);
      if (s[i] === "]") throw new DecodeError("Illegal trailing comma before end of array", comma);
    }
  };

  try {
    const [value, after] = scanValue(skip(0), 0);
    const end = skip(after);
    if (end !== len) throw new DecodeError("Extra data", end);
    return { kind: "value", value };
  } catch (err) {
    if (err instanceof TooDeep) return { kind: "too-deep", container: err.container };
    if (err instanceof TooManyDigits) return { kind: "too-many-digits", digits: err.digits };
    if (err instanceof DecodeError) {
      // As JSONDecodeError counts them: lines from 1, a column the code points since the last newline, plus one.
      const before = s.slice(0, err.at);
      const newline = before.lastIndexOf("\n");
      return {
        kind: "error",
        msg: err.msg,
        pos: codePointLength(before),
        lineno: before.split("\n").length,
        colno: codePointLength(before.slice(newline + 1)) + 1,
      };
    }
    throw err;
  }
}

/**
 * Reads a str as `json.loads` reads one (a form field's text): as `pyJsonLoads` reads decoded bytes, but a leading
 * U+FEFF is an error of its own (`Unexpected UTF-8 BOM`), as Python's json says of a str that starts with one.
 */
export function pyJsonLoadsStr(text: string, maxDepth = MAX_JSON_DEPTH): PyJsonResult {
  if (text.startsWith("\ufeff")) {
    return { kind: "error", msg: "Unexpected UTF-8 BOM (decode using utf-8-sig)", pos: 0, lineno: 1, colno: 1 };
  }
  return pyJsonLoads(text, maxDepth);
}

/** What Python's exception says (its `str()`) where json.loads gives no value. */
export function pyJsonErrorText(result: Exclude<PyJsonResult, { kind: "value" }>): string {
  switch (result.kind) {
    case "error":
      return `${result.msg}: line ${result.lineno} column ${result.colno} (char ${result.pos})`;
    case "too-deep":
      return `maximum recursion depth exceeded while decoding a JSON ${result.container} from a unicode string`;
    case "too-many-digits":
      return (
        `Exceeds the limit (${MAX_INTEGER_DIGITS} digits) for integer string conversion: value has ` +
        `${result.digits} digits; use sys.set_int_max_str_digits() to increase the limit`
      );
  }
}

/** The named constants Python's json reads: JSON's, and NaN / Infinity / -Infinity. */
const CONSTANTS: readonly [string, unknown][] = [
  ["null", null],
  ["true", true],
  ["false", false],
  ["NaN", Number.NaN],
  ["Infinity", Number.POSITIVE_INFINITY],
  ["-Infinity", Number.NEGATIVE_INFINITY],
];
