import type { Emulator } from "@decart/emulator";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createDecartClient, models, type RateLimitError } from "../src/index.js";
import { monotonic } from "../src/retry.js";
import { createTokenRoute } from "../src/server.js";
import { clientFor, instantDelay, serve, silent, startFast } from "./helpers.js";

// The wall clock steps (an NTP correction, a VM resumed) as `Date.now` replaced here does, before each test makes its
// client (which may hold on to the function); the emulator keeps the real time, as a server elsewhere would.
const realNow = Date.now;
let offset = 0;
const step = (ms: number) => {
  offset = ms;
};
beforeEach(() => {
  offset = 0;
  Date.now = () => realNow() + offset;
});
afterEach(() => {
  Date.now = realNow;
});

let emu: Emulator;
beforeAll(async () => {
  emu = await startFast({ now: () => realNow() });
});
afterAll(() => emu.close());

/** A fetch that asks the emulator for a 429 (`Retry-After: seconds`) while `limiting()` holds. */
const limitedFetch =
  (limiting: () => boolean, seconds: number): typeof fetch =>
  (input, init) => {
    const headers = new Headers(init?.headers);
    if (limiting()) headers.set("x-emulator-fault", `429; retry-after=${seconds}`);
    return fetch(input, { ...init, headers });
  };

