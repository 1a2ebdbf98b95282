import page from "node:console";
import { InvalidInputError, JobFailedError, JobTimeoutError, models } from "@decart/core";
import type { Emulator } from "@decart/emulator";
import { act, renderHook } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { useGenerateVideo, useJob } from "../src/index.js";
import {
  clientFor,
  clocked,
  ended,
  freeClient,
  sha256,
  startFast,
  strictWith,
  timedOutVideo,
  until,
} from "./helpers.js";

let emu: Emulator | undefined;

const model = models.video("lucy-pro-t2v");

/** How many submits reached the emulator, and how many jobs it made. */
const submits = () => {
  const { jobsCreated, requests } = emu!.stats();
  return { sent: requests.byRoute.submit ?? 0, jobs: jobsCreated };
};

/** Job `jobId`'s status reads so far (the emulator's count). */
const readsOf = (jobId: string) => (emu!.job(jobId) as { statusReads: number }).statusReads;

/**
 * After the test's clock jumped past the budget during a wait, the job still held: waits until the watch ended (the
 * budget kept: one read of the job, in a window of its own, says `processing`, and the watch ends in a timeout), or read
 * the job twice since `from` (a new budget: the watch goes on).
 */
const endedOrReadOn = (result: { current: { status: string } }, jobId: string, from: number) =>
  until(() => ["completed", "failed", "error"].includes(result.current.status) || readsOf(jobId) >= from + 2);

/** Calls `retry()` in an act, and answers what it resolved with. */
async function retried(result: { current: { retry(): Promise<string | undefined> } }) {
  let got: string | undefined = "unset";
  await act(async () => {
    got = await result.current.retry();
  });
  return got as string | undefined;
}

