/**
 * Request validation the way the real server (FastAPI + pydantic v2) does it: every bad field gives one entry
 * `{loc, msg, type, input?, ctx?}` in a 422 body. The field lists come from the generated catalogue of
 * `@decart/api` (model inputs) and its `requestSchemas` (token and file bodies); nothing is restated here.
 */

import type { FieldInfo, ValidationIssue } from "@decart/api";
import { dumps } from "./dumps.js";

export type { ValidationIssue };
export type Loc = ValidationIssue["loc"];

/** Inputs longer than this are not echoed back in `input`. */
const MAX_ECHO_LENGTH = 200;

function echo(input: unknown): { input?: unknown } {
  if (typeof input === "string") return input.length <= MAX_ECHO_LENGTH ? { input } : {};
  if (input === undefined) return {};
  // A NaN or an infinity (Python's json reads them) is echoed as the string Python's encoder writes (dumps.ts).
  if (input === null || typeof input === "boolean" || typeof input === "number") return { input };
  if (typeof input === "bigint") return String(input).length <= MAX_ECHO_LENGTH ? { input } : {};
  try {
    const text = dumps(input);
    return text !== undefined && text.length <= MAX_ECHO_LENGTH ? { input } : {};
  } catch {
    return {};
  }
}

export function issue(loc: Loc, type: string, msg: string, input?: unknown, ctx?: Record<string, unknown>) {
  const out: ValidationIssue = { type, loc, msg, ...echo(input) };
  if (ctx) out.ctx = ctx;
  return out;
}

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

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function quoteList(values: readonly unknown[]): string {
  const quoted = values.map((v) => `'${String(v)}'`);
  if (quoted.length <= 1) return quoted.join("");
  return `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}`;
}

// ---------------------------------------------------------------------------------------------------------------
// A small JSON Schema validator (the subset the spec uses), with pydantic-style messages.

export interface JsonSchema {
  type?: string | readonly string[];
  enum?: readonly unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Readonly<Record<string, JsonSchema>>;
  required?: readonly string[];
  additionalProperties?: boolean | JsonSchema;
  oneOf?: readonly JsonSchema[];
  default?: unknown;
  format?: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return (typeof value === "number" && Number.isInteger(value)) || typeof value === "bigint";
    case "number":
      return (typeof value === "number" && Number.isFinite(value)) || typeof value === "bigint";
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "object":
      return isPlainObject(value);
    case "null":
      return value === null;
    default:
      return true;
  }
}

function typeIssue(type: string, loc: Loc, value: unknown): ValidationIssue {
  switch (type) {
    case "string":
      return issue(loc, "string_type", "Input should be a valid string", value);
    case "integer":
      // pydantic reads an integer from a float: a NaN or an infinity is no finite number, a fraction no integer.
      if (typeof value === "number" && !Number.isFinite(value)) {
        return issue(loc, "finite_number", "Input should be a finite number", value);
      }
      if (typeof value === "number") {
        return issue(
          loc,
          "int_from_float",
          "Input should be a valid integer, got a number with a fractional part",
          value,
        );
      }
      return issue(loc, "int_type", "Input should be a valid integer", value);
    case "number":
      return issue(loc, "float_type", "Input should be a valid number", value);
    case "boolean":
      return issue(loc, "bool_type", "Input should be a valid boolean", value);
    case "array":
      return issue(loc, "list_type", "Input should be a valid list", value);
    case "object":
      return issue(loc, "dict_type", "Input should be a valid dictionary", value);
    case "null":
      return issue(loc, "none_required", "Input should be None", value);
    default:
      return issue(loc, "type_error", `Input should be of type ${type}`, value);
  }
}

/**
 * The schema's minimum and maximum. A bigint (an integer read exactly from text beyond 2^53) is compared exactly;
 * `input` is what an issue echoes (the value itself unless told).
 */
