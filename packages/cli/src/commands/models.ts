import { catalogue, type FieldInfo, isModelName, type ModelName, modelDocs, retiredModels } from "@decart/api";
import { usageError } from "../exit.js";
import { type Output, quoted } from "../output.js";

type Entry = (typeof catalogue)[ModelName];
type Docs = { summary?: string; description?: string; fields?: Record<string, string> };

const docsOf = (name: ModelName): Docs => (modelDocs as Record<string, Docs>)[name] ?? {};

/** A model as `--json` prints it: the catalogue's entry as it is, plus its descriptions under `docs`. */
const asJson = (name: ModelName) => ({ ...catalogue[name], docs: docsOf(name) });

/**
 * The model's status in a word: a deprecated model (with its replacement, or none; a deprecated name the server runs as
 * its replacement is an alias of it too), an alias, or nothing.
 */
function note(entry: Entry): string {
  const e = entry as { aliasOf?: string; deprecated?: boolean; deprecatedInFavourOf?: string };
  if (e.deprecatedInFavourOf) return `deprecated: use ${e.deprecatedInFavourOf}`;
  if (e.deprecated) return "deprecated, no replacement";
  if (e.aliasOf) return `alias of ${e.aliasOf}`;
  return "";
}

/** A JSON schema (of a `json` field) in a few words: `array of 2..1000 {frame, x, y}`. */
function describeSchema(schema: any): string {
  if (!schema || typeof schema !== "object") return "JSON";
  const range = (lo?: number, hi?: number) => (lo !== undefined || hi !== undefined ? `${lo ?? 0}..${hi ?? "∞"} ` : "");
  if (schema.type === "array")
    return `array of ${range(schema.minItems, schema.maxItems)}${describeSchema(schema.items)}`;
  if (schema.type === "object") return `{${Object.keys(schema.properties ?? {}).join(", ")}}`;
  return String(schema.type ?? "JSON");
}

/** A field's type and constraints in words, all read from the catalogue. */
export function describeField(field: FieldInfo): string {
  const f = field as FieldInfo & Record<string, any>;
  const parts: string[] = [];
  if (f.enum) parts.push(`one of ${f.enum.join(", ")}`);
  else if (f.type === "file") parts.push(`file${f.accept ? ` (${f.accept.join(", ")})` : ""}`);
  else if (f.type === "json") parts.push(`JSON: ${describeSchema(f.schema)}`);
  else parts.push(f.type);
  if (f.required) parts.push("required");
  if (f.minLength !== undefined || f.maxLength !== undefined)
    parts.push(`${f.minLength ?? 0}..${f.maxLength ?? "∞"} characters`);
  if (f.minimum !== undefined || f.maximum !== undefined) parts.push(`${f.minimum ?? "-∞"}..${f.maximum ?? "∞"}`);
  if (f.default !== undefined) parts.push(`default ${f.default}`);
  return parts.join(", ");
}

const pad = (text: string, width: number) => text + " ".repeat(Math.max(1, width - text.length));

function unknownModel(name: string): never {
  const retired = retiredModels.find((r) => r.name === name);
  if (retired)
    throw usageError(
      `Model "${name}" is retired${retired.replacement ? `; use "${retired.replacement}"` : ", with no replacement"}`,
    );
  // A name is quoted as JSON and cut at 40 characters, as the client quotes a value it refuses.
  throw usageError(`Unknown model ${quoted(name, 40)}. Models: ${Object.keys(catalogue).join(", ")}`);
}

/**
 * `decart models [name] [--json]`: with `--json`, a `model` line per model, then (without a name) a `retired` line per
 * retired name.
 */
export function runModels(name: string | undefined, output: Output): void {
  if (name !== undefined && !isModelName(name)) unknownModel(name);
  const names = name ? [name as ModelName] : (Object.keys(catalogue) as ModelName[]);
  if (output.json) {
    for (const n of names) output.event({ type: "model", ...asJson(n) });
    // The names the server no longer takes (it answers 410), each with the model to use instead: as the list for a
    // human ends with them.
    if (name === undefined) {
      for (const { name: retired, replacement } of retiredModels) {
        output.event({ type: "retired", name: retired, replacement });
      }
    }
    return;
  }
  const c = output.out;
  if (name === undefined) {
    const width = Math.max(...names.map((n) => n.length)) + 2;
    output.print(c.bold(`${pad("MODEL", width)}${pad("KIND", 7)}${pad("TYPICAL", 9)}NOTE`));
    for (const n of names) {
      const e = catalogue[n];
      // A blank NOTE stays blank: colour codes around nothing would be noise after the line's last character.
      const remark = note(e);
      output.print(
        `${pad(n, width)}${pad(e.kind, 7)}${pad(`~${e.typicalJobSeconds} s`, 9)}${remark && c.dim(remark)}`.trimEnd(),
      );
    }
    const retired = retiredModels
      .map((r) => `${r.name} (${r.replacement ? `use ${r.replacement}` : "no replacement"})`)
      .join(", ");
    if (retired) output.print(c.dim(`Retired: ${retired}`));
    output.print(c.dim("Fields of a model: decart models <name>"));
    return;
  }
  const e = catalogue[name as ModelName] as Entry & { fps?: number; width?: number; height?: number };
  const docs = docsOf(name as ModelName);
  const facts = [
    e.kind,
    e.width && e.height ? `${e.width}×${e.height}` : "",
    e.fps ? `${e.fps} fps` : "",
    `~${e.typicalJobSeconds} s per job`,
    note(e),
  ].filter(Boolean);
  output.print(`${c.bold(name!)}  ${facts.join(" · ")}`);
  if (docs.description) output.print(docs.description);
  output.print(c.dim(`POST ${e.path}`));
  output.print("");
  output.print(c.bold("Fields:"));
  const width = Math.max(...e.fields.map((f) => f.name.length)) + 2;
  for (const f of e.fields) {
    output.print(`  ${pad(f.name, width)}${describeField(f)}`);
    const text = docs.fields?.[f.name];
    if (text) output.print(`  ${" ".repeat(width)}${c.dim(text)}`);
  }
  if (e.rules.length) {
    output.print("");
    output.print(c.bold("Rules:"));
    for (const rule of e.rules) output.print(`  ${rule.message}`);
  }
}
