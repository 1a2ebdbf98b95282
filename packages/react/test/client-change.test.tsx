// A provider given a new client (`<DecartProvider client={createDecartClient(…)}>` written in a parent's render makes
// one at each render): useGenerateVideo starts afresh, and the job its state followed, paid for, goes to `onOrphan`;
// useGenerateImage starts afresh too, and the image of its request in flight, paid for, goes to its `onOrphan`.
import { AbortError, models } from "@decart/core";
import type { Emulator } from "@decart/emulator";
import { act, renderHook } from "@testing-library/react";
import type { ReactNode } from "react";
import { describe, expect, it, vi } from "vitest";
import { DecartProvider, useGenerateImage, useGenerateVideo } from "../src/index.js";
import { clientFor, startFast, until } from "./helpers.js";

/**
 * Render options: a wrapper whose provider gets a new client of `emu` at each render, as an inline `createDecartClient`
 * gives it, under a `<StrictMode>` root (see `strictWith`).
 */
const inlineClientOf = (emu: Emulator, options: Parameters<typeof clientFor>[1] = {}) => ({
  wrapper: ({ children }: { children: ReactNode }) => (
    <DecartProvider client={clientFor(emu, options)}>{children}</DecartProvider>
  ),
  reactStrictMode: true,
});

/** Lets the microtasks and effects pending run (`onOrphan` is called apart, in a microtask). */
const settle = () => act(async () => {});

/**
 * The page's fetch, counting the POSTs (`posted()`) and holding them while `hold` is set (from the first unless told)
 * until the test lets them go (`release()`).
 */
function holdingFetch(hold = true) {
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let posted = 0;
  const page = {
    hold,
    posted: () => posted,
    release: () => release(),
    fetch: (async (url, init) => {
      if (init?.method === "POST") {
        posted++;
        if (page.hold) await held;
      }
      return globalThis.fetch(url, init);
    }) as typeof globalThis.fetch,
  };
  return page;
}

/**
 * Submits `input` as a click does (its promise not awaited), waits until its POST, the `nth`, came to the page's fetch,
 * then renders the parent again (a new client): the state starts afresh, and `onOrphan` is told nothing yet. Answers
 * with the submit's promise (`sent`, still on its way).
 */
async function submitThenNewClient<T>(
  { result, rerender }: { result: { current: { status: string; submit(input: any): Promise<T> } }; rerender(): void },
  input: unknown,
  { posted, nth, onOrphan }: { posted: () => number; nth: number; onOrphan: () => void },
): Promise<{ sent: Promise<T> }> {
  let sent: Promise<T> | undefined;
  act(() => {
    sent = result.current.submit(input);
  });
  await until(() => posted() === nth);
  rerender();
  await settle();
  expect(result.current.status).toBe("idle");
  expect(onOrphan).not.toHaveBeenCalled();
  return { sent: sent! };
}

