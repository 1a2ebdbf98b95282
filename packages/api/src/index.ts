import { catalogue } from "./generated/catalogue.js";
import type { components, operations, paths } from "./generated/openapi.js";

export {
  apiKeyHeader,
  catalogue,
  defaultBaseUrl,
  imageContentTypes,
  jobContentTypes,
  jobStatuses,
  maxFileBytes,
  maxFileDocs,
  maxIdLength,
  modelDocs,
  requestSchemas,
  responseSchemas,
  retiredModels,
} from "./generated/catalogue.js";
export type { components, operations, paths };

/** The generated model catalogue's type. */
export type Catalogue = typeof catalogue;
/** Every model name the API serves (aliases and deprecated names included). */
export type ModelName = keyof Catalogue;
/** What the catalogue knows of one model. */
export type ModelInfo<M extends ModelName = ModelName> = Catalogue[M];
/** One input field of a model, as the catalogue describes it. */
export type FieldInfo = ModelInfo["fields"][number];
/** Models served by the Queue API (videos). */
export type VideoModelName = { [M in ModelName]: Catalogue[M]["kind"] extends "video" ? M : never }[ModelName];
/** Models served by the Process API (images). */
export type ImageModelName = { [M in ModelName]: Catalogue[M]["kind"] extends "image" ? M : never }[ModelName];

/** The multipart body of a model's operation, as the spec declares it (files are `Blob`). */
export type ModelInputs<M extends ModelName> = paths[Catalogue[M]["path"]] extends {
  post: { requestBody: { content: { "multipart/form-data": infer B } } };
}
  ? B
  : never;

// The spec's schemas by name, each with the spec's description as its TSDoc (generated: see schemas.ts).
export type {
  CreateTokenRequest,
  CreateTokenResponse,
  ErrorDetail,
  FileReference,
  HTTPValidationError,
  JobStatus,
  JobStatusResponse,
  JobSubmitResponse,
  ValidationIssue,
} from "./generated/schemas.js";

/** True when `name` is a model of the catalogue (never `undefined`). */
export function isModelName(name: string | undefined): name is ModelName {
  return Object.hasOwn(catalogue, name!);
}

/** True when `name` is a video model of the catalogue: a name for `models.video(name)`. */
export function isVideoModelName(name: string | undefined): name is VideoModelName {
  return isModelName(name) && catalogue[name].kind === "video";
}

/** True when `name` is an image model of the catalogue: a name for `models.image(name)`. */
export function isImageModelName(name: string | undefined): name is ImageModelName {
  return isModelName(name) && catalogue[name].kind === "image";
}

/**
 * The model that actually runs for `name`: follows server-side aliases (`aliasOf`, a deprecated name the server runs as
 * its replacement too) to the canonical model; a deprecated model whose replacement is another model
 * (`deprecatedInFavourOf` alone: a successor) runs itself. Any string is accepted: a name the catalogue does not know comes back unchanged, and so does
 * `undefined` (no model).
 */
export function canonicalModel(name: ModelName): ModelName;
export function canonicalModel(name: string): string;
export function canonicalModel(name: string | undefined): string | undefined;
export function canonicalModel(name: string | undefined): string | undefined {
  for (let hops = 0; hops < 8 && isModelName(name); hops++) {
    const next = (catalogue[name] as { aliasOf?: string }).aliasOf;
    if (!isModelName(next)) break; // none (undefined is no model name) or one the catalogue does not list
    name = next;
  }
  return name;
}

/**
 * One cross-field rule of a model, from the spec's `x-decart-rules`: `exactlyOne` of `fields` must be given, or
 * `field` is `forbiddenWith` the field `with`. `message` is what the server says when the rule is broken.
 */
export interface ModelRule {
  readonly rule: string;
  readonly fields?: readonly string[];
  readonly field?: string;
  readonly with?: string;
  readonly message: string;
}

/**
 * The rules of `rules` (a model's `catalogue[name].rules`) that the inputs break, given which fields were sent.
 * The one reading of the catalogue's cross-field rules, shared by the client's checks and the emulator's answers.
 * `pnpm generate` refuses a rule of another kind, or one naming a field the form lacks; a rule of a kind this version
 * does not know (a catalogue from elsewhere) is still reported as broken, never passed unchecked.
 */
export function brokenRules<R extends ModelRule>(rules: readonly R[], given: (field: string) => boolean): R[] {
  return rules.filter((r) => {
    if (r.rule === "exactlyOne") return (r.fields ?? []).filter(given).length !== 1;
    if (r.rule === "forbiddenWith")
      return r.field !== undefined && r.with !== undefined && given(r.field) && given(r.with);
    return true;
  });
}