describe("the client's default clock is monotonic: a step of the wall clock", () => {
  it("forward (15 min) during a watch does not end it: the job's result comes, no JOB_TIMEOUT", async () => {
    const client = clientFor(emu);
    let stepped = false;
    const result = await client.queue.submitAndPoll({
      model: models.video("lucy-pro-t2v"),
      prompt: "a lake",
      // At the submit answer, before the first status read.
      onStatusChange: () => {
        if (!stepped) step(15 * 60_000);
        stepped = true;
      },
    });
    expect(stepped).toBe(true);
    expect(result.status).toBe("completed");
  });

  it("back (10 min) during a watch does not stretch its budget by the step: it ends when its timeoutMs is over", async () => {
    // The steady clock (`performance.now`, faked) moves only when the test moves it: by the whole budget with the step,
    // once the job exists (a budget of real ms would race the submit on a busy machine).
    vi.useFakeTimers({ toFake: ["performance"] });
    try {
      let stepped = false;
      const error = await clientFor(emu)
        .queue.submitAndPoll({
          model: models.video("lucy-pro-t2v"),
          prompt: "a lake [hold]",
          timeoutMs: 60_000,
          onStatusChange: () => {
            if (!stepped) {
              step(-10 * 60_000);
              vi.advanceTimersByTime(60_000);
            }
            stepped = true;
          },
        })
        .catch((e) => e);
      expect(error).toMatchObject({ code: "JOB_TIMEOUT" });
      expect(error.message).toContain("60000 ms");
    } finally {
      vi.useRealTimers();
    }
  });

  it("back (10 min) after a 429 does not hold the client's rate-limit gate past the Retry-After", async () => {
    let limiting = true;
    const delay = instantDelay();
    const client = createDecartClient({
      apiKey: emu.apiKey,
      baseUrl: emu.url,
      logger: silent,
      maxRetries: 0,
      // (No spread after the gate: a call it held is sent as it opens.)
      random: () => 0,
      fetch: limitedFetch(() => limiting, 1),
      poll: { delay },
    });
    const first = await client.tokens.create().catch((e) => e);
    expect(first).toMatchObject({ code: "RATE_LIMIT", retryAfterMs: 1000 });
    limiting = false;
    step(-10 * 60_000);
    // The gate opens when the Retry-After's second is over (its wait is at the delay, which does not wait), not 10
    // minutes later: the next request waits at most that second, and is sent.
    expect((await client.tokens.create()).apiKey).toMatch(/^ek_/);
    expect(delay.calls.length).toBe(1);
    expect(delay.calls[0]).toBeLessThanOrEqual(1000);
  });

  it("back (10 min) after the API's 429 does not keep createTokenRoute answering 503 past the Retry-After", async () => {
    let limiting = true;
    const route = createTokenRoute({
      authorize: () => true,
      apiKey: emu.apiKey,
      baseUrl: emu.url,
      fetch: limitedFetch(() => limiting, 0),
      onError: () => {},
    });
    const ask = () => route(new Request("http://app.test/api/decart-token", { method: "POST" }));
    // The steady clock (`performance.now`, faked) moves only when the test moves it; the wall clock steps.
    vi.useFakeTimers({ toFake: ["performance"] });
    try {
      expect((await ask()).status).toBe(503);
      limiting = false;
      step(-10 * 60_000);
      // `Retry-After: 0` closes the gate for the least wait, 50 ms: 1 ms before it is over the route still answers
      // 503 (for 1 ms more); once it is over, a token is given.
      vi.advanceTimersByTime(49);
      const early = await ask();
      expect(early.status).toBe(503);
      expect(early.headers.get("retry-after")).toBe("1");
      vi.advanceTimersByTime(1);
      const answer = await ask();
      expect(answer.status, await answer.clone().text()).toBe(200);
      expect(await answer.json()).toMatchObject({ apiKey: expect.stringMatching(/^ek_/) });
    } finally {
      vi.useRealTimers();
    }
  });

  it("back (10 min) while the API's 429 holds: createTokenRoute's 503 asks for what is left of the Retry-After", async () => {
    let limiting = true;
    const errors: RateLimitError[] = [];
    const route = createTokenRoute({
      authorize: () => true,
      apiKey: emu.apiKey,
      baseUrl: emu.url,
      fetch: limitedFetch(() => limiting, 2),
      onError: (e) => errors.push(e as RateLimitError),
    });
    const ask = () => route(new Request("http://app.test/api/decart-token", { method: "POST" }));
    expect((await ask()).headers.get("retry-after")).toBe("2");
    limiting = false;
    step(-10 * 60_000);
    const answer = await ask();
    expect(answer.status).toBe(503);
    expect(Number(answer.headers.get("retry-after"))).toBeLessThanOrEqual(2);
    expect(errors[1]?.retryAfterMs).toBeLessThanOrEqual(2000);
    expect(errors[1]?.message).toMatch(/holds for \d{1,4} ms more$/);
  });

  it("forward (10 min) before a 429: an HTTP-date Retry-After (no Date header) is read against the wall clock", async () => {
    step(10 * 60_000);
    // A server whose clock agrees with the wall clock as it now is, asking for 30 s (far more than a loaded
    // machine's delay between its answer and the client's reading of it, which a 2 s wait did not leave room for).
    const api = await serve((_req, res) => {
      res.sendDate = false;
      res.writeHead(429, { "retry-after": new Date(Date.now() + 30_000).toUTCString() });
      res.end();
    });
    try {
      const client = createDecartClient({ apiKey: "k", baseUrl: api.url, logger: silent, maxRetries: 0 });
      const error = await client.tokens.create().catch((e) => e);
      expect(error.code).toBe("RATE_LIMIT");
      // (The date is to the second; 10 min off either way would be far outside.)
      expect(error.retryAfterMs).toBeGreaterThan(20_000);
      expect(error.retryAfterMs).toBeLessThanOrEqual(30_000);
    } finally {
      await api.close();
    }
  });

  it("forward (15 min) with a token held: it is not taken for expired, no new one is asked for", async () => {
    const minter = clientFor(emu);
    let fetched = 0;
    const client = createDecartClient({
      token: () => {
        fetched++;
        return minter.tokens.create({ expiresIn: 600 });
      },
      baseUrl: emu.url,
      logger: silent,
    });
    const missing = `job_${"0".repeat(32)}`;
    expect(await client.queue.status(missing).catch((e) => e.code)).toBe("NOT_FOUND");
    step(15 * 60_000);
    expect(await client.queue.status(missing).catch((e) => e.code)).toBe("NOT_FOUND");
    expect(fetched).toBe(1);
  });

  it("back (10 min) before a token arrives: its expiresAt, read against the wall clock, gives it the life it says", async () => {
    const minter = clientFor(emu);
    let fetched = 0;
    const client = createDecartClient({
      // A token the route says lives 2 s more, by the (stepped) wall clock of this machine.
      token: async () => {
        fetched++;
        const { apiKey } = await minter.tokens.create({ expiresIn: 600 });
        return { apiKey, expiresAt: new Date(Date.now() + 2000).toISOString() };
      },
      baseUrl: emu.url,
      logger: silent,
    });
    // The steady clock (`performance.now`, faked) moves only when the test moves it: the token's life is counted on
    // it, whatever the machine's pace.
    vi.useFakeTimers({ toFake: ["performance"] });
    try {
      // (The clock anchored at the wall time before the step, as in a process that ran before it.)
      monotonic();
      step(-10 * 60_000);
      const missing = `job_${"0".repeat(32)}`;
      expect(await client.queue.status(missing).catch((e) => e.code)).toBe("NOT_FOUND");
      expect(await client.queue.status(missing).catch((e) => e.code)).toBe("NOT_FOUND");
      // Taken on the monotonic clock as it came, its expiry would be 10 min past: every request would ask for another.
      expect(fetched).toBe(1);
      // And it is renewed within its life (its expiry not read as past, which would keep it for ever): 1.8 s on, past
      // its renewal (a quarter of its life before its end), the token held is sent and another is asked for.
      vi.advanceTimersByTime(1800);
      expect(await client.queue.status(missing).catch((e) => e.code)).toBe("NOT_FOUND");
      // (The renewal's fetch starts as the request takes its key.)
      expect(fetched).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a runtime without performance.now keeps the wall clock (Date.now) as the default", () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, "performance")!;
    // (The clock reads the runtime's performance at each call. Gone only for this check: the emulator, in this process,
    // times its answers with it.)
    delete (globalThis as { performance?: unknown }).performance;
    Date.now = () => 42_000;
    try {
      expect(monotonic()).toBe(42_000);
    } finally {
      Object.defineProperty(globalThis, "performance", saved);
    }
    // And once it is back, the steady clock again, in whole ms (a wait worked out on it is too): a step of the wall
    // clock moves it not.
    const anchored = monotonic();
    expect(Number.isInteger(anchored)).toBe(true);
    Date.now = () => 9_000_000;
    expect(monotonic() - anchored).toBeLessThan(60_000);
  });
});

describe("the client's default clock under a test's fake timers", () => {
  it("follows them, as it followed Date.now: a watch's budget ends in fake time", async () => {
    // The real setImmediate, to let the server's answers in while fake time goes on.
    const realImmediate = setImmediate;
    const server = await serve((_req, res) => {
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(
          JSON.stringify({ job_id: "job_abc123", status: "processing", created_at: new Date(realNow()).toISOString() }),
        );
    });
    // The requests the client started, and those whose answer it has read whole (or that failed): fake time moves
    // only when none is under way, so that the submit's answer is in before the budget can end, however slow the
    // machine (one real turn per step was not always enough: SUBMIT_OUTCOME_UNKNOWN).
    let started = 0;
    let settled = 0;
    const counted: typeof fetch = async (input, init) => {
      started++;
      try {
        const answer = await fetch(input, init);
        return new Response(await answer.arrayBuffer(), answer);
      } finally {
        settled++;
      }
    };
    vi.useFakeTimers();
    try {
      const client = createDecartClient({
        apiKey: "dct_test_key_123456",
        baseUrl: server.url,
        logger: silent,
        fetch: counted,
      });
      let outcome: unknown = "pending";
      client.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "a lake", timeoutMs: 5000 }).then(
        () => (outcome = "resolved"),
        (e) => (outcome = e.code),
      );
      for (let i = 0; i < 120 && outcome === "pending"; i++) {
        while (outcome === "pending" && (started === 0 || settled < started)) {
          await new Promise((resolve) => realImmediate(resolve));
        }
        await vi.advanceTimersByTimeAsync(500);
      }
      expect(outcome).toBe("JOB_TIMEOUT");
    } finally {
      vi.useRealTimers();
      await server.close();
    }
  });
});
