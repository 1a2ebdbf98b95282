import {
  InvalidInputError,
  JobFailedError,
  JobTimeoutError,
  models,
  type PollSchedule,
  ServerError,
} from "@decart/core";
import type { Emulator } from "@decart/emulator";
import { act, render, renderHook, screen } from "@testing-library/react";
import { StrictMode, Suspense, use } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";
import {
  DecartProvider,
  type GenerationState,
  useGenerateVideo,
  useJob,
  type VideoGeneration,
  type VideoJobOptions,
} from "../src/index.js";
import {
  activityWith,
  clientFor,
  clocked,
  collected,
  countingFetch,
  ended,
  freeClient,
  sha256,
  startFast,
  strictWith,
  until,
} from "./helpers.js";

let emu: Emulator | undefined;

const model = models.video("lucy-pro-t2v");
type Input = { model: typeof model; prompt: string };

/** Resolves after the current task and its microtasks. */
const aTask = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Hides a tab's component for `ms` of the `clocked` client's clock (after a task: its watch has stopped, which it has
 * not when shown again in the same task), then shows it again.
 */
async function away(tab: { show(visible: boolean): void }, rerender: () => void, clock: { now: number }, ms: number) {
  tab.show(false);
  rerender();
  await aTask();
  clock.now += ms;
  tab.show(true);
  rerender();
}

/**
 * Releases the held job: a watch whose budget ran out ends in `JobTimeoutError` (one given a new budget completes),
 * whose message names the budget the watch was given (its deadline), not what was left of it when shown again (0 ms).
 */
async function expectTimedOut(result: { current: GenerationState }, jobId: string) {
  expect(emu!.release(jobId)).toBe(true);
  await until(() => !["pending", "processing"].includes(result.current.status));
  expect(result.current).toMatchObject({ status: "error", watching: false, error: expect.any(JobTimeoutError) });
  expect(result.current.error).toMatchObject({ jobId });
  expect(result.current.error!.message).toMatch(
    new RegExp(`^Job ${jobId} not done within its deadline \\(last status: \\w+\\)$`),
  );
}

/** Every distinct status a hook's state went through, in order. */
function statusesOf(states: GenerationState[]): string[] {
  return states.map((s) => s.status).filter((s, i, all) => s !== all[i - 1]);
}

describe("useGenerateVideo", () => {
  it("submits once from an event handler and follows the job to its video", async () => {
    emu = await startFast();
    const seen: GenerationState[] = [];
    const { result } = renderHook(
      () => {
        const generation = useGenerateVideo();
        seen.push(generation);
        return generation;
      },
      { ...strictWith(clientFor(emu)) },
    );
    expect(result.current.status).toBe("idle");
    let jobId: string | undefined;
    await act(async () => {
      jobId = await result.current.submit({ model, prompt: "A lake at dawn [hold]" });
    });
    expect(jobId).toMatch(/.+/);
    // The job stays processing ([hold]) until the hook has shown it so, however slow the machine.
    await until(() => result.current.status === "processing");
    expect(emu.release(jobId!)).toBe(true);
    await until(() => result.current.status === "completed");
    const done = result.current;
    expect(done.jobId).toBe(jobId);
    expect(await sha256(done.result!)).toBe(emu.job(jobId!)!.resultSha256);
    expect(done.progress).toEqual({ receivedBytes: done.result!.size, totalBytes: done.result!.size });
    expect(statusesOf(seen)).toEqual(["idle", "submitting", "pending", "processing", "downloading", "completed"]);
    expect(emu.stats().jobsCreated).toBe(1); // StrictMode did not submit twice
  });

  it("`retrying` says that status reads fail (attempt, error, wait) beside the status; the next read that answers clears it, and so does stop()", async () => {
    emu = await startFast();
    const seen: GenerationState[] = [];
    const { result } = renderHook(
      () => {
        const generation = useGenerateVideo();
        seen.push(generation);
        return generation;
      },
      { ...strictWith(clientFor(emu)) },
    );
    expect(result.current.retrying).toBeUndefined();
    let jobId: string | undefined;
    await act(async () => {
      jobId = await result.current.submit({ model, prompt: "read through an outage [hold]" });
    });
    await until(() => result.current.status === "processing");
    emu.setFaults([{ route: "status", kind: "503" }]); // every status read answers 503 from now on
    await until(() => (result.current.retrying?.attempt ?? 0) >= 2);
    const during = result.current;
    expect(during).toMatchObject({ status: "processing", watching: true, jobId });
    expect(during.retrying).toMatchObject({ type: "retrying", jobId, error: { status: 503, jobId } });
    expect(during.retrying!.attempt).toBeGreaterThanOrEqual(2); // 2, or a later one the reads reached meanwhile
    expect(during.retrying!.error).toBeInstanceOf(ServerError);
    expect(during.retrying!.delayMs).toBeGreaterThan(0);
    // Its attempts in order, one state each.
    const attempts = seen.map((s) => s.retrying?.attempt).filter((a, i, all) => a !== undefined && a !== all[i - 1]);
    expect(attempts.slice(0, 2)).toEqual([1, 2]);

    emu.setFaults([]);
    await until(() => result.current.retrying === undefined);
    expect(result.current).toMatchObject({ status: "processing", watching: true });

    emu.setFaults([{ route: "status", kind: "503" }]);
    await until(() => result.current.retrying !== undefined);
    act(() => result.current.stop());
    expect(result.current).toMatchObject({ status: "processing", watching: false, retrying: undefined });
    emu.setFaults([]);
    expect(emu.release(jobId!)).toBe(true);
  });

  it("a status read tried again is told to the client's logger (debug), as the core's own watch tells it: once per read, for useGenerateVideo and useJob of its job", async () => {
    emu = await startFast();
    const said: string[] = [];
    const client = clientFor(emu, { logger: { debug: (m) => said.push(m), warn: () => {} } });
    const { result } = renderHook(
      () => {
        const video = useGenerateVideo({ download: false });
        return { video, badge: useJob(video.jobId ?? null, { download: false }) };
      },
      { ...strictWith(client) },
    );
    let jobId: string | undefined;
    await act(async () => {
      jobId = await result.current.video.submit({ model, prompt: "read through a 503 [hold]" });
    });
    await until(() => result.current.badge.status === "processing");
    // The next status read answers 503, the one after it 200.
    emu.setFaults([{ route: "status", kind: "503" }]);
    await until(() => result.current.video.retrying !== undefined);
    emu.setFaults([]);
    await until(() => result.current.video.retrying === undefined);
    expect(emu.release(jobId!)).toBe(true);
    await until(() => result.current.video.status === "completed" && result.current.badge.status === "completed");
    const failed = emu.stats().faultsInjected["503"]!;
    expect(failed).toBeGreaterThan(0);
    expect(said).toHaveLength(failed);
    for (const [i, line] of said.entries())
      expect(line).toMatch(new RegExp(`^Job ${jobId}: .*\\(HTTP 503\\b.*; retry ${i + 1} in \\d+ ms$`));
  });

  it("a failed job ends in `failed` with the server's reason", async () => {
    emu = await startFast();
    const { result } = renderHook(() => useGenerateVideo(), { ...strictWith(clientFor(emu)) });
    await act(async () => {
      await result.current.submit({ model, prompt: "Please [fail]" });
    });
    await until(() => result.current.status === "failed");
    expect(result.current.error).toBeInstanceOf(JobFailedError);
    expect((result.current.error as JobFailedError).reason).toBe(emu.job(result.current.jobId!)!.error);
    expect(result.current.result).toBeUndefined();
  });

  it("a submit the client rejects ends in `error`, and submit resolves undefined", async () => {
    emu = await startFast();
    const { result } = renderHook(() => useGenerateVideo(), { ...strictWith(clientFor(emu)) });
    let jobId: string | undefined = "unset";
    await act(async () => {
      jobId = await result.current.submit({ model, prompt: "" } as never);
    });
    await until(() => result.current.status === "error");
    expect(jobId).toBeUndefined();
    expect(result.current.error?.name).toBe("InvalidInputError");
    expect(emu.stats().requests.total).toBe(0);
  });

  it("options the watch would refuse refuse the submit: nothing is sent, no job is paid for; retry() with them fixed", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    for (const [options, field] of [
      [{ timeoutMs: "5000" }, "timeoutMs"],
      [{ poll: "fast" }, "poll"],
      [{ download: "no" }, "download"],
    ] as const) {
      const { result, unmount } = renderHook(() => useGenerateVideo(options as never), { ...strictWith(client) });
      let jobId: string | undefined = "unset";
      await act(async () => {
        jobId = await result.current.submit({ model, prompt: `refused ${field}` });
      });
      expect(jobId).toBeUndefined();
      expect(result.current).toMatchObject({ status: "error", watching: false, jobId: undefined });
      expect(result.current.error).toBeInstanceOf(InvalidInputError);
      expect(result.current.error).toMatchObject({ field });
      unmount();
    }
    // Nothing sent at all: no job, not even a token's request.
    expect(emu.stats().jobsCreated).toBe(0);
    expect(emu.stats().requests.total).toBe(0);
    // No job was made, so the same inputs can be submitted again, with the options the next render gives.
    const { result, rerender } = renderHook(({ options }) => useGenerateVideo(options), {
      ...strictWith(client),
      initialProps: { options: { timeoutMs: "5000" } as never as { timeoutMs: number } },
    });
    await act(async () => {
      await result.current.submit({ model, prompt: "refused, then fixed" });
    });
    expect(result.current.canRetry).toBe(true);
    rerender({ options: { timeoutMs: 60_000 } });
    let retried: string | undefined;
    await act(async () => {
      retried = await result.current.retry();
    });
    await until(() => result.current.status === "completed");
    expect(result.current.jobId).toBe(retried);
    expect(emu.stats().jobsCreated).toBe(1);
  });

  it("a submit whose input cannot be read (a getter that throws, no input) ends in `error`, never throws", async () => {
    emu = await startFast();
    const { result } = renderHook(() => useGenerateVideo(), { ...strictWith(clientFor(emu)) });
    let jobId: string | undefined;
    await act(async () => {
      jobId = await result.current.submit({ model, prompt: "watched, then replaced by a submit that fails [hold]" });
    });
    await until(() => result.current.status === "processing");
    const thrown = new Error("this model cannot be read");
    for (const input of [
      {
        prompt: "a model that throws",
        get model(): typeof model {
          throw thrown;
        },
      },
      undefined,
    ]) {
      let submitted: string | undefined | "unset" = "unset";
      await act(async () => {
        submitted = await result.current.submit(input as never);
      });
      expect(submitted).toBeUndefined();
      // The job before is no longer watched, and the state says so: `error`, the core's InvalidInputError.
      expect(result.current).toMatchObject({ status: "error", watching: false, jobId: undefined });
      expect(result.current.error).toBeInstanceOf(InvalidInputError);
    }
    expect(emu.stats().jobsCreated).toBe(1);
    expect(emu.release(jobId!)).toBe(true);
  });

  it("stop() stops reading; the job goes on to completion", async () => {
    emu = await startFast();
    const { client, page, settled } = freeClient(emu);
    const { result } = renderHook(() => useGenerateVideo(), { ...strictWith(client) });
    await act(async () => {
      await result.current.submit({ model, prompt: "stop me [hold]" });
    });
    await until(() => result.current.status === "processing");
    act(() => result.current.stop());
    const jobId = result.current.jobId!;
    const sent = await settled(); // the read on its way when it stopped, if any, is over
    expect(page.sent.length).toBe(sent);
    expect(page.open()).toBe(0);
    expect(result.current).toMatchObject({ status: "processing", jobId });
    expect(emu.release(jobId)).toBe(true); // not cancelled: still running
    const outcome = await client.queue.wait(jobId, { download: false });
    expect(outcome.status).toBe("completed");
  });

  it("reset() goes back to idle, and the next submit starts afresh", async () => {
    emu = await startFast();
    const { result } = renderHook(() => useGenerateVideo({ download: false }), {
      ...strictWith(clientFor(emu)),
    });
    await act(async () => {
      await result.current.submit({ model, prompt: "one" });
    });
    await until(() => result.current.status === "completed");
    const first = result.current.jobId;
    expect(result.current.result).toBeUndefined(); // download: false
    act(() => result.current.reset());
    expect(result.current).toMatchObject({ status: "idle", jobId: undefined, error: undefined, result: undefined });
    await act(async () => {
      await result.current.submit({ model, prompt: "two" });
    });
    await until(() => result.current.status === "completed");
    expect(result.current.jobId).not.toBe(first);
    expect(emu.stats().jobsCreated).toBe(2);
  });

  it("unmounting mid-job stops reading without a state update, and never cancels", async () => {
    emu = await startFast();
    const { client, page, settled } = freeClient(emu);
    const errors = vi.spyOn(console, "error");
    let renders = 0;
    const { result, unmount } = renderHook(
      () => {
        renders++;
        return useGenerateVideo();
      },
      { ...strictWith(client) },
    );
    await act(async () => {
      await result.current.submit({ model, prompt: "unmount me [hold]" });
    });
    await until(() => result.current.status === "processing");
    const jobId = result.current.jobId!;
    unmount();
    const rendered = renders;
    const sent = await settled(); // the read on its way when it unmounted, if any, is over
    expect(page.sent.length).toBe(sent);
    expect(page.open()).toBe(0);
    expect(renders).toBe(rendered);
    expect(errors).not.toHaveBeenCalled();
    expect(emu.release(jobId)).toBe(true); // not cancelled: still running
    expect((await client.queue.wait(jobId, { download: false })).status).toBe("completed");
  });
});

