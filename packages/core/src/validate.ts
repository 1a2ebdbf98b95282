import type { FieldInfo } from "@decart/api";
import { InvalidInputError } from "./errors.js";
import type { ModelDefinition } from "./models.js";

const show = (v: unknown): string => {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v === null || typeof v !== "object") return String(v);
  return Array.isArray(v) ? "an array" : (v as object).constructor?.name || "an object";
};

function fail(where: string, field: string, expected: string, ...got: unknown[]): never {
  const tail = got.length ? ` (got ${show(got[0])})` : "";
  throw new InvalidInputError(`${where}: "${field}" must be ${expected}${tail}`, { field, expected });
}

/** True for what the client can turn into a file part (see `FileInput`). */
export function isFileInput(v: unknown): boolean {
  return (
    (typeof Blob !== "undefined" && v instanceof Blob) ||
    (typeof ReadableStream !== "undefined" && v instanceof ReadableStream) ||
    v instanceof ArrayBuffer ||
    ArrayBuffer.isView(v) ||
    (typeof URL !== "undefined" && v instanceof URL && /^https?:$/.test(v.protocol)) ||
    (typeof v === "string" && /^https?:\/\//i.test(v))
  );
}

type Schema = {
  type?: string;
  enum?: readonly unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: Schema;
  required?: readonly string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  oneOf?: readonly Schema[];
};

const TYPES: Record<string, (v: unknown) => boolean> = {
  array: Array.isArray,
  object: (v) => typeof v === "object" && v !== null && !Array.isArray(v),
  integer: Number.isInteger,
  number: Number.isFinite,
  string: (v) => typeof v === "string",
  boolean: (v) => typeof v === "boolean",
};

/** Checks `value` against the basic shape of a JSON schema: type, enum, limits, items, required, properties. */
export function checkSchema(schema: Schema, value: unknown, path: string, where: string): void {
  if (schema.oneOf) {
    const ok = schema.oneOf.some((s) => {
      try {
        checkSchema(s, value, path, where);
        return true;
      } catch {
        return false;
      }
    });
    if (!ok) fail(where, path, schema.oneOf.map(describe).join(" or "), value);
    return;
  }
  const t = schema.type;
  if (t && !TYPES[t]?.(value)) fail(where, path, describe(schema), value);
  if (schema.const !== undefined && value !== schema.const) fail(where, path, show(schema.const), value);
  if (schema.enum && !schema.enum.includes(value)) {
    fail(where, path, `one of ${schema.enum.map(show).join(", ")}`, value);
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) fail(where, path, `≥ ${schema.minimum}`, value);
    if (schema.maximum !== undefined && value > schema.maximum) fail(where, path, `≤ ${schema.maximum}`, value);
  }
  if (typeof value === "string") {
    const n = [...value].length;
    if (schema.minLength !== undefined && n < schema.minLength) {
      fail(where, path, `at least ${schema.minLength} character${schema.minLength === 1 ? "" : "s"}`, value);
    }
    if (schema.maxLength !== undefined && n > schema.maxLength) {
      fail(where, path, `at most ${schema.maxLength} characters (got ${n})`);
    }
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      fail(where, path, `at least ${schema.minItems} items (got ${value.length})`);
    }
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      fail(where, path, `at most ${schema.maxItems} items (got ${value.length})`);
    }
    if (schema.items) for (const [i, item] of value.entries()) checkSchema(schema.items, item, `${path}[${i}]`, where);
  } else if (TYPES.object!(value)) {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (obj[key] === undefined) fail(where, `${path}.${key}`, "present");
    for (const [key, v] of Object.entries(obj)) {
      if (v === undefined) continue;
      const sub = schema.properties?.[key];
      if (sub) checkSchema(sub, v, `${path}.${key}`, where);
      else if (schema.additionalProperties === false) {
        fail(where, `${path}.${key}`, `absent: allowed are ${Object.keys(schema.properties ?? {}).join(", ")}`);
      }
    }
  }
}

function describe(schema: Schema): string {
  if (schema.const !== undefined) return show(schema.const);
  if (schema.type === "integer") {
    const range =
      schema.minimum !== undefined && schema.maximum !== undefined
        ? ` from ${schema.minimum} to ${schema.maximum}`
        : "";
    return `an integer${range}`;
  }
  return schema.type === "array" || schema.type === "integer" || schema.type === "object"
    ? `an ${schema.type}`
    : `a ${schema.type ?? "value"}`;
}

function checkField(field: FieldInfo, value: unknown, where: string): void {
  const name = field.name;
  switch (field.type) {
    case "file": {
      if (!isFileInput(value)) {
        fail(where, name, "a file: a Blob, File, ReadableStream, Uint8Array, ArrayBuffer or http(s) URL", value);
      }
      const accept = "accept" in field ? (field.accept as readonly string[]) : undefined;
      const type = value instanceof Blob ? value.type.split(";")[0]!.trim().toLowerCase() : "";
      if (accept && type && type !== "application/octet-stream" && !accept.includes(type)) {
        fail(where, name, `a file of type ${accept.join(", ")}`, type);
      }
      return;
    }
    case "json": {
      let parsed = value;
      if (typeof value === "string") {
        try {
          parsed = JSON.parse(value);
        } catch {
          fail(where, name, "JSON text or a structured value", value);
        }
      }
      if ("schema" in field) checkSchema(field.schema as Schema, parsed, name, where);
      return;
    }
    default: {
      const { required: _required, ...schema } = field as { required?: unknown };
      checkSchema(schema as Schema, value, name, where);
    }
  }
}

/**
 * Checks a model's inputs against the catalogue before anything is sent: unknown fields, required fields, types,
 * enums, lengths, limits, file-vs-text, JSON shapes and the model's cross-field rules.
 */
export function validateInputs(model: ModelDefinition, inputs: Record<string, unknown>): void {
  const where = `Invalid input for ${model.name}`;
  const fields = model.fields;
  const present = (name: string) => inputs[name] !== undefined && inputs[name] !== null;
  for (const key of Object.keys(inputs)) {
    if (present(key) && !fields.some((f) => f.name === key)) {
      fail(where, key, `absent: ${model.name} takes ${fields.map((f) => f.name).join(", ")}`);
    }
  }
  for (const field of fields) {
    if (present(field.name)) checkField(field, inputs[field.name], where);
    else if (field.required) {
      throw new InvalidInputError(`${where}: "${field.name}" is required`, {
        field: field.name,
        expected: field.type === "file" ? "a file" : `a ${field.type}`,
      });
    }
  }
  for (const rule of model.rules as readonly any[]) {
    if (rule.rule === "exactlyOne" && rule.fields.filter(present).length !== 1) {
      throw new InvalidInputError(`${where}: ${rule.message}`, {
        field: rule.fields.join("|"),
        expected: `exactly one of ${rule.fields.join(", ")}`,
      });
    }
    if (rule.rule === "forbiddenWith" && present(rule.field) && present(rule.with)) {
      throw new InvalidInputError(`${where}: ${rule.message}`, {
        field: rule.field,
        expected: `absent when ${rule.with} is given`,
      });
    }
  }
}
