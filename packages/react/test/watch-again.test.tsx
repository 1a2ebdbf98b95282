/**
 * Whether watching a job again can help is decided in one place, the core's `canWatchAgain`: the hooks' `canRetry`
 * and `retry()`, and queue-rx's `retryWatch`, both ask it. Each kind of error a watch ends with, made over HTTP against
 * the emulator, and what each layer does with the very same error: they agree, and agree with the core.
 */
import { canWatchAgain, createDecartClient, type DecartClient, type DecartError, models } from "@decart/core";
import type { Emulator } from "@decart/emulator";
import { fromAbortable, retryWatch, type StatusSource } from "@decart/queue-rx";
import { act, renderHook } from "@testing-library/react";
import { lastValueFrom, throwError } from "rxjs";
import { describe, expect, it } from "vitest";
import { type UseJobOptions, useGenerateVideo, useJob } from "../src/index.js";
import { clientFor, clocked, ended, startFast, strictWith, timedOutVideo, tokensOf, until } from "./helpers.js";

let emu: Emulator | undefined;

const model = models.video("lucy-pro-t2v");

/**
 * What queue-rx's `retryWatch` does with `error`: whether it watched the job again (its watch read the job) and how
 * that ended.
 */
async function rxWith(client: DecartClient, error: DecartError) {
  let reads = 0;
  const statusSource: StatusSource = (id, { deadline }) => {
    reads++;
    return fromAbortable((signal) => client.queue.readStatus(id, { signal, deadline }));
  };
  const end = await lastValueFrom(
    throwError(() => error).pipe(retryWatch(client, 1, { download: false, statusSource })),
  ).catch((e) => e);
  return { watchedAgain: reads > 0, end };
}

/** A page's client whose token route fails `down` times, then answers client tokens (a page refuses the dct_ key). */
const tokenDownFor = (down: number) => {
  let calls = 0;
  return async () => {
    if (++calls <= down) throw new Error("fetch failed");
    return tokensOf(emu!)();
  };
};

/** Each kind: whether another watch can help, and how to get a `useJob` whose watch ends with it. */
const kinds: [
  code: string,
  watchAgain: boolean,
  make: () => Promise<{ client: DecartClient; jobId: string; options?: UseJobOptions; ended?: () => unknown }>,
][] = [
  [
    "JOB_TIMEOUT",
    true,
    async () => {
      const { clock, client } = clocked(emu!);
      const { job_id } = await client.queue.submit({ model, prompt: "outlasts one watch [hold]" });
      // The budget runs out once the job has been read; the job goes on, and ends once let go.
      void until(() => emu!.job(job_id)!.statusReads > 0).then(() => {
        clock.now += 5_000;
      });
      return { client, jobId: job_id, options: { timeoutMs: 2_000 }, ended: () => emu!.release(job_id) };
    },
  ],
  [
    "CALLBACK_ERROR",
    true,
    async () => {
      const client = clientFor(emu!);
      // Held, so that the watch reads it running and asks the schedule, however slow the machine; let go once the
      // watch has ended, so that watching again sees it complete.
      const { job_id } = await client.queue.submit({ model, prompt: "followed on a schedule that throws [hold]" });
      const poll = () => {
        throw new Error("the schedule broke");
      };
      return { client, jobId: job_id, options: { poll }, ended: () => emu!.release(job_id) };
    },
  ],
  [
    "TOKEN_ERROR",
    true,
    async () => {
      const { job_id } = await clientFor(emu!).queue.submit({ model, prompt: "watched while the route is down" });
      const client = clientFor(emu!, { token: tokenDownFor(3), random: () => 0 });
      return { client, jobId: job_id };
    },
  ],
  ["NOT_FOUND", false, async () => ({ client: clientFor(emu!), jobId: "job_nobody_made" })],
  [
    "AUTHENTICATION",
    false,
    async () => {
      const { job_id } = await clientFor(emu!).queue.submit({
        model,
        prompt: "read with a token the server never made",
      });
      const client = createDecartClient({ apiKey: "ek_not_a_token_of_this_server", baseUrl: emu!.url });
      return { client, jobId: job_id };
    },
  ],
  [
    "INVALID_INPUT",
    false,
    async () => {
      const client = clientFor(emu!);
      const { job_id } = await client.queue.submit({ model, prompt: "watched with options the watch refuses" });
      return { client, jobId: job_id, options: { timeoutMs: "5000" as never } };
    },
  ],
];

