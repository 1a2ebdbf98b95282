/**
 * One AbortSignal shared by many calls at once (a service's shutdown signal): no listener per call is put on it, so Node
 * prints no `MaxListenersExceededWarning` past 10 (plain fetch prints none either), and none is left once calls end.
 */
import { getEventListeners } from "node:events";
import type { Emulator } from "@decart/emulator";
import { afterEach, expect, it, vi } from "vitest";
import { models } from "../src/index.js";
import { clientFor, firstN, startFast } from "./helpers.js";

const model = models.video("lucy-pro-t2v");
let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

/** The names of the process warnings `run` gave rise to. */
async function warningsOf(run: () => Promise<unknown>): Promise<string[]> {
  const warnings: string[] = [];
  const heard = (w: Error) => warnings.push(w.name);
  process.on("warning", heard);
  try {
    await run();
    // (A warning is emitted on the next tick.)
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off("warning", heard);
  }
  return warnings;
}

it("12 status reads at once on one signal, the answers slow: no warning, no listener left", async () => {
  emu = await startFast({ faults: [{ route: "status", kind: "slow", delayMs: 100 }] });
  const client = clientFor(emu);
  const { job_id } = await client.queue.submit({ model, prompt: "shared" });
  const { signal } = new AbortController();
  const warnings = await warningsOf(() =>
    Promise.all(Array.from({ length: 12 }, () => client.queue.status(job_id, { signal }))),
  );
  expect(warnings).toEqual([]);
  expect(getEventListeners(signal, "abort")).toHaveLength(0);
});

it("12 calls at once on one signal: one listener put on it, taken off once they end", async () => {
  emu = await startFast({ faults: [{ route: "status", kind: "slow", delayMs: 100 }] });
  const client = clientFor(emu);
  const { job_id } = await client.queue.submit({ model, prompt: "shared" });
  const { signal } = new AbortController();
  const added = vi.spyOn(signal, "addEventListener");
  const removed = vi.spyOn(signal, "removeEventListener");
  await Promise.all(Array.from({ length: 12 }, () => client.queue.status(job_id, { signal })));
  expect(added).toHaveBeenCalledTimes(1);
  expect(removed).toHaveBeenCalledWith("abort", added.mock.calls[0]![1]);
});

it("12 watches at once on one signal, their reads retried after a 503 (a backoff's wait each): no warning", async () => {
  // The first 12 status reads answer 503: each watch waits its backoff on the signal.
  emu = await startFast({ faults: [{ route: "status", kind: "503", rate: 0.5 }], random: firstN(12) });
  const client = clientFor(emu);
  const { signal } = new AbortController();
  const warnings = await warningsOf(() =>
    Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        client.queue.submitAndPoll({ model, prompt: `shared ${i}`, download: false, signal }),
      ),
    ),
  );
  expect(warnings).toEqual([]);
  expect(emu.stats().faultsInjected["503"]).toBe(12);
  expect(getEventListeners(signal, "abort")).toHaveLength(0);
});

it("12 status reads at once on one signal, retried after a 503 (a backoff's wait each): no warning", async () => {
  emu = await startFast({ faults: [{ route: "status", kind: "503", rate: 0.5 }], random: firstN(12) });
  // The 503s go to the reads in the order they arrive: one read's retries may meet several of them (a busy machine),
  // so each may be tried again as many times as there are 503s.
  const client = clientFor(emu, { maxRetries: 12 });
  const { job_id } = await client.queue.submit({ model, prompt: "shared" });
  const { signal } = new AbortController();
  const warnings = await warningsOf(() =>
    Promise.all(Array.from({ length: 12 }, () => client.queue.status(job_id, { signal }))),
  );
  expect(warnings).toEqual([]);
  expect(emu.stats().faultsInjected["503"]).toBe(12);
  expect(getEventListeners(signal, "abort")).toHaveLength(0);
});

it("200 jobs one after another on one signal leave no listener on it", async () => {
  emu = await startFast({ timing: { pendingMs: 0, processingMs: 0 } });
  const client = clientFor(emu);
  const { signal } = new AbortController();
  for (let i = 0; i < 200; i++)
    await client.queue.submitAndPoll({ model, prompt: `seq ${i}`, download: false, signal });
  expect(getEventListeners(signal, "abort")).toHaveLength(0);
});
