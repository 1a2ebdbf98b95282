/**
 * The client's `random` ("seed it for reproducible tests") is the jitter of the default (adaptive) poll schedule too:
 * a client seeded the same, on a virtual clock, asks for the same waits each time.
 */
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, DecartError, models } from "../src/index.js";
import { silent, startFast, virtualTime } from "./helpers.js";

let emu: Emulator;
// The emulator's clock stands still: the job's status reads the same at every read, whenever the run is.
beforeAll(async () => {
  emu = await startFast({ now: () => 4_000_000_000_000 });
});
afterAll(() => emu.close());

/** The waits of one watch of a held job (released at the fifth wait) by a new client seeded with `random`. */
async function waitsOfOneWatch(random: () => number): Promise<number[]> {
  const time = virtualTime();
  const waits: number[] = [];
  let jobId = "";
  // The client's own adaptive schedule (no fixed one), on a clock that moves only by its waits.
  const client = createDecartClient({
    apiKey: emu.apiKey,
    baseUrl: emu.url,
    logger: silent,
    random,
    poll: {
      now: time.now,
      delay: async (ms, signal) => {
        waits.push(ms);
        if (waits.length === 5) emu.release(jobId);
        await time.delay(ms, signal);
      },
    },
  });
  const model = models.video("lucy-pro-t2v");
  jobId = (await client.queue.submit({ model, prompt: "a lake [hold]" })).job_id;
  expect((await client.queue.wait(jobId, { model, download: false })).status).toBe("completed");
  return waits;
}

describe("the client's random and the default poll schedule", () => {
  it("a client seeded the same asks for the same waits, run after run", async () => {
    const first = await waitsOfOneWatch(() => 0.5);
    expect(first.length).toBeGreaterThanOrEqual(5);
    expect(await waitsOfOneWatch(() => 0.5)).toEqual(first);
  });

  it("the seed is the schedule's jitter: the lowest one asks for 0.9 of the middle one's first wait", async () => {
    const middle = await waitsOfOneWatch(() => 0.5);
    const lowest = await waitsOfOneWatch(() => 0);
    // (The first read is at once; the wait after it is the first the schedule decides, from the same state.)
    expect(lowest[1]).toBeCloseTo(middle[1]! * 0.9, 6);
  });

  it("a random that answers no number in [0, 1) ends a watch on the default schedule, at its second read, named", async () => {
    const client = createDecartClient({ apiKey: emu.apiKey, baseUrl: emu.url, logger: silent, random: () => 5 });
    const model = models.video("lucy-pro-t2v");
    const { job_id } = await client.queue.submit({ model, prompt: "a lake [hold]" });
    const error = await client.queue.wait(job_id, { model, download: false }).catch((e) => e);
    emu.release(job_id);
    expect(error).toMatchObject({ code: "CALLBACK_ERROR", jobId: job_id });
    // Named as itself (no poll.schedule was given), as in a retry's wait.
    expect(error.message).toBe(`Job ${job_id}: a callback threw (random answered 5); the job goes on`);
    expect(emu.job(job_id)!.statusReads).toBe(1);
  });

  it("a schedule of yours throwing a CALLBACK_ERROR (its own, or one kept from another job) names poll.schedule and this job", async () => {
    const client = createDecartClient({ apiKey: emu.apiKey, baseUrl: emu.url, logger: silent });
    const model = models.video("lucy-pro-t2v");
    const { job_id } = await client.queue.submit({ model, prompt: "a lake [hold]" });
    const kept = new DecartError("Job job_other: a callback threw (x); the job goes on", {
      code: "CALLBACK_ERROR",
      jobId: "job_other",
    });
    const mine = new DecartError("my schedule's own", { code: "CALLBACK_ERROR" });
    for (const thrown of [kept, mine]) {
      const schedule = () => {
        throw thrown;
      };
      const error = await client.queue.wait(job_id, { model, download: false, poll: { schedule } }).catch((e) => e);
      expect(error).toMatchObject({ code: "CALLBACK_ERROR", jobId: job_id, cause: thrown });
      expect(error.message).toBe(
        `Job ${job_id}: poll.schedule failed (DecartError: ${thrown.message}); the job goes on`,
      );
    }
    emu.release(job_id);
  });
});
