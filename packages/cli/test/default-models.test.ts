// The models the CLI uses without --model (decart video, decart jobs submit and a batch line without "model": the video
// default; decart image: the image default) are models the catalogue serves as they are: a spec change that deprecates
// or retires one fails here, naming the default to change, instead of every user being warned of it.
import { catalogue, retiredModels } from "@decart/api";
import { describe, expect, it } from "vitest";
import { DEFAULT_IMAGE_MODEL } from "../src/commands/image.js";
import { DEFAULT_VIDEO_MODEL } from "../src/commands/video.js";

/** What is wrong with `name` as the default of `where` (undefined: nothing). */
function problem(name: string, kind: "video" | "image", where: string): string | undefined {
  const change = `change ${where} to a ${kind} model the catalogue serves, not deprecated`;
  const retired = retiredModels.find((r) => r.name === name);
  if (retired)
    return `${name} is retired${retired.replacement ? `: ${change} (${retired.replacement})` : `: ${change}`}`;
  if (!Object.hasOwn(catalogue, name)) return `${name} is no model of the catalogue: ${change}`;
  const entry = catalogue[name as keyof typeof catalogue] as { kind: string; deprecated?: boolean };
  const instead = (entry as { deprecatedInFavourOf?: string }).deprecatedInFavourOf;
  if (entry.kind !== kind) return `${name} is ${entry.kind === "image" ? "an" : "a"} ${entry.kind} model: ${change}`;
  if (entry.deprecated || instead)
    return `${name} is deprecated${instead ? ` in favour of ${instead}` : ", with no replacement"}: ${change}${instead ? ` (${instead})` : ""}`;
  return undefined;
}

describe("the CLI's default models", () => {
  it.each([
    ["DEFAULT_VIDEO_MODEL (packages/cli/src/commands/video.ts; also batch's)", DEFAULT_VIDEO_MODEL, "video"],
    ["DEFAULT_IMAGE_MODEL (packages/cli/src/commands/image.ts)", DEFAULT_IMAGE_MODEL, "image"],
  ] as const)("%s is served, not deprecated nor retired", (where, name, kind) => {
    expect(problem(name, kind, where)).toBeUndefined();
  });
});
