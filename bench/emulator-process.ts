/**
 * The emulator in a child process, for the client benchmarks (`completion-lag.ts`, `memory-download.ts`).
 *
 * `startEmulatorProcess(config)` forks this file through tsx. The child starts `@decart/emulator` with one model on a
 * realistic clock (pending 0.25·T, processing T, each drawn within ±spread; T in ms; or durations drawn log-uniformly
 * in a range) and every other model on the fast
 * clock (20 ms + 60 ms), optional padded results, and a seeded, re-seedable random source: re-seeding before each
 * batch gives every batch the same job durations. It sends `{type: "ready", url, apiKey, adminToken}` over IPC, answers
 * `{type: "reseed", seed}`, and exits on `{type: "exit"}`. Stats and job records are read over HTTP (`GET /_emulator/stats`, `GET /_emulator/jobs/{id}`, with the admin token).
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { EmulatorStats, JobRecord } from "@decart/emulator";
import { seeded } from "./stats.js";

export interface EmulatorProcessConfig {
  /** The model (or models) on the realistic clock. */
  model?: string | string[];
  /** Its typical job duration T, in ms. */
  typicalMs?: number;
  spread?: number;
  /**
   * Instead of T and spread: each job of the model lasts a duration drawn log-uniformly in [min, max] ms (from the
   * seeded source), a fifth of it pending and the rest processing.
   */
  durationRange?: [number, number];
  resultBytes?: number;
  seed?: number;
}

export interface EmulatorProcess {
  url: string;
  apiKey: string;
  stats(): Promise<EmulatorStats>;
  /** One job's record (`GET /_emulator/jobs/{id}`). */
  job(id: string): Promise<JobRecord | undefined>;
  reseed(seed: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startEmulatorProcess(config: EmulatorProcessConfig): Promise<EmulatorProcess> {
  const child = fork(fileURLToPath(import.meta.url), ["--child", JSON.stringify(config)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const { adminToken, ...ready } = await new Promise<{ url: string; apiKey: string; adminToken: string }>(
    (resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`emulator child exited with ${code}`)));
      child.once("message", (msg: { type: string; url: string; apiKey: string; adminToken: string }) => resolve(msg));
    },
  );
  child.removeAllListeners("exit");
  const ask = (msg: { type: string; [k: string]: unknown }) =>
    new Promise<void>((resolve) => {
      child.once("message", () => resolve());
      child.send(msg);
    });
  return {
    ...ready,
    async stats() {
      const res = await fetch(`${ready.url}/_emulator/stats`, { headers: { authorization: `Bearer ${adminToken}` } });
      return (await res.json()) as EmulatorStats;
    },
    async job(id) {
      const res = await fetch(`${ready.url}/_emulator/jobs/${id}`, {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      return res.status === 200 ? ((await res.json()) as JobRecord) : undefined;
    },
    reseed: (seed) => ask({ type: "reseed", seed }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.send({ type: "exit" });
      }),
  };
}

if (process.argv[2] === "--child" && process.send) {
  const { startEmulator } = await import("@decart/emulator");
  const config = JSON.parse(process.argv[3] ?? "{}") as EmulatorProcessConfig;
  const random = seeded(config.seed ?? 1);
  const T = config.typicalMs ?? 20_000;
  const range = config.durationRange;
  const timed = (m: string) => [config.model].flat().includes(m);
  // The emulator asks for a job's pending time, then its processing time: the draw is made on the first ask.
  let drawn = 0;
  const draw = ([min, max]: [number, number]) => min * (max / min) ** random();
  // The spread is drawn here too, as the emulator's `timing.spread` draws it (pending, then processing), rather than by
  // the emulator from `random`: the emulator takes its first draw at start-up and keeps it for its first use, so the
  // first batch after a re-seed would begin with a draw of the start-up seed and both clients' first batches would
  // differ.
  const spread = Math.min(1, Math.max(0, config.spread ?? 0));
  const within = (ms: number) => ms * (1 - spread + 2 * spread * random());
  const emu = await startEmulator({
    timing: range
      ? {
          pendingMs: (m) => {
            if (!timed(m)) return 20;
            drawn = draw(range);
            return 0.2 * drawn;
          },
          processingMs: (m) => (timed(m) ? 0.8 * drawn : 60),
        }
      : {
          pendingMs: (m) => (timed(m) ? within(0.25 * T) : 20),
          processingMs: (m) => (timed(m) ? within(T) : 60),
        },
    ...(config.resultBytes ? { resultBytes: config.resultBytes } : {}),
  });
  process.on("message", async (msg: { type: string; seed?: number }) => {
    if (msg.type === "reseed") {
      random.reseed(msg.seed ?? 1);
      process.send?.({ type: "reseed" });
    } else if (msg.type === "exit") {
      await emu.close();
      process.exit(0);
    }
  });
  // The parent went away (ended or killed): stop too.
  process.on("disconnect", () => process.exit(0));
  process.send({ type: "ready", url: emu.url, apiKey: emu.apiKey, adminToken: emu.adminToken });
}
