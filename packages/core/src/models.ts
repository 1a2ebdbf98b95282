import {
  type Catalogue,
  canonicalModel,
  catalogue,
  type FieldInfo,
  type ImageModelName,
  isModelName,
  type ModelName,
  type VideoModelName,
} from "@decart/api";
import { invalid, ModelRetiredError, retiredFields } from "./errors.js";

/** The catalogue's canonical name of a model (an alias's or a deprecated name's target), as a watch's events name it. */
export { canonicalModel };

/** One cross-field rule of a model (`exactlyOne`, `forbiddenWith`), from the spec's `x-decart-rules`. */
export type RuleInfo = Catalogue[ModelName]["rules"][number];

/** What the client needs to know about a model: the catalogue's entry plus the canonical model it runs as. */
export interface ModelDefinition<M extends ModelName = ModelName> {
  readonly name: M;
  readonly kind: "video" | "image";
  /** The model that actually runs (aliases and deprecated names resolved). */
  readonly canonical: ModelName;
  /** The operation's path: `/v1/jobs/{model}` for videos, `/v1/generate/{model}` for images. */
  readonly path: string;
  readonly typicalJobSeconds: number;
  readonly fields: readonly FieldInfo[];
  readonly rules: readonly RuleInfo[];
  /** Set when the name is deprecated: the model to use instead. */
  readonly deprecatedInFavourOf?: string;
  readonly aliasOf?: string;
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
}

export type VideoModel<M extends VideoModelName = VideoModelName> = ModelDefinition<M> & { readonly kind: "video" };
export type ImageModel<M extends ImageModelName = ImageModelName> = ModelDefinition<M> & { readonly kind: "image" };

/** Throws `ModelRetiredError`, naming the replacement, when `name` is a retired model (`where` starts the message). */
export function checkRetired(name: unknown, where = "Model"): void {
  const fields = retiredFields(name);
  if (fields.replacement)
    throw new ModelRetiredError(`${where} "${name}" is retired; use "${fields.replacement}"`, fields);
}

function pick(kind: "video" | "image", name: string): ModelDefinition<any> {
  if (typeof name === "string" && isModelName(name) && catalogue[name].kind === kind) {
    return Object.freeze({ ...(catalogue[name] as object), canonical: canonicalModel(name) }) as ModelDefinition;
  }
  checkRetired(name);
  throw invalid("Invalid input", "model", `a ${kind} model of the catalogue`, name);
}

/** Model definitions from the generated catalogue: `models.video("lucy-pro-t2v")`, `models.image("lucy-pro-t2i")`. */
export const models = {
  /** A video model (Queue API). Throws `InvalidInputError` for an unknown name, `ModelRetiredError` for a retired one. */
  video: <M extends VideoModelName>(name: M): VideoModel<M> => pick("video", name) as VideoModel<M>,
  /** An image model (Process API). Throws `InvalidInputError` for an unknown name, `ModelRetiredError` for a retired one. */
  image: <M extends ImageModelName>(name: M): ImageModel<M> => pick("image", name) as ImageModel<M>,
};
