import { Readable } from "node:stream";
import {
  AuthenticationError,
  canWatchAgain,
  DecartError,
  InvalidInputError,
  type JobEvent,
  models,
  NotFoundError,
} from "@decart/core";
import type { Emulator, FaultRule } from "@decart/emulator";
import {
  config,
  from,
  lastValueFrom,
  type Observable,
  Subject,
  type Subscription,
  switchMap,
  take,
  takeUntil,
  tap,
  throwError,
  toArray,
  VirtualTimeScheduler,
} from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
import { type BatchEvent, type BatchInput, submitAll } from "../src/batch.js";
import { retryWatch, statusChanges, throwOnFailure } from "../src/operators.js";
import { clientStatus, type StatusSource } from "../src/sources.js";
import { submitJob, watchJob } from "../src/watch.js";
import { clientFor, lastingHandles, seeded, sha256, startFast, until } from "./helpers.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const model = models.video("lucy-pro-t2v");

/**
 * Status events never repeat a status but right after `retrying`, and progress comes only between the last status and
 * `completed`.
 */
function expectWellFormed(events: JobEvent[]) {
  const statuses = events.flatMap((e, i) =>
    e.type === "status" && events[i - 1]?.type !== "retrying" ? [e.status] : [],
  );
  expect(statuses.filter((s, i) => s === statuses[i - 1])).toEqual([]);
  const types = events.map((e) => e.type);
  expect(types[types.length - 1]).toBe("completed");
  expect(new Set(types.slice(types.indexOf("downloading"), -1))).toEqual(new Set(["downloading"]));
}

