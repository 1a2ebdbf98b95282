#!/usr/bin/env node
// Generates @decart/api from spec/openapi.yaml: the openapi-typescript types and the runtime model catalogue.
//   node scripts/generate.mjs                 write src/generated/*
//   node scripts/generate.mjs --check         compare with src/generated/* and fail on any difference
//   node scripts/generate.mjs --spec FILE     read another spec (with --check: prove drift is caught)
//   node scripts/generate.mjs --out DIR       write into DIR instead of src/generated (a test's catalogue of a spec)
// Imported, it generates in the process (its tests, which load its dependencies once): `generate(specText)` gives the
// files it would write, or throws a `SpecError`, the refusal the command prints; `staleFiles` is what `--check` compares.
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";
import YAML from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");

/**
 * What the spec says that the generator cannot make into the package (the catalogue cannot represent it, two of its
 * figures disagree, a reference leads nowhere…): the message names the place in the spec, as the command prints it.
 */
export class SpecError extends Error {
  name = "SpecError";
  /** Where in the spec's text, when known (invalid YAML): its line and column, from 1. */
  line;
  col;
}

/** The spec's text parsed: a `SpecError` with the line and column for text that is no valid YAML. */
function parseSpec(specText) {
  try {
    return YAML.parse(specText);
  } catch (e) {
    if (!(e instanceof YAML.YAMLError)) throw e;
    const [first, ...excerpt] = e.message.split("\n");
    const error = new SpecError([first.replace(/ at line \d+, column \d+:?$/, ""), ...excerpt].join("\n").trimEnd(), {
      cause: e,
    });
    error.line = e.linePos?.[0]?.line;
    error.col = e.linePos?.[0]?.col;
    throw error;
  }
}

const HEADER =
  "// Generated from spec/openapi.yaml by packages/api/scripts/generate.mjs. Do not edit: run `pnpm generate`.\n";

/** Follows a local `#/a/b` reference, repeatedly. */
function deref(doc, node) {
  let n = node;
  while (n && typeof n === "object" && typeof n.$ref === "string") {
    n = n.$ref
      .slice(2)
      .split("/")
      .reduce((o, k) => o?.[k.replace(/~1/g, "/").replace(/~0/g, "~")], doc);
    if (n === undefined) throw new SpecError(`unresolved reference ${node.$ref}`);
  }
  return n;
}

/** Deep copy with every local reference replaced by its target. */
function inline(doc, node) {
  const n = deref(doc, node);
  if (Array.isArray(n)) return n.map((x) => inline(doc, x));
  if (n && typeof n === "object") return Object.fromEntries(Object.entries(n).map(([k, v]) => [k, inline(doc, v)]));
  return n;
}

/** A schema without its `description`s (what a client checks needs no prose, and every byte ships to browsers). */
function withoutProse(node) {
  if (Array.isArray(node)) return node.map(withoutProse);
  if (!node || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => k !== "description" || typeof v !== "string")
      .map(([k, v]) => [k, withoutProse(v)]),
  );
}

/**
 * The keywords of a field's schema that the catalogue carries (the client and the emulator check them), and the prose
 * beside them. Any other keyword (`pattern`, `multipleOf`, `exclusiveMinimum`, `allOf`…) fails the generation: a limit
 * the spec sets that neither checks would let through, before sending and in the emulator, what the server refuses.
 */
const FIELD_KEYWORDS = new Set([
  ...["type", "format", "contentMediaType", "contentSchema", "enum", "const", "default"],
  ...["minLength", "maxLength", "minimum", "maximum", "description", "title", "example", "examples"],
]);
/** The keywords of a JSON field's `contentSchema` (at any depth) that the client's and the emulator's checks read. */
const JSON_KEYWORDS = new Set([
  ...["type", "enum", "const", "default", "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"],
  ...[
    "items",
    "properties",
    "required",
    "additionalProperties",
    "oneOf",
    "description",
    "title",
    "example",
    "examples",
  ],
]);
/** The types a form field of the catalogue may have (a file is `type: string, format: binary`). */
const FIELD_TYPES = ["string", "integer", "number", "boolean"];

/** Throws, naming `where` and the first keyword of `schema` not in `known` (through a JSON field's schema, at any depth). */
function refuseUnknown(schema, known, where) {
  if (!schema || typeof schema !== "object" || Array.isArray(schema)) return;
  for (const k of Object.keys(schema)) {
    if (!known.has(k))
      throw new SpecError(
        `${where}: the keyword \`${k}\` is not carried by the catalogue (the client and the emulator would not check ` +
          `it): state the limit with those it carries (${[...known].join(", ")}), or teach ` +
          "packages/api/scripts/generate.mjs to carry it for both",
      );
  }
  if (known !== JSON_KEYWORDS) return;
  if (typeof schema.additionalProperties === "object")
    throw new SpecError(
      `${where}: \`additionalProperties\` as a schema is not carried by the catalogue (true or false is)`,
    );
  for (const [k, v] of Object.entries(schema.properties ?? {})) refuseUnknown(v, known, `${where}.properties.${k}`);
  if (schema.items) refuseUnknown(schema.items, known, `${where}.items`);
  for (const [i, v] of (schema.oneOf ?? []).entries()) refuseUnknown(v, known, `${where}.oneOf[${i}]`);
}

