// A submit of a batch answered 429 is sent again after the batch's pause within the client's budget (`timeoutMs`, from
// its first 429), as the client's own submit keeps to it, and 64 times at most: each pause at least the client's floor,
// 50 ms doubling to 1 s with each 429 in a row (with `Retry-After: 0` too), so a storm is answered about once a second
// and the budget of 60 s ends it before the count; a storm that never ends still ends it.
import { createServer, type Server } from "node:http";
import { createDecartClient, type JobSubmitResult, models, RateLimitError } from "@decart/core";
import { lastValueFrom, toArray } from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
import { submitAll } from "../src/batch.js";
import type { SubmitInput } from "../src/types.js";
import { seeded } from "./helpers.js";
import { marbles, silent, virtualClient } from "./marbles.js";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A server answering the first `storm` submits 429 with `Retry-After: 0`, then taking them; every status: completed. */
async function stormy(storm: number) {
  const seen = { submits: 0 };
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (req.method !== "POST") {
        res.end(JSON.stringify({ job_id: req.url!.split("/").pop(), status: "completed" }));
        return;
      }
      if (++seen.submits <= storm) {
        res.writeHead(429, { "retry-after": "0" }).end(JSON.stringify({ detail: "Rate limit exceeded" }));
        return;
      }
      res.end(JSON.stringify({ job_id: `job_${String(seen.submits).padStart(32, "0")}`, status: "pending" }));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { seen, baseUrl: `http://127.0.0.1:${port}` };
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
    expect(seen.submits).toBe(6);
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
    expect(seen.submits).toBeGreaterThan(1);
  }, 60_000);

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
});
