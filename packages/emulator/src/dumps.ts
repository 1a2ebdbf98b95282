/**
 * The JSON text of an answer, written as the server's `json.dumps` writes the value where JavaScript's JSON.stringify
 * cannot: an integer read beyond 2^53 (a bigint, see pyjson.ts) as its digits, exactly, as Python writes an int.
 */

/** The value's JSON text, as JSON.stringify writes it but a bigint as its digits; undefined where it gives none. */
export function dumps(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
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
  if (typeof v !== "object" || v === null) return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((item, i) => write(item, String(i)) ?? "null").join(",")}]`;
  const members: string[] = [];
  for (const name of Object.keys(v)) {
    const text = write((v as Record<string, unknown>)[name], name);
    if (text !== undefined) members.push(`${JSON.stringify(name)}:${text}`);
  }
  return `{${members.join(",")}}`;
}