function checkNumberLimits(
  schema: JsonSchema,
  value: number | bigint,
  loc: Loc,
  out: ValidationIssue[],
  input: unknown = value,
): void {
  if (schema.minimum !== undefined && value < schema.minimum) {
    out.push(
      issue(loc, "greater_than_equal", `Input should be greater than or equal to ${schema.minimum}`, input, {
        ge: schema.minimum,
      }),
    );
  }
  if (schema.maximum !== undefined && value > schema.maximum) {
    out.push(
      issue(loc, "less_than_equal", `Input should be less than or equal to ${schema.maximum}`, input, {
        le: schema.maximum,
      }),
    );
  }
}

export function checkStringLimits(schema: JsonSchema, value: string, loc: Loc, out: ValidationIssue[]): void {
  if (schema.minLength === undefined && schema.maxLength === undefined) return;
  const length = codePointLength(value);
  if (schema.minLength !== undefined && length < schema.minLength) {
    out.push(
      issue(loc, "string_too_short", `String should have at least ${plural(schema.minLength, "character")}`, value, {
        min_length: schema.minLength,
      }),
    );
  }
  if (schema.maxLength !== undefined && length > schema.maxLength) {
    out.push(
      issue(loc, "string_too_long", `String should have at most ${plural(schema.maxLength, "character")}`, value, {
        max_length: schema.maxLength,
      }),
    );
  }
}