describe("over HTTP, against the emulator", () => {
  it("submitJob: submitted first, the status changes, the download's progress, then the video", async () => {
    emu = await startFast();
    const events = await lastValueFrom(submitJob(clientFor(emu), { model, prompt: "A lake" }).pipe(toArray()));
    expect(events[0]).toMatchObject({ type: "submitted", model: "lucy-pro-t2v" });
    const jobId = events[0]!.jobId;
    expectWellFormed(events);
    const end = events[events.length - 1] as Extract<JobEvent, { type: "completed" }>;
    expect(await sha256(end.data!)).toBe(emu.job(jobId)!.resultSha256);
    expect(end.data!.type).toBe("video/mp4");
  });

  it("watchJob: a job submitted elsewhere, to its end (download: false stops at completed)", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "elsewhere" });
    const statuses = await lastValueFrom(
      watchJob(client, job_id, { model: "lucy-pro-t2v", download: false }).pipe(statusChanges(), toArray()),
    );
    expect(statuses[statuses.length - 1]).toBe("completed");
    expect(emu.job(job_id)!.contentReads).toBe(0);
  });

  it("watchJob with `first` (a job you submitted): starts from the answer, `submitted` and its status before any read", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const first = await client.queue.submit({ model, prompt: "submitted, then watched" });
    let reads = 0;
    const statusSource: StatusSource = (id, within) => {
      reads++;
      return clientStatus(client)(id, within);
    };
    const seen: [JobEvent["type"], number][] = [];
    const watched = watchJob(client, first.job_id, { model, download: false, first, statusSource });
    await lastValueFrom(watched.pipe(tap((event) => seen.push([event.type, reads]))));
    expect(seen.slice(0, 2)).toEqual([
      ["submitted", 0],
      ["status", 0], // the answer's status (pending): no read was needed for it
    ]);
    expect(seen.at(-1)).toEqual(["completed", reads]);
    expect(emu.job(first.job_id)!.statusReads).toBe(reads);
  });

  it("a submitter whose job is already watched joins its poller and still hears `submitted` first", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const first = await client.queue.submit({ model, prompt: "watched before its submitter follows it [hold]" });
    // Someone watches the job first (e.g. a badge given its id), with the poller's reads counted.
    const badge: JobEvent[] = [];
    let reads = 0;
    const statusSource: StatusSource = (id, within) => {
      reads++;
      return clientStatus(client)(id, within);
    };
    const watching = watchJob(client, first.job_id, { model, statusSource }).subscribe((e) => badge.push(e));
    await until(() => badge.some((e) => e.type === "status" && e.status === "processing"));
    // The submitter of that job (its answer replayed, as a page that submitted it does), and a watchJob given `first`.
    const noRead: StatusSource = () => throwError(() => new Error("a joiner never reads"));
    const submitter: JobEvent[] = [];
    const joined = submitJob(client, { model, prompt: "" } as never, {
      submitSource: () => from([first]),
      statusSource: noRead,
    }).subscribe((e) => submitter.push(e));
    const given: JobEvent[] = [];
    const alsoJoined = watchJob(client, first.job_id, { model, first, statusSource: noRead }).subscribe((e) =>
      given.push(e),
    );
    for (const events of [submitter, given]) {
      expect(events.slice(0, 2)).toEqual([
        { type: "submitted", jobId: first.job_id, model: "lucy-pro-t2v" },
        expect.objectContaining({ type: "status", status: "processing" }), // the job's latest status, at once
      ]);
    }
    expect(emu.release(first.job_id)).toBe(true);
    await until(() => watching.closed && joined.closed && alsoJoined.closed);
    expect(submitter.at(-1)).toMatchObject({ type: "completed", data: expect.any(Blob) });
    expect(given.at(-1)).toEqual(submitter.at(-1));
    expect(emu.job(first.job_id)!.statusReads).toBe(reads); // one poller: the badge's
    expect(emu.job(first.job_id)!.contentReads).toBe(1);
  });

  it("a submitter that joins names the model as the core's watch does: an alias given as a string, by its target", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    // A video to edit: one the emulator made.
    const made = await client.queue.submitAndPoll({ model, prompt: "a clip to edit" });
    const clip = made.status === "completed" ? made.data! : new Blob();
    const first = await client.queue.submit({
      model: models.video("lucy-clip-latest"),
      prompt: "an alias's job [hold]",
      data: clip,
    });
    // The one that starts the poller hears the core's watch's `submitted`; one that joins it hears queue-rx's own.
    const options = { model: "lucy-clip-latest" as const, first, download: false };
    const starter: JobEvent[] = [];
    const joiner: JobEvent[] = [];
    const started = watchJob(client, first.job_id, options).subscribe((e) => starter.push(e));
    await until(() => starter.some((e) => e.type === "status"));
    const joined = watchJob(client, first.job_id, options).subscribe((e) => joiner.push(e));
    const named = { type: "submitted", jobId: first.job_id, model: "lucy-clip" };
    expect(starter[0]).toEqual(named);
    expect(joiner[0]).toEqual(named);
    expect(emu.release(first.job_id)).toBe(true);
    await until(() => started.closed && joined.closed);
  });

  it("submitJob reads the watch's options once, before its submit: what a later read would say changes nothing", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    // A getter that answers a budget once, then a value the watch would refuse (read again after the submit, it would
    // end a paid job's watch with an InvalidInputError).
    let reads = 0;
    const options = {
      download: false,
      get timeoutMs() {
        return ++reads === 1 ? 60_000 : ("later" as never);
      },
    };
    const events = await lastValueFrom(
      submitJob(client, { model, prompt: "options read once" }, options).pipe(toArray()),
    );
    expect(events.at(-1)).toMatchObject({ type: "completed" });
    expect(reads).toBe(1);
    // So does each subscriber of watchJob.
    const { job_id } = await client.queue.submit({ model, prompt: "watched with options read once" });
    reads = 0;
    const watched = await lastValueFrom(watchJob(client, job_id, options).pipe(toArray()));
    expect(watched.at(-1)).toMatchObject({ type: "completed" });
    expect(reads).toBe(1);
  });

  it("10 subscribers of one job make the status reads of one poller, and one download", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    // The job stays processing ([hold]) until the poller has read it a few times.
    const { job_id } = await client.queue.submit({ model, prompt: "shared [hold]" });
    // Each subscriber counts the reads of its own status source: only the poller's (the first's) may ever be used.
    const counts = Array.from({ length: 10 }, () => 0);
    const runs = counts.map((_, i) => {
      const statusSource: StatusSource = (id, within) => {
        counts[i]!++;
        return clientStatus(client)(id, within);
      };
      return lastValueFrom(watchJob(client, job_id, { model, statusSource }).pipe(toArray()));
    });
    await until(() => counts[0]! > 3);
    expect(emu.release(job_id)).toBe(true);
    const results = await Promise.all(runs);
    expect(counts.slice(1)).toEqual(Array.from({ length: 9 }, () => 0));
    expect(emu.job(job_id)!.statusReads).toBe(counts[0]);
    expect(emu.job(job_id)!.contentReads).toBe(1);
    for (const events of results) expect(events).toEqual(results[0]);
  });

  it("a watcher without download joins the poller that downloads the job: one poller; it ends at completed", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "a player and a badge [hold]" });
    const counting = (counts: { reads: number }): StatusSource => {
      return (id, within) => {
        counts.reads++;
        return clientStatus(client)(id, within);
      };
    };
    const player = { reads: 0 };
    const badge = { reads: 0 };
    const played = lastValueFrom(watchJob(client, job_id, { model, statusSource: counting(player) }).pipe(toArray()));
    await until(() => player.reads > 1);
    const badged = lastValueFrom(
      watchJob(client, job_id, { model, download: false, statusSource: counting(badge) }).pipe(toArray()),
    );
    await until(() => player.reads > 3);
    expect(emu.release(job_id)).toBe(true);
    const [playerEvents, badgeEvents] = await Promise.all([played, badged]);
    expect(badge.reads).toBe(0);
    expect(emu.job(job_id)!.statusReads).toBe(player.reads);
    expect(emu.job(job_id)!.contentReads).toBe(1);
    expect(playerEvents.at(-1)).toMatchObject({ type: "completed", data: expect.any(Blob) });
    expect(badgeEvents.map((e) => e.type)).not.toContain("downloading");
    expect(badgeEvents.at(-1)).toEqual({
      type: "completed",
      jobId: job_id,
      job: expect.objectContaining({ status: "completed" }),
    });
  });

  it("the last unsubscribe aborts the read in flight and leaves no timer or socket behind", async () => {
    const before = await lastingHandles();
    emu = await startFast({ faults: [{ route: "status", kind: "slow", delayMs: 60_000 }] });
    const client = clientFor(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "slow status" });
    const idle = await lastingHandles();
    const subscriptions: Subscription[] = [];
    for (let i = 0; i < 3; i++) subscriptions.push(watchJob(client, job_id, { model }).subscribe());
    await until(() => (emu!.job(job_id)?.requests ?? 0) >= 1);
    for (const subscription of subscriptions) subscription.unsubscribe();
    // The read's connection is closed by the abort (the server is still holding its answer back).
    expect((await lastingHandles()).TCPSocketWrap ?? 0).toBeLessThanOrEqual(idle.TCPSocketWrap ?? 0);
    expect(emu.job(job_id)?.requests).toBe(1);
    await emu.close();
    emu = undefined;
    const after = await lastingHandles();
    for (const [kind, count] of Object.entries(after)) expect(count, kind).toBeLessThanOrEqual(before[kind] ?? 0);
  });

  it("a poll schedule that throws ends the watch with CALLBACK_ERROR carrying the job id (no stall, nothing uncaught)", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const boom = new Error("boom");
    // The schedule is asked for the wait before each read after the first; the job stays processing ([hold]).
    const poll = () => {
      throw boom;
    };
    const { job_id } = await client.queue.submit({ model, prompt: "watched [hold]" });
    const watched = await lastValueFrom(watchJob(client, job_id, { model, poll })).catch((e: unknown) => e);
    expect(DecartError.isInstance(watched)).toBe(true);
    expect(watched).toMatchObject({ code: "CALLBACK_ERROR", jobId: job_id, cause: boom });
    // Submitted here, the schedule is asked before the first read, with the submit's answer: the error has the id.
    const submitted = await lastValueFrom(submitJob(client, { model, prompt: "submitted [hold]" }, { poll })).catch(
      (e: unknown) => e as DecartError,
    );
    expect(submitted).toMatchObject({ code: "CALLBACK_ERROR", jobId: expect.stringMatching(/^job_/), cause: boom });
    expect(emu.release(job_id)).toBe(true); // neither job was cancelled
    expect(emu.release(submitted.jobId!)).toBe(true);
  });

  it("a poll.delay that throws ends the watch with CALLBACK_ERROR naming poll.delay, as the core's own watch does", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const boom = new Error("my delay broke");
    const delay = () => {
      throw boom;
    };
    const { job_id } = await client.queue.submit({ model, prompt: "watched [hold]" });
    const watched = await lastValueFrom(watchJob(client, job_id, { model, poll: { delay } })).catch((e: unknown) => e);
    expect(watched).toMatchObject({ code: "CALLBACK_ERROR", jobId: job_id, cause: boom });
    expect((watched as Error).message).toBe(
      `Job ${job_id}: poll.delay failed (Error: my delay broke); the job goes on`,
    );
    expect(emu.release(job_id)).toBe(true);
  });

  it("a clock (poll.now) that throws after the start ends the watch with CALLBACK_ERROR, its throw the cause", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const boom = new Error("boom");
    // The watch asks the clock when it starts, then again with the first status answer.
    let calls = 0;
    const now = () => {
      if (++calls > 1) throw boom;
      return Date.now();
    };
    const { job_id } = await client.queue.submit({ model, prompt: "watched [hold]" });
    const watched = await lastValueFrom(watchJob(client, job_id, { model, poll: { now } })).catch((e: unknown) => e);
    expect(DecartError.isInstance(watched)).toBe(true);
    expect(watched).toMatchObject({ code: "CALLBACK_ERROR", jobId: job_id, cause: boom });
    expect((watched as Error).message).toBe(`Job ${job_id}: a callback threw (Error: boom); the job goes on`);
    expect(calls).toBe(2);
    expect(emu.release(job_id)).toBe(true);
  });

  it("a watch that cannot start (a job id the client refuses) errors, and so does the next one of that id", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const refused = "j".repeat(300); // longer than any id the client sends back
    for (const attempt of [1, 2]) {
      const error = await lastValueFrom(watchJob(client, refused)).catch((e: unknown) => e);
      expect(error, `attempt ${attempt}`).toMatchObject({ name: "InvalidInputError", field: "jobId" });
    }
    expect(emu.stats().requests.total).toBe(0);
  });

  it("a `background` that errors ends that subscriber's watch with its error; the poller goes on for the others", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "watched twice [hold]" });
    const background = new Subject<boolean>();
    const broken = lastValueFrom(watchJob(client, job_id, { model, background })).catch((e: unknown) => e);
    const other = lastValueFrom(watchJob(client, job_id, { model, download: false }).pipe(toArray()));
    const kept = lastValueFrom(watchJob(client, job_id, { model }).pipe(toArray()));
    await until(() => (emu!.job(job_id)?.statusReads ?? 0) >= 2);
    const cause = new Error("the visibility stream broke");
    background.error(cause);
    expect(await broken).toBe(cause);
    // One that errors at once, too.
    const failing = throwError(() => cause);
    expect(await lastValueFrom(watchJob(client, job_id, { model, background: failing })).catch((e) => e)).toBe(cause);
    expect(emu.release(job_id)).toBe(true);
    expect((await kept).at(-1)).toMatchObject({ type: "completed", jobId: job_id });
    expect((await other).at(-1)).toMatchObject({ type: "completed", jobId: job_id });
  });

  it("submitAll: a concurrency that is no number of lanes errors before any request; Infinity means all at once", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const inputs = ["a", "b", "c"].map((prompt) => ({ model, prompt }));
    // An array, an observable and a lazily read iterable of the same inputs.
    const kinds = { array: () => inputs, observable: () => from(inputs), iterable: () => inputs.values() };
    for (const concurrency of [0, -1, Number.NaN, 0.5]) {
      for (const [kind, of] of Object.entries(kinds)) {
        const error = await lastValueFrom(submitAll(client, of(), { concurrency, download: false })).catch((e) => e);
        expect(error, `${concurrency} (${kind})`).toMatchObject({ name: "InvalidInputError", field: "concurrency" });
      }
    }
    expect(emu.stats().requests.total).toBe(0);
    for (const [kind, of] of Object.entries(kinds)) {
      const events = await lastValueFrom(
        submitAll(client, of(), { concurrency: Number.POSITIVE_INFINITY, download: false }).pipe(toArray()),
      );
      expect(events.at(-1)?.summary, kind).toMatchObject({ total: 3, submitted: 3, completed: 3 });
    }
  });

  it('submitAll: its own options of the wrong kind (failFast: "false", concurrency: "2") error naming the field, before any request', async () => {
    emu = await startFast();
    const client = clientFor(emu);
    // The first input fails: a failFast taken as true would end the batch there, the others never sent.
    const inputs = ["a [fail]", "b", "c"].map((prompt) => ({ model, prompt }));
    const wrong: [options: object, field: string, message: string][] = [
      [{ failFast: "false" }, "failFast", '"failFast" must be a boolean (got "false")'],
      [{ failFast: 0 }, "failFast", '"failFast" must be a boolean (got 0)'],
      [{ concurrency: "2" }, "concurrency", '"concurrency" must be a number ≥ 1 (got "2")'],
      [{ concurrency: true }, "concurrency", '"concurrency" must be a number ≥ 1 (got true)'],
      [{ concurrency: [3] }, "concurrency", '"concurrency" must be a number ≥ 1 (got an object)'],
      [{ concurrency: 0 }, "concurrency", '"concurrency" must be a number ≥ 1 (got 0)'],
    ];
    for (const [options, field, message] of wrong) {
      const events: BatchEvent[] = [];
      const error = await lastValueFrom(
        submitAll(client, inputs, { ...options, download: false } as never).pipe(tap((e) => events.push(e))),
      ).catch((e) => e);
      expect(error, JSON.stringify(options)).toMatchObject({
        name: "InvalidInputError",
        field,
        message: `Invalid options: ${message}`,
      });
      expect(events).toEqual([]);
    }
    expect(emu.stats().requests.total).toBe(0);
    // failFast: false runs every input, the failed one counted.
    const events = await lastValueFrom(submitAll(client, inputs, { failFast: false, download: false }).pipe(toArray()));
    expect(events.at(-1)?.summary).toMatchObject({ total: 3, submitted: 3, completed: 2, failed: 1 });
  });

  it("a batch under faults: 429s on submit, 503s, resets and cut bodies on reads; every job completes once", async () => {
    const faults: FaultRule[] = [
      { route: "submit", kind: "429", rate: 0.3, retryAfterSeconds: 0 },
      { route: "status", kind: "503", rate: 0.2 },
      { route: "status", kind: "reset", rate: 0.1 },
      { route: "status", kind: "truncate", rate: 0.1 },
      { route: "content", kind: "truncate", rate: 0.2 },
    ];
    emu = await startFast({ faults, random: seeded(7) });
    // No retries in the client: every 429 reaches the batch, which paces and sends the submit again.
    const client = clientFor(emu, { maxRetries: 0 });
    const inputs = Array.from({ length: 8 }, (_, i) => ({ key: `clip-${i}`, input: { model, prompt: `clip ${i}` } }));
    const events: BatchEvent[] = await lastValueFrom(submitAll(client, inputs, { concurrency: 4 }).pipe(toArray()));
    const stats = emu.stats();
    expect(stats.faultsInjected["429"]).toBeGreaterThan(0);
    expect(stats.faultsInjected.truncate).toBeGreaterThan(0);
    expect(events.filter((e) => e.type === "error")).toEqual([]);
    expect(events[events.length - 1]!.summary).toEqual({
      total: 8,
      submitted: 8,
      pending: 0,
      processing: 0,
      completed: 8,
      failed: 0,
    });
    expect(stats.jobsCreated).toBe(8);
    // Each failed read (status or content) was tried again by the engine and passed on as the job's `retrying`, which
    // the summary does not count.
    const retried = events.filter((e) => e.event?.type === "retrying");
    const { 503: unavailable = 0, reset = 0, truncate = 0 } = stats.faultsInjected;
    expect(retried.length).toBe(unavailable + reset + truncate);
    expect(retried.length).toBeGreaterThan(0);
    for (const e of events) {
      if (e.event?.type !== "completed") continue;
      expect(e.key).toBe(`clip-${e.index}`);
      expect(await sha256(e.event.data!)).toBe(emu.job(e.event.jobId)!.resultSha256);
    }
  });
});

