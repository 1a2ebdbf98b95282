/**
 * Completion lag and status reads: the same N concurrent jobs through the official `@decartai/sdk`'s
 * `queue.submitAndPoll` and through ours, both with their default polling, against the emulator in a child process
 * on a realistic clock for one model (default lucy-clip, T = its typicalJobSeconds: pending 0.25·T and processing T,
 * each drawn within ±60 %, so jobs last about 0.5·T to 2·T). The batches run one after the other, each with fresh
 * jobs; the emulator's random source is re-seeded before each batch, so both batches get the same job durations.
 *
 * Per job: lag = the moment the client's promise resolved (the download included) − the job's `completedAt` on the
 * emulator (both `Date.now()` on this machine); poll lag = the first status read that saw `completed` −
 * `completedAt`; status reads = the emulator's `statusReads`.
 *
 * Usage: pnpm --filter bench run completion-lag [--jobs 30] [--model lucy-clip] [--spread 0.6] [--rounds 1] [--seconds T]
 */
import { parseArgs } from "node:util";
import { catalogue, isModelName } from "@decart/api";
import { createDecartClient, models } from "@decart/core";
import type { EmulatorStats } from "@decart/emulator";
import { createDecartClient as createOfficialClient, models as officialModels } from "@decartai/sdk";
import { startEmulatorProcess } from "./emulator-process.js";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "30" },
    model: { type: "string", default: "lucy-clip" },
    spread: { type: "string", default: "0.6" },
    rounds: { type: "string", default: "1" },
    /** Overrides T (seconds), for a quick trial run. */
    seconds: { type: "string" },
  },
});
const N = Number(values.jobs);
const model = values.model;
if (!isModelName(model) || catalogue[model].kind !== "video") throw new Error(`${model} is not a video model`);
const info = catalogue[model];
const T = (values.seconds ? Number(values.seconds) : info.typicalJobSeconds) * 1000;
const needsVideo = info.fields.some((f) => f.name === "data");

const emu = await startEmulatorProcess({ model, typicalMs: T, spread: Number(values.spread), seed: 1 });
const quiet = { warn: () => {}, debug: () => {} };

// A small valid MP4 for the `data` input: a lucy-pro-t2v result of the same emulator (on its fast clock).
let video: Blob | undefined;
if (needsVideo) {
  const fixture = createDecartClient({ apiKey: emu.apiKey, baseUrl: emu.url, logger: quiet });
  const made = await fixture.queue.submitAndPoll({
    model: models.video("lucy-pro-t2v"),
    prompt: "input clip",
    poll: { initialDelayMs: 50, intervalMs: 50 },
  });
  if (made.status !== "completed") throw new Error("could not make the input clip");
  video = new Blob([await made.data.arrayBuffer()], { type: "video/mp4" });
}

type Run = (i: number, tag: string) => Promise<{ job_id: string; status: string }>;

const clients: Record<string, () => Run> = {
  "@decartai/sdk 0.1.20 (official)": () => {
    const client = createOfficialClient({ apiKey: emu.apiKey, baseUrl: emu.url });
    return (i, tag) =>
      client.queue.submitAndPoll({
        model: officialModels.video(model as "lucy-clip"),
        prompt: `${tag} job ${i}`,
        ...(video ? { data: video } : {}),
      } as Parameters<typeof client.queue.submitAndPoll>[0]);
  },
  "@decart/core (this repo)": () => {
    const client = createDecartClient({ apiKey: emu.apiKey, baseUrl: emu.url, logger: quiet });
    return (i, tag) =>
      client.queue.submitAndPoll({
        model: models.video(model as "lucy-clip"),
        prompt: `${tag} job ${i}`,
        ...(video ? { data: video } : {}),
      } as Parameters<typeof client.queue.submitAndPoll>[0]);
  },
};

interface JobFigures {
  durationMs: number;
  lagMs: number;
  pollLagMs: number;
  statusReads: number;
  requests: number;
}

async function batch(name: string, round: number): Promise<{ jobs: JobFigures[]; wallMs: number }> {
  await emu.reseed(1000 + round);
  const run = clients[name]!();
  const resolvedAt = new Map<string, number>();
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: N }, async (_, i) => {
      const result = await run(i, `${name} round ${round}`);
      resolvedAt.set(result.job_id, Date.now());
      if (result.status !== "completed") throw new Error(`job ${result.job_id} ${result.status}`);
    }),
  );
  const wallMs = Date.now() - t0;
  const stats: EmulatorStats = await emu.stats();
  const jobs = [...resolvedAt].map(([id, at]) => {
    const job = stats.jobs[id];
    if (!job?.completedAt || !job.firstCompletedReadAt) throw new Error(`no record of ${id}`);
    return {
      durationMs: job.completedAt - job.submittedAt,
      lagMs: at - job.completedAt,
      pollLagMs: job.firstCompletedReadAt - job.completedAt,
      statusReads: job.statusReads,
      requests: stats.requests.byJob[id] ?? 0,
    };
  });
  return { jobs, wallMs };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sec = (ms: number) => (ms / 1000).toFixed(2);

const names = Object.keys(clients);
const all: Record<string, JobFigures[]> = Object.fromEntries(names.map((n) => [n, []]));
const rounds = Number(values.rounds);
console.error(
  `${model}: T = ${T / 1000} s, ${N} concurrent jobs per batch, ${rounds} round(s); pending 0.25·T and processing T, ±${Number(values.spread) * 100} %`,
);
for (let round = 0; round < rounds; round++) {
  // Alternate the order from round to round, so that neither client always goes first.
  for (const name of round % 2 ? [...names].reverse() : names) {
    const { jobs, wallMs } = await batch(name, round);
    all[name]!.push(...jobs);
    console.error(`round ${round + 1}, ${name}: ${jobs.length} jobs in ${sec(wallMs)} s`);
  }
}
await emu.stop();

console.log(`\n${model}, ${N} concurrent jobs × ${rounds} round(s) per client, default polling of each client\n`);
console.log(
  "| client | job duration (median, min–max) | lag median | lag p95 | lag max | poll lag median | poll lag p95 | status reads per job (mean, max) | requests per job (mean) |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const name of names) {
  const jobs = all[name]!;
  const d = jobs.map((j) => j.durationMs);
  const lag = jobs.map((j) => j.lagMs);
  const poll = jobs.map((j) => j.pollLagMs);
  const reads = jobs.map((j) => j.statusReads);
  console.log(
    `| ${name} | ${sec(quantile(d, 0.5))} s (${sec(Math.min(...d))}–${sec(Math.max(...d))}) | ${sec(quantile(lag, 0.5))} s | ${sec(quantile(lag, 0.95))} s | ${sec(Math.max(...lag))} s | ${sec(quantile(poll, 0.5))} s | ${sec(quantile(poll, 0.95))} s | ${mean(reads).toFixed(1)}, ${Math.max(...reads)} | ${mean(jobs.map((j) => j.requests)).toFixed(1)} |`,
  );
}
