/**
 * The client's clock (`poll.now`) is yours: one that throws as a hook sets a watch's budget (at the submit's answer,
 * or as `useJob` starts watching) ends the hook as the core ends a watch whose clock throws: `error`, the core's
 * `CALLBACK_ERROR` carrying the job id, which another watch can get past (`canRetry`, as the core's `canWatchAgain`).
 */
import { canWatchAgain, DecartError, InvalidInputError, models } from "@decart/core";
import type { Emulator } from "@decart/emulator";
import { act, renderHook } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { useGenerateVideo, useJob } from "../src/index.js";
import { clientFor, ended, freeClient, startFast, strictWith, until } from "./helpers.js";

let emu: Emulator | undefined;

const model = models.video("lucy-pro-t2v");

/**
 * A page's client of the emulator whose clock throws once, at its first read after `clock.arm()`, or after a submit's
 * answer came (`armOnSubmit`); `clock.reads` counts its reads, `clock.threw` its throws.
 */
function brokenClock(armOnSubmit: boolean) {
  const clock = {
    armed: false,
    threw: 0,
    arm() {
      clock.armed = true;
    },
  };
  const broke = new Error("the clock broke");
  const client = clientFor(emu!, {
    poll: {
      initialDelayMs: 10,
      intervalMs: 15,
      now: () => {
        if (!clock.armed) return Date.now();
        clock.armed = false;
        clock.threw++;
        throw broke;
      },
    },
    // The end of the submit's answer arms it: the next read is the first after the client read the answer.
    fetch: async (input, init) => {
      const answer = await fetch(input, init);
      if (!armOnSubmit || init?.method !== "POST" || !answer.body) return answer;
      const reader = answer.body.getReader();
      const body = new ReadableStream<Uint8Array>({
        async pull(out) {
          const { done, value } = await reader.read();
          if (!done) return out.enqueue(value);
          clock.arm();
          out.close();
        },
      });
      return new Response(body, answer);
    },
  });
  return { clock, client, broke };
}

describe("a client clock that throws as the watch's budget is set", () => {
  it("useGenerateVideo, at the submit's answer: `error`, the core's CALLBACK_ERROR with the job id; retry() watches the job", async () => {
    emu = await startFast();
    const { clock, client, broke } = brokenClock(true);
    const { result } = renderHook(() => useGenerateVideo({ download: false }), { ...strictWith(client) });
    let jobId: string | undefined;
    await act(async () => {
      jobId = await result.current.submit({ model, prompt: "answered as the clock broke" });
    });
    await ended(result);
    expect(clock.threw).toBe(1);
    expect(jobId).toMatch(/^job_/);
    const { error, canRetry } = result.current;
    expect(result.current).toMatchObject({ status: "error", watching: false, jobId });
    expect(error).toBeInstanceOf(DecartError);
    expect(error).toMatchObject({ code: "CALLBACK_ERROR", jobId, cause: broke });
    expect(error!.message).toBe(`Job ${jobId}: a callback threw (Error: the clock broke); the job goes on`);
    expect([canWatchAgain(error), canRetry]).toEqual([true, true]);
    let again: string | undefined;
    await act(async () => {
      again = await result.current.retry();
    });
    expect(again).toBe(jobId);
    await ended(result);
    expect(result.current).toMatchObject({ status: "completed", jobId, error: undefined });
    expect(emu.stats().jobsCreated).toBe(1);
  });

  it("useGenerateVideo's retry(): a clock that throws as it sets the new budget ends it the same way", async () => {
    emu = await startFast();
    const { clock, client } = brokenClock(false);
    const { result } = renderHook(() => useGenerateVideo({ download: false }), { ...strictWith(client) });
    let jobId: string | undefined;
    await act(async () => {
      jobId = await result.current.submit({ model, prompt: "stopped, then watched again as the clock broke [hold]" });
    });
    act(() => result.current.stop());
    clock.arm();
    let again: string | undefined;
    await act(async () => {
      again = await result.current.retry();
    });
    expect([again, clock.threw]).toEqual([jobId, 1]);
    expect(result.current).toMatchObject({ status: "error", watching: false, jobId, canRetry: true });
    expect(result.current.error).toMatchObject({ code: "CALLBACK_ERROR", jobId });
    expect(emu.release(jobId!)).toBe(true);
    await act(async () => {
      await result.current.retry();
    });
    await ended(result);
    expect(result.current).toMatchObject({ status: "completed", jobId });
  });

  it("useJob, as it starts watching: `error`, the core's CALLBACK_ERROR with the job id; retry() watches again", async () => {
    emu = await startFast();
    const { clock, client, broke } = brokenClock(false);
    const { job_id } = await client.queue.submit({ model, prompt: "watched as the clock broke" });
    clock.arm();
    const { result } = renderHook(() => useJob(job_id, { model, download: false }), { ...strictWith(client) });
    await ended(result);
    expect(clock.threw).toBe(1);
    expect(result.current).toMatchObject({ status: "error", watching: false, jobId: job_id, canRetry: true });
    expect(result.current.error).toMatchObject({ code: "CALLBACK_ERROR", jobId: job_id, cause: broke });
    act(() => result.current.retry());
    await ended(result);
    expect(result.current).toMatchObject({ status: "completed", jobId: job_id, error: undefined });
  });

  it("useJob: a `timeoutMs` the watch refuses is named as `timeoutMs`, not as a `deadline` you never gave", async () => {
    emu = await startFast();
    const { client } = freeClient(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "watched with a budget given as text" });
    const { result } = renderHook(() => useJob(job_id, { model, timeoutMs: "5000" as never }), {
      ...strictWith(client),
    });
    await until(() => result.current.status === "error");
    expect(result.current.error).toBeInstanceOf(InvalidInputError);
    expect(result.current.error).toMatchObject({ field: "timeoutMs" });
    expect(result.current.error!.message).toBe('Invalid options: "timeoutMs" must be a number (got "5000")');
    expect(result.current.canRetry).toBe(false);
  });
});