describe("a burst of 429s without Retry-After to submits sent at once", () => {
  const image = () => new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(64).fill(0)]);

  /**
   * Four submits of `lucy-pro-i2v` (their image `file()`) sent at once and all answered 429 without Retry-After (the
   * emulator's 429 fault), then a fifth input, on a batch whose pauses run on virtual time: answers the virtual time
   * at which the batch's next submit was taken (its first `submitted`), once the 429s are over.
   */
  async function nextTakenAt(file: () => Blob | ReadableStream<Uint8Array>) {
    emu = await startFast({ faults: [{ route: "submit", kind: "429" }] });
    const scheduler = new VirtualTimeScheduler();
    // (`random` at 0: the submits a pause held are sent as it ends, with no spread after it.)
    const client = clientFor(emu, { maxRetries: 0, random: () => 0, poll: { now: () => scheduler.now() } });
    const i2v = models.video("lucy-pro-i2v");
    const inputs: BatchInput[] = Array.from({ length: 4 }, () => ({ model: i2v, prompt: "x", data: file() }));
    inputs.push({ model, prompt: "after the burst" });
    let taken: number | undefined;
    let failed = 0;
    const subscription = submitAll(client, inputs, { concurrency: 4, download: false, scheduler }).subscribe((e) => {
      if (e.type === "error") failed++;
      else if (e.event.type === "submitted") taken ??= scheduler.now();
    });
    try {
      // Every one of the four handled by the batch: each stream's input failed with its 429 (it cannot be sent
      // again), or each Blob's submit waits out the batch's pause to be sent again (after its 429, or refused unsent
      // at the client's gate its first 429 shut, for the client's floor, 50 ms: that pause too).
      await until(() => failed === 4 || (!failed && scheduler.actions.length === 4));
      emu.setFaults([]);
      scheduler.flush();
      await until(() => taken !== undefined);
      return { taken, failed };
    } finally {
      subscription.unsubscribe();
    }
  }

  it("Blobs: one pause, 50 ms; each submit holding a stream doubles it (the batch cannot see when it was sent): 400 ms", async () => {
    // (The core's backoff at `random` 0: its floor, 50 ms doubling.)
    expect(await nextTakenAt(() => new Blob([image()]))).toEqual({ taken: 50, failed: 0 });
    await emu!.close();
    // 50, 100, 200, 400 ms from 0: the fifth input is sent at 400 ms. (Each stream's input fails with its 429.)
    expect(await nextTakenAt(() => new Blob([image()]).stream())).toEqual({ taken: 400, failed: 4 });
  });
});

describe("retryWatch over HTTP: a watch again only where another watch may help", () => {
  /** The client's status reads over HTTP, counted. */
  /** The client's status reads, counting those sent (a read with no time left in the watch's budget is not sent). */
  const counted = (client: ReturnType<typeof clientFor>) => {
    const source = ((id, within) => {
      source.reads++;
      return clientStatus(client)(id, within).pipe(
        tap({ error: (e) => /not sent, no time left/.test(e?.message) && source.reads-- }),
      );
    }) as StatusSource & { reads: number };
    source.reads = 0;
    return source;
  };
  const failureOf = (events: Observable<JobEvent>) =>
    lastValueFrom(events).then(
      () => undefined,
      (error) => error,
    );

  it("a 404 (no such job) and a 401 (a key that may not read it) pass on after one watch: nothing is read again", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const unknown = counted(client);
    const missing = await failureOf(
      watchJob(client, "job_nobody_made", { statusSource: unknown }).pipe(
        retryWatch(client, 3, { statusSource: unknown }),
      ),
    );
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ jobId: "job_nobody_made", status: 404 });
    expect(unknown.reads).toBe(1);

    const { job_id } = await client.queue.submit({ model, prompt: "read with a key the server does not know" });
    const stranger = clientFor(emu, { apiKey: "dct_not_a_key_of_this_server" });
    const refused = counted(stranger);
    const denied = await failureOf(
      watchJob(stranger, job_id, { statusSource: refused }).pipe(retryWatch(stranger, 3, { statusSource: refused })),
    );
    expect(denied).toBeInstanceOf(AuthenticationError);
    expect(denied).toMatchObject({ jobId: job_id, status: 401 });
    expect(refused.reads).toBe(1);
  });

  it("a JobTimeoutError (the job goes on) is watched again, with a budget of its own, to the job's end", async () => {
    emu = await startFast();
    // The watch's budget is on the client's clock, which moves only when the test moves it.
    const clock = { now: Date.now() };
    const client = clientFor(emu, { poll: { initialDelayMs: 10, intervalMs: 15, now: () => clock.now } });
    const { job_id } = await client.queue.submit({ model, prompt: "slower than one watch [hold]" });
    const statusSource = counted(client);
    const options = { model, download: false, timeoutMs: 1_000, statusSource };
    const seen: JobEvent[] = [];
    let failure: unknown;
    const watched = watchJob(client, job_id, options)
      .pipe(retryWatch(client, 1, options))
      .subscribe({ next: (event) => seen.push(event), error: (error) => (failure = error) });
    const processing = () => seen.filter((e) => e.type === "status" && e.status === "processing").length;
    await until(() => processing() === 1);
    clock.now += 1_000; // the first watch's budget is over: it ends at its next read
    await until(() => processing() === 2 || failure !== undefined); // the second watch has read the job
    expect(failure).toBeUndefined();
    expect(emu.release(job_id)).toBe(true);
    await until(() => watched.closed);
    expect(failure).toBeUndefined();
    expect(seen.at(-1)).toMatchObject({ type: "completed", jobId: job_id });
    expect(emu.job(job_id)!.statusReads).toBe(statusSource.reads);
  });
});

