import { cpSync, mkdirSync, readdirSync, realpathSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE = fileURLToPath(new URL("..", import.meta.url));

/** A copy of the built CLI in `dir` whose dependencies resolve, all but `@decart/core`: its bin's path. */
export function withoutCore(dir: string): string {
  for (const part of ["dist", "bin", "package.json"]) cpSync(join(PACKAGE, part), join(dir, part), { recursive: true });
  const from = join(PACKAGE, "node_modules");
  mkdirSync(join(dir, "node_modules", "@decart"), { recursive: true });
  for (const name of readdirSync(from)) {
    if (name === "@decart") continue;
    symlinkSync(realpathSync(join(from, name)), join(dir, "node_modules", name));
  }
  for (const name of readdirSync(join(from, "@decart"))) {
    if (name !== "core")
      symlinkSync(realpathSync(join(from, "@decart", name)), join(dir, "node_modules", "@decart", name));
  }
  return join(dir, "bin", "decart.js");
}
