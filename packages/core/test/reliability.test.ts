import { createHash } from "node:crypto";
import { type FaultRule, seededRandom } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { models, type QueueJobResult } from "../src/index.js";
import { sleep } from "../src/poll.js";
import { clientFor, fastPoll, lastingHandles, startFast } from "./helpers.js";

const JOBS = 200;

/**
 * Sampled in order, first that fires wins. The seeds fix the sequence of draws, not which request takes which draw:
 * concurrent requests take them in the order they arrive, which varies from run to run. So the tests assert only what
 * holds whichever requests are hit (every call completes, one job each, the bytes), and that a kind was injected only
 * where its count makes that certain. A submit is retried only when the server certainly did not take it (a 429
 * or a 503, as here); the 503s carry `Retry-After: 0` (the backoff floor applies) and the 429s `Retry-After: 1`.
 */
const faults: FaultRule[] = [
  { route: "*", kind: "503", rate: 0.1, retryAfterSeconds: 0 },
  { route: "*", kind: "429", rate: 0.05, retryAfterSeconds: 1 },
  { route: "status", kind: "reset", rate: 0.05 },
  { route: "content", kind: "reset", rate: 0.05 },
  { route: "content", kind: "truncate", rate: 0.02 },
];

describe("reliability under injected faults", () => {
  it(`${JOBS} concurrent submitAndPoll calls all complete with byte-identical results, one job each`, {
    timeout: 240_000,
  }, async () => {
    const before = await lastingHandles();
    const emu = await startFast({ faults, random: seededRandom(0x5eed) });
    let results: QueueJobResult[];
    try {
      // About 14.5 % of submits are refused (503, 429) and about 19 % of content reads fail (503, 429, reset). With a
      // fixed number of retries some calls would give up (with 2: ≈ 0.145³ + 0.19³ ≈ 1 % of them); inside
      // submitAndPoll every retryable failure is retried until the call's budget runs out, so the defaults suffice.
      const client = clientFor(emu, { random: seededRandom(0xc0de), poll: { initialDelayMs: 20, intervalMs: 20 } });
      const settled = await Promise.allSettled(
        Array.from({ length: JOBS }, (_, i) =>
          client.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: `reliability job ${i}`, seed: i }),
        ),
      );
      // Every call completes; a failure is shown with its error (code, job id, message).
      const failures = settled.flatMap((s) =>
        s.status === "rejected" ? [`${s.reason?.code} ${s.reason?.jobId ?? "-"}: ${s.reason?.message}`] : [],
      );
      expect(failures).toEqual([]);
      results = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));

      const stats = emu.stats();
      expect(stats.jobsCreated).toBe(JOBS);
      expect(stats.jobsKept).toBe(JOBS);
      // Every kind of fault but truncation was injected (each of them expected tens of times at least). Truncation, at
      // 2 % of a few hundred content reads, comes a few times, or in about 2 % of runs not at all (which read a draw
      // falls on varies from run to run): the test below, at 10 % of every read, is the one that requires it.
      for (const kind of ["503", "429", "reset"]) expect(stats.faultsInjected[kind], kind).toBeGreaterThan(0);

      const ids = new Set<string>();
      for (const result of results) {
        expect(result.status).toBe("completed");
        if (result.status !== "completed") continue;
        ids.add(result.job_id);
        const record = emu.job(result.job_id);
        expect(record?.status).toBe("completed");
        const bytes = new Uint8Array(await result.data.arrayBuffer());
        expect(bytes.byteLength).toBe(record?.resultBytes);
        expect(createHash("sha256").update(bytes).digest("hex")).toBe(record?.resultSha256);
      }
      expect(ids.size).toBe(JOBS);
    } finally {
      await emu.close();
    }

    // Nothing of the client stays behind: no timer, no socket.
    const after = await lastingHandles();
    for (const [kind, count] of Object.entries(after)) expect(count, kind).toBeLessThanOrEqual(before[kind] ?? 0);
  });

  it("50 concurrent submitAndPoll under 30 % 503, 10 % resets and 10 % truncated bodies on status and content, and 503 without Retry-After on submit: 50/50 byte-identical, 50 jobs", {
    timeout: 120_000,
  }, async () => {
    // Rules are sampled in order and the first that fires wins: conditional rates give the marginal 30 / 10 / 10 %.
    const reads = (route: "status" | "content"): FaultRule[] => [
      { route, kind: "503", rate: 0.3 },
      { route, kind: "reset", rate: 0.1 / 0.7 },
      { route, kind: "truncate", rate: 0.1 / 0.6 },
    ];
    const emu = await startFast({
      faults: [{ route: "submit", kind: "503", rate: 0.3 }, ...reads("status"), ...reads("content")],
      random: seededRandom(0xfa17),
    });
    try {
      // The client's backoff jitter is seeded too; the defaults (maxRetries 2, an 11-minute budget) are kept, and its
      // waits (backoff and polling) last a tenth of what they ask, to keep the run short.
      const client = clientFor(emu, {
        random: seededRandom(0xb0ff),
        poll: { ...fastPoll, delay: (ms, signal) => sleep(ms / 10, signal) },
      });
      const settled = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) =>
          client.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: `harsh ${i}`, seed: i }),
        ),
      );
      const failures = settled.flatMap((s) =>
        s.status === "rejected" ? [`${s.reason?.code} ${s.reason?.jobId ?? "-"}: ${s.reason?.message}`] : [],
      );
      expect(failures).toEqual([]);
      const stats = emu.stats();
      expect(stats.jobsCreated).toBe(50);
      // Every kind was injected: truncation too, at 10 % of some hundreds of status and content reads.
      for (const kind of ["503", "reset", "truncate"]) expect(stats.faultsInjected[kind], kind).toBeGreaterThan(0);
      const ids = new Set<string>();
      for (const s of settled) {
        const result = (s as PromiseFulfilledResult<QueueJobResult>).value;
        if (result.status !== "completed") throw new Error(`job ${result.job_id} ${result.status}`);
        ids.add(result.job_id);
        const bytes = new Uint8Array(await result.data.arrayBuffer());
        expect(createHash("sha256").update(bytes).digest("hex")).toBe(emu.job(result.job_id)?.resultSha256);
      }
      expect(ids.size).toBe(50);
    } finally {
      await emu.close();
    }
  });
});
