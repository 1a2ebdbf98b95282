import {
  createDecartClient,
  type DecartClientOptions,
  type DecartClientSettings,
  type TokenFetcher,
} from "@decart/core";
import { type Emulator, type EmulatorOptions, startEmulator } from "@decart/emulator";
import { silent } from "./marbles.js";

export { lastingHandles } from "test-utils";

/** The emulator with its "fast" timing (20 ms pending + 60 ms processing), on 127.0.0.1 and a free port. */
export const startFast = (options: EmulatorOptions = {}): Promise<Emulator> =>
  startEmulator({ timing: "fast", ...options });

/** A client of `emu` with a quick fixed schedule for its fast jobs. */
export const clientFor = (
  emu: Emulator,
  options: DecartClientSettings & { apiKey?: string | undefined; token?: TokenFetcher | undefined } = {},
) =>
  createDecartClient({
    apiKey: emu.apiKey,
    baseUrl: emu.url,
    logger: silent,
    poll: { initialDelayMs: 10, intervalMs: 15 },
    ...options,
  } as DecartClientOptions);

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