describe("retryWatch decides by the core's canWatchAgain, for each kind of error", () => {
  /** The client's status reads, counted. */
  const counted = (client: ReturnType<typeof clientFor>) => {
    const source = ((id, within) => {
      source.reads++;
      return clientStatus(client)(id, within);
    }) as StatusSource & { reads: number };
    source.reads = 0;
    return source;
  };
  /** A page's client whose token route fails `down` times, then answers. */
  const tokenAfter = (down: number) => {
    let calls = 0;
    return async () => {
      if (++calls <= down) throw new Error("fetch failed");
      return { apiKey: emu!.apiKey, expiresAt: new Date(Date.now() + 3_600_000).toISOString() };
    };
  };

  /**
   * Each kind: how to make a client and the events that end with that error (over HTTP), and whether the core says
   * another watch can get past it. The events are piped through `retryWatch(client, 1)`, whose watch again reads through
   * a counted source: it watched again when that source was read.
   */
  const kinds: [
    kind: string,
    watchAgain: boolean,
    make: () => Promise<{ client: ReturnType<typeof clientFor>; events: Observable<JobEvent>; after?: () => void }>,
  ][] = [
    [
      "JOB_TIMEOUT",
      true,
      async () => {
        let now = 0; // each read of the clock is a second later: a 5 s budget ends after a few reads
        const client = clientFor(emu!, { poll: { initialDelayMs: 10, intervalMs: 15, now: () => (now += 1_000) } });
        const { job_id } = await client.queue.submit({ model, prompt: "outlasts one watch [hold]" });
        const events = watchJob(client, job_id, { download: false, timeoutMs: 5_000 });
        return { client, events, after: () => emu!.release(job_id) };
      },
    ],
    [
      "CALLBACK_ERROR",
      true,
      async () => {
        const client = clientFor(emu!);
        // Held until the error: a job done before the first read would never ask the schedule.
        const { job_id } = await client.queue.submit({ model, prompt: "followed on a schedule that throws [hold]" });
        const poll = () => {
          throw new Error("the schedule broke");
        };
        return {
          client,
          events: watchJob(client, job_id, { download: false, poll }),
          after: () => emu!.release(job_id),
        };
      },
    ],
    [
      "TOKEN_ERROR",
      true,
      async () => {
        const { job_id } = await clientFor(emu!).queue.submit({ model, prompt: "watched by a page, its route down" });
        const client = clientFor(emu!, { apiKey: undefined, token: tokenAfter(3), random: () => 0 });
        return { client, events: watchJob(client, job_id, { download: false }) };
      },
    ],
    [
      "NOT_FOUND",
      false,
      async () => {
        const client = clientFor(emu!);
        return { client, events: watchJob(client, "job_nobody_made", { download: false }) };
      },
    ],
    [
      "AUTHENTICATION",
      false,
      async () => {
        const { job_id } = await clientFor(emu!).queue.submit({
          model,
          prompt: "read with a key the server does not know",
        });
        const client = clientFor(emu!, { apiKey: "dct_not_a_key_of_this_server" });
        return { client, events: watchJob(client, job_id, { download: false }) };
      },
    ],
    [
      "JOB_FAILED",
      false,
      async () => {
        const client = clientFor(emu!);
        const events = submitJob(client, { model, prompt: "[fail: sorry]" }, { download: false });
        return { client, events: events.pipe(throwOnFailure()) };
      },
    ],
    [
      "SUBMIT_OUTCOME_UNKNOWN",
      false,
      async () => {
        emu!.setFaults([{ route: "submit", kind: "500" }]);
        const client = clientFor(emu!);
        return { client, events: submitJob(client, { model, prompt: "answered 500" }, { download: false }) };
      },
    ],
  ];

  for (const [kind, watchAgain, make] of kinds) {
    it(`${kind}: ${watchAgain ? "watched again, to the job's end" : "passed on, not watched again"}`, async () => {
      emu = await startFast();
      const { client, events, after } = await make();
      const again = counted(client);
      let first: DecartError | undefined;
      const end = await lastValueFrom(
        events.pipe(
          tap({
            error: (error) => {
              first = error;
              after?.();
            },
          }),
          retryWatch(client, 1, { download: false, statusSource: again }),
        ),
      ).catch((error) => error);
      expect(first).toMatchObject({ code: kind });
      // The core's one decision, and retryWatch doing what it says.
      expect(canWatchAgain(first)).toBe(watchAgain);
      expect(again.reads > 0).toBe(watchAgain);
      if (watchAgain) expect(end).toMatchObject({ type: "completed", jobId: first!.jobId });
      else expect(end).toBe(first);
    });
  }
});

describe("watchJob with a deadline", () => {
  it("watches with the end of an earlier watch's budget: past it, a JobTimeoutError naming the deadline", async () => {
    emu = await startFast();
    const clock = { now: Date.now() };
    const client = clientFor(emu, { poll: { now: () => clock.now } });
    const { job_id } = await client.queue.submit({ model, prompt: "watched again after a while [hold]" });
    const { deadline } = client.queue.createWatch(job_id, { timeoutMs: 2_000 });
    clock.now += 2_500;
    const error = await lastValueFrom(watchJob(client, job_id, { model, deadline })).catch((e) => e);
    expect(error).toMatchObject({ name: "JobTimeoutError", jobId: job_id });
    expect(error.message).toBe(`Job ${job_id} not done within its deadline (last status: unknown)`);
    expect(emu.release(job_id)).toBe(true);
  });
});

describe("options the watch would refuse, refused before anything is sent", () => {
  /** Options that the core's watch refuses, the field each names, and its message. */
  const refused: [options: object, field: string, message: string][] = [
    [{ timeoutMs: "5000" }, "timeoutMs", 'Invalid options: "timeoutMs" must be a number (got "5000")'],
    [{ timeoutMs: -1 }, "timeoutMs", 'Invalid options: "timeoutMs" must be within 1..2147483647 (got -1)'],
    [{ timeoutMs: 0 }, "timeoutMs", 'Invalid options: "timeoutMs" must be within 1..2147483647 (got 0)'],
    [{ timeoutMs: Number.NaN }, "timeoutMs", 'Invalid options: "timeoutMs" must be a number (got NaN)'],
    [{ deadline: Number.POSITIVE_INFINITY }, "deadline", 'Invalid options: "deadline" must be a number (got Infinity)'],
    [{ download: "no" }, "download", 'Invalid options: "download" must be a boolean (got "no")'],
    [{ timeoutMs: 1000, deadline: 1 }, "deadline", 'Invalid options: "deadline" must be given without `timeoutMs`'],
  ];

  it("submitJob: an InvalidInputError naming the field given, no event, no job", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    for (const [options, field, message] of refused) {
      const events: JobEvent[] = [];
      const error = await lastValueFrom(
        submitJob(client, { model, prompt: "never sent" }, options as never).pipe(tap((e) => events.push(e))),
      ).catch((e) => e);
      expect(error, JSON.stringify(options)).toMatchObject({ name: "InvalidInputError", field, message });
      expect(error.jobId).toBeUndefined();
      expect(events).toEqual([]);
    }
    expect(emu.stats().requests.total).toBe(0);
  });

  it("submitAll: the batch errors once, before its first submit; no job is made", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const inputs = Array.from({ length: 10 }, (_, i) => ({ model, prompt: `clip ${i}` }));
    for (const [options, field, message] of refused) {
      const events: BatchEvent[] = [];
      const error = await lastValueFrom(
        submitAll(client, inputs, { ...options, concurrency: 4 } as never).pipe(tap((e) => events.push(e))),
      ).catch((e) => e);
      expect(error, JSON.stringify(options)).toMatchObject({ name: "InvalidInputError", field, message });
      expect(events).toEqual([]);
    }
    expect(emu.stats().requests.total).toBe(0);
  });

  it("watchJob: refused for every subscriber, also one that joins a running poller; the poller goes on", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "watched, then joined with bad options" });
    const requests = emu.stats().requests.total;
    for (const [options, field] of refused) {
      const error = await lastValueFrom(watchJob(client, job_id, options as never)).catch((e) => e);
      expect(error, JSON.stringify(options)).toMatchObject({ name: "InvalidInputError", field });
    }
    expect(emu.stats().requests.total).toBe(requests);
    // A poller runs; a joiner with a timeoutMs of "5000" is refused, not joined with its option ignored.
    const first: JobEvent[] = [];
    const watching = watchJob(client, job_id, { download: false }).subscribe((e) => first.push(e));
    try {
      const error = await lastValueFrom(
        watchJob(client, job_id, { timeoutMs: "5000" as never, download: false }),
      ).catch((e) => e);
      expect(error).toMatchObject({ name: "InvalidInputError", field: "timeoutMs" });
      await until(() => first.at(-1)?.type === "completed");
    } finally {
      watching.unsubscribe();
    }
  });
});

describe("a key that is no option (a typo such as `timeout`), refused before anything is sent", () => {
  /** Keys none of the three takes, each next to a valid option, and the key each error names. */
  const unknown: [options: object, field: string][] = [
    [{ timeout: 5000 }, "timeout"],
    [{ download: false, timeoutMS: 5000 }, "timeoutMS"],
    [{ poll: {}, signal: new AbortController().signal }, "signal"],
    [{ concurrancy: 2 }, "concurrancy"],
  ];
  /** Every key each function takes, as its refusal of another names them: the watch's, and queue-rx's own. */
  const watchKeys = "deadline, first, background, scheduler, statusSource, resultSource";
  const taken = {
    watchJob: `${watchKeys}, model, timeoutMs, download, poll`,
    submitJob: `${watchKeys}, submitSource, onOrphan, model, timeoutMs, download, poll`,
    submitAll: `${watchKeys}, submitSource, onOrphan, concurrency, failFast, model, timeoutMs, download, poll`,
  };
  const refusal = (field: string, by: keyof typeof taken = "watchJob") => ({
    name: "InvalidInputError",
    field,
    message: `Invalid options: "${field}" must be a known name (one of ${taken[by]})`,
  });

  it("submitJob and submitAll: an InvalidInputError naming the key, no event, no request, no job", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const inputs = Array.from({ length: 3 }, (_, i) => ({ model, prompt: `clip ${i}` }));
    for (const [options, field] of unknown) {
      const events: unknown[] = [];
      const submitted = await lastValueFrom(
        submitJob(client, { model, prompt: "never sent" }, options as never).pipe(tap((e) => events.push(e))),
      ).catch((e) => e);
      expect(submitted, JSON.stringify(options)).toMatchObject(refusal(field, "submitJob"));
      const batch = await lastValueFrom(
        submitAll(client, inputs, { ...options, concurrency: 2 } as never).pipe(tap((e) => events.push(e))),
      ).catch((e) => e);
      expect(batch, JSON.stringify(options)).toMatchObject(refusal(field, "submitAll"));
      expect(events).toEqual([]);
    }
    expect(emu.stats().requests.total).toBe(0);
    expect(emu.stats().jobsCreated).toBe(0);
    // submitJob's own options are no typo (nor a key given as undefined).
    const own = { onOrphan: () => {}, submitSource: undefined, timeout: undefined, download: false };
    const events = await lastValueFrom(submitJob(client, { model, prompt: "own options" }, own).pipe(toArray()));
    expect(events.at(-1)?.type).toBe("completed");
    expect(emu.stats().jobsCreated).toBe(1);
  });

  it("watchJob: an InvalidInputError naming the key, also for one that joins a running poller; no request", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const { job_id } = await client.queue.submit({ model, prompt: "watched with a typo" });
    const requests = emu.stats().requests.total;
    for (const [options, field] of [...unknown, [{ onOrphan: () => {} }, "onOrphan"] as const]) {
      const error = await lastValueFrom(watchJob(client, job_id, options as never)).catch((e) => e);
      expect(error, JSON.stringify(options)).toMatchObject(refusal(field));
    }
    expect(emu.stats().requests.total).toBe(requests);
    const first: JobEvent[] = [];
    const watching = watchJob(client, job_id, { download: false }).subscribe((e) => first.push(e));
    try {
      const error = await lastValueFrom(watchJob(client, job_id, { timeout: 5000, download: false } as never)).catch(
        (e) => e,
      );
      expect(error).toMatchObject(refusal("timeout"));
      await until(() => first.at(-1)?.type === "completed");
    } finally {
      watching.unsubscribe();
    }
  });
});

