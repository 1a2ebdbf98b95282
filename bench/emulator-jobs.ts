/**
 * The emulator's memory after many jobs: 100,000 submits (fast timing, so each job is finished 80 ms later) against
 * the emulator in a child process with its default cap (`maxJobs` 10,000), then its RSS, its counters and how long
 * `GET /_emulator/stats` takes. Before the cap, every job was kept for two retention periods (about 48 h).
 * The child starts with one completed warm-up job of its own (emulator-server.ts), made before its counters are
 * reset: "jobs created" counts the bench's submits only, "jobs kept" and "jobs evicted" that job too (kept + evicted
 * = submitted + 1), which the bench checks and says.
 *   pnpm --filter bench run emulator-jobs [--jobs 100000] [--concurrency 64]
 */
import { Agent, request } from "node:http";
import { parseArgs } from "node:util";
import { startServerChild } from "./emulator-child.js";

const { values } = parseArgs({
  options: { jobs: { type: "string", default: "100000" }, concurrency: { type: "string", default: "64" } },
});
const total = Number(values.jobs);
const concurrency = Number(values.concurrency);
const MiB = 1024 * 1024;

const emu = await startServerChild("emulator");
const { url, apiKey, adminToken } = emu.ready;
const u = new URL(url);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const boundary = "benchjobs";
const body = Buffer.from(
  `--${boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\na job among many\r\n--${boundary}--\r\n`,
);

function submit(): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: u.hostname,
        port: u.port,
        method: "POST",
        path: "/v1/jobs/lucy-pro-t2v",
        headers: {
          "x-api-key": apiKey!,
          "content-type": `multipart/form-data; boundary=${boundary}`,
          "content-length": body.length,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const mem = () => emu.ask<{ rss: number; peak: number }>({ type: "mem" });
const before = await mem();
const statuses = new Map<number, number>();
let next = 0;
const t0 = Date.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < total) {
      next++;
      const status = await submit();
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  }),
);
const seconds = (Date.now() - t0) / 1000;
const after = await mem();
const s0 = performance.now();
const statsRes = await fetch(`${url}/_emulator/stats`, { headers: { authorization: `Bearer ${adminToken}` } });
const statsText = await statsRes.text();
const statsMs = performance.now() - s0;
const stats = JSON.parse(statsText) as { jobsCreated: number; jobsKept: number; jobsEvicted: number };
agent.destroy();
await emu.stop();

console.log(
  `\n${total} submits at concurrency ${concurrency} in ${seconds.toFixed(1)} s (${Math.round(total / seconds)}/s); answers: ${JSON.stringify(Object.fromEntries(statuses))}\n`,
);
// The counts must add up: every submit created a job, and every job (the warm-up one too) is kept or evicted.
const WARM_UP_JOBS = 1;
if (stats.jobsCreated !== total || stats.jobsKept + stats.jobsEvicted !== total + WARM_UP_JOBS) {
  throw new Error(
    `the counts do not add up: ${total} submitted, ${stats.jobsCreated} created, ${stats.jobsKept} kept + ` +
      `${stats.jobsEvicted} evicted (expected ${total} + ${WARM_UP_JOBS} warm-up job)`,
  );
}
console.log(
  `jobs kept and evicted include the emulator child's ${WARM_UP_JOBS} warm-up job, made before the submits\n`,
);
console.log("| jobs submitted | jobs kept | jobs evicted | RSS before | RSS after | peak RSS | GET /_emulator/stats |");
console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
console.log(
  `| ${stats.jobsCreated} | ${stats.jobsKept} | ${stats.jobsEvicted} | ${(before.rss / MiB).toFixed(1)} MiB | ${(after.rss / MiB).toFixed(1)} MiB | ${(after.peak / MiB).toFixed(1)} MiB | ${statsText.length} B, ${statsMs.toFixed(1)} ms |`,
);
