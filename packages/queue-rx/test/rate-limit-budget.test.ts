// A submit of a batch answered 429 is sent again after the batch's pause within the client's budget (`timeoutMs`, from
// its first 429), as the client's own submit keeps to it, and 64 times at most: each pause at least the client's floor,
// 50 ms doubling to 1 s with each 429 in a row (with `Retry-After: 0` too), so a storm is answered about once a second
// and the budget of 60 s ends it before the count; a storm that never ends still ends it.
import { createDecartClient, type JobSubmitResult, models, RateLimitError } from "@decart/core";
import { lastValueFrom, toArray, VirtualTimeScheduler } from "rxjs";
import { rateLimitedServer } from "test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { type BatchEvent, submitAll } from "../src/batch.js";
import type { SubmitInput } from "../src/types.js";
import { clientOnClock, seeded, until } from "./helpers.js";
import { marbles, silent, virtualClient } from "./marbles.js";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** A server answering the first `storm` submits 429 with `Retry-After: 0` (or `retryAfter`), then taking them. */
async function stormy(storm: number, retryAfter = "0") {
  const server = await rateLimitedServer({ refuse: storm }, { retryAfter });
  close = server.close;
  return { ...server, baseUrl: server.url };
}

const model = models.video("lucy-pro-t2v");

