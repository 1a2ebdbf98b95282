// What a batch sends again after a submit's failure, against a purpose-built server whose answers the emulator cannot
// give in that order (a 503 then a 200; 503s and 429s in turn).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createDecartClient, type DecartClientSettings, models, POLICY, retryPolicyOf } from "@decart/core";
import { asyncScheduler, lastValueFrom, type SchedulerLike, toArray, VirtualTimeScheduler } from "rxjs";
import { describe, expect, it } from "vitest";
import { submitAll } from "../src/batch.js";
import { lastingHandles, until } from "./helpers.js";
import { silent } from "./marbles.js";

/** A server answering the n-th submit (from 1) as `answer` says, and every job's status as failed. */
async function serve(answer: (n: number, res: ServerResponse) => void) {
  let submits = 0;
  const server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on("end", () => {
      if (req.method === "POST") return answer(++submits, res);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ job_id: "job_made", status: "failed" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const client = (options: DecartClientSettings = {}) =>
    createDecartClient({ apiKey: "dct_test", baseUrl: `http://127.0.0.1:${port}`, logger: silent, ...options });
  const close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { client, submits: () => submits, close };
}

const refuse = (res: ServerResponse, status: number) => {
  res.writeHead(status, { "content-type": "application/json", "retry-after": "0" });
  res.end(JSON.stringify({ detail: status === 429 ? "rate limited" : "maintenance" }));
};

const made = (res: ServerResponse) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ job_id: "job_made", status: "pending" }));
};

const image = () => new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(64).fill(0)]);

