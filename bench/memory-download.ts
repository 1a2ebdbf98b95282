/**
 * Memory of saving a large result to a file: a 500 MiB video (the emulator's `resultBytes`, a real MP4 followed by an
 * MP4 `free` box of zeros) downloaded through each client's path, each path in a fresh child process of its own,
 * against the emulator in another child process (fast clock, lucy-pro-t2v: no upload).
 *
 * Each client child runs the whole flow (submit, wait, download, write the file) and measures its own RSS growth: the
 * peak during the flow minus the RSS just before it (after a forced GC). The peak is the kernel's `VmHWM` from
 * /proc/self/status, reset before the flow through /proc/self/clear_refs, and also RSS sampled every 20 ms. The parent
 * checks the file's size and SHA-256 against the emulator's record, then deletes it.
 *
 * Usage: pnpm --filter bench run memory-download [--mb 500] [--only ours-save,ours-wait-save,ours-blob,official-arraybuffer,official-stream]
 */
import { fork } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

interface Variant {
  client: "ours" | "official";
  label: string;
}

const VARIANTS: Record<string, Variant> = {
  "ours-save": {
    client: "ours",
    label: "@decart/core: submit → status until completed → `saveResult` (stream to file)",
  },
  "ours-wait-save": {
    client: "ours",
    label: "@decart/core, as its README shows: submit → `queue.wait({ download: false })` → `saveResult`",
  },
  "ours-blob": { client: "ours", label: "@decart/core: `submitAndPoll` → Blob → `writeFile(arrayBuffer)`" },
  "official-arraybuffer": {
    client: "official",
    label: "@decartai/sdk: `submitAndPoll` → Blob → `writeFile(arrayBuffer)`",
  },
  "official-stream": {
    client: "official",
    label: "@decartai/sdk: `submitAndPoll` → Blob → `blob.stream()` piped to the file",
  },
};

interface ChildReport {
  type: "done";
  jobId: string;
  bytes: number;
  ms: number;
  rssBefore: number;
  peakSampled: number;
  peakHwm: number | undefined;
}

const MiB = 1024 * 1024;

// ------------------------------------------------------------------------------------------------ client child

function vmHwm(): number | undefined {
  const line = readFileSync("/proc/self/status", "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmHWM:"));
  return line ? Number(line.replace(/\D+/g, "")) * 1024 : undefined;
}

async function runChild(variant: string, url: string, apiKey: string, path: string, inputClip: string) {
  const quiet = { warn: () => {}, debug: () => {} };
  const prompt = `memory ${variant}`;
  let flow: () => Promise<{ jobId: string; bytes: number }>;
  if (VARIANTS[variant]!.client === "ours") {
    const { createDecartClient, models } = await import("@decart/core");
    const { saveResult } = await import("@decart/core/node");
    const client = createDecartClient({ apiKey, baseUrl: url, logger: quiet });
    const poll = { initialDelayMs: 50, intervalMs: 50 };
    flow =
      variant === "ours-wait-save"
        ? async () => {
            // The flow of the core README's Node section: wait for the end without downloading, then stream to disk.
            const job = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt });
            await client.queue.wait(job.job_id, { model: "lucy-pro-t2v", poll, download: false });
            const saved = await saveResult(client, job.job_id, path);
            return { jobId: job.job_id, bytes: saved.bytes };
          }
        : variant === "ours-save"
          ? async () => {
              const job = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt });
              for (;;) {
                const { status } = await client.queue.status(job.job_id);
                if (status === "completed") break;
                if (status === "failed") throw new Error("job failed");
                await new Promise((r) => setTimeout(r, 50));
              }
              const saved = await saveResult(client, job.job_id, path);
              return { jobId: job.job_id, bytes: saved.bytes };
            }
          : async () => {
              const result = await client.queue.submitAndPoll({
                model: models.video("lucy-pro-t2v"),
                prompt,
                poll,
              });
              if (result.status !== "completed") throw new Error("job failed");
              await writeFile(path, Buffer.from(await result.data.arrayBuffer()));
              return { jobId: result.job_id, bytes: result.data.size };
            };
  } else {
    const { createDecartClient, models } = await import("@decartai/sdk");
    const client = createDecartClient({ apiKey, baseUrl: url });
    // The official SDK has no lucy-pro-t2v (no text-only video model): lucy-clip, with a small input clip that the
    // parent rendered on an emulator without padding.
    const clip = readFileSync(inputClip);
    const data = new Blob([clip], { type: "video/mp4" });
    flow = async () => {
      const result = (await client.queue.submitAndPoll({ model: models.video("lucy-clip"), prompt, data })) as {
        status: string;
        job_id: string;
        data: Blob;
      };
      if (result.status !== "completed") throw new Error("job failed");
      if (variant === "official-arraybuffer") await writeFile(path, Buffer.from(await result.data.arrayBuffer()));
      else await pipeline(Readable.fromWeb(result.data.stream() as never), createWriteStream(path));
      return { jobId: result.job_id, bytes: result.data.size };
    };
  }

  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 200));
  (globalThis as { gc?: () => void }).gc?.();
  let hwmReset = true;
  try {
    writeFileSync("/proc/self/clear_refs", "5"); // resets VmHWM to the current RSS
  } catch {
    hwmReset = false;
  }
  const rssBefore = process.memoryUsage.rss();
  let peakSampled = rssBefore;
  const sampler = setInterval(() => {
    peakSampled = Math.max(peakSampled, process.memoryUsage.rss());
  }, 20);
  const t0 = performance.now();
  const { jobId, bytes } = await flow();
  const ms = performance.now() - t0;
  clearInterval(sampler);
  peakSampled = Math.max(peakSampled, process.memoryUsage.rss());
  const report: ChildReport = {
    type: "done",
    jobId,
    bytes,
    ms,
    rssBefore,
    peakSampled,
    peakHwm: hwmReset ? vmHwm() : undefined,
  };
  process.send!(report);
  process.disconnect();
}

