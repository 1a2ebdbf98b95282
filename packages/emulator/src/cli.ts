/**
 * `decart-emulator [--port N] [--host H] [--keys k1,k2] [--fast] [--faults spec] …`: starts the emulator, prints
 * its URL and a dev key, and runs until SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util";
import { parseFaultsArg } from "./faults.js";
import { startEmulator } from "./server.js";
import type { EmulatorOptions } from "./types.js";

const HELP = `Usage: decart-emulator [options]

A local server that plays the Decart API (see the @decart/emulator README).

Options:
  --port <n>             port to listen on (default 4010; 0 picks a free port)
  --host <host>          interface to listen on (default 127.0.0.1); any other needs --keys
  --allowed-hosts <h,…>  extra names a request's Host header may give (default: loopback names
                         and the interface listened on)
  --keys <k1,k2,…>       accepted API keys (default: the built-in dev key, loopback only)
  --admin-token <secret> the secret of the /_emulator/* admin routes (default: a random one, printed)
  --fast                 fast job timing (20 ms pending, 60 ms processing)
  --time-scale <x>       multiply every realistic duration by x (e.g. 0.1)
  --faults <spec>        inject faults: comma-separated [route:]kind[@rate] items,
                         e.g. "status:503@0.1,content:truncate@0.05", or a JSON array of rules
  --job-timeout <ms>     server-side job timeout (default 600000)
  --retention <ms>       how long results stay downloadable (default 86400000)
  --max-upload <bytes>   largest accepted upload (default 209715200)
  --max-jobs <n>         most jobs kept in memory (default 10000)
  --result-bytes <n>     pad every video result to n bytes
  --headers-timeout <ms> longest time a request's head may take (default 10000)
  --request-timeout <ms> time a request body may take before it must keep up
                         --min-upload-rate (default 30000)
  --min-upload-rate <n>  slowest accepted upload pace after that, in bytes per second
                         (default 32768)
  --write-timeout <ms>   cut a connection whose client takes nothing of an answer for this
                         long (default 60000)
  --quiet                do not log requests
  -h, --help             show this help
`;

/** The flags that set a numeric option of the same meaning, and that option. */
const NUMBER_FLAGS = [
  ["job-timeout", "jobTimeoutMs"],
  ["retention", "retentionMs"],
  ["max-jobs", "maxJobs"],
  ["max-upload", "maxUploadBytes"],
  ["result-bytes", "resultBytes"],
  ["headers-timeout", "headersTimeoutMs"],
  ["request-timeout", "requestTimeoutMs"],
  ["min-upload-rate", "minUploadBytesPerSecond"],
  ["write-timeout", "writeTimeoutMs"],
] as const satisfies readonly (readonly [string, keyof EmulatorOptions])[];
type NumberFlag = (typeof NUMBER_FLAGS)[number][0];

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number (got ${value})`);
  return n;
}

function list(value: string): string[] {
  return value
    .split(",")
    .map((k) => k.trim())
    .filter(Boolean);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      keys: { type: "string" },
      "allowed-hosts": { type: "string" },
      "admin-token": { type: "string" },
      fast: { type: "boolean" },
      "time-scale": { type: "string" },
      faults: { type: "string" },
      ...(Object.fromEntries(NUMBER_FLAGS.map(([flag]) => [flag, { type: "string" }])) as Record<
        NumberFlag,
        { type: "string" }
      >),
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const options: EmulatorOptions = { port: numberOption("port", values.port) ?? 4010 };
  if (values.host) options.host = values.host;
  if (values.keys) options.keys = list(values.keys);
  if (values["allowed-hosts"]) options.allowedHosts = list(values["allowed-hosts"]);
  if (values["admin-token"]) options.adminToken = values["admin-token"];
  const timeScale = numberOption("time-scale", values["time-scale"]);
  if (values.fast) options.timing = timeScale !== undefined ? { pendingMs: 20, processingMs: 60, timeScale } : "fast";
  else if (timeScale !== undefined) options.timing = { timeScale };
  if (values.faults) options.faults = parseFaultsArg(values.faults);
  for (const [flag, option] of NUMBER_FLAGS) {
    const value = numberOption(flag, values[flag]);
    if (value !== undefined) options[option] = value;
  }
  if (!values.quiet) options.logger = (line) => process.stderr.write(`${line}\n`);

  const emu = await startEmulator(options);
  process.stdout.write(
    `Decart emulator listening on ${emu.url}\nAPI key: ${emu.apiKey}\nAdmin token: ${emu.adminToken} (for /_emulator/*, as Authorization: Bearer <token>)\n`,
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    emu.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`decart-emulator: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