const never = new Promise<never>(() => {});
/** Renders `useGenerateVideo` into `out`: a component of the module (biome: no component defined in a function). */
function SuspenseGenerator({
  out,
  onOrphan,
}: {
  out: { current?: VideoGeneration };
  onOrphan: VideoJobOptions["onOrphan"];
}) {
  out.current = useGenerateVideo({ onOrphan });
  return <p>{out.current.status}</p>;
}
/** A sibling that suspends for good when told to: its `<Suspense>` shows the fallback and hides the others. */
function Suspending({ suspends }: { suspends: boolean }) {
  if (suspends) use(never);
  return null;
}

describe("useGenerateVideo, as an app uses it", () => {
  it("a submit after unmount (a late event handler) resolves the job id and nobody polls the job", async () => {
    emu = await startFast();
    const { client, page, settled } = freeClient(emu);
    const { result, unmount } = renderHook(() => useGenerateVideo(), { ...strictWith(client) });
    const { submit } = result.current;
    unmount();
    await new Promise((resolve) => setTimeout(resolve, 0)); // the handler runs a task later
    const jobId = await submit({ model, prompt: "submitted as the page went away [hold]" });
    expect(jobId).toMatch(/^job_/);
    const sent = await settled();
    expect(page.sent.length).toBe(sent);
    expect(page.sent.filter((url) => url.includes(jobId!))).toEqual([]);
    expect(emu.job(jobId!)!.statusReads).toBe(0);
    expect(emu.release(jobId!)).toBe(true); // not cancelled
  });

  it("a page reloaded while its job runs picks it up by the id it kept, with useJob: the same job to its video, nothing submitted again", async () => {
    emu = await startFast();
    // The page keeps the id from the submit's promise (the README's advice), here in its sessionStorage.
    const before = renderHook(() => useGenerateVideo(), { ...strictWith(clientFor(emu)) });
    await act(async () => {
      const jobId = await before.result.current.submit({ model, prompt: "outlives its page [hold]" });
      sessionStorage.setItem("decart-job", jobId!);
    });
    await until(() => before.result.current.status === "processing");
    before.unmount();
    // The page again, with a client made anew (its own token too), as a reload makes it.
    const jobId = sessionStorage.getItem("decart-job");
    const after = renderHook(() => useJob(jobId, { model, download: true }), { ...strictWith(clientFor(emu)) });
    expect(after.result.current).toMatchObject({ status: "idle", watching: true, jobId });
    await until(() => after.result.current.status === "processing");
    expect(emu.release(jobId!)).toBe(true);
    await ended(after.result);
    expect(after.result.current).toMatchObject({ status: "completed", watching: false, jobId });
    expect(await sha256(after.result.current.result!)).toBe(emu.job(jobId!)!.resultSha256);
    expect(emu.stats()).toMatchObject({ jobsCreated: 1, requests: { byRoute: { submit: 1 } } });
    sessionStorage.clear();
  });

  it("stop() during the submit: the job id arrives in the state (pending) and nothing reads the job", async () => {
    emu = await startFast();
    const { client, page, settled } = freeClient(emu);
    const { result } = renderHook(() => useGenerateVideo(), { ...strictWith(client) });
    let submitted: Promise<string | undefined> | undefined;
    act(() => {
      submitted = result.current.submit({ model, prompt: "stopped while submitting [hold]" });
      result.current.stop();
    });
    let jobId: string | undefined;
    await act(async () => {
      jobId = await submitted;
    });
    expect(result.current).toMatchObject({ status: "pending", jobId });
    const sent = await settled();
    expect(page.sent.length).toBe(sent);
    expect(page.sent.filter((url) => url.includes(jobId!))).toEqual([]);
    expect(emu.job(jobId!)!.statusReads).toBe(0);
    expect(result.current).toMatchObject({ status: "pending", jobId });
  });

  it("reset() during the submit: the submit still resolves with the job it made; the state stays idle and nothing reads the job", async () => {
    emu = await startFast();
    const { client, page, settled } = freeClient(emu);
    const { result } = renderHook(() => useGenerateVideo(), { ...strictWith(client) });
    let submitted: Promise<string | undefined> | undefined;
    act(() => {
      submitted = result.current.submit({ model, prompt: "made while the page moved on [hold]" });
      result.current.reset();
    });
    let jobId: string | undefined;
    await act(async () => {
      jobId = await submitted;
    });
    expect(jobId).toMatch(/^job_/); // made and paid for: the caller has its id
    expect(emu.job(jobId!)).toBeDefined();
    expect(result.current).toMatchObject({ status: "idle", jobId: undefined, watching: false, canRetry: false });
    const sent = await settled();
    expect(page.sent.length).toBe(sent);
    expect(page.sent.filter((url) => url.includes(jobId!))).toEqual([]);
    expect(emu.job(jobId!)!.statusReads).toBe(0);
    expect(emu.release(jobId!)).toBe(true); // not cancelled
  });

  it("a new submit during a submit: the first still resolves with its job id; the state follows the second", async () => {
    emu = await startFast();
    const { result } = renderHook(() => useGenerateVideo({ download: false }), { ...strictWith(clientFor(emu)) });
    let first: Promise<string | undefined> | undefined;
    let second: Promise<string | undefined> | undefined;
    act(() => {
      first = result.current.submit({ model, prompt: "the first [hold]" });
      second = result.current.submit({ model, prompt: "the second" });
    });
    let ids: (string | undefined)[] = [];
    await act(async () => {
      ids = await Promise.all([first, second]);
    });
    const [firstId, secondId] = ids;
    expect(firstId).toMatch(/^job_/);
    expect(secondId).toMatch(/^job_/);
    expect(firstId).not.toBe(secondId);
    await until(() => result.current.status === "completed");
    expect(result.current.jobId).toBe(secondId);
    expect(emu.job(firstId!)!.statusReads).toBe(0);
    expect(emu.release(firstId!)).toBe(true); // not cancelled
  });

  it("a submit left on its way that fails resolves, never rejects: onOrphan gets its error when a job may exist (SUBMIT_OUTCOME_UNKNOWN, an abort once sent), not when it made nothing (a 503, an abort before sending)", async () => {
    emu = await startFast({ faults: [{ route: "submit", kind: "503" }] });
    const onOrphan = vi.fn();
    const { result } = renderHook(() => useGenerateVideo({ onOrphan }), {
      ...strictWith(clientFor(emu, { maxRetries: 0 })),
    });
    let left: Promise<string | undefined> | undefined;
    let shown: Promise<string | undefined> | undefined;
    // Answered 503 after reset(): no job was made.
    act(() => {
      left = result.current.submit({ model, prompt: "left, then answered 503" });
      result.current.reset();
    });
    await act(async () => {
      await expect(left).resolves.toBeUndefined();
    });
    expect(result.current).toMatchObject({ status: "idle", error: undefined });
    expect(onOrphan).not.toHaveBeenCalled();
    // Answered 500 after the next submit: a job may exist; its error goes to onOrphan, with the input, not to the state.
    emu.setFaults([{ route: "submit", kind: "500" }]);
    const input = { model, prompt: "left, then answered 500" };
    act(() => {
      left = result.current.submit(input);
      shown = result.current.submit({ model, prompt: "shown, then answered 500" });
    });
    await act(async () => {
      await expect(left).resolves.toBeUndefined();
      await expect(shown).resolves.toBeUndefined();
    });
    expect(onOrphan).toHaveBeenCalledTimes(1);
    expect(onOrphan).toHaveBeenCalledWith(expect.objectContaining({ code: "SUBMIT_OUTCOME_UNKNOWN" }), input);
    expect(result.current).toMatchObject({
      status: "error",
      error: { code: "SUBMIT_OUTCOME_UNKNOWN" },
      canRetry: false,
    });
    expect(result.current.error).not.toBe(onOrphan.mock.calls[0]![0]);
    // Aborted by your signal once left, before anything was sent: nothing made, nothing said.
    emu.setFaults([{ route: "submit", kind: "slow", delayMs: 60_000 }]);
    const submits = () => emu!.stats().requests.byRoute.submit ?? 0;
    const before = submits();
    let abort = new AbortController();
    act(() => {
      left = result.current.submit({ model, prompt: "left, then aborted at once", signal: abort.signal });
      result.current.reset();
      abort.abort();
    });
    await act(async () => {
      await expect(left).resolves.toBeUndefined();
    });
    expect(submits()).toBe(before);
    expect(onOrphan).toHaveBeenCalledTimes(1);
    // Aborted once the server has it: a job may exist, its AbortError says so.
    abort = new AbortController();
    act(() => {
      left = result.current.submit({ model, prompt: "left, then aborted on its way", signal: abort.signal });
    });
    await until(() => submits() > before);
    act(() => {
      result.current.reset();
      abort.abort();
    });
    await act(async () => {
      await expect(left).resolves.toBeUndefined();
    });
    expect(onOrphan).toHaveBeenCalledTimes(2);
    expect(onOrphan.mock.calls[1]![0]).toMatchObject({ code: "ABORT", jobId: undefined, message: /may exist/ });
    expect(result.current).toMatchObject({ status: "idle", error: undefined });
  });

  it("a submit left, aborted in the wait to send it again after a 500 (retrySubmit): onOrphan gets its AbortError (mayExist, the 500's request id)", async () => {
    emu = await startFast({ faults: [{ route: "submit", kind: "500" }] });
    const onOrphan = vi.fn();
    let waiting = false;
    // A wait that ends only when the submit's signal aborts.
    const delay = (_ms: number, signal?: AbortSignal) =>
      new Promise<void>((_resolve, reject) => {
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
        waiting = true;
      });
    const { result } = renderHook(() => useGenerateVideo({ onOrphan }), {
      ...strictWith(clientFor(emu, { retrySubmit: true, poll: { initialDelayMs: 10, intervalMs: 15, delay } })),
    });
    const abort = new AbortController();
    let left: Promise<string | undefined> | undefined;
    act(() => {
      left = result.current.submit({ model, prompt: "left in the wait", signal: abort.signal });
    });
    await until(() => waiting);
    act(() => {
      result.current.reset();
      abort.abort();
    });
    await act(async () => {
      await expect(left).resolves.toBeUndefined();
    });
    expect(emu.stats().requests.byRoute.submit).toBe(1);
    expect(onOrphan).toHaveBeenCalledTimes(1);
    expect(onOrphan.mock.calls[0]![0]).toMatchObject({
      code: "ABORT",
      mayExist: true,
      requestId: expect.any(String),
      message: /may exist/,
    });
  });

  it("a submit that fails after an unmount goes to onOrphan when a job may exist; one that fails while an <Activity> hides the component is in its state, shown again", async () => {
    emu = await startFast({ faults: [{ route: "submit", kind: "503" }] });
    const client = clientFor(emu, { maxRetries: 0 });
    const onOrphan = vi.fn();
    // Submits `input`, calls `leave` before its answer comes, and answers what `submit` resolved with.
    const submitted = async (hook: { result: { current: VideoGeneration } }, input: Input, leave: () => void) => {
      let left: Promise<string | undefined> | undefined;
      act(() => {
        left = hook.result.current.submit(input);
      });
      leave();
      let got: string | undefined = "unset";
      await act(async () => {
        got = await left;
      });
      return got as string | undefined;
    };
    // Answered 503 after the unmount: no job was made, nothing said.
    const made = renderHook(() => useGenerateVideo({ onOrphan }), { ...strictWith(client) });
    expect(await submitted(made, { model, prompt: "unmounted, then answered 503" }, made.unmount)).toBeUndefined();
    expect(onOrphan).not.toHaveBeenCalled();
    // Answered 500 after the unmount: a job may exist; its error goes to onOrphan, with the input.
    emu.setFaults([{ route: "submit", kind: "500" }]);
    const unmounted = renderHook(() => useGenerateVideo({ onOrphan }), { ...strictWith(client) });
    const input = { model, prompt: "unmounted, then answered 500" };
    expect(await submitted(unmounted, input, unmounted.unmount)).toBeUndefined();
    await act(aTask);
    expect(onOrphan).toHaveBeenCalledTimes(1);
    expect(onOrphan).toHaveBeenCalledWith(expect.objectContaining({ code: "SUBMIT_OUTCOME_UNKNOWN" }), input);
    // Hidden by an <Activity> (not unmounted): the state has it, and the component shown again shows it.
    const tab = activityWith(client);
    const hidden = renderHook(() => useGenerateVideo({ onOrphan }), { wrapper: tab.wrapper, reactStrictMode: true });
    const hide = () => {
      tab.show(false);
      hidden.rerender();
    };
    expect(await submitted(hidden, { model, prompt: "hidden, then answered 500" }, hide)).toBeUndefined();
    await act(aTask);
    tab.show(true);
    hidden.rerender();
    expect(hidden.result.current).toMatchObject({ status: "error", error: { code: "SUBMIT_OUTCOME_UNKNOWN" } });
    expect(onOrphan).toHaveBeenCalledTimes(1);
    // Hidden, then unmounted while hidden: nothing reads the state, onOrphan gets it.
    const again = activityWith(client);
    const gone = renderHook(() => useGenerateVideo({ onOrphan }), { wrapper: again.wrapper, reactStrictMode: true });
    const hideThenUnmount = () => {
      again.show(false);
      gone.rerender();
      gone.unmount();
    };
    const last = { model, prompt: "hidden, unmounted, then answered 500" };
    expect(await submitted(gone, last, hideThenUnmount)).toBeUndefined();
    await act(aTask);
    expect(onOrphan).toHaveBeenCalledTimes(2);
    expect(onOrphan).toHaveBeenLastCalledWith(expect.objectContaining({ code: "SUBMIT_OUTCOME_UNKNOWN" }), last);
  });

  it("a submit that fails while an <Activity> hides the component, which is then removed without being shown, goes to onOrphan once (not when shown again first)", async () => {
    emu = await startFast({ faults: [{ route: "submit", kind: "500" }] });
    const client = clientFor(emu, { maxRetries: 0 });
    const onOrphan = vi.fn();
    // Submits `input`, hides the component before its answer comes, and waits for that answer (in the state).
    const failHidden = async (
      tab: ReturnType<typeof activityWith>,
      hook: { result: { current: VideoGeneration }; rerender(): void },
      input: Input,
    ) => {
      let sent: Promise<string | undefined> | undefined;
      act(() => {
        sent = hook.result.current.submit(input);
      });
      tab.show(false);
      hook.rerender();
      let got: string | undefined = "unset";
      await act(async () => {
        got = await sent;
      });
      await act(aTask);
      return got as string | undefined;
    };
    // Failed while hidden, then removed, never shown: nobody saw the error; onOrphan gets it, with the input.
    const tab = activityWith(client);
    const hook = renderHook(() => useGenerateVideo({ onOrphan }), { wrapper: tab.wrapper, reactStrictMode: true });
    const input = { model, prompt: "hidden, answered 500, then removed" };
    expect(await failHidden(tab, hook, input)).toBeUndefined();
    expect(onOrphan).not.toHaveBeenCalled(); // in the state, which may be shown again
    hook.unmount();
    await act(aTask);
    expect(onOrphan).toHaveBeenCalledTimes(1);
    expect(onOrphan).toHaveBeenCalledWith(expect.objectContaining({ code: "SUBMIT_OUTCOME_UNKNOWN" }), input);
    // Failed while hidden, shown (the error seen), hidden again, then removed: not told again.
    const other = activityWith(client);
    const shown = renderHook(() => useGenerateVideo({ onOrphan }), { wrapper: other.wrapper, reactStrictMode: true });
    expect(await failHidden(other, shown, { model, prompt: "hidden, answered 500, shown" })).toBeUndefined();
    other.show(true);
    shown.rerender();
    expect(shown.result.current).toMatchObject({ status: "error", error: { code: "SUBMIT_OUTCOME_UNKNOWN" } });
    other.show(false);
    shown.rerender();
    shown.unmount();
    await act(aTask);
    expect(onOrphan).toHaveBeenCalledTimes(1);
    // Failed while hidden, then reset() while still hidden (the error leaves the state unseen): told then, once.
    const third = activityWith(client);
    const reset = renderHook(() => useGenerateVideo({ onOrphan }), { wrapper: third.wrapper, reactStrictMode: true });
    const wiped = { model, prompt: "hidden, answered 500, reset" };
    expect(await failHidden(third, reset, wiped)).toBeUndefined();
    act(() => reset.result.current.reset());
    await act(aTask);
    expect(onOrphan).toHaveBeenCalledTimes(2);
    expect(onOrphan).toHaveBeenLastCalledWith(expect.objectContaining({ code: "SUBMIT_OUTCOME_UNKNOWN" }), wiped);
    reset.unmount();
    await act(aTask);
    expect(onOrphan).toHaveBeenCalledTimes(2);
  });

  it("a submit that failed while an <Activity> hides the component, then the next submit while still hidden (failing too), then removal: onOrphan gets both", async () => {
    emu = await startFast({ faults: [{ route: "submit", kind: "500" }] });
    const onOrphan = vi.fn();
    const tab = activityWith(clientFor(emu, { maxRetries: 0 }));
    const hook = renderHook(() => useGenerateVideo({ onOrphan }), { wrapper: tab.wrapper, reactStrictMode: true });
    tab.show(false);
    hook.rerender();
    const first = { model, prompt: "hidden, answered 500, then submitted over" };
    const next = { model, prompt: "hidden, submitted over the first, answered 500" };
    for (const input of [first, next]) {
      let sent: Promise<unknown> | undefined;
      act(() => {
        sent = hook.result.current.submit(input);
      });
      await act(async () => {
        await sent;
      });
      await act(aTask);
    }
    // The next submit replaced the first's error nobody saw: told then.
    expect(onOrphan).toHaveBeenCalledTimes(1);
    expect(onOrphan).toHaveBeenLastCalledWith(expect.objectContaining({ code: "SUBMIT_OUTCOME_UNKNOWN" }), first);
    // Removed without being shown: the next's, nobody saw either.
    hook.unmount();
    await act(aTask);
    expect(onOrphan).toHaveBeenCalledTimes(2);
    expect(onOrphan).toHaveBeenLastCalledWith(expect.objectContaining({ code: "SUBMIT_OUTCOME_UNKNOWN" }), next);
  });

  it("an earlier submit failing after the latest failed while an <Activity> hid the component leaves the latest's error unseen: removed, onOrphan gets both", async () => {
    emu = await startFast({ faults: [{ route: "submit", kind: "500" }] });
    // The first submit's request is sent (to the emulator, over HTTP) once `open()` is called.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let posts = 0;
    const gated: typeof fetch = async (url, init) => {
      if (init?.method === "POST" && ++posts === 1) await gate;
      return fetch(url, init);
    };
    const onOrphan = vi.fn();
    const tab = activityWith(clientFor(emu, { maxRetries: 0, fetch: gated }));
    const hook = renderHook(() => useGenerateVideo({ onOrphan }), { wrapper: tab.wrapper, reactStrictMode: true });
    const first = { model, prompt: "left by the next submit, answered 500 last" };
    const latest = { model, prompt: "the latest, answered 500 while hidden" };
    let sentFirst: Promise<unknown> | undefined;
    let sentLatest: Promise<unknown> | undefined;
    act(() => {
      sentFirst = hook.result.current.submit(first);
    });
    await act(() => until(() => posts === 1));
    act(() => {
      sentLatest = hook.result.current.submit(latest);
    });
    tab.show(false);
    hook.rerender();
    await act(async () => {
      await sentLatest;
    });
    await act(aTask);
    expect(onOrphan).not.toHaveBeenCalled(); // the latest's error is in the (hidden) state
    open();
    await act(async () => {
      await sentFirst;
    });
    await act(aTask);
    expect(onOrphan).toHaveBeenCalledTimes(1); // the first's: left, no state shows it
    expect(onOrphan).toHaveBeenLastCalledWith(expect.objectContaining({ code: "SUBMIT_OUTCOME_UNKNOWN" }), first);
    // Removed without being shown: nobody saw the latest's error either.
    hook.unmount();
    await act(aTask);
    expect(onOrphan).toHaveBeenCalledTimes(2);
    expect(onOrphan).toHaveBeenLastCalledWith(expect.objectContaining({ code: "SUBMIT_OUTCOME_UNKNOWN" }), latest);
  });

  it("a submit that fails while a <Suspense> fallback hides the component (a sibling suspended) goes to onOrphan if it is removed before it is shown again, not after", async () => {
    emu = await startFast({ faults: [{ route: "submit", kind: "500" }] });
    const client = clientFor(emu, { maxRetries: 0 });
    const onOrphan = vi.fn();
    const out: { current?: VideoGeneration } = {};
    // The sibling suspending shows the fallback: the component is hidden (display: none), its state still read.
    const tree = (suspends: boolean) => (
      <StrictMode>
        <DecartProvider client={client}>
          <Suspense fallback={<i>loading</i>}>
            <SuspenseGenerator out={out} onOrphan={onOrphan} />
            <Suspending suspends={suspends} />
          </Suspense>
        </DecartProvider>
      </StrictMode>
    );
    const failHidden = async (view: ReturnType<typeof render>, input: Input) => {
      let sent: Promise<unknown> | undefined;
      act(() => {
        sent = out.current!.submit(input);
      });
      // The fallback shown before the answer comes (awaited: the sibling suspends in it).
      await act(async () => {
        view.rerender(tree(true));
      });
      await act(async () => {
        await sent;
      });
      await act(aTask);
      expect(view.container.querySelector("i")).not.toBeNull(); // the fallback was shown all along
    };
    // Failed behind the fallback, then removed: nobody saw the error.
    const view = render(tree(false));
    const input = { model, prompt: "answered 500 behind a fallback, then removed" };
    await failHidden(view, input);
    expect(onOrphan).not.toHaveBeenCalled();
    view.unmount();
    await act(aTask);
    expect(onOrphan).toHaveBeenCalledTimes(1);
    expect(onOrphan).toHaveBeenCalledWith(expect.objectContaining({ code: "SUBMIT_OUTCOME_UNKNOWN" }), input);
    // Failed behind the fallback, shown again (the sibling done), then removed: seen, not told.
    const again = render(tree(false));
    await failHidden(again, { model, prompt: "answered 500 behind a fallback, then shown" });
    again.rerender(tree(false));
    await act(aTask);
    expect(again.container.textContent).toBe("error");
    again.unmount();
    await act(aTask);
    expect(onOrphan).toHaveBeenCalledTimes(1);
  });

  it("a submit whose promise is ignored never rejects: the next click aborts the one on its way and submits again", async () => {
    emu = await startFast({ faults: [{ route: "submit", kind: "slow", delayMs: 60_000 }] });
    const { result } = renderHook(() => useGenerateVideo(), { ...strictWith(clientFor(emu, { maxRetries: 0 })) });
    let controller: AbortController | undefined;
    const submits: Promise<string | undefined>[] = [];
    // As an `onClick` does, which ignores what `submit` returns.
    const click = () =>
      act(() => {
        controller?.abort();
        controller = new AbortController();
        submits.push(result.current.submit({ model, prompt: "A lake at dawn", signal: controller.signal }));
      });
    const sent = (n: number) => until(() => (emu!.stats().requests.byRoute.submit ?? 0) >= n);
    click();
    await sent(1);
    click();
    // The first one's abort has come and gone, with no handler on its promise: an unhandled rejection fails the run.
    await sent(2);
    await act(aTask);
    expect(result.current.status).toBe("submitting");
    controller!.abort();
    await act(() => ended(result));
    expect(result.current.error).toMatchObject({ code: "ABORT" });
    await expect(Promise.all(submits)).resolves.toEqual([undefined, undefined]);
  });

  it("`watching` says whether the hook still follows its job: from the submit to the end, not after stop()", async () => {
    emu = await startFast();
    const { result } = renderHook(() => useGenerateVideo({ download: false }), { ...strictWith(clientFor(emu)) });
    expect(result.current.watching).toBe(false);
    let submitted: Promise<string | undefined> | undefined;
    act(() => {
      submitted = result.current.submit({ model, prompt: "stopped [hold]" });
    });
    expect(result.current).toMatchObject({ status: "submitting", watching: true });
    await act(async () => {
      await submitted;
    });
    await until(() => result.current.status === "processing");
    expect(result.current.watching).toBe(true);
    act(() => result.current.stop());
    expect(result.current).toMatchObject({ status: "processing", watching: false }); // what it last saw, not followed
    const stopped = result.current.jobId!;
    await act(async () => {
      await result.current.submit({ model, prompt: "followed to the end" });
    });
    expect(result.current.watching).toBe(true);
    await until(() => result.current.status === "completed");
    expect(result.current.watching).toBe(false);
    act(() => result.current.reset());
    expect(result.current.watching).toBe(false);
    expect(emu.release(stopped)).toBe(true);
  });

  it("a submit that errors once the job exists (its onUploadProgress threw) resolves the job id and keeps it", async () => {
    emu = await startFast();
    const { result } = renderHook(() => useGenerateVideo(), { ...strictWith(clientFor(emu)) });
    const boom = new Error("the progress bar broke");
    let jobId: string | undefined;
    await act(async () => {
      jobId = await result.current.submit({
        model,
        prompt: "accepted, then the callback throws [hold]",
        onUploadProgress: () => {
          throw boom; // in a browser, called once the server answered
        },
      });
    });
    expect(jobId).toMatch(/^job_/);
    expect(emu.job(jobId!)).toBeDefined();
    expect(result.current).toMatchObject({ status: "error", jobId, watching: false });
    expect(result.current.error).toMatchObject({ code: "CALLBACK_ERROR", jobId, cause: boom });
    expect(emu.release(jobId!)).toBe(true); // not cancelled
  });

  it("the file a submit uploaded is kept for retry() only until its job completed, reset() or the next submit", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const png = await client.process({ model: models.image("lucy-pro-t2i"), prompt: "the first frame" });
    const bytes = await png.arrayBuffer();
    const { result } = renderHook(() => useGenerateVideo(), { ...strictWith(client) });
    /** Submits `prompt` from a file the page lets go of at once: a reference to that file. */
    const submitted = async (prompt: string) => {
      const page: { file?: Blob } = { file: new Blob([bytes], { type: "image/png" }) };
      const file = new WeakRef(page.file!);
      await act(async () => {
        await result.current.submit({ model: models.video("lucy-pro-i2v"), prompt, data: page.file! });
      });
      page.file = undefined; // the page let go of it
      return file;
    };
    const completes = await submitted("from a still");
    await until(() => result.current.status === "completed");
    expect(await collected(completes)).toBe(true);
    const fails = await submitted("from a still [fail]");
    await until(() => result.current.status === "failed");
    act(() => result.current.reset());
    expect(await collected(fails)).toBe(true);
    const replaced = await submitted("from a still [fail]");
    await until(() => result.current.status === "failed");
    await submitted("the next one [hold]");
    expect(await collected(replaced)).toBe(true);
    expect(emu.release(result.current.jobId!)).toBe(true);
  });

  it("a job goes on being followed after an <Activity> hid its component and showed it again", async () => {
    emu = await startFast();
    const { client, page, settled } = freeClient(emu);
    const tab = activityWith(client);
    const { result, rerender } = renderHook(() => useGenerateVideo(), { wrapper: tab.wrapper, reactStrictMode: true });
    await act(async () => {
      await result.current.submit({ model, prompt: "in a tab the user leaves and comes back to [hold]" });
    });
    await until(() => result.current.status === "processing");
    const jobId = result.current.jobId!;
    tab.show(false);
    rerender();
    // Hidden, its effects are gone: once the read on its way is over, nothing is read where a watch reads at once.
    const hidden = await settled();
    expect(page.sent.length).toBe(hidden);
    tab.show(true);
    rerender();
    expect(emu.release(jobId)).toBe(true);
    await until(() => result.current.status === "completed");
    expect(await sha256(result.current.result!)).toBe(emu.job(jobId)!.resultSha256);
  });

  it("an <Activity> that hid it past its timeoutMs does not give the job a new budget: shown, the watch times out", async () => {
    emu = await startFast();
    const { clock, client } = clocked(emu); // hidden for 5 s of its clock, however long the test runs
    const tab = activityWith(client);
    const { result, rerender } = renderHook(() => useGenerateVideo({ timeoutMs: 2_000 }), {
      wrapper: tab.wrapper,
      reactStrictMode: true,
    });
    await act(async () => {
      await result.current.submit({ model, prompt: "in a tab left for a while [hold]" });
    });
    await until(() => result.current.status === "processing");
    await away(tab, rerender, clock, 5_000);
    await expectTimedOut(result, result.current.jobId!);
  });

  it("the budget runs from the submit's answer, also when that answer comes while an <Activity> hides the component", async () => {
    emu = await startFast();
    const { clock, client } = clocked(emu);
    const tab = activityWith(client);
    const { result, rerender } = renderHook(() => useGenerateVideo({ timeoutMs: 2_000 }), {
      wrapper: tab.wrapper,
      reactStrictMode: true,
    });
    let submitted: Promise<string | undefined> = Promise.resolve(undefined);
    act(() => {
      submitted = result.current.submit({ model, prompt: "submitted as the tab was left [hold]" });
    });
    tab.show(false);
    rerender();
    const jobId = (await submitted)!; // answered while hidden: known, not watched
    clock.now += 5_000;
    tab.show(true);
    rerender();
    await expectTimedOut(result, jobId);
  });

  it("options changed mid-job keep the job followed as submitted; the next submit takes them", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const asked = { first: 0, second: 0 };
    const first: PollSchedule = () => {
      asked.first++;
      return 15;
    };
    const second: PollSchedule = () => {
      asked.second++;
      return 15;
    };
    const { result, rerender } = renderHook(
      ({ download, poll }: { download: boolean; poll: PollSchedule }) => useGenerateVideo({ download, poll }),
      { ...strictWith(client), initialProps: { download: true, poll: first } },
    );
    await act(async () => {
      await result.current.submit({ model, prompt: "a checkbox changes while it runs [hold]" });
    });
    await until(() => result.current.status === "processing");
    const jobId = result.current.jobId!;
    rerender({ download: false, poll: second });
    expect(result.current).toMatchObject({ status: "processing", jobId });
    expect(emu.release(jobId)).toBe(true);
    await until(() => result.current.status === "completed");
    expect(await sha256(result.current.result!)).toBe(emu.job(jobId)!.resultSha256); // downloaded, as submitted
    const before = { ...asked };
    await act(async () => {
      await result.current.submit({ model, prompt: "the next one [hold]" });
    });
    await until(() => asked.second > before.second);
    expect(asked.first).toBe(before.first);
    expect(emu.release(result.current.jobId!)).toBe(true);
    await until(() => result.current.status === "completed");
    expect(result.current.result).toBeUndefined(); // download: false
  });
});