describe("options and inputs that are not objects, and options that cannot be read", () => {
  const thrower = (key: string) =>
    Object.defineProperty({ download: false }, key, {
      enumerable: true,
      get() {
        throw new Error(`${key} cannot be read`);
      },
    });

  it("null options are none, as in the core: watchJob, submitJob and submitAll run on the defaults", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const events = await lastValueFrom(
      submitJob(client, { model, prompt: "no options" }, null as never).pipe(toArray()),
    );
    expect(events.at(-1)?.type).toBe("completed");
    const watched = await lastValueFrom(watchJob(client, events[0]!.jobId, null as never));
    expect(watched.type).toBe("completed");
    const batch = await lastValueFrom(submitAll(client, [{ model, prompt: "a batch of one" }], null as never));
    expect(batch).toMatchObject({ type: "event", event: { type: "completed" } });
  });

  it("options that are no object: an InvalidInputError naming them, on subscription, before any request", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const refused = {
      name: "InvalidInputError",
      field: "options",
      message: 'Invalid options: "options" must be an object (got 5)',
    };
    const calls = [
      () => watchJob(client, "job_x", 5 as never),
      () => submitJob(client, { model, prompt: "never sent" }, 5 as never),
      () => submitAll(client, [{ model, prompt: "never sent" }], 5 as never),
    ];
    for (const call of calls)
      expect(await lastValueFrom(call() as Observable<unknown>).catch((e) => e)).toMatchObject(refused);
    expect(emu.stats().requests.total).toBe(0);
  });

  it("an option whose getter throws: an InvalidInputError naming it, on subscription (not when called); no request", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const unread = (field: string) => ({
      name: "InvalidInputError",
      field,
      message: `Invalid options: "${field}" must be a value that can be read`,
    });
    for (const key of ["timeoutMs", "background", "statusSource"]) {
      const watched = watchJob(client, "job_x", thrower(key));
      expect(await lastValueFrom(watched).catch((e) => e)).toMatchObject(unread(key));
    }
    for (const key of ["poll", "onOrphan", "submitSource"]) {
      const submitted = submitJob(client, { model, prompt: "never sent" }, thrower(key));
      expect(await lastValueFrom(submitted).catch((e) => e)).toMatchObject(unread(key));
    }
    for (const key of ["concurrency", "failFast", "model"]) {
      const batch = submitAll(client, [{ model, prompt: "never sent" }], thrower(key));
      expect(await lastValueFrom(batch).catch((e) => e)).toMatchObject(unread(key));
    }
    expect(emu.stats().requests.total).toBe(0);
  });

  it("queue-rx's own options of the wrong kind: an InvalidInputError naming each, on subscription; no request, no job", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const wrong: [options: object, field: string, message: string][] = [
      [{ background: 5 }, "background", '"background" must be an object (got 5)'],
      [{ background: {} }, "background.subscribe", '"background.subscribe" must be given'],
      [{ scheduler: { schedule: 5 } }, "scheduler.schedule", '"scheduler.schedule" must be a function (got 5)'],
      [{ statusSource: "x" }, "statusSource", '"statusSource" must be a function (got "x")'],
      [{ resultSource: 5 }, "resultSource", '"resultSource" must be a function (got 5)'],
    ];
    const submitOnly: typeof wrong = [
      [{ onOrphan: 5 }, "onOrphan", '"onOrphan" must be a function (got 5)'],
      [{ submitSource: {} }, "submitSource", '"submitSource" must be a function (got an object)'],
    ];
    const input = { model, prompt: "never sent" };
    for (const [options, field, message] of [...wrong, ...submitOnly]) {
      const refused = { name: "InvalidInputError", field, message: `Invalid options: ${message}` };
      const calls = [
        () => submitJob(client, input, options as never),
        () => submitAll(client, [input], options as never),
        ...(wrong.some(([o]) => o === options) ? [() => watchJob(client, "job_x", options as never)] : []),
      ];
      for (const call of calls)
        expect(await lastValueFrom(call() as Observable<unknown>).catch((e) => e), field).toMatchObject(refused);
    }
    expect(emu.stats().requests.total).toBe(0);
    expect(emu.stats().jobsCreated).toBe(0);
  });

  it("watchJob's `first` that is not this job's submit answer: an InvalidInputError naming it; nothing read", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const first = await client.queue.submit({ model, prompt: "watched from its answer [hold]" });
    const { job_id } = first;
    const requests = emu.stats().requests.total;
    const unreadable = Object.defineProperty({ job_id }, "status", {
      enumerable: true,
      get() {
        throw new Error("status cannot be read");
      },
    });
    const cases: [first: unknown, message: string][] = [
      [{ ...first, job_id: "job_other" }, `job ${job_id}'s submit answer (no job_id ${job_id})`],
      [
        { ...first, status: "bogus" },
        `job ${job_id}'s submit answer ("status" must be one of "pending", "processing", "completed", "failed" (got "bogus"))`,
      ],
      [unreadable, "a value that can be read"],
    ];
    for (const [given, expected] of cases) {
      // A submit answer is read once, into a copy, as a model definition is: one that cannot be read is named whole.
      const field = "first";
      const events: JobEvent[] = [];
      const error = await lastValueFrom(
        watchJob(client, job_id, { first: given as never, download: false }).pipe(tap((e) => events.push(e))),
      ).catch((e) => e);
      expect(error).toMatchObject({
        name: "InvalidInputError",
        field,
        message: `Invalid options: "${field}" must be ${expected}`,
      });
      expect(events).toEqual([]);
    }
    expect(emu.stats().requests.total).toBe(requests);
    // The job's own answer is taken.
    const events = await lastValueFrom(watchJob(client, job_id, { first, download: false }).pipe(take(1)));
    expect(events).toMatchObject({ type: "submitted", jobId: job_id });
    expect(emu.release(job_id)).toBe(true);
  });

  it("submitAll: inputs that are no array, iterable or observable are refused naming them; an input of null fails alone, named by its place", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    // A string and bytes are iterable, of characters and numbers: refused as a whole, not each character in turn. So
    // is one input given alone.
    const refused: [unknown, string][] = [
      [null, "null"],
      [undefined, "undefined"],
      [5, "5"],
      [{ model, prompt: "one input, not in an array" }, "an object"],
      ["A serene lake at sunset", "a string"],
      [new String("a lake"), "a string"],
      [new TextEncoder().encode("a lake"), "bytes"],
    ];
    for (const [inputs, got] of refused) {
      const error = await lastValueFrom(submitAll(client, inputs as never)).catch((e) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({
        field: "inputs",
        expected: "an array, an iterable or an observable of inputs",
        message: `Invalid input: "inputs" must be an array, an iterable or an observable of inputs (got ${got}): give the inputs in an array, [{ model, prompt }, …]`,
      });
    }
    // A Map is iterable, of [key, value] pairs (each would be refused as an input in turn): refused as a whole, with its
    // values as what to give.
    const byName = new Map([["lake", { model, prompt: "A lake" }]]);
    const map = await lastValueFrom(submitAll(client, byName as never)).catch((e) => e);
    expect(map).toBeInstanceOf(InvalidInputError);
    expect(map).toMatchObject({
      field: "inputs",
      message:
        'Invalid input: "inputs" must be an array, an iterable or an observable of inputs (got a Map): give its values, map.values()',
    });
    expect(emu.stats().requests.total).toBe(0);
    // Its values are inputs.
    const values = await lastValueFrom(submitAll(client, byName.values(), { download: false }).pipe(toArray()));
    expect(values.at(-1)?.summary).toMatchObject({ total: 1, completed: 1 });
    expect(emu.stats().requests.byRoute.submit).toBe(1);
    // Elements that are no input (null, a number) and a keyed element whose input is none: each fails alone, the
    // error naming where it stands (not `model`, as if only the model were missing) and what to give there.
    const given = [null, { key: "k", input: null }, { model, prompt: "fine" }, 7, { key: "u" }];
    const events = await lastValueFrom(submitAll(client, given as never, { download: false }).pipe(toArray()));
    const errors = events.filter((e) => e.type === "error");
    expect(errors.map((e) => [e.index, e.key, e.error?.name, (e.error as InvalidInputError).field])).toEqual([
      [0, undefined, "InvalidInputError", "inputs[0]"],
      [1, "k", "InvalidInputError", "inputs[1].input"],
      [3, undefined, "InvalidInputError", "inputs[3]"],
      [4, "u", "InvalidInputError", "inputs[4].input"],
    ]);
    expect(errors.map((e) => e.error?.message)).toEqual([
      'Invalid input: "inputs[0]" must be an input ({ model, … }) or { key, input } (got null): give it its input, or leave it out of the batch',
      'Invalid input: "inputs[1].input" must be an input ({ model, … }) (got null): give it its input, or leave it out of the batch',
      'Invalid input: "inputs[3]" must be an input ({ model, … }) or { key, input } (got 7): give it its input, or leave it out of the batch',
      'Invalid input: "inputs[4].input" must be an input ({ model, … }) (got undefined): give it its input, or leave it out of the batch',
    ]);
    expect(events.at(-1)?.summary).toMatchObject({ total: 5, failed: 4, completed: 1 });
    expect(emu.stats().requests.byRoute.submit).toBe(2);
    // An object is an input, whose fields are the submit's to check: one without its model is refused naming `model`.
    const [missing] = await lastValueFrom(submitAll(client, [{ prompt: "no model" }] as never).pipe(toArray()));
    expect(missing?.error).toMatchObject({ name: "InvalidInputError", field: "model" });
    expect(emu.stats().requests.byRoute.submit).toBe(2);
  });

  it("submitAll: 20 000 inputs in a row that fail at once (nothing sent) each fail alone, and the batch ends (an array, an iterable, an observable)", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const n = 20_000;
    // One at a time, an array's (after them, a job), a generator's (before them, a job: they fail after its end) and an
    // observable's (before them, a job: they wait, all given while it runs, and fail after its end).
    function* rows() {
      yield { key: "first", input: { model, prompt: "before them" } };
      for (let i = 0; i < n; i++) yield { key: i, input: undefined };
    }
    const given = [
      [...Array<null>(n).fill(null), { model, prompt: "after them" }],
      rows(),
      from([{ model, prompt: "before them, given at once" }, ...Array<null>(n).fill(null)]),
    ];
    for (const inputs of given) {
      const events = await lastValueFrom(
        submitAll(client, inputs as never, { concurrency: 1, download: false }).pipe(toArray()),
      );
      expect(events.filter((e) => e.type === "error" && e.error.name === "InvalidInputError")).toHaveLength(n);
      expect(events.at(-1)!.summary).toMatchObject({ total: n + 1, failed: n, completed: 1 });
    }
    expect(emu.stats().requests.byRoute.submit).toBe(3);
  });

  it("submitAll: an iterable whose reading throws ends the batch with an InvalidInputError naming inputs, what it threw its cause", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const broke = new Error("the list of clips went away");
    // The second input cannot be read: the first job is followed to its end (one at a time), then the batch ends.
    function* clips() {
      yield { key: "first", input: { model, prompt: "read" } };
      throw broke;
    }
    const events: BatchEvent[] = [];
    const error = await lastValueFrom(
      submitAll(client, clips(), { concurrency: 1, download: false }).pipe(tap((e) => events.push(e))),
    ).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({
      field: "inputs",
      cause: broke,
      message: 'Invalid input: "inputs" must be an iterable that can be read (reading inputs[1] threw)',
    });
    expect(events.at(-1)).toMatchObject({ index: 0, key: "first", event: { type: "completed" } });
    // Read all at once (concurrency Infinity): the batch ends before any submit.
    const all = await lastValueFrom(submitAll(client, clips(), { concurrency: Infinity })).catch((e) => e);
    expect(all).toMatchObject({ name: "InvalidInputError", field: "inputs", cause: broke });
    expect(all.message).toContain("reading inputs[1] threw");
    // An iterable whose iterator cannot be made, and one whose first input cannot be read: nothing is sent.
    const noIterator = {
      [Symbol.iterator]() {
        throw broke;
      },
    };
    const firstThrows = Object.defineProperty([], 0, {
      get() {
        throw broke;
      },
    });
    // The batch follows the client's rate-limit gate while it runs, and no longer once it has ended, refused too.
    let following = 0;
    const gated = {
      ...client,
      rateLimit: {
        ...client.rateLimit,
        subscribe: (listener: Parameters<typeof client.rateLimit.subscribe>[0]) => {
          following++;
          const unfollow = client.rateLimit.subscribe(listener);
          return () => {
            following--;
            unfollow();
          };
        },
      },
    };
    for (const inputs of [noIterator, firstThrows])
      for (const concurrency of [1, Infinity]) {
        const refused = await lastValueFrom(submitAll(gated, inputs, { concurrency })).catch((e) => e);
        expect(refused).toBeInstanceOf(InvalidInputError);
        expect(refused).toMatchObject({ field: "inputs", cause: broke });
        expect(refused.message).toContain(
          `reading ${inputs === noIterator ? "inputs[Symbol.iterator]()" : "inputs[0]"} threw`,
        );
        expect(following).toBe(0);
      }
    expect(emu.stats().requests.byRoute.submit).toBe(1);
  });

  it("submitAll: an iterator whose next() answers no object (42, null) ends the batch as one that throws, naming inputs", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    for (const answer of [42, null, "done"]) {
      // The first input is read, the second answer is no { done, value }: a for…of throws a TypeError there.
      const answers: unknown[] = [{ done: false, value: { model, prompt: "read" } }, answer];
      const broken = { [Symbol.iterator]: () => ({ next: () => answers.shift() }) } as Iterable<BatchInput>;
      for (const concurrency of [1, Infinity]) {
        const error = await lastValueFrom(submitAll(client, broken, { concurrency, download: false })).catch((e) => e);
        expect(error).toBeInstanceOf(InvalidInputError);
        expect(error).toMatchObject({
          field: "inputs",
          message: `Invalid input: "inputs" must be an iterable that can be read (reading inputs[1] answered ${typeof answer === "string" ? JSON.stringify(answer) : answer}, not an object)`,
        });
        answers.unshift({ done: false, value: { model, prompt: "read" } }, answer);
      }
    }
    // An iterable whose iterator is no object: refused before any request.
    const noIterator = await lastValueFrom(submitAll(client, { [Symbol.iterator]: () => 7 } as never)).catch((e) => e);
    expect(noIterator).toMatchObject({
      name: "InvalidInputError",
      field: "inputs",
      message:
        'Invalid input: "inputs" must be an iterable that can be read (reading inputs[Symbol.iterator]() answered 7, not an object)',
    });
    // A function is an object, as a for…of takes it: an iterator and a { done, value } answer that are functions.
    const result = Object.assign(() => {}, { done: false, value: { model, prompt: "a function's" } });
    const end = Object.assign(() => {}, { done: true });
    const answers = [result, end];
    const iterator = Object.assign(() => {}, { next: () => answers.shift() });
    const events = await lastValueFrom(
      submitAll(client, { [Symbol.iterator]: () => iterator } as never, { download: false }).pipe(toArray()),
    );
    expect(events.filter((e) => e.event?.type === "completed")).toHaveLength(1);
    // With one at a time the first job was followed to its end before the broken answer; all at once, nothing was sent.
    expect(emu.stats().requests.byRoute.submit).toBe(4);
  });
});

