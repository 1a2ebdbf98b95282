// Imported when a file input is read, not with inputs.ts, which every command that takes inputs loads (file-type takes
// about 40 ms to import). The rule is `@decart/core/node`'s, as `fileFromPath` types a file by it: one rule for the
// client and the CLI.
import { mediaTypeOf } from "@decart/core/node";

/**
 * The media type of a file input, told from its bytes (their signature, as file-type reads it), whatever its name says:
 * a PNG named `.jpg` is a PNG; an M4V or a 3GPP file an MP4, a Matroska file a WebM (see `@decart/core/node`'s
 * `mediaTypeOf`). Undefined: none it knows.
 */
export { mediaTypeOf, mediaTypeOfFile } from "@decart/core/node";

// file-type itself is imported now (the client imports it at its first use): see inputs.ts, which imports this module
// before standard input or any file is read.
await mediaTypeOf(new Uint8Array(0));
