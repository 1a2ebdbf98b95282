/** The catalogue, read for a form: model names by kind, and each model's fields as the controls need them. */
import { catalogue, type ImageModelName, type ModelName, modelDocs, type VideoModelName } from "@decart/api";

/** One field of a model, as the form reads it (the catalogue's entries, seen through one shape). */
export interface Field {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "file" | "json";
  required: boolean;
  /** The values it takes, of its type (an integer field's are numbers): the form shows and compares them as text. */
  enum?: readonly (string | number)[];
  default?: string | number | boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  accept?: readonly string[];
}

export interface ModelChoice {
  name: ModelName;
  kind: "video" | "image";
  /** What the picker shows after the name: an alias's or a deprecated name's target, or that a model is deprecated. */
  note: string | undefined;
  summary: string;
  fields: readonly Field[];
  docs: Record<string, string>;
}

export const modelChoices: readonly ModelChoice[] = Object.values(catalogue).map((entry) => {
  const e = entry as (typeof catalogue)[ModelName] & {
    aliasOf?: string;
    deprecated?: boolean;
    deprecatedInFavourOf?: string;
  };
  const docs = modelDocs[e.name] as { description: string; fields: Record<string, string> };
  return {
    name: e.name,
    kind: e.kind,
    // (A deprecated name the server runs as its replacement is an alias of it too: said deprecated.)
    note: e.deprecatedInFavourOf
      ? `deprecated: use ${e.deprecatedInFavourOf}`
      : e.deprecated
        ? "deprecated, no replacement"
        : e.aliasOf
          ? `alias of ${e.aliasOf}`
          : undefined,
    summary: docs.description.split(". ")[0] ?? "",
    fields: e.fields as readonly Field[],
    docs: docs.fields,
  };
});

export const choiceOf = (name: string): ModelChoice => modelChoices.find((m) => m.name === name) ?? modelChoices[0]!;

export const isVideo = (choice: ModelChoice): choice is ModelChoice & { name: VideoModelName } =>
  choice.kind === "video";
export const isImage = (choice: ModelChoice): choice is ModelChoice & { name: ImageModelName } =>
  choice.kind === "image";

/** What the user entered: text of inputs and selects, files, or nothing (the field is not sent). */
export type FormValues = Record<string, string | File | undefined>;

/**
 * What is wrong with `value` as the file of `field`, if anything: a file of a media type the field's `accept` (the
 * catalogue's) does not list, as the client would refuse it before sending (one with no type, or
 * `application/octet-stream`, is left to the server, as the client leaves it). A file kept from another model's form
 * may be one.
 */
export function fileProblem(field: Field, value: FormValues[string]): string | undefined {
  const type = value instanceof File ? (value.type.split(";")[0] ?? "").trim().toLowerCase() : "";
  if (field.accept && type && type !== "application/octet-stream" && !field.accept.includes(type))
    return `${field.name}: a file of type ${field.accept.join(", ")} (this one is ${type})`;
}

/**
 * The values a model's form shows and sends: an enum's only when it is one of this model's choices (one kept from
 * another model's form may not be), compared as the text a `<select>` holds (`"30"` is the choice 30 of an integer
 * field, which `inputsOf` sends as the number).
 */
export const shownValues = (fields: readonly Field[], values: FormValues): FormValues =>
  Object.fromEntries(
    fields.map((f) => {
      const value = values[f.name];
      return [f.name, f.enum && !f.enum.some((choice) => String(choice) === value) ? undefined : value];
    }),
  );

/**
 * The request's inputs from the form: only the fields given, converted to the field's type; a file its field does not
 * take (see `fileProblem`) is a problem.
 */
export function inputsOf(
  fields: readonly Field[],
  values: FormValues,
): { inputs: Record<string, unknown>; problems: string[] } {
  const inputs: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const field of fields) {
    const value = values[field.name];
    if (value === undefined || value === "") continue;
    if (value instanceof File) {
      const problem = fileProblem(field, value);
      if (problem) problems.push(problem);
      else inputs[field.name] = value;
      continue;
    }
    switch (field.type) {
      case "integer":
      case "number":
        inputs[field.name] = Number(value);
        break;
      case "boolean":
        inputs[field.name] = value === "true";
        break;
      case "json":
        try {
          inputs[field.name] = JSON.parse(value);
        } catch {
          problems.push(`${field.name}: not valid JSON`);
        }
        break;
      default:
        inputs[field.name] = value;
    }
  }
  return { inputs, problems };
}
