import {
  createDecartClient,
  type DecartClient,
  JobFailedError,
  type JobStatus,
  type JobSubmitResult,
  models,
  RateLimitError,
  type StatusRead,
} from "@decart/core";
import { map, type Observable } from "rxjs";
import type { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { type BatchEvent, type BatchInput, submitAll } from "../src/batch.js";
import type { SubmitInput } from "../src/types.js";
import { marbles, silent, virtualClient } from "./marbles.js";

const input = (prompt: string) => ({ model: models.video("lucy-pro-t2v"), prompt }) as never as SubmitInput;
const every10 = () => 10;

type Cold = <T>(marbles: string, values?: Record<string, T>, error?: unknown) => Observable<T>;

/** Submits answered after 1 ms (job ids `job_<prompt>`), except the prompts in `limited`, answered 429 once. */
function submits(scheduler: TestScheduler, cold: Cold, limited: string[] = [], retryAfterMs = 100) {
  const calls: [number, string][] = [];
  const source = (i: SubmitInput) => {
    const prompt = String((i as { prompt?: unknown }).prompt);
    calls.push([scheduler.now(), prompt]);
    if (limited.includes(prompt) && calls.filter(([, p]) => p === prompt).length === 1) {
      return cold<JobSubmitResult>("-#", undefined, new RateLimitError("429", { status: 429, retryAfterMs }));
    }
    return cold<JobSubmitResult>("-(s|)", { s: { job_id: `job_${prompt}`, status: "pending" } });
  };
  return Object.assign(source, { calls });
}

/** Status reads answered after 1 ms: `completed`, or the status `outcome` gives for the job. */
function reads(scheduler: TestScheduler, cold: Cold, outcome: (jobId: string) => JobStatus = () => "completed") {
  const calls: [number, string][] = [];
  const source = (jobId: string) => {
    calls.push([scheduler.now(), jobId]);
    const status = outcome(jobId);
    return cold<StatusRead>("-(a|)", {
      a: { job: { job_id: jobId, status, ...(status === "failed" && { error: "no" }) } },
    });
  };
  return Object.assign(source, { calls });
}

const last = <T>(items: T[]) => items[items.length - 1]!;

describe("submitAll on virtual time", () => {
  it("a 429 on one submit pauses the whole batch (submits and reads) for its Retry-After, then sends it again", () => {
    marbles(({ cold, scheduler, flush }) => {
      const submit = submits(scheduler, cold, ["a"]);
      const read = reads(scheduler, cold);
      const events: BatchEvent[] = [];
      submitAll(virtualClient(scheduler), [input("a"), input("b"), input("c")], {
        concurrency: 2,
        poll: every10,
        download: false,
        submitSource: submit,
        statusSource: read,
      }).subscribe((e) => events.push(e));
      flush();
      // a is answered 429 at 1 ms (Retry-After 100 ms): b's first read, due at 11 ms, waits until 101 ms with a's
      // second submit; c starts when b's slot frees.
      expect(submit.calls).toEqual([
        [0, "a"],
        [0, "b"],
        [101, "a"],
        [102, "c"],
      ]);
      expect(read.calls).toEqual([
        [101, "job_b"],
        [112, "job_a"],
        [113, "job_c"],
      ]);
      expect(last(events).summary).toEqual({
        total: 3,
        submitted: 3,
        pending: 0,
        processing: 0,
        completed: 3,
        failed: 0,
      });
    });
  });

  it("a pause is waited out on the scheduler's virtual time even with a client on the real clock (no poll.now)", () => {
    marbles(({ cold, scheduler, flush }) => {
      const submit = submits(scheduler, cold, ["a"]);
      const read = reads(scheduler, cold);
      const client = createDecartClient({
        apiKey: "dct_virtual",
        baseUrl: "http://127.0.0.1:9",
        logger: silent,
        random: () => 0,
      });
      const events: BatchEvent[] = [];
      submitAll(client, [input("a"), input("b"), input("c")], {
        concurrency: 2,
        poll: every10,
        download: false,
        submitSource: submit,
        statusSource: read,
      }).subscribe((e) => events.push(e));
      flush();
      // As above: the pause of a's 429 (100 ms) is waited on virtual timers, not until the real clock has moved on.
      expect(submit.calls.map(([, prompt]) => prompt)).toEqual(["a", "b", "a", "c"]);
      expect(submit.calls[2]![0]).toBeLessThan(110);
      expect(last(events).summary).toMatchObject({ submitted: 3, completed: 3 });
    });
  });

  it("pauses with the client's own rate-limit gate (a 429 to any of the client's requests), while the batch runs", () => {
    marbles(({ cold, scheduler, flush }) => {
      type Listener = Parameters<DecartClient["rateLimit"]["subscribe"]>[0];
      let close: Listener | undefined;
      const rateLimit = {
        pausedUntil: () => undefined,
        subscribe(listener: Listener) {
          close = listener;
          return () => {
            close = undefined;
          };
        },
      };
      const client: DecartClient = { ...virtualClient(scheduler), rateLimit };
      const read = reads(scheduler, cold);
      submitAll(client, [input("a")], {
        poll: every10,
        download: false,
        submitSource: submits(scheduler, cold),
        statusSource: read,
      }).subscribe();
      scheduler.schedule(() => close?.({ waitMs: 100, until: 105, requestId: undefined }), 5);
      flush();
      // Submitted at 1 ms; its first read, due at 11 ms, waits for the gate's pause (from 5 ms, 100 ms).
      expect(read.calls).toEqual([[105, "job_a"]]);
      expect(close).toBeUndefined();
    });
  });

  it("tags each event with its input's index and key, and keeps a running summary", () => {
    marbles(({ cold, scheduler, flush }) => {
      const events: BatchEvent[] = [];
      const batch = submitAll(virtualClient(scheduler), [{ key: "first", input: input("a") }, input("b")], {
        poll: every10,
        download: false,
        submitSource: submits(scheduler, cold),
        statusSource: reads(scheduler, cold, (id) => (id === "job_b" ? "failed" : "processing")),
      }).subscribe((e) => events.push(e));
      scheduler.schedule(() => {
        batch.unsubscribe(); // job a is still processing
        const tags = events.map((e) => `${e.index}:${e.key}:${e.event?.type}`);
        expect(tags).toEqual([
          "0:first:submitted",
          "0:first:status",
          "1:undefined:submitted",
          "1:undefined:status",
          "0:first:status",
          "1:undefined:failed",
        ]);
        expect(last(events).summary).toEqual({
          total: 2,
          submitted: 2,
          pending: 0,
          processing: 1,
          completed: 0,
          failed: 1,
        });
      }, 50);
      flush();
    });
  });

  it("one failed job does not end the batch; with failFast it does, and stops watching the others", () => {
    marbles(({ cold, scheduler, flush }) => {
      const options = { poll: every10, download: false, concurrency: 3 };
      const fails = (id: string): JobStatus =>
        id === "job_b" ? "failed" : id === "job_c" ? "completed" : "processing";
      const run = (failFast: boolean) => {
        const read = reads(scheduler, cold, fails);
        const events: BatchEvent[] = [];
        let error: unknown;
        const subscription = submitAll(virtualClient(scheduler), [input("a"), input("b"), input("c")], {
          ...options,
          failFast,
          submitSource: submits(scheduler, cold),
          statusSource: read,
        }).subscribe({ next: (e) => events.push(e), error: (e) => (error = e) });
        scheduler.schedule(() => subscription.unsubscribe(), 100);
        return { events, read, error: () => error };
      };
      const tolerant = run(false);
      const strict = run(true);
      flush();
      expect(tolerant.error()).toBeUndefined();
      expect(last(tolerant.events).summary).toMatchObject({ failed: 1, completed: 1, processing: 1 });
      // Job a is still read until the end (100 ms) without failFast; with it, reading stops when b fails (at 12 ms).
      expect(last(tolerant.read.calls)[0]).toBeGreaterThan(80);
      expect(JobFailedError.isInstance(strict.error()) && (strict.error() as JobFailedError).jobId).toBe("job_b");
      expect(Math.max(...strict.read.calls.map(([at]) => at))).toBe(11);
    });
  });

  it("a submit waiting out a 429's pause when the batch ends is never sent; one under way is heard to its answer", () => {
    marbles(({ cold, scheduler, flush }) => {
      // From 10 ms: a is answered 429 at 11 ms (Retry-After 100 ms) and waits to be sent again at 111 ms; c's submit is
      // answered at 70 ms. The batch is left at 50 ms: a is not sent again, and c's job goes to onOrphan.
      const submit = submits(scheduler, cold, ["a"]);
      const slow = (i: SubmitInput) => {
        const answer = submit(i);
        if ((i as { prompt?: unknown }).prompt !== "c") return answer;
        return cold<JobSubmitResult>("60ms (s|)", { s: { job_id: "job_c", status: "pending" } });
      };
      const orphans: unknown[][] = [];
      const events: BatchEvent[] = [];
      scheduler.schedule(() => {
        const batch = submitAll(virtualClient(scheduler), [input("a"), input("b"), { key: "c", input: input("c") }], {
          concurrency: 3,
          poll: every10,
          download: false,
          submitSource: slow,
          statusSource: reads(scheduler, cold, () => "processing"),
          onOrphan: (...orphan) => orphans.push(orphan),
        }).subscribe((e) => events.push(e));
        scheduler.schedule(() => batch.unsubscribe(), 40);
      }, 10);
      flush();
      expect(submit.calls).toEqual([
        [10, "a"],
        [10, "b"],
        [10, "c"],
      ]);
      expect(orphans).toEqual([["job_c", 2, "c"]]);
      expect(events.filter((e) => e.event?.type === "submitted").map((e) => e.event?.jobId)).toEqual(["job_b"]);
    });
  });

  it("a batch that ends before a submit under way is answered 429 leaves no pause's timer behind", () => {
    marbles(({ cold, scheduler, flush }) => {
      // a fails at its first read (answered at 12 ms) and ends the failFast batch; b's submit, under way, is listened to
      // until its answer, a 429 at 20 ms with a Retry-After of a minute. It is not sent again, and nothing waits out
      // that pause: its timer would have kept a Node process alive until 60 020 ms.
      const calls: string[] = [];
      const submit = (i: SubmitInput) => {
        const prompt = String((i as { prompt?: unknown }).prompt);
        calls.push(prompt);
        return prompt === "a"
          ? cold<JobSubmitResult>("-(s|)", { s: { job_id: "job_a", status: "pending" } })
          : cold<JobSubmitResult>(
              "20ms #",
              undefined,
              new RateLimitError("429", { status: 429, retryAfterMs: 60_000 }),
            );
      };
      let ended: number | undefined;
      submitAll(virtualClient(scheduler), [input("a"), input("b")], {
        concurrency: 2,
        poll: every10,
        download: false,
        failFast: true,
        submitSource: submit,
        statusSource: reads(scheduler, cold, () => "failed"),
      }).subscribe({ error: () => (ended = scheduler.now()) });
      flush();
      expect(ended).toBe(12);
      expect(calls).toEqual(["a", "b"]);
      // The last thing the scheduler ran was b's answer: no timer was left to fire later.
      expect(scheduler.now()).toBe(20);
    });
  });

  it("reads an iterable lazily: the next input only when a slot frees", () => {
    marbles(({ cold, scheduler, flush }) => {
      const pulled: number[] = [];
      function* inputs() {
        for (const prompt of ["a", "b", "c"]) {
          pulled.push(scheduler.now());
          yield input(prompt);
        }
      }
      const totals: number[] = [];
      submitAll(virtualClient(scheduler), inputs(), {
        concurrency: 1,
        poll: every10,
        download: false,
        submitSource: submits(scheduler, cold),
        statusSource: reads(scheduler, cold),
      }).subscribe((e) => totals.push(e.summary.total));
      flush();
      // Each job: submitted at +1, read at +11, completed at +12.
      expect(pulled).toEqual([0, 12, 24]);
      expect(totals[0]).toBe(1);
      expect(last(totals)).toBe(3);
    });
  });

  it("takes an observable of inputs", () => {
    marbles(({ cold, expectObservable, scheduler }) => {
      const inputs = cold<BatchInput>("a 20ms b|", { a: input("a"), b: input("b") });
      const batch = submitAll(virtualClient(scheduler), inputs, {
        poll: every10,
        download: false,
        submitSource: submits(scheduler, cold),
        statusSource: reads(scheduler, cold),
      });
      const type = (e: BatchEvent) => `${e.index}:${e.event?.type}`;
      expectObservable(batch.pipe(map(type))).toBe("-(ab) 7ms c 9ms (de) 7ms (f|)", {
        a: "0:submitted",
        b: "0:status",
        c: "0:completed",
        d: "1:submitted",
        e: "1:status",
        f: "1:completed",
      });
    });
  });
});
