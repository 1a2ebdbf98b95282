/**
 * How much CPU the emulator spends rendering a result clip: `renderVideo` of a 128x72, 10 fps, 5 s clip (the size its
 * tests render), after a warm-up render (JIT), as CPU time of this process (user + system), not the wall clock: other
 * processes on a loaded machine stretch the wall clock, not the work. Prints each round and the median; exits 1 when
 * the median is 500 ms or more (the emulator renders a result at the first read that sees the job completed).
 *
 * Usage: pnpm --filter bench run emulator-render [--rounds 10]
 */
import { parseArgs } from "node:util";
import { renderVideo } from "../packages/emulator/src/media/index.js";
import { quantile } from "./stats.js";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "10" } } });
const rounds = Number(values.rounds);
if (!Number.isSafeInteger(rounds) || rounds < 1) {
  console.error(`--rounds must be a whole number of renders, 1 or more (got ${JSON.stringify(values.rounds)})`);
  process.exit(2);
}
const spec = { prompt: "a red fox in the snow", width: 128, height: 72, fps: 10, durationSeconds: 5 };

await renderVideo({ ...spec, seed: 1 });
const cpu: number[] = [];
for (let i = 0; i < rounds; i++) {
  const start = process.cpuUsage();
  const mp4 = await renderVideo({ ...spec, seed: 2 + i });
  const { user, system } = process.cpuUsage(start);
  cpu.push((user + system) / 1000);
  console.log(`round ${i + 1}: ${mp4.length} bytes in ${cpu[i]!.toFixed(1)} ms of CPU`);
}
const median = quantile(cpu, 0.5);
console.log(`128x72 10 fps 5 s: median ${median.toFixed(1)} ms of CPU over ${rounds} renders (goal: under 500 ms)`);
if (median >= 500) process.exitCode = 1;
