/**
 * A submit inside a wait's budget (`submitAndPoll`, `submitAndWatch`) answered 429 with a `Retry-After` longer than
 * what is left of the budget (also one beyond the 60 s honoured) is not waited out: the call ends at once in
 * `JobTimeoutError` with that `retryAfterMs`, one POST sent, as a watch's read ends. The gate that 429 shuts (for 60 s)
 * keeps the server's whole ask: a plain submit on the same client whose budget ends before it then fails at once (not
 * sent) with `retryAfterMs` the time left of it, not after a minute's wait at the gate and a second 429. Over HTTP against the emulator (its
 * `submit:429` fault); time passes only in the client's waits (`virtualTime`): a call that waited would ask its delay.
 */
import type { Emulator } from "@decart/emulator";
import { afterEach, describe, expect, it } from "vitest";
import { JobTimeoutError, models, RateLimitError } from "../src/index.js";
import { clientFor, startFast, virtualTime } from "./helpers.js";

const t2v = models.video("lucy-pro-t2v");
let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const busy = async (retryAfterSeconds?: number) => {
  emu = await startFast({ faults: [{ route: "submit", kind: "429", retryAfterSeconds }] });
  const time = virtualTime();
  return { client: clientFor(emu, { poll: { now: time.now, delay: time.delay } }), ...time, emu };
};
const posts = () => emu!.stats().requests.byRoute.submit;

describe("a submit inside a wait's budget answered 429 with a Retry-After past its end", () => {
  for (const timeoutMs of [20_000, undefined]) {
    it(`ends at once in JobTimeoutError with retryAfterMs, one POST (timeoutMs: ${timeoutMs ?? "default"})`, async () => {
      const { client, delay } = await busy(900);
      const error = await client.queue.submitAndPoll({ model: t2v, prompt: "x", timeoutMs }).catch((e) => e);
      expect(error).toBeInstanceOf(JobTimeoutError);
      expect(error).toMatchObject({ code: "JOB_TIMEOUT", retryAfterMs: 900_000, retryable: true, jobId: undefined });
      expect(error.cause).toBeInstanceOf(RateLimitError);
      expect(error.cause.retryAfterMs).toBe(900_000);
      expect(error.message).toMatch(
        /^The submit: not watched on: the last request asked to wait 900000 ms \(Retry-After\), past the budget's end: .*\(HTTP 429.*; no job was made$/,
      );
      // Nothing waited for, nothing sent again.
      expect(delay.calls.filter((ms) => ms > 0)).toEqual([]);
      expect(posts()).toBe(1);
    });
  }

  it("submitAndWatch too: no event, one POST", async () => {
    const { client, delay } = await busy(900);
    const events: string[] = [];
    const error = await (async () => {
      for await (const event of client.queue.submitAndWatch({ model: t2v, prompt: "x", timeoutMs: 20_000 }))
        events.push(event.type);
    })().catch((e) => e);
    expect(error).toBeInstanceOf(JobTimeoutError);
    expect(error.retryAfterMs).toBe(900_000);
    expect(events).toEqual([]);
    expect(delay.calls.filter((ms) => ms > 0)).toEqual([]);
    expect(posts()).toBe(1);
  });

  it("a plain submit meeting the gate it shut, its budget shorter than the whole Retry-After, fails at once, not sent", async () => {
    const { client, delay, now } = await busy(900);
    await client.queue.submitAndPoll({ model: t2v, prompt: "x", timeoutMs: 20_000 }).catch(() => {});
    // The gate holds 60 s at most (then a call with the budget for it is sent again); the server's ask is kept.
    expect(client.rateLimit.pausedUntil()).toBe(now() + 60_000);
    const error = await client.queue.submit({ model: t2v, prompt: "y" }).catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(900_000);
    expect(error.message).toMatch(/: not sent, rate-limited for 900000 ms more$/);
    expect(delay.calls.filter((ms) => ms > 0)).toEqual([]);
    expect(posts()).toBe(1);
  });

  it("a call whose budget holds the whole Retry-After waits the gate's 60 s and is sent", async () => {
    emu = await startFast({ faults: [{ route: "submit", kind: "429", retryAfterSeconds: 900 }] });
    const time = virtualTime();
    const client = clientFor(emu, { timeoutMs: 1_000_000, maxRetries: 0, poll: { now: time.now, delay: time.delay } });
    const first = await client.queue.submit({ model: t2v, prompt: "x" }).catch((e) => e);
    expect(first.retryAfterMs).toBe(900_000);
    const second = await client.queue.submit({ model: t2v, prompt: "y" }).catch((e) => e);
    expect(second).toMatchObject({ status: 429, retryAfterMs: 900_000 });
    // The gate's 60 s (then its spread, a random part of them), not the server's 900 s.
    expect(time.delay.calls.filter((ms) => ms > 0)[0]).toBe(60_000);
    expect(time.now()).toBeLessThan(120_000);
    expect(posts()).toBe(2);
  });

  it("a Retry-After that fits the budget is still waited (60 s at most) and the submit sent again", async () => {
    const { client, delay } = await busy(30);
    const error = await client.queue.submitAndPoll({ model: t2v, prompt: "x", timeoutMs: 100_000 }).catch((e) => e);
    expect(error).toBeInstanceOf(JobTimeoutError);
    expect(delay.calls.filter((ms) => ms > 0).slice(0, 2)).toEqual([30_000, 30_000]);
    expect(posts()).toBeGreaterThan(2);
  });
});

describe("a watch held at a gate a bare 429 shut, past its budget", () => {
  it("says the request was held, not that a Retry-After asked it, and no fractional ms", async () => {
    emu = await startFast({ faults: [{ route: "submit", kind: "429" }] });
    // A fractional clock, set by hand: the gate's time left is 49.5 ms when the watch meets it.
    let t = 0.4;
    const client = clientFor(emu, { maxRetries: 0, poll: { now: () => t, delay: async () => {} } });
    const shut = await client.queue.submit({ model: t2v, prompt: "x" }).catch((e) => e);
    expect(shut).toBeInstanceOf(RateLimitError);
    expect(shut.retryAfterMs).toBeUndefined();
    t = 0.9;
    const error = await client.queue.submitAndPoll({ model: t2v, prompt: "x", timeoutMs: 10 }).catch((e) => e);
    expect(error).toBeInstanceOf(JobTimeoutError);
    expect(error.retryAfterMs).toBe(49.5);
    expect(error.message).toMatch(
      /^The submit: not watched on: the last request was held, past the budget's end: POST .*: not sent, rate-limited for 50 ms more; no job was made$/,
    );
    expect(error.message).not.toMatch(/Retry-After|49\.5/);
    expect(posts()).toBe(1);
  });
});
