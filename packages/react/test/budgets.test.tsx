// Components watching one job share its poller, each with its own `timeoutMs`: one whose budget runs out ends in its
// own JobTimeoutError, the others go on. A `[hold]` job (it ends when the test releases it) and a client whose clock
// moves only when the test moves it: a budget runs out when the test says, however slow the machine.
import { JobTimeoutError, models } from "@decart/core";
import { renderHook } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { useJob } from "../src/index.js";
import { clocked, startFast, strictWith, until } from "./helpers.js";

const model = models.video("lucy-pro-t2v");

/** A held job, and two components on the test's clock: the first mounted with `first` ms, the second with `second`. */
async function watchedTwice(prompt: string, first: number, second: number) {
  const emu = await startFast();
  const { clock, client } = clocked(emu);
  const { job_id } = await client.queue.submit({ model, prompt: `${prompt} [hold]` });
  const wrapper = strictWith(client);
  const reads = () => emu.job(job_id)!.statusReads;
  const a = renderHook(() => useJob(job_id, { model, timeoutMs: first }), { wrapper });
  await until(() => a.result.current.status === "processing");
  const mounted = reads();
  const b = renderHook(() => useJob(job_id, { model, timeoutMs: second }), { wrapper });
  expect(b.result.current.status).toBe("processing"); // the job's latest status, at once
  await until(() => reads() > mounted + 1); // read (and answered) since the second came
  clock.now += 1_500; // past a budget of 1 s, not of a minute
  return { emu, jobId: job_id, a: a.result, b: b.result, reads };
}

const timedOut = (jobId: string) => `Job ${jobId} not done within its deadline (last status: processing)`;

describe("components watching one job, each with its own timeoutMs", () => {
  it("the first, with 1 s, ends in its own JobTimeoutError; the second, with a minute, goes on to the result", async () => {
    const { emu, jobId, a, b } = await watchedTwice("shown by a short budget, then a long one", 1_000, 60_000);
    await until(() => a.current.status === "error");
    expect(a.current.error).toBeInstanceOf(JobTimeoutError);
    expect(a.current.error!.message).toBe(timedOut(jobId));
    expect(b.current).toMatchObject({ status: "processing", watching: true });
    expect(emu.release(jobId)).toBe(true);
    await until(() => !["processing", "downloading"].includes(b.current.status));
    expect(b.current).toMatchObject({ status: "completed", result: expect.any(Blob) });
    expect(emu.job(jobId)!.contentReads).toBe(1);
  });

  it("the second, with 1 s, ends in its own JobTimeoutError; the first, with a minute, goes on to the result", async () => {
    const { emu, jobId, a, b, reads } = await watchedTwice("shown by a long budget, then a short one", 60_000, 1_000);
    // It ends at the next read (a few reads at most, had nothing ended it).
    const before = reads();
    await until(() => b.current.status === "error" || reads() > before + 5);
    expect(b.current.error).toBeInstanceOf(JobTimeoutError);
    expect(b.current.error!.message).toBe(timedOut(jobId));
    expect(a.current).toMatchObject({ status: "processing", watching: true });
    expect(emu.release(jobId)).toBe(true);
    await until(() => !["processing", "downloading"].includes(a.current.status));
    expect(a.current).toMatchObject({ status: "completed", result: expect.any(Blob) });
    expect(emu.job(jobId)!.contentReads).toBe(1);
  });
});