describe("a batch's submit answered 429 again and again", () => {
  it("5 answers 429 (Retry-After: 0) in a row, well within the budget: sent again each time, its job made", async () => {
    const { seen, baseUrl } = await stormy(5);
    const client = createDecartClient({ apiKey: "dct_test", baseUrl, logger: silent, random: seeded(11) });
    const events = await lastValueFrom(
      submitAll(client, [{ key: "storm", input: { model, prompt: "through a storm" } }], { download: false }).pipe(
        toArray(),
      ),
    );
    expect(events.filter((e) => e.type === "error")).toEqual([]);
    expect(events.at(-1)!.summary).toMatchObject({ total: 1, submitted: 1, completed: 1, failed: 0 });
    expect(seen.posts).toBe(6);
  }, 60_000);

  it("a storm that does not end: the submit fails with its 429 once its budget is spent, and the batch ends", async () => {
    const { seen, baseUrl } = await stormy(Number.POSITIVE_INFINITY);
    const client = createDecartClient({
      apiKey: "dct_test",
      baseUrl,
      logger: silent,
      random: seeded(12),
      timeoutMs: 400,
    });
    const events = await lastValueFrom(
      submitAll(client, [{ model, prompt: "into a storm" }], { download: false }).pipe(toArray()),
    );
    expect(events.map((e) => [e.type, e.error?.status])).toEqual([["error", 429]]);
    expect(RateLimitError.isInstance(events[0]!.error)).toBe(true);
    // Sent again after each pause (each at least the client's floor, 50 ms), until the budget ran out.
    expect(seen.posts).toBeGreaterThan(1);
  }, 60_000);

  it("a storm of 429s to 16 submits at once: each fails with its own 429, none sent more than twice", async () => {
    // Every submit answered 429 Retry-After: 1, the budget 1.5 s: the first pause (1 s) ends within each budget, and
    // the submits it held are let go over the next second (or at once, those whose turn would come past the budget).
    // The first of them answered 429 pauses the batch past every budget: those still waiting fail then, unsent, with
    // their own 429 (each submit sent twice at most), not each sent again once the pause ends, one a second. How many
    // are still waiting then depends on how soon over real HTTP that 429 is answered (under load, none): the test on
    // virtual time below asserts that some are.
    const { seen, baseUrl } = await stormy(Number.POSITIVE_INFINITY, "1");
    const client = createDecartClient({
      apiKey: "dct_test",
      baseUrl,
      logger: silent,
      random: seeded(13),
      timeoutMs: 1500,
    });
    const inputs = Array.from({ length: 16 }, (_, i) => ({ model, prompt: `input-${i}` }));
    const events = await lastValueFrom(
      submitAll(client, inputs, { download: false, concurrency: Number.POSITIVE_INFINITY }).pipe(toArray()),
    );
    expect(events.map((e) => [e.type, e.error?.status])).toEqual(inputs.map(() => ["error", 429]));
    expect(events.every((e) => RateLimitError.isInstance(e.error))).toBe(true);
    const posts = [...seen.prompts.values()];
    expect(seen.prompts.size).toBe(16);
    expect(Math.max(...posts)).toBeLessThanOrEqual(2);
  }, 60_000);

  it("on virtual time, a storm of 429s (Retry-After: 1, budget 1.5 s) to 16 submits at once: some fail unsent at the gate", () => {
    marbles(({ cold, scheduler, flush }) => {
      // Every submit answered 429 asking for 1 s, 1 ms after it is sent. The 16 sent at 0 pause the batch until 1001
      // (one burst, one pause), within each budget (until 1501): each is sent again, spread over the second after it
      // (those whose turn would come past 1501 at once). The first of those answered 429 pauses the batch until past
      // every budget: the submits still waiting for their turn fail then with their own 429, unsent.
      const sends = new Map<string, number>();
      const submitSource = (input: SubmitInput) => {
        const prompt = (input as { prompt: string }).prompt;
        sends.set(prompt, (sends.get(prompt) ?? 0) + 1);
        return cold<JobSubmitResult>("-#", undefined, new RateLimitError("429", { status: 429, retryAfterMs: 1000 }));
      };
      const client = createDecartClient({
        apiKey: "dct_virtual",
        baseUrl: "http://127.0.0.1:9",
        logger: silent,
        random: seeded(13),
        timeoutMs: 1500,
        poll: { now: () => scheduler.now() },
      });
      const inputs = Array.from({ length: 16 }, (_, i) => ({ model, prompt: `input-${i}` }));
      const events: BatchEvent[] = [];
      submitAll(client, inputs, { download: false, concurrency: Number.POSITIVE_INFINITY, submitSource }).subscribe(
        (e) => events.push(e),
      );
      flush();
      expect(events.map((e) => [e.index, e.type, e.error?.status]).sort((a, b) => +a[0]! - +b[0]!)).toEqual(
        inputs.map((_, i) => [i, "error", 429]),
      );
      expect(events.every((e) => RateLimitError.isInstance(e.error))).toBe(true);
      const counts = [...sends.values()];
      expect(sends.size).toBe(16);
      expect(Math.max(...counts)).toBe(2);
      // Some held at the gate when the pause grew past their budget: sent once.
      expect(Math.min(...counts)).toBe(1);
      expect(counts.reduce((a, b) => a + b)).toBeLessThan(32);
    });
  });

  it("on virtual time: 429s asking for 1 s are sent again until the pause would end past the 60 s budget", () => {
    marbles(({ cold, scheduler, flush }) => {
      const calls: number[] = [];
      const submitSource = (_input: SubmitInput) => {
        calls.push(scheduler.now());
        return cold<JobSubmitResult>("-#", undefined, new RateLimitError("429", { status: 429, retryAfterMs: 1000 }));
      };
      const events: unknown[] = [];
      submitAll(virtualClient(scheduler), [{ model, prompt: "p" }], { download: false, submitSource }).subscribe((e) =>
        events.push(e),
      );
      flush();
      // The first 429 at 1 ms: budget until 60 001 ms. The n-th 429 (at 1001·(n − 1) + 1) pauses until 1001·n: sent
      // again while that is within the budget, 59 times, then the 60th fails.
      expect(calls).toHaveLength(60);
      expect(calls.at(-1)).toBe(59 * 1001);
      expect(events).toMatchObject([{ type: "error", error: { status: 429 } }]);
    });
  });

  it("on virtual time: 429s with Retry-After: 0 pause the batch 50 ms doubling to 1 s (the client's floor), not 0", () => {
    marbles(({ cold, scheduler, flush }) => {
      const calls: number[] = [];
      const submitSource = (_input: SubmitInput) => {
        calls.push(scheduler.now());
        return cold<JobSubmitResult>("-#", undefined, new RateLimitError("429", { status: 429, retryAfterMs: 0 }));
      };
      const events: unknown[] = [];
      submitAll(virtualClient(scheduler), [{ model, prompt: "p" }], { download: false, submitSource }).subscribe((e) =>
        events.push(e),
      );
      flush();
      // Each 429 (1 ms after its send) pauses 50 ms, 100, 200, 400, 800, then 1 s each: the 64th send (at
      // 1555 + 58·1001) is the last whose pause ends within 60 001 ms.
      expect(calls.slice(0, 7)).toEqual([0, 51, 152, 353, 754, 1555, 2556]);
      expect(calls).toHaveLength(64);
      expect(calls.at(-1)).toBe(1555 + 58 * 1001);
      expect(events).toMatchObject([{ type: "error", error: { status: 429 } }]);
    });
  });

  it("on virtual time, a budget of an hour: a submit answered 429 (Retry-After: 0) is sent again 64 times at most", () => {
    marbles(({ cold, scheduler, flush }) => {
      const calls: number[] = [];
      const submitSource = (_input: SubmitInput) => {
        calls.push(scheduler.now());
        return cold<JobSubmitResult>("-#", undefined, new RateLimitError("429", { status: 429, retryAfterMs: 0 }));
      };
      const client = createDecartClient({
        apiKey: "dct_virtual",
        baseUrl: "http://127.0.0.1:9",
        logger: silent,
        random: () => 0,
        timeoutMs: 3_600_000,
        poll: { now: () => scheduler.now() },
      });
      const events: unknown[] = [];
      submitAll(client, [{ model, prompt: "p" }], { download: false, submitSource }).subscribe((e) => events.push(e));
      flush();
      expect(calls).toHaveLength(65);
      expect(events).toMatchObject([{ type: "error", error: { status: 429 } }]);
    });
  });

  it("over HTTP on virtual time: a submit waiting out its turn fails unsent at the gate once another's later 429 grows the pause past its budget", async () => {
    // Two submits sent at once, every POST answered 429 asking for 1 s, the budget 1.5 s: one pause to 1000, within
    // both budgets (to 1500). After it each waits its turn (the client's `random`: 0.1 and 0.4 of the pause's length):
    // the first goes at 1100 and its 429, a wave after the pause began, pauses the batch to 2100, past the other's
    // budget: the other, still waiting (to 1400), fails then with its own 429, unsent. The client's submit, the
    // batch's gate and its clock, as a batch of the client's own runs them; the batch's time runs when the test says.
    const scheduler = new VirtualTimeScheduler();
    const {
      seen,
      url: baseUrl,
      ...server
    } = await rateLimitedServer({ refuse: Number.POSITIVE_INFINITY, together: 2 }, { retryAfter: "1" });
    close = server.close;
    const draws = [0.1, 0.4];
    const client = createDecartClient({
      apiKey: "dct_test",
      baseUrl,
      logger: silent,
      timeoutMs: 1500,
      random: () => draws.shift() ?? 0.5,
      poll: { now: () => scheduler.now() },
    });
    const inputs = [0, 1].map((i) => ({ model, prompt: `input-${i}` }));
    const events: BatchEvent[] = [];
    submitAll(client, inputs, { download: false, concurrency: 2, scheduler }).subscribe((e) => events.push(e));
    // Both answered 429 and waiting out the pause (to 1000); then the first of them sent again at 1100, answered 429.
    await until(() => scheduler.actions.length === 2);
    scheduler.maxFrames = 1100;
    scheduler.flush();
    await until(() => events.length === 1);
    scheduler.maxFrames = Number.POSITIVE_INFINITY;
    scheduler.flush();
    await until(() => events.length === 2);
    expect(events.map((e) => [e.type, e.error?.status])).toEqual([
      ["error", 429],
      ["error", 429],
    ]);
    expect(events.every((e) => RateLimitError.isInstance(e.error))).toBe(true);
    // The first sent twice, the other once: refused at the gate, never sent again.
    expect(seen.posts).toBe(3);
    expect([...seen.prompts.values()].sort()).toEqual([1, 2]);
  });

  it("4 submits answered 429 together (Retry-After equal to the budget): the burst is one pause, each sent again", async () => {
    // On virtual time: the batch's timers run when the test says, and the client's clock (its budgets, its gate, the
    // batch's pauses) reads that time, stepped 3 ms at each 429 the client reads: the 4 answers are read 3 ms apart,
    // each pausing the batch from its own time, so that the pause ends past the budgets of the submits answered first
    // (it ends at 10 012; their budgets at 10 003, 10 006 and 10 009), which their own burst's later answers must not
    // fail. How fast the machine reads them, or when a timer of its fires, changes nothing.
    const scheduler = new VirtualTimeScheduler();
    let step = 0;
    // The 4 submits held until all came, then answered 429 together; the time of each on the client's clock.
    const {
      seen,
      url: baseUrl,
      ...server
    } = await rateLimitedServer({ refuse: 4, together: 4 }, { retryAfter: "10", now: () => scheduler.now() + step });
    close = server.close;
    // The status reads wait on timers of their own (`poll.delay`), not on the batch's scheduler.
    const client = clientOnClock(baseUrl, () => scheduler.now() + step, {
      apiKey: "dct_test",
      // The budget, 10 s as the Retry-After, is each HTTP attempt's limit too: the first submits wait for the fourth
      // (a limit of 1 s a loaded machine could reach). Its pauses are virtual, not waited.
      timeoutMs: 10_000,
      random: seeded(3),
    });
    // Subscribed before the batch: the clock steps before the batch hears of the 429 that closed the gate.
    const closings: number[] = [];
    client.rateLimit.subscribe(({ until }) => {
      closings.push(until);
      step += 3;
    });
    const inputs = [0, 1, 2, 3].map((i) => ({ model, prompt: `burst ${i}` }));
    const events: BatchEvent[] = [];
    let ended = false;
    submitAll(client, inputs, { download: false, concurrency: 4, scheduler }).subscribe({
      next: (e) => events.push(e),
      complete: () => (ended = true),
    });
    // The 4 answers read (the gate closed at 0, 3, 6 and 9 ms, for 10 s each), each submit waits out the pause.
    await until(() => scheduler.actions.length === 4);
    expect(closings).toEqual([10_000, 10_003, 10_006, 10_009]);
    scheduler.flush();
    await until(() => ended);
    expect(events.filter((e) => e.type === "error")).toEqual([]);
    expect(
      events
        .filter((e) => e.event?.type === "completed")
        .map((e) => e.index)
        .sort(),
    ).toEqual([0, 1, 2, 3]);
    // Each sent again once, after the pause's end.
    expect(seen.sentAt).toHaveLength(8);
    expect(seen.sentAt.slice(4).every((at) => at >= 10_012)).toBe(true);
  });
});
