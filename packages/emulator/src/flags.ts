/**
 * The emulator's command-line flags, in one table for every command that starts it: the `decart-emulator` bin and
 * the `decart emulator` command of `@decart/cli`. `emulatorOptionsFromFlags` turns the flags' values into the options
 * of `startEmulator`, checking each one and naming the flag of a value it refuses.
 */
import { maxFileBytes } from "@decart/api";
import { adminTokenProblem } from "./admin.js";
import { parseFaultsArg, TRICKLE_CHUNK_BYTES, TRICKLE_DELAY_MS } from "./faults.js";
import { MAX_RESULT_BYTES } from "./results.js";
import { DURATION_RULE, MAX_TIMER_MS } from "./timer.js";
import type { EmulatorOptions } from "./types.js";

/** One flag: `--<name> <value>` (or `--<name>` alone when it takes no value). */
export interface EmulatorFlag {
  /** The flag's name, without its dashes: `write-timeout`. */
  readonly name: string;
  /** A one-letter short form (`p` for `-p`), if it has one. */
  readonly short?: string;
  /** The placeholder of its value (`ms`); none for a flag that takes no value. */
  readonly value?: string;
  /** What it does, in one line (for `--help`). */
  readonly description: string;
}

/**
 * How a numeric flag's value is checked, and the option it sets. A duration (`ms`) takes at most MAX_TIMER_MS, the
 * longest wait of a timer, as the options do.
 */
type NumberRule = { option: keyof EmulatorOptions; least: 0 | "positive"; integer?: true; ms?: true; most?: number };

const NUMBER_RULES: Record<string, NumberRule> = {
  "job-timeout": { option: "jobTimeoutMs", least: 0, ms: true },
  retention: { option: "retentionMs", least: 0, ms: true },
  "max-upload": { option: "maxUploadBytes", least: 0 },
  "max-jobs": { option: "maxJobs", least: "positive", integer: true },
  "result-bytes": { option: "resultBytes", least: "positive", integer: true, most: MAX_RESULT_BYTES },
  "headers-timeout": { option: "headersTimeoutMs", least: "positive", ms: true },
  "request-timeout": { option: "requestTimeoutMs", least: "positive", ms: true },
  "min-upload-rate": { option: "minUploadBytesPerSecond", least: "positive" },
  "write-timeout": { option: "writeTimeoutMs", least: "positive", ms: true },
};

/**
 * Every flag that sets an option of `startEmulator`, in the order `--help` shows them. Frozen, the array and each
 * flag: `emulatorOptionsFromFlags` and the commands read it at run time.
 */
export const emulatorFlags: readonly EmulatorFlag[] = Object.freeze(
  (
    [
      { name: "port", short: "p", value: "n", description: "port to listen on (default 4010; 0 picks a free port)" },
      {
        name: "host",
        value: "host",
        description: "interface to listen on (default 127.0.0.1); any other needs --keys",
      },
      {
        name: "allowed-hosts",
        value: "h1,h2",
        description: "extra names a request's Host header may give (default: loopback names and the interface)",
      },
      { name: "keys", value: "k1,k2", description: "accepted API keys (default: the built-in dev key, loopback only)" },
      {
        name: "admin-token",
        value: "secret",
        description: "the secret of the /_emulator/* admin routes (default: a random one, printed)",
      },
      { name: "fast", description: "fast job timing (20 ms pending, 60 ms processing)" },
      { name: "time-scale", value: "x", description: "multiply every job duration by x (e.g. 0.1)" },
      {
        name: "faults",
        value: "spec",
        description:
          'inject faults: [route:]kind[@rate] items, e.g. "status:503@0.1,content:truncate@0.05"; "content:trickle" sends ' +
          `each result in ${TRICKLE_CHUNK_BYTES.default}-byte writes ${TRICKLE_DELAY_MS.default} ms apart; or JSON rules, e.g. ` +
          `'[{"route":"content","kind":"trickle","chunkBytes":4096,"delayMs":5}]'`,
      },
      { name: "job-timeout", value: "ms", description: "server-side job timeout (default 600000)" },
      { name: "retention", value: "ms", description: "how long results stay downloadable (default 86400000)" },
      {
        name: "max-upload",
        value: "bytes",
        description: `largest accepted upload (default ${maxFileBytes}, the spec's)`,
      },
      { name: "max-jobs", value: "n", description: "most jobs kept in memory (default 10000)" },
      {
        name: "result-bytes",
        value: "n",
        description: `pad every video result to n bytes (at most ${MAX_RESULT_BYTES})`,
      },
      { name: "headers-timeout", value: "ms", description: "longest time a request's head may take (default 10000)" },
      {
        name: "request-timeout",
        value: "ms",
        description: "time a request body may take before it must keep up --min-upload-rate (default 30000)",
      },
      {
        name: "min-upload-rate",
        value: "n",
        description: "slowest accepted upload pace after that, in bytes per second (default 32768)",
      },
      {
        name: "write-timeout",
        value: "ms",
        description: "cut a connection whose client takes nothing of an answer for this long (default 60000)",
      },
    ] satisfies EmulatorFlag[]
  ).map((flag): EmulatorFlag => Object.freeze(flag)),
);

