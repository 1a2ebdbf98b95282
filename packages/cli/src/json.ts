/** A piece of JSON text already written out, as `jsonText`'s stack holds it beside the values still to write. */
class Raw {
  constructor(readonly text: string) {}
}

/**
 * `JSON.stringify(value)`, also for a value nested deeper than JSON.stringify goes (it runs out of stack): a server's
 * answer, or a line of a file, that `JSON.parse` read (it reads any depth). Such a value is written without recursion,
 * as JSON.stringify writes data: strings, finite numbers (others `null`), booleans and `null`; in an object, its own
 * enumerable string keys, those whose value is `undefined`, a function or a symbol left out (`null` in an array); a
 * value's `toJSON` called. (A cycle is JSON.stringify's TypeError, as ever.)
 */
export function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
  }
  const out: string[] = [];
  const skipped = (item: unknown) => item === undefined || typeof item === "function" || typeof item === "symbol";
  const stack: unknown[] = [value];
  while (stack.length) {
    let item = stack.pop();
    if (item instanceof Raw) {
      out.push(item.text);
      continue;
    }
    if (item !== null && typeof item === "object" && typeof (item as { toJSON?: unknown }).toJSON === "function") {
      item = (item as { toJSON: () => unknown }).toJSON();
    }
    if (item === null || typeof item !== "object") {
      // A string, number, boolean or null as JSON.stringify writes it (a bigint its TypeError).
      out.push(skipped(item) ? "null" : JSON.stringify(item));
      continue;
    }
    // Pushed last first: popped in order.
    if (Array.isArray(item)) {
      stack.push(new Raw("]"));
      for (let i = item.length - 1; i >= 0; i--) {
        stack.push(skipped(item[i]) ? null : item[i]);
        if (i) stack.push(new Raw(","));
      }
      stack.push(new Raw("["));
    } else {
      const entries = Object.entries(item).filter(([, inner]) => !skipped(inner));
      stack.push(new Raw("}"));
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, inner] = entries[i]!;
        stack.push(inner, new Raw(`${i ? "," : ""}${JSON.stringify(key)}:`));
      }
      stack.push(new Raw("{"));
    }
  }
  return out.join("");
}