/**
 * Throws for limits of a field `f` (at `where`) that contradict each other: a `default` the field's own `enum`,
 * `minimum`/`maximum` or `minLength`/`maxLength` refuse (the client would send, and `decart models` document, a value
 * the server answers 422), or a lower limit above its upper one (no value would do).
 */
function refuseContradiction(f, where) {
  for (const [low, high] of [
    ["minLength", "maxLength"],
    ["minimum", "maximum"],
  ])
    if (f[low] !== undefined && f[high] !== undefined && f[low] > f[high])
      throw new SpecError(`${where}: \`${low}: ${f[low]}\` is above \`${high}: ${f[high]}\`: no value would do`);
  const d = f.default;
  if (d === undefined) return;
  const outside =
    f.enum !== undefined && !f.enum.includes(d)
      ? `not one of its enum (${f.enum.join(", ")})`
      : typeof d === "number" && f.minimum !== undefined && d < f.minimum
        ? `below its minimum ${f.minimum}`
        : typeof d === "number" && f.maximum !== undefined && d > f.maximum
          ? `above its maximum ${f.maximum}`
          : typeof d === "string" && f.minLength !== undefined && [...d].length < f.minLength
            ? `shorter than its minLength ${f.minLength}`
            : typeof d === "string" && f.maxLength !== undefined && [...d].length > f.maxLength
              ? `longer than its maxLength ${f.maxLength}`
              : "";
  if (outside)
    throw new SpecError(
      `${where}: its default ${JSON.stringify(d)} is ${outside}: the client would send it, and the server refuse it`,
    );
}

/**
 * A field of the catalogue from its schema in the spec (`where` names it there, for the errors). FastAPI's optional
 * field (`anyOf: [{…}, {type: "null"}]`, or `type: [T, "null"]`, with pydantic's `default: null`) is its non-null
 * schema without a default: the client and the emulator take a null as no value given. A `const` is a one-value `enum`.
 */
function fieldOf(doc, name, propNode, required, encoding, where) {
  let s = inline(doc, propNode);
  const { anyOf, ...outer } = s;
  if (anyOf !== undefined) {
    const some = Array.isArray(anyOf) ? anyOf.filter((b) => b?.type !== "null") : [];
    if (some.length !== 1 || anyOf.length !== 2)
      throw new SpecError(
        `${where}: \`anyOf\` is carried only as an optional value, [{…}, {type: "null"}]; for a choice of values use \`enum\``,
      );
    s = { ...some[0], ...outer };
  }
  if (Array.isArray(s.type) && s.type.length === 2 && s.type.includes("null"))
    s = { ...s, type: s.type.find((t) => t !== "null") };
  refuseUnknown(s, FIELD_KEYWORDS, where);
  const f = { name };
  if (s.format === "binary" && s.type === "string") {
    f.type = "file";
    const accept = encoding?.[name]?.contentType;
    if (accept) f.accept = accept.split(",").map((t) => t.trim());
  } else if (s.contentMediaType === "application/json" && s.type === "string" && s.format === undefined) {
    f.type = "json";
    if (s.contentSchema) {
      refuseUnknown(s.contentSchema, JSON_KEYWORDS, `${where}.contentSchema`);
      f.schema = s.contentSchema;
    }
  } else if (s.format !== undefined || s.contentMediaType !== undefined || s.contentSchema !== undefined) {
    throw new SpecError(
      `${where}: a field is a file (type: string, format: binary) or JSON text (type: string, contentMediaType: ` +
        `application/json, contentSchema); \`format: ${s.format}\`, \`contentMediaType: ${s.contentMediaType}\` is neither`,
    );
  } else if (FIELD_TYPES.includes(s.type)) {
    f.type = s.type;
  } else {
    throw new SpecError(
      `${where}: a form field's type is one of ${FIELD_TYPES.join(", ")}, a file or JSON text (got ${JSON.stringify(s.type)}` +
        `${s.type === "array" || s.type === "object" ? `: send it as JSON text, type: string, contentMediaType: application/json, contentSchema: {type: ${s.type}, …}` : ""})`,
    );
  }
  f.required = required;
  if (s.const !== undefined) {
    if (s.enum !== undefined) throw new SpecError(`${where}: \`const\` and \`enum\` together; keep one`);
    s = { ...s, enum: [s.const] };
  }
  // (A null default, as pydantic writes one for an optional field, is no value: the field has no default.)
  for (const k of ["enum", "default", "minLength", "maxLength", "minimum", "maximum"]) {
    if (s[k] !== undefined && s[k] !== null) f[k] = s[k];
  }
  refuseContradiction(f, where);
  return f;
}

