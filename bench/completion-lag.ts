/**
 * Completion lag and status reads, measured: the same concurrent jobs through the official `@decartai/sdk`'s
 * `queue.submitAndPoll` and through ours, both with their default polling, against the emulator in a child process.
 * Three scenarios, each on an emulator of its own:
 * - `short`: jobs of 1–6 s (log-uniform) on lucy-pro-t2v, whose catalogue entry expects 40 s: the guess is wrong.
 *   (The official SDK has no text-only video model; its polling does not depend on the model, so its jobs go to
 *   lucy-clip, with a small input clip, on the same clock.)
 * - `typical`: lucy-clip on its catalogue clock (T = 20 s: pending 0.25·T and processing T, each within ±60 %, so
 *   jobs last about 0.5·T to 2·T).
 * - `wide`: lucy-clip jobs of 0.5 s to 3·T (log-uniform).
 * Each client is created once per scenario and kept over its rounds, as an application keeps its client: round 1
 * starts with nothing learnt, later rounds use what the client learnt from earlier jobs. Each round is a batch of N
 * jobs submitted together; the random source of the emulator's process is re-seeded before each batch (the same seed
 * for both clients), so both get the same job durations in a round. The order of the clients alternates from round to
 * round.
 *
 * Per job: lag = the moment the client's promise resolved (the download included) − the job's `completedAt` on the
 * emulator (both `Date.now()` on this machine); poll lag = the first status read that saw `completed` −
 * `completedAt`; status reads = the emulator's `statusReads`; "÷ bound" = lag ÷ max(1.5 s, 30 % of the duration).
 *
 * Usage: pnpm --filter bench run completion-lag [--scenario short|typical|wide|all] [--jobs 30] [--rounds R]
 */
import { parseArgs } from "node:util";
import { catalogue } from "@decart/api";
import { createDecartClient, models } from "@decart/core";
import { createDecartClient as createOfficialClient, models as officialModels } from "@decartai/sdk";
import { type EmulatorProcessConfig, startEmulatorProcess } from "./emulator-process.js";
import { renderInputClip } from "./input-clip.js";
import { mean, quantile, sec } from "./stats.js";

const { values } = parseArgs({
  options: {
    scenario: { type: "string", default: "all" },
    jobs: { type: "string", default: "30" },
    /** Rounds per scenario (default: short 3, typical 3, wide 2). */
    rounds: { type: "string" },
  },
});
const N = Number(values.jobs);
const clipT = catalogue["lucy-clip"].typicalJobSeconds * 1000;

interface Scenario {
  name: string;
  title: string;
  model: "lucy-pro-t2v" | "lucy-clip";
  /** The official SDK's model, when it lacks ours. */
  officialModel?: "lucy-clip";
  emulator: EmulatorProcessConfig;
  rounds: number;
}
const scenarios: Scenario[] = [
  {
    name: "short",
    title: "lucy-pro-t2v (catalogue: 40 s), jobs of 1–6 s (log-uniform)",
    model: "lucy-pro-t2v",
    officialModel: "lucy-clip",
    emulator: { model: ["lucy-pro-t2v", "lucy-clip"], durationRange: [1000, 6000] },
    rounds: 3,
  },
  {
    name: "typical",
    title: `lucy-clip (catalogue: ${clipT / 1000} s), pending 0.25·T and processing T, each ±60 % (about 0.5·T to 2·T)`,
    model: "lucy-clip",
    emulator: { model: "lucy-clip", typicalMs: clipT, spread: 0.6 },
    rounds: 3,
  },
  {
    name: "wide",
    title: `lucy-clip (catalogue: ${clipT / 1000} s), jobs of 0.5 s to 3·T = ${(3 * clipT) / 1000} s (log-uniform)`,
    model: "lucy-clip",
    emulator: { model: "lucy-clip", durationRange: [500, 3 * clipT] },
    rounds: 2,
  },
];

const quiet = { warn: () => {}, debug: () => {} };
type Run = (i: number, tag: string) => Promise<{ job_id: string; status: string }>;

