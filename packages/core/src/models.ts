import {
  type Catalogue,
  canonicalModel,
  catalogue,
  type FieldInfo,
  type ImageModelName,
  type ModelName,
  type ModelRule,
  retiredModels,
  type VideoModelName,
} from "@decart/api";
import { invalid, ModelRetiredError, retiredFields } from "./errors.js";

/** The catalogue's canonical name of a model (an alias's or a deprecated name's target), as a watch's events name it. */
export { canonicalModel };

/** One cross-field rule of a model (`exactlyOne`, `forbiddenWith`), from the spec's `x-decart-rules`. */
export type RuleInfo = Catalogue[ModelName]["rules"][number];

/**
 * One input field of a definition of your own, described as the catalogue describes its fields (`FieldInfo`, a
 * JSON-Schema-like subset): its `name`, `type`, whether it is `required`, and the checks the client runs on it before
 * sending (`enum`, lengths, limits; a file's accepted media types, `accept`; a JSON field's value, `schema`).
 */
export interface FieldSpec {
  readonly name: string;
  readonly type: "string" | "integer" | "number" | "boolean" | "file" | "json";
  readonly required: boolean;
  readonly enum?: readonly (string | number | boolean)[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly default?: unknown;
  /** For `file`: the accepted media types (none: any). */
  readonly accept?: readonly string[];
  /** For `json`: the JSON Schema of its value. */
  readonly schema?: object;
}

/**
 * What the client needs to know about a model: the catalogue's entry plus the canonical model it runs as
 * (`models.video(name)`, `models.image(name)`), or a definition of your own, plain data, named `M` (any name: one the
 * catalogue lacks too), whose `fields` are `FieldSpec`s and `rules` the spec's `ModelRule`s. A catalogue model's
 * fields and rules are typed as the catalogue's (`FieldInfo`, `RuleInfo`).
 */
export interface ModelDefinition<M extends string = ModelName> {
  readonly name: M;
  readonly kind: "video" | "image";
  /** The model that actually runs (aliases and deprecated names resolved); a definition of your own names its own. */
  readonly canonical: M extends ModelName ? ModelName : string;
  /** The operation's path: `/v1/jobs/{model}` for videos, `/v1/generate/{model}` for images. */
  readonly path: string;
  readonly typicalJobSeconds: number;
  readonly fields: readonly (M extends ModelName ? FieldInfo : FieldSpec)[];
  readonly rules: readonly (M extends ModelName ? RuleInfo : ModelRule)[];
  /**
   * Set when the model is deprecated: warned once per model in the process (per logger), naming `deprecatedInFavourOf`
   * if set.
   */
  readonly deprecated?: boolean;
  /**
   * Set when the name is deprecated in favour of another: the model to use instead. It is a deprecation by itself (the
   * client warns once in the process, naming it, `deprecated` set or not); the catalogue sets both.
   */
  readonly deprecatedInFavourOf?: string;
  readonly aliasOf?: string;
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
}

/** A video model: `models.video(name)`'s, or a definition of your own (`VideoModel<"my-model">`, any name). */
export type VideoModel<M extends string = VideoModelName> = ModelDefinition<M> & { readonly kind: "video" };
/** An image model: `models.image(name)`'s, or a definition of your own (`ImageModel<"my-model">`, any name). */
export type ImageModel<M extends string = ImageModelName> = ModelDefinition<M> & { readonly kind: "image" };

/**
 * Throws `ModelRetiredError` when `name` is a retired model of the catalogue (`where` starts the message), naming its
 * replacement, or saying it has none.
 */
export function checkRetired(name: unknown, where = "Model"): void {
  if (!retiredModels.some((r) => r.name === name)) return;
  const fields = retiredFields(name);
  throw new ModelRetiredError(
    `${where} "${name}" is retired${fields.replacement ? `; use "${fields.replacement}"` : ", with no replacement"}`,
    fields,
  );
}

function pick(kind: "video" | "image", name: string): ModelDefinition<any> {
  // The catalogue's models of this kind and of the name's family (the name before a version part: `lucy-vton` of
  // `lucy-vton-3.5`, a name of an earlier SDK, or of another version): the name itself when it is one of them, else
  // those to write instead (`lucy-vton-2, lucy-vton-3`). (Not a text: none.)
  const family = typeof name === "string" && name.replace(/-[\d.]+$/, "");
  const kin = (Object.keys(catalogue) as ModelName[]).filter(
    (other) => other.replace(/-[\d.]+$/, "") === family && catalogue[other].kind === kind,
  );
  if (kin.includes(name as ModelName)) {
    return Object.freeze({
      ...(catalogue[name as ModelName] as object),
      canonical: canonicalModel(name),
    }) as ModelDefinition;
  }
  checkRetired(name);
  throw invalid(
    "Invalid input",
    "model",
    `one of the catalogue's ${kind} models${kin[0] ? ` (of its family: ${kin.join(", ")})` : ""}, or a definition of your own`,
    name,
  );
}

/** Model definitions from the generated catalogue: `models.video("lucy-pro-t2v")`, `models.image("lucy-pro-t2i")`. */
export const models = {
  /** A video model (Queue API). Throws `InvalidInputError` for an unknown name, `ModelRetiredError` for a retired one. */
  video: <M extends VideoModelName>(name: M): VideoModel<M> => pick("video", name) as VideoModel<M>,
  /** An image model (Process API). Throws `InvalidInputError` for an unknown name, `ModelRetiredError` for a retired one. */
  image: <M extends ImageModelName>(name: M): ImageModel<M> => pick("image", name) as ImageModel<M>,
};
