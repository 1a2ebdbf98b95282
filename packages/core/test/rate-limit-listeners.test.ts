/**
 * `client.rateLimit.subscribe`: a listener is diagnostics, as the logger is. What it throws, or a promise it returns
 * that rejects, changes no call's outcome and no other listener's turn (it goes to the logger's `warn`); a listener
 * that is no function is refused when subscribed; each subscription is its own, the same function twice too.
 */
import type { FaultRule } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { canWatchAgain, InvalidInputError, models, type RateLimitPause } from "../src/index.js";
import { clientFor, drain, firstN, instantDelay, startFast } from "./helpers.js";

/** An emulator whose first request on the rule's route (by default a submit) gets the fault (a 429 asking for 1 s). */
const faultyFirst = (rule: Partial<FaultRule> = { kind: "429", retryAfterSeconds: 1 }) =>
  startFast({ faults: [{ route: "submit", kind: "429", ...rule, rate: 0.5 }], random: firstN(1) });

const model = () => models.video("lucy-pro-t2v");

/** A client of `emu` whose waits do not wait, its warnings kept. */
const quick = (emu: Awaited<ReturnType<typeof startFast>>, random?: () => number) => {
  const warnings: string[] = [];
  const client = clientFor(emu, {
    poll: { delay: instantDelay() },
    logger: { warn: (m) => void warnings.push(m) },
    ...(random && { random }),
  });
  return { client, warnings };
};

describe("rateLimit listeners", () => {
  it("a listener that throws changes no call's outcome, and the listeners after it still hear the pause", async () => {
    const emu = await faultyFirst();
    try {
      const { client, warnings } = quick(emu);
      const heard: number[] = [];
      client.rateLimit.subscribe(() => {
        throw new Error("metrics backend down");
      });
      client.rateLimit.subscribe((p) => void heard.push(p.waitMs));
      const job = await client.queue.submit({ model: model(), prompt: "a" });
      expect(job.job_id).toMatch(/^job_/);
      expect(heard).toEqual([1000]);
      expect(warnings).toEqual(["a rateLimit listener threw (Error: metrics backend down)"]);
      expect(emu.stats().requests.byRoute.submit).toBe(2);
    } finally {
      await emu.close();
    }
  });

  it("a watch whose status read met a 429 completes: a throwing listener does not end it", async () => {
    const emu = await faultyFirst({ route: "status", kind: "429", retryAfterSeconds: 1 });
    try {
      const { client, warnings } = quick(emu);
      client.rateLimit.subscribe(() => {
        throw new Error("metrics backend down");
      });
      const out = await client.queue.submitAndPoll({ model: model(), prompt: "a", download: false });
      expect(out.status).toBe("completed");
      expect(warnings).toEqual(["a rateLimit listener threw (Error: metrics backend down)"]);
    } finally {
      await emu.close();
    }
  });

  it("an async listener whose promise rejects goes to warn, never unhandled", async () => {
    const emu = await faultyFirst();
    try {
      const { client, warnings } = quick(emu);
      client.rateLimit.subscribe(async () => {
        throw new Error("db insert failed");
      });
      const job = await client.queue.submit({ model: model(), prompt: "a" });
      expect(job.job_id).toMatch(/^job_/);
      await drain();
      expect(warnings).toEqual(["a rateLimit listener threw (Error: db insert failed)"]);
    } finally {
      await emu.close();
    }
  });

  it("a listener that is no function is refused when subscribed, naming it", async () => {
    const emu = await startFast();
    try {
      const { client } = quick(emu);
      for (const listener of [undefined, null, "onPause", {}]) {
        const error = (() => {
          try {
            client.rateLimit.subscribe(listener as never);
          } catch (e) {
            return e;
          }
        })();
        expect(error).toBeInstanceOf(InvalidInputError);
        expect(error).toMatchObject({ field: "listener", expected: "a function" });
        expect((error as Error).message).toMatch(/^rateLimit\.subscribe: "listener" must be a function/);
      }
      expect(emu.stats().requests.total).toBe(0);
    } finally {
      await emu.close();
    }
  });

  it("a listener that unsubscribes and subscribes itself again as it is called hears one 429 once", async () => {
    const emu = await faultyFirst();
    try {
      const { client } = quick(emu);
      let calls = 0;
      const arm = () => {
        const off = client.rateLimit.subscribe(() => {
          off();
          // (A loop would go on for ever: stop it, and the count says so.)
          if (++calls < 5) arm();
        });
      };
      arm();
      const job = await client.queue.submit({ model: model(), prompt: "a" });
      expect(job.job_id).toMatch(/^job_/);
      expect(calls).toBe(1);
    } finally {
      await emu.close();
    }
  });

  it("the same function subscribed twice is two subscriptions: each unsubscribe ends its own", async () => {
    const emu = await startFast({
      faults: [{ route: "submit", kind: "429", retryAfterSeconds: 1, rate: 0.5 }],
      // Only the first submit of each pair is answered 429.
      random: (() => {
        let n = 0;
        return () => (n++ % 2 === 0 ? 0 : 0.9);
      })(),
    });
    try {
      const { client } = quick(emu);
      const heard: RateLimitPause[] = [];
      const onPause = (p: RateLimitPause) => void heard.push(p);
      const stopA = client.rateLimit.subscribe(onPause);
      const stopB = client.rateLimit.subscribe(onPause);
      await client.queue.submit({ model: model(), prompt: "a" });
      expect(heard).toHaveLength(2);
      stopA();
      await client.queue.submit({ model: model(), prompt: "b" });
      expect(heard).toHaveLength(3);
      stopB();
      await client.queue.submit({ model: model(), prompt: "c" });
      expect(heard).toHaveLength(3);
      expect(emu.stats().requests.byRoute.submit).toBe(6);
    } finally {
      await emu.close();
    }
  });
});

