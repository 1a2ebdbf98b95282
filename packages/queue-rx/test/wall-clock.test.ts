// The wall clock steps (an NTP correction, a VM resumed) as `Date.now` replaced here does; the emulator keeps the real
// time, as a server elsewhere would.
import { models } from "@decart/core";
import type { Emulator } from "@decart/emulator";
import { lastValueFrom, toArray } from "rxjs";
import { afterEach, beforeEach, expect, it } from "vitest";
import { submitAll } from "../src/batch.js";
import { clientFor, startFast } from "./helpers.js";

const realNow = Date.now;
let offset = 0;
let emu: Emulator | undefined;
beforeEach(() => {
  offset = 0;
  Date.now = () => realNow() + offset;
});
afterEach(async () => {
  Date.now = realNow;
  await emu?.close();
  emu = undefined;
});

const model = models.video("lucy-pro-t2v");

it("a step of the wall clock back (10 min) during a 429's pause does not hold the batch: it goes on after the pause", async () => {
  emu = await startFast({ now: () => realNow(), faults: [{ route: "submit", kind: "429", retryAfterSeconds: 0 }] });
  const client = clientFor(emu, { maxRetries: 0 });
  const inputs = ["a", "b"].map((prompt) => ({ model, prompt }));
  const batch = lastValueFrom(submitAll(client, inputs, { concurrency: 1, download: false }).pipe(toArray()));
  // The first submit's 429 shuts the client's gate and starts the batch's pause (the batch heard it first): the clock
  // steps back then, and the server answers from now on.
  let stepped = 0;
  const unfollow = client.rateLimit.subscribe(() => {
    if (stepped++) return;
    offset = -10 * 60_000;
    emu!.setFaults([]);
  });
  const events = await batch;
  unfollow();
  expect(stepped).toBe(1);
  expect(emu.stats().requests.byRoute.submit).toBe(3);
  expect(events.filter((e) => e.type === "error")).toEqual([]);
  expect(events[events.length - 1]!.summary).toMatchObject({ total: 2, submitted: 2, completed: 2 });
});