/** A small valid MP4 for lucy-clip's `data`. */
let video: Blob | undefined;
async function inputClip(): Promise<Blob> {
  video ??= new Blob([await renderInputClip()], { type: "video/mp4" });
  return video;
}

const OFFICIAL = "@decartai/sdk 0.1.20 (official)";
const OURS = "@decart/core (this repo)";

function clientsFor(emu: { url: string; apiKey: string }, scenario: Scenario, clip: Blob) {
  const official = createOfficialClient({ apiKey: emu.apiKey, baseUrl: emu.url });
  const ours = createDecartClient({ apiKey: emu.apiKey, baseUrl: emu.url, logger: quiet });
  const officialModel = scenario.officialModel ?? scenario.model;
  const runs: Record<string, Run> = {
    [OFFICIAL]: (i, tag) =>
      official.queue.submitAndPoll({
        model: officialModels.video(officialModel as "lucy-clip"),
        prompt: `${tag} job ${i}`,
        ...(officialModel === "lucy-clip" ? { data: clip } : {}),
      } as Parameters<typeof official.queue.submitAndPoll>[0]),
    [OURS]: (i, tag) =>
      ours.queue.submitAndPoll({
        model: models.video(scenario.model),
        prompt: `${tag} job ${i}`,
        ...(scenario.model === "lucy-clip" ? { data: clip } : {}),
      } as Parameters<typeof ours.queue.submitAndPoll>[0]),
  };
  return runs;
}

interface JobFigures {
  round: number;
  durationMs: number;
  lagMs: number;
  pollLagMs: number;
  statusReads: number;
}

const bound = (durationMs: number) => Math.max(1500, 0.3 * durationMs);

async function measure(scenario: Scenario, rounds: number): Promise<Record<string, JobFigures[]>> {
  const clip = await inputClip();
  const emu = await startEmulatorProcess({ ...scenario.emulator, seed: 1 });
  const runs = clientsFor(emu, scenario, clip);
  const names = [OFFICIAL, OURS];
  const all: Record<string, JobFigures[]> = { [OFFICIAL]: [], [OURS]: [] };
  for (let round = 1; round <= rounds; round++) {
    for (const name of round % 2 ? names : [...names].reverse()) {
      await emu.reseed(1000 + round);
      const resolvedAt = new Map<string, number>();
      const t0 = Date.now();
      await Promise.all(
        Array.from({ length: N }, async (_, i) => {
          const result = await runs[name]!(i, `${scenario.name} ${name} round ${round}`);
          resolvedAt.set(result.job_id, Date.now());
          if (result.status !== "completed") throw new Error(`job ${result.job_id} ${result.status}`);
        }),
      );
      for (const [id, at] of resolvedAt) {
        const job = await emu.job(id);
        if (!job?.completedAt || !job.firstCompletedReadAt) throw new Error(`no record of ${id}`);
        all[name]!.push({
          round,
          durationMs: job.completedAt - job.submittedAt,
          lagMs: at - job.completedAt,
          pollLagMs: job.firstCompletedReadAt - job.completedAt,
          statusReads: job.statusReads,
        });
      }
      console.error(`${scenario.name}, round ${round}, ${name}: ${N} jobs in ${sec(Date.now() - t0)} s`);
    }
  }
  await emu.stop();
  return all;
}

function row(label: string, jobs: JobFigures[], officialReads?: number) {
  const d = jobs.map((j) => j.durationMs);
  const lag = jobs.map((j) => j.lagMs);
  const reads = mean(jobs.map((j) => j.statusReads));
  const ratio = officialReads ? `${Math.round((100 * reads) / officialReads)} %` : "";
  return `| ${label} | ${jobs.length} | ${sec(quantile(d, 0.5))} s (${sec(Math.min(...d))}–${sec(Math.max(...d))}) | ${sec(quantile(lag, 0.5))} s | ${sec(quantile(lag, 0.95))} s | ${sec(Math.max(...lag))} s | ${sec(
    quantile(
      jobs.map((j) => j.pollLagMs),
      0.5,
    ),
  )} s | ${quantile(
    jobs.map((j) => j.lagMs / bound(j.durationMs)),
    0.95,
  ).toFixed(2)} | ${reads.toFixed(1)} | ${ratio} |`;
}

