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
  --min-upload-rate <bytes/s>  slowest accepted upload pace after that (default 32768)
  --write-timeout <ms>   cut a connection whose client takes nothing of an answer for this
                         long (default 60000)
  --quiet                do not log requests
  -h, --help             show this help
`;

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
      "job-timeout": { type: "string" },
      retention: { type: "string" },
      "max-upload": { type: "string" },
      "max-jobs": { type: "string" },
      "result-bytes": { type: "string" },
      "headers-timeout": { type: "string" },
      "request-timeout": { type: "string" },
      "min-upload-rate": { type: "string" },
      "write-timeout": { type: "string" },
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
  const jobTimeoutMs = numberOption("job-timeout", values["job-timeout"]);
  if (jobTimeoutMs !== undefined) options.jobTimeoutMs = jobTimeoutMs;
  const retentionMs = numberOption("retention", values.retention);
  if (retentionMs !== undefined) options.retentionMs = retentionMs;
  const maxJobs = numberOption("max-jobs", values["max-jobs"]);
  if (maxJobs !== undefined) options.maxJobs = maxJobs;
  const maxUploadBytes = numberOption("max-upload", values["max-upload"]);
  if (maxUploadBytes !== undefined) options.maxUploadBytes = maxUploadBytes;
  const resultBytes = numberOption("result-bytes", values["result-bytes"]);
  if (resultBytes !== undefined) options.resultBytes = resultBytes;
  const headersTimeoutMs = numberOption("headers-timeout", values["headers-timeout"]);
  if (headersTimeoutMs !== undefined) options.headersTimeoutMs = headersTimeoutMs;
  const requestTimeoutMs = numberOption("request-timeout", values["request-timeout"]);
  if (requestTimeoutMs !== undefined) options.requestTimeoutMs = requestTimeoutMs;
  const minUploadBytesPerSecond = numberOption("min-upload-rate", values["min-upload-rate"]);
  if (minUploadBytesPerSecond !== undefined) options.minUploadBytesPerSecond = minUploadBytesPerSecond;
  const writeTimeoutMs = numberOption("write-timeout", values["write-timeout"]);
  if (writeTimeoutMs !== undefined) options.writeTimeoutMs = writeTimeoutMs;
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