describe("useJob's retry() and queue-rx's retryWatch: one decision, the core's canWatchAgain", () => {
  for (const [code, watchAgain, make] of kinds) {
    it(`${code}: ${watchAgain ? "both watch the same job again" : "neither watches again"}`, async () => {
      emu = await startFast();
      const { client, jobId, options = {}, ended: after } = await make();
      const { result } = renderHook(() => useJob(jobId, { download: false, ...options }), {
        ...strictWith(client),
      });
      await ended(result);
      const { error, canRetry } = result.current;
      expect(result.current.status).toBe("error");
      expect(error).toMatchObject({ code });
      after?.();
      // The core's decision, the hook's and queue-rx's, on the same error.
      expect(canWatchAgain(error)).toBe(watchAgain);
      expect(canRetry).toBe(watchAgain);
      const rx = await rxWith(client, error as DecartError);
      expect(rx.watchedAgain).toBe(watchAgain);
      if (watchAgain) expect(rx.end).toMatchObject({ type: "completed", jobId });
      else expect(rx.end).toBe(error);
      // And the hook's retry() does what canRetry said.
      act(() => result.current.retry());
      expect(result.current.watching).toBe(watchAgain);
      if (watchAgain) {
        await ended(result);
        expect(result.current).toMatchObject({ status: "completed", jobId });
      }
    });
  }

  it("a failed job: neither watches again (useGenerateVideo submits anew, as its table says)", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "[fail: sorry]" });
    const { result } = renderHook(() => useJob(job_id, { download: false }), { ...strictWith(client) });
    await ended(result);
    const { status, error, canRetry } = result.current;
    expect([status, error?.name, canRetry]).toEqual(["failed", "JobFailedError", false]);
    expect(canWatchAgain(error)).toBe(false);
    expect((await rxWith(client, error as DecartError)).watchedAgain).toBe(false);
  });

  it("useGenerateVideo: a watch that timed out is watched again, as the core and queue-rx say", async () => {
    emu = await startFast();
    const { result, jobId, client } = await timedOutVideo(emu, { download: false });
    const { error, canRetry } = result.current;
    expect(error).toMatchObject({ code: "JOB_TIMEOUT", jobId });
    expect([canWatchAgain(error), canRetry]).toEqual([true, true]);
    expect(emu.release(jobId)).toBe(true);
    expect((await rxWith(client, error as DecartError)).watchedAgain).toBe(true);
    let again: string | undefined;
    await act(async () => {
      again = await result.current.retry();
    });
    expect(again).toBe(jobId);
    await ended(result);
    expect(result.current).toMatchObject({ status: "completed", jobId });
    expect(emu.stats().jobsCreated).toBe(1);
  });

  it("useGenerateVideo: a watch refused 401 (its token expired, the next one refused) is watched again once the token source gives a valid one", async () => {
    // The server's clock is the test's: the page's token expires when the test says so.
    let serverNow = Date.now();
    emu = await startFast({ now: () => serverNow });
    // The page's token route answers tokens while the user is signed in; signed out, only tokens the server never made.
    const route = tokensOf(emu);
    let signedOut = false;
    const token = async () =>
      signedOut ? { apiKey: "ek_never_made_by_this_server", expiresAt: "2100-01-01T00:00:00Z" } : route();
    const client = clientFor(emu, { token });
    const { result } = renderHook(() => useGenerateVideo({ download: false }), { ...strictWith(client) });
    let jobId: string | undefined;
    await act(async () => {
      jobId = await result.current.submit({ model, prompt: "watched past its token [hold]" });
    });
    await until(() => emu!.job(jobId!)!.statusReads > 0); // watched with the first token
    signedOut = true;
    serverNow += 3_600_000;
    await ended(result);
    const { error, canRetry } = result.current;
    expect(error).toMatchObject({ code: "AUTHENTICATION", status: 401, jobId });
    // The client's key can change (a token source): another watch, once it gives a valid key, gets past the 401.
    expect([canWatchAgain(error), canRetry]).toEqual([true, true]);
    // Signed in again: the same job is watched again (read with a valid token), never submitted again.
    signedOut = false;
    const reads = emu.job(jobId!)!.statusReads;
    let again: string | undefined;
    await act(async () => {
      again = await result.current.retry();
    });
    expect(again).toBe(jobId);
    await until(() => emu!.job(jobId!)!.statusReads > reads);
    await act(() => result.current.stop());
    expect(result.current.jobId).toBe(jobId);
    expect(emu.stats().jobsCreated).toBe(1);
  });
});