/**
 * The keys of each kind of cross-field rule (`x-decart-rules`) that `brokenRules` of `src/index.ts` reads, the client and
 * the emulator with it: `exactlyOne` of `fields`, or `field` `forbiddenWith` the field `with`.
 */
const RULE_KINDS = { exactlyOne: ["fields"], forbiddenWith: ["field", "with"] };

/**
 * The cross-field rules of a model's form `schema` (`at` names them in the spec), checked: each of a kind RULE_KINDS
 * has, with its keys and a `message`, naming fields the form has. (A rule of another kind would refuse every request
 * the client makes and the emulator answers; one naming a field the form lacks would never apply.)
 */
function rulesOf(schema, at) {
  const rules = schema["x-decart-rules"] ?? [];
  if (!Array.isArray(rules)) throw new SpecError(`${at}: a list of rules`);
  const fields = Object.keys(schema.properties ?? {});
  for (const [i, r] of rules.entries()) {
    const where = `${at}[${i}]`;
    const keys = RULE_KINDS[r?.rule];
    if (!Object.hasOwn(RULE_KINDS, r?.rule ?? ""))
      throw new SpecError(
        `${where}.rule: ${JSON.stringify(r?.rule)} is no kind of rule the client and the emulator check ` +
          `(${Object.keys(RULE_KINDS).join(", ")}); another needs its reading in brokenRules (packages/api/src/index.ts)`,
      );
    for (const k of Object.keys(r))
      if (![...keys, "rule", "message"].includes(k))
        throw new SpecError(`${where}: a ${r.rule} rule has ${[...keys, "message"].join(", ")}, not \`${k}\``);
    if (typeof r.message !== "string" || !r.message)
      throw new SpecError(`${where}.message: a rule needs the server's message for it`);
    const named = r.rule === "exactlyOne" ? r.fields : [r.field, r.with];
    if (r.rule === "exactlyOne" && (!Array.isArray(r.fields) || r.fields.length < 2))
      throw new SpecError(`${where}.fields: an exactlyOne rule names two fields or more`);
    for (const f of named)
      if (!fields.includes(f))
        throw new SpecError(
          `${where}: the rule names the field ${JSON.stringify(f)}, which the form does not have (${fields.join(", ")})`,
        );
  }
  return rules;
}

/** The keys of `x-decart-model` the catalogue reads: any other is refused (a misspelt key would be ignored). */
const MODEL_KEYS = ["name", "kind", "fps", "width", "height", "typicalJobSeconds", "aliasOf", "deprecatedInFavourOf"];

/** The edit distance of `a` and `b`, letter case aside (for the known key nearest a misspelt one). */
function distance(a, b) {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++)
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    row = next;
  }
  return row[y.length];
}

/** Throws for a key of `x` (an operation's `x-decart-model`, at `at`) the catalogue does not read, naming the nearest. */
function refuseUnknownModelKeys(x, at) {
  for (const k of Object.keys(x)) {
    if (MODEL_KEYS.includes(k)) continue;
    const near = MODEL_KEYS.map((known) => [distance(k, known), known]).sort((a, b) => a[0] - b[0])[0];
    const hint =
      k === "deprecated"
        ? "a deprecated model is the operation's `deprecated: true` (beside x-decart-model)"
        : near[0] <= Math.max(2, Math.floor(k.length / 4))
          ? `did you mean \`${near[1]}\`?`
          : `the keys are ${MODEL_KEYS.join(", ")}`;
    throw new SpecError(`${at}.x-decart-model: the key \`${k}\` is not one the catalogue reads: ${hint}`);
  }
}

/** The kinds of model the catalogue carries: `videoModel` and `imageModel` build their entries. */
const MODEL_KINDS = ["video", "image"];