/**
 * A generator of inputs (a string is a prompt; anything else is given as it is) that records how far it was read, how
 * often its `return()` was called and how often its `finally` ran, as a generator that closes a file would.
 */
function closable(items: unknown[], after?: () => never) {
  const log = { read: 0, returns: 0, finallies: 0 };
  function* inputs() {
    try {
      for (const item of items) {
        log.read++;
        yield typeof item === "string" ? { model, prompt: item } : item;
      }
      after?.();
    } finally {
      log.finallies++;
    }
  }
  const iterator = inputs();
  const close = iterator.return.bind(iterator);
  iterator.return = (value) => {
    log.returns++;
    return close(value);
  };
  return { inputs: iterator as Iterable<BatchInput>, log };
}

describe("submitAll closes an iterable it leaves before its end, as a for…of that breaks does", () => {
  it("failFast: a failed job, or an input refused, ends the batch and runs the generator's finally once", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const failed = closable(["[fail] the first", "never read"]);
    const error = await lastValueFrom(
      submitAll(client, failed.inputs, { concurrency: 1, failFast: true, download: false }),
    ).catch((e) => e);
    expect(error).toMatchObject({ name: "JobFailedError" });
    expect(failed.log).toEqual({ read: 1, returns: 1, finallies: 1 });
    // Its second input is no input: refused alone, which ends a failFast batch.
    const refused = closable(["fine", null, "never read"]);
    const stopped = await lastValueFrom(
      submitAll(client, refused.inputs, { concurrency: 1, failFast: true, download: false }),
    ).catch((e) => e);
    expect(stopped).toMatchObject({ name: "InvalidInputError", field: "inputs[1]" });
    expect(refused.log).toEqual({ read: 2, returns: 1, finallies: 1 });
    // Three lanes that end together close it once.
    const lanes = closable(["[fail] a", "[fail] b", "[fail] c", "never read"]);
    await lastValueFrom(submitAll(client, lanes.inputs, { concurrency: 3, failFast: true, download: false })).catch(
      (e) => e,
    );
    expect(lanes.log).toEqual({ read: 3, returns: 1, finallies: 1 });
    expect(emu.stats().requests.byRoute.submit).toBe(5);
  });

  it("an input that cannot be read (a getter that throws) fails alone, named by its place; with failFast it ends the batch, closing it", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const broke = new Error("the clip's record went away");
    const unreadable = (key?: string) =>
      Object.defineProperty(key ? { key } : {}, "input", {
        enumerable: true,
        get() {
          throw broke;
        },
      });
    // An array and an observable: the batch goes on, the element refused alone (its key when it could be read).
    for (const of of [(xs: unknown[]) => xs, (xs: unknown[]) => from(xs)]) {
      const given = [{ model, prompt: "a" }, unreadable("k1"), unreadable(), { model, prompt: "b" }];
      const events = await lastValueFrom(submitAll(client, of(given) as never, { download: false }).pipe(toArray()));
      const errors = events.filter((e) => e.type === "error");
      expect(errors.map((e) => [e.index, e.key])).toEqual([
        [1, "k1"],
        [2, undefined],
      ]);
      for (const { error } of errors) {
        expect(error).toBeInstanceOf(InvalidInputError);
        expect(error).toMatchObject({ cause: broke });
      }
      expect(errors.map((e) => e.error?.message)).toEqual([
        'Invalid input: "inputs[1]" must be an input ({ model, … }) that can be read (reading it threw)',
        'Invalid input: "inputs[2]" must be an input ({ model, … }) that can be read (reading it threw)',
      ]);
      expect(events.at(-1)?.summary).toMatchObject({ total: 4, completed: 2, failed: 2 });
    }
    expect(emu.stats().requests.byRoute.submit).toBe(4);
    const failing = closable(["fine", unreadable("k"), "never read"]);
    const error = await lastValueFrom(
      submitAll(client, failing.inputs, { concurrency: 1, failFast: true, download: false }),
    ).catch((e) => e);
    expect(error).toMatchObject({ name: "InvalidInputError", field: "inputs[1]", cause: broke });
    expect(failing.log).toEqual({ read: 2, returns: 1, finallies: 1 });
  });

  it("unsubscribing (a take, a switchMap moving on) closes it once", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const left = closable(["followed until its first event", "never read"]);
    const [first] = await lastValueFrom(
      submitAll(client, left.inputs, { concurrency: 1, download: false }).pipe(take(1), toArray()),
    );
    expect(first).toMatchObject({ index: 0, event: { type: "submitted" } });
    expect(left.log).toEqual({ read: 1, returns: 1, finallies: 1 });
    // Unsubscribed before any job is known.
    const early = closable(["a [hold]", "b [hold]", "never read"]);
    const subscription = submitAll(client, early.inputs, { concurrency: 2, download: false }).subscribe();
    expect(early.log).toEqual({ read: 2, returns: 0, finallies: 0 });
    subscription.unsubscribe();
    expect(early.log).toEqual({ read: 2, returns: 1, finallies: 1 });
    subscription.unsubscribe();
    expect(early.log.returns).toBe(1);
  });

  it("an iterator that throws, or that ends, has ended by itself: its finally ran once, and it is not closed", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const broke = new Error("the list of clips went away");
    const thrown = closable(["read"], () => {
      throw broke;
    });
    const error = await lastValueFrom(submitAll(client, thrown.inputs, { concurrency: 1, download: false })).catch(
      (e) => e,
    );
    expect(error).toMatchObject({ name: "InvalidInputError", field: "inputs", cause: broke });
    expect(thrown.log).toEqual({ read: 1, returns: 0, finallies: 1 });
    const ended = closable(["a", "b"]);
    const events = await lastValueFrom(submitAll(client, ended.inputs, { download: false }).pipe(toArray()));
    expect(events.at(-1)?.summary).toMatchObject({ total: 2, completed: 2 });
    expect(ended.log).toEqual({ read: 2, returns: 0, finallies: 1 });
    // All at once (Infinity) reads it to its end first: a failFast batch that ends then has nothing to close.
    const all = closable(["[fail] a", "b"]);
    await lastValueFrom(
      submitAll(client, all.inputs, { concurrency: Infinity, failFast: true, download: false }),
    ).catch((e) => e);
    expect(all.log).toEqual({ read: 2, returns: 0, finallies: 1 });
  });

  it("a return() that throws does not hide the batch's outcome: it is reported as unhandled, an InvalidInputError naming inputs", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const unhandled: unknown[] = [];
    const before = config.onUnhandledError;
    config.onUnhandledError = (error) => unhandled.push(error);
    try {
      const stuck = new Error("the file would not close");
      const throwing = (items: unknown[]) => {
        let returns = 0;
        const iterator = items.map((prompt) => ({ model, prompt }))[Symbol.iterator]();
        const inputs = {
          [Symbol.iterator]: () => ({
            next: () => iterator.next(),
            return: () => {
              returns++;
              throw stuck;
            },
          }),
        } as Iterable<BatchInput>;
        return { inputs, returns: () => returns };
      };
      const failing = throwing(["[fail] a", "b"]);
      const error = await lastValueFrom(
        submitAll(client, failing.inputs, { concurrency: 1, failFast: true, download: false }),
      ).catch((e) => e);
      expect(error).toMatchObject({ name: "JobFailedError" });
      expect(failing.returns()).toBe(1);
      await until(() => unhandled.length === 1);
      expect(unhandled[0]).toBeInstanceOf(InvalidInputError);
      expect(unhandled[0]).toMatchObject({
        field: "inputs",
        cause: stuck,
        message: 'Invalid input: "inputs" must be an iterable that can be closed (its return() threw)',
      });
      // Unsubscribed: nobody listens to the batch any more; reported the same way, and unsubscribing does not throw.
      const left = throwing(["a [hold]", "b"]);
      const subscription = submitAll(client, left.inputs, { concurrency: 1, download: false }).subscribe();
      expect(() => subscription.unsubscribe()).not.toThrow();
      expect(left.returns()).toBe(1);
      await until(() => unhandled.length === 2);
      expect(unhandled[1]).toMatchObject({ name: "InvalidInputError", field: "inputs", cause: stuck });
    } finally {
      config.onUnhandledError = before;
    }
  });
});

