/**
 * A 200 MB video upload to the emulator (`POST /v1/jobs/lucy-clip`), streamed from a generator through
 * http.request, with the server's RSS growth measured in its own child process (peak RSS sampled every 20 ms
 * during the upload, minus the RSS just before it). The uploaded file is a real MP4 (a result the emulator
 * rendered) followed by an MP4 `free` box of zeros up to the size, so the server's byte sniffing accepts it.
 * The same upload to a bare node:http server that drops the body shows the floor: Node's own socket buffers, which
 * the garbage collector frees in batches. Usage: `pnpm --filter bench exec tsx emulator-upload.ts [--mb 200]`.
 */
import { request } from "node:http";
import { parseArgs } from "node:util";
import type { ServerChild } from "./emulator-child.js";
import { startServerChild } from "./emulator-child.js";

const { values } = parseArgs({ options: { mb: { type: "string", default: "200" } } });
const totalFileBytes = Number(values.mb) * 1024 * 1024;
const BOUNDARY = "benchBoundary7MA4YWxkTrZu0gW";

/** The multipart body as chunks: never more than one 64 KB chunk of padding in memory. */
function* body(mp4: Buffer, fileBytes: number): Generator<Buffer> {
  yield Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nbenchmark upload\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="data"; filename="big.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
  );
  yield mp4;
  const padding = fileBytes - mp4.length;
  const header = Buffer.alloc(8);
  header.writeUInt32BE(padding, 0);
  header.write("free", 4, "latin1");
  yield header;
  const zeros = Buffer.alloc(64 * 1024);
  let left = padding - 8;
  while (left > 0) {
    const n = Math.min(left, zeros.length);
    yield n === zeros.length ? zeros : zeros.subarray(0, n);
    left -= n;
  }
  yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
}

function upload(
  url: string,
  path: string,
  apiKey: string,
  mp4: Buffer,
  fileBytes: number,
): Promise<{ status: number; body: string; ms: number }> {
  const u = new URL(url);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method: "POST",
        path,
        headers: { "x-api-key": apiKey, "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
      },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => {
          text += c.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, ms: performance.now() - t0 }));
      },
    );
    req.on("error", reject);
    const chunks = body(mp4, fileBytes);
    const pump = () => {
      for (;;) {
        const next = chunks.next();
        if (next.done) return void req.end();
        if (!req.write(next.value)) return void req.once("drain", pump);
      }
    };
    pump();
  });
}

const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
const LIMIT = 50 * 1024 * 1024;

interface Run {
  name: string;
  status: number;
  body: string;
  ms: number;
  before: number;
  peak: number;
}

/** Uploads a 1 MiB warm-up and then the big file to one server child, measuring its RSS around the big one. */
async function run(name: string, server: ServerChild, path: string, apiKey: string, mp4: Buffer): Promise<Run> {
  const warm = await upload(server.ready.url, path, apiKey, mp4, 1024 * 1024);
  if (warm.status !== 200) throw new Error(`warm-up upload failed: ${warm.status} ${warm.body}`);
  await server.ask({ type: "reset-peak" });
  const before = await server.ask<{ rss: number }>({ type: "mem" });
  const result = await upload(server.ready.url, path, apiKey, mp4, totalFileBytes);
  const after = await server.ask<{ peak: number }>({ type: "mem" });
  return { name, ...result, before: before.rss, peak: after.peak };
}

const runs: Run[] = [];
let mp4 = Buffer.alloc(0);
const emulator = await startServerChild("emulator");
try {
  const { url, apiKey, jobId } = emulator.ready;
  // a real MP4 to upload: a result the emulator rendered
  mp4 = Buffer.from(
    await (await fetch(`${url}/v1/jobs/${jobId}/content`, { headers: { "x-api-key": apiKey! } })).arrayBuffer(),
  );
  runs.push(await run("emulator POST /v1/jobs/lucy-clip", emulator, "/v1/jobs/lucy-clip", apiKey!, mp4));
} finally {
  await emulator.stop();
}
const drain = await startServerChild("drain");
try {
  runs.push(await run("bare node:http, body read and dropped", drain, "/", "", mp4));
} finally {
  await drain.stop();
}

console.log(
  `\n${mb(totalFileBytes)} MiB upload (multipart, streamed from a generator through http.request), server in a child process\n`,
);
console.log("| server | answer | time s | RSS before MiB | RSS peak MiB | growth MiB |");
console.log("|---|---|---:|---:|---:|---:|");
for (const r of runs) {
  console.log(
    `| ${r.name} | ${r.status} ${r.body.slice(0, 60)} | ${(r.ms / 1000).toFixed(2)} | ${mb(r.before)} | ${mb(r.peak)} | ${mb(r.peak - r.before)} |`,
  );
}
const emu = runs[0]!;
const growth = emu.peak - emu.before;
console.log(`\nemulator RSS growth ${mb(growth)} MiB: ${growth < LIMIT ? "OK (< 50 MiB)" : "OVER 50 MiB"}`);
if (emu.status !== 200 || growth >= LIMIT) process.exitCode = 1;