describe("the client's random (the retry jitter)", () => {
  const broken = () => {
    throw new Error("rng broke");
  };

  it("one that throws or answers no number in [0, 1) (NaN, 5, 1, -0.5, text) ends a call with CALLBACK_ERROR, not INVALID_RESPONSE", async () => {
    for (const [random, said] of [
      [broken, "a callback threw (Error: rng broke)"],
      [() => Number.NaN, "a callback threw (random answered NaN)"],
      // Past either end of [0, 1): not used as given (5 waited five times the backoff, -0.5 not at all).
      [() => 5, "a callback threw (random answered 5)"],
      [() => 1, "a callback threw (random answered 1)"],
      [() => -0.5, "a callback threw (random answered -0.5)"],
      [() => "0.5" as never, "a callback threw (random answered 0.5)"],
    ] as const) {
      const emu = await faultyFirst({ kind: "503" });
      try {
        const error = await quick(emu, random)
          .client.queue.submit({ model: model(), prompt: "a" })
          .catch((e) => e);
        expect(error).toMatchObject({ code: "CALLBACK_ERROR", message: said, jobId: undefined });
        // The 503 said the job was not made: nothing more was sent.
        expect(emu.stats().requests.byRoute.submit).toBe(1);
      } finally {
        await emu.close();
      }
    }
  });

  it("a wait whose status read fails with a 503 ends with the job's CALLBACK_ERROR, its words said once", async () => {
    const emu = await startFast({ faults: [{ route: "status", kind: "503", rate: 1 }] });
    try {
      const client = quick(emu, () => 5).client;
      const { job_id } = await client.queue.submit({ model: model(), prompt: "a" });
      const error = await client.queue.wait(job_id, { timeoutMs: 60_000 }).catch((e) => e);
      expect(error).toMatchObject({
        code: "CALLBACK_ERROR",
        jobId: job_id,
        message: `Job ${job_id}: a callback threw (random answered 5); the job goes on`,
      });
    } finally {
      await emu.close();
    }
  });

  it("one that answers either end of [0, 1) (0, 0.9999) is used: the 503's submit is sent again and taken", async () => {
    for (const r of [0, 0.9999]) {
      const emu = await faultyFirst({ kind: "503" });
      try {
        const job = await quick(emu, () => r).client.queue.submit({ model: model(), prompt: "a" });
        expect(job.job_id, String(r)).toMatch(/^job_/);
        expect(emu.stats().requests.byRoute.submit).toBe(2);
      } finally {
        await emu.close();
      }
    }
  });

  it("a submit the server may have taken (500, retrySubmit) stays SUBMIT_OUTCOME_UNKNOWN, the callback's failure in its words", async () => {
    for (const [random, said] of [
      [broken, "; not sent again: a callback threw (Error: rng broke)"],
      [() => Number.NaN, "; not sent again: a callback threw (random answered NaN)"],
      [() => 5, "; not sent again: a callback threw (random answered 5)"],
    ] as const) {
      const emu = await faultyFirst({ kind: "500" });
      try {
        const client = clientFor(emu, { retrySubmit: true, random, poll: { delay: instantDelay() }, logger: {} });
        const error = await client.queue.submit({ model: model(), prompt: "a" }).catch((e) => e);
        expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", status: 500 });
        expect(error.message).toContain("may exist");
        expect(error.message.endsWith(said)).toBe(true);
        expect(emu.stats().requests.byRoute.submit).toBe(1);
      } finally {
        await emu.close();
      }
    }
  });

  it("is asked only for a retry that is made: a 429 not retried (maxRetries 0) stays RATE_LIMIT, the gate closed for the floor", async () => {
    const emu = await faultyFirst({ kind: "429" });
    try {
      let asked = 0;
      const client = clientFor(emu, {
        maxRetries: 0,
        random: () => {
          asked++;
          return Number.NaN;
        },
        logger: {},
      });
      const heard: number[] = [];
      client.rateLimit.subscribe((p) => void heard.push(p.waitMs));
      const error = await client.queue.submit({ model: model(), prompt: "a" }).catch((e) => e);
      expect(error).toMatchObject({ code: "RATE_LIMIT", status: 429 });
      expect(asked).toBe(0);
      // No Retry-After: the first retry's floor, 50 ms.
      expect(heard).toEqual([50]);
    } finally {
      await emu.close();
    }
  });

  it("in a watch, the CALLBACK_ERROR carries the job id, and the job can be watched again", async () => {
    const emu = await faultyFirst({ route: "status", kind: "503" });
    try {
      let id: string | undefined;
      const error = await quick(emu, broken)
        .client.queue.submitAndPoll({ model: model(), prompt: "a", download: false, onSubmitted: (j) => (id = j) })
        .catch((e) => e);
      expect(id).toMatch(/^job_/);
      expect(error).toMatchObject({ code: "CALLBACK_ERROR", jobId: id });
      expect(error.cause).toEqual(new Error("rng broke"));
      expect(canWatchAgain(error)).toBe(true);
      const again = await quick(emu).client.queue.wait(id!, { download: false });
      expect(again.status).toBe("completed");
    } finally {
      await emu.close();
    }
  });

  it("a status read of a job: the CALLBACK_ERROR carries its id", async () => {
    const emu = await faultyFirst({ route: "status", kind: "503" });
    try {
      const job = await quick(emu).client.queue.submit({ model: model(), prompt: "a" });
      const error = await quick(emu, broken)
        .client.queue.status(job.job_id)
        .catch((e) => e);
      expect(error).toMatchObject({ code: "CALLBACK_ERROR", jobId: job.job_id });
    } finally {
      await emu.close();
    }
  });
});