/** A poll schedule of 15 ms that notes, at each tick, the reads its poller made (`attempt`) in `attempts`. */
function countedSchedule() {
  const attempts: number[] = [];
  const poll = ({ attempt }: { attempt: number }) => {
    attempts.push(attempt);
    return 15;
  };
  return { attempts, poll };
}

function Badge({ name, jobId, poll }: { name: string; jobId: string; poll: PollSchedule }) {
  const job = useJob(jobId, { model, poll });
  return <p data-testid={name}>{job.status}</p>;
}

describe("useJob", () => {
  it("`retrying` stays set while a download cut short waits to start again at progress 0, until the new download's bytes", async () => {
    // The emulator cuts the result short (its truncate fault: half the body, then the connection ends) until the test
    // lifts it, and the watch's wait before the next download (the client's `poll.delay`: 50 ms at least, where its
    // reads wait 10 and 15) ends when the test says: the download starts again only then.
    emu = await startFast({ faults: [{ route: "content", kind: "truncate" }] });
    const { job_id } = await clientFor(emu).queue.submit({ model, prompt: "cut short once" });
    await until(() => emu!.job(job_id)?.status === "completed");
    const waits: (() => void)[] = [];
    const delay = (ms: number) =>
      new Promise<void>((resolve) => (ms >= 50 ? waits.push(resolve) : setTimeout(resolve, ms)));
    const client = clientFor(emu, { poll: { initialDelayMs: 10, intervalMs: 15, delay } });
    const seen: GenerationState[] = [];
    const { result } = renderHook(
      () => {
        const job = useJob(job_id, { model: "lucy-pro-t2v" });
        seen.push(job);
        return job;
      },
      { ...strictWith(client) },
    );
    // Cut short: the core's `downloading` at 0 (the size the cut answer's), then `retrying`; the next download waits.
    await until(() => waits.length === 1);
    await act(async () => {});
    const total = emu.job(job_id)!.resultBytes!;
    expect(result.current).toMatchObject({
      status: "downloading",
      watching: true,
      progress: { receivedBytes: 0, totalBytes: total },
      retrying: { type: "retrying", jobId: job_id, attempt: 1, error: { jobId: job_id } },
    });
    const from = seen.length - 1;
    emu.setFaults([]);
    act(() => waits[0]!());
    await ended(result);
    expect(result.current).toMatchObject({
      status: "completed",
      retrying: undefined,
      progress: { receivedBytes: total, totalBytes: total },
    });
    expect(result.current.result!.size).toBe(total);
    // From the cut until the new download's first bytes, every state said `retrying`, at progress 0; those bytes
    // cleared it.
    const restarted = seen.findIndex((s, i) => i > from && (s.progress?.receivedBytes ?? 0) > 0);
    expect(restarted).toBeGreaterThan(from);
    for (const state of seen.slice(from, restarted))
      expect(state).toMatchObject({ status: "downloading", progress: { receivedBytes: 0 }, retrying: { attempt: 1 } });
    expect(seen[restarted]!.retrying).toBeUndefined();
    expect(emu.stats().faultsInjected.truncate).toBe(1);
  });

  it("two components watching one job share one poller: one status read per tick, one download", async () => {
    // The job stays processing ([hold]) until both components have seen it and the poller has ticked a few times.
    emu = await startFast();
    const client = clientFor(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "shared [hold]" });
    // The schedule is asked once per tick by each poller, with the reads that poller made: one poller, no repeats.
    const { attempts, poll } = countedSchedule();
    render(
      <>
        <Badge name="a" jobId={job_id} poll={poll} />
        <Badge name="b" jobId={job_id} poll={poll} />
      </>,
      { ...strictWith(client) },
    );
    await until(() => screen.getByTestId("a").textContent === "processing");
    await until(() => screen.getByTestId("b").textContent === "processing");
    await until(() => attempts.length > 3);
    expect(emu.release(job_id)).toBe(true);
    await until(() => screen.getByTestId("a").textContent === "completed");
    await until(() => screen.getByTestId("b").textContent === "completed");
    const job = emu.job(job_id)!;
    expect(attempts.length).toBeGreaterThan(2);
    expect(attempts).toEqual(attempts.map((_, i) => i + 1));
    expect(job.statusReads).toBe(attempts.length + 1);
    expect(job.contentReads).toBe(1);
  });

  it("a model given mid-job (learnt after the first render) neither resets the state nor restarts the watch", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "its model known later [hold]" });
    // The schedule is asked once per tick with the reads its poller made: a second poller would count from 1 again.
    const { attempts, poll } = countedSchedule();
    const seen: GenerationState[] = [];
    const { result, rerender } = renderHook(
      ({ known }: { known: boolean }) => {
        const job = useJob(job_id, { model: known ? model : undefined, poll });
        seen.push(job);
        return job;
      },
      { ...strictWith(client), initialProps: { known: false } },
    );
    await until(() => result.current.status === "processing" && attempts.length > 1);
    rerender({ known: true });
    await until(() => attempts.length > 4);
    expect(emu.release(job_id)).toBe(true);
    await until(() => result.current.status === "completed");
    const statuses = statusesOf(seen);
    expect(statuses.slice(1)).not.toContain("idle"); // "idle" only until the first read answered
    expect(statuses.at(-1)).toBe("completed");
    expect(attempts).toEqual(attempts.map((_, i) => i + 1));
  });

  it("download given as undefined, then true (its default: the same watch) neither resets the state nor watches again", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "downloaded once" });
    const { result, rerender } = renderHook(
      ({ download }: { download: boolean | undefined }) => useJob(job_id, { model, download }),
      { ...strictWith(client), initialProps: { download: undefined as boolean | undefined } },
    );
    await until(() => result.current.status === "completed");
    const shown = result.current;
    const { contentReads, statusReads } = emu.job(job_id)!;
    expect(contentReads).toBe(1);
    rerender({ download: true });
    // The same follower: its state as it was, the video it downloaded, nothing read again.
    expect(result.current).toMatchObject({ status: "completed", watching: false, result: shown.result });
    await act(aTask);
    expect(emu.job(job_id)).toMatchObject({ contentReads, statusReads });
    // false is another watch (no video): a new follower.
    rerender({ download: false });
    expect(result.current.status).not.toBe("completed");
    await until(() => result.current.status === "completed");
    expect(result.current.result).toBeUndefined();
    expect(emu.job(job_id)!.contentReads).toBe(1);
  });

  it("`watching` is true while it follows the job, false after stop() and after the end", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "watched [hold]" });
    const { job_id: other } = await client.queue.submit({ model, prompt: "watched to its end", seed: 2 });
    const strict = strictWith(client);
    const stopped = renderHook(() => useJob(job_id, { model }), strict);
    const ended = renderHook(() => useJob(other, { model, download: false }), strict);
    await until(() => stopped.result.current.status === "processing");
    expect(stopped.result.current.watching).toBe(true);
    act(() => stopped.result.current.stop());
    expect(stopped.result.current).toMatchObject({ status: "processing", watching: false });
    await until(() => ended.result.current.status === "completed");
    expect(ended.result.current.watching).toBe(false);
    expect(renderHook(() => useJob(undefined), strict).result.current.watching).toBe(false);
    expect(emu.release(job_id)).toBe(true);
  });

  it("an <Activity> that hid it past its timeoutMs does not give the job a new budget: shown, the watch times out", async () => {
    emu = await startFast();
    const { clock, client } = clocked(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "watched in a tab left for a while [hold]" });
    const tab = activityWith(client);
    const { result, rerender } = renderHook(() => useJob(job_id, { model, timeoutMs: 2_000 }), {
      wrapper: tab.wrapper,
      reactStrictMode: true,
    });
    await until(() => result.current.status === "processing");
    await away(tab, rerender, clock, 1_000); // half the budget: shown again, the job goes on being watched
    expect(result.current).toMatchObject({ status: "processing", watching: true });
    await away(tab, rerender, clock, 1_500);
    await expectTimedOut(result, job_id);
  });

  it("follows a failed job, and reads nothing without a job id", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "[fail] elsewhere" });
    // A watch reads at once (a first read after 0 ms): had the hook without a job id started one when mounted, it would
    // have asked for a status before the one given the id later does.
    const page = countingFetch();
    const { result, rerender } = renderHook(
      ({ id }: { id: string | undefined }) => ({ none: useJob(undefined), job: useJob(id) }),
      {
        ...strictWith(clientFor(emu, { fetch: page, poll: { initialDelayMs: 0, intervalMs: 15 } })),
        initialProps: { id: undefined as string | undefined },
      },
    );
    rerender({ id: job_id });
    await until(() => result.current.job.status === "failed");
    expect(result.current.job.jobId).toBe(job_id);
    expect(result.current.job.error).toBeInstanceOf(JobFailedError);
    expect(result.current.none.status).toBe("idle");
    expect(page.sent.length).toBeGreaterThan(0);
    expect(page.sent.every((url) => url === `${emu!.url}/v1/jobs/${job_id}`)).toBe(true);
  });
});

