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
  // The fraction is one optional group: `\d+\.?\d*` would try every split of a long run of digits (quadratic).
  if (!(integer ? /^-?\d+$/ : /^-?(\d+(\.\d*)?|\.\d+)$/).test(text)) return undefined;
  const value = Number(text);
  return Math.abs(value) > MAX_DECIMAL ? value * Number.POSITIVE_INFINITY : value;
}

/** The longest wait a timer takes, in ms (about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * `--timeout <seconds>` as whole milliseconds (undefined: the client's default budget), checked before anything is
 * sent: from 0.001 s to about 24.8 days, what a timer can wait.
 */
export function timeoutMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = decimal(value);
  const ms = seconds === undefined ? Number.NaN : Math.round(seconds * 1000);
  if (!(ms >= 1 && ms <= MAX_TIMEOUT_MS)) {
    throw usageError(
      `--timeout must be a decimal number of seconds from 0.001 to ${Math.floor(MAX_TIMEOUT_MS / 1000)} (got ${JSON.stringify(value)})`,
    );
  }
  return ms;
}

/** `--concurrency <n>` (undefined: the default, 8), checked before anything is sent: a whole number from 1 to 1000. */
export function concurrencyOf(value: string | undefined): number {
  const n = value === undefined ? 8 : decimal(value, { integer: true });
  if (n === undefined || !(n >= 1 && n <= 1000)) {
    throw usageError(`--concurrency must be an integer from 1 to 1000 (got ${JSON.stringify(value)})`);
  }
  return n;
}

/**
 * Runs `call` with the signal of `--timeout` (`ms`, from `timeoutMs`; undefined: no limit, and no signal): once that
 * has run out, what it failed with is `message` (or what `message` makes of that failure), exit 5 (code `TIMEOUT`),
 * about the job `jobId` where there is one.
 */
export async function withinTimeout<T>(
  ms: number | undefined,
  call: (signal: AbortSignal | undefined) => Promise<T>,
  message: string | ((error: unknown) => string),
  jobId?: string,
): Promise<T> {
  const limit = ms === undefined ? undefined : AbortSignal.timeout(ms);
  return call(limit).catch((error: unknown) => {
    if (!limit?.aborted) throw error;
    const text = typeof message === "string" ? message : message(error);
    throw new CliError(text, EXIT.timeout, jobId, false, "TIMEOUT");
  });
}
