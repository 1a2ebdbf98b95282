// The Node.js version check of the `decart` and `decart-emulator` bins and of scripts/pnpm.mjs (the root scripts): on
// a Node.js older than package.json's `engines.node`, a bin's modules fail to load or to run with errors that name no
// version (before 20.15, `node:zlib` has no `crc32`: "The requested module 'node:zlib' does not provide an export
// named 'crc32'"; before 20.3, "AbortSignal.any is not a function"). It imports nothing, so it loads on any Node.js and
// without a build; each package's build copies it to its dist/node-version.js, which its bin loads.

/** A version's parts: 3 numbers (`20.19.0`), missing or `x` ones left out (`20.19` and `20.19.x`: [20, 19]). */
const parts = (text) => {
  const found = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:[-+].*)?$/.exec(text);
  if (!found) return undefined;
  const numbers = [];
  for (const part of found.slice(1)) {
    if (part === undefined || !/^\d+$/.test(part)) break;
    numbers.push(Number(part));
  }
  return numbers;
};

/** `version` padded to 3 parts with 0s; with `at`, its part there raised by 1 and those after it 0. */
const bound = (version, at = 3) => [0, 1, 2].map((i) => (i < at ? (version[i] ?? 0) : i === at ? version[i] + 1 : 0));

const compare = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/**
 * Whether `have` (3 numbers) is within the comparator set `set` (a range between `||`: comparators such as `>=20.19`,
 * `<23`, `^20.19.0`, `~22.12`, `22.x`, or `20.19 - 22`, all of which must hold); undefined when `set` is of no form
 * known here.
 */
function within(set, have) {
  const words = set
    .replace(/(<=|>=|[<>=^~])\s+/g, "$1")
    .split(/\s+/)
    .filter(Boolean);
  let holds = true;
  for (let at = 0; at < words.length; at++) {
    let low;
    let high; // exclusive
    if (words[at + 1] === "-") {
      const [from, to] = [parts(words[at]), parts(words[at + 2] ?? "")];
      if (!from || !to) return undefined;
      low = bound(from);
      if (to.length > 0) high = bound(to, to.length - 1);
      at += 2;
    } else {
      const [, operator = "", text] = /^(<=|>=|<|>|=|\^|~)?(.*)$/.exec(words[at]);
      const version = parts(text);
      if (!version) return undefined;
      const last = version.length - 1;
      if (version.length === 0) continue; // `*`, `x`, `>=x`: any version
      if (operator === ">=") low = bound(version);
      else if (operator === ">") low = bound(version, last);
      else if (operator === "<") high = bound(version);
      else if (operator === "<=") high = bound(version, last);
      else {
        low = bound(version);
        const nonZero = version.findIndex((part) => part > 0);
        high = bound(
          version,
          operator === "^" ? (nonZero < 0 ? last : nonZero) : operator === "~" ? Math.min(last, 1) : last,
        );
      }
    }
    if ((low && compare(have, low) < 0) || (high && compare(have, high) >= 0)) holds = false;
  }
  return holds;
}

/**
 * The message refusing Node.js `version` (as `process.versions.node` gives it) for `name` when it is not within
 * `engines` (package.json's `engines.node`: `>=20.19`, `^20.19.0 || >=22.12`, …), else undefined. Patch versions
 * count (`20.19.1` is not within `>=20.19.2`); a pre-release counts as its version (`20.19.0-pre` is within
 * `>=20.19`). An `engines` missing, empty, or of a form not known here is not checked.
 *
 * @param {string} name what needs it: `decart`, `This repository`
 * @param {string | undefined} engines
 * @param {string} version
 * @returns {string | undefined}
 */
export function nodeTooOld(name, engines, version) {
  const range = engines?.trim();
  const have = parts(version.trim());
  if (!range || have?.length !== 3) return undefined;
  let answer = false;
  for (const set of range.split("||")) {
    const holds = within(set, have);
    if (holds === undefined) return undefined;
    answer = answer || holds;
  }
  if (answer) return undefined;
  return `${name} needs Node.js ${range.replace(/>=\s*/g, ">= ")} (this is v${version.trim().replace(/^v/, "")})`;
}