/**
 * A client of `emu` whose submits reach the server (the job is made) but whose answers are held until `release(prompt)`:
 * an unsubscribe can come while the server has taken the job and its answer is on its way, at a moment of the test's
 * choosing. `made` maps each prompt submitted to the id of the job the server made for it.
 */
function heldSubmits(server: Emulator) {
  const gates = new Map<string, { open: () => void; opened: Promise<void> }>();
  const gate = (prompt: string) => {
    if (!gates.has(prompt)) {
      let open!: () => void;
      const opened = new Promise<void>((resolve) => {
        open = resolve;
      });
      gates.set(prompt, { open, opened });
    }
    return gates.get(prompt)!;
  };
  const made = new Map<string, string>();
  const client = clientFor(server, {
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      if (init?.method !== "POST") return response;
      // (A multipart body comes to a given fetch encoded, a Blob with its type: read back as a form.)
      const prompt = String((await new Response(init.body, { headers: init.headers }).formData()).get("prompt"));
      made.set(prompt, ((await response.clone().json()) as { job_id: string }).job_id);
      await gate(prompt).opened;
      return response;
    },
  });
  return { client, made, release: (prompt: string) => gate(prompt).open() };
}

describe("a submit under way when its subscriber leaves: not cut, its job handed to onOrphan", () => {
  it("switchMap: the job of the submit it moved on from reaches onOrphan; every job made is heard of once", async () => {
    emu = await startFast();
    const held = heldSubmits(emu);
    const prompts = new Subject<string>();
    const heard: string[] = [];
    const orphans: string[] = [];
    const done: string[] = [];
    const subscription = prompts
      .pipe(
        switchMap((prompt) =>
          submitJob(held.client, { model, prompt }, { download: false, onOrphan: (id) => orphans.push(id) }),
        ),
      )
      .subscribe((event) => {
        if (event.type === "submitted") heard.push(event.jobId);
        if (event.type === "completed") done.push(event.jobId);
      });
    try {
      prompts.next("a lake");
      await until(() => held.made.size === 1); // the server has made the job; its answer is held
      prompts.next("a lake at dawn"); // switchMap leaves the first submitJob while its answer is on its way
      held.release("a lake at dawn");
      await until(() => done.length === 1);
      expect(orphans).toEqual([]);
      held.release("a lake");
      await until(() => orphans.length === 1);
      expect(orphans).toEqual([held.made.get("a lake")]);
      expect(heard).toEqual([held.made.get("a lake at dawn")]);
      expect(emu.stats().jobsCreated).toBe(2);
      expect(emu.stats().requests.byRoute.submit).toBe(2);
    } finally {
      subscription.unsubscribe();
    }
  });

  it("takeUntil during the submit: the job reaches onOrphan, and nothing is read for it", async () => {
    emu = await startFast();
    const held = heldSubmits(emu);
    const stop = new Subject<void>();
    const events: JobEvent[] = [];
    const orphans: string[] = [];
    const ended: string[] = [];
    submitJob(held.client, { model, prompt: "left before the answer" }, { onOrphan: (id) => orphans.push(id) })
      .pipe(takeUntil(stop))
      .subscribe({ next: (e) => events.push(e), complete: () => ended.push("complete") });
    await until(() => held.made.size === 1);
    stop.next();
    expect(ended).toEqual(["complete"]);
    held.release("left before the answer");
    await until(() => orphans.length === 1);
    expect(orphans).toEqual([held.made.get("left before the answer")]);
    expect(events).toEqual([]);
    expect(emu.job(orphans[0]!)!.statusReads).toBe(0);
  });

  it("an onOrphan that throws: reported as an unhandled CALLBACK_ERROR carrying the job id, its throw the cause", async () => {
    emu = await startFast();
    const held = heldSubmits(emu);
    const unhandled: unknown[] = [];
    const before = config.onUnhandledError;
    config.onUnhandledError = (error) => unhandled.push(error);
    try {
      const thrown = new Error("the orphan's store is down");
      const subscription = submitJob(
        held.client,
        { model, prompt: "orphan, then a throw" },
        {
          onOrphan: () => {
            throw thrown;
          },
        },
      ).subscribe();
      await until(() => held.made.size === 1);
      subscription.unsubscribe();
      held.release("orphan, then a throw");
      await until(() => unhandled.length === 1);
      expect(unhandled[0]).toMatchObject({
        code: "CALLBACK_ERROR",
        jobId: held.made.get("orphan, then a throw"),
        cause: thrown,
      });
    } finally {
      config.onUnhandledError = before;
    }
  });

  it("submitAll with failFast: the jobs of the submits under way when it ends reach onOrphan with their index and key", async () => {
    emu = await startFast();
    const held = heldSubmits(emu);
    const orphans: [string, number, string | number | undefined][] = [];
    const heard: string[] = [];
    const inputs = ["[fail] at once", "b", "c"].map((prompt, i) => ({ key: `k${i}`, input: { model, prompt } }));
    const error = await new Promise((resolve) => {
      submitAll(held.client, inputs, {
        failFast: true,
        download: false,
        concurrency: 3,
        onOrphan: (...orphan) => orphans.push(orphan),
      }).subscribe({
        next: (e) => e.event?.type === "submitted" && heard.push(e.event.jobId),
        error: resolve,
        complete: () => resolve(undefined),
      });
      // All three jobs made; only the failing one's answer is let through: the batch ends on its failure.
      void until(() => held.made.size === 3).then(() => held.release("[fail] at once"));
    });
    expect(error).toMatchObject({ name: "JobFailedError" });
    held.release("b");
    held.release("c");
    await until(() => orphans.length === 2);
    expect(heard).toEqual([held.made.get("[fail] at once")]);
    expect(orphans.sort((x, y) => x[1] - y[1])).toEqual([
      [held.made.get("b"), 1, "k1"],
      [held.made.get("c"), 2, "k2"],
    ]);
    expect(emu.stats().jobsCreated).toBe(3);
  });
});