describe("a `signal` or `onStatusChange` in the options of useJob or useGenerateVideo", () => {
  it("is refused with an InvalidInputError naming it and the fix (stop()), not ignored: nothing is read", async () => {
    emu = await startFast();
    const { client, page, settled } = freeClient(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "watched with a signal of its own [hold]" });
    const signal = new AbortController().signal;
    const strict = strictWith(client);
    vi.spyOn(console, "error").mockImplementation(() => {}); // React's report of the error thrown while rendering
    const refused = (render: () => unknown) => {
      try {
        render();
      } catch (error) {
        return error;
      }
    };
    // The options' types have no `signal` (they do not extend the core's WaitOptions, whose `signal` stops a watch).
    // @ts-expect-error `signal` is not an option of useJob
    const job = refused(() => renderHook(() => useJob(job_id, { model, signal }), strict));
    // @ts-expect-error nor of useGenerateVideo
    const video = refused(() => renderHook(() => useGenerateVideo({ signal }), strict));
    // Nor is the core's `onStatusChange`: the hook's state is the status.
    const onStatusChange = () => {};
    // @ts-expect-error not an option of useJob
    const jobCallback = refused(() => renderHook(() => useJob(job_id, { model, onStatusChange }), strict));
    // @ts-expect-error nor of useGenerateVideo
    const videoCallback = refused(() => renderHook(() => useGenerateVideo({ onStatusChange }), strict));
    for (const [error, hook, field] of [
      [job, "useJob", "signal"],
      [video, "useGenerateVideo", "signal"],
      [jobCallback, "useJob", "onStatusChange"],
      [videoCallback, "useGenerateVideo", "onStatusChange"],
    ] as const) {
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ field });
      expect((error as Error).message).toMatch(new RegExp(`^${hook}: "${field}" is not an option: .*stop\\(\\)`));
    }
    expect(await settled()).toBe(page.sent.length);
    expect(page.sent.filter((url) => url.endsWith(`/v1/jobs/${job_id}`))).toEqual([]); // nothing watched the job
    // `signal: undefined` (a spread of options without one) is no signal: the job is watched as without it.
    const { result } = renderHook(() => useJob(job_id, { model, signal: undefined } as never), strict);
    await until(() => result.current.status === "processing");
    expect(emu.release(job_id)).toBe(true);
  });
});

