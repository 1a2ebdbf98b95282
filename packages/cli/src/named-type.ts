// Imported by what saves a result under a name given to it (`-o`), not with the commands (mime-types takes a while to
// import): after the name was checked (see `pipeSafeStat` in files.ts).
import { lookup, extensions as typeExtensions } from "mime-types";

/** Types a file of `type` is named as too: an animated PNG's name (`.apng`) fits a PNG, an M4V's (`.m4v`) an MP4. */
const KIN: Record<string, readonly string[]> = { "image/png": ["image/apng"], "video/mp4": ["video/x-m4v"] };

/**
 * Image extensions mime-db (1.52, through mime-types) lacks, with their type: JPEG's other names, `.jfif` (its file
 * format), `.jfi` and `.jif`, and `.pjpeg` and `.pjp` (a progressive JPEG's, as browsers' file pickers offer them).
 */
const MORE_EXTENSIONS: Readonly<Record<string, string>> = Object.fromEntries(
  [".jfif", ".jfi", ".jif", ".pjpeg", ".pjp"].map((extension) => [extension, "image/jpeg"]),
);

/**
 * Whether `extension` (`.webm`, with its dot, any case) names a media type (an `image/…`, `video/…` or `audio/…` type
 * that mime-db gives it, through mime-types; or one of `MORE_EXTENSIONS`) other than `type` (the bytes' type: `image/png`, `video/mp4` …), whose
 * every extension fits it (`.jpeg`, `.jpe`, `.jfif`, `.pjpeg` a JPEG's; `.apng` a PNG's; `.m4v` an MP4's). False for an extension of no
 * media type (`.out`, `.bin`, none), which says nothing of the type. One rule for every result the CLI saves under a
 * name given to it: `decart image -o`, `decart video -o`, `decart jobs wait -o` and `decart jobs result -o`.
 */
export function namesOtherType(extension: string, type: string): boolean {
  const given = extension.toLowerCase();
  const more = Object.hasOwn(MORE_EXTENSIONS, given) ? MORE_EXTENSIONS[given] : undefined;
  if (more !== undefined) return more !== type;
  const named = (given && lookup(given)) || "";
  if (!/^(image|video|audio)\//.test(named)) return false;
  const fits = [type, ...(KIN[type] ?? [])].flatMap((t) => typeExtensions[t] ?? []);
  return !fits.includes(given.slice(1));
}
