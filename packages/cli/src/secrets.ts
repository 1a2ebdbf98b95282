/**
 * The API keys this process knows (`--api-key`, `DECART_API_KEY`: see `knowKeys`), and `redact`, which every line the
 * CLI writes passes through: stdout and stderr (`Output`), the journal, a batch's `results.jsonl` and `errors.jsonl`.
 * One registry for the process (one command per process), so that no writer can miss a key another part was given.
 */

import { keyPattern } from "@decart/core/server";

/** The forms of the keys known (see `addSecret`): made from `known` by `rebuild`. */
let pattern: RegExp | undefined;
/** The keys known, with the sources of their forms' patterns. */
const known = new Map<string, string[]>();

/** `text` as a regular expression that matches it literally (every character that means something there escaped). */
export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Never write `secret` (replaced by `***` wherever it would appear): in every form the client's `keyPattern` knows (as
 * it is and in any case, percent-encoded in any of its characters as a URL's query or a form body writes it, in base64
 * anywhere in a longer base64 text; and its secret after `dct_`, echoed under another prefix, `ek_…`, or none), and so
 * as JSON writes it inside a string (a quote, a backslash, a control character escaped: once, and twice where a
 * message that quotes it is itself a string of an NDJSON line). One notion of a key's forms for the CLI and the
 * client's token route. A text shorter than 4 characters is no key: ignored.
 */
export function addSecret(secret: string | undefined): void {
  if (!secret || secret.length < 4 || known.has(secret)) return;
  const escaped = JSON.stringify(secret).slice(1, -1);
  // The longest first, here and across keys (see `rebuild`): a form that contains another is replaced whole.
  const texts = [...new Set([JSON.stringify(escaped).slice(1, -1), escaped, secret])];
  known.set(
    secret,
    texts.map((text) => keyPattern(text, 4).source),
  );
  const part = runsOf(secret);
  if (part) runs.set(secret, part);
  rebuild();
}

/**
 * How many characters of a key's secret (after `dct_` or `ek_`) in a row are taken for the key: an answer that repeats
 * a part of it (its first 20 characters: `dct_` and 16 of the secret's 28) shows none of it.
 */
const RUN = 12;
/** The runs of a key's forms (see `RUN`): made by `runsOf`, after every whole form in `pattern`. */
const runs = new Map<string, string>();

/**
 * A pattern of any run of `RUN` characters or more of `secret`'s secret (trimmed, `dct_` or `ek_` taken off), as it
 * is, in any case: each run of `RUN` followed by as many of the secret's next characters as follow it; undefined for a
 * secret shorter than that.
 */
function runsOf(secret: string): string | undefined {
  const part = secret.trim().replace(/^(dct|ek)_/i, "");
  const alternatives: string[] = [];
  for (let at = 0; at + RUN <= part.length; at++) {
    // A run of fewer than 8 different characters is no secret (the emulator's dev key ends in sixteen zeros), and a
    // file name, a custom_id or a prompt may well hold it (`out_0000000000000000.mp4`): not taken for the key.
    if (new Set(part.slice(at, at + RUN).toLowerCase()).size < 8) continue;
    let tail = "";
    for (const char of [...part.slice(at + RUN)].reverse()) tail = `(?:${escapeRegExp(char)}${tail})?`;
    alternatives.push(escapeRegExp(part.slice(at, at + RUN)) + tail);
  }
  return alternatives.length ? alternatives.join("|") : undefined;
}

/** No longer a secret: `secret` is printed as it is (`decart emulator` prints its own dev key, which it may be). */
export function forgetSecret(secret: string | undefined): void {
  if (secret !== undefined && known.delete(secret)) {
    runs.delete(secret);
    rebuild();
  }
}

function rebuild(): void {
  const keys = [...known.keys()].sort((a, b) => b.length - a.length);
  // A key's whole forms before any run of one (`runs`): a form that holds a run is replaced whole.
  const sources = [
    ...new Set([...keys.flatMap((key) => known.get(key)!), ...keys.flatMap((key) => runs.get(key) ?? [])]),
  ];
  pattern = sources.length ? new RegExp(sources.join("|"), "gi") : undefined;
}

/** `text` with every form of every key this process knows replaced by `***` (see `addSecret`). */
export function redact(text: string): string {
  return pattern ? text.replace(pattern, "***") : text;
}

/** Whether `text` holds a form of a key this process knows. */
export const holdsSecret = (text: string): boolean => redact(text) !== text;

/**
 * Registers a key given (`--api-key`, `DECART_API_KEY`) as it is sent, trimmed (`" dct_…  "` is sent `dct_…`: see
 * `settings`), and as given.
 */
export function addKey(key: string | undefined): void {
  addSecret(key?.trim());
  addSecret(key);
}

/**
 * Registers every key the command line and the environment give (`--api-key`, `DECART_API_KEY`: see `addKey`),
 * whether or not the command uses one: a command that only reads (`jobs list`) writes what servers said too.
 */
export function knowKeys(options: { apiKey?: string | undefined }, env: NodeJS.ProcessEnv = process.env): void {
  for (const key of [options.apiKey, env.DECART_API_KEY]) addKey(key);
}

/**
 * `value` with every string in it (at any depth, keys of objects too) scrubbed as `redact` scrubs text: for a record
 * written as JSON (the journal, `results.jsonl`), which stays valid JSON whatever its strings held. A copy of arrays
 * and plain objects (each key an own property, `__proto__` too, as `JSON.parse` makes it; of two keys that scrub to the
 * same text, the last one's value), made without recursion: a value parsed from JSON may be nested deeper than a stack
 * goes. An object met twice is copied once (a cycle stays one).
 */
export function redactValues<T>(value: T): T {
  const copies = new Map<object, unknown>();
  const pending: Array<[object, object]> = [];
  const put = (into: object, key: string, inner: unknown) =>
    Object.defineProperty(into, key, { value: inner, writable: true, enumerable: true, configurable: true });
  /** `item` scrubbed, an array or object empty for now: its contents are filled in by the loop below. */
  const start = (item: unknown): unknown => {
    if (typeof item === "string") return redact(item);
    if (item === null || typeof item !== "object") return item;
    const made = copies.get(item);
    if (made !== undefined) return made;
    const copy = Array.isArray(item) ? new Array(item.length) : {};
    copies.set(item, copy);
    pending.push([item, copy]);
    return copy;
  };
  const result = start(value);
  while (pending.length) {
    const [item, copy] = pending.pop()!;
    if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) (copy as unknown[])[i] = start(item[i]);
    } else {
      for (const [key, inner] of Object.entries(item)) put(copy, redact(key), start(inner));
    }
  }
  return result as T;
}

/**
 * Whether any string in `value` (at any depth, keys of objects too) holds a form of a key this process knows. Walked
 * without recursion: a value parsed from JSON may be nested deeper than a stack goes.
 */
export function secretIn(value: unknown): boolean {
  const stack = [value];
  while (stack.length) {
    const item = stack.pop();
    if (typeof item === "string") {
      if (holdsSecret(item)) return true;
    } else if (Array.isArray(item)) {
      for (const inner of item) stack.push(inner);
    } else if (item !== null && typeof item === "object") {
      for (const [key, inner] of Object.entries(item)) {
        if (holdsSecret(key)) return true;
        stack.push(inner);
      }
    }
  }
  return false;
}