describe("useGenerateVideo().retry(), after a watch that ended without the job's end: the same job again", () => {
  it("timed out (timeoutMs): watches the same job with a new budget, and submits nothing", async () => {
    emu = await startFast();
    const { result, jobId } = await timedOutVideo(emu); // 5 s of its clock passed, its budget 2 s
    expect(result.current).toMatchObject({
      status: "error",
      jobId,
      error: expect.any(JobTimeoutError),
      canRetry: true,
    });
    expect(await retried(result)).toBe(jobId);
    expect(result.current).toMatchObject({
      status: "pending",
      watching: true,
      jobId,
      error: undefined,
      canRetry: false,
    });
    // Given what was left of the old budget (nothing), this watch would time out at its first read.
    await until(() => result.current.status === "processing");
    expect(emu.release(jobId)).toBe(true);
    await ended(result);
    expect(result.current).toMatchObject({ status: "completed", watching: false, jobId, canRetry: false });
    expect(await sha256(result.current.result!)).toBe(emu.job(jobId)!.resultSha256);
    expect(submits()).toEqual({ sent: 1, jobs: 1 });
  });

  it("after stop() (a page reading again once back online): watches within what is left of the job's budget, not a new one", async () => {
    emu = await startFast();
    const { clock, client } = clocked(emu);
    const { result } = renderHook(() => useGenerateVideo({ timeoutMs: 20_000 }), { ...strictWith(client) });
    let jobId: string | undefined;
    await act(async () => {
      jobId = await result.current.submit({ model, prompt: "read again within its budget [hold]" });
    });
    await until(() => result.current.status === "processing");
    clock.now += 12_000; // 8 s left: kept
    act(() => result.current.stop());
    expect(await retried(result)).toBe(jobId);
    expect(result.current).toMatchObject({ status: "processing", watching: true });
    // Past the end of the budget that began at the submit's answer, well within one from the retry (the job still
    // held: a read made past the deadline, once, sees it processing).
    clock.now += 10_000;
    await endedOrReadOn(result, jobId!, readsOf(jobId!));
    expect(result.current).toMatchObject({ status: "error", jobId, error: expect.any(JobTimeoutError) });
    expect(result.current.error).toMatchObject({ lastStatus: "processing" });
    expect(submits()).toEqual({ sent: 1, jobs: 1 });
  });

  it("after stop() with exactly 5 s of the job's budget left (not less): watches within it, no new budget", async () => {
    emu = await startFast();
    const { clock, client } = clocked(emu);
    const { result } = renderHook(() => useGenerateVideo({ timeoutMs: 20_000 }), { ...strictWith(client) });
    let jobId: string | undefined;
    await act(async () => {
      jobId = await result.current.submit({
        model,
        prompt: "watched again with exactly 5 s of its budget left [hold]",
      });
    });
    await until(() => result.current.status === "processing");
    clock.now += 15_000; // 5 s left: kept
    act(() => result.current.stop());
    expect(await retried(result)).toBe(jobId);
    expect(result.current).toMatchObject({ status: "processing", watching: true });
    clock.now += 6_000; // past the kept budget's end, well within a new one (the job still held)
    await endedOrReadOn(result, jobId!, readsOf(jobId!));
    expect(result.current).toMatchObject({ status: "error", jobId, error: expect.any(JobTimeoutError) });
    expect(result.current.error).toMatchObject({ lastStatus: "processing" });
    expect(submits()).toEqual({ sent: 1, jobs: 1 });
  });

  it("after stop() with less than 5 s of the job's budget left: a new budget from the retry, not a watch that times out at once", async () => {
    emu = await startFast();
    const { clock, client } = clocked(emu);
    const { result } = renderHook(() => useGenerateVideo({ timeoutMs: 20_000 }), { ...strictWith(client) });
    let jobId: string | undefined;
    await act(async () => {
      jobId = await result.current.submit({ model, prompt: "watched again in the last moments of its budget [hold]" });
    });
    await until(() => result.current.status === "processing");
    clock.now += 19_990; // 10 ms left
    act(() => result.current.stop());
    expect(await retried(result)).toBe(jobId);
    clock.now += 4_000; // past the old budget's end, well within a new one
    expect(emu.release(jobId!)).toBe(true);
    await ended(result);
    expect(result.current).toMatchObject({ status: "completed", jobId, error: undefined });
    expect(submits()).toEqual({ sent: 1, jobs: 1 });
  });

  it("after stop() with 3 s of the job's budget left (less than 5 s): a new budget from the retry", async () => {
    emu = await startFast();
    const { clock, client } = clocked(emu);
    const { result } = renderHook(() => useGenerateVideo({ timeoutMs: 20_000 }), { ...strictWith(client) });
    let jobId: string | undefined;
    await act(async () => {
      jobId = await result.current.submit({ model, prompt: "watched again with 3 s of its budget left [hold]" });
    });
    await until(() => result.current.status === "processing");
    clock.now += 17_000; // 3 s left
    act(() => result.current.stop());
    expect(await retried(result)).toBe(jobId);
    clock.now += 4_000; // past the old budget's end, well within a new one
    expect(emu.release(jobId!)).toBe(true);
    await ended(result);
    expect(result.current).toMatchObject({ status: "completed", jobId, error: undefined });
    expect(submits()).toEqual({ sent: 1, jobs: 1 });
  });

  it("takes the latest render's timeoutMs as its cap: one lowered since the submit holds from the retry, within the old budget", async () => {
    emu = await startFast();
    const { clock, client } = clocked(emu);
    const { result, rerender } = renderHook(({ timeoutMs }) => useGenerateVideo({ timeoutMs }), {
      ...strictWith(client),
      initialProps: { timeoutMs: 60_000 },
    });
    let jobId: string | undefined;
    await act(async () => {
      jobId = await result.current.submit({ model, prompt: "given less time on the way [hold]" });
    });
    await until(() => result.current.status === "processing");
    act(() => result.current.stop());
    rerender({ timeoutMs: 2_000 });
    expect(await retried(result)).toBe(jobId);
    clock.now += 5_000; // well within the submit's budget, past the latest from the retry (the job still held)
    await endedOrReadOn(result, jobId!, readsOf(jobId!));
    expect(result.current).toMatchObject({ status: "error", jobId, error: expect.any(JobTimeoutError) });
    expect(result.current.error).toMatchObject({ lastStatus: "processing" });
  });

  it("a timeoutMs the watch refuses, given since the submit, is refused by the retry while the old budget lasts", async () => {
    emu = await startFast();
    const { client } = clocked(emu);
    const { result, rerender } = renderHook(({ timeoutMs }) => useGenerateVideo({ timeoutMs }), {
      ...strictWith(client),
      initialProps: { timeoutMs: 60_000 },
    });
    let jobId: string | undefined;
    await act(async () => {
      jobId = await result.current.submit({ model, prompt: "given a budget it cannot have [hold]" });
    });
    await until(() => result.current.status === "processing");
    act(() => result.current.stop());
    rerender({ timeoutMs: -1 });
    expect(await retried(result)).toBe(jobId);
    expect(result.current).toMatchObject({ status: "error", watching: false, jobId, error: { field: "timeoutMs" } });
    expect(result.current.error).toBeInstanceOf(InvalidInputError);
    expect(emu.release(jobId!)).toBe(true);
  });

  it("ended by network failures: watches the same job again, with the options of the latest render", async () => {
    emu = await startFast({ faults: [{ route: "status", kind: "reset" }] }); // every status read: connection reset
    // The page's fetch prints each read the emulator resets, with its stack, as a browser's console would (on the
    // page's console: Node's own, not the test's): those are kept (to count them against the resets made) rather than
    // printed; anything else is printed as before.
    const print = page.error;
    const resets: unknown[] = [];
    vi.spyOn(page, "error").mockImplementation((...args: unknown[]) => {
      if ((args[0] as { code?: unknown } | undefined)?.code === "ECONNRESET") resets.push(args[0]);
      else print.apply(page, args);
    });
    const { clock, client } = clocked(emu);
    const { result, rerender } = renderHook(({ download }) => useGenerateVideo({ download, timeoutMs: 2_000 }), {
      ...strictWith(client),
      initialProps: { download: true },
    });
    let jobId: string | undefined;
    await act(async () => {
      jobId = await result.current.submit({ model, prompt: "watched through a bad network" });
    });
    // Reads are retried while the budget lasts; the clock moves past it once one was cut. (Not one was answered.)
    await until(() => (emu!.stats().faultsInjected.reset ?? 0) > 0);
    clock.now += 5_000;
    await ended(result);
    expect(result.current).toMatchObject({
      status: "error",
      jobId,
      error: expect.any(JobTimeoutError),
      canRetry: true,
    });
    expect(emu.job(jobId!)!.statusReads).toBe(0);
    emu.setFaults([]); // the network is back
    rerender({ download: false }); // and the page wants the status only
    expect(await retried(result)).toBe(jobId);
    await ended(result);
    expect(result.current).toMatchObject({ status: "completed", jobId, result: undefined, canRetry: false });
    expect(emu.job(jobId!)!.contentReads).toBe(0);
    expect(submits()).toEqual({ sent: 1, jobs: 1 });
    // None kept but a read the emulator reset.
    expect(resets.length).toBeLessThanOrEqual(emu.stats().faultsInjected.reset ?? 0);
  });

  it("stopped, even while its submit was on its way: follows the same job (once its id comes)", async () => {
    emu = await startFast();
    const { result } = renderHook(() => useGenerateVideo(), { ...strictWith(clientFor(emu)) });
    let submitted: Promise<string | undefined> | undefined;
    let again: Promise<string | undefined> | undefined;
    act(() => {
      submitted = result.current.submit({ model, prompt: "stopped, then wanted after all [hold]" });
      result.current.stop();
    });
    // canRetry without an error: stopped, and retry() watches the same job again (a "Watch again" button).
    expect(result.current).toMatchObject({ status: "submitting", watching: false, canRetry: true, error: undefined });
    act(() => {
      again = result.current.retry();
    });
    expect(result.current).toMatchObject({ status: "submitting", watching: true, canRetry: false });
    let jobId: string | undefined;
    await act(async () => {
      jobId = await submitted;
    });
    expect(await again).toBe(jobId);
    await until(() => result.current.status === "processing");
    // Stopped once the job runs, then retried: the same job again.
    act(() => result.current.stop());
    expect(result.current).toMatchObject({ status: "processing", watching: false, canRetry: true, error: undefined });
    expect(await retried(result)).toBe(jobId);
    expect(result.current).toMatchObject({ status: "processing", watching: true, jobId });
    expect(emu.release(jobId!)).toBe(true);
    await ended(result);
    expect(result.current).toMatchObject({ status: "completed", jobId });
    expect(submits()).toEqual({ sent: 1, jobs: 1 });
  });

  it("a CALLBACK_ERROR of its poll schedule (it threw once): watches the same job again", async () => {
    emu = await startFast();
    let throws = true;
    const poll = () => {
      if (!throws) return 15;
      throws = false;
      throw new Error("the schedule broke once");
    };
    const { result } = renderHook(() => useGenerateVideo({ poll }), { ...strictWith(clientFor(emu)) });
    let jobId: string | undefined;
    await act(async () => {
      jobId = await result.current.submit({ model, prompt: "followed on a schedule that throws once" });
    });
    await ended(result);
    expect(result.current).toMatchObject({
      status: "error",
      jobId,
      error: { code: "CALLBACK_ERROR", jobId },
      canRetry: true,
    });
    expect(await retried(result)).toBe(jobId);
    await ended(result);
    expect(result.current).toMatchObject({ status: "completed", jobId, error: undefined });
    expect(await sha256(result.current.result!)).toBe(emu.job(jobId!)!.resultSha256);
    expect(submits()).toEqual({ sent: 1, jobs: 1 });
  });

  it("a CALLBACK_ERROR once the job existed (its onUploadProgress threw): watches that job, no second one", async () => {
    emu = await startFast();
    const { result } = renderHook(() => useGenerateVideo(), { ...strictWith(clientFor(emu)) });
    let jobId: string | undefined;
    await act(async () => {
      jobId = await result.current.submit({
        model,
        prompt: "accepted, then the progress bar broke",
        onUploadProgress: () => {
          throw new Error("the progress bar broke");
        },
      });
    });
    expect(result.current).toMatchObject({ status: "error", jobId, error: { code: "CALLBACK_ERROR" }, canRetry: true });
    expect(await retried(result)).toBe(jobId);
    await ended(result);
    expect(result.current).toMatchObject({ status: "completed", jobId, error: undefined });
    expect(submits()).toEqual({ sent: 1, jobs: 1 });
  });
});