function report(scenario: Scenario, rounds: number, all: Record<string, JobFigures[]>) {
  console.log(`\n${scenario.name}: ${scenario.title}; ${N} concurrent jobs × ${rounds} rounds per client\n`);
  console.log(
    "| client, rounds | jobs | job duration (median, min–max) | lag median | lag p95 | lag max | poll lag median | p95 of lag ÷ max(1.5 s, 30 % of duration) | status reads per job | reads vs official (same jobs) |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  const official = all[OFFICIAL]!;
  const ours = all[OURS]!;
  const readsOf = (jobs: JobFigures[]) => mean(jobs.map((j) => j.statusReads));
  const first = (jobs: JobFigures[]) => jobs.filter((j) => j.round === 1);
  const later = (jobs: JobFigures[]) => jobs.filter((j) => j.round > 1);
  console.log(row(`${OFFICIAL}, all`, official));
  console.log(row(`${OURS}, all`, ours, readsOf(official)));
  console.log(row(`${OFFICIAL}, round 1`, first(official)));
  console.log(row(`${OURS}, round 1 (nothing learnt yet)`, first(ours), readsOf(first(official))));
  if (rounds > 1) {
    const rest = rounds > 2 ? `rounds 2–${rounds}` : "round 2";
    console.log(row(`${OFFICIAL}, ${rest}`, later(official)));
    console.log(row(`${OURS}, ${rest} (learnt)`, later(ours), readsOf(later(official))));
  }
  if (scenario.name !== "wide") return;
  console.log("\nBy job duration, all rounds: lag p95 (and jobs) against the bound max(1.5 s, 30 % of the duration)\n");
  const edges = [500, 1500, 5000, 15_000, 45_000, Infinity];
  const label = (i: number) =>
    `${edges[i]! / 1000}–${edges[i + 1] === Infinity ? `${(3 * clipT) / 1000}` : edges[i + 1]! / 1000} s`;
  console.log(
    `| client | ${edges
      .slice(0, -1)
      .map((_, i) => label(i))
      .join(" | ")} |`,
  );
  console.log(
    `| --- | ${edges
      .slice(0, -1)
      .map(() => "---:")
      .join(" | ")} |`,
  );
  console.log(
    `| bound | ${edges
      .slice(0, -1)
      .map((e, i) => `${sec(bound(e))}–${sec(bound(Math.min(edges[i + 1]!, 3 * clipT)))} s`)
      .join(" | ")} |`,
  );
  for (const name of [OFFICIAL, OURS]) {
    const cells = edges.slice(0, -1).map((lo, i) => {
      const jobs = all[name]!.filter((j) => j.durationMs >= lo && j.durationMs < edges[i + 1]!);
      if (!jobs.length) return "–";
      const over = jobs.filter((j) => j.lagMs > bound(j.durationMs)).length;
      return `${sec(
        quantile(
          jobs.map((j) => j.lagMs),
          0.95,
        ),
      )} s (${jobs.length}, ${over} over)`;
    });
    console.log(`| ${name} | ${cells.join(" | ")} |`);
  }
}

const chosen = values.scenario === "all" ? scenarios : scenarios.filter((s) => s.name === values.scenario);
if (!chosen.length) throw new Error(`unknown scenario ${values.scenario}`);
const results: [Scenario, number, Record<string, JobFigures[]>][] = [];
for (const scenario of chosen) {
  const rounds = values.rounds ? Number(values.rounds) : scenario.rounds;
  results.push([scenario, rounds, await measure(scenario, rounds)]);
}
for (const [scenario, rounds, all] of results) report(scenario, rounds, all);
