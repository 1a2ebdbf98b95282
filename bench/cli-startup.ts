/**
 * Start-up of the `decart` CLI: the wall time of `node bin/decart.js --version` (and `--help`) beside `node -e 0`,
 * each spawned R times (default 21, after 3 warm-up runs), interleaved so that both see the same load; medians and the
 * ratio to `node -e 0` (goal: `--version` ≤ 2×).
 *   pnpm --filter @decart/cli build && pnpm --filter bench run cli-startup [--runs 21]
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { CLI_BIN } from "./cli-bin.js";
import { quantile } from "./stats.js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "21" } } });
const runs = Number(values.runs);

const commands: Array<[label: string, args: string[]]> = [
  ["node -e 0", ["-e", "0"]],
  ["decart --version", [CLI_BIN, "--version"]],
  ["decart --help", [CLI_BIN, "--help"]],
];

/** One spawn's wall time in ms (spawn to exit, output read through a pipe). */
function once(args: string[]): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited with ${r.status}: ${r.stderr}`);
  return ms;
}

const load = loadavg()[0]!.toFixed(1);
for (let i = 0; i < 3; i++) for (const [, args] of commands) once(args);
const times = commands.map(() => [] as number[]);
for (let i = 0; i < runs; i++) {
  for (const [c, [, args]] of commands.entries()) times[c]!.push(once(args));
}

const base = quantile(times[0]!, 0.5);
console.log(
  `\nNode ${process.version}, ${runs} runs each (interleaved), load average ${load} at the start, ${new Date().toISOString().slice(0, 16)} UTC\n`,
);
console.log("| command | median | p10 | p90 | median ÷ node -e 0 |\n| --- | ---: | ---: | ---: | ---: |");
commands.forEach(([label], c) => {
  const t = times[c]!;
  const median = quantile(t, 0.5);
  console.log(
    `| \`${label}\` | ${median.toFixed(0)} ms | ${quantile(t, 0.1).toFixed(0)} ms | ${quantile(t, 0.9).toFixed(0)} ms | ${(median / base).toFixed(2)}× |`,
  );
});
