/**
 * Memory of uploading a large input: a 200 MiB video (a real MP4 the emulator rendered, followed by an MP4 `free` box
 * of zeros) submitted as `data` of a `lucy-clip` job, through each client's path, each path in a fresh child process of
 * its own, against the emulator in another child process.
 *
 * Each client child prepares its input (a Blob input is read into memory first), then measures its own RSS growth
 * around the submit alone: the peak during the submit minus the RSS just before it (after a forced GC). The peak is the
 * kernel's `VmHWM` from /proc/self/status, reset before the submit through /proc/self/clear_refs, and also RSS sampled
 * every 20 ms. The parent checks that each job was created (the emulator's stats), then deletes the file.
 *
 * Usage: pnpm --filter bench run memory-upload [--mb 200] [--only node-disk,node-stream,...]
 */
import { fork } from "node:child_process";
import { createReadStream, openAsBlob, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

type Source = "disk" | "stream" | "web" | "blob";
interface Variant {
  client: "ours-node" | "ours-fetch" | "fetch" | "official";
  source: Source;
  label: string;
}

const SOURCES: Record<Source, string> = {
  disk: "a file from disk",
  stream: "a Node stream (`fs.createReadStream`)",
  web: "a web `ReadableStream` (`Readable.toWeb`)",
  blob: "a Blob in memory",
};

const VARIANTS: Record<string, Variant> = {};
for (const source of Object.keys(SOURCES) as Source[]) {
  VARIANTS[`node-${source}`] = {
    client: "ours-node",
    source,
    label: `@decart/core with \`upload: nodeUpload()\`, ${SOURCES[source]}${source === "disk" ? " (`fileFromPath`)" : ""}`,
  };
}
for (const source of Object.keys(SOURCES) as Source[]) {
  VARIANTS[`fetch-${source}`] = {
    client: "ours-fetch",
    source,
    label: `@decart/core with \`fetch\` (main entry), ${SOURCES[source]}${source === "disk" ? " (`fileFromPath`)" : ""}`,
  };
}
VARIANTS["plain-fetch"] = {
  client: "fetch",
  source: "disk",
  label: "plain `fetch`, a `FormData` with the file from disk (`fs.openAsBlob`)",
};
for (const source of ["disk", "web", "blob"] as Source[]) {
  VARIANTS[`official-${source}`] = {
    client: "official",
    source,
    label: `@decartai/sdk 0.1.20, ${SOURCES[source]}${source === "disk" ? " (`fs.openAsBlob`)" : ""}`,
  };
}

interface ChildReport {
  type: "done";
  jobId: string;
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

async function input(source: Source, path: string, official: boolean): Promise<unknown> {
  switch (source) {
    case "disk":
      if (official)
        return new File([await openAsBlob(path, { type: "video/mp4" })], "input.mp4", { type: "video/mp4" });
      return (await import("@decart/core/node")).fileFromPath(path);
    case "stream":
      return createReadStream(path);
    case "web":
      return Readable.toWeb(createReadStream(path));
    case "blob":
      return new Blob([readFileSync(path)], { type: "video/mp4" });
  }
}

async function runChild(name: string, url: string, apiKey: string, path: string) {
  const variant = VARIANTS[name]!;
  const prompt = `upload memory ${name}`;
  const data = await input(variant.source, path, variant.client === "official");
  let submit: () => Promise<string>;
  if (variant.client === "ours-node" || variant.client === "ours-fetch") {
    const { createDecartClient, models } = await import("@decart/core");
    const { nodeUpload } = await import("@decart/core/node");
    const client = createDecartClient({
      apiKey,
      baseUrl: url,
      logger: { warn: () => {} },
      ...(variant.client === "ours-node" && { upload: nodeUpload() }),
    });
    submit = async () =>
      (await client.queue.submit({ model: models.video("lucy-clip"), prompt, data: data as Blob })).job_id;
  } else if (variant.client === "fetch") {
    submit = async () => {
      const form = new FormData();
      form.append("prompt", prompt);
      form.append("data", data as Blob);
      const res = await fetch(`${url}/v1/jobs/lucy-clip`, {
        method: "POST",
        headers: { "x-api-key": apiKey },
        body: form,
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { job_id: string }).job_id;
    };
  } else {
    const { createDecartClient, models } = await import("@decartai/sdk");
    const client = createDecartClient({ apiKey, baseUrl: url });
    submit = async () =>
      (await client.queue.submit({ model: models.video("lucy-clip"), prompt, data: data as Blob })).job_id;
  }

  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await new Promise((r) => setTimeout(r, 200));
  gc?.();
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
  const jobId = await submit();
  const ms = performance.now() - t0;
  clearInterval(sampler);
  peakSampled = Math.max(peakSampled, process.memoryUsage.rss());
  const report: ChildReport = {
    type: "done",
    jobId,
    ms,
    rssBefore,
    peakSampled,
    peakHwm: hwmReset ? vmHwm() : undefined,
  };
  process.send!(report);
  process.disconnect();
}

// ------------------------------------------------------------------------------------------------ parent

/** Writes a real MP4 followed by a `free` box of zeros up to `bytes`, 1 MiB at a time. */
async function writeInput(path: string, mp4: Uint8Array, bytes: number) {
  const file = await open(path, "w");
  try {
    await file.write(mp4);
    const header = Buffer.alloc(8);
    header.writeUInt32BE(bytes - mp4.byteLength, 0);
    header.write("free", 4, "latin1");
    await file.write(header);
    const zeros = Buffer.alloc(MiB);
    for (let left = bytes - mp4.byteLength - 8; left > 0; left -= zeros.length) {
      await file.write(left >= zeros.length ? zeros : zeros.subarray(0, left));
    }
  } finally {
    await file.close();
  }
}

async function runParent() {
  const { values } = parseArgs({ options: { mb: { type: "string", default: "200" }, only: { type: "string" } } });
  const bytes = Number(values.mb) * MiB;
  const names = values.only ? values.only.split(",") : Object.keys(VARIANTS);
  for (const n of names) if (!VARIANTS[n]) throw new Error(`unknown variant ${n}`);

  const dir = await mkdtemp(join(tmpdir(), "decart-bench-upload-"));
  const path = join(dir, "input.mp4");
  {
    // A real MP4 at the start of the input, so that the emulator's media sniffing accepts it as a video.
    const { renderInputClip } = await import("./input-clip.js");
    await writeInput(path, await renderInputClip(), bytes);
  }
  const { startEmulatorProcess } = await import("./emulator-process.js");
  const emu = await startEmulatorProcess({});
  const rows: string[] = [];
  try {
    for (const name of names) {
      const child = fork(fileURLToPath(import.meta.url), ["--child", name, emu.url, emu.apiKey, path], {
        execArgv: ["--import", "tsx", "--expose-gc"],
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      const report = await new Promise<ChildReport | undefined>((resolve) => {
        child.once("message", (msg: ChildReport) => resolve(msg));
        child.once("exit", () => resolve(undefined));
      });
      await new Promise((resolve) => (child.exitCode === null ? child.once("exit", resolve) : resolve(undefined)));
      const mib = (n: number) => (n / MiB).toFixed(1);
      let row: string;
      if (!report) {
        row = `| ${VARIANTS[name]!.label} | failed (see above) | | | | |`;
        process.exitCode = 1;
      } else {
        const created = (await emu.job(report.jobId)) !== undefined;
        const hwm = report.peakHwm === undefined ? "n/a" : `${mib(report.peakHwm - report.rssBefore)} MiB`;
        row = `| ${VARIANTS[name]!.label} | ${created ? "yes" : "NO"} | ${(report.ms / 1000).toFixed(2)} s | ${mib(report.rssBefore)} MiB | ${hwm} | ${mib(report.peakSampled - report.rssBefore)} MiB |`;
        if (!created) process.exitCode = 1;
      }
      console.error(row);
      rows.push(row);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    await emu.stop();
  }
  console.log(`\nSubmitting a ${values.mb} MiB input (lucy-clip \`data\`), each path in its own process\n`);
  console.log(
    "| path | job created | time (submit) | RSS before | RSS growth (VmHWM) | RSS growth (sampled every 20 ms) |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const row of rows) console.log(row);
}

if (process.argv[2] === "--child") {
  const [name, url, apiKey, path] = process.argv.slice(3) as [string, string, string, string];
  await runChild(name, url, apiKey, path);
} else {
  await runParent();
}