describe("a batch that ends sends nothing more, and leaves no wait behind (no timer keeps a Node process alive)", () => {
  /** A client of `emu` (with its default retries) whose submits' answers are held until `release()`. */
  function heldAnswers(server: Emulator) {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => {
      open = resolve;
    });
    const client = clientFor(server, {
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (init?.method === "POST") await opened;
        return response;
      },
    });
    return { client, release: open };
  }

  it("a submit answered 429 (Retry-After: 8) when the batch ends is not sent again, and nothing waits out the pause", async () => {
    emu = await startFast({ faults: [{ route: "submit", kind: "429", retryAfterSeconds: 8 }] });
    const client = clientFor(emu);
    const before = await lastingHandles();
    const orphans: string[] = [];
    const batch = submitAll(client, [{ model, prompt: "rate-limited" }], { onOrphan: (id) => orphans.push(id) });
    const subscription = batch.subscribe();
    // The 429 came (the client's rate-limit gate closed on it): the batch ends while the submit waits to be sent again.
    await until(() => client.rateLimit.pausedUntil() !== undefined);
    subscription.unsubscribe();
    emu.setFaults([]);
    // No timer lasts: nothing can send the submit again later.
    const after = await lastingHandles();
    expect(after.Timeout ?? 0).toBeLessThanOrEqual(before.Timeout ?? 0);
    expect(emu.stats().requests.byRoute.submit).toBe(1);
    expect(emu.stats().jobsCreated).toBe(0);
    expect(orphans).toEqual([]);
  });

  it("a submit under way when the batch ends, then answered 429, is not sent again, and nothing waits out the pause", async () => {
    emu = await startFast({ faults: [{ route: "submit", kind: "429", retryAfterSeconds: 8 }] });
    const held = heldAnswers(emu);
    const before = await lastingHandles();
    const subscription = submitAll(held.client, [{ model, prompt: "answered after the end" }]).subscribe();
    await until(() => emu!.stats().requests.byRoute.submit === 1);
    subscription.unsubscribe();
    emu.setFaults([]);
    held.release();
    await until(() => held.client.rateLimit.pausedUntil() !== undefined);
    const after = await lastingHandles();
    expect(after.Timeout ?? 0).toBeLessThanOrEqual(before.Timeout ?? 0);
    expect(emu.stats().requests.byRoute.submit).toBe(1);
    expect(emu.stats().jobsCreated).toBe(0);
  });

  it("a submit answered 503 is sent again by the batch up to the client's maxRetries; a batch that ends stops the wait", async () => {
    emu = await startFast({ faults: [{ route: "submit", kind: "503" }] });
    // Sent again twice (the client's default maxRetries), then the input fails with the last answer's error; with
    // maxRetries: 0 it is sent once.
    for (const [options, sent] of [
      [{ random: seeded(3) }, 3],
      [{ maxRetries: 0 }, 1],
    ] as const) {
      const before = emu.stats().requests.byRoute.submit ?? 0;
      const events = await lastValueFrom(
        submitAll(clientFor(emu, options), [{ model, prompt: "unavailable" }]).pipe(toArray()),
      );
      expect(events.map((e) => [e.type, e.error?.status])).toEqual([["error", 503]]);
      expect(emu.stats().requests.byRoute.submit! - before).toBe(sent);
    }
    // Once answered (its Retry-After: 8), the batch ends: nothing waits, nothing is sent again; the server recovered.
    emu.setFaults([{ route: "submit", kind: "503", retryAfterSeconds: 8 }]);
    const before = await lastingHandles();
    const sent = emu.stats().requests.byRoute.submit!;
    const subscription = submitAll(clientFor(emu), [{ model, prompt: "unavailable, then left" }]).subscribe();
    await until(() => emu!.stats().requests.byRoute.submit === sent + 1);
    subscription.unsubscribe();
    emu.setFaults([]);
    const after = await lastingHandles();
    expect(after.Timeout ?? 0).toBeLessThanOrEqual(before.Timeout ?? 0);
    expect(emu.stats().requests.byRoute.submit).toBe(sent + 1);
    expect(emu.stats().jobsCreated).toBe(0);
  });

  it("an input whose file can be read only once (a stream, read by the submit) is not sent again; a Blob is", async () => {
    emu = await startFast({ faults: [{ route: "submit", kind: "503" }] });
    const client = clientFor(emu, { random: seeded(5) });
    const image = () => new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(64).fill(0)]);
    const i2v = models.video("lucy-pro-i2v");
    const inputs = [
      { key: "web stream", input: { model: i2v, prompt: "x", data: new Blob([image()]).stream() } },
      { key: "node stream", input: { model: i2v, prompt: "x", data: Readable.from([image()]) } },
      { key: "blob", input: { model: i2v, prompt: "x", data: new Blob([image()]) } },
    ];
    const events = await lastValueFrom(submitAll(client, inputs, { concurrency: 1 }).pipe(toArray()));
    expect(events.map((e) => [e.key, e.error?.status])).toEqual([
      ["web stream", 503],
      ["node stream", 503],
      ["blob", 503],
    ]);
    // Once each stream (sent again, it would be an empty file); the Blob three times (the client's maxRetries: 2).
    expect(emu.stats().requests.byRoute.submit).toBe(5);
    // A 429 too: the stream's input fails with it, not sent again after the batch's pause.
    emu.setFaults([{ route: "submit", kind: "429", retryAfterSeconds: 0 }]);
    const [limited] = await lastValueFrom(
      submitAll(client, [{ model: i2v, prompt: "x", data: new Blob([image()]).stream() }]).pipe(toArray()),
    );
    expect(limited?.error).toMatchObject({ name: "RateLimitError", status: 429 });
    expect(emu.stats().requests.byRoute.submit).toBe(6);
  });
});

describe("the input's signal aborts the submit, as client.queue.submit's does", () => {
  it("one already aborted sends nothing: submitJob and a batch's input end with an AbortError, no job made", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const reason = new Error("the user left");
    const signal = AbortSignal.abort(reason);
    const events: JobEvent[] = [];
    const error = await lastValueFrom(
      submitJob(client, { model, prompt: "aborted before", signal }, { download: false }).pipe(
        tap((e) => events.push(e)),
      ),
    ).catch((e) => e);
    expect(error).toMatchObject({ name: "AbortError", code: "ABORT", cause: reason });
    expect(events).toEqual([]);
    const batch = await lastValueFrom(
      submitAll(
        client,
        [
          { model, prompt: "aborted", signal },
          { model, prompt: "sent" },
        ],
        { download: false },
      ).pipe(toArray()),
    );
    expect(batch.filter((e) => e.type === "error").map((e) => [e.index, e.error?.code])).toEqual([[0, "ABORT"]]);
    expect(batch.at(-1)!.summary).toMatchObject({ total: 2, submitted: 1, completed: 1, failed: 1 });
    expect(emu.stats().jobsCreated).toBe(1);
  });

  it("a signal that is no AbortSignal is refused by the core's check, naming it, before anything is sent", async () => {
    emu = await startFast();
    const signal = "stop" as never as AbortSignal;
    const error = await lastValueFrom(submitJob(clientFor(emu), { model, prompt: "x", signal })).catch((e) => e);
    expect(error).toMatchObject({ name: "InvalidInputError", field: "signal" });
    expect(emu.stats().requests.total).toBe(0);
  });

  it("an abort while the submit is under way ends it with an AbortError", async () => {
    emu = await startFast({ faults: [{ route: "submit", kind: "stall" }] });
    const controller = new AbortController();
    const failure = lastValueFrom(
      submitJob(clientFor(emu), { model, prompt: "cut by its signal", signal: controller.signal }),
    ).catch((e) => e);
    await until(() => emu!.stats().requests.byRoute.submit === 1);
    controller.abort();
    expect(await failure).toMatchObject({ name: "AbortError", code: "ABORT" });
  });
});
