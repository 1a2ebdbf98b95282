import { createServer, type ServerResponse } from "node:http";
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

/** Resolves once `condition` holds (checked every 2 ms; the test's own timeout bounds it). */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
}

/**
 * A server of the API on 127.0.0.1 and a free port that answers the first `refuse` submits 429 (`Retry-After:
 * retryAfter`, none when not given), the first `together` of them held until all came, then answered at once (all sent
 * before any answer), the others as they come; any later submit makes a job, and every status read answers its job
 * completed.
 * `seen`: the submits so far, and how many times each prompt was sent (a word `input-N` of its body); with `now`, the
 * time of each submit on it.
 */
export async function limitingServer({
  refuse,
  retryAfter,
  together = 1,
  now,
}: {
  refuse: number;
  retryAfter?: string;
  together?: number;
  now?: () => number;
}) {
  const seen = { posts: 0, prompts: new Map<string, number>(), sentAt: [] as number[] };
  let made = 0;
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (req.method !== "POST") {
        res.end(JSON.stringify({ job_id: req.url!.split("/").pop(), status: "completed" }));
        return;
      }
      const prompt = /input-\d+/.exec(body)?.[0];
      if (prompt) seen.prompts.set(prompt, (seen.prompts.get(prompt) ?? 0) + 1);
      if (now) seen.sentAt.push(now());
      if (++seen.posts > refuse) {
        res.end(JSON.stringify({ job_id: `job_${String(++made).padStart(32, "0")}`, status: "pending" }));
        return;
      }
      held.push(res);
      if (seen.posts >= together)
        for (const each of held.splice(0))
          each
            .writeHead(429, retryAfter === undefined ? {} : { "retry-after": retryAfter })
            .end(JSON.stringify({ detail: "Rate limit exceeded" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { seen, baseUrl: `http://127.0.0.1:${port}`, close };
}
