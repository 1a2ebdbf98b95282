import { models } from "@decart/core";
import { act, renderHook } from "@testing-library/react";
import { expect, it, vi } from "vitest";
import { useGenerateVideo, useResultUrl } from "../src/index.js";
import { clientFor, startFast, strictWith } from "./helpers.js";

const model = models.video("lucy-pro-t2v");

it("probe: unmount during a submit: is the paid job told to onOrphan?", async () => {
  const emu = await startFast();
  const onOrphan = vi.fn();
  const hook = renderHook(() => useGenerateVideo({ onOrphan, download: false }), strictWith(clientFor(emu)));
  let sent: Promise<string | undefined> | undefined;
  act(() => {
    sent = hook.result.current.submit({ model, prompt: "left by an unmount" });
  });
  hook.unmount();
  let jobId: string | undefined;
  await act(async () => {
    jobId = await sent;
  });
  await act(async () => {});
  console.log("UNMOUNT jobId", jobId, "onOrphan calls", onOrphan.mock.calls.length, "jobs", emu.stats().jobsCreated);
  expect(onOrphan).toHaveBeenCalledTimes(1);
});

it("probe: useResultUrl with falsy non-Blob and a Set", () => {
  vi.spyOn(console, "error").mockImplementation(() => {});
  for (const given of ["", 0, false, new Set([1]), { size: 3 }]) {
    let error: any;
    try {
      const r = renderHook(() => useResultUrl(given as never));
      console.log("RESULTURL", JSON.stringify(given), typeof given, "->", r.result.current);
    } catch (e: any) {
      error = e;
    }
    console.log("RESULTURL", String(given), "threw", error?.constructor?.name, error?.code, error?.message?.slice(0, 90));
  }
  console.log("TAG", Object.prototype.toString.call(new Blob(["x"])), Object.prototype.toString.call(new File(["x"], "a")));
});