function catalogueOf(doc) {
  const models = {};
  const legacy = {};
  for (const [path, item] of Object.entries(doc.paths)) {
    const op = item.post;
    if (!op) continue;
    if (op["x-decart-legacy-sync-of"]) {
      legacy[op["x-decart-legacy-sync-of"]] = path;
      continue;
    }
    const x = op["x-decart-model"];
    if (!x) continue;
    // What the catalogue can represent, checked before it is read: a model of a kind the client has (a Queue API video
    // or a Process API image), taking a form (multipart/form-data, as every model does) of an object's fields.
    const at = `paths["${path}"].post`;
    refuseUnknownModelKeys(x, at);
    if (!MODEL_KINDS.includes(x.kind))
      throw new SpecError(
        `${at}.x-decart-model.kind: ${JSON.stringify(x.kind)} is no kind the catalogue carries (${MODEL_KINDS.join(", ")}); ` +
          "a model of another kind (realtime…) needs its own builder in packages/api/scripts/generate.mjs and a client for it",
      );
    if (typeof x.name !== "string" || !x.name)
      throw new SpecError(`${at}.x-decart-model.name: a model needs its name (got ${JSON.stringify(x.name)})`);
    const body = op.requestBody?.$ref?.split("/").pop();
    if (!body) throw new SpecError(`${at}.requestBody: must be a reference to components/requestBodies`);
    if (!/^[a-zA-Z0-9._-]+$/.test(body))
      throw new SpecError(`${at}.requestBody: ${JSON.stringify(body)} is no component name (letters, digits, . - _)`);
    const content = Object.keys(deref(doc, op.requestBody).content ?? {});
    if (content.join() !== "multipart/form-data")
      throw new SpecError(
        `${at}.requestBody (${op.requestBody.$ref}): its content is ${content.join(", ") || "none"}; the catalogue ` +
          "carries a model whose body is multipart/form-data alone (the client sends every model's inputs as a form)",
      );
    const media = deref(doc, op.requestBody).content["multipart/form-data"];
    const schema = deref(doc, media.schema);
    if (schema?.type !== "object" || typeof (schema.properties ?? {}) !== "object")
      throw new SpecError(
        `${op.requestBody.$ref}/content/multipart~1form-data/schema: a model's form is an object (type: object, properties)`,
      );
    const required = new Set(schema.required ?? []);
    // Where a field's schema is in the spec, for the errors: its reference, or its place in the body's schema.
    const schemaAt = media.schema.$ref ?? `${op.requestBody.$ref}/content/multipart~1form-data/schema`;
    const where = (p, name) => p.$ref ?? `${schemaAt}/properties/${name}`;
    const m = {
      name: x.name,
      kind: x.kind,
      path,
      ...(x.fps !== undefined ? { fps: x.fps } : {}),
      width: x.width,
      height: x.height,
      typicalJobSeconds: x.typicalJobSeconds,
      ...(x.aliasOf ? { aliasOf: x.aliasOf } : {}),
      // Every deprecated model says so (`deprecated`); one with a replacement names it too (`deprecatedInFavourOf`, the
      // model to use instead: its `aliasOf` too when the server runs the name as that model).
      ...(op.deprecated ? { deprecated: true } : {}),
      ...(x.deprecatedInFavourOf ? { deprecatedInFavourOf: x.deprecatedInFavourOf } : {}),
      fields: Object.entries(schema.properties ?? {}).map(([name, p]) =>
        fieldOf(doc, name, p, required.has(name), media.encoding, `${path}: field ${name} (${where(p, name)})`),
      ),
      rules: rulesOf(schema, `${schemaAt}/x-decart-rules`),
      body,
    };
    if (x.deprecatedInFavourOf && !op.deprecated)
      throw new SpecError(`${path}: x-decart-model.deprecatedInFavourOf needs the operation's deprecated: true`);
    if (models[m.name]) throw new SpecError(`model ${m.name} has two operations`);
    models[m.name] = m;
  }
  for (const [name, path] of Object.entries(legacy)) {
    if (!models[name]) throw new SpecError(`legacy route ${path} names unknown model ${name}`);
    models[name].legacySyncPath = path;
  }
  // An alias runs its target (`aliasOf`: the same model under another name, a deprecated one too): the same facts, the
  // same inputs, which `canonicalModel` and the emulator take it for.
  for (const m of Object.values(models)) {
    const to = m.aliasOf;
    if (to === undefined) continue;
    const t = models[to];
    if (!t) throw new SpecError(`model ${m.name}: x-decart-model.aliasOf names unknown model ${to}`);
    for (const k of ["kind", "fps", "width", "height", "typicalJobSeconds", "body"]) {
      if (m[k] !== t[k])
        throw new SpecError(
          `model ${m.name} runs ${to} (x-decart-model.aliasOf), but its ${k} (${m[k]}) is not ${to}'s (${t[k]}): ` +
            "a model to use instead that is another model is its deprecatedInFavourOf alone",
        );
    }
  }
  // A deprecated model's replacement (`deprecatedInFavourOf`: the model to use instead, the same model renamed or a
  // successor) is a model the API serves, of the same kind (`models.video(…)` takes it too), and not deprecated itself.
  for (const m of Object.values(models)) {
    const to = m.deprecatedInFavourOf;
    if (to === undefined) continue;
    const t = models[to];
    const why = !t
      ? "is no model of the spec"
      : t.kind !== m.kind
        ? `is ${t.kind === "image" ? "an" : "a"} ${t.kind} model, not ${m.kind === "image" ? "an" : "a"} ${m.kind} one`
        : t.deprecated
          ? `is deprecated too${t.deprecatedInFavourOf ? `: name ${t.deprecatedInFavourOf}` : ""}`
          : "";
    if (why) throw new SpecError(`model ${m.name}: x-decart-model.deprecatedInFavourOf ${to} ${why}`);
  }
  return models;
}

