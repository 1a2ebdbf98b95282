/**
 * `@decart/queue-rx` on the emulator, beside the official `@decartai/sdk`:
 *
 * 1. A batch: N `lucy-clip` jobs (default 1000) through `submitAll` at concurrency C (default 100), beside N independent official
 *    `queue.submitAndPoll` calls, C at a time. Both download every result and use their default polling. Each run
 *    is a child process of its own (its peak RSS is `process.resourceUsage().maxRSS`) against a fresh emulator in this
 *    process with its fast timing (20 ms pending + 60 ms processing); the sides run official, ours, ours, official.
 * 2. Observers of one job (`watchJob`, a fixed 100 ms schedule, a job of 0.5 s + 2 s): the emulator's status
 *    requests for the job with one observer and with ten (a shared poller reads as often for both).
 *
 * Usage: pnpm --filter bench run queue-rx [--jobs 1000] [--concurrency 100]
 * (after `pnpm build`; the bundle row is in `bundle-size.ts`).
 */
import { fork } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createDecartClient, models } from "@decart/core";
import { type Emulator, startEmulator } from "@decart/emulator";
import { submitAll, watchJob } from "@decart/queue-rx";
import { createDecartClient as createOfficialClient, models as officialModels } from "@decartai/sdk";
import { lastValueFrom, tap } from "rxjs";
import { renderInputClip } from "./input-clip.js";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "100" },
    side: { type: "string" },
    url: { type: "string" },
    key: { type: "string" },
    input: { type: "string" },
  },
});
const N = Number(values.jobs);
const C = Number(values.concurrency);
const quiet = { warn: () => {}, debug: () => {} };

interface SideResult {
  completed: number;
  wallMs: number;
  maxRssMiB: number;
}

/** One side of the batch row, in a child process: `lucy-clip` jobs (a model both SDKs know) on a small clip. */
async function runSide(side: string, url: string, apiKey: string, input: string): Promise<SideResult> {
  const data = new Blob([readFileSync(input)], { type: "video/mp4" });
  const started = performance.now();
  let completed = 0;
  if (side === "ours") {
    const client = createDecartClient({ apiKey, baseUrl: url, logger: quiet });
    const inputs = Array.from({ length: N }, (_, i) => ({
      model: models.video("lucy-clip"),
      prompt: `batch ${i}`,
      data,
    }));
    const errors: Record<string, number> = {};
    const batch = submitAll(client, inputs, { concurrency: C }).pipe(
      tap((e) => {
        if (e.type === "error") errors[e.error.code] = (errors[e.error.code] ?? 0) + 1;
      }),
    );
    completed = (await lastValueFrom(batch)).summary.completed;
    if (Object.keys(errors).length) console.error("errors:", errors);
  } else {
    const client = createOfficialClient({ apiKey, baseUrl: url });
    let next = 0;
    const worker = async () => {
      while (next < N) {
        const i = next++;
        // The official SDK does not retry: a failed request ends its job (counted, not fatal to the batch).
        const result = await client.queue
          .submitAndPoll({ model: officialModels.video("lucy-clip"), prompt: `batch ${i}`, data })
          .catch(() => undefined);
        if (result?.status === "completed") completed++;
      }
    };
    await Promise.all(Array.from({ length: C }, worker));
  }
  return {
    completed,
    wallMs: performance.now() - started,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

function side(name: string, emu: Emulator, input: string): Promise<SideResult> {
  const args = ["--url", emu.url, "--key", emu.apiKey, "--input", input, "--jobs", `${N}`, "--concurrency", `${C}`];
  const child = fork(fileURLToPath(import.meta.url), ["--side", name, ...args], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", (result: SideResult) => resolve(result));
    child.once("exit", (code) => reject(new Error(`${name} exited with ${code}`)));
  });
}

async function batchRow() {
  const input = join(tmpdir(), `queue-rx-bench-${process.pid}.mp4`);
  writeFileSync(input, await renderInputClip());
  console.log(`\n${N} jobs, concurrency ${C}, emulator fast timing (20 ms + 60 ms), results downloaded:\n`);
  console.log("| client | completed | status requests | wall time | peak RSS |\n| --- | ---: | ---: | ---: | ---: |");
  const official = ["official", "@decartai/sdk 0.1.20, submitAndPoll × N"] as const;
  const ours = ["ours", "@decart/queue-rx submitAll"] as const;
  // In the order A B B A, each run on an emulator of its own: whichever side runs first (a cold emulator process) or
  // after the other (an emulator holding its jobs) is not favoured.
  for (const [run, [name, label]] of [official, ours, ours, official].entries()) {
    const emu = await startEmulator({ timing: "fast", logger: () => {} });
    const r = await side(name, emu, input);
    const reads = emu.stats().requests.byRoute.status ?? 0;
    await emu.close();
    console.log(
      `| ${label} (run ${run + 1}) | ${r.completed}/${N} | ${reads} | ${(r.wallMs / 1000).toFixed(1)} s | ${r.maxRssMiB.toFixed(0)} MiB |`,
    );
  }
  rmSync(input);
}

async function observersRow() {
  const emu = await startEmulator({ timing: { pendingMs: 500, processingMs: 2000 }, logger: () => {} });
  const client = createDecartClient({ apiKey: emu.apiKey, baseUrl: emu.url, logger: quiet });
  // The same job length watched by one observer, then by ten: a shared poller reads as often for ten as for one
  // (a poller per observer would read ten times as often), whatever the machine's timing does to the tick count.
  const reads = async (observers: number) => {
    const { job_id } = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "observed" });
    await Promise.all(
      Array.from({ length: observers }, () =>
        lastValueFrom(watchJob(client, job_id, { poll: { intervalMs: 100, initialDelayMs: 100 } })),
      ),
    );
    return emu.job(job_id)!.statusReads;
  };
  const one = await reads(1);
  const ten = await reads(10);
  console.log("\nObservers of one job (watchJob, every 100 ms, a job of 0.5 s + 2 s):\n");
  console.log("| observers | status requests |\n| ---: | ---: |");
  console.log(`| 1 | ${one} |\n| 10 | ${ten} |`);
  console.log(`\n10 observers read ${(ten / one).toFixed(2)}× as often as one (a poller each would be about 10×).`);
  await emu.close();
}

if (values.side) {
  const result = await runSide(values.side, values.url!, values.key!, values.input!);
  process.send?.(result);
  process.exit(0);
} else {
  await batchRow();
  await observersRow();
}
