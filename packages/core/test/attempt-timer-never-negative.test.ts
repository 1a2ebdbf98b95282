/**
 * The attempt's timer is never given a delay under 0 (Node 23+ and Bun print `TimeoutNegativeWarning` for one): a
 * status read whose answer comes after its deadline, on the client's own clock (`poll.now`, moved 5 s by the server
 * before it answers), restarts the timer for the body's read with no time left: no delay given to setTimeout is under 0.
 */
import { afterAll, expect, it, vi } from "vitest";
import { createDecartClient } from "../src/index.js";
import { json, serve } from "./helpers.js";

let t = 1_000_000;
const api = await serve((_, res) => {
  t += 5_000;
  json(res, 200, { job_id: "job_1", status: "processing" });
});
afterAll(() => api.close());

it("a deadline passed while the answer came gives the timer 0, never a delay under 0", async () => {
  const client = createDecartClient({ apiKey: "dct_test", baseUrl: api.url, maxRetries: 0, poll: { now: () => t } });
  const timers = vi.spyOn(globalThis, "setTimeout");
  try {
    await client.queue.status("job_1", { deadline: t + 1_000 }).catch((e) => e);
    const delays = timers.mock.calls.map(([, ms]) => ms).filter((ms) => typeof ms === "number");
    expect(api.arrived()).toBe(1);
    expect(delays.length).toBeGreaterThan(0);
    expect(delays.filter((ms) => ms! < 0)).toEqual([]);
  } finally {
    timers.mockRestore();
  }
});
