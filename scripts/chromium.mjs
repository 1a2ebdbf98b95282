// Where the Chromium that the playground's browser test drives is, one rule for that test and for the check of
// `npm test`'s prerequisites (scripts/test-prerequisites.mjs): `CHROMIUM_PATH` when set (a path, or a command name
// looked up on PATH), else the first of `CHROMIUM_NAMES` on PATH, else Debian's /usr/bin/chromium.
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";

/** The path without `CHROMIUM_PATH` and without a Chromium on PATH: Debian's (`apt-get install -y chromium`). */
export const CHROMIUM_DEFAULT = "/usr/bin/chromium";

/** The commands looked for on PATH, in this order: Debian's, Ubuntu's and Fedora's Chromium, then Google Chrome. */
export const CHROMIUM_NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

/** Whether `path` is a file this process may run. */
export const isExecutable = (path) => {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/** The first file named `name` that may be run in PATH's directories (relative ones are no place to look), if any. */
const onPath = (name, env) =>
  (env.PATH ?? "")
    .split(delimiter)
    .filter((dir) => isAbsolute(dir))
    .map((dir) => join(dir, name))
    .find(isExecutable);

/**
 * The Chromium to run, and where that choice came from (`from`: `"CHROMIUM_PATH"`, `"PATH"` or `"default"`), with
 * `problem` when it cannot be run (a `CHROMIUM_PATH` that names no file that may be run, a relative path, which would
 * mean another file from each package's directory; or the default missing): what to say, naming it.
 */
export function findChromium(env = process.env) {
  const given = env.CHROMIUM_PATH?.trim();
  if (given) {
    if (!given.includes("/")) {
      const path = onPath(given, env);
      return path
        ? { path, from: "CHROMIUM_PATH" }
        : { path: given, from: "CHROMIUM_PATH", problem: `CHROMIUM_PATH=${given}: no such command on PATH` };
    }
    if (!isAbsolute(given))
      return {
        path: given,
        from: "CHROMIUM_PATH",
        problem: `CHROMIUM_PATH=${given}: give an absolute path (or a command name on PATH)`,
      };
    return isExecutable(given)
      ? { path: given, from: "CHROMIUM_PATH" }
      : { path: given, from: "CHROMIUM_PATH", problem: `CHROMIUM_PATH=${given}: no file there that may be run` };
  }
  for (const name of CHROMIUM_NAMES) {
    const path = onPath(name, env);
    if (path) return { path, from: "PATH" };
  }
  return isExecutable(CHROMIUM_DEFAULT)
    ? { path: CHROMIUM_DEFAULT, from: "default" }
    : {
        path: CHROMIUM_DEFAULT,
        from: "default",
        problem: `no Chromium: none of ${CHROMIUM_NAMES.join(", ")} on PATH, none at ${CHROMIUM_DEFAULT}, and CHROMIUM_PATH is not set`,
      };
}