/** The port the commands listen on when `--port` is not given. */
export const DEFAULT_FLAG_PORT = 4010;

const fail = (flag: string, what: string, value: unknown): never => {
  throw new RangeError(`--${flag} must be ${what} (got ${JSON.stringify(value)})`);
};

/**
 * A number flag's value: decimal digits only, as the CLI reads its own numbers, with a fraction (`0.5`, `.5`, `5.`)
 * where the flag does not take integers only. `Number()` would also read `0x10` (16), `0b1`, `1e3`, `Infinity` or
 * ` 7`, which are not what a user typed: refused, the message saying so. A value beyond 2^53−1 is refused too, never
 * read as a neighbour.
 */
function numberOf(flag: string, text: string, rule: Pick<NumberRule, "least" | "integer" | "ms" | "most">): number {
  const what =
    `${rule.least === 0 ? "a non-negative" : "a positive"} ${rule.integer ? "integer" : "number"}` +
    (rule.ms ? `, ${DURATION_RULE}` : "") +
    (rule.most !== undefined ? `, at most ${rule.most}` : "");
  // The rule of the CLI's numbers (packages/cli/src/numbers.ts; the CLI does not load the emulator to read a number),
  // the fraction one optional group so that a long run of digits cannot make it backtrack.
  if (!(rule.integer ? /^-?\d+$/ : /^-?(\d+(\.\d*)?|\.\d+)$/).test(text))
    fail(flag, `${what}, in decimal digits`, text);
  const n = Math.abs(Number(text)) > Number.MAX_SAFE_INTEGER ? Number.NaN : Number(text);
  if (
    !Number.isFinite(n) ||
    (rule.least === 0 ? n < 0 : n <= 0) ||
    (rule.integer && !Number.isSafeInteger(n)) ||
    (rule.ms && n > MAX_TIMER_MS) ||
    (rule.most !== undefined && n > rule.most)
  )
    fail(flag, what, text);
  return n;
}

function listOf(flag: string, text: string): string[] {
  const items = text
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  if (!items.length) fail(flag, "a comma-separated list of at least one name", text);
  return items;
}

/**
 * The options of `startEmulator` that the flags' values give, by flag name (`{ "write-timeout": "5000", fast: true }`
 * gives `{ port: 4010, writeTimeoutMs: 5000, timing: "fast" }`); a flag not given (undefined) leaves its option out,
 * except `port` (4010). A value a flag does not take throws a `RangeError` naming the flag and what it takes.
 */
export function emulatorOptionsFromFlags(
  values: Readonly<Record<string, string | boolean | undefined>>,
): EmulatorOptions {
  const text = (flag: string): string | undefined => {
    const value = values[flag];
    if (value === undefined || value === false) return undefined;
    if (typeof value !== "string") return fail(flag, "given a value", value);
    return value;
  };
  const known = new Set(emulatorFlags.map((flag) => flag.name));
  for (const flag of Object.keys(values))
    if (!known.has(flag)) throw new RangeError(`--${flag} is not an emulator flag`);

  const port = text("port");
  const options: EmulatorOptions = {
    port: port === undefined ? DEFAULT_FLAG_PORT : numberOf("port", port, { least: 0, integer: true }),
  };
  if (options.port! > 65_535) fail("port", "an integer from 0 to 65535", port);
  const host = text("host");
  if (host !== undefined) options.host = host.trim() || fail("host", "an interface name or address", host);
  const allowed = text("allowed-hosts");
  if (allowed !== undefined) options.allowedHosts = listOf("allowed-hosts", allowed);
  const keys = text("keys");
  if (keys !== undefined) options.keys = listOf("keys", keys);
  const adminToken = text("admin-token");
  if (adminToken !== undefined) {
    // The value is a secret: the message says what is wrong with it, never the value.
    const problem = adminTokenProblem(adminToken);
    if (problem) throw new RangeError(`--admin-token ${problem}`);
    options.adminToken = adminToken;
  }
  const scale = text("time-scale");
  const timeScale = scale === undefined ? undefined : numberOf("time-scale", scale, { least: 0 });
  if (values.fast === true)
    options.timing = timeScale === undefined ? "fast" : { pendingMs: 20, processingMs: 60, timeScale };
  else if (timeScale !== undefined) options.timing = { timeScale };
  const faults = text("faults");
  if (faults !== undefined) {
    try {
      options.faults = parseFaultsArg(faults);
    } catch (e) {
      throw new RangeError(`--faults: ${(e as Error).message}`);
    }
  }
  for (const [flag, rule] of Object.entries(NUMBER_RULES)) {
    const value = text(flag);
    if (value !== undefined) (options as Record<string, unknown>)[rule.option] = numberOf(flag, value, rule);
  }
  return options;
}
