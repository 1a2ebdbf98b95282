// The types of generate.mjs, for its tests, which import it.

/** The files the generator makes of a spec, by name, as `pnpm generate` writes them into `src/generated`. */
export type Outputs = { "openapi.ts": string; "catalogue.ts": string; "schemas.ts": string };

/**
 * What the spec says that the generator cannot make into the package (the catalogue cannot represent it, two of its
 * figures disagree, a reference leads nowhere…): the message names the place in the spec, as the command prints it.
 */
export declare class SpecError extends Error {
  name: "SpecError";
}

/** The files the generator makes of the spec `specText` (YAML); throws a `SpecError` naming what it cannot make. */
export declare function generate(specText: string): Promise<Outputs>;

/** The names of the files of `outputs` that `dir` does not hold as they are (missing or different): `--check`'s test. */
export declare function staleFiles(outputs: Outputs, dir: string): (keyof Outputs)[];