/** The prose that goes with each model (for help texts), kept apart so browser bundles need not carry it. */
function docsOf(doc) {
  const docs = {};
  for (const item of Object.values(doc.paths)) {
    const op = item.post;
    const x = op?.["x-decart-model"];
    if (!x) continue;
    const schema = deref(doc, deref(doc, op.requestBody).content["multipart/form-data"].schema);
    docs[x.name] = {
      operationId: op.operationId,
      summary: op.summary,
      description: op.description,
      fields: Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([name, p]) => [name, deref(doc, p).description ?? ""]),
      ),
    };
  }
  return docs;
}

/** The units the docs' words for the limit of one file may give, by their power of 1024 read the larger way. */
const FILE_LIMIT_UNITS = { kB: 1, KiB: 1, MB: 2, MiB: 2, GB: 3, GiB: 3 };

/**
 * The docs' words for the limit of one file (`x-decart-max-file-docs` of the 413 answer: "200 MB"), of which
 * `x-decart-max-file-bytes` is the larger reading, as the 413's description says: the figure in binary units ("200 MB",
 * or "200 MiB", is 200 × 1024 × 1024 = 209715200 bytes). The unit is one of FILE_LIMIT_UNITS, spelled as SI and IEC
 * spell them (kB, KiB, MB, MiB, GB, GiB). Two figures that disagree fail the generation.
 */
function maxFileDocsOf(doc) {
  const words = deref(doc, doc.components.responses.PayloadTooLarge)["x-decart-max-file-docs"];
  const [, figure, unit] = /^(\d+(?:\.\d+)?) (\w+)$/.exec(typeof words === "string" ? words : "") ?? [];
  if (!figure || !Object.hasOwn(FILE_LIMIT_UNITS, unit))
    throw new SpecError(
      "components.responses.PayloadTooLarge needs x-decart-max-file-docs, a figure and a unit " +
        `(${Object.keys(FILE_LIMIT_UNITS).join(", ")}): "200 MB" (got ${JSON.stringify(words)})`,
    );
  const power = FILE_LIMIT_UNITS[unit];
  const read = Number(figure) * 1024 ** power;
  if (read !== maxFileBytesOf(doc))
    throw new SpecError(
      `components.responses.PayloadTooLarge: x-decart-max-file-bytes (${maxFileBytesOf(doc)}) is not x-decart-max-file-docs ` +
        `("${words}") read the larger way, as ${figure} ${" KMG"[power]}iB (${read} bytes): correct one of them (and the description)`,
    );
  return words;
}

/** The spec's limit of one uploaded file, in bytes (`x-decart-max-file-bytes` of the 413 answer). */
function maxFileBytesOf(doc) {
  const bytes = deref(doc, doc.components.responses.PayloadTooLarge)["x-decart-max-file-bytes"];
  if (!Number.isSafeInteger(bytes) || bytes <= 0)
    throw new SpecError("components.responses.PayloadTooLarge needs x-decart-max-file-bytes, a positive integer");
  return bytes;
}

/** The spec's `maxLength` of a job or file id (the `job_id` and `file_id` path parameters, which must all agree). */
function maxIdLengthOf(doc) {
  const found = new Set();
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item)) {
      for (const p of op?.parameters ?? []) {
        const param = deref(doc, p);
        if (param.in === "path" && (param.name === "job_id" || param.name === "file_id"))
          found.add(deref(doc, param.schema).maxLength);
      }
    }
  }
  const [most, ...others] = found;
  if (others.length || !Number.isSafeInteger(most) || most <= 0)
    throw new SpecError(`the job_id and file_id path parameters need one maxLength, a positive integer: ${[...found]}`);
  return most;
}

/**
 * The spec's retired models (`x-decart-retired-models`), each `{ name, replacement }`: a replacement is a model the API
 * serves, not deprecated (naming its own `deprecatedInFavourOf`, when it has one, to name instead). One that is retired itself (a model renamed then retired: `lucy-fast-v2v → lucy-clip`, `lucy-clip →
 * lucy-clip-2`) fails the generation, naming the chain and its served end, which the entry is to name instead.
 */
