/**
 * A 1,000-line `decart batch` at concurrency 100 on the emulator's fast timing (20 ms pending + 60 ms processing),
 * beside the official `@decartai/sdk` doing the same work (1,000 `queue.submitAndPoll` calls, 100 at a time, each result
 * written to a file). The emulator is `decart emulator --fast --port 0 --json` in a child process; its counters are read
 * over `GET /_emulator/stats` with the admin token it prints. Each side is a plain `node` process (the CLI's bin;
 * `cli-batch-official.mjs`), timed from spawn to exit, its peak RSS from `/usr/bin/time -f %M` (else the kernel's
 * `VmHWM`, sampled every 50 ms).
 *
 * Rows: `cli` (lucy-clip lines, each uploading the same small input clip), `official` (the same jobs through the official
 * SDK), `cli-text` (lucy-pro-t2v lines: a prompt only, no upload; the official SDK has no text-only video model).
 *   pnpm --filter @decart/cli... build && pnpm --filter bench run cli-batch [--jobs 1000] [--concurrency 100]
 *     [--only cli,official,cli-text]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { EmulatorStats } from "@decart/emulator";
import { CLI_BIN } from "./cli-bin.js";
import { renderInputClip } from "./input-clip.js";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "100" },
    only: { type: "string", default: "cli,official,cli-text" },
  },
});
const N = Number(values.jobs);
const C = Number(values.concurrency);
const rows = values.only.split(",");
const TIME = "/usr/bin/time";
const OFFICIAL = fileURLToPath(new URL("./cli-batch-official.mjs", import.meta.url));

/** `decart emulator --fast` in a child process, and its URL, dev key and admin token (its `listening` event). */
async function startCliEmulator() {
  const child = spawn(process.execPath, [CLI_BIN, "emulator", "--port", "0", "--fast", "--json", "--quiet"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [first] = (await once(createInterface({ input: child.stdout! }), "line")) as [string];
  const { url, api_key: apiKey, admin_token: adminToken } = JSON.parse(first);
  const stats = async (): Promise<EmulatorStats> =>
    (await fetch(`${url}/_emulator/stats`, { headers: { authorization: `Bearer ${adminToken}` } })).json() as never;
  const stop = async () => {
    child.kill("SIGTERM");
    await once(child, "close");
  };
  return { url: url as string, apiKey: apiKey as string, stats, stop };
}

interface Measured {
  code: number | null;
  wallMs: number;
  peakRssMiB: number;
}

/** Runs `node args…` to its end, stdout and stderr into files: wall time and peak RSS. */
function measure(args: string[], env: NodeJS.ProcessEnv, stdout: string, stderr: string): Promise<Measured> {
  const withTime = existsSync(TIME);
  const rssFile = `${stdout}.rss`;
  const command = withTime ? TIME : process.execPath;
  const argv = withTime ? ["-f", "%M", "-o", rssFile, process.execPath, ...args] : args;
  const started = performance.now();
  const child: ChildProcess = spawn(command, argv, {
    env: { ...process.env, ...env },
    stdio: ["ignore", openSync(stdout, "w"), openSync(stderr, "w")],
  });
  let hwmKiB = 0;
  const sample = withTime
    ? undefined
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
          if (m) hwmKiB = Math.max(hwmKiB, Number(m[1]));
        } catch {}
      }, 50);
  return new Promise((resolve) =>
    child.once("close", (code) => {
      const wallMs = performance.now() - started;
      clearInterval(sample);
      if (withTime) hwmKiB = Number(readFileSync(rssFile, "utf8").trim().split("\n").at(-1));
      resolve({ code, wallMs, peakRssMiB: hwmKiB / 1024 });
    }),
  );
}

const dir = mkdtempSync(join(tmpdir(), "cli-batch-bench-"));
const emu = await startCliEmulator();
writeFileSync(join(dir, "input.mp4"), await renderInputClip());
const lines = (model: string, file: boolean) =>
  Array.from({ length: N }, (_, i) =>
    JSON.stringify({ custom_id: `job-${i}`, model, prompt: `batch ${i}`, ...(file && { data: "input.mp4" }) }),
  ).join("\n");
writeFileSync(join(dir, "clip.jsonl"), `${lines("lucy-clip", true)}\n`);
writeFileSync(join(dir, "text.jsonl"), `${lines("lucy-pro-t2v", false)}\n`);

console.log(
  `\n${N} jobs, concurrency ${C}, \`decart emulator --fast\` (20 ms + 60 ms), every result written to a file; ` +
    `Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)} at the start, ${new Date().toISOString().slice(0, 16)} UTC\n`,
);
console.log(
  "| run | completed | submits | status requests | content requests | wall time | peak RSS |\n" +
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
);
const labels: Record<string, string> = {
  cli: "`decart batch` (lucy-clip, a small clip uploaded per line)",
  official: "@decartai/sdk 0.1.20, submitAndPoll × N (lucy-clip, same clip), results written",
  "cli-text": "`decart batch` (lucy-pro-t2v, prompt only)",
};
for (const row of rows) {
  const out = join(dir, `out-${row}`);
  mkdirSync(out);
  const before = await emu.stats();
  const env = { DECART_API_KEY: emu.apiKey, DECART_BASE_URL: emu.url, DECART_JOURNAL: join(dir, `${row}.journal`) };
  const args =
    row === "official"
      ? [OFFICIAL, emu.url, emu.apiKey, join(dir, "input.mp4"), out, `${N}`, `${C}`]
      : [
          CLI_BIN,
          "batch",
          join(dir, row === "cli" ? "clip.jsonl" : "text.jsonl"),
          "-c",
          `${C}`,
          "--out",
          out,
          "--json",
        ];
  const stdout = join(dir, `${row}.stdout`);
  const stderr = join(dir, `${row}.stderr`);
  const m = await measure(args, env, stdout, stderr);
  const after = await emu.stats();
  const last = readFileSync(stdout, "utf8").trim().split("\n").at(-1) ?? "{}";
  const completed = (JSON.parse(last) as { completed?: number }).completed ?? 0;
  if (m.code !== 0)
    console.error(`${row}: exit ${m.code}\n${readFileSync(stderr, "utf8").split("\n").slice(-5).join("\n")}`);
  const delta = (route: string) => (after.requests.byRoute[route] ?? 0) - (before.requests.byRoute[route] ?? 0);
  console.log(
    `| ${labels[row] ?? row} | ${completed}/${N} | ${delta("submit")} | ${delta("status")} | ${delta("content")} | ` +
      `${(m.wallMs / 1000).toFixed(1)} s | ${m.peakRssMiB.toFixed(0)} MiB |`,
  );
}
await emu.stop();
rmSync(dir, { recursive: true, force: true });
