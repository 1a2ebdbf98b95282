import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import {
  type ClientToken,
  createDecartClient,
  type DecartClient,
  type DecartClientSettings,
  models,
  type TokenFetcher,
} from "@decart/core";
import { createTokenRoute, type TokenRouteOptions } from "@decart/core/server";
import { type Emulator, type EmulatorOptions, startEmulator } from "@decart/emulator";
import { act, renderHook } from "@testing-library/react";
import { Activity, type ReactNode } from "react";
import { type WatchedFetch, watchedFetch } from "test-utils";
import { onTestFinished } from "vitest";
import { DecartProvider, type GenerationState, useGenerateVideo, type VideoJobOptions } from "../src/index.js";
import { changed, until } from "./until.js";

export { until };

/**
 * The emulator on 127.0.0.1 and a free port, with its "fast" timing (20 ms pending + 60 ms processing) by default,
 * closed once the test that started it has finished, passed or not: after every afterEach, so after setup.ts has
 * unmounted the test's trees (no hook left mounted goes on watching a job on a closed port). Start it in a test. Each
 * answer it closes (its request log's line) checks again what `until` waits for.
 */
export async function startFast(options: EmulatorOptions = {}): Promise<Emulator> {
  const logger = options.logger;
  const emu = await startEmulator({
    timing: "fast",
    ...options,
    logger: (line) => {
      changed();
      logger?.(line);
    },
  });
  onTestFinished(() => emu.close());
  return emu;
}

const silent = { warn: () => {}, debug: () => {} };

/**
 * A token fetcher of `emu`'s client tokens, as a page gets them: through a token route (called in-process; the
 * emulator's long-lived key stays on the "server" side). It counts its calls (as they are made) and keeps the keys it
 * answered.
 */
export function tokensOf(emu: Emulator, options: Partial<TokenRouteOptions> = {}) {
  const route = createTokenRoute({ authorize: () => true, apiKey: emu.apiKey, baseUrl: emu.url, ...options });
  const fetcher = async (): Promise<ClientToken> => {
    fetcher.calls++;
    const token = await (await route(new Request("http://app.test/api/decart-token", { method: "POST" }))).json();
    fetcher.keys.push(token.apiKey);
    return token;
  };
  fetcher.keys = [] as string[];
  fetcher.calls = 0;
  return fetcher;
}

/**
 * The page's `fetch`, for a client's `fetch` option: the URLs sent through it (as they are sent) and how many requests
 * are open: from the call until the answer's body was read to its end or cancelled, the call failed, or the client
 * aborted it (what happy-dom's fetch does with a request after that is not the client's).
 */
export const countingFetch = (): WatchedFetch => watchedFetch({ abortEnds: true });

/** A client of `emu` with a quick fixed schedule, on client tokens (a page's client). */
export const clientFor = (
  emu: Emulator,
  options: DecartClientSettings & { token?: TokenFetcher | undefined } = {},
): DecartClient =>
  createDecartClient({
    token: tokensOf(emu),
    baseUrl: emu.url,
    logger: silent,
    poll: { initialDelayMs: 10, intervalMs: 15 },
    ...options,
  });

/**
 * A client of `emu` whose clock (`poll.now`) moves only when the test moves `clock.now`: time a component stays hidden,
 * or a watch's budget, is the test's to say, however long the test runs (its client tokens stay fresh: they last
 * minutes).
 */
export function clocked(emu: Emulator) {
  const clock = { now: Date.now() };
  return { clock, client: clientFor(emu, { poll: { initialDelayMs: 10, intervalMs: 15, now: () => clock.now } }) };
}

/**
 * A page's client on which time is free: it reads a job at once and again as soon as each read has answered (0 ms
 * waits), through a `countingFetch`. A watch still going has a request open, or a 0 ms timer set once its last read
 * answered; `settled()` waits until no request is open, notes how many were sent, and lets a 0 ms timer set after
 * that fire: timers of one length fire in the order they were set, so a watch still going has sent its next request
 * by then.
 */
export function freeClient(emu: Emulator) {
  const page = countingFetch();
  const client = clientFor(emu, { fetch: page, poll: { initialDelayMs: 0, intervalMs: 0 } });
  return {
    client,
    page,
    /** Resolves, once nothing is open and a 0 ms timer set then has fired, with the number of requests sent before. */
    async settled(): Promise<number> {
      await until(() => page.open() === 0);
      const sent = page.sent.length;
      await new Promise((resolve) => setTimeout(resolve, 0));
      return sent;
    },
  };
}

/**
 * A `useGenerateVideo(options)` on a `clocked` client of `emu`, whose job (held processing: `[hold]`) outlived the
 * watch's budget of 2 s of that clock: once this resolves, its state is `error` (the watch's `JobTimeoutError`) and the
 * job still runs. Answers the hook's `renderHook` result, the job's id and the clocked client.
 */
export async function timedOutVideo(emu: Emulator, options: VideoJobOptions = {}) {
  const { clock, client } = clocked(emu);
  const hook = renderHook(() => useGenerateVideo({ ...options, timeoutMs: 2_000 }), strictWith(client));
  let jobId: string | undefined;
  await act(async () => {
    jobId = await hook.result.current.submit({
      model: models.video("lucy-pro-t2v"),
      prompt: "slower than its budget [hold]",
    });
  });
  await until(() => hook.result.current.status === "processing");
  clock.now += 5_000;
  await ended(hook.result);
  return { ...hook, jobId: jobId!, clock, client };
}

/**
 * A test's render options: a provider of `client` as `wrapper`, under a `<StrictMode>` root (`reactStrictMode`). React
 * runs a mounted component's effects twice only under a `<StrictMode>` at the root (or above it when mounted): one
 * inside the wrapper, itself the root's child, runs them once.
 */
export const strictWith = (client: DecartClient) => ({
  wrapper: ({ children }: { children: ReactNode }) => <DecartProvider client={client}>{children}</DecartProvider>,
  reactStrictMode: true,
});

/**
 * Render options like `strictWith`'s, the provider's children inside an `<Activity>` the test hides and shows: `show(false)` then `rerender()`
 * hides the tree (its effects are cleaned up, as when a tab is left), `show(true)` then `rerender()` shows it again.
 */
export function activityWith(client: DecartClient) {
  let mode: "visible" | "hidden" = "visible";
  return {
    wrapper: ({ children }: { children: ReactNode }) => (
      <DecartProvider client={client}>
        <Activity mode={mode}>{children}</Activity>
      </DecartProvider>
    ),
    reactStrictMode: true,
    show(visible: boolean) {
      mode = visible ? "visible" : "hidden";
    },
  };
}

export async function sha256(blob: Blob): Promise<string> {
  return Buffer.from(await crypto.subtle.digest("SHA-256", await blob.arrayBuffer())).toString("hex");
}

/** Waits until a hook's watch is over (`completed`, `failed` or `error`). */
export const ended = (result: { current: GenerationState }): Promise<void> =>
  until(() => ["completed", "failed", "error"].includes(result.current.status));

/**
 * Whether what `ref` points to is gone after full garbage collections, a task apart (the engine keeps what a task
 * touched until it ends): to see that nothing holds on to a blob any more.
 */
export async function collected(ref: WeakRef<object>): Promise<boolean> {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
  }
  return ref.deref() === undefined;
}
