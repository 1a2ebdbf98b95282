import { createDecartClient, type DecartClientOptions } from "@decart/core";
import { type Emulator, type EmulatorOptions, startEmulator } from "@decart/emulator";
import { silent } from "./marbles.js";

/** The emulator with its "fast" timing (20 ms pending + 60 ms processing), on 127.0.0.1 and a free port. */
export const startFast = (options: EmulatorOptions = {}): Promise<Emulator> =>
  startEmulator({ timing: "fast", ...options });

/** A client of `emu` with a quick fixed schedule for its fast jobs. */
export const clientFor = (emu: Emulator, options: DecartClientOptions = {}) =>
  createDecartClient({
    apiKey: emu.apiKey,
    baseUrl: emu.url,
    logger: silent,
    poll: { initialDelayMs: 10, intervalMs: 15 },
    ...options,
  });

/** Randomness for the emulator's fault sampling, the same on every run (a linear congruential generator). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export async function sha256(blob: Blob): Promise<string> {
  return Buffer.from(await crypto.subtle.digest("SHA-256", await blob.arrayBuffer())).toString("hex");
}

/** Resolves once `condition` holds (checked every 2 ms; the test's own timeout bounds it). */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
}

/**
 * The handles that stay, by kind, leaving out listening servers: the fewest seen over 30 samples 10 ms apart (the
 * test runner's own short-lived timers come and go; a leaked timer or socket is there in every sample).
 */
export async function lastingHandles(): Promise<Record<string, number>> {
  let min: Record<string, number> | undefined;
  for (let i = 0; i < 30; i++) {
    const now: Record<string, number> = {};
    for (const kind of process.getActiveResourcesInfo()) if (kind !== "TCPServerWrap") now[kind] = (now[kind] ?? 0) + 1;
    if (!min) min = now;
    else
      for (const kind of new Set([...Object.keys(min), ...Object.keys(now)]))
        min[kind] = Math.min(min[kind] ?? 0, now[kind] ?? 0);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return min!;
}
