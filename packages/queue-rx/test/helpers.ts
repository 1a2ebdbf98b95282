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

/**
 * A client of `baseUrl` (silent) on the clock `now`, whose status reads wait on timers of their own (`poll.delay`), not
 * on a batch's scheduler, at a quick fixed schedule; `options` go over the rest.
 */
export const clientOnClock = (baseUrl: string, now: () => number, options: DecartClientSettings & { apiKey: string }) =>
  createDecartClient({
    baseUrl,
    logger: silent,
    ...options,
    poll: { now, initialDelayMs: 10, intervalMs: 15, delay: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
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

/**
 * Resolves once `condition` holds: checked at once, then after waits that double from 1 ms to 25 ms at most (a test
 * that waits long checks 40 times a second, not 500, light on 2 shared cores); the test's own timeout bounds it.
 */
export async function until(condition: () => boolean): Promise<void> {
  for (let wait = 1; !condition(); wait = Math.min(2 * wait, 25)) {
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