/** Validates `value` against `schema`, appending pydantic-style issues (with `loc` prefixed) to `out`. */
export function validateJson(schema: JsonSchema, value: unknown, loc: Loc, out: ValidationIssue[], depth = 0): void {
  if (depth > 32) {
    out.push(issue(loc, "recursion_loop", "Input is nested too deeply"));
    return;
  }
  if (schema.oneOf) {
    const attempts = schema.oneOf.map((alt) => {
      const issues: ValidationIssue[] = [];
      validateJson(alt, value, loc, issues, depth + 1);
      return issues;
    });
    if (attempts.some((a) => a.length === 0)) return;
    // Report the alternative whose type fits the value, else every alternative's first complaint.
    const fitting = schema.oneOf.findIndex((alt) => alt.type !== undefined && typeMatches(String(alt.type), value));
    if (fitting >= 0) out.push(...attempts[fitting]!);
    else for (const a of attempts) if (a[0]) out.push(a[0]);
    return;
  }
  if (schema.const !== undefined && value !== schema.const) {
    out.push(
      issue(loc, "literal_error", `Input should be ${quoteList([schema.const])}`, value, {
        expected: quoteList([schema.const]),
      }),
    );
    return;
  }
  if (schema.type !== undefined) {
    const types = typeof schema.type === "string" ? [schema.type] : schema.type;
    if (!types.some((t) => typeMatches(t, value))) {
      out.push(typeIssue(types.find((t) => t !== "null") ?? types[0]!, loc, value));
      return;
    }
  }
  if (schema.enum && !schema.enum.includes(value)) {
    out.push(
      issue(loc, "enum", `Input should be ${quoteList(schema.enum)}`, value, { expected: quoteList(schema.enum) }),
    );
    return;
  }
  if (typeof value === "number" || typeof value === "bigint") checkNumberLimits(schema, value, loc, out);
  if (typeof value === "string") checkStringLimits(schema, value, loc, out);
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      out.push(
        issue(
          loc,
          "too_short",
          `List should have at least ${plural(schema.minItems, "item")} after validation, not ${value.length}`,
          value,
          { field_type: "List", min_length: schema.minItems, actual_length: value.length },
        ),
      );
    }
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      out.push(
        issue(
          loc,
          "too_long",
          `List should have at most ${plural(schema.maxItems, "item")} after validation, not ${value.length}`,
          undefined,
          { field_type: "List", max_length: schema.maxItems, actual_length: value.length },
        ),
      );
      return;
    }
    if (schema.items) {
      for (let i = 0; i < value.length && out.length < 100; i++) {
        validateJson(schema.items, value[i], [...loc, i], out, depth + 1);
      }
    }
  }
  if (isPlainObject(value)) {
    const props = schema.properties ?? {};
    for (const name of schema.required ?? []) {
      if (!Object.hasOwn(value, name)) out.push(issue([...loc, name], "missing", "Field required", value));
    }
    for (const [name, v] of Object.entries(value)) {
      const sub = Object.hasOwn(props, name) ? props[name] : undefined;
      if (sub) validateJson(sub, v, [...loc, name], out, depth + 1);
      else if (schema.additionalProperties === false) {
        out.push(issue([...loc, name], "extra_forbidden", "Extra inputs are not permitted", v));
      } else if (isPlainObject(schema.additionalProperties)) {
        validateJson(schema.additionalProperties, v, [...loc, name], out, depth + 1);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Form values (multipart text parts), parsed as pydantic parses strings in lax mode.

const TRUE_WORDS = new Set(["1", "on", "t", "true", "y", "yes"]);
const FALSE_WORDS = new Set(["0", "off", "f", "false", "n", "no"]);
/** An integer as pydantic 2 reads it from text: `_` between digits, and a fraction of zeros (`60.0`). */
const INTEGER_TEXT = /^[+-]?\d(?:_?\d)*(?:\.0+)?$/;
// The fraction is one optional group: `\d+\.?\d*` would try every split of a long run of digits (quadratic).
const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** One field of a form body, built from the catalogue's field info or from a request schema. */
export interface FormField {
  name: string;
  kind: "file" | "text";
  required: boolean;
  /** Accepted media types of a file field (checked against the sniffed type); undefined = any. */
  accept?: readonly string[];
  default?: unknown;
  /** Turns the text into a value, appending issues for `loc` when it does not fit. */
  parse(text: string, loc: Loc, out: ValidationIssue[]): unknown;
}

/** A field of the generated catalogue, read through the keys any field may have. */
type CatalogueField = FieldInfo & {
  readonly enum?: readonly string[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly accept?: readonly string[];
  readonly schema?: unknown;
  readonly default?: unknown;
};

/**
 * Whether a character is whitespace that pydantic trims from a number's text: Unicode's White_Space, as Rust's
 * `trim()` takes it (JavaScript's trim() takes U+FEFF too and leaves U+0085).
 */
function isRustSpace(c: number): boolean {
  return (
    (c >= 0x09 && c <= 0x0d) ||
    c === 0x20 ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** The text without the whitespace pydantic trims around a number (see `isRustSpace`). */
function trimNumberText(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isRustSpace(text.charCodeAt(start))) start++;
  while (end > start && isRustSpace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/**
 * An integer read from text as pydantic 2 reads one (whitespace trimmed, `_` between digits, a fraction of zeros):
 * exactly, a bigint beyond 2^53; or the issue type that refuses it. More than 4300 digits are past what Python's
 * int() reads: `int_parsing_size` as pydantic has it, `int_parsing` when the text has underscores (which pydantic
 * hands to int(), whose error it reports so).
 */
function readInteger(text: string): number | bigint | "int_parsing" | "int_parsing_size" {
  const t = trimNumberText(text);
  if (!INTEGER_TEXT.test(t)) return "int_parsing";
  const point = t.indexOf(".");
  const digits = (point < 0 ? t : t.slice(0, point)).replaceAll("_", "");
  if (digits.replace(/^[+-]?0*/, "").length > MAX_INTEGER_DIGITS) {
    return t.includes("_") ? "int_parsing" : "int_parsing_size";
  }
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : BigInt(digits);
}

/** Parses a form text as the JSON Schema type `type` (string, integer, number, boolean). */
function parseScalar(type: string | undefined, text: string, loc: Loc, out: ValidationIssue[]): unknown {
  switch (type) {
    case "integer": {
      const n = readInteger(text);
      if (n === "int_parsing") {
        out.push(
          issue(loc, "int_parsing", "Input should be a valid integer, unable to parse string as an integer", text),
        );
        return undefined;
      }
      if (n === "int_parsing_size") {
        out.push(
          issue(loc, "int_parsing_size", "Unable to parse input string as an integer, exceeded maximum size", text),
        );
        return undefined;
      }
      return n;
    }
    case "number": {
      const t = text.trim();
      const n = Number(t);
      if (!NUMBER_TEXT.test(t) || !Number.isFinite(n)) {
        out.push(
          issue(loc, "float_parsing", "Input should be a valid number, unable to parse string as a number", text),
        );
        return undefined;
      }
      return n;
    }
    case "boolean": {
      // Not trimmed: pydantic 2 reads ` true` as no boolean.
      const t = text.toLowerCase();
      if (TRUE_WORDS.has(t)) return true;
      if (FALSE_WORDS.has(t)) return false;
      out.push(issue(loc, "bool_parsing", "Input should be a valid boolean, unable to interpret input", text));
      return undefined;
    }
    default:
      return text;
  }
}

/** Parses form text against a (non-file) JSON schema, with lax string coercion for scalars and `oneOf`. */
function parseFormText(schema: JsonSchema, text: string, loc: Loc, out: ValidationIssue[]): unknown {
  if (schema.oneOf) {
    // As pydantic does for a union: valid if one member accepts it, else one complaint per member.
    const complaints: ValidationIssue[] = [];
    for (const alt of schema.oneOf) {
      const issues: ValidationIssue[] = [];
      const value = parseFormText(alt, text, loc, issues);
      if (issues.length === 0) return value;
      if (issues[0]) complaints.push(issues[0]);
    }
    out.push(...complaints);
    return undefined;
  }
  const type = typeof schema.type === "string" ? schema.type : undefined;
  const value = parseScalar(type, text, loc, out);
  if (value === undefined) return undefined;
  const before = out.length;
  validateJson(schema, value, loc, out);
  // pydantic echoes a form value as it was sent: the text, not the number read from it.
  const sent = echo(text);
  for (let i = before; i < out.length; i++) {
    if ("input" in sent) out[i]!.input = sent.input;
    else delete out[i]!.input;
  }
  if (out.length !== before) return undefined;
  // An integer beyond 2^53 within the schema's limits (none of the spec's has such limits) is handed on as a number.
  return typeof value === "bigint" ? Number(value) : value;
}

/** Most digits of an integer pydantic (and Python's json) reads from text: Python's own limit of int(str). */
export const MAX_INTEGER_DIGITS = 4300;

/** A FormField for one field of the generated catalogue. */
export function fieldFromCatalogue(field: FieldInfo): FormField {
  const f = field as CatalogueField;
  const base = { name: f.name, required: f.required, default: f.default };
  if (f.type === "file") return { ...base, kind: "file", ...(f.accept ? { accept: f.accept } : {}), parse: (t) => t };
  if (f.type === "json") {
    const schema = (f.schema ?? {}) as JsonSchema;
    return {
      ...base,
      kind: "text",
      parse(text, loc, out) {
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (err) {
          out.push(
            issue(loc, "json_invalid", `Invalid JSON: ${(err as Error).message}`, text, {
              error: (err as Error).message,
            }),
          );
          return undefined;
        }
        const before = out.length;
        validateJson(schema, value, loc, out);
        return out.length === before ? value : undefined;
      },
    };
  }
  const schema: JsonSchema = {
    type: f.type,
    ...(f.enum ? { enum: f.enum } : {}),
    ...(f.minLength !== undefined ? { minLength: f.minLength } : {}),
    ...(f.maxLength !== undefined ? { maxLength: f.maxLength } : {}),
    ...(f.minimum !== undefined ? { minimum: f.minimum } : {}),
    ...(f.maximum !== undefined ? { maximum: f.maximum } : {}),
  };
  return { ...base, kind: "text", parse: (text, loc, out) => parseFormText(schema, text, loc, out) };
}

/** FormFields for an object schema of `requestSchemas` (e.g. UploadFileRequest). */
export function fieldsFromObjectSchema(schema: JsonSchema): FormField[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, sub]): FormField => {
    const isFile = sub.type === "string" && sub.format === "binary";
    return {
      name,
      kind: isFile ? "file" : "text",
      required: required.has(name),
      default: sub.default,
      parse: isFile ? (t) => t : (text, loc, out) => parseFormText(sub, text, loc, out),
    };
  });
}