function retiredOf(doc, models) {
  const retired = doc["x-decart-retired-models"] ?? [];
  const byName = new Map(retired.map((r) => [r.name, r]));
  for (const r of retired) {
    const where = `x-decart-retired-models: ${r.name}`;
    if (models[r.name]) throw new SpecError(`${where} is retired, yet an operation serves it: remove one of them`);
    const served = models[r.replacement];
    // (A model to use instead that is deprecated itself would only move its user on to its 410 next: as a deprecated
    // model's deprecatedInFavourOf, it names the model to use now.)
    if (served?.deprecated)
      throw new SpecError(
        `${where}: its replacement ${r.replacement} is deprecated${served.deprecatedInFavourOf ? `: name ${served.deprecatedInFavourOf}` : ", with no replacement"}`,
      );
    if (r.replacement === undefined || served) continue;
    const chain = [r.name];
    let to = r.replacement;
    while (byName.has(to) && !chain.includes(to)) {
      chain.push(to);
      to = byName.get(to).replacement;
    }
    chain.push(to);
    throw new SpecError(
      models[to]
        ? `${where}: its replacement ${r.replacement} is retired too (${chain.join(" → ")}): name ${to}, the model served`
        : `${where}: its replacement ${r.replacement} is no model the spec serves (${chain.join(" → ")})`,
    );
  }
  return retired;
}

