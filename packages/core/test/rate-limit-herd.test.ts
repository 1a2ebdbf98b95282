/**
 * The rate-limit gate lets its waiters go gradually: the calls a 429 held are sent each at a random time (the client's
 * `random`) within the pause's length after it ends, not all at the instant it opens, and look at the gate again
 * before sending (a 429 meanwhile shut it anew); a 429 met right after such a pause spends no try. Over HTTP, against
 * a purpose-built server that answers 429 (`Retry-After: 1`) past a number of requests per second.
 */
import { rateLimitedServer } from "test-utils";
import { describe, expect, it } from "vitest";
import { createDecartClient, models } from "../src/index.js";
import { json, serve, silent, virtualClient, virtualTime } from "./helpers.js";

const JOB = `job_${"ab".repeat(16)}`;

/** Seeded randomness in [0, 1) (a linear congruential generator). */
const seeded = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};

/** A 429 asking for `seconds` (1 unless told). */
const tooMany = (res: Parameters<typeof json>[0], seconds = 1) => {
  res.writeHead(429, { "content-type": "application/json", "retry-after": String(seconds) });
  res.end(JSON.stringify({ detail: "Rate limit exceeded" }));
};

describe("the rate-limit gate's release", () => {
  it("N concurrent submits against a limit of R a second all succeed, with fewer 429s than submits", async () => {
    const N = 40;
    const R = 10;
    // A gateway's limit: at most R submits in each second since the server started, else 429 with Retry-After: 1.
    const server = await rateLimitedServer(R);
    try {
      // The client's defaults (2 retries, a budget of 60 s), its jitter seeded.
      const client = createDecartClient({ apiKey: "k", baseUrl: server.url, logger: silent, random: seeded(5) });
      const model = models.video("lucy-pro-t2v");
      const results = await Promise.allSettled(
        Array.from({ length: N }, (_, i) => client.queue.submit({ model, prompt: `p${i}` })),
      );
      // Released all at once when the gate opened, each burst met 429 again and spent a try: a quarter failed.
      expect(results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason)).toEqual(
        [],
      );
      // The first burst's N - R, then a few a second: not a burst of 429s at each opening.
      expect(server.limited()).toBeLessThan(N);
      expect(server.made()).toBe(N);
      expect(server.requests()).toBe(N + server.limited());
    } finally {
      await server.close();
    }
  }, 60_000);

  it("a call held by the gate waits a seeded part of the pause more, and its 429 right after spends no try", async () => {
    // Three 429s asking for 1 s, then a status.
    const server = await serve((_req, res) => {
      if (server.arrived() <= 3) tooMany(res);
      else json(res, 200, { job_id: JOB, status: "processing" });
    });
    try {
      const { client, now, delay } = virtualClient(server.url, { maxRetries: 1, random: () => 0.5 });
      // A read whose deadline comes before the pause ends: it fails, and the gate is shut for 1 s.
      await expect(client.queue.status(JOB, { deadline: now() + 500 })).rejects.toMatchObject({ status: 429 });
      expect(client.rateLimit.pausedUntil()).toBe(1000);
      // The next read waits for the gate (1000 ms), then half the pause's length more (500: `random` at 0.5), and is
      // sent; its 429 is the pause's: with one retry allowed it is tried twice more (1000 ms each), the third answer
      // is the status.
      const job = await client.queue.status(JOB);
      expect(job.status).toBe("processing");
      expect(delay.calls).toEqual([1000, 500, 1000, 1000]);
      expect(server.arrived()).toBe(4);
    } finally {
      await server.close();
    }
  });
  it("a spread that would reach the call's deadline is not waited: the call is sent as the gate opens", async () => {
    // A 429 asking for 1 s, then a status.
    const server = await serve((_req, res) => {
      if (server.arrived() === 1) tooMany(res);
      else json(res, 200, { job_id: JOB, status: "processing" });
    });
    try {
      const { client, now, delay } = virtualClient(server.url, { random: () => 0.9 });
      await expect(client.queue.status(JOB, { deadline: now() + 500 })).rejects.toMatchObject({ status: 429 });
      // Its deadline 1500 ms away: the gate's 1000, then a spread of 900 would reach it (not sent, no time left).
      expect((await client.queue.status(JOB, { deadline: now() + 1500 })).status).toBe("processing");
      expect(delay.calls).toEqual([1000]);
      // A watch whose budget ends inside the spread's window too.
      // (The job still processing, it ends at its budget, having read the job: not "not sent, no time left".)
      const error = await client.queue.wait(JOB, { timeoutMs: 1500, download: false }).catch((e) => e);
      expect(error.code).toBe("JOB_TIMEOUT");
      expect(error.message).not.toMatch(/not sent/);
      expect(server.arrived()).toBeGreaterThan(2);
    } finally {
      await server.close();
    }
  });

  it("nor one that would reach a plain call's budget, or a submitAndPoll's deadline", async () => {
    // A 429 asking for 1 s when told to, else a job for a POST and a finished status for a read.
    let limit = false;
    const server = await serve((req, res) => {
      if (limit) {
        limit = false;
        tooMany(res);
      } else if (req.method === "POST") json(res, 200, { job_id: JOB, status: "pending" });
      else json(res, 200, { job_id: JOB, status: "completed" });
    });
    try {
      const { client, now, delay } = virtualClient(server.url, { timeoutMs: 1500, random: () => 0.9 });
      const shut = async () => {
        limit = true;
        await expect(client.queue.status(JOB, { deadline: now() + 500 })).rejects.toMatchObject({ status: 429 });
        delay.calls.length = 0;
      };
      await shut();
      // Its budget 1500 ms: the gate's 1000, then a spread of 900 would outrun it.
      expect((await client.queue.status(JOB)).status).toBe("completed");
      expect(delay.calls).toEqual([1000]);
      await shut();
      // A submitAndPoll's submit, its deadline 1500 ms away: sent as the gate opens, the job made (its watch then ends
      // at the budget: the job still pending when its first read is due), not "not sent, no time left".
      const error = await client.queue
        .submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "a", timeoutMs: 1500, download: false })
        .catch((e) => e);
      expect(error).toMatchObject({ code: "JOB_TIMEOUT", jobId: JOB });
      expect(error.message).not.toMatch(/not sent/);
      expect(delay.calls[0]).toBe(1000);
      expect(server.seen.map((r) => r.method)).toEqual(["GET", "GET", "GET", "POST"]);
    } finally {
      await server.close();
    }
  });

  it("a call made after the gate opened is not spread, and its 429 spends a try", async () => {
    // A 429 asking for 10 s, then two asking for 1 s, then a status.
    const server = await serve((_req, res) => {
      if (server.arrived() === 1) tooMany(res, 10);
      else if (server.arrived() <= 3) tooMany(res);
      else json(res, 200, { job_id: JOB, status: "processing" });
    });
    try {
      const time = virtualTime();
      let skew = 0;
      const now = () => time.now() + skew;
      const { client } = virtualClient(server.url, { maxRetries: 1, random: () => 0.9, poll: { now } }, time);
      await expect(client.queue.status(JOB, { deadline: now() + 500 })).rejects.toMatchObject({ status: 429 });
      // 11 s later: the gate open for 1 s. The next read is sent at once (no 8000 ms spread), its 429 and the one
      // after its one retry (1000 ms) count: it fails.
      skew = 11_000;
      expect(client.rateLimit.pausedUntil()).toBeUndefined();
      await expect(client.queue.status(JOB)).rejects.toMatchObject({ status: 429 });
      expect(time.delay.calls).toEqual([1000]);
      expect(server.arrived()).toBe(3);
    } finally {
      await server.close();
    }
  });
  it("a call held again and again, its 429 after each pause free, is sent 2 × maxRetries + 1 times at most", async () => {
    // Call A's reads are answered 429 (`Retry-After: 0`) only once another read (C) has met a 429 asking for 1 s: the
    // gate is then shut past A's own pause, so A waits at it each time, and each of its 429s comes right after.
    const A = `job_${"a".repeat(32)}`;
    const C = `job_${"c".repeat(32)}`;
    const arrivals: Parameters<typeof json>[0][] = [];
    let arrived = () => {};
    const server = await serve((req, res) => {
      if (req.url?.includes(C)) return tooMany(res);
      arrivals.push(res);
      arrived();
    });
    try {
      const { client, now } = virtualClient(server.url, { random: () => 0.5 });
      let done = false;
      const a = client.queue.status(A).finally(() => {
        done = true;
        arrived();
      });
      // Up to 10 rounds (the default maxRetries is 2), then A's 429s alone.
      for (let round = 0; !done; round++) {
        if (!arrivals.length) await new Promise<void>((resolve) => (arrived = resolve));
        const res = arrivals.shift();
        if (!res) continue;
        if (round < 10) await client.queue.status(C, { deadline: now() + 500 }).catch(() => {});
        tooMany(res, 0);
      }
      await expect(a).rejects.toMatchObject({ status: 429 });
      expect(server.seen.filter((r) => r.path.includes(A)).length).toBe(5);
    } finally {
      await server.close();
    }
  });
});
