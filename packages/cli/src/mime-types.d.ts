// The part of mime-types (2.1, which ships no types) the CLI uses: mime-db's table of media types and extensions.
declare module "mime-types" {
  /** The media type of a path's (or an extension's) extension, or false for one mime-db does not know. */
  export function lookup(path: string): string | false;
  /** The extensions (without the dot) of each media type mime-db gives any. */
  export const extensions: Record<string, string[] | undefined>;
}