describe("useGenerateVideo: the input's signal ends the submit, then the watch", () => {
  it("aborted once the job is submitted, it stops watching: `error`, the core's AbortError carrying the job id", async () => {
    emu = await startFast();
    const { client, page, settled } = freeClient(emu);
    const { result } = renderHook(() => useGenerateVideo(), { ...strictWith(client) });
    const controller = new AbortController();
    let jobId: string | undefined;
    await act(async () => {
      jobId = await result.current.submit({
        model,
        prompt: "watched until its signal aborts [hold]",
        signal: controller.signal,
      });
    });
    await until(() => result.current.status === "processing");
    const reason = new Error("the user left");
    act(() => controller.abort(reason));
    expect(result.current).toMatchObject({ status: "error", watching: false, jobId, canRetry: false });
    expect(result.current.error).toMatchObject({ name: "AbortError", jobId, cause: reason });
    // Nothing reads the job any more, also once it ends; the job was not cancelled.
    const reads = () => page.sent.filter((url) => url.endsWith(`/v1/jobs/${jobId}`)).length;
    await settled();
    const before = reads();
    expect(emu.release(jobId!)).toBe(true);
    expect(await settled()).toBe(page.sent.length);
    expect(reads()).toBe(before);
    expect(emu.job(jobId!)!.status).toBe("completed");
    expect(result.current.status).toBe("error");
  });

  it("aborted while stopped, a watch again (retry) ends at once with its AbortError; a signal never aborted changes nothing", async () => {
    emu = await startFast();
    const { client } = freeClient(emu);
    const { result } = renderHook(() => useGenerateVideo(), { ...strictWith(client) });
    const controller = new AbortController();
    let jobId: string | undefined;
    await act(async () => {
      jobId = await result.current.submit({
        model,
        prompt: "stopped, then its signal aborts",
        signal: controller.signal,
      });
    });
    act(() => result.current.stop());
    act(() => controller.abort());
    expect(result.current).toMatchObject({ watching: false, canRetry: true });
    await act(async () => {
      await result.current.retry();
    });
    expect(result.current).toMatchObject({ status: "error", watching: false, jobId });
    expect(result.current.error).toMatchObject({ name: "AbortError", jobId });
    // A signal that never aborts: the job is watched to its end, and the signal let go of then (no listener left).
    const kept = new AbortController();
    const added = vi.spyOn(kept.signal, "addEventListener");
    const removed = vi.spyOn(kept.signal, "removeEventListener");
    await act(async () => {
      await result.current.submit({ model, prompt: "its signal never aborts", signal: kept.signal });
    });
    await until(() => result.current.status === "completed");
    const listening = added.mock.calls.filter(([type]) => type === "abort").map(([, listener]) => listener);
    expect(listening.length).toBeGreaterThan(0);
    for (const listener of listening) expect(removed).toHaveBeenCalledWith("abort", listener);
  });
});