describe("useGenerateVideo().retry(), when no job runs: the same inputs submitted again", () => {
  it("the job failed on the server: a new job of the same inputs", async () => {
    // The first job is stuck and fails at the server's timeout; the second, of the same inputs, ends in 80 ms.
    emu = await startFast({ jobTimeoutMs: 500, faults: [{ route: "submit", kind: "stuck" }] });
    const client = clientFor(emu);
    const input = { model, prompt: "failed once by the server", seed: 7 };
    const { result } = renderHook(() => useGenerateVideo(), { ...strictWith(client) });
    let first: string | undefined;
    await act(async () => {
      first = await result.current.submit(input);
    });
    await ended(result);
    expect(result.current).toMatchObject({
      status: "failed",
      jobId: first,
      error: expect.any(JobFailedError),
      canRetry: true,
    });
    emu.setFaults([]);
    const second = await retried(result);
    expect(second).toMatch(/^job_/);
    expect(second).not.toBe(first);
    expect(result.current.jobId).toBe(second);
    await ended(result);
    expect(result.current).toMatchObject({ status: "completed", jobId: second, canRetry: false });
    expect(submits()).toEqual({ sent: 2, jobs: 2 });
    // The same inputs: the same video as a job of them submitted directly.
    const direct = await client.queue.submitAndPoll(input);
    expect(direct.status).toBe("completed");
    expect(await sha256(result.current.result!)).toBe(emu.job(direct.job_id)!.resultSha256);
  });

  it("the submit was answered 503 (no job made): submits again", async () => {
    emu = await startFast({ faults: [{ route: "submit", kind: "503" }] });
    const { result } = renderHook(() => useGenerateVideo({ download: false }), {
      ...strictWith(clientFor(emu, { maxRetries: 0 })),
    });
    await act(async () => {
      await result.current.submit({ model, prompt: "sent while the API was down" });
    });
    expect(result.current).toMatchObject({ status: "error", jobId: undefined, error: { status: 503 }, canRetry: true });
    expect(submits()).toEqual({ sent: 1, jobs: 0 });
    emu.setFaults([]);
    const jobId = await retried(result);
    expect(jobId).toMatch(/^job_/);
    await ended(result);
    expect(result.current).toMatchObject({ status: "completed", jobId });
    expect(submits()).toEqual({ sent: 2, jobs: 1 });
  });

  it("a submit whose outcome is unknown (SUBMIT_OUTCOME_UNKNOWN: a job may exist) is not sent again", async () => {
    emu = await startFast({ faults: [{ route: "submit", kind: "500" }] });
    const { result } = renderHook(() => useGenerateVideo(), { ...strictWith(clientFor(emu)) });
    await act(async () => {
      await result.current.submit({ model, prompt: "answered 500: did the server take it?" });
    });
    const before = result.current;
    expect(before).toMatchObject({
      status: "error",
      jobId: undefined,
      error: { code: "SUBMIT_OUTCOME_UNKNOWN" },
      canRetry: false,
    });
    emu.setFaults([]);
    expect(await retried(result)).toBeUndefined();
    expect(result.current).toEqual(before);
    expect(result.current.error).toBe(before.error);
    expect(submits()).toEqual({ sent: 1, jobs: 0 });
  });

  it("a submit your signal aborted is not sent again", async () => {
    emu = await startFast();
    const { result } = renderHook(() => useGenerateVideo(), { ...strictWith(clientFor(emu)) });
    await act(async () => {
      await result.current.submit({ model, prompt: "given up on", signal: AbortSignal.abort() });
    });
    const before = result.current;
    expect(before).toMatchObject({ status: "error", jobId: undefined, error: { code: "ABORT" }, canRetry: false });
    expect(await retried(result)).toBeUndefined();
    expect(result.current).toEqual(before);
    expect(result.current.error).toBe(before.error); // not the error of a second submit
    expect(submits()).toEqual({ sent: 0, jobs: 0 });
  });
});

