import { resolve } from "node:path";
import type { ImageModelName } from "@decart/api";
import { models } from "@decart/core";
import { clientFor, type GlobalOptions } from "../config.js";
import { usageError } from "../exit.js";
import { checkOutputFile, defaultOutputName, extensionFor, imageExtensions, writeAtomically } from "../files.js";
import { isAssignment, parseInputs, stdinReader } from "../inputs.js";
import { checkJournalApart, journalClash } from "../journal.js";
import type { Output } from "../output.js";

/** The model `decart image` uses without `--model`. */
export const DEFAULT_IMAGE_MODEL: ImageModelName = "lucy-pro-t2i";

export interface ImageOptions extends GlobalOptions {
  model?: string;
  output?: string;
}

/** Splits positional arguments into the prompt (at most one) and field assignments. */
export function splitArguments(args: string[]): { prompt: string | undefined; assignments: string[] } {
  const assignments = args.filter(isAssignment);
  const rest = args.filter((a) => !isAssignment(a));
  if (rest.length > 1) {
    throw usageError(
      `One prompt only (got ${rest.length}: ${rest.map((r) => JSON.stringify(r)).join(", ")}); quote a prompt with spaces`,
    );
  }
  return { prompt: rest[0], assignments };
}

/**
 * The name of an image saved without `-o`, but its extension (known once the image is): `<model>-<UTC time>` in the
 * current directory, or `<model>-<UTC time>-2` when an image extension would make it the journal. A name the user did
 * not choose is no reason to fail (nor to write over the journal): the image goes beside it, and the path printed says
 * where.
 */
function defaultImageStem(model: string, journal: string | undefined): string {
  const base = defaultOutputName(model, "");
  // The journal is one file: it takes as many of these names as it has links, at most.
  for (let n = 1; ; n++) {
    const stem = n === 1 ? base : `${base}-${n}`;
    const names = imageExtensions.map((extension) => resolve(`${stem}${extension}`));
    if (journalClash(journal, names) === undefined) return stem;
  }
}

/** `decart image [prompt] [field=value …] [--model m] [-o file]`: one image through the Process API. */
export async function runImage(args: string[], options: ImageOptions, output: Output): Promise<void> {
  const { prompt, assignments } = splitArguments(args);
  if (options.output === "-" && output.json) throw usageError("-o - writes the image to stdout: not with --json");
  const model = models.image((options.model ?? DEFAULT_IMAGE_MODEL) as ImageModelName);
  const client = clientFor(options, output);
  const inputs = await parseInputs(model, prompt, assignments, stdinReader());
  // Where the image goes, checked before it is paid for; printed as an absolute path, as every command does.
  const stem = options.output === undefined ? defaultImageStem(model.name, options.journal) : undefined;
  const named = (extension: string) => resolve(options.output ?? `${stem}${extension}`);
  // The image never writes the journal, but a -o naming it would replace every job id recorded there.
  if (options.output !== undefined && options.output !== "-")
    checkJournalApart(options.journal, [named(".png")], `-o ${options.output}`);
  if (options.output !== "-")
    await checkOutputFile(named(".png"), options.output ? `-o ${options.output}` : "the image");
  output.info(output.err.dim(`Generating an image with ${model.name}…`));
  // The client checks every input against the catalogue before it sends anything (InvalidInputError → exit 2).
  const blob = await client.process({ model, ...inputs } as never);
  const bytes = new Uint8Array(await blob.arrayBuffer());
  if (options.output === "-") {
    await output.raw(bytes);
    return;
  }
  const path = named(extensionFor(blob.type, ".png"));
  await writeAtomically(path, bytes);
  output.event({ type: "saved", model: model.name, path, bytes: bytes.length, content_type: blob.type || undefined });
  output.saved("Image", path, bytes.length);
}