/** A component that shows a job, and puts its state `into` the test's hands (the test lets go of it). */
function Shown({
  jobId,
  keepResultMs,
  into,
}: {
  jobId: string;
  keepResultMs: number;
  into: { state?: GenerationState };
}) {
  into.state = useJob(jobId, { model, keepResultMs });
  return null;
}

describe("useJob, mounted again for a completed job", () => {
  it("with `keepResultMs`, a component mounted again within it shows the kept result: one download", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "shown, hidden by a route, shown again" });
    const strict = strictWith(client);
    const first = renderHook(() => useJob(job_id, { model, keepResultMs: 60_000 }), strict);
    await until(() => first.result.current.status === "completed");
    const shown = first.result.current;
    first.unmount();
    await aTask(); // the component is gone, not only unsubscribed for StrictMode's second effect
    // From its first render on: never `idle` first (a frame without the video).
    const rendered: GenerationState[] = [];
    const again = renderHook(() => {
      const state = useJob(job_id, { model, keepResultMs: 60_000 });
      rendered.push(state);
      return state;
    }, strict);
    expect(rendered.map((state) => state.status)).toEqual(rendered.map(() => "completed"));
    expect(rendered[0]!.result).toBe(shown.result);
    expect(again.result.current).toMatchObject({ status: "completed", watching: false, jobId: job_id });
    expect(again.result.current.result).toBe(shown.result);
    expect(again.result.current.progress).toEqual(shown.progress);
    expect(emu.job(job_id)!.contentReads).toBe(1);
    // Another component of the job, while this one shows it: the same result, at once, no download.
    let firstRender: GenerationState | undefined;
    const other = renderHook(() => {
      const state = useJob(job_id, { model, keepResultMs: 60_000 });
      firstRender ??= state;
      return state;
    }, strict);
    expect(firstRender).toMatchObject({ status: "completed", result: shown.result });
    expect(other.result.current.result).toBe(shown.result);
    // A server render (and so a page's hydration) shows no kept result: nothing is kept on the server.
    const Wrapper = strict.wrapper;
    const server: { state?: GenerationState } = {};
    renderToString(
      <Wrapper>
        <Shown jobId={job_id} keepResultMs={60_000} into={server} />
      </Wrapper>,
    );
    expect(server.state).toMatchObject({ status: "idle", jobId: job_id, result: undefined });
    expect(emu.job(job_id)!.contentReads).toBe(1);
    // One without download reads the status, as asked, and has no result.
    const statusOnly = renderHook(() => useJob(job_id, { model, download: false, keepResultMs: 60_000 }), strict);
    await until(() => statusOnly.result.current.status === "completed");
    expect(statusOnly.result.current.result).toBeUndefined();
  });

  it("without `keepResultMs` (the default), nothing is kept: mounted again, it downloads again", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "shown twice" });
    const strict = strictWith(client);
    const first = renderHook(() => useJob(job_id, { model }), strict);
    await until(() => first.result.current.status === "completed");
    first.unmount();
    await aTask();
    const again = renderHook(() => useJob(job_id, { model }), strict);
    expect(again.result.current.status).not.toBe("completed");
    await until(() => again.result.current.status === "completed");
    expect(emu.job(job_id)!.contentReads).toBe(2);
  });

  it("`keepResultMs` longer than a timer can wait (Infinity, 2^31 ms, 2^31 - 0.5 ms) keeps the result, not drops it at once", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const strict = strictWith(client);
    for (const keepResultMs of [Infinity, 2 ** 31, 2 ** 31 - 0.5]) {
      const { job_id } = await client.queue.submit({ model, prompt: `kept for ${keepResultMs} ms` });
      const first = renderHook(() => useJob(job_id, { model, keepResultMs }), strict);
      await until(() => first.result.current.status === "completed");
      const shown = first.result.current.result;
      first.unmount();
      await aTask(); // the drop timer, if any, is set
      // A timer given more than 2^31 - 1 ms fires after 1 ms: one of 1 ms set after it fires after it.
      await new Promise((resolve) => setTimeout(resolve, 1));
      const again = renderHook(() => useJob(job_id, { model, keepResultMs }), strict);
      expect(again.result.current).toMatchObject({ status: "completed", result: shown });
      expect(emu.job(job_id)!.contentReads).toBe(1);
      again.unmount();
    }
  });

  it("the timer that drops a kept result does not keep a Node process alive (unref)", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "kept, in a script that ends" });
    const first = renderHook(() => useJob(job_id, { model, keepResultMs: 54_321 }), { ...strictWith(client) });
    await until(() => first.result.current.status === "completed");
    const timers = vi.spyOn(globalThis, "setTimeout");
    first.unmount();
    await aTask();
    const drop = timers.mock.calls.findIndex(([, ms]) => ms === 54_321);
    expect(drop).toBeGreaterThanOrEqual(0);
    const timer = timers.mock.results[drop]!.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    clearTimeout(timer);
  });

  it("a kept result is let go `keepResultMs` after the last component showing it unmounted", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "shown, then gone for good" });
    const page: { state?: GenerationState } = {};
    const { unmount } = render(<Shown jobId={job_id} keepResultMs={1} into={page} />, { ...strictWith(client) });
    await until(() => page.state?.status === "completed");
    const video = new WeakRef(page.state!.result!);
    unmount();
    page.state = undefined;
    let freed = false;
    while (!freed) freed = await collected(video); // the test's timeout bounds the wait
    expect(freed).toBe(true);
  });
});