// ------------------------------------------------------------------------------------------------ parent

async function runParent() {
  const { values } = parseArgs({
    options: { mb: { type: "string", default: "500" }, only: { type: "string" } },
  });
  const resultBytes = Number(values.mb) * MiB;
  const names = values.only ? values.only.split(",") : Object.keys(VARIANTS);
  for (const n of names) if (!VARIANTS[n]) throw new Error(`unknown variant ${n}`);

  const dir = await mkdtemp(join(tmpdir(), "decart-bench-"));
  // A small input clip for lucy-clip (the official SDK's path), rendered by an emulator without padding.
  const inputClip = join(dir, "input.mp4");
  {
    const { renderInputClip } = await import("./input-clip.js");
    await writeFile(inputClip, await renderInputClip());
  }
  const { startEmulatorProcess } = await import("./emulator-process.js");
  const emu = await startEmulatorProcess({ resultBytes });
  const rows: string[] = [];
  try {
    for (const name of names) {
      const path = join(dir, `${name}.mp4`);
      const child = fork(fileURLToPath(import.meta.url), ["--child", name, emu.url, emu.apiKey, path, inputClip], {
        execArgv: ["--import", "tsx", "--expose-gc"],
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      const report = await new Promise<ChildReport>((resolve, reject) => {
        child.once("message", (msg: ChildReport) => resolve(msg));
        child.once("exit", (code) => reject(new Error(`${name}: child exited with ${code}`)));
      });
      await new Promise((resolve) => child.once("exit", resolve));

      const record = await emu.job(report.jobId);
      const size = (await stat(path)).size;
      const hash = createHash("sha256");
      await pipeline(createReadStream(path), hash);
      const same = size === record?.resultBytes && hash.digest("hex") === record?.resultSha256;
      await rm(path, { force: true });

      const mib = (n: number) => (n / MiB).toFixed(1);
      const growthHwm = report.peakHwm === undefined ? "n/a" : `${mib(report.peakHwm - report.rssBefore)} MiB`;
      const row = `| ${VARIANTS[name]!.label} | ${mib(size)} MiB${same ? "" : " (MISMATCH)"} | ${record?.contentReads} | ${(report.ms / 1000).toFixed(2)} s | ${mib(report.rssBefore)} MiB | ${growthHwm} | ${mib(report.peakSampled - report.rssBefore)} MiB |`;
      console.error(row);
      rows.push(row);
      if (!same) process.exitCode = 1;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    await emu.stop();
  }
  console.log(`\nSaving a ${values.mb} MiB result to a file, each path in its own process\n`);
  console.log(
    "| path | file (SHA-256 checked) | downloads (content reads) | time (submit → file written) | RSS before | RSS growth (VmHWM) | RSS growth (sampled every 20 ms) |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const row of rows) console.log(row);
}

if (process.argv[2] === "--child") {
  const [variant, url, apiKey, path, inputClip] = process.argv.slice(3) as [string, string, string, string, string];
  await runChild(variant, url, apiKey, path, inputClip);
} else {
  await runParent();
}
