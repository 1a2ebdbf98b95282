// One budget per wait: the deadline bounds requests in flight, retries back off even at Retry-After: 0, a download
// that runs out of budget is a JobTimeoutError, a call's own clock drives only its schedule, and a server hint wins.
import { createServer } from "node:http";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDecartClient,
  type DecartClientOptions,
  type DelayFunction,
  JobTimeoutError,
  models,
  TimeoutError,
} from "../src/index.js";
import { clientFor, closedPort, firstN, json, serve, silent, startFast, until, virtualTime } from "./helpers.js";

const t2v = models.video("lucy-pro-t2v");
const i2v = models.video("lucy-pro-i2v");
let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

async function withEmulator<T>(options: Parameters<typeof startFast>[0], run: (e: Emulator) => Promise<T>) {
  const e = await startFast(options);
  try {
    return await run(e);
  } finally {
    await e.close();
  }
}

describe("the budget of submitAndPoll and wait", () => {
  it("bounds a status read in flight: a server that never answers in time ends in JobTimeoutError", async () => {
    // Status answers start after a minute, as does the per-read timeout. The call's budget is a minute too, on a clock
    // of the test's that moves only in the waits before reads: the first takes it to 300 ms before the deadline, so
    // the submit has all the time it needs and only what is left of the budget bounds the read in flight. Without
    // that bound, the read would wait for the minute-long answer (beyond the test's timeout).
    await withEmulator({ faults: [{ route: "status", kind: "slow", delayMs: 60_000 }] }, async (slow) => {
      const clock = { now: 0 };
      const delay: DelayFunction = async (ms) => {
        clock.now = Math.max(clock.now + ms, 60_000 - 300);
      };
      const error = await clientFor(slow, { poll: { now: () => clock.now, delay } })
        .queue.submitAndPoll({ model: t2v, prompt: "slow reads", timeoutMs: 60_000 })
        .catch((e) => e);
      expect(error).toBeInstanceOf(JobTimeoutError);
      expect(error.jobId).toMatch(/^job_/);
      expect(error.cause).toBeInstanceOf(TimeoutError);
    });
  });

  it("a submit cut off by the budget after its body was sent: TimeoutError, SUBMIT_OUTCOME_UNKNOWN, not sent again", async () => {
    // Submit answers come after a minute, as does the per-read timeout (uploads' is ten). The call's budget is a minute
    // too, on a clock of the test's that moves only while the file input is read: reading it takes the clock to 300 ms
    // before the deadline, after the deadline was set and before the submit starts, so only what is left of the budget
    // bounds the submit in flight. The abort of that cut reaches the connection once the server has the request (see
    // `abortOnceArrived`): however slow the machine, the request was sent when the budget ends it. Without the bound,
    // the submit would wait for the minute-long answer (beyond the test's timeout).
    await withEmulator({ faults: [{ route: "submit", kind: "slow", delayMs: 60_000 }] }, async (slow) => {
      const clock = { now: 0 };
      const data = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            clock.now = 60_000 - 300;
            controller.enqueue(new Uint8Array(64));
            controller.close();
          },
        },
        { highWaterMark: 0 },
      );
      const error = await clientFor(slow, {
        poll: { now: () => clock.now },
        fetch: abortOnceArrived(() => slow.stats().requests.byRoute.submit === 1),
      })
        .queue.submitAndPoll({ model: i2v, prompt: "slow submit", data, timeoutMs: 60_000 })
        .catch((e) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false, jobId: undefined });
      // Named by what cut it: the budget and its length (not the per-read limit, 600000 ms, which did not).
      expect(error.message).toMatch(
        /: timed out \(the budget of 60000 ms\); a job \(or file\) may exist: not sent again/,
      );
      expect(slow.stats().requests.byRoute.submit).toBe(1);
    });
  });

  it("backs off even when the server says Retry-After: 0, so a failing status cannot spin", async () => {
    await withEmulator({ faults: [{ route: "status", kind: "503", retryAfterSeconds: 0 }] }, async (busy) => {
      // Time passes only in the client's waits, on a clock of the test's: the reads and waits below are exact, whatever
      // the machine's load. Without the floor every wait would be 0 and the clock would never reach the deadline: the
      // delay gives up after 20 waits (a CALLBACK_ERROR, not the JobTimeoutError expected).
      const time = virtualTime();
      const delay: DelayFunction = async (ms, signal) => {
        if (time.delay.calls.length >= 20) throw new Error("the watch spins");
        return time.delay(ms, signal);
      };
      const error = await clientFor(busy, { poll: { now: time.now, delay } })
        .queue.submitAndPoll({ model: t2v, prompt: "always 503", timeoutMs: 1500, poll: { initialDelayMs: 0 } })
        .catch((e) => e);
      expect(error).toBeInstanceOf(JobTimeoutError);
      // The first read at once, then a floor of 50 ms doubling: the wait of 800 ms after the fifth read would end past
      // the 1.5 s budget, so it is cut to the deadline, where the watch ends (the read then, with no time left, is not
      // sent).
      expect(time.delay.calls).toEqual([0, 50, 100, 200, 400, 750]);
      expect(time.now()).toBe(1500); // the timeout at the deadline, not before
      expect(busy.stats().requests.byRoute.status).toBe(5);
      // Not a slow job: the server failed every read, and the error says so (its cause, and its message).
      expect(error.cause).toMatchObject({ name: "ServerError", status: 503 });
      // The budget ran out: no Retry-After sent it away (the server's was 0).
      expect(error.retryAfterMs).toBeUndefined();
      expect(error.message).toMatch(/\(last status: pending\); the last request failed: .*\(HTTP 503, request /);
    });
  });

  it.each([30, 20])(
    "a Retry-After (%i s) as long as what is left or longer ends the watch at once in JobTimeoutError saying so, as a plain call fails at once",
    async (retryAfterSeconds) => {
      await withEmulator({ faults: [{ route: "status", kind: "503", retryAfterSeconds }] }, async (busy) => {
        // Time passes only in the client's waits. The server asks for 30 s (or the 20 s left), the budget has 20 s: no
        // try can come within it (one at the deadline has no time). The watch said nothing (no `retrying`) and waited
        // the 20 s out before its JobTimeoutError.
        const time = virtualTime();
        const events: string[] = [];
        const watch = clientFor(busy, { poll: { now: time.now, delay: time.delay } }).queue.submitAndWatch({
          model: t2v,
          prompt: "maintenance",
          timeoutMs: 20_000,
          poll: { initialDelayMs: 0 },
        });
        const error = await (async () => {
          for await (const event of watch) events.push(event.type);
        })().catch((e) => e);
        expect(events).toEqual(["submitted", "status"]);
        expect(error).toBeInstanceOf(JobTimeoutError);
        expect(error.cause).toMatchObject({ name: "ServerError", status: 503, retryAfterMs: retryAfterSeconds * 1000 });
        // When to come back, on the error caught itself (and in its JSON), not only on its cause.
        expect(error.retryAfterMs).toBe(retryAfterSeconds * 1000);
        expect(JSON.parse(JSON.stringify(error)).retryAfterMs).toBe(retryAfterSeconds * 1000);
        // Not "not done within 20000 ms": the budget did not run out, the server asked to wait past its end.
        expect(error.message).toMatch(
          new RegExp(
            `^Job job_\\w+: not watched on: the last request asked to wait ${retryAfterSeconds * 1000} ms \\(Retry-After\\), past the budget's end: .*\\(HTTP 503`,
          ),
        );
        expect(time.delay.calls).toEqual([0]);
        expect(busy.stats().requests.byRoute.status).toBe(1);
      });
    },
  );

  it("a completed job whose download is asked to wait past the budget's end says it completed, its result not downloaded, and why", async () => {
    await withEmulator({ faults: [{ route: "content", kind: "429", retryAfterSeconds: 30 }] }, async (busy) => {
      // (The job completes in the emulator's time; no wait is made after the 429.)
      const error = await clientFor(busy)
        .queue.submitAndPoll({ model: t2v, prompt: "done", timeoutMs: 20_000 })
        .catch((e) => e);
      expect(error).toBeInstanceOf(JobTimeoutError);
      expect(error.lastStatus).toBe("completed");
      expect(error.cause).toMatchObject({ name: "RateLimitError", status: 429, retryAfterMs: 30_000 });
      expect(error.retryAfterMs).toBe(30_000);
      expect(error.message).toMatch(
        /^Job job_\w+ completed; its result not downloaded within 20000 ms \(queue\.result or saveResult fetches it again\); the last request asked to wait 30000 ms \(Retry-After\), past the budget's end: .*\(HTTP 429/,
      );
    });
  });

  it("a server gone: the timeout carries the refused connection as its cause, and says it", async () => {
    const time = virtualTime();
    const client = createDecartClient({
      apiKey: "k",
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
      logger: silent,
      poll: { now: time.now, delay: time.delay },
    });
    const error = await client.queue.wait("job_gone", { timeoutMs: 3000 }).catch((e) => e);
    expect(error).toBeInstanceOf(JobTimeoutError);
    expect(error.cause).toMatchObject({ code: "CONNECTION_REFUSED" });
    expect(error.message).toMatch(
      /\(last status: unknown\); the last request was not sent: GET .*: connection refused$/,
    );
  });

  it("a submit that keeps failing retries up to the deadline and times out there, not as soon as a wait overshoots it", async () => {
    await withEmulator({ faults: [{ route: "submit", kind: "503", retryAfterSeconds: 0 }] }, async (busy) => {
      // Time passes only in the client's waits, on a clock of the test's. Each 503 says Retry-After: 0, so the waits are
      // the floor of 50 ms doubling: the wait of 800 ms after the fifth submit would end past the 1.5 s budget. The
      // submit waits out the budget (750 ms) instead of giving up at 750 ms saying it ran out, and sends nothing more.
      const time = virtualTime();
      const error = await clientFor(busy, { poll: { now: time.now, delay: time.delay } })
        .queue.submitAndPoll({ model: t2v, prompt: "always 503", timeoutMs: 1500 })
        .catch((e) => e);
      expect(error).toBeInstanceOf(JobTimeoutError);
      expect(error.cause).toMatchObject({ status: 503 });
      expect(error.message).toBe(
        `The submit not done within 1500 ms; the last request failed: ${error.cause.message}; no job was made`,
      );
      expect(error).toMatchObject({ code: "JOB_TIMEOUT", retryable: true, jobId: undefined });
      expect(error.message).toMatch(/HTTP 503/);
      expect(time.delay.calls).toEqual([50, 100, 200, 400, 750]);
      expect(time.now()).toBe(1500); // the timeout at the deadline, not before
      expect(busy.stats().requests.byRoute.submit).toBe(5);
    });
  });

  it("turns a download that outlasts the budget into JobTimeoutError with the job id", async () => {
    await withEmulator({ faults: [{ route: "content", kind: "stall" }] }, async (stalled) => {
      // A job already completed. The budget is a minute on a clock of the test's, which moves only in the client's
      // waits and when the download's answer has come: it then moves to 300 ms before the deadline, so that what is
      // left of the budget bounds the stalled body (the per-read timeout is a minute). The backoff's randomness is
      // seeded (450 ms): the retry it asks for is cut to the deadline, where the download is not sent again.
      const clock = { now: 0 };
      const client = clientFor(stalled, {
        random: () => 0.9,
        poll: {
          now: () => clock.now,
          delay: async (ms) => {
            clock.now += ms;
          },
        },
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          if (String(input).endsWith("/content")) clock.now = 60_000 - 300;
          return response;
        },
      });
      const { job_id } = await client.queue.submit({ model: t2v, prompt: "stalled download" });
      await until(() => stalled.job(job_id)?.status === "completed");
      const error = await client.queue.wait(job_id, { timeoutMs: 60_000 }).catch((e) => e);
      expect(error).toBeInstanceOf(JobTimeoutError);
      expect(error.jobId).toBe(job_id);
      expect(error.lastStatus).toBe("completed");
      // The job is done: its result's download did not finish, and can be fetched again.
      expect(error.message).toMatch(
        new RegExp(
          `^Job ${job_id} completed; its result not downloaded within 60000 ms \\(queue.result or saveResult fetches it again\\); the last request failed: `,
        ),
      );
      expect(error.cause).toBeInstanceOf(TimeoutError);
      expect(clock.now).toBe(60_000);
      expect(stalled.job(job_id)!.contentReads).toBe(1);
    });
  });

  it("does not send a request whose budget has run out: it fails at once with a TimeoutError", async () => {
    // A clock of the test's that stands still: the deadline is behind it. What reaches fetch is counted.
    const sent: string[] = [];
    const client = clientFor(emu, {
      poll: { now: () => 10_000 },
      fetch: (input, init) => {
        sent.push(String(input));
        return fetch(input, init);
      },
    });
    const { job_id } = await client.queue.submit({ model: t2v, prompt: "read with no time left" });
    const error = await client.queue.readStatus(job_id, { deadline: 10_000 }).catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ jobId: job_id, retryable: true });
    expect(error.message).toContain("not sent, no time left");
    expect(sent).toHaveLength(1); // the submit only
    // With time left: sent.
    await client.queue.readStatus(job_id, { deadline: 70_000 });
    expect(sent).toHaveLength(2);
  });

  it("keeps the deadline on the client's clock when a call brings its own clock for the schedule", async () => {
    await withEmulator({ faults: [{ route: "status", kind: "503", rate: 0.5 }], random: firstN(1) }, async (flaky) => {
      const result = await clientFor(flaky).queue.submitAndPoll({
        model: t2v,
        prompt: "own clock",
        poll: { now: () => 0, initialDelayMs: 20, intervalMs: 20 },
      });
      expect(result.status).toBe("completed");
      expect(flaky.stats().faultsInjected["503"]).toBe(1);
    });
  });
});