describe("useGenerateVideo().retry() in other states does nothing", () => {
  it("idle, watching or completed: resolves undefined, submits nothing and leaves the state as it is", async () => {
    emu = await startFast();
    const { result } = renderHook(() => useGenerateVideo(), { ...strictWith(clientFor(emu)) });
    expect(result.current).toMatchObject({ status: "idle", canRetry: false });
    expect(await retried(result)).toBeUndefined();
    expect(result.current.status).toBe("idle");
    expect(emu.stats().requests.total).toBe(0);
    let jobId: string | undefined;
    await act(async () => {
      jobId = await result.current.submit({ model, prompt: "running [hold]" });
    });
    await until(() => result.current.status === "processing");
    const running = result.current;
    expect(running.canRetry).toBe(false);
    expect(await retried(result)).toBeUndefined();
    expect(result.current).toEqual(running);
    expect(emu.release(jobId!)).toBe(true);
    await ended(result);
    const done = result.current;
    expect(done).toMatchObject({ status: "completed", canRetry: false });
    expect(await retried(result)).toBeUndefined();
    expect(result.current).toEqual(done);
    expect(submits()).toEqual({ sent: 1, jobs: 1 });
    expect(emu.job(jobId!)!.contentReads).toBe(1); // not downloaded again
  });
});

