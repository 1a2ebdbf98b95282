/**
 * The emulator's default clock reads `Date.now()` at each call: it follows a test's fake timers (which replace `Date`)
 * whether the emulator started before or after them, so a job's phases move on the time the test sets.
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

  it("an emulator started after vi.useFakeTimers follows it too", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const late = await start({ timing });
    try {
      expect(await statusTwoMinutesOn(late)).toBe("completed");
    } finally {
      await late.close();
    }
  });
});
