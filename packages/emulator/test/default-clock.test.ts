/**
 * The emulator's default clock reads `Date.now()` at each call: it follows a test's fake timers when they replace `Date`
 * (vitest's default), whether the emulator started before or after them, so a job's phases move on the time the test
 * sets; fake timers that leave `Date` real leave it on real time.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Emulator } from "../src/index.js";
import { get, start, submit } from "./helpers.js";

// A job of a minute: it is completed only on a clock moved past it, which real time does not reach in a test.
const timing = { pendingMs: 0, processingMs: 60_000 };

let early: Emulator;
beforeAll(async () => {
  early = await start({ timing });
});
afterAll(() => early.close());
afterEach(() => {
  vi.useRealTimers();
});

/** The status of a job submitted now, read after the fake clock is set two minutes later (no timer is run). */
async function statusTwoMinutesOn(emu: Emulator): Promise<string> {
  const id = await submit(emu, "lucy-pro-t2v", { prompt: "a lake" });
  vi.setSystemTime(Date.now() + 120_000);
  const res = await get(emu, `/v1/jobs/${id}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { status: string }).status;
}

describe("the default clock under fake timers", () => {
  it("an emulator started before vi.useFakeTimers follows the fake clock", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    expect(await statusTwoMinutesOn(early)).toBe("completed");
  });

  it("an emulator started under fake timers follows the ones installed after them, not the ones it started under", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const late = await start({ timing });
    try {
      // The fake timers it started under are uninstalled (their `Date.now` would stay where they left it), new ones
      // installed: the two minutes set on these are what its job sees.
      vi.useRealTimers();
      vi.useFakeTimers({ toFake: ["Date"] });
      expect(await statusTwoMinutesOn(late)).toBe("completed");
    } finally {
      await late.close();
    }
  });

  it("fake timers that leave Date real leave the emulator on real time (the client's clock follows performance)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const id = await submit(early, "lucy-pro-t2v", { prompt: "a lake" });
    vi.advanceTimersByTime(120_000);
    const res = await get(early, `/v1/jobs/${id}`);
    expect(((await res.json()) as { status: string }).status).not.toBe("completed");
  });
});