describe("useJob().retry()", () => {
  it("after a timeout (a new budget) or stop(): watches the same job again", async () => {
    emu = await startFast();
    const { clock, client } = clocked(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "watched by id [hold]" });
    const strict = strictWith(client);
    const { result } = renderHook(() => useJob(job_id, { model, timeoutMs: 2_000 }), strict);
    await until(() => result.current.status === "processing");
    clock.now += 5_000;
    await ended(result);
    expect(result.current).toMatchObject({ status: "error", error: expect.any(JobTimeoutError), canRetry: true });
    act(() => result.current.retry());
    expect(result.current).toMatchObject({
      status: "idle",
      watching: true,
      jobId: job_id,
      error: undefined,
      canRetry: false,
    });
    await until(() => result.current.status === "processing"); // a new budget: it does not time out at once
    act(() => result.current.stop());
    expect(result.current).toMatchObject({ status: "processing", watching: false, canRetry: true });
    act(() => result.current.retry());
    expect(result.current).toMatchObject({ status: "processing", watching: true, canRetry: false });
    expect(emu.release(job_id)).toBe(true);
    await ended(result);
    expect(result.current).toMatchObject({ status: "completed", jobId: job_id, canRetry: false });
    expect(await sha256(result.current.result!)).toBe(emu.job(job_id)!.resultSha256);
    expect(submits()).toEqual({ sent: 1, jobs: 1 }); // the test's own
  });

  it("after stop(): watches within what is left of the job's budget; a new budget once that ran out", async () => {
    emu = await startFast();
    const { clock, client } = clocked(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "read again within its budget [hold]" });
    const { result } = renderHook(() => useJob(job_id, { model, timeoutMs: 20_000 }), { ...strictWith(client) });
    await until(() => result.current.status === "processing");
    clock.now += 12_000; // 8 s left: kept
    act(() => result.current.stop());
    act(() => result.current.retry());
    expect(result.current).toMatchObject({ status: "processing", watching: true });
    clock.now += 10_000; // past the end of the first budget, well within one from the retry (the job still held)
    await endedOrReadOn(result, job_id, readsOf(job_id));
    expect(result.current).toMatchObject({ status: "error", error: expect.any(JobTimeoutError), canRetry: true });
    expect(result.current.error).toMatchObject({ lastStatus: "processing" });
    expect(emu.release(job_id)).toBe(true);
    // Stopped once more, and watched again once the budget has run out: a new one, from then.
    act(() => result.current.retry());
    act(() => result.current.stop());
    clock.now += 25_000;
    act(() => result.current.retry());
    await ended(result);
    expect(result.current).toMatchObject({ status: "completed", jobId: job_id });
  });

  it("after stop() with exactly 5 s of its budget left (not less): watches within it, no new budget", async () => {
    emu = await startFast();
    const { clock, client } = clocked(emu);
    const { job_id } = await client.queue.submit({
      model,
      prompt: "watched again with exactly 5 s of its budget left [hold]",
    });
    const { result } = renderHook(() => useJob(job_id, { model, timeoutMs: 20_000 }), { ...strictWith(client) });
    await until(() => result.current.status === "processing");
    clock.now += 15_000; // 5 s left: kept
    act(() => result.current.stop());
    act(() => result.current.retry());
    expect(result.current).toMatchObject({ status: "processing", watching: true });
    clock.now += 6_000; // past the kept budget's end, well within a new one (the job still held)
    await endedOrReadOn(result, job_id, readsOf(job_id));
    expect(result.current).toMatchObject({ status: "error", error: expect.any(JobTimeoutError), canRetry: true });
    expect(result.current.error).toMatchObject({ lastStatus: "processing" });
  });

  it("after stop() with less than 5 s of its budget left: a new budget from the retry, not a watch that times out at once", async () => {
    emu = await startFast();
    const { clock, client } = clocked(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "watched again at the end of its budget [hold]" });
    const { result } = renderHook(() => useJob(job_id, { model, timeoutMs: 20_000 }), { ...strictWith(client) });
    await until(() => result.current.status === "processing");
    clock.now += 19_990; // 10 ms left
    act(() => result.current.stop());
    act(() => result.current.retry());
    clock.now += 4_000; // past the old budget's end, well within a new one
    expect(emu.release(job_id)).toBe(true);
    await ended(result);
    expect(result.current).toMatchObject({ status: "completed", jobId: job_id, error: undefined });
  });

  it("after stop() with 3 s of its budget left (less than 5 s): a new budget from the retry", async () => {
    emu = await startFast();
    const { clock, client } = clocked(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "watched again with 3 s of its budget left [hold]" });
    const { result } = renderHook(() => useJob(job_id, { model, timeoutMs: 20_000 }), { ...strictWith(client) });
    await until(() => result.current.status === "processing");
    clock.now += 17_000; // 3 s left
    act(() => result.current.stop());
    act(() => result.current.retry());
    clock.now += 4_000; // past the old budget's end, well within a new one
    expect(emu.release(job_id)).toBe(true);
    await ended(result);
    expect(result.current).toMatchObject({ status: "completed", jobId: job_id, error: undefined });
  });

  it("after `failed` (or without a job id) does nothing: no watch starts", async () => {
    emu = await startFast();
    const { client, page, settled } = freeClient(emu); // a watch reads at once
    const { job_id } = await client.queue.submit({ model, prompt: "[fail] by id" });
    const { result } = renderHook(() => ({ job: useJob(job_id, { model }), none: useJob(undefined) }), {
      ...strictWith(client),
    });
    await until(() => result.current.job.status === "failed");
    const shown = result.current.job;
    expect(shown.canRetry).toBe(false);
    expect(result.current.none.canRetry).toBe(false);
    const sent = await settled();
    act(() => {
      result.current.job.retry();
      result.current.none.retry();
    });
    expect(result.current.job).toEqual(shown);
    expect(result.current.none).toMatchObject({ status: "idle", watching: false });
    expect(await settled()).toBe(sent);
    expect(page.sent.length).toBe(sent);
  });
});
