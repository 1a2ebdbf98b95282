import { CliError, EXIT, usageError } from "./exit.js";

/** The largest magnitude a number read from text may have: beyond it, a double no longer holds every integer. */
export const MAX_DECIMAL = Number.MAX_SAFE_INTEGER;

/**
 * Numbers as the CLI reads them from text (a flag's value, a field's `field=value`): the one place of the rule. Decimal
 * digits only, with an optional `-` in front and, for a number that need not be whole, a fraction (`1.5`, `.5`, `5.`):
 * `Number()` would also read `0x10` (16), `0b1`, `1e3`, `Infinity`, ` 7` or `` (0), which are not what a user typed.
 * Text is never trimmed: `" 7"` is refused wherever a number is read (a field, `--timeout`, `--concurrency`).
 * Answers undefined for text of any other form, and ±Infinity for a number beyond ±`MAX_DECIMAL`
 * (`9007199254740993` would be read as 9007199254740992): every range check refuses it, none passes it on changed.
 */
export function decimal(text: string, { integer = false } = {}): number | undefined {
  // The fraction is one optional group: `\d+\.?\d*` would try every split of a long run of digits (quadratic). A
  // whole number is that form without the fraction's point.
  if (!/^-?(\d+(\.\d*)?|\.\d+)$/.test(text) || (integer && text.includes("."))) return undefined;
  const value = Number(text);
  return inexact(value) ? value * Number.POSITIVE_INFINITY : value;
}

/**
 * Whether a number read from text may not be the one written: beyond ±`MAX_DECIMAL` (`9007199254740993` is read as
 * 9007199254740992). The one rule for a field's number, `field=value` (`decimal`) and `field:=json` (`inexactIn`).
 */
const inexact = (value: number): boolean => Math.abs(value) > MAX_DECIMAL;

/**
 * The first number of a JSON value (`field:=json`, parsed) that `inexact` refuses, with where it is in the value (`""`
 * at the top, `[0].x` inside); undefined when there is none. Walked without recursion: a value nested deeply is fine.
 */
export function inexactIn(value: unknown): { at: string; value: number } | undefined {
  const stack: Array<[unknown, string]> = [[value, ""]];
  while (stack.length) {
    const [item, at] = stack.pop()!;
    if (typeof item === "number") {
      if (inexact(item)) return { at, value: item };
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], `${at}[${i}]`]);
    } else if (item !== null && typeof item === "object") {
      const entries = Object.entries(item);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, inner] = entries[i]!;
        stack.push([inner, `${at}${/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`]);
      }
    }
  }
  return undefined;
}

/** A flag's value that is not a number it takes (see `decimal`): a usage error saying what it takes. */
const notTaken = (flag: string, takes: string, value: string | undefined) =>
  usageError(`${flag} must be ${takes} (got ${JSON.stringify(value)})`);

/**
 * The longest `--timeout`, in s: the whole seconds of the longest wait a timer takes, 2^31 - 1 ms (about 24.8 days).
 */
const MAX_TIMEOUT_S = Math.floor((2 ** 31 - 1) / 1000);

/**
 * `--timeout <seconds>` as whole milliseconds (undefined: the client's default budget), checked before anything is
 * sent: from 0.001 s to 2147483 s (about 24.8 days, what a timer can wait), the range its message gives, checked on
 * the seconds as given (`0.0009` or `2147483.001` is refused, not rounded into it); a fraction of a millisecond
 * within it is dropped, never rounded up: a message that names the budget in seconds (`retryAfter`) never says more
 * than was given (`2.0005` is 2 s, not 2.001 s).
 */
export function timeoutMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = decimal(value) ?? Number.NaN;
  if (!(seconds >= 0.001 && seconds <= MAX_TIMEOUT_S)) {
    throw notTaken("--timeout", `a decimal number of seconds from 0.001 to ${MAX_TIMEOUT_S}`, value);
  }
  // Read from the digits, not `seconds * 1000` (`2.3 * 1000` is 2299.9999999999995): the seconds, then the first three
  // digits of the fraction (the regular expression of `decimal` took the text: digits, at most one point).
  const [whole = "", fraction = ""] = value.split(".");
  return Number(whole || "0") * 1000 + Number(fraction.slice(0, 3).padEnd(3, "0"));
}

/** `--concurrency <n>` (undefined: the default, 8), checked before anything is sent: a whole number from 1 to 1000. */
export function concurrencyOf(value: string | undefined): number {
  const n = value === undefined ? 8 : decimal(value, { integer: true });
  if (n === undefined || !(n >= 1 && n <= 1000)) throw notTaken("--concurrency", "an integer from 1 to 1000", value);
  return n;
}

/**
 * Runs `call` with the signal of `--timeout` (`ms`, from `timeoutMs`; undefined: no limit, and no signal): once that
 * has run out, what it failed with is `message` (or what `message` makes of that failure: a text, exit 5, code
 * `TIMEOUT`, about the job `jobId` where there is one; or the `CliError` it makes, as made: see `submitTimedOut`).
 */
export async function withinTimeout<T>(
  ms: number | undefined,
  call: (signal: AbortSignal | undefined) => Promise<T>,
  message: string | ((error: unknown) => string | CliError),
  jobId?: string,
): Promise<T> {
  const limit = ms === undefined ? undefined : AbortSignal.timeout(ms);
  return call(limit).catch((error: unknown) => {
    if (!limit?.aborted) throw error;
    const text = typeof message === "string" ? message : message(error);
    throw text instanceof CliError ? text : new CliError(text, EXIT.timeout, jobId, false, "TIMEOUT");
  });
}