describe("a batch sends a submit again", () => {
  it("not one holding a stream that meets the client's shut rate-limit gate: it waits there and is sent (refused there, it was read)", async () => {
    // The first read is answered 429 (Retry-After: 2 s), which shuts the client's gate; the job's reads after it say
    // it failed.
    let reads = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        if (req.method === "POST") return made(res);
        if (reads++ === 0) {
          res.writeHead(429, { "content-type": "application/json", "retry-after": "2" });
          return res.end('{"detail":"rate limited"}');
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ job_id: "job_made", status: "failed" }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      const client = createDecartClient({
        apiKey: "dct_test",
        baseUrl: `http://127.0.0.1:${port}`,
        logger: silent,
        maxRetries: 0,
      });
      await expect(client.queue.status("job_x")).rejects.toMatchObject({ code: "RATE_LIMIT" });
      const input = { model: models.video("lucy-pro-i2v"), prompt: "x", data: new Blob([image()]).stream() };
      const events = await lastValueFrom(submitAll(client, [input], { download: false }).pipe(toArray()));
      expect(events[0]).toMatchObject({ type: "event", event: { type: "submitted", jobId: "job_made" } });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("never one holding a web stream that is not async iterable (Safari's, Chromium's before 124): its 503 is its error", async () => {
    const server = await serve((n, res) => (n === 1 ? refuse(res, 503) : made(res)));
    try {
      const data = new Blob([image()]).stream();
      // As a stream of those browsers: no Symbol.asyncIterator.
      Object.defineProperty(data, Symbol.asyncIterator, { value: undefined });
      const input = { model: models.video("lucy-pro-i2v"), prompt: "x", data };
      const events = await lastValueFrom(submitAll(server.client(), [input], { download: false }).pipe(toArray()));
      expect(events.map((e) => [e.type, e.error?.status])).toEqual([["error", 503]]);
      expect(server.submits()).toBe(1);
    } finally {
      await server.close();
    }
  });

  it("after failures other than 429, up to the client's maxRetries times in all, 429s between them or not", async () => {
    // 503, 429, 503, 429 … : each 429 is sent again after the batch's pause (Retry-After: 0), and each 503 counts.
    const server = await serve((n, res) => refuse(res, n % 2 ? 503 : 429));
    try {
      const client = server.client({ maxRetries: 2, random: () => 0.5 });
      const input = { model: models.video("lucy-pro-t2v"), prompt: "x" };
      const events = await lastValueFrom(submitAll(client, [input], { download: false }).pipe(toArray()));
      expect(events.map((e) => [e.type, e.error?.status])).toEqual([["error", 503]]);
      // Three 503s (the first and two sent again), and the two 429s between them.
      expect(server.submits()).toBe(5);
    } finally {
      await server.close();
    }
  });

  it("not one whose Retry-After outruns the client's budget (timeoutMs): its 503 is its error at once, as the client's", async () => {
    // The first two submits (the client's, then the batch's) are answered 503 with Retry-After: 2 (s); any after them
    // makes the job.
    const server = await serve((n, res) => {
      if (n > 2) return made(res);
      res.writeHead(503, { "content-type": "application/json", "retry-after": "2" });
      res.end(JSON.stringify({ detail: "maintenance" }));
    });
    try {
      const client = server.client({ timeoutMs: 1000 });
      const input = { model: models.video("lucy-pro-t2v"), prompt: "x" };
      // The client's own submit does not wait 2 s of a budget of 1 s: it fails at once, sent once.
      await expect(client.queue.submit(input)).rejects.toMatchObject({ status: 503, retryAfterMs: 2000 });
      expect(server.submits()).toBe(1);
      const events = await lastValueFrom(submitAll(client, [input], { download: false }).pipe(toArray()));
      expect(events.map((e) => [e.type, e.error?.status])).toEqual([["error", 503]]);
      expect(server.submits()).toBe(2);
    } finally {
      await server.close();
    }
  });

  for (const [first, then] of [
    [429, 503],
    [503, 429],
  ])
    it(`within one budget for its 429s and its other failures, as the client's own submit: a ${first} then a ${then}`, async () => {
      // Each submit is answered ${first} (Retry-After: 1 s), then ${then} (Retry-After: 1 s), then makes the job; the
      // budget is 1.5 s. The client's own submit waits both from one budget: the second wait would outrun it, and it
      // fails with the second failure, sent twice. So does the batch's (each kind counted apart, it made the job).
      let from = 0;
      const server = await serve((n, res) => {
        const status = [first, then][n - from - 1];
        if (!status) return made(res);
        res.writeHead(status, { "content-type": "application/json", "retry-after": "1" });
        res.end(JSON.stringify({ detail: status === 429 ? "rate limited" : "maintenance" }));
      });
      try {
        const input = { model: models.video("lucy-pro-t2v"), prompt: "x" };
        await expect(server.client({ timeoutMs: 1500 }).queue.submit(input)).rejects.toMatchObject({ status: then });
        expect(server.submits()).toBe(2);
        from = 2;
        // A client of its own (the first one's rate-limit gate may be shut still).
        const client = server.client({ timeoutMs: 1500 });
        const events = await lastValueFrom(submitAll(client, [input], { download: false }).pipe(toArray()));
        expect(events.map((e) => [e.type, e.error?.status])).toEqual([["error", then]]);
        expect(server.submits() - from).toBe(2);
      } finally {
        await server.close();
      }
    });

  it("as often as the client's own submit does: the core's one retry decision (answers that break the spec, 3 at most)", async () => {
    // Each submit is answered 200 with no job in it (an answer that breaks the spec, whose outcome is unknown): with
    // `retrySubmit`, the client sends it again, but not past 3 such answers whatever its `maxRetries`; the batch, which
    // sends it again itself, as often.
    const server = await serve((_n, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"nope":1}');
    });
    try {
      const client = server.client({ maxRetries: 6, retrySubmit: true, random: () => 0 });
      const input = { model: models.video("lucy-pro-t2v"), prompt: "x" };
      await expect(client.queue.submit(input)).rejects.toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN" });
      // (The limit of answers that break the spec ended it, not the client's `maxRetries`.)
      const own = server.submits();
      expect(own).toBeLessThan(7);
      const events = await lastValueFrom(submitAll(client, [input], { download: false }).pipe(toArray()));
      expect(events.map((e) => [e.type, e.error?.code])).toEqual([["error", "SUBMIT_OUTCOME_UNKNOWN"]]);
      expect(server.submits() - own).toBe(own);
    } finally {
      await server.close();
    }
  });

  it("by the client's policy, read where the core keeps it; a stand-in client without one, by the core's defaults", async () => {
    // Every submit is answered 503 (Retry-After: 0: no jitter asked).
    const server = await serve((_n, res) => refuse(res, 503));
    try {
      const input = { model: models.video("lucy-pro-t2v"), prompt: "x" };
      const client = server.client({ maxRetries: 1 });
      await lastValueFrom(submitAll(client, [input], { download: false }).pipe(toArray()));
      expect(server.submits()).toBe(2);
      // A stand-in (its queue's methods, not its policy): the defaults of a client made without options, as the
      // core's `retryPolicyOf` gives them.
      const plain = server.client();
      const defaults = retryPolicyOf({ queue: {} });
      expect((plain.queue as any)[POLICY]).toMatchObject({
        maxRetries: defaults.maxRetries,
        timeoutMs: defaults.timeoutMs,
      });
      const standIn = { ...plain, queue: { ...plain.queue } };
      expect(POLICY in standIn.queue).toBe(false);
      const events = await lastValueFrom(submitAll(standIn, [input], { download: false }).pipe(toArray()));
      expect(events.map((e) => [e.type, e.error?.status])).toEqual([["error", 503]]);
      expect(server.submits() - 2).toBe(1 + defaults.maxRetries);
    } finally {
      await server.close();
    }
  });
});

// A batch's submit waited at the client's shut rate-limit gate (closed by a 429 to another request of the client),
// where the batch could not stop it: once the pause ended, it was sent although the batch had ended (a job nobody
// wanted, handed to onOrphan).
it("a submit that meets the client's shut rate-limit gate waits with the batch, and is not sent once the batch ends", async () => {
  let submits = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.method === "POST") {
        submits++;
        return made(res);
      }
      res.writeHead(429, { "content-type": "application/json", "retry-after": "3" });
      res.end(JSON.stringify({ detail: "rate limited" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    // The client's waits (its gate's too) end when the test says.
    const waits: (() => void)[] = [];
    const delay = (_ms: number) => new Promise<void>((resolve) => waits.push(resolve));
    const { port } = server.address() as { port: number };
    const client = createDecartClient({
      apiKey: "dct_test",
      baseUrl: `http://127.0.0.1:${port}`,
      logger: silent,
      maxRetries: 0,
      poll: { delay },
    });
    // Another request of the client is answered 429 (Retry-After: 3): the gate shuts.
    expect(await client.queue.status("job_other").catch((e) => e.status)).toBe(429);
    expect(client.rateLimit.pausedUntil()).toBeDefined();
    const before = await lastingHandles();
    const orphans: string[] = [];
    // The batch's time passes when the test says, too.
    const scheduler = new VirtualTimeScheduler();
    const subscription = submitAll(client, [{ model: models.video("lucy-pro-t2v"), prompt: "x" }], {
      scheduler,
      onOrphan: (id) => orphans.push(id),
    }).subscribe();
    // The submit waits: at the batch's pause (refused at the gate, unsent), not at the client's gate.
    await until(() => waits.length + scheduler.actions.length > 0);
    subscription.unsubscribe();
    // Every wait ends: the gate's pause and the batch's.
    for (const wait of waits) wait();
    scheduler.flush();
    // Nothing sent (lastingHandles lets the event loop run a while), no timer left.
    const after = await lastingHandles();
    expect(after.Timeout ?? 0).toBeLessThanOrEqual(before.Timeout ?? 0);
    expect(submits).toBe(0);
    expect(orphans).toEqual([]);
    expect(waits).toEqual([]);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

// A burst of 429s without Retry-After (every submit in flight answered 429) counted one 429 per answer: N at once
// paused the batch for the backoff's N-th step (800 ms for 5, at `random` 0), not its first (50 ms).
it("a burst of 429s without Retry-After to submits sent at once pauses the batch one step (50 ms, then 100 ms), not one per answer", async () => {
  const N = 5;
  // The batch's time, and the client's clock (its rate-limit gate's), pass when the test says.
  const scheduler = new VirtualTimeScheduler();
  // Each submit's arrival, on that clock. The first two bursts of N submits are answered 429 once all N arrived (so
  // that all were sent before the first answer); the next ones are taken.
  const sentAt: number[] = [];
  let held: ServerResponse[] = [];
  const server = await serve((n, res) => {
    sentAt.push(scheduler.now());
    if (n > 2 * N) return made(res);
    held.push(res);
    if (held.length < N) return;
    for (const one of held) {
      one.writeHead(429, { "content-type": "application/json" });
      one.end(JSON.stringify({ detail: "rate limited" }));
    }
    held = [];
  });
  try {
    // (`random` at 0: the submits a pause held are sent as it ends, with no spread after it.)
    const client = server.client({ maxRetries: 0, random: () => 0, poll: { now: () => scheduler.now() } });
    const inputs = Array.from({ length: N }, (_, i) => ({ model: models.video("lucy-pro-t2v"), prompt: `p${i}` }));
    const errors: unknown[] = [];
    const subscription = submitAll(client, inputs, { concurrency: N, download: false, scheduler }).subscribe({
      next: (e) => e.type === "error" && errors.push(e.error),
    });
    for (const burst of [1, 2, 3]) {
      // Every submit of the burst arrived and, but the last burst, waits out the batch's pause: it ends then.
      await until(() => sentAt.length === burst * N && (burst === 3 || scheduler.actions.length === N));
      scheduler.flush();
    }
    subscription.unsubscribe();
    expect(errors).toEqual([]);
    // Sent again once the pause of the first burst ended (50 ms, the core's backoff's first step at `random` 0), then
    // after the second's (its second, 100 ms more).
    expect(sentAt).toEqual([...Array(N).fill(0), ...Array(N).fill(50), ...Array(N).fill(150)]);
  } finally {
    await server.close();
  }
});

// A 429 was taken for part of an earlier burst when its request went out after the pause began: the pacer's wave was
// read once for a submit, not at each of its sends (its own retry after a 503 was taken as sent with the first, and a
// stream's submit as sent before it waited at the client's gate).
describe("a 429 to a submit's own retry sent after the batch's pause began", () => {
  /**
   * Runs two submits at once against `answer` (the n-th submit, from 1), on virtual time. Each step waits (a while at
   * most) until its condition holds, then lets the batch's time run up to its frame; the submits' arrival times come
   * back once the last one arrived.
   */
  async function run(
    answer: (n: number, res: ServerResponse) => void,
    steps: [(s: { sentAt: number[]; due: number[]; submitted: number }) => boolean, number][],
    total: number,
  ) {
    const scheduler = new VirtualTimeScheduler();
    const sentAt: number[] = [];
    // The condition waited for, checked again at each change it reads: a submit that came, a wait the batch scheduled,
    // a submit it heard answered.
    let changed = () => {};
    const server = await serve((n, res) => {
      sentAt.push(scheduler.now());
      answer(n, res);
      changed();
    });
    // Waits until `condition` holds, or five seconds have passed (its test then fails on what was sent): a loaded machine
    // takes some 150 ms at most here.
    const settle = (condition: () => boolean) =>
      new Promise<void>((resolve) => {
        const timeout = setTimeout(resolve, 5000);
        changed = () => {
          if (!condition()) return;
          clearTimeout(timeout);
          changed = () => {};
          resolve();
        };
        changed();
      });
    // The batch's waits, on the virtual scheduler (`scheduler.actions`), each told as it is scheduled.
    const batchScheduler: SchedulerLike = {
      now: () => scheduler.now(),
      schedule: (work: any, delay?: number, state?: unknown) => {
        const scheduled = scheduler.schedule(work, delay, state);
        changed();
        return scheduled;
      },
    };
    try {
      // (`random` at 0: the submits a pause held are sent as it ends, with no spread after it.)
      const client = server.client({ maxRetries: 1, random: () => 0, poll: { now: () => scheduler.now() } });
      const inputs = [0, 1].map((i) => ({ model: models.video("lucy-pro-t2v"), prompt: `p${i}` }));
      let submitted = 0;
      const subscription = submitAll(client, inputs, {
        concurrency: 2,
        download: false,
        scheduler: batchScheduler,
      }).subscribe((e) => {
        if (e.event?.type === "submitted") submitted++;
        changed();
      });
      for (const [condition, frame] of steps) {
        await settle(() => condition({ sentAt, due: scheduler.actions.map((a) => a.delay), submitted }));
        scheduler.maxFrames = frame;
        scheduler.flush();
      }
      await settle(() => sentAt.length === total);
      subscription.unsubscribe();
      return sentAt;
    } finally {
      await server.close();
    }
  }

  /** An answer `status`, with the server's `Retry-After` when given. */
  const no = (res: ServerResponse, status: number, retryAfter?: string) => {
    res.writeHead(status, { "content-type": "application/json", ...(retryAfter && { "retry-after": retryAfter }) });
    res.end(JSON.stringify({ detail: "not now" }));
  };

  it("waits out the pause, and its 429 doubles it", async () => {
    // #1 503 (its retry due at 50, the client's backoff's floor), #2 429 (the batch pauses to 50, the backoff's first
    // step): the retry goes as that pause ends, with #2's resend, and is answered 429 (#3): the pause doubles, 100 ms
    // from 50, and #3 is sent again at 150.
    const sentAt = await run(
      (n, res) => (n === 1 ? no(res, 503) : n <= 3 ? no(res, 429) : made(res)),
      [
        [({ due }) => due.join() === "50,50", 50],
        // (Up to 150 only: the job made at 50 has its first status read due later, which would move the clock on.)
        [({ sentAt, due }) => sentAt.length === 4 && due.includes(150), 150],
      ],
      5,
    );
    expect(sentAt).toEqual([0, 0, 50, 50, 150]);
  });

  it("sent after the pause ended and an answer, and answered 429, pauses the batch again", async () => {
    // #1 503 (Retry-After: 2 s), #2 429 (pause to 50), #2's resend taken at 50 (#3), #1's retry at 2000 answered 429
    // (#4): a new pause, 50 ms (the backoff started again after #3's answer), and #1 sent again at 2050.
    const sentAt = await run(
      (n, res) => (n === 1 ? no(res, 503, "2") : n === 2 || n === 4 ? no(res, 429) : made(res)),
      [
        [({ due }) => due.includes(2000) && due.includes(50), 50],
        [({ submitted }) => submitted === 1, 2000],
        [({ sentAt, due }) => sentAt.length === 4 && due.includes(2050), Number.POSITIVE_INFINITY],
      ],
      5,
    );
    expect(sentAt).toEqual([0, 0, 50, 2000, 2050]);
  });
});

it("a 429 to a submit holding a stream, sent once the client's gate opened after the batch's pause began, doubles it", async () => {
  const scheduler = new VirtualTimeScheduler();
  const sentAt: number[] = [];
  // The first submit (no stream) and then the stream's are answered 429, the next ones taken.
  const server = await serve((n, res) => {
    sentAt.push(scheduler.now());
    if (n > 2) return made(res);
    res.writeHead(429, { "content-type": "application/json" });
    res.end(JSON.stringify({ detail: "rate limited" }));
  });
  try {
    // The client's waits (at its gate) end when the test says.
    const waits: (() => void)[] = [];
    const delay = (_ms: number) => new Promise<void>((resolve) => waits.push(resolve));
    // (`random` at 0: no spread after a pause.)
    const client = server.client({ maxRetries: 0, random: () => 0, poll: { now: () => scheduler.now(), delay } });
    // The stream gives its bytes when the test says: its submit passes the batch's gate at once, with the other.
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const data = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await released;
        controller.enqueue(image());
        controller.close();
      },
    });
    const inputs = [
      { model: models.video("lucy-pro-t2v"), prompt: "x" },
      { model: models.video("lucy-pro-i2v"), prompt: "x", data },
    ];
    const errors: unknown[] = [];
    const subscription = submitAll(client, inputs, { concurrency: 2, download: false, scheduler }).subscribe((e) => {
      if (e.type === "error") errors.push(e.error);
    });
    // The first submit's 429 pauses the batch (to 50, the backoff's first step) and shuts the client's gate.
    await until(() => scheduler.actions.some((a) => a.delay === 50));
    // The stream read, its submit waits at the client's shut gate, and is sent once it opens: answered 429, its error.
    release();
    await until(() => waits.length === 1);
    waits[0]!();
    await until(() => errors.length === 1);
    scheduler.flush();
    await until(() => sentAt.length === 3);
    subscription.unsubscribe();
    // The batch's pause doubled (100 ms, from 0), where the stream's 429 was taken for the first's: the other is sent
    // again at 100, not 50.
    expect(sentAt).toEqual([0, 0, 100]);
  } finally {
    await server.close();
  }
});

describe("a batch's submit answered 503 whose budget a pause of other submits' 429s outgrows", () => {
  it("fails with its 503 at the gate at once: no wait after the refusal, nothing sent again", async () => {
    // Two submits answered together: one 503 (Retry-After: 1), one 429 (Retry-After: 10) that pauses the batch past the
    // 503's budget (timeoutMs 6000, from its 503). The 503's one wait (1 s) ends at the gate, which refuses it.
    const held: ServerResponse[] = [];
    const { client, submits, close } = await serve((_, res) => {
      held.push(res);
      if (held.length < 2) return;
      const [first, second] = held;
      first!.writeHead(503, { "content-type": "application/json", "retry-after": "1" }).end('{"detail":"maintenance"}');
      second!.writeHead(429, { "content-type": "application/json", "retry-after": "10" }).end('{"detail":"slow down"}');
    });
    // The batch's own timers: the waits it schedules (a wait after a refusal was one more each time).
    const waits: number[] = [];
    const recording: SchedulerLike = {
      now: () => asyncScheduler.now(),
      schedule: (work: any, delay?: number, state?: unknown) => {
        if (delay) waits.push(delay);
        return asyncScheduler.schedule(work, delay, state);
      },
    };
    try {
      const events = await lastValueFrom(
        submitAll(
          client({ timeoutMs: 6000, maxRetries: 10, random: () => 0.5 }),
          [
            { model: models.video("lucy-pro-t2v"), prompt: "a" },
            { model: models.video("lucy-pro-t2v"), prompt: "b" },
          ],
          { concurrency: 2, download: false, scheduler: recording },
        ).pipe(toArray()),
      );
      expect(events.map((e) => e.error?.status).sort()).toEqual([429, 503]);
      expect(waits).toEqual([1000]);
      expect(submits()).toBe(2);
    } finally {
      await close();
    }
  });
});
