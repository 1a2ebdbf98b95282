// A submit left on its way by the next submit or reset() made its job all the same (paid for): once the server answers,
// that job goes to onOrphan, as the core's AbortError carrying its id, with its input, as a job the provider's new
// client drops does. A `submit` run from an effect under <StrictMode> (run twice in development) is such a case.
import { models } from "@decart/core";
import { act, render, renderHook } from "@testing-library/react";
import { StrictMode, useEffect } from "react";
import { expect, it, vi } from "vitest";
import { DecartProvider, type GenerationState, useGenerateVideo } from "../src/index.js";
import { clientFor, startFast, strictWith, until } from "./helpers.js";

const model = models.video("lucy-pro-t2v");

/** A component submitting `input` from an effect (what `submit`'s doc says not to do), its state in `state`. */
function Auto({ input, onOrphan, sent, state }: { input: object; onOrphan: () => void; sent: unknown[]; state: any }) {
  const generation = useGenerateVideo({ onOrphan, download: false });
  state.current = generation;
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per mount, as such an effect is written
  useEffect(() => {
    sent.push(generation.submit(input as never));
  }, []);
  return null;
}

it("a submit run twice by a <StrictMode> effect: the first job goes to onOrphan once answered; the state follows the second", async () => {
  const emu = await startFast();
  const onOrphan = vi.fn();
  const input = { model, prompt: "submitted from an effect" };
  const sent: Promise<string | undefined>[] = [];
  const state = { current: undefined as unknown as GenerationState };
  // <StrictMode> at the root, where React runs a mounted component's effects twice in development.
  render(
    <StrictMode>
      <DecartProvider client={clientFor(emu)}>
        <Auto input={input} onOrphan={onOrphan} sent={sent} state={state} />
      </DecartProvider>
    </StrictMode>,
  );
  expect(sent).toHaveLength(2);
  let ids: (string | undefined)[] = [];
  await act(async () => {
    ids = await Promise.all(sent);
  });
  const [first, second] = ids;
  await until(() => state.current.status === "completed");
  expect(state.current.jobId).toBe(second);
  expect(emu.stats().jobsCreated).toBe(2);
  expect(onOrphan).toHaveBeenCalledTimes(1);
  const [error, given] = onOrphan.mock.calls[0]!;
  expect(error).toMatchObject({ code: "ABORT", jobId: first });
  expect(error.message).toContain("the job is not cancelled");
  expect(given).toBe(input);
});

it("a submit left on its way by reset(): its job goes to onOrphan once answered; one answered before is not told", async () => {
  const emu = await startFast();
  const onOrphan = vi.fn();
  const { result } = renderHook(() => useGenerateVideo({ onOrphan, download: false }), {
    ...strictWith(clientFor(emu)),
  });
  const input = { model, prompt: "left on its way" };
  let left: Promise<string | undefined> | undefined;
  act(() => {
    left = result.current.submit(input);
    result.current.reset();
  });
  let jobId: string | undefined;
  await act(async () => {
    jobId = await left;
  });
  expect(jobId).toMatch(/^job_/);
  expect(onOrphan).toHaveBeenCalledTimes(1);
  expect(onOrphan.mock.calls[0]).toEqual([expect.objectContaining({ code: "ABORT", jobId }), input]);
  // Answered, then reset(): the job was in the state (its id shown), not left on its way.
  await act(async () => {
    await result.current.submit(input);
  });
  act(() => result.current.reset());
  await act(async () => {});
  expect(onOrphan).toHaveBeenCalledTimes(1);
});
