/**
 * The rate-limit gate of a client shared by tests that swap the clock (fake timers at another date): the default clock
 * follows the swap, and a pause closed on one clock is not found closed for as long as the clock moved, in either
 * direction. A pause is over once the clock reads its end, or earlier than when it was closed.
 */
import type { Emulator } from "@decart/emulator";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { models, type RateLimitPause } from "../src/index.js";
import { clientFor, instantDelay, startFast } from "./helpers.js";

const DAY = 86_400_000;
let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());
afterEach(() => {
  vi.useRealTimers();
  emu.setFaults([]);
});

/**
 * A client with no retries (a 429 fails its call and closes the gate), its pauses kept; its waits (at the gate too) do
 * not wait, and are kept.
 */
const limitedClient = () => {
  const delay = instantDelay();
  const client = clientFor(emu, { maxRetries: 0, poll: { delay } });
  const pauses: RateLimitPause[] = [];
  client.rateLimit.subscribe((p) => void pauses.push(p));
  return { client, pauses, delay };
};

/** A submit that meets the emulator's 429 asking for a minute: the gate closes for it. */
const limitedSubmit = async (client: ReturnType<typeof clientFor>) => {
  emu.setFaults([{ route: "submit", kind: "429", retryAfterSeconds: 60 }]);
  const error = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "a" }).catch((e) => e);
  emu.setFaults([]);
  expect(error).toMatchObject({ code: "RATE_LIMIT", retryAfterMs: 60_000 });
  expect(client.rateLimit.pausedUntil()).toBeTypeOf("number");
};

const submit = (client: ReturnType<typeof clientFor>) =>
  client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "b" }).catch((e) => e);

describe("the rate-limit gate, when the clock is swapped for another", () => {
  it("closed on the real clock, then fake timers at an earlier date: the gate is open, the next submit is sent", async () => {
    const { client, delay } = limitedClient();
    await limitedSubmit(client);
    vi.useFakeTimers({ now: new Date(Date.now() - 300 * DAY) });
    expect(client.rateLimit.pausedUntil()).toBeUndefined();
    expect((await submit(client)).job_id).toMatch(/^job_/);
    expect(delay.calls).toEqual([]);
  });

  it("closed under fake timers at a later date, then the real clock again: the gate is open, the next submit is sent", async () => {
    const { client, delay } = limitedClient();
    vi.useFakeTimers({ now: new Date(Date.now() + 300 * DAY) });
    await limitedSubmit(client);
    vi.useRealTimers();
    expect(client.rateLimit.pausedUntil()).toBeUndefined();
    expect((await submit(client)).job_id).toMatch(/^job_/);
    expect(delay.calls).toEqual([]);
  });

  it("a 429 after the swap closes the gate again, for its own Retry-After, on the new clock", async () => {
    const { client, pauses, delay } = limitedClient();
    await limitedSubmit(client);
    vi.useFakeTimers({ now: new Date(Date.now() - 300 * DAY) });
    await limitedSubmit(client);
    expect(pauses.map((p) => p.waitMs)).toEqual([60_000, 60_000]);
    expect(client.rateLimit.pausedUntil()).toBe(pauses[1]!.until);
    // The next submit waits at the gate once, for no more than that minute, then is sent.
    expect((await submit(client)).job_id).toMatch(/^job_/);
    expect(delay.calls).toHaveLength(1);
    expect(delay.calls[0]).toBeGreaterThan(0);
    expect(delay.calls[0]).toBeLessThanOrEqual(60_000);
  });
});
