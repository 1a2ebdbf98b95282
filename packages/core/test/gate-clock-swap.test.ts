/**
 * The rate-limit gate when the clock moves back or is swapped for another: a wall clock (`poll.now`) stepped back by an
 * NTP correction, a client shared by tests that swap the clock (fake timers at another date; the default clock follows
 * the swap). A pause closed on one clock keeps what was left of it on the other: it is neither held for as long as the
 * clock moved (months), nor opened at once.
 */
import type { Emulator } from "@decart/emulator";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { models, type RateLimitPause } from "../src/index.js";
import { monotonic } from "../src/retry.js";
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
 * not wait, and are kept. (`random` at 0: a call the gate held is sent as it opens, with no spread after it.)
 */
const limitedClient = () => {
  const delay = instantDelay();
  const client = clientFor(emu, { maxRetries: 0, random: () => 0, poll: { delay } });
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

/** What the gate says is left of its pause, on the default clock. */
const leftNow = (client: ReturnType<typeof clientFor>) => (client.rateLimit.pausedUntil() ?? 0) - monotonic();

describe("the rate-limit gate, when the clock is swapped for another", () => {
  it("closed on the real clock, then fake timers at an earlier date: what was left holds, then the next submit is sent", async () => {
    const { client, delay } = limitedClient();
    await limitedSubmit(client);
    vi.useFakeTimers({ now: new Date(Date.now() - 300 * DAY) });
    // What is left of the minute, not 300 days more.
    expect(leftNow(client)).toBeGreaterThan(0);
    expect(leftNow(client)).toBeLessThanOrEqual(60_000);
    expect((await submit(client)).job_id).toMatch(/^job_/);
    expect(delay.calls).toHaveLength(1);
    expect(delay.calls[0]).toBeGreaterThan(0);
    expect(delay.calls[0]).toBeLessThanOrEqual(60_000);
  });

  it("closed under fake timers at a later date, then the real clock again: what was left holds, then the next submit is sent", async () => {
    const { client, delay } = limitedClient();
    vi.useFakeTimers({ now: new Date(Date.now() + 300 * DAY) });
    await limitedSubmit(client);
    vi.useRealTimers();
    expect(leftNow(client)).toBeGreaterThan(0);
    expect(leftNow(client)).toBeLessThanOrEqual(60_000);
    expect((await submit(client)).job_id).toMatch(/^job_/);
    expect(delay.calls).toHaveLength(1);
    expect(delay.calls[0]).toBeGreaterThan(0);
    expect(delay.calls[0]).toBeLessThanOrEqual(60_000);
  });

  it("a 429 after the swap closes the gate again, for its own Retry-After, on the new clock", async () => {
    const { client, pauses, delay } = limitedClient();
    await limitedSubmit(client);
    vi.useFakeTimers({ now: new Date(Date.now() - 300 * DAY) });
    expect(leftNow(client)).toBeLessThanOrEqual(60_000);
    vi.advanceTimersByTime(1_000);
    // The submit waits out what is left of the first pause, then meets a second 429.
    await limitedSubmit(client);
    expect(delay.calls).toHaveLength(1);
    expect(pauses.map((p) => p.waitMs)).toEqual([60_000, 60_000]);
    expect(client.rateLimit.pausedUntil()).toBe(pauses[1]!.until);
    // The next submit waits at the gate once more, for no more than that minute, then is sent.
    expect((await submit(client)).job_id).toMatch(/^job_/);
    expect(delay.calls).toHaveLength(2);
    expect(delay.calls[1]).toBeGreaterThan(0);
    expect(delay.calls[1]).toBeLessThanOrEqual(60_000);
  });
});

describe("the rate-limit gate, when a wall clock (poll.now) steps back", () => {
  it("a 2 s step back keeps what is left of a 60 s pause, and a shorter 429 then does not replace it", async () => {
    let clock = 1_800_000_000_000;
    const delay = instantDelay();
    const client = clientFor(emu, { maxRetries: 0, random: () => 0, poll: { now: () => clock, delay } });
    await limitedSubmit(client);
    const left = () => (client.rateLimit.pausedUntil() ?? clock) - clock;
    expect(left()).toBe(60_000);
    clock += 1_000;
    expect(left()).toBe(59_000);
    clock -= 2_000;
    expect(left()).toBe(59_000);
    clock += 2_000;
    expect(left()).toBe(57_000);
    // Stepped back again, a 429 asking for 1 s: the submit waits at the gate first, and the pause keeps its end.
    clock -= 2_000;
    emu.setFaults([{ route: "submit", kind: "429", retryAfterSeconds: 1 }]);
    expect(await submit(client)).toMatchObject({ code: "RATE_LIMIT", retryAfterMs: 1_000 });
    emu.setFaults([]);
    expect(delay.calls).toEqual([57_000]);
    expect(left()).toBe(57_000);
  });
});
