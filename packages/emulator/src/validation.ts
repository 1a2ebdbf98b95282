/**
 * Request validation the way the real server (FastAPI + pydantic v2) does it: every bad field gives one entry
 * `{loc, msg, type, input?, ctx?}` in a 422 body. The field lists come from the generated catalogue of
 * `@decart/api` (model inputs) and its `requestSchemas` (token and file bodies); nothing is restated here.
 */

import type { FieldInfo, ValidationIssue } from "@decart/api";
import { dumps } from "./dumps.js";
import { codePointLength, MAX_INTEGER_DIGITS, pyJsonErrorText, pyJsonLoadsStr } from "./pyjson.js";

export type { ValidationIssue };
export { codePointLength, MAX_INTEGER_DIGITS };
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

/**
 * Whether a value is of the type as it stands (pydantic's strict reading of what Python's json gives): an integer is
 * an int (a number within 2^53, or a bigint: pyjson.ts reads an integer beyond it exactly, so a number beyond it was
 * a float), a number any float (NaN and the infinities too, as Python's float) or int, a boolean only a bool.
 */
function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return (typeof value === "number" && Number.isSafeInteger(value)) || typeof value === "bigint";
    case "number":
      return typeof value === "number" || (typeof value === "bigint" && Number.isFinite(Number(value)));
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

/** What laxRead returns when it refused the value (its issue pushed). */
const UNREAD: unique symbol = Symbol("unread");
/** pydantic reads a float as an integer only strictly between -2^63 and 2^63 (i64's range, as a float). */
const I64_BOUND = 2 ** 63;

/**
 * A value that is not of the type as it stands, read as pydantic 2 reads it in lax mode (its default) from Python
 * input, which is what FastAPI validates (the value `json.loads` made, or a form's text): an integer from a bool (bool
 * is an int in Python: true is 1), from text as `readInteger` reads it, from a float without a fraction within i64's
 * range; a number from a bool or from text (`readFloat`); a boolean from text (`true`, `no`, … any case, not trimmed)
 * or from the number 0 or 1. Other types take nothing else. Returns the value read, or UNREAD once the issue pydantic
 * gives is pushed (its input the value as sent).
 */
function laxRead(type: string, value: unknown, loc: Loc, out: ValidationIssue[]): unknown {
  switch (type) {
    case "integer": {
      if (typeof value === "boolean") return value ? 1 : 0;
      if (typeof value === "string") {
        const n = readInteger(value);
        if (n === "int_parsing") {
          out.push(
            issue(loc, "int_parsing", "Input should be a valid integer, unable to parse string as an integer", value),
          );
          return UNREAD;
        }
        if (n === "int_parsing_size") {
          out.push(intParsingSize(loc, value));
          return UNREAD;
        }
        return n;
      }
      if (typeof value === "number") {
        if (!Number.isFinite(value)) {
          out.push(issue(loc, "finite_number", "Input should be a finite number", value));
          return UNREAD;
        }
        if (!Number.isInteger(value)) {
          out.push(
            issue(loc, "int_from_float", "Input should be a valid integer, got a number with a fractional part", value),
          );
          return UNREAD;
        }
        if (Math.abs(value) >= I64_BOUND) {
          out.push(intParsingSize(loc, value));
          return UNREAD;
        }
        return BigInt(value);
      }
      break;
    }
    case "number": {
      if (typeof value === "boolean") return value ? 1 : 0;
      if (typeof value === "string") {
        const n = readFloat(value);
        if (n !== undefined) return n;
        out.push(
          issue(loc, "float_parsing", "Input should be a valid number, unable to parse string as a number", value),
        );
        return UNREAD;
      }
      break;
    }
    case "boolean": {
      if (typeof value === "string") {
        const t = value.toLowerCase();
        if (TRUE_WORDS.has(t)) return true;
        if (FALSE_WORDS.has(t)) return false;
        out.push(issue(loc, "bool_parsing", "Input should be a valid boolean, unable to interpret input", value));
        return UNREAD;
      }
      // An integer (a float without a fraction too) within i64's range: 0 or 1, else no boolean.
      const whole = typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value));
      if (whole && (value === 0 || value === 1)) return value === 1;
      if (whole && Math.abs(Number(value)) < I64_BOUND) {
        out.push(issue(loc, "bool_parsing", "Input should be a valid boolean, unable to interpret input", value));
        return UNREAD;
      }
      break;
    }
  }
  out.push(typeIssue(type, loc, value));
  return UNREAD;
}

const intParsingSize = (loc: Loc, value: unknown) =>
  issue(loc, "int_parsing_size", "Unable to parse input string as an integer, exceeded maximum size", value);

/**
 * The schema's minimum and maximum, as pydantic compares: a NaN is within no bound. A bigint (an integer read exactly
 * beyond 2^53) is compared exactly; `input` is what an issue echoes (the value as sent).
 */
