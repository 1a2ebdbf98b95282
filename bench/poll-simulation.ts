/**
 * Completion lag and status reads, simulated: pure computation, no server and no waiting. The default schedule of
 * `@decart/core` (`adaptiveSchedule` with the client's `createDurationModel`) against the official `@decartai/sdk`'s
 * fixed polling (its `queue/polling.ts`: a first read after 500 ms, then one every 1500 ms), on the same job durations
 * drawn from a seeded source (mulberry32), so every run prints the same table.
 *
 * Jobs run in batches submitted together, as in `completion-lag.ts`: every read of every job asks the schedule with
 * what the duration model knows at that moment, and a job seen completed is observed at once (its exact duration, as
 * the server's timestamps give it), so jobs still waiting benefit from those that ended. "Nothing learnt" = a fresh
 * model per batch; "learnt" = the model kept from one earlier batch of the same kind; "one job alone" = batches of
 * one job with a fresh model (a CLI call). Request latency and the download are not simulated (both clients pay them
 * alike), so lags are the time from completion to the first read that sees it.
 *
 * Usage: pnpm --filter bench run poll-simulation [--batches 40] [--jobs 30] [--seed 1]
 */
import { parseArgs } from "node:util";
import { adaptiveSchedule, createDurationModel, type PollContext } from "@decart/core";
import { mean, quantile, sec, seeded } from "./stats.js";

const { values } = parseArgs({
  options: {
    batches: { type: "string", default: "40" },
    jobs: { type: "string", default: "30" },
    seed: { type: "string", default: "1" },
  },
});
const BATCHES = Number(values.batches);
const N = Number(values.jobs);

const random = seeded(Number(values.seed));

type Model = ReturnType<typeof createDurationModel>;
type Schedule = (ctx: PollContext) => number;
interface Job {
  durationMs: number;
  lagMs: number;
  reads: number;
}

/** The official SDK's polling: 500 ms, then every 1500 ms. */
const official: Schedule = ({ attempt }) => (attempt === 0 ? 500 : 1500);

/** One batch of jobs submitted together: with `model`, each read asks the schedule with what it has learnt so far. */
function batch(durations: number[], catalogueMs: number, schedule: Schedule, model?: Model): Job[] {
  const ask = (elapsedMs: number, attempt: number) =>
    schedule({
      attempt,
      elapsedMs,
      status: attempt ? "processing" : "pending",
      typicalMs: model ? model.typicalMs("m", catalogueMs) : catalogueMs,
      spread: model?.spread("m"),
    });
  const jobs = durations.map((durationMs) => ({ durationMs, next: ask(0, 0), reads: 0, done: false }));
  const out: Job[] = [];
  for (;;) {
    let job: (typeof jobs)[number] | undefined;
    for (const j of jobs) if (!j.done && (!job || j.next < job.next)) job = j;
    if (!job) return out;
    job.reads++;
    if (job.next >= job.durationMs) {
      job.done = true;
      out.push({ durationMs: job.durationMs, lagMs: job.next - job.durationMs, reads: job.reads });
      model?.observe("m", catalogueMs, job.durationMs);
    } else job.next += ask(job.next, job.reads);
  }
}

const logUniform = (min: number, max: number) => () => min * (max / min) ** random();
/** As the benchmark's emulator draws them: pending 0.25·T and processing T, each within ±60 %. */
const emulatorClock = (T: number) => () => 0.25 * T * (0.4 + 1.2 * random()) + T * (0.4 + 1.2 * random());

interface Scenario {
  label: string;
  catalogueMs: number;
  draw: () => number;
}
const scenarios: Scenario[] = [
  { label: "1–6 s (log-uniform), catalogue 40 s", catalogueMs: 40_000, draw: logUniform(1000, 6000) },
  ...[20, 40, 60].map((s) => ({
    label: `0.5–2·T (emulator clock), T = catalogue = ${s} s`,
    catalogueMs: s * 1000,
    draw: emulatorClock(s * 1000),
  })),
  ...[20, 40].map((s) => ({
    label: `0.5 s–3·T (log-uniform), T = ${s} s`,
    catalogueMs: s * 1000,
    draw: logUniform(500, 3 * s * 1000),
  })),
];

const bound = (durationMs: number) => Math.max(1500, 0.3 * durationMs);

/** The worst p95, over duration buckets of a factor 3 from 0.5 s, of lag ÷ max(1.5 s, 30 % of the duration). */
function worstBucket(jobs: Job[]): number {
  let worst = 0;
  for (let lo = 500; lo < 200_000; lo *= 3) {
    const inside = jobs.filter((j) => j.durationMs >= lo && j.durationMs < 3 * lo);
    if (inside.length >= 20)
      worst = Math.max(
        worst,
        quantile(
          inside.map((j) => j.lagMs / bound(j.durationMs)),
          0.95,
        ),
      );
  }
  return worst;
}

const ours: Schedule = (ctx) => adaptiveSchedule(ctx, random);
type Mode = "nothing learnt" | "learnt" | "one job alone";

console.log(
  `\nSimulated: ${BATCHES} batches of ${N} jobs submitted together per row (one job alone: ${BATCHES * N} single jobs), seed ${values.seed}\n`,
);
console.log(
  "| job durations | schedule | jobs | lag median | lag p95 | p95 of lag ÷ max(1.5 s, 30 %) (worst duration bucket) | status reads per job | reads vs official |",
);
console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const scenario of scenarios) {
  const rows: [string, Job[], Job[]][] = [];
  for (const mode of ["nothing learnt", "learnt", "one job alone"] as Mode[]) {
    const mine: Job[] = [];
    const theirs: Job[] = [];
    const size = mode === "one job alone" ? 1 : N;
    for (let b = 0; b < (mode === "one job alone" ? BATCHES * N : BATCHES); b++) {
      const model = createDurationModel();
      if (mode === "learnt") batch(Array.from({ length: N }, scenario.draw), scenario.catalogueMs, ours, model);
      const durations = Array.from({ length: size }, scenario.draw);
      mine.push(...batch(durations, scenario.catalogueMs, ours, model));
      theirs.push(...batch(durations, scenario.catalogueMs, official));
    }
    rows.push([mode, mine, theirs]);
  }
  const line = (name: string, jobs: Job[], officialReads?: number) =>
    `| ${scenario.label} | ${name} | ${jobs.length} | ${sec(
      quantile(
        jobs.map((j) => j.lagMs),
        0.5,
      ),
    )} s | ${sec(
      quantile(
        jobs.map((j) => j.lagMs),
        0.95,
      ),
    )} s | ${quantile(
      jobs.map((j) => j.lagMs / bound(j.durationMs)),
      0.95,
    ).toFixed(2)} (${worstBucket(jobs).toFixed(2)}) | ${mean(jobs.map((j) => j.reads)).toFixed(1)} | ${
      officialReads ? `${Math.round((100 * mean(jobs.map((j) => j.reads))) / officialReads)} %` : ""
    } |`;
  console.log(line("@decartai/sdk 0.1.20 (official)", rows[0]![2]));
  for (const [mode, mine, theirs] of rows) {
    console.log(line(`@decart/core, ${mode}`, mine, mean(theirs.map((j) => j.reads))));
  }
}
