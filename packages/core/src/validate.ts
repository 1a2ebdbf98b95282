import { InvalidInputError, invalid } from "./errors.js";

export { invalid };

import type { ModelDefinition } from "./models.js";

/** True for what the client can turn into a file part (see `FileInput`). */
export const isFileInput = (v: unknown): boolean =>
  v instanceof Blob ||
  v instanceof ReadableStream ||
  v instanceof ArrayBuffer ||
  ArrayBuffer.isView(v) ||
  /^https?:\/\//i.test(v instanceof URL ? v.href : typeof v === "string" ? v : "");

/** The subset of JSON Schema the catalogue uses, plus its `file` and `json` field types. */
interface Schema {
  type?: string;
  enum?: readonly unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: Schema;
  required?: readonly string[] | boolean;
  properties?: Record<string, Schema>;
  /** Only the listed properties may be given. */
  closed?: boolean;
  /** For `file`: the accepted media types. */
  accept?: readonly string[];
  /** For `json`: the schema of the parsed value. */
  schema?: Schema;
}

const isObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
const TYPES: Record<string, (v: unknown) => boolean> = {
  array: Array.isArray,
  object: isObject,
  integer: Number.isInteger,
  number: Number.isFinite,
  string: (v) => typeof v === "string",
  boolean: (v) => typeof v === "boolean",
  file: isFileInput,
};

/**
 * Checks `value` against a schema: type (a file is a Blob, stream, bytes or http(s) URL of an accepted media type; a
 * JSON value may be given as JSON text), enum, minimum/maximum, lengths, items, required and known properties.
 * Throws `InvalidInputError` naming the field (`trajectory[1].x`) and what was expected.
 */
export function checkSchema(schema: Schema, input: unknown, path: string, where: string): void {
  const fail = (expected: string, at = path, got: unknown = value): never => {
    throw invalid(where, at, expected, got);
  };
  const { type = "", minimum: min = -Infinity, maximum: max = Infinity, accept } = schema;
  let value = input;
  if (type === "json" && typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      fail("JSON");
    }
  }
  if (TYPES[type]?.(value) === false) {
    fail(type === "file" ? "a file, a stream, bytes or an http(s) URL" : `${/^[aio]/.test(type) ? "an" : "a"} ${type}`);
  }
  const media = value instanceof Blob && value.type.split(";")[0]!.trim();
  if (accept && media && media !== "application/octet-stream" && !accept.includes(media)) {
    fail(`of type ${accept.join(", ")}`, path, media);
  }
  if (schema.enum && !schema.enum.includes(value))
    fail(`one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`);
  if ((value as number) < min || (value as number) > max) fail(`within ${min}..${max}`);
  const length = typeof value === "string" ? [...value].length : Array.isArray(value) ? value.length : 0;
  const lo = schema.minLength ?? schema.minItems ?? 0;
  const hi = schema.maxLength ?? schema.maxItems ?? Infinity;
  if (length < lo || length > hi)
    fail(`${lo} to ${hi} ${type === "array" ? "items" : "characters"} long`, path, length);
  if (schema.schema) checkSchema(schema.schema, value, path, where);
  if (Array.isArray(value) && schema.items) {
    for (const [i, item] of value.entries()) checkSchema(schema.items, item, `${path}[${i}]`, where);
  }
  if (type === "object") {
    const props = schema.properties ?? {};
    const at = (key: string) => (path ? `${path}.${key}` : key);
    for (const [key, v] of Object.entries(value as object)) {
      if (v == null) continue;
      if (props[key]) checkSchema(props[key], v, at(key), where);
      else if (schema.closed) fail(`one of ${Object.keys(props).join(", ")}`, key, undefined);
    }
    for (const key of (schema.required as string[]) ?? []) {
      if ((value as any)[key] == null) fail("given", at(key), undefined);
    }
  }
}

/**
 * Checks a model's inputs against the catalogue before anything is sent: unknown fields, required fields, types,
 * enums, lengths, limits, file-vs-text (and the file's media type), JSON shapes and the model's cross-field rules.
 */
export function validateInputs(model: ModelDefinition, inputs: Record<string, unknown>): void {
  const where = `Invalid input for ${model.name}`;
  const fields = model.fields as unknown as (Schema & { name: string })[];
  checkSchema(
    {
      type: "object",
      closed: true,
      properties: Object.fromEntries(fields.map((f) => [f.name, f])),
      required: fields.filter((f) => f.required).map((f) => f.name),
    },
    inputs,
    "",
    where,
  );
  const given = (name?: string) => inputs[name!] != null;
  for (const rule of model.rules as readonly {
    rule: string;
    fields?: string[];
    field?: string;
    with?: string;
    message: string;
  }[]) {
    if (
      rule.rule === "exactlyOne"
        ? rule.fields!.filter(given).length !== 1
        : rule.rule === "forbiddenWith" && given(rule.field) && given(rule.with)
    ) {
      throw new InvalidInputError(`${where}: ${rule.message}`, {
        field: rule.fields?.join("|") ?? rule.field,
        expected: rule.message,
      });
    }
  }
}