function checkNumberLimits(
  schema: JsonSchema,
  value: number | bigint,
  loc: Loc,
  out: ValidationIssue[],
  input: unknown = value,
): void {
  if (schema.minimum !== undefined && !(value >= schema.minimum)) {
    out.push(
      issue(loc, "greater_than_equal", `Input should be greater than or equal to ${schema.minimum}`, input, {
        ge: schema.minimum,
      }),
    );
  }
  if (schema.maximum !== undefined && !(value <= schema.maximum)) {
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

/** Sets an own property, `__proto__` too (as JSON.parse and pyjson.ts make one). */
function setOwn(target: Record<string, unknown>, name: string, value: unknown): void {
  if (name === "__proto__") {
    Object.defineProperty(target, name, { value, writable: true, enumerable: true, configurable: true });
  } else target[name] = value;
}

/**
 * Validates `value` (as Python's json gives it: pyjson.ts) against `schema` as pydantic 2 validates Python input,
 * appending pydantic-style issues (with `loc` prefixed) to `out`, and returns the value validated: what lax mode read
 * (`"60"` and `60.0` are the integer 60, `true` is 1: see laxRead) in place of what was sent, arrays and objects
 * copied with their members so read. An issue echoes the value as sent. `strict`: no lax reading (a union's first
 * pass, as pydantic's smart mode tries every member strictly before any laxly).
 */
export function validateJson(
  schema: JsonSchema,
  value: unknown,
  loc: Loc,
  out: ValidationIssue[],
  depth = 0,
  strict = false,
): unknown {
  if (depth > 32) {
    out.push(issue(loc, "recursion_loop", "Input is nested too deeply"));
    return undefined;
  }
  if (schema.oneOf) {
    const attempt = (alt: JsonSchema, strictly: boolean) => {
      const issues: ValidationIssue[] = [];
      return { issues, value: validateJson(alt, value, loc, issues, depth + 1, strictly) };
    };
    for (const strictly of strict ? [true] : [true, false]) {
      for (const alt of schema.oneOf) {
        const tried = attempt(alt, strictly);
        if (tried.issues.length === 0) return tried.value;
      }
    }
    const attempts = schema.oneOf.map((alt) => attempt(alt, strict).issues);
    // Report the alternative whose type fits the value, else every alternative's first complaint.
    const fitting = schema.oneOf.findIndex((alt) => alt.type !== undefined && typeMatches(String(alt.type), value));
    if (fitting >= 0) out.push(...attempts[fitting]!);
    else for (const a of attempts) if (a[0]) out.push(a[0]);
    return undefined;
  }
  if (schema.const !== undefined && value !== schema.const) {
    out.push(
      issue(loc, "literal_error", `Input should be ${quoteList([schema.const])}`, value, {
        expected: quoteList([schema.const]),
      }),
    );
    return undefined;
  }
  let read = value;
  if (schema.type !== undefined) {
    const types = typeof schema.type === "string" ? [schema.type] : schema.type;
    if (!types.some((t) => typeMatches(t, value))) {
      const type = types.find((t) => t !== "null") ?? types[0]!;
      if (strict) {
        out.push(typeIssue(type, loc, value));
        return undefined;
      }
      read = laxRead(type, value, loc, out);
      if (read === UNREAD) return undefined;
    }
    // A number is a float: an int given for one is read as the float (exactly where it can be).
    if (typeof read === "bigint" && types.includes("number") && !types.includes("integer")) read = Number(read);
  }
  if (schema.enum && !schema.enum.includes(read)) {
    out.push(
      issue(loc, "enum", `Input should be ${quoteList(schema.enum)}`, value, { expected: quoteList(schema.enum) }),
    );
    return undefined;
  }
  if (typeof read === "number" || typeof read === "bigint") checkNumberLimits(schema, read, loc, out, value);
  if (typeof read === "string") checkStringLimits(schema, read, loc, out);
  if (Array.isArray(read)) {
    // As pydantic validates a list: past maxItems, too_long alone (it stops counting there, its item issues dropped);
    // else the items, and too_short only when every item is valid (a list with a bad item gives its items' issues).
    if (schema.maxItems !== undefined && read.length > schema.maxItems) {
      out.push(
        issue(
          loc,
          "too_long",
          `List should have at most ${plural(schema.maxItems, "item")} after validation, not ${read.length}`,
          value,
          { field_type: "List", max_length: schema.maxItems, actual_length: read.length },
        ),
      );
      return undefined;
    }
    const before = out.length;
    const length = read.length;
    if (schema.items) {
      const items: unknown[] = [];
      for (let i = 0; i < read.length && out.length < 100; i++) {
        items.push(validateJson(schema.items, read[i], [...loc, i], out, depth + 1, strict));
      }
      read = items;
    }
    if (out.length === before && schema.minItems !== undefined && length < schema.minItems) {
      out.push(
        issue(
          loc,
          "too_short",
          `List should have at least ${plural(schema.minItems, "item")} after validation, not ${length}`,
          value,
          { field_type: "List", min_length: schema.minItems, actual_length: length },
        ),
      );
    }
  }
  if (isPlainObject(read)) {
    const object = read;
    const props = schema.properties ?? {};
    const members: Record<string, unknown> = {};
    // As pydantic validates a model: its fields in the schema's order (a missing one where it stands, whatever the
    // order of the keys sent), then the keys that are no field, in the order sent.
    const required = new Set(schema.required ?? []);
    const fields = new Set([...Object.keys(props), ...required]);
    for (const name of fields) {
      if (!Object.hasOwn(object, name)) {
        if (required.has(name)) out.push(issue([...loc, name], "missing", "Field required", object));
        continue;
      }
      const sub = Object.hasOwn(props, name) ? props[name] : undefined;
      setOwn(
        members,
        name,
        sub ? validateJson(sub, object[name], [...loc, name], out, depth + 1, strict) : object[name],
      );
    }
    for (const [name, v] of Object.entries(object)) {
      if (fields.has(name)) continue;
      let member = v;
      if (schema.additionalProperties === false) {
        out.push(issue([...loc, name], "extra_forbidden", "Extra inputs are not permitted", v));
      } else if (isPlainObject(schema.additionalProperties)) {
        member = validateJson(schema.additionalProperties, v, [...loc, name], out, depth + 1, strict);
      }
      setOwn(members, name, member);
    }
    read = members;
  }
  return read;
}

// ---------------------------------------------------------------------------------------------------------------
// Form values (multipart text parts), parsed as pydantic parses strings in lax mode.

const TRUE_WORDS = new Set(["1", "on", "t", "true", "y", "yes"]);
const FALSE_WORDS = new Set(["0", "off", "f", "false", "n", "no"]);
/** An integer as pydantic 2 reads it from text: `_` between digits, and a fraction of zeros (`60.0`). */
const INTEGER_TEXT = /^[+-]?\d(?:_?\d)*(?:\.0+)?$/;
// The fraction is one optional group: `\d+\.?\d*` would try every split of a long run of digits (quadratic).
const FLOAT_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INF_NAN_TEXT = /^[+-]?(inf|infinity|nan)$/i;

/** One field of a form body, built from the catalogue's field info or from a request schema. */
export interface FormField {
  name: string;
  kind: "file" | "text";
  required: boolean;
  /** Accepted media types of a file field (checked against the sniffed type); undefined = any. */
  accept?: readonly string[];
  /**
   * An empty text is a value of this field: a string whose schema says `minLength: 0` (the Lucy 2.x prompt: "Send an
   * empty string for no text prompt"). For any other field, an empty text is no value (see validateForm).
   */
  takesEmpty?: boolean;
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

/** A float as Rust's `f64::from_str` reads text: decimal (`12.`, `.5`, `1e3`), `inf`, `infinity` or `nan` (any case). */
function rustFloat(t: string): number | undefined {
  if (FLOAT_TEXT.test(t)) return Number(t);
  if (!INF_NAN_TEXT.test(t)) return undefined;
  if (/nan$/i.test(t)) return Number.NaN;
  return t.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
}

/**
 * A number read from text as pydantic 2 reads one (`str_as_float`): trimmed of whitespace as Rust's `trim()`, then
 * as Rust reads a float (an infinity or a NaN too, which a float field takes); failing that, the text untrimmed with
 * its `_` dropped when they stand only between other characters (`1_000.5`). Undefined when it is no number.
 */
export function readFloat(text: string): number | undefined {
  const n = rustFloat(trimNumberText(text));
  if (n !== undefined) return n;
  if (text.startsWith("_") || text.endsWith("_") || !text.includes("_") || text.includes("__")) return undefined;
  return rustFloat(text.replaceAll("_", ""));
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
      const n = readFloat(text);
      if (n === undefined) {
        out.push(
          issue(loc, "float_parsing", "Input should be a valid number, unable to parse string as a number", text),
        );
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
        // Read as Python's json.loads reads the str (NaN and the infinities are numbers, integers exact, a repeated
        // key's last value kept, a lone surrogate escape taken); where it gives no value, its exception's text.
        const read = pyJsonLoadsStr(text);
        if (read.kind !== "value") {
          const error = pyJsonErrorText(read);
          out.push(issue(loc, "json_invalid", `Invalid JSON: ${error}`, text, { error }));
          return undefined;
        }
        const before = out.length;
        const value = validateJson(schema, read.value, loc, out);
        return out.length === before ? value : undefined;
      },
    };
  }
  const takesEmpty = f.type === "string" && f.minLength === 0;
  const schema: JsonSchema = {
    type: f.type,
    ...(f.enum ? { enum: f.enum } : {}),
    ...(f.minLength !== undefined ? { minLength: f.minLength } : {}),
    ...(f.maxLength !== undefined ? { maxLength: f.maxLength } : {}),
    ...(f.minimum !== undefined ? { minimum: f.minimum } : {}),
    ...(f.maximum !== undefined ? { maximum: f.maximum } : {}),
  };
  return {
    ...base,
    kind: "text",
    ...(takesEmpty ? { takesEmpty } : {}),
    parse: (text, loc, out) => parseFormText(schema, text, loc, out),
  };
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
      ...(sub.type === "string" && sub.minLength === 0 ? { takesEmpty: true } : {}),
      default: sub.default,
      parse: isFile ? (t) => t : (text, loc, out) => parseFormText(sub, text, loc, out),
    };
  });
}