describe("a hidden page", () => {
  /** The page's visibility, as the test sets it (happy-dom's own is always "visible"). */
  function visibility() {
    let state: DocumentVisibilityState = "visible";
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
    return {
      set(to: DocumentVisibilityState) {
        state = to;
        document.dispatchEvent(new Event("visibilitychange"));
      },
      restore: () => delete (document as { visibilityState?: unknown }).visibilityState,
    };
  }

  // Hidden, reads are 30 s apart: the time limit is shorter, so only the read on becoming visible can pass it.
  it("slows the polling while the page is hidden and reads at once when it is visible again", {
    timeout: 20_000,
  }, async () => {
    emu = await startFast();
    // Visible, the hook reads at once and again as soon as each read has answered (0 ms waits).
    const { client, page: tab, settled } = freeClient(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "in a background tab [hold]" });
    const page = visibility();
    try {
      const { result, unmount } = renderHook(() => useJob(job_id, { model }), { ...strictWith(client) });
      await until(() => result.current.status === "processing");
      act(() => page.set("hidden"));
      // The read on its way when the page hid, if any, is over; then a 0 ms wait would have ended: none was sent.
      const hidden = await settled();
      expect(tab.sent.length).toBe(hidden);
      expect(tab.open()).toBe(0);
      act(() => page.set("visible"));
      await until(() => tab.sent.length > hidden);
      expect(result.current.status).toBe("processing");
      await until(() => tab.sent.length > hidden + 2); // and the visible pace resumes
      unmount();
    } finally {
      page.restore();
    }
  });

  // Hidden and slowed, reads are 30 s apart: the time limit is shorter, so only a hook that keeps the pace can pass.
  it('`whenHidden: "keep"` keeps the full pace, even when it joins a job another hook has slowed', {
    timeout: 20_000,
  }, async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "on a dashboard in a background tab [hold]" });
    const page = visibility();
    try {
      const strict = strictWith(client);
      const slowed = renderHook(() => useJob(job_id, { model }), strict);
      await until(() => slowed.result.current.status === "processing");
      const requests = () => emu!.job(job_id)!.requests;
      act(() => page.set("hidden"));
      const hidden = requests();
      const kept = renderHook(() => useJob(job_id, { model, whenHidden: "keep" }), strict);
      await until(() => requests() > hidden + 4); // at the visible pace, one read per tick for both hooks
      expect(kept.result.current.status).toBe("processing");
      kept.unmount();
      slowed.unmount();
    } finally {
      page.restore();
    }
  });

  it('`useGenerateVideo({ whenHidden: "keep" })` follows a job to its video in a hidden page at the full pace', {
    timeout: 20_000,
  }, async () => {
    emu = await startFast();
    const page = visibility();
    try {
      page.set("hidden");
      const { result, unmount } = renderHook(() => useGenerateVideo({ whenHidden: "keep" }), {
        ...strictWith(clientFor(emu)),
      });
      await act(async () => {
        await result.current.submit({ model, prompt: "rendered in a background tab [hold]" });
      });
      // Slowed, the second read would come 30 s after the first; the time limit is shorter.
      const jobId = result.current.jobId!;
      await until(() => emu!.job(jobId)!.statusReads >= 3);
      expect(emu.release(jobId)).toBe(true);
      await until(() => result.current.status === "completed");
      expect(await sha256(result.current.result!)).toBe(emu.job(jobId)!.resultSha256);
      unmount();
    } finally {
      page.restore();
    }
  });
});
