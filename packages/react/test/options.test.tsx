/**
 * The hooks' options are checked as the core and queue-rx check a watch's: a key no hook knows (a typo such as
 * `timeout`) and a `whenHidden` outside its set are refused with an `InvalidInputError` naming them, as the hook
 * renders, before anything is read or sent. One options object may serve `useJob` and `useGenerateVideo` both.
 */
import { InvalidInputError, models } from "@decart/core";
import type { Emulator } from "@decart/emulator";
import { act, renderHook } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { type UseJobOptions, useGenerateVideo, useJob } from "../src/index.js";
import { clientFor, freeClient, startFast, strictWith, until } from "./helpers.js";

let emu: Emulator | undefined;

const model = models.video("lucy-pro-t2v");

/** What rendering throws, or undefined. */
const thrown = (render: () => unknown): unknown => {
  try {
    render();
  } catch (error) {
    return error;
  }
};

describe("the options of useJob and useGenerateVideo", () => {
  it("a key no hook knows (a typo) is refused as the hook renders, naming it and the options there are: nothing is read", async () => {
    emu = await startFast();
    const { client, page, settled } = freeClient(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "watched with a typo in its options [hold]" });
    const strict = strictWith(client);
    vi.spyOn(console, "error").mockImplementation(() => {}); // React's report of the error thrown while rendering
    const cases = [
      ["useJob", () => useJob(job_id, { model, timeout: 5000 } as never), "timeout"],
      ["useJob", () => useJob(job_id, { keepResult: 60_000 } as never), "keepResult"],
      ["useGenerateVideo", () => useGenerateVideo({ timeout: 5000 } as never), "timeout"],
      ["useGenerateVideo", () => useGenerateVideo({ whenhidden: "keep" } as never), "whenhidden"],
      // The watch's own options that the hooks set themselves: no option of theirs.
      ["useJob", () => useJob(job_id, { deadline: Date.now() + 60_000 } as never), "deadline"],
      ["useGenerateVideo", () => useGenerateVideo({ first: { job_id } } as never), "first"],
    ] as const;
    for (const [hook, use, field] of cases) {
      const error = thrown(() => renderHook(use, strict));
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ field });
      expect((error as Error).message).toBe(
        `${hook}: "${field}" must be a known name (one of whenHidden, keepResultMs, onOrphan, model, timeoutMs, download, poll)`,
      );
    }
    expect(await settled()).toBe(page.sent.length);
    expect(page.sent.filter((url) => url.endsWith(`/v1/jobs/${job_id}`))).toEqual([]); // nothing watched the job
    expect(emu.release(job_id)).toBe(true);
  });

  it("one options object serves both hooks (useJob's model and keepResultMs are taken, unused, by useGenerateVideo)", async () => {
    emu = await startFast();
    const { client } = freeClient(emu);
    const shared: UseJobOptions = {
      model,
      download: false,
      whenHidden: "keep",
      keepResultMs: 60_000,
      timeoutMs: 60_000,
    };
    const { result } = renderHook(() => useGenerateVideo(shared), { ...strictWith(client) });
    let jobId: string | undefined;
    await act(async () => {
      jobId = await result.current.submit({ model, prompt: "submitted with the options a useJob takes too" });
    });
    await until(() => result.current.status === "completed");
    const job = renderHook(() => useJob(jobId, shared), { ...strictWith(client) });
    await until(() => job.result.current.status === "completed");
    // Undefined (a spread of options without it) is no key given, as in the core's checks.
    renderHook(() => useGenerateVideo({ timeout: undefined } as never), { ...strictWith(client) });
  });

  it("an option whose getter throws is refused as the hook renders, naming it, as the core names one: nothing is read", async () => {
    emu = await startFast();
    const { client, page, settled } = freeClient(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "watched with options that cannot be read [hold]" });
    const strict = strictWith(client);
    vi.spyOn(console, "error").mockImplementation(() => {});
    const unreadable = (field: string) =>
      Object.defineProperty({ model }, field, {
        enumerable: true,
        get() {
          throw new Error(`${field} cannot be read`);
        },
      });
    const cases = [
      ["useJob", (o: object) => useJob(job_id, o), "timeoutMs"],
      ["useJob", (o: object) => useJob(job_id, o), "whenHidden"],
      ["useGenerateVideo", (o: object) => useGenerateVideo(o), "keepResultMs"],
      ["useGenerateVideo", (o: object) => useGenerateVideo(o), "poll"],
    ] as const;
    for (const [hook, use, field] of cases) {
      const options = unreadable(field);
      const error = thrown(() => renderHook(() => use(options), strict));
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ field, message: `${hook}: "${field}" must be a value that can be read` });
    }
    // A `signal` that cannot be read is no option all the same.
    const signal = thrown(() => renderHook(() => useJob(job_id, unreadable("signal")), strict));
    expect(signal).toMatchObject({
      field: "signal",
      message: expect.stringMatching(/^useJob: "signal" is not an option/),
    });
    expect(await settled()).toBe(page.sent.length);
    expect(page.sent.filter((url) => url.endsWith(`/v1/jobs/${job_id}`))).toEqual([]);
    // Options of null are none: the hooks watch on the defaults.
    const { result, unmount } = renderHook(() => useJob(job_id, null as never), strict);
    renderHook(() => useGenerateVideo(null as never), strict);
    await until(() => result.current.status === "processing");
    unmount();
    expect(emu.release(job_id)).toBe(true);
  });

  it('`whenHidden` other than "slow" or "keep" is refused, naming it and what it must be: nothing is read', async () => {
    emu = await startFast();
    const { client, page, settled } = freeClient(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "watched with a misspelt whenHidden [hold]" });
    const strict = strictWith(client);
    vi.spyOn(console, "error").mockImplementation(() => {});
    const cases = [
      ["useJob", () => useJob(job_id, { model, whenHidden: "kep" as never }), '"kep"'],
      ["useGenerateVideo", () => useGenerateVideo({ whenHidden: "Keep" as never }), '"Keep"'],
      ["useJob", () => useJob(job_id, { whenHidden: true as never }), "true"],
    ] as const;
    for (const [hook, use, got] of cases) {
      const error = thrown(() => renderHook(use, strict));
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ field: "whenHidden" });
      expect((error as Error).message).toBe(`${hook}: "whenHidden" must be one of "slow", "keep" (got ${got})`);
    }
    expect(await settled()).toBe(page.sent.length);
    expect(page.sent.filter((url) => url.endsWith(`/v1/jobs/${job_id}`))).toEqual([]);
    // Both values of the set, and none, are taken.
    for (const whenHidden of ["slow", "keep", undefined] as const) {
      const { result, unmount } = renderHook(() => useJob(job_id, { model, whenHidden }), strict);
      await until(() => result.current.status === "processing");
      unmount();
    }
    expect(emu.release(job_id)).toBe(true);
  });
  it("`onOrphan` that is no function is refused as the hook renders, naming it (it would have thrown once a job may exist)", async () => {
    emu = await startFast();
    const strict = strictWith(clientFor(emu));
    vi.spyOn(console, "error").mockImplementation(() => {});
    const error = thrown(() => renderHook(() => useGenerateVideo({ onOrphan: 5 as never }), strict));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: "onOrphan" });
    expect((error as Error).message).toBe('useGenerateVideo: "onOrphan" must be a function (got 5)');
    expect(emu.stats().requests.total).toBe(0);
  });
  it("`keepResultMs` that is no number of ms, 0 or more, is refused as the hook renders, naming it: nothing is read", async () => {
    emu = await startFast();
    const { client, page, settled } = freeClient(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "kept for a time that is none [hold]" });
    const strict = strictWith(client);
    vi.spyOn(console, "error").mockImplementation(() => {});
    for (const [keepResultMs, got] of [
      [Number.NaN, "NaN"],
      [-5, "-5"],
      ["60000", '"60000"'],
    ] as const) {
      const error = thrown(() => renderHook(() => useJob(job_id, { keepResultMs: keepResultMs as never }), strict));
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({
        field: "keepResultMs",
        message: `useJob: "keepResultMs" must be a number ≥ 0 (got ${got})`,
      });
    }
    expect(await settled()).toBe(page.sent.length);
    expect(page.sent.filter((url) => url.endsWith(`/v1/jobs/${job_id}`))).toEqual([]);
    // 0, a number of ms and Infinity are taken.
    for (const keepResultMs of [0, 60_000, Number.POSITIVE_INFINITY]) {
      const { result, unmount } = renderHook(() => useJob(job_id, { model, keepResultMs }), strict);
      await until(() => result.current.status === "processing");
      unmount();
    }
    expect(emu.release(job_id)).toBe(true);
  });

  it("a job id that is no string (NaN, an object made anew by each render, 0, false) ends in error naming jobId, rendered a few times", async () => {
    emu = await startFast();
    const { client, page, settled } = freeClient(emu);
    const strict = strictWith(client);
    // 0 and false too, as `ready && jobId` gives them: a job id is a string, and only "no job" (below) is idle.
    for (const id of [() => Number.NaN, () => ({ id: "job_x" }), () => 0, () => false]) {
      let renders = 0;
      const { result, unmount } = renderHook(() => {
        renders++;
        return useJob(id() as never);
      }, strict);
      await until(() => result.current.status === "error");
      expect(result.current.error).toBeInstanceOf(InvalidInputError);
      expect(result.current.error).toMatchObject({ field: "jobId" });
      expect(result.current.canRetry).toBe(false);
      // Strict mode renders twice, and once more for the error: no render loop.
      expect(renders).toBeLessThanOrEqual(6);
      unmount();
    }
    // No job (null, undefined, ""): nothing read, idle.
    for (const id of [null, undefined, ""]) {
      const { result, unmount } = renderHook(() => useJob(id), strict);
      expect(result.current.status).toBe("idle");
      unmount();
    }
    expect(await settled()).toBe(0);
    expect(page.sent).toEqual([]);
  });
  it("`poll.delay` does the watch's waits, as in the core's watch (through queue-rx's watchJob)", async () => {
    emu = await startFast();
    const { client } = freeClient(emu);
    // Held until the watch has waited once: a job done by its first read (a loaded machine) would need no wait.
    const { job_id } = await client.queue.submit({ model, prompt: "watched on waits of its own [hold]" });
    const waits: number[] = [];
    const delay = (ms: number, signal?: AbortSignal) => {
      waits.push(ms);
      expect(signal).toBeInstanceOf(AbortSignal);
      return new Promise<void>((resolve) => setTimeout(resolve, 1));
    };
    const poll = { initialDelayMs: 600_000, intervalMs: 600_000, delay };
    const { result, unmount } = renderHook(() => useJob(job_id, { model, download: false, poll }), {
      ...strictWith(client),
    });
    await until(() => waits.includes(600_000));
    expect(emu.release(job_id)).toBe(true);
    await until(() => result.current.status === "completed");
    expect(waits).toContain(600_000);
    unmount();
  });
});
