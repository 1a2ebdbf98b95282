/**
 * The calls the rate-limit gate holds are let go in the order they were held, oldest first: under a 429 on every
 * request, a call held early is not held again and again while calls held after it are sent. Over HTTP, against a
 * purpose-built server that answers every request 429 (`Retry-After: 1`) and records which job each read names; on a
 * client clock that moves only when every call waits (a step at a time, to the next wait's end), with seeded
 * randomness: what is checked is the order the server saw, and the instant on that clock each request arrived, whatever
 * the machine's speed.
 */
import { describe, expect, it } from "vitest";
import { createDecartClient, type DecartClient, type DelayFunction } from "../src/index.js";
import { serve, silent } from "./helpers.js";

/** Seeded randomness in [0, 1) (a linear congruential generator). */
const seeded = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};

/**
 * A clock that stands still until `step` moves it to the end of the earliest wait, letting go of the waits due. A wait
 * whose signal aborts is dropped and rejects.
 */
function steppedTime() {
  let t = 0;
  const waits: { at: number; go: () => void }[] = [];
  const delay: DelayFunction = (ms, signal) =>
    new Promise<void>((go, no) => {
      const w = { at: t + ms, go };
      waits.push(w);
      signal?.addEventListener("abort", () => {
        if (waits.includes(w)) waits.splice(waits.indexOf(w), 1);
        no(signal.reason);
      });
    });
  const step = () => {
    t = Math.max(t, Math.min(...waits.map((w) => w.at)));
    for (const w of waits.filter((w) => w.at <= t)) {
      waits.splice(waits.indexOf(w), 1);
      w.go();
    }
  };
  return { now: () => t, delay, waits, step };
}

/** Resolves once `ready()` holds, looking again after each turn of the event loop (no timer). */
const until = async (ready: () => boolean) => {
  while (!ready()) await new Promise((resolve) => setImmediate(resolve));
};

const id = (i: number) => `job_${String(i).padStart(32, "0")}`;

/** A server that answers every request 429 (`Retry-After: 1`), recording the job each read names and when it came. */
const limited = async (time: { now: () => number }) => {
  const at: { job: string; at: number }[] = [];
  const server = await serve((req, res) => {
    at.push({ job: req.url!.split("/").pop()!, at: time.now() });
    res.writeHead(429, { "content-type": "application/json", "retry-after": "1" });
    res.end(JSON.stringify({ detail: "Rate limit exceeded" }));
  });
  return Object.assign(server, { at });
};

type Gated = Awaited<ReturnType<typeof limited>> & {
  time: ReturnType<typeof steppedTime>;
  client: DecartClient;
  /** When the gate opens, as each of its closings says (`rateLimit.subscribe`). */
  opens: number[];
};

/**
 * A test over a `limited` server, on a `steppedTime` clock, whose client (randomness `random`) has had a read's 429
 * shut its gate for 1 s: one attempt a call (a 429 right after the gate's pause spends no try of a call that retries at
 * all), so each call is sent once, when the gate lets it go, and fails with that 429; a budget no step reaches.
 */
const gated = (random: () => number, test: (on: Gated) => Promise<void>) => async () => {
  const time = steppedTime();
  const server = await limited(time);
  try {
    const client = createDecartClient({
      apiKey: "k",
      baseUrl: server.url,
      logger: silent,
      maxRetries: 0,
      timeoutMs: 3_600_000,
      random,
      poll: { now: time.now, delay: time.delay },
    });
    const opens: number[] = [];
    client.rateLimit.subscribe(({ until }) => void opens.push(until));
    await expect(client.queue.status(id(99))).rejects.toMatchObject({ status: 429 });
    await test(Object.assign(server, { time, client, opens }));
  } finally {
    await server.close();
  }
};

/** Calls `start(i)` N times, each once the one before waits at the gate; moves time only when every call waits. */
const heldInTurn = async (time: ReturnType<typeof steppedTime>, N: number, start: (i: number) => Promise<unknown>) => {
  let done = 0;
  const calls: Promise<unknown>[] = [];
  const waiting = time.waits.length;
  for (let i = 0; i < N; i++) {
    calls.push(
      start(i)
        .catch((e) => e)
        .finally(() => done++),
    );
    await until(() => time.waits.length === waiting + i + 1);
  }
  while (done < N) {
    await until(() => time.waits.length + done === N);
    if (done < N) time.step();
  }
  return Promise.all(calls);
};

describe("the rate-limit gate's order", () => {
  // Tuples named with "%s", not objects with "$name": "$name" cuts a name at 40 characters, which `-t` then misses.
  it.each([
    [
      // Calls held one after another: sent in the order they were held.
      "20 calls held one after another under 429s on every request are sent in the order they were held",
      20,
      -1,
      (N: number) => Array.from({ length: N }, (_, i) => id(i)),
    ],
    [
      // The youngest's deadline ends within the window after the opening: its spread would pass it, so it is sent at
      // the opening. The nine older ones still wait their turns: the server sees no two requests at one instant.
      "a held call sent at the opening because its deadline is near leaves the older ones spread, one at a time",
      10,
      9,
      (N: number) => [id(N - 1), ...Array.from({ length: N - 1 }, (_, i) => id(i))],
    ],
  ] as const)("%s", (_, N, near, order) =>
    gated(seeded(7), async ({ time, client, at }) => {
      const errors = await heldInTurn(time, N, (i) =>
        client.queue.status(id(i), i === near ? { deadline: time.now() + 1050 } : undefined),
      );
      for (const error of errors) expect(error).toMatchObject({ status: 429 });
      expect(at.map((r) => r.job)).toEqual([id(99), ...order(N)]);
      expect(new Set(at.map((r) => r.at)).size).toBe(N + 1);
    })(),
  );

  it(
    "at each opening the window is cut in as many parts as calls still wait: those sent before take none",
    // `random` always 0.5: each call goes in the middle of its part of the window.
    gated(
      () => 0.5,
      async ({ time, client, at, opens }) => {
        const N = 4;
        await heldInTurn(time, N, (i) => client.queue.status(id(i)));
        // Each call's 429 shuts the gate again (1 s) for those left. At the k-th opening N − k + 1 calls wait: the
        // oldest goes in the middle of the first of that many parts of the 1 s window.
        const after = at.slice(1).map((r) => r.at - opens.filter((u) => u <= r.at).at(-1)!);
        expect(after.map((ms) => Math.round(ms))).toEqual([125, 167, 250, 500]);
      },
    ),
  );

  it(
    "held calls aborted give up their places: one held at a later closing goes within its own part",
    gated(
      () => 0.5,
      async ({ time, client, at, opens }) => {
        // Five calls held, then aborted (a cancelled batch): none is sent.
        const stop = new AbortController();
        const held: Promise<unknown>[] = [];
        for (let i = 0; i < 5; i++) {
          held.push(client.queue.status(id(i), { signal: stop.signal }).catch((e) => e));
          await until(() => time.waits.length === i + 1);
        }
        stop.abort();
        for (const error of await Promise.all(held)) expect(error).toMatchObject({ code: "ABORT" });
        // Past that window, another 429 shuts the gate; one call held then waits alone: the middle of the window.
        time.delay(5000);
        time.step();
        await expect(client.queue.status(id(98))).rejects.toMatchObject({ status: 429 });
        await heldInTurn(time, 1, () => client.queue.status(id(7)));
        expect(at.map((r) => r.job)).toEqual([id(99), id(98), id(7)]);
        expect(Math.round(at[2]!.at - opens.filter((u) => u <= at[2]!.at).at(-1)!)).toBe(500);
      },
    ),
  );
});
