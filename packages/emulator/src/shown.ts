/** The longest a value is shown in a message, in characters; a longer one is cut, with `…`. */
const MOST = 200;

/** Marks a replacement in the JSON text that is shown bare (`1n`, `NaN`), not as a quoted string. */
const BARE = "\u0000";

/**
 * A value as a message shows it: JSON, cut to at most 200 characters, at any depth. What JSON has no text for is
 * shown for what it is, never as `[object Object]` nor dropped: a bigint as `1n`, a non-finite number as `NaN` or
 * `Infinity`, a function as `"a function"`, a symbol as `"Symbol(x)"`, an object met again inside itself as
 * `"[circular]"`, and `undefined` at the top as `undefined`.
 */
export function shown(value: unknown): string {
  const within: unknown[] = [];
  let text: string | undefined;
  try {
    text = JSON.stringify(value, function (this: unknown, _key: string, v: unknown) {
      // `this` holds v: the objects still open are those up to it.
      while (within.length && within[within.length - 1] !== this) within.pop();
      if (typeof v === "bigint") return `${BARE}${v}n${BARE}`;
      if (typeof v === "number" && !Number.isFinite(v)) return `${BARE}${v}${BARE}`;
      if (typeof v === "function") return "a function";
      if (typeof v === "symbol") return String(v);
      if (typeof v === "object" && v !== null) {
        if (within.includes(v)) return "[circular]";
        within.push(v);
      }
      return v;
    });
  } catch {
    // A getter or toJSON that throws: the value is unreadable as JSON.
    text = "an unreadable object";
  }
  text = text === undefined ? "undefined" : text.replace(/"\\u0000(.*?)\\u0000"/g, "$1");
  return text.length > MOST ? `${text.slice(0, MOST)}…` : text;
}

/**
 * A text (a header value) as a message shows it: a JSON string of its first `most` characters (code points: a pair is
 * never split), and `…` after the closing quote when there was more, so that the quoted part stays JSON and the cut
 * is seen.
 */
export function quoted(text: string, most = 100): string {
  if (text.length <= most) return JSON.stringify(text);
  const points = Array.from(text);
  return points.length <= most ? JSON.stringify(text) : `${JSON.stringify(points.slice(0, most).join(""))}…`;
}
