/**
 * The check the bin runs before it loads anything else: on a Node.js older than package.json's `engines.node`, the
 * emulator fails to load with an error that names no version (before 20.15, `node:zlib` has no `crc32`: "The
 * requested module 'node:zlib' does not provide an export named 'crc32'"). This module imports nothing, so it loads
 * on any Node.js.
 */

/**
 * The message refusing Node.js `version` (as `process.versions.node` gives it) for `name` when it is older than
 * `engines` (package.json's `engines.node`, `>=20.19`), else undefined (a range of another form is not checked).
 */
export function nodeTooOld(name: string, engines: string | undefined, version: string): string | undefined {
  const least = /^>=\s*v?(\d+(?:\.\d+){0,2})$/.exec(engines?.trim() ?? "")?.[1];
  if (least === undefined) return undefined;
  const want = least.split(".").map(Number);
  const have = version
    .replace(/^v/, "")
    .split(".")
    .map((part) => Number.parseInt(part, 10) || 0);
  for (let at = 0; at < 3; at++) {
    const [a, b] = [have[at] ?? 0, want[at] ?? 0];
    if (a !== b) return a < b ? `${name} needs Node.js >= ${least} (this is v${version.replace(/^v/, "")})` : undefined;
  }
  return undefined;
}