describe("the server's poll hint", () => {
  it("replaces the adaptive guess when the server sends x-poll-after-ms", async () => {
    // The hint is the time until the job's next change: each wait is the hint of the answer before it, to the ms, where
    // the adaptive schedule would read within a second or so. The job is held (it ends when released) and pending for
    // 40 s, longer than the test may take: time on a loaded machine changes no figure asserted here.
    await withEmulator({ pollHints: true, timing: { pendingMs: 40_000, processingMs: 1000 } }, async (hinted) => {
      const answers: { hint: string | null; status: string; at: number }[] = [];
      const time = virtualTime();
      const waits: number[] = [];
      let job_id = "";
      // The client's own adaptive schedule (not the tests' quick fixed one), which the hint must replace; on a clock
      // that moves only by its waits (jitter seeded), each asked for at once; the third hinted wait releases the job.
      const client = createDecartClient({
        apiKey: hinted.apiKey,
        baseUrl: hinted.url,
        logger: silent,
        random: () => 0.5,
        poll: {
          now: time.now,
          delay: async (ms, signal) => {
            waits.push(ms);
            if (waits.length === 4) hinted.release(job_id);
            await time.delay(ms, signal);
          },
        },
        // The status answers' hints as they came (the client reads the same answers).
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          if (String(input).endsWith(job_id) && init?.method === "GET") {
            const { status } = await response.clone().json();
            answers.push({ hint: response.headers.get("x-poll-after-ms"), status, at: Date.now() });
          }
          return response;
        },
      });
      ({ job_id } = await client.queue.submit({ model: t2v, prompt: "hinted [hold]" }));
      const result = await client.queue.wait(job_id, { model: t2v, download: false });
      expect(result.status).toBe("completed");
      // Three reads that found the job unfinished, each with a hint; the fourth found it completed, without one.
      expect(answers.map((a) => a.status)).toEqual(["pending", "pending", "pending", "completed"]);
      expect(answers[3]!.hint).toBeNull();
      // The first read at once; each later one after the hint of the answer before it, to the ms, up to the
      // schedule's longest wait (10 s).
      expect(waits).toEqual([0, ...answers.slice(0, 3).map((a) => Math.min(Number(a.hint), 10_000))]);
      // Each hint is the time from that read to when processing starts (submitted + 40 s): no more than 40 s, and no
      // less than what was left of it when the answer came.
      const { submittedAt } = hinted.job(job_id)!;
      for (const { hint, at } of answers.slice(0, 3)) {
        expect(Number(hint)).toBeLessThanOrEqual(40_000);
        expect(Number(hint)).toBeGreaterThanOrEqual(submittedAt + 40_000 - at);
      }
    });
  });
  it("is followed by the default schedule only: a fixed one keeps its waits, one of yours sees it as ctx.hintMs", async () => {
    await withEmulator({ pollHints: true, timing: { pendingMs: 40_000, processingMs: 1000 } }, async (hinted) => {
      const time = virtualTime();
      const waits: number[] = [];
      let job_id = "";
      const client = createDecartClient({
        apiKey: hinted.apiKey,
        baseUrl: hinted.url,
        logger: silent,
        poll: {
          now: time.now,
          // The fourth wait releases the held job: the fourth read finds it completed.
          delay: async (ms, signal) => {
            waits.push(ms);
            if (waits.length === 4) hinted.release(job_id);
            await time.delay(ms, signal);
          },
        },
      });
      ({ job_id } = await client.queue.submit({ model: t2v, prompt: "fixed [hold]" }));
      const fixed = await client.queue.wait(job_id, { download: false, poll: { initialDelayMs: 10, intervalMs: 20 } });
      expect(fixed.status).toBe("completed");
      // The first read at once (a job watched without its submit answer); the hints (up to 40 s each) changed none of
      // the waits asked for.
      expect(waits).toEqual([0, 20, 20, 20]);

      waits.length = 0;
      const seen: (number | undefined)[] = [];
      ({ job_id } = await client.queue.submit({ model: t2v, prompt: "own [hold]" }));
      const own = await client.queue.wait(job_id, {
        download: false,
        poll: (ctx) => {
          seen.push(ctx.hintMs);
          return 5;
        },
      });
      expect(own.status).toBe("completed");
      expect(waits).toEqual([0, 5, 5, 5]);
      // After each of the three reads that found it pending, that answer's hint, as sent (at least 50 ms).
      expect(seen).toHaveLength(3);
      for (const hint of seen) expect(hint).toBeGreaterThanOrEqual(50);
    });
  });
});

