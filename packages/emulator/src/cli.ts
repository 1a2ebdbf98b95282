/**
 * `decart-emulator [--port N] [--host H] [--keys k1,k2] [--fast] [--faults spec] …`: starts the emulator, prints
 * its URL and a dev key, and runs until SIGINT/SIGTERM. Its flags are `emulatorFlags` (flags.ts), which the CLI's
 * `decart emulator` takes too, and `--quiet` and `--help`.
 */
import { parseArgs } from "node:util";
import { emulatorFlags, emulatorOptionsFromFlags } from "./flags.js";
import { startEmulator } from "./server.js";

/** The bin's own flags, beside those of `emulatorFlags`. */
const OWN_FLAGS = [
  { name: "quiet", description: "do not log requests" },
  { name: "help", short: "h", description: "show this help" },
];

/** `  -p, --port <n>   port to …`, the descriptions in a column, wrapped at 110 characters. */
function helpLines(): string {
  const flags = [...emulatorFlags, ...OWN_FLAGS].map((flag) => ({
    left: `${"short" in flag && flag.short ? `-${flag.short}, ` : "    "}--${flag.name}${"value" in flag && flag.value ? ` <${flag.value}>` : ""}`,
    description: flag.description,
  }));
  const width = Math.max(...flags.map((f) => f.left.length)) + 2;
  const lines: string[] = [];
  for (const { left, description } of flags) {
    let line = `  ${left.padEnd(width)}`;
    for (const word of description.split(" ")) {
      if (line.length + word.length > 110 && line.trim() !== left) {
        lines.push(line.trimEnd());
        line = " ".repeat(width + 2);
      }
      line += `${word} `;
    }
    lines.push(line.trimEnd());
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...Object.fromEntries(
        emulatorFlags.map((flag) => [
          flag.name,
          { type: flag.value ? ("string" as const) : ("boolean" as const), ...(flag.short && { short: flag.short }) },
        ]),
      ),
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  const { quiet, help, ...flags } = values;
  if (help) {
    process.stdout.write(
      `Usage: decart-emulator [options]\n\nA local server that plays the Decart API (see the @decart/emulator README).\n\nOptions:\n${helpLines()}\n`,
    );
    return;
  }
  const options = emulatorOptionsFromFlags(flags);
  if (!quiet) options.logger = (line) => process.stderr.write(`${line}\n`);

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