function catalogueSource(doc) {
  const models = catalogueOf(doc);
  const retired = retiredOf(doc, models);
  const jobStatuses = deref(doc, doc.components.schemas.JobStatus).enum;
  const jobContentTypes = Object.keys(deref(doc, doc.paths["/v1/jobs/{job_id}/content"].get.responses["200"]).content);
  // Every media type an image model's operation answers with 200.
  const imageContentTypes = [
    ...new Set(
      Object.values(doc.paths)
        .filter((item) => item.post?.["x-decart-model"]?.kind === "image")
        .flatMap((item) => Object.keys(deref(doc, item.post.responses["200"]).content)),
    ),
  ];
  const json = (v) => JSON.stringify(v, null, 2);
  // Models that share a request body share one inputs object (aliases, deprecated names, model families).
  const inputs = Object.create(null);
  for (const m of Object.values(models)) {
    const shared = { fields: m.fields, rules: m.rules };
    if (inputs[m.body] && json(inputs[m.body]) !== json(shared))
      throw new SpecError(`body ${m.body} differs between models`);
    inputs[m.body] = shared;
  }
  // A body the same as an earlier one (another operation's schema of the same fields and rules) is that object, once in the
  // bundle: the data the same, less to download.
  // Each body's object is a constant of a name of its own, whatever the body's (`TextToVideo-Neo` is no identifier,
  // `Object` or `frozen` would shadow what the module uses): `body_` and the name, its other characters `_`, numbered
  // when two names come out the same.
  const ident = new Map();
  for (const name of Object.keys(inputs)) {
    const base = `body_${name.replace(/[^A-Za-z0-9_$]/g, "_")}`;
    let id = base;
    for (let n = 2; [...ident.values()].includes(id); n++) id = `${base}_${n}`;
    ident.set(name, id);
  }
  const written = new Map();
  const shared = Object.entries(inputs)
    .map(([name, v]) => {
      const text = json(v);
      const same = written.get(text);
      written.set(text, same ?? name);
      return same
        ? `/** Inputs of the \`${name}\` request body: the same as \`${same}\`'s. */\nconst ${ident.get(name)} = ${ident.get(same)};\n`
        : `/** Inputs of the \`${name}\` request body. */\nconst ${ident.get(name)} = ${text} as const;\n`;
    })
    .join("\n");
  // Each entry is built by `videoModel` or `imageModel`, which add what follows from the name: the kind, the path and (for
  // videos) the deprecated synchronous route; a video model without that route (a model newer than it) is built by
  // `videoModelWithoutLegacy`, written only when the spec has one. The spec's routes must follow that convention.
  let withoutLegacy = false;
  const entries = Object.values(models).map((m) => {
    const { name, kind, path, legacySyncPath, fields, rules, body, ...facts } = m;
    const video = kind === "video";
    const expected = `${video ? "/v1/jobs" : "/v1/generate"}/${name}`;
    if (path !== expected)
      throw new SpecError(
        `model ${name}: its operation is at ${path}, but a ${kind} model's is at ${expected} (the catalogue builds the ` +
          "route from the name)",
      );
    if (legacySyncPath !== undefined && legacySyncPath !== (video ? `/v1/generate/${name}` : undefined))
      throw new SpecError(
        video
          ? `model ${name}: its deprecated synchronous route (x-decart-legacy-sync-of) is at ${legacySyncPath}, but a ` +
              `video model's is at /v1/generate/${name}, or there is none`
          : `model ${name}: an image model has no deprecated synchronous route, but ${legacySyncPath} is one ` +
              "(x-decart-legacy-sync-of): its Process API route is its operation",
      );
    const line = JSON.stringify(facts, null, 1).replace(/\n */g, " ");
    const builder = video && !legacySyncPath ? "videoModelWithoutLegacy" : `${kind}Model`;
    withoutLegacy ||= builder === "videoModelWithoutLegacy";
    return `  /* @__PURE__ */ ${builder}(${json(name)}, ${line}, ${ident.get(body)}),`;
  });
  return `${HEADER}
${shared}
/** A catalogue entry as one object type. */
type Entry<T> = { readonly [K in keyof T]: T[K] };

/** A video model: Queue API at \`/v1/jobs/{name}\`, and its deprecated synchronous route at \`/v1/generate/{name}\`. */
const videoModel = <const N extends string, const F extends object, const I extends object>(name: N, facts: F, inputs: I) =>
  ({ name, kind: "video", path: \`/v1/jobs/\${name}\`, ...facts, ...inputs, legacySyncPath: \`/v1/generate/\${name}\` }) as Entry<
    { name: N; kind: "video"; path: \`/v1/jobs/\${N}\` } & F & I & { legacySyncPath: \`/v1/generate/\${N}\` }
  >;

${
  withoutLegacy
    ? `/** A video model with no deprecated synchronous route: Queue API at \`/v1/jobs/{name}\` only. */
const videoModelWithoutLegacy = <const N extends string, const F extends object, const I extends object>(name: N, facts: F, inputs: I) =>
  ({ name, kind: "video", path: \`/v1/jobs/\${name}\`, ...facts, ...inputs }) as Entry<{ name: N; kind: "video"; path: \`/v1/jobs/\${N}\` } & F & I>;

`
    : ""
}/** An image model: Process API at \`/v1/generate/{name}\`. */
const imageModel = <const N extends string, const F extends object, const I extends object>(name: N, facts: F, inputs: I) =>
  ({ name, kind: "image", path: \`/v1/generate/\${name}\`, ...facts, ...inputs }) as Entry<
    { name: N; kind: "image"; path: \`/v1/generate/\${N}\` } & F & I
  >;

/**
 * \`value\` frozen through and through, in place: the catalogue and every table below are shared by every client of the
 * process, and their readonly types hold at run time too (a limit changed in place would hold every client to it).
 */
const frozen = <T>(value: T): T => {
  // (Plain data, no cycles: an object shared by several entries is frozen again, harmlessly.)
  if (value && typeof value === "object") for (const inner of Object.values(Object.freeze(value))) frozen(inner);
  return value;
};

/** The entries keyed by their names, in order, frozen through and through. */
const byName = <const L extends readonly { name: string }[]>(list: L) =>
  frozen(Object.fromEntries(list.map((entry) => [entry.name, entry]))) as { readonly [E in L[number] as E["name"]]: E };

/** Every model the API serves, keyed by name, in spec order. */
export const catalogue = /* @__PURE__ */ byName([
${entries.join("\n")}
]);

/** Each model's operation id, summary, description and field descriptions, for help texts. */
export const modelDocs = /* @__PURE__ */ frozen(${json(docsOf(doc))} as const);

/** Models the server has retired: it answers them with 410. */
export const retiredModels = /* @__PURE__ */ frozen(${json(retired)} as const);

/** The states of a queued job, in lifecycle order. */
export const jobStatuses = /* @__PURE__ */ frozen(${json(jobStatuses)} as const);

/** The media types of a completed job's result (\`GET /v1/jobs/{job_id}/content\`). */
export const jobContentTypes = /* @__PURE__ */ frozen(${json(jobContentTypes)} as const);

/** The media types of an image model's answer (the Process API). */
export const imageContentTypes = /* @__PURE__ */ frozen(${json(imageContentTypes)} as const);

/** Limits of the non-model request bodies (machine facts only: prose stays in the spec). */
export const requestSchemas = /* @__PURE__ */ frozen(${json({
    CreateTokenRequest: withoutProse(inline(doc, doc.components.schemas.CreateTokenRequest)),
    UploadFileRequest: withoutProse(inline(doc, doc.components.schemas.UploadFileRequest)),
  })} as const);

/** The spec's schemas of the non-model answers a client checks beyond their type (machine facts only). */
export const responseSchemas = /* @__PURE__ */ frozen(${json({
    JobStatusResponse: withoutProse(inline(doc, doc.components.schemas.JobStatusResponse)),
    CreateTokenResponse: withoutProse(inline(doc, doc.components.schemas.CreateTokenResponse)),
    FileReference: withoutProse(inline(doc, doc.components.schemas.FileReference)),
  })} as const);

/** The most bytes the API takes in one file (the 413's \`x-decart-max-file-bytes\`): a larger upload is answered 413. */
export const maxFileBytes = ${json(maxFileBytesOf(doc))};

/** The limit of one file in the docs' words (the 413's \`x-decart-max-file-docs\`), which \`maxFileBytes\` reads the larger way. */
export const maxFileDocs = ${json(maxFileDocsOf(doc))};

/** The longest job or file id, in characters (code points): the \`maxLength\` of the \`job_id\` and \`file_id\` path parameters. */
export const maxIdLength = ${json(maxIdLengthOf(doc))};

/** The API's production base URL. */
export const defaultBaseUrl = ${json(doc.servers[0].url)};

/** The header that carries the API key. */
export const apiKeyHeader = ${json(deref(doc, doc.components.securitySchemes.ApiKey).name)};
`;
}

async function typesSource(specText) {
  const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier("Blob"));
  const ast = await openapiTS(specText, {
    transform(schemaObject) {
      if (schemaObject.format === "binary") return BLOB;
      return undefined;
    },
  });
  return HEADER + astToString(ast);
}

/** A spec description as a TSDoc comment (nothing for none). */
const tsdoc = (text) =>
  typeof text === "string" && text.trim()
    ? `/**\n${text
        .trim()
        .replaceAll("*/", "*\\/")
        .split("\n")
        .map((line) => ` * ${line}`.trimEnd())
        .join("\n")}\n */\n`
    : "";

/**
 * Every schema of the spec as a type of its name, its description its TSDoc: what an editor shows on hover, and the
 * API reference, for the types `src/index.ts` exports (`components["schemas"][name]` shows no comment through an alias).
 */
function schemasSource(doc) {
  const schemas = Object.entries(doc.components.schemas);
  return `${HEADER}import type { components } from "./openapi.js";

${schemas.map(([name, schema]) => `${tsdoc(schema.description)}export type ${name} = components["schemas"]["${name}"];\n`).join("")}`;
}

/** The generated files of the spec `doc` (parsed from `specText`), by name: a `SpecError` for what the spec cannot make. */
async function outputsOf(specText, doc) {
  try {
    return {
      "openapi.ts": await typesSource(specText),
      "catalogue.ts": catalogueSource(doc),
      "schemas.ts": schemasSource(doc),
    };
  } catch (e) {
    // A plain Error is the spec's (openapi-typescript's "Can't resolve $ref" too); an error of another class, a
    // TypeError, is this script's own, and keeps its stack.
    throw e?.constructor === Error ? new SpecError(e.message, { cause: e }) : e;
  }
}

/**
 * The files the generator makes of the spec `specText` (YAML), by name (`openapi.ts`, `catalogue.ts`, `schemas.ts`), as
 * `pnpm generate` writes them into `src/generated`. Throws a `SpecError` naming the place in the spec it cannot make.
 */
export async function generate(specText) {
  return outputsOf(specText, parseSpec(specText));
}

/** The names of the files of `outputs` that `dir` does not hold as they are (missing or different): `--check`'s test. */
export function staleFiles(outputs, dir) {
  return Object.entries(outputs)
    .filter(([file, text]) => {
      try {
        return readFileSync(join(dir, file), "utf8") !== text;
      } catch {
        return true;
      }
    })
    .map(([file]) => file);
}

/** The command: `pnpm generate` and `pnpm check-generated` (see the top of this file). */
async function main(args) {
  const outArg = args.indexOf("--out");
  const outDir = outArg >= 0 ? resolve(args[outArg + 1]) : resolve(here, "../src/generated");
  const check = args.includes("--check");
  const specArg = args.indexOf("--spec");
  const specPath = specArg >= 0 ? resolve(args[specArg + 1]) : join(root, "spec/openapi.yaml");

  const specText = readFileSync(specPath, "utf8");
  let outputs;
  try {
    outputs = await outputsOf(specText, parseSpec(specText));
  } catch (e) {
    // What the spec says that the catalogue cannot represent: the message names the place in the spec, not this script's
    // (an error of another class, a TypeError, is this script's own: its stack too). Invalid YAML is named by its line
    // and column, as editors take it: `spec/openapi.yaml:153:20: message`.
    const at = e instanceof SpecError && e.line !== undefined ? `:${e.line}:${e.col}` : "";
    console.error(
      `${relative(process.cwd(), specPath) || specPath}${at}: ${e instanceof SpecError ? e.message : e.stack}`,
    );
    process.exit(1);
  }

  if (check) {
    const stale = staleFiles(outputs, outDir);
    if (stale.length) {
      const where = relative(process.cwd(), specPath) || specPath;
      console.error(
        `Generated code is out of date with ${where}: ${stale.map((f) => `packages/api/src/generated/${f}`).join(", ")}.\n` +
          "Run `pnpm generate` at the repository root and commit the result.",
      );
      process.exit(1);
    }
    console.log("Generated code is up to date with the spec.");
  } else {
    mkdirSync(outDir, { recursive: true });
    for (const [file, text] of Object.entries(outputs)) writeFileSync(join(outDir, file), text);
    console.log(
      `Wrote ${Object.keys(outputs)
        .map((f) => relative(root, join(outDir, f)))
        .join(", ")}`,
    );
  }
}

/** Whether node runs this file (`node scripts/generate.mjs`), not a module that imports it. */
function isCommand() {
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isCommand()) await main(process.argv.slice(2));