/**
 * A fetch (the real one) whose abort reaches the connection only once `arrived()` (the server has the request), then
 * runs `then`. The client's deadline is a timer set before the request goes: on a loaded machine it could end the
 * request before it reached the server, and the test would show nothing in flight.
 */
function abortOnceArrived(arrived: () => boolean, then?: () => void): typeof fetch {
  return (input, init) => {
    const held = new AbortController();
    init?.signal?.addEventListener("abort", () =>
      until(arrived).then(() => {
        then?.();
        held.abort(init.signal!.reason);
      }),
    );
    return fetch(input, { ...init, signal: held.signal });
  };
}

/**
 * A server that takes every request and never answers it; it counts the requests and those the client gave up. Its
 * client's fetch passes an abort on once the server has the request (then runs `aborted`).
 */
async function neverAnswers(options: DecartClientOptions = {}, aborted?: () => void) {
  const seen = { requests: 0, abandoned: 0 };
  const server = createServer((req) => {
    seen.requests++;
    req.socket.once("close", () => seen.abandoned++);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    seen,
    // Each attempt's own limit is ten minutes: only a deadline can end a read sooner.
    client: createDecartClient({
      apiKey: "dct_test",
      baseUrl: `http://127.0.0.1:${port}`,
      timeoutMs: 600_000,
      logger: silent,
      fetch: abortOnceArrived(() => seen.requests === 1, aborted),
      ...options,
    } as DecartClientOptions),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("a status read's deadline", () => {
  it("readStatus ends a read in flight at its deadline, and a JobWatch with timeoutMs ends on time", async () => {
    // A minute's budget on a clock of the test's; the read starts 300 ms before its end, so only what is left of the
    // budget bounds it (each attempt's own limit is ten minutes). The abort of that cut reaches the connection once the
    // server has the request, and the clock then stands at the deadline (the 300 ms have passed): however slow the
    // machine, the read was in flight when the deadline ended it.
    const clock = { now: 0 };
    const server = await neverAnswers({ poll: { now: () => clock.now } }, () => {
      clock.now = 60_000;
    });
    try {
      const { client, seen } = server;
      const watch = client.queue.createWatch("job_slow", { timeoutMs: 60_000 });
      expect(watch.deadline).toBe(60_000);
      const step = watch.start();
      expect(step.next).toEqual({ read: 0 });
      clock.now = 60_000 - 300;
      const failure = await client.queue.readStatus("job_slow", { deadline: watch.deadline }).catch((e) => e);
      expect(failure).toBeInstanceOf(TimeoutError);
      expect(failure.jobId).toBe("job_slow");
      // The watch sees the deadline passed: it ends with a timeout carrying the job id, and reads nothing more.
      const end = watch.error(failure);
      expect((end.next as { error: unknown }).error).toBeInstanceOf(JobTimeoutError);
      expect((end.next as { error: JobTimeoutError }).error.jobId).toBe("job_slow");
      await until(() => seen.abandoned === 1);
      expect(seen.requests).toBe(1);
    } finally {
      await server.close();
    }
  });

  it("a read that hangs until the watch's budget ends it is the timeout's cause, and its message says so", async () => {
    // A minute's budget on a clock of the test's that moves only in the wait before the first read, to 300 ms before
    // the deadline: the read then sent hangs (each attempt's own limit is ten minutes) until what is left of the budget
    // ends it, and once that abort reaches the connection the clock stands at the deadline. The server was down, not
    // the job slow: the timeout says so.
    const clock = { now: 0 };
    const server = await neverAnswers(
      {
        poll: {
          now: () => clock.now,
          delay: async () => {
            clock.now = 60_000 - 300;
          },
        },
      },
      () => {
        clock.now = 60_000;
      },
    );
    try {
      const error = await server.client.queue.wait("job_hung", { timeoutMs: 60_000 }).catch((e) => e);
      expect(error).toBeInstanceOf(JobTimeoutError);
      expect(error.cause).toBeInstanceOf(TimeoutError);
      expect(error.cause.jobId).toBe("job_hung");
      expect(error.message).toBe(
        `Job job_hung not done within 60000 ms (last status: unknown); the last request failed: ${error.cause.message}`,
      );
      expect(error.message).toMatch(/the last request failed: GET .*\/v1\/jobs\/job_hung: timed out/);
      expect(server.seen.requests).toBe(1);
    } finally {
      await server.close();
    }
  });

  it("with a budget under two seconds, a read that hangs from the start is the timeout's cause", async () => {
    // A budget of 900 ms on a clock of the test's that stands still until the read's abort reaches the connection: the
    // first read, due at once, hangs until what is left of the budget ends it. Due under a second before the deadline,
    // it is due half the budget before it: the server was down, not the job slow.
    const clock = { now: 0 };
    const server = await neverAnswers({ poll: { now: () => clock.now } }, () => {
      clock.now = 900;
    });
    try {
      const error = await server.client.queue.wait("job_short", { timeoutMs: 900 }).catch((e) => e);
      expect(error).toBeInstanceOf(JobTimeoutError);
      expect(error.cause).toBeInstanceOf(TimeoutError);
      expect(error.message).toMatch(/the last request failed: GET .*\/v1\/jobs\/job_short: timed out/);
    } finally {
      await server.close();
    }
  });

  it("a read due under a second before the deadline and still on its way at it is no cause: a job only slow", async () => {
    // A minute's budget on a clock of the test's that moves only in the waits: the first read answers pending, the next
    // is due 300 ms before the deadline and gets no answer before it (a job only slow: a read still on its way, a round
    // trip of a few hundred ms); once it has reached the server the clock stands at the deadline. The timeout says
    // nothing of a failure.
    const clock = { now: 0 };
    let reads = 0;
    const api = await serve((_req, res) => {
      if (++reads === 1) return json(res, 200, { job_id: "job_late", status: "pending" });
      clock.now = 60_000;
    });
    try {
      const error = await createDecartClient({
        apiKey: "dct_test",
        baseUrl: api.url,
        logger: silent,
        timeoutMs: 600_000,
        poll: {
          now: () => clock.now,
          intervalMs: 60_000 - 300,
          delay: async (ms) => {
            clock.now += ms;
          },
        },
      })
        .queue.wait("job_late", { timeoutMs: 60_000 })
        .catch((e) => e);
      expect(error).toBeInstanceOf(JobTimeoutError);
      expect(error.cause).toBeUndefined();
      expect(error.message).toBe("Job job_late not done within 60000 ms (last status: pending)");
      expect(reads).toBe(2);
    } finally {
      await api.close();
    }
  });

  it("a job only slow times out at the deadline without a cause: the read that had no time left is none", async () => {
    const api = await serve((_req, res) => json(res, 200, { job_id: "job_slow", status: "pending" }));
    try {
      const time = virtualTime();
      const error = await createDecartClient({
        apiKey: "dct_test",
        baseUrl: api.url,
        logger: silent,
        poll: { now: time.now, delay: time.delay },
      })
        .queue.wait("job_slow", { timeoutMs: 3000 })
        .catch((e) => e);
      expect(error).toBeInstanceOf(JobTimeoutError);
      expect(error.cause).toBeUndefined();
      expect(error.message).toBe("Job job_slow not done within 3000 ms (last status: pending)");
      expect(time.now()).toBe(3000);
    } finally {
      await api.close();
    }
  });

  it("queue.status tries a stalled read again within its deadline and ends by it with a TimeoutError and the job id", async () => {
    // Each read's own limit is 100 ms; the client's clock stands at 0 until the retry's wait, which takes it to 30 ms
    // before the deadline (a minute away): the first read is cut by its own limit and tried again, the second by the
    // deadline (30 ms left), and no retry follows it though maxRetries allows five. What reaches fetch is counted.
    const clock = { now: 0 };
    const waits: number[] = [];
    let sent = 0;
    const server = await neverAnswers({
      timeoutMs: 100,
      maxRetries: 5,
      random: () => 0,
      poll: {
        now: () => clock.now,
        delay: async (ms) => {
          waits.push(ms);
          clock.now = 60_000 - 30;
        },
      },
      fetch: (input, init) => {
        sent++;
        return fetch(input, init);
      },
    });
    try {
      const error = await server.client.queue.status("job_slow", { deadline: 60_000 }).catch((e) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error).toMatchObject({ jobId: "job_slow", retryable: true });
      expect(error.message).toContain("timed out");
      expect(sent).toBe(2);
      expect(waits).toEqual([50]);
    } finally {
      await server.close();
    }
  });

  it("queue.status refuses a deadline that is no finite number before any request, as createWatch does", async () => {
    const server = await neverAnswers();
    try {
      for (const deadline of ["soon", Number.NaN, Number.POSITIVE_INFINITY]) {
        const error = await server.client.queue.status("job_x", { deadline: deadline as never }).catch((e) => e);
        expect(error.name).toBe("InvalidInputError");
        expect(error).toMatchObject({ field: "deadline", expected: "a number" });
        // The watch's option, refused in the same words.
        let watchError: unknown;
        try {
          server.client.queue.createWatch("job_x", { deadline: deadline as never });
        } catch (e) {
          watchError = e;
        }
        expect((watchError as Error).message).toBe(error.message);
      }
      expect(server.seen.requests).toBe(0);
    } finally {
      await server.close();
    }
  });

  it("rejects a deadline that is not a number", async () => {
    const server = await neverAnswers();
    try {
      const error = await server.client.queue.readStatus("job_x", { deadline: "soon" as never }).catch((e) => e);
      expect(error.name).toBe("InvalidInputError");
      expect(server.seen.requests).toBe(0);
    } finally {
      await server.close();
    }
  });
});
