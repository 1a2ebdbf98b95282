/**
 * The JSON text of an answer, written as the server's `json.dumps` writes the value where JavaScript's JSON.stringify
 * would not, and always JSON:
 * - an integer read beyond 2^53 (a bigint, see pyjson.ts) as its digits, exactly, as Python writes an int;
 * - a NaN or an infinity (Python's json reads them, and a 422 echoes them) as the text Python's encoder writes for
 *   it, `NaN`, `Infinity` or `-Infinity`, in a JSON string: JSON has no such number (Python would write it bare,
 *   which is no JSON; a stock FastAPI refuses to and answers 500), and JSON.stringify would write `null`, which
 *   would say the client sent null.
 */

/** Non-finite numbers as the strings Python's encoder writes for them. */
function replacer(_key: string, v: unknown): unknown {
  return typeof v === "number" && !Number.isFinite(v) ? String(v) : v;
}

/** The value's JSON text (see above); undefined where JSON.stringify gives none (`undefined`, a function). */
export function dumps(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, replacer);
  } catch (err) {
    // JSON.stringify refuses a bigint (a TypeError): written again by hand, the slow way, only then.
    if (!(err instanceof TypeError)) throw err;
  }
  return write(value, "");
}

function write(value: unknown, key: string): string | undefined {
  let v = value;
  if (typeof v === "object" && v !== null && typeof (v as { toJSON?: unknown }).toJSON === "function") {
    v = (v as { toJSON(key: string): unknown }).toJSON(key);
  }
  if (typeof v === "bigint") return v.toString();
  if (typeof v !== "object" || v === null) return JSON.stringify(replacer(key, v));
  if (Array.isArray(v)) return `[${v.map((item, i) => write(item, String(i)) ?? "null").join(",")}]`;
  const members: string[] = [];
  for (const name of Object.keys(v)) {
    const text = write((v as Record<string, unknown>)[name], name);
    if (text !== undefined) members.push(`${JSON.stringify(name)}:${text}`);
  }
  return `{${members.join(",")}}`;
}
