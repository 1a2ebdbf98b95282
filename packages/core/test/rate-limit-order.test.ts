/**
 * The calls the rate-limit gate holds are let go in the order they were held, oldest first: under a 429 on every
 * request, a call held early is not held again and again while calls held after it are sent. Over HTTP, against a
 * purpose-built server that answers every request 429 (`Retry-After: 1`) and records which job each read names; on a
 * client clock that moves only when every call waits (a step at a time, to the next wait's end), with seeded
 * randomness: what is checked is the order the server saw, whatever the machine's speed.
 */
import { describe, expect, it } from "vitest";
import { createDecartClient, type DelayFunction } from "../src/index.js";
import { serve, silent } from "./helpers.js";

/** Seeded randomness in [0, 1) (a linear congruential generator). */
const seeded = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};

/** A clock that stands still until `step` moves it to the end of the earliest wait, letting go of the waits due. */
function steppedTime() {
  let t = 0;
  const waits: { at: number; go: () => void }[] = [];
  const delay: DelayFunction = (ms) => new Promise<void>((go) => waits.push({ at: t + ms, go }));
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

describe("the rate-limit gate's order", () => {
  it("20 calls held one after another under 429s on every request are sent in the order they were held", async () => {
    const N = 20;
    const server = await serve((_req, res) => {
      res.writeHead(429, { "content-type": "application/json", "retry-after": "1" });
      res.end(JSON.stringify({ detail: "Rate limit exceeded" }));
    });
    try {
      const time = steppedTime();
      // One attempt each (a 429 right after the gate's pause spends no try of a call that retries at all): each call
      // is sent once, when the gate lets it go, and fails with that 429. A budget no step reaches.
      const client = createDecartClient({
        apiKey: "k",
        baseUrl: server.url,
        logger: silent,
        maxRetries: 0,
        timeoutMs: 3_600_000,
        random: seeded(7),
        poll: { now: time.now, delay: time.delay },
      });
      // A read whose 429 shuts the gate for 1 s.
      await expect(client.queue.status(id(99))).rejects.toMatchObject({ status: 429 });
      // The calls, each started once the one before waits at the gate: held in that order.
      let done = 0;
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < N; i++) {
        calls.push(
          client.queue
            .status(id(i))
            .catch((e) => e)
            .finally(() => done++),
        );
        await until(() => time.waits.length === i + 1);
      }
      // Time moves only when every call left waits (none is being sent or answered).
      while (done < N) {
        await until(() => time.waits.length + done === N);
        if (done < N) time.step();
      }
      for (const error of await Promise.all(calls)) expect(error).toMatchObject({ status: 429 });
      expect(server.seen.map((r) => r.path.split("/").pop())).toEqual([
        id(99),
        ...Array.from({ length: N }, (_, i) => id(i)),
      ]);
    } finally {
      await server.close();
    }
  });
});
