/**
 * The API keys this process knows (`--api-key`, `DECART_API_KEY`: see `knowKeys`), and `redact`, which every line the
 * CLI writes passes through: stdout and stderr (`Output`), the journal, a batch's `results.jsonl` and `errors.jsonl`.
 * One registry for the process (one command per process), so that no writer can miss a key another part was given.
 */

/**
 * The forms of the keys known, matched whatever their case (a server that shows a key upper-cased leaks it all the
 * same), and their base64 forms, matched as they are (their case is their content): made from `known` by `rebuild`.
 */
let textPattern: RegExp | undefined;
let base64Pattern: RegExp | undefined;
/** The keys known, with their forms. */
const known = new Map<string, { text: string[]; base64: string[] }>();

/**
 * The shortest base64 form looked for: a key's own length at the least (see `addSecret`). A short key's forms are short
 * (a key of 4 characters has forms of 4 and 5), and could stand in other text by chance, as the key's text itself
 * could; both are matched all the same, so that neither can be written (a key of 10 characters or more has none under
 * 12). The emulator takes any key.
 */
const MIN_BASE64 = 4;

/** `text` as a regular expression that matches it literally (every character that means something there escaped). */
export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** An alternation of `forms`, the longest first (a form that contains another is replaced whole). */
const patternOf = (forms: string[], flags: string) =>
  forms.length
    ? new RegExp(
        [...forms]
          .sort((a, b) => b.length - a.length)
          .map(escapeRegExp)
          .join("|"),
        flags,
      )
    : undefined;

/**
 * What of `secret`'s base64 encoding stands in any base64 text that encodes it (a header's `Basic` credentials, a
 * token): at each of the three offsets it may start at, the characters that depend on its bytes only; and its own
 * encoding whole, with and without padding. In the standard and the URL alphabets.
 */
function base64FormsOf(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const forms = new Set<string>();
  const whole = bytes.toString("base64");
  for (const form of [whole, whole.replace(/=+$/, "")]) forms.add(form);
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    const from = Math.ceil((8 * offset) / 6);
    const to = Math.floor((8 * (offset + bytes.length)) / 6);
    forms.add(encoded.slice(from, to));
  }
  const all = [...forms].flatMap((form) => [form, form.replace(/\+/g, "-").replace(/\//g, "_")]);
  return [...new Set(all)].filter((form) => form.length >= MIN_BASE64);
}

/**
 * Never write `secret` (replaced by `***` wherever it would appear): as it is, and as JSON writes it inside a string (a
 * quote, a backslash, a control character escaped: once, and twice where a message that quotes it is itself a string
 * of an NDJSON line), percent-encoded (a URL's query), in any case (upper-cased in a server's message), and encoded
 * in base64. A text shorter than 4 characters is no key: ignored.
 */
export function addSecret(secret: string | undefined): void {
  if (!secret || secret.length < 4 || known.has(secret)) return;
  const escaped = JSON.stringify(secret).slice(1, -1);
  const percent = encodeURIComponent(secret);
  const text = [secret, escaped, JSON.stringify(escaped).slice(1, -1), percent, percent.replace(/%20/g, "+")];
  known.set(secret, { text, base64: base64FormsOf(secret) });
  rebuild();
}

/** No longer a secret: `secret` is printed as it is (`decart emulator` prints its own dev key, which it may be). */
export function forgetSecret(secret: string | undefined): void {
  if (secret !== undefined && known.delete(secret)) rebuild();
}

function rebuild(): void {
  const all = [...known.values()];
  textPattern = patternOf([...new Set(all.flatMap((forms) => forms.text))], "gi");
  base64Pattern = patternOf([...new Set(all.flatMap((forms) => forms.base64))], "g");
}

/** `text` with every form of every key this process knows replaced by `***` (see `addSecret`). */
export function redact(text: string): string {
  let result = text;
  if (textPattern) result = result.replace(textPattern, "***");
  if (base64Pattern) result = result.replace(base64Pattern, "***");
  return result;
}

/** Whether `text` holds a form of a key this process knows. */
export const holdsSecret = (text: string): boolean => redact(text) !== text;

/**
 * Registers every key the command line and the environment give (`--api-key`, `DECART_API_KEY`, as given and trimmed),
 * whether or not the command uses one: a command that only reads (`jobs list`) writes what servers said too.
 */
export function knowKeys(options: { apiKey?: string | undefined }, env: NodeJS.ProcessEnv = process.env): void {
  for (const key of [options.apiKey, env.DECART_API_KEY]) {
    addSecret(key);
    addSecret(key?.trim());
  }
}

/**
 * `value` with every string in it (at any depth, keys of objects too) scrubbed as `redact` scrubs text: for a record
 * written as JSON (the journal, `results.jsonl`), which stays valid JSON whatever its strings held. A copy of arrays and
 * plain objects (each key an own property, `__proto__` too, as `JSON.parse` makes it; of two keys that scrub to the
 * same text, the last one's value), made without recursion: a value parsed from JSON may be nested deeper than a
 * stack goes. An object met twice is copied once (a cycle stays one).
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
