/**
 * Status reads per second and p99 latency: the emulator's `GET /v1/jobs/{id}` for a completed job, side by side
 * with a bare node:http server answering a fixed JSON body (the emulator's own status answer, same headers, so
 * that both put the same bytes on the wire and the load generator's share of the 2 cores is the same). Each server runs in its own child process; autocannon
 * runs here. Usage: `pnpm --filter bench exec tsx emulator-status.ts [--connections 100] [--duration 10] [--rounds 2]`.
 */
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { startServerChild } from "./emulator-child.js";

const { values } = parseArgs({
  options: {
    connections: { type: "string", default: "100" },
    duration: { type: "string", default: "10" },
    rounds: { type: "string", default: "2" },
  },
});
const connections = Number(values.connections);
const duration = Number(values.duration);
const rounds = Number(values.rounds);

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function measure(name: string, url: string, headers: Record<string, string>): Promise<Row> {
  // a short warm-up so both servers are measured hot
  await autocannon({ url, connections, duration: 2, headers });
  const r = await autocannon({ url, connections, duration, headers });
  return {
    name,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

const rows: Row[] = [];
/** The emulator's status answer (body and headers), which the bare server replays byte for byte. */
let answer: string | undefined;
// Alternate the two servers over a few rounds, so that load from other processes on a shared machine
// hits both alike; the table shows every run and the summary takes the best run of each.
for (let round = 1; round <= rounds; round++) {
  const emu = await startServerChild("emulator");
  try {
    const { url, apiKey, adminToken, jobId } = emu.ready;
    const sample = await fetch(`${url}/v1/jobs/${jobId}`, { headers: { "x-api-key": apiKey! } });
    const keep = ["access-control-allow-origin", "access-control-expose-headers", "x-request-id"];
    answer = JSON.stringify({
      body: await sample.text(),
      headers: Object.fromEntries(keep.map((h) => [h, sample.headers.get(h) ?? ""])),
    });
    rows.push(
      await measure(`emulator GET /v1/jobs/{id} (round ${round})`, `${url}/v1/jobs/${jobId}`, { "x-api-key": apiKey! }),
    );
    const admin = { authorization: `Bearer ${adminToken}` };
    const stats = (await (await fetch(`${url}/_emulator/stats`, { headers: admin })).json()) as {
      requests: { byRoute: { status: number } };
    };
    if (stats.requests.byRoute.status === 0) throw new Error("the emulator counted no status reads");
  } finally {
    await emu.stop();
  }
  const bare = await startServerChild("bare", answer);
  try {
    rows.push(await measure(`bare node:http fixed JSON (round ${round})`, `${bare.ready.url}/`, {}));
  } finally {
    await bare.stop();
  }
}

console.log(
  `\nautocannon: ${connections} connections, ${duration} s per run (after a 2 s warm-up), loopback, each server in its own child process\n`,
);
console.log("| server | req/s | p50 ms | p99 ms | non-2xx | errors |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const r of rows) {
  console.log(`| ${r.name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} |`);
}
const best = (prefix: string) => Math.max(...rows.filter((r) => r.name.startsWith(prefix)).map((r) => r.rps));
const emuBest = best("emulator");
const bareBest = best("bare");
console.log(
  `\nbest runs: emulator ${Math.round(emuBest)} req/s, bare ${Math.round(bareBest)} req/s (emulator at ${((emuBest / bareBest) * 100).toFixed(0)} % of bare)`,
);
if (rows.some((r) => r.non2xx > 0 || r.errors > 0)) process.exitCode = 1;