describe("useGenerateVideo when the provider's client changes", () => {
  it("a job being watched goes to onOrphan, an AbortError carrying its id, with its input; the state starts afresh", async () => {
    const emu = await startFast();
    const onOrphan = vi.fn();
    const inline = inlineClientOf(emu);
    const { result, rerender } = renderHook(() => useGenerateVideo({ onOrphan }), inline);
    const input = { model: models.video("lucy-pro-t2v"), prompt: "A lake [hold]" };
    let jobId: string | undefined;
    await act(async () => {
      jobId = await result.current.submit(input);
    });
    await until(() => result.current.status === "processing");
    expect(onOrphan).not.toHaveBeenCalled();
    // The parent renders again: a new client.
    rerender();
    await settle();
    expect(result.current).toMatchObject({ status: "idle", jobId: undefined });
    expect(onOrphan).toHaveBeenCalledTimes(1);
    const [error, given] = onOrphan.mock.calls[0]!;
    expect(error).toMatchObject({ code: "ABORT", jobId });
    expect(error.message).toContain("the job is not cancelled");
    expect(given).toBe(input);
    // Rendered again, nothing more is told.
    rerender();
    await settle();
    expect(onOrphan).toHaveBeenCalledTimes(1);
    expect(emu.release(jobId!)).toBe(true);
  });

  it("a submit on its way when the client changes: its job goes to onOrphan once the server answers", async () => {
    const emu = await startFast();
    // The page's fetch, holding the submit (its one POST) until the test lets it go, once it has rendered again.
    const page = holdingFetch();
    const onOrphan = vi.fn();
    const inline = inlineClientOf(emu, { fetch: page.fetch });
    const hook = renderHook(() => useGenerateVideo({ onOrphan }), inline);
    const input = { model: models.video("lucy-pro-t2v"), prompt: "A lake" };
    const { sent } = await submitThenNewClient(hook, input, { posted: page.posted, nth: 1, onOrphan });
    // The answer comes: the job exists, its id given to onOrphan (and resolved by submit, as ever).
    page.release();
    const jobId = await sent;
    expect(jobId).toEqual(expect.any(String));
    await settle();
    expect(onOrphan).toHaveBeenCalledTimes(1);
    expect(onOrphan.mock.calls[0]![0]).toMatchObject({ code: "ABORT", jobId });
    expect(onOrphan.mock.calls[0]![1]).toBe(input);
    expect(emu.stats().jobsCreated).toBe(1);
  });

  it("a job that completed, or an unmount mid-job, tells onOrphan nothing", async () => {
    const emu = await startFast();
    const onOrphan = vi.fn();
    const inline = inlineClientOf(emu);
    const { result, rerender, unmount } = renderHook(() => useGenerateVideo({ onOrphan, download: false }), {
      ...inline,
    });
    await act(async () => {
      await result.current.submit({ model: models.video("lucy-pro-t2v"), prompt: "A lake" });
    });
    await until(() => result.current.status === "completed");
    rerender();
    await settle();
    expect(result.current.status).toBe("idle");
    await act(async () => {
      await result.current.submit({ model: models.video("lucy-pro-t2v"), prompt: "A lake [hold]" });
    });
    await until(() => result.current.status === "processing");
    const { jobId } = result.current;
    unmount();
    await settle();
    expect(onOrphan).not.toHaveBeenCalled();
    expect(emu.release(jobId!)).toBe(true);
  });
});

describe("useGenerateImage when the provider's client changes", () => {
  it("its request in flight runs on; its image, no longer shown, goes to onOrphan (an AbortError, the image its data)", async () => {
    const emu = await startFast();
    // The page's fetch, holding the Process API requests (POSTs) once told to, until the test lets them go.
    const page = holdingFetch(false);
    const onOrphan = vi.fn();
    const inline = inlineClientOf(emu, { fetch: page.fetch });
    const hook = renderHook(() => useGenerateImage({ onOrphan }), inline);
    const { result, rerender } = hook;
    const model = models.image("lucy-pro-t2i");
    // A request that ended before the client changed: its image was shown, nothing is told.
    await act(async () => {
      await result.current.submit({ model, prompt: "A lighthouse, shown" });
    });
    expect(result.current.status).toBe("completed");
    rerender();
    await settle();
    expect(result.current.status).toBe("idle");
    expect(onOrphan).not.toHaveBeenCalled();
    // One in flight when the parent renders again (a new client): the state starts afresh, the request runs on.
    page.hold = true;
    const input = { model, prompt: "A lighthouse, made while the client changed" };
    const { sent } = await submitThenNewClient(hook, input, { posted: page.posted, nth: 2, onOrphan });
    page.release();
    let image: Blob | undefined;
    await act(async () => {
      image = await sent;
    });
    await settle();
    expect(image).toBeInstanceOf(Blob);
    expect(result.current.status).toBe("idle");
    expect(onOrphan).toHaveBeenCalledTimes(1);
    const [error, given] = onOrphan.mock.calls[0]!;
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ code: "ABORT", mayExist: true, data: image });
    expect(given).toBe(input);
    // Rendered again, nothing more is told.
    rerender();
    await settle();
    expect(onOrphan).toHaveBeenCalledTimes(1);
    expect(emu.stats().requests.byRoute.process).toBe(2);
  });
});
