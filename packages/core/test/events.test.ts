import type { Emulator, EmulatorOptions } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AbortError,
  checkJob,
  checkWatchOptions,
  createDecartClient,
  DecartError,
  InvalidInputError,
  type JobEvent,
  type JobStatusResponse,
  type JobWatchStep,
  models,
  type PollOptions,
} from "../src/index.js";
import {
  clientFor,
  drain,
  fastPoll,
  instantDelay,
  json,
  lastingHandles,
  serve,
  sha256,
  silent,
  startFast,
  until,
  watchedFetch,
} from "./helpers.js";

const t2v = models.video("lucy-pro-t2v");
const types = (events: JobEvent[]) => events.map((e) => (e.type === "status" ? e.status : e.type));

let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

/** Runs `body` against an emulator of its own, closed afterwards. */
async function withEmulator(options: EmulatorOptions, body: (emu: Emulator) => Promise<void>) {
  const own = await startFast(options);
  try {
    await body(own);
  } finally {
    await own.close();
  }
}

/**
 * Runs `body` against an emulator of its own, then checks that nothing of the client is left once it is closed: no
 * timer, no socket, no request (handles counted before the emulator existed, as its server has a timer of its own).
 */
async function expectNothingLeft(options: EmulatorOptions, body: (emu: Emulator) => Promise<void>) {
  const before = await lastingHandles();
  await withEmulator(options, body);
  const after = await lastingHandles();
  for (const [kind, count] of Object.entries(after)) expect(count, kind).toBeLessThanOrEqual(before[kind] ?? 0);
}

describe("queue.submitAndWatch", () => {
  it("yields submitted before any read, each status once, download progress, then completed with the data", async () => {
    await withEmulator({ timing: { pendingMs: 150 } }, async (slow) => {
      const client = clientFor(slow);
      const events: JobEvent[] = [];
      let readsAtSubmitted = -1;
      let released: Promise<boolean> | undefined;
      // The job stays processing ([hold]) until the loop has seen it so and it has been read a few times; then the
      // test releases it.
      const sawProcessing = () => events.some((e) => e.type === "status" && e.status === "processing");
      for await (const event of client.queue.submitAndWatch({ model: t2v, prompt: "events [hold]" })) {
        if (event.type === "submitted") {
          readsAtSubmitted = slow.job(event.jobId)!.statusReads;
          const { jobId } = event;
          released = until(() => sawProcessing() && slow.job(jobId)!.statusReads > 3).then(() => slow.release(jobId));
        }
        events.push(event);
      }
      expect(await released).toBe(true);
      const [submitted, ...rest] = events;
      expect(submitted).toEqual({ type: "submitted", jobId: expect.stringMatching(/^job_/), model: "lucy-pro-t2v" });
      expect(readsAtSubmitted).toBe(0);
      const job = slow.job(submitted!.jobId)!;
      expect(job.statusReads).toBeGreaterThan(3); // more reads than events: the statuses were de-duplicated
      const kinds = types(rest);
      expect(kinds.slice(0, 2)).toEqual(["pending", "processing"]);
      expect(kinds.at(-1)).toBe("completed");
      expect(new Set(kinds.slice(2, -1))).toEqual(new Set(["downloading"]));
      const progress = rest.filter((e) => e.type === "downloading");
      expect(progress[0]).toMatchObject({ receivedBytes: 0, job: { status: "completed" } });
      expect(progress.at(-1)).toMatchObject({ receivedBytes: job.resultBytes, totalBytes: job.resultBytes });
      const received = progress.map((e) => e.receivedBytes);
      expect(received).toEqual([...received].sort((a, b) => a - b));
      const completed = events.at(-1) as Extract<JobEvent, { type: "completed" }>;
      expect(completed.job.status).toBe("completed");
      expect(completed.data!.type).toBe("video/mp4");
      expect(await sha256(completed.data!)).toBe(job.resultSha256);
      expect(events.every((e) => e.jobId === submitted!.jobId)).toBe(true);
    });
  });

  it("ends with completed and no data, without downloading, when download is false", async () => {
    const events: JobEvent[] = [];
    for await (const event of clientFor(emu).queue.submitAndWatch({ model: t2v, prompt: "x", download: false }))
      events.push(event);
    const last = events.at(-1)!;
    expect(last).toEqual({
      type: "completed",
      jobId: last.jobId,
      job: expect.objectContaining({ status: "completed" }),
    });
    expect(types(events)).not.toContain("downloading");
    expect(emu.job(last.jobId)!.contentReads).toBe(0);
  });

  it("ends with failed and the server's reason", async () => {
    const events: JobEvent[] = [];
    for await (const event of clientFor(emu).queue.submitAndWatch({ model: t2v, prompt: "[fail: no GPU]" }))
      events.push(event);
    expect(events.at(-1)).toMatchObject({ type: "failed", error: "no GPU", job: { status: "failed" } });
    expect(emu.job(events[0]!.jobId)!.contentReads).toBe(0);
  });

  it("stops on abort while waiting between reads, with the job id, leaving nothing behind; the job goes on", async () => {
    await expectNothingLeft({ timing: { pendingMs: 100, processingMs: 200 } }, async (own) => {
      const client = clientFor(own, { poll: { initialDelayMs: 60_000, intervalMs: 60_000 } });
      const controller = new AbortController();
      let jobId: string | undefined;
      const seen: string[] = [];
      const error = await (async () => {
        for await (const event of client.queue.submitAndWatch({ model: t2v, prompt: "x", signal: controller.signal })) {
          seen.push(event.type);
          jobId = event.jobId;
          if (event.type === "status") controller.abort();
        }
      })().catch((e) => e);
      expect(error).toBeInstanceOf(AbortError);
      expect(error.jobId).toBe(jobId);
      expect(seen).toEqual(["submitted", "status"]);
      expect(own.job(jobId!)!.statusReads).toBe(0);
      // Stopping to watch is not cancelling: the job still completes.
      expect(await clientFor(own).queue.wait(jobId!, { download: false })).toEqual({
        status: "completed",
        job_id: jobId,
      });
    });
  });

  it("stops reading when the loop is left, and the job goes on", async () => {
    await expectNothingLeft({}, async (own) => {
      // Time is free: the poll's delay never waits, so a watch still going after the loop would read again at once,
      // its next request open or sent by the time the tasks queued now have run.
      const watched = watchedFetch();
      const client = clientFor(own, { fetch: watched, poll: { delay: instantDelay() } });
      let jobId: string | undefined;
      // The job stays processing ([hold]) until released: the loop always sees it.
      for await (const event of client.queue.submitAndWatch({ model: t2v, prompt: "x [hold]" })) {
        jobId = event.jobId;
        if (event.type === "status" && event.status === "processing") break;
      }
      const reads = watched.sent.filter((url) => url.endsWith(`/v1/jobs/${jobId}`)).length;
      expect(reads).toBeGreaterThan(0);
      expect(watched.open()).toBe(0); // nothing on its way as the loop is left
      await drain();
      expect(watched.open()).toBe(0);
      expect(watched.sent.length).toBe(reads + 1); // the submit and the reads before the loop was left
      expect(own.job(jobId!)!.statusReads).toBe(reads);
      expect(own.release(jobId!)).toBe(true); // not cancelled: still running
      expect((await clientFor(own).queue.wait(jobId!, { download: false })).status).toBe("completed");
    });
  });

  it("cancels the download when the loop is left during it", async () => {
    await expectNothingLeft({ faults: [{ route: "content", kind: "stall" }] }, async (own) => {
      // The real fetch, its bodies passed through streams that note whether the client cancelled one.
      const watched = watchedFetch();
      let last: JobEvent | undefined;
      for await (const event of clientFor(own, { fetch: watched }).queue.submitAndWatch({
        model: t2v,
        prompt: "x",
      })) {
        last = event;
        if (event.type === "downloading" && event.receivedBytes > 0) break;
      }
      expect(last).toMatchObject({ type: "downloading" });
      expect((last as { receivedBytes: number }).receivedBytes).toBeGreaterThan(0);
      expect(watched.cancelled()).toBe(true);
    });
  });
});

describe("queue.watch", () => {
  it("watches a job submitted elsewhere: no submitted event, statuses, then the result", async () => {
    const job = await clientFor(emu).queue.submit({ model: t2v, prompt: "elsewhere" });
    const events: JobEvent[] = [];
    for await (const event of clientFor(emu).queue.watch(job.job_id, { model: "lucy-pro-t2v" })) events.push(event);
    expect(types(events)).not.toContain("submitted");
    expect(events.at(-1)).toMatchObject({ type: "completed", jobId: job.job_id });
    const data = (events.at(-1) as { data: Blob }).data;
    expect(await sha256(data)).toBe(emu.job(job.job_id)!.resultSha256);
  });
});

describe("callbacks", () => {
  const cases = [
    ["onStatusChange", { onStatusChange: "log" }],
    ["onSubmitted", { onSubmitted: 42 }],
  ] as const;

  it.each(cases)("a non-function %s is an InvalidInputError naming it, before any request", async (field, bad) => {
    await withEmulator({}, async (own) => {
      const client = clientFor(own);
      const calls = [
        client.queue.submitAndPoll({ model: t2v, prompt: "x", ...(bad as object) }),
        client.queue.submitAndWatch({ model: t2v, prompt: "x", ...(bad as object) }).next(),
        ...(field === "onStatusChange" ? [client.queue.wait("job_x", bad as object)] : []),
      ];
      for (const call of calls) {
        const error = await call.catch((e) => e);
        expect(error).toBeInstanceOf(InvalidInputError);
        expect(error.field).toBe(field);
      }
      expect(own.stats().requests.total).toBe(0);
    });
  });

  it.each(["onSubmitted", "onStatusChange"] as const)(
    "%s throwing ends the wait with CALLBACK_ERROR and the job id; the job goes on",
    async (name) => {
      const client = clientFor(emu);
      const oops = new Error("oops");
      const error = await client.queue
        .submitAndPoll({
          model: t2v,
          prompt: "x",
          [name]: () => {
            throw oops;
          },
        })
        .catch((e) => e);
      expect(error).toBeInstanceOf(DecartError);
      expect(error.code).toBe("CALLBACK_ERROR");
      expect(error.cause).toBe(oops);
      expect(error.jobId).toMatch(/^job_/);
      expect((await client.queue.wait(error.jobId, { download: false })).status).toBe("completed");
    },
  );

  describe("a poll option that throws on its first call", () => {
    const boom = new Error("boom");
    const throwing: [string, PollOptions][] = [
      [
        "poll.now",
        {
          now: () => {
            throw boom;
          },
        },
      ],
      [
        "poll.delay",
        {
          delay: () => {
            throw boom;
          },
        },
      ],
      [
        "poll.delay",
        {
          delay: async () => {
            throw boom;
          },
        },
      ],
    ];

    it.each(throwing)(
      "%s: submitAndPoll calls onSubmitted first, then ends with CALLBACK_ERROR and the job id",
      async (name, poll) => {
        const client = clientFor(emu);
        const seen: string[] = [];
        // The job stays processing ([hold]) until released: the error comes while it runs.
        const error = await client.queue
          .submitAndPoll({ model: t2v, prompt: "x [hold]", poll, onSubmitted: (id) => seen.push(id) })
          .catch((e) => e);
        expect(error).toBeInstanceOf(DecartError);
        expect(error).toMatchObject({ code: "CALLBACK_ERROR", cause: boom, jobId: expect.stringMatching(/^job_/) });
        // A poll.delay is named as itself, as a poll.schedule is.
        const what = name === "poll.delay" ? "poll.delay failed" : "a callback threw";
        expect(error.message).toBe(`Job ${error.jobId}: ${what} (Error: boom); the job goes on`);
        expect(seen).toEqual([error.jobId]);
        // The same through the events: `submitted` first.
        const events: JobEvent[] = [];
        const watched = await (async () => {
          for await (const event of client.queue.submitAndWatch({ model: t2v, prompt: "x [hold]", poll }))
            events.push(event);
        })().catch((e) => e);
        expect(watched).toMatchObject({ code: "CALLBACK_ERROR", jobId: events[0]?.jobId });
        expect(events[0]?.type).toBe("submitted");
        // Neither job was cancelled: each is still running, and completes once released.
        for (const jobId of [error.jobId, watched.jobId]) {
          expect(emu.release(jobId)).toBe(true);
          expect((await client.queue.wait(jobId, { download: false })).status).toBe("completed");
        }
      },
    );

    it.each(throwing)(
      "%s: queue.wait ends with CALLBACK_ERROR and the job id, not INVALID_RESPONSE",
      async (name, poll) => {
        const client = clientFor(emu);
        const { job_id } = await client.queue.submit({ model: t2v, prompt: "x [hold]" });
        // The call's poll, then (a delay) the client's.
        for (const waiter of name === "poll.delay" ? [client, clientFor(emu, { poll })] : [client]) {
          const error = await waiter.queue.wait(job_id, waiter === client ? { poll } : {}).catch((e) => e);
          expect(error).toBeInstanceOf(DecartError);
          expect(error).toMatchObject({ code: "CALLBACK_ERROR", cause: boom, jobId: job_id });
          const what = name === "poll.delay" ? "poll.delay failed" : "a callback threw";
          expect(error.message).toBe(`Job ${job_id}: ${what} (Error: boom); the job goes on`);
        }
        expect(emu.release(job_id)).toBe(true);
      },
    );
  });

  it("a callback that throws a Symbol: CALLBACK_ERROR, not a TypeError of the message", async () => {
    const client = clientFor(emu);
    const thrown = Symbol("boom");
    const error = await client.queue
      .submitAndPoll({
        model: t2v,
        prompt: "x",
        download: false,
        onSubmitted: () => {
          throw thrown;
        },
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(DecartError);
    expect(error).toMatchObject({ code: "CALLBACK_ERROR", cause: thrown, jobId: expect.stringMatching(/^job_/) });
    expect(error.message).toBe(`Job ${error.jobId}: a callback threw (Symbol(boom)); the job goes on`);
  });

  describe("a clock (poll.now) that throws", () => {
    const boom = new Error("boom");
    /** A clock that works until `broken` is set, then throws. */
    const breakable = () => {
      const clock = {
        broken: false,
        now: () => {
          if (clock.broken) throw boom;
          return Date.now();
        },
      };
      return clock;
    };

    it("the client's, from the start: CALLBACK_ERROR before any request, or with the job id of a call that has one", async () => {
      const client = clientFor(emu, {
        poll: {
          now: () => {
            throw boom;
          },
        },
      });
      const { job_id } = await clientFor(emu).queue.submit({ model: t2v, prompt: "x [hold]" });
      const before = emu.stats().requests.total;
      const calls: [string, () => Promise<unknown>, string | undefined][] = [
        ["submitAndPoll", () => client.queue.submitAndPoll({ model: t2v, prompt: "x" }), undefined],
        ["wait", () => client.queue.wait(job_id), job_id],
        ["status", () => client.queue.status(job_id), job_id],
        ["result", () => client.queue.result(job_id), job_id],
        ["createWatch", async () => client.queue.createWatch(job_id), job_id],
      ];
      for (const [what, call, jobId] of calls) {
        const error = (await call().catch((e) => e)) as DecartError;
        expect(error, what).toBeInstanceOf(DecartError);
        expect(error, what).toMatchObject({ code: "CALLBACK_ERROR", cause: boom, jobId, retryable: false });
        // A call about a job names it, as the watch's own clock does; a submit has none yet.
        expect(error.message, what).toBe(
          jobId ? `Job ${jobId}: a callback threw (Error: boom); the job goes on` : "a callback threw (Error: boom)",
        );
      }
      expect(emu.stats().requests.total).toBe(before);
      expect(emu.release(job_id)).toBe(true);
    });

    it.each([
      ["a Date", () => new Date()],
      ["a string", () => String(Date.now())],
      ["NaN", () => Number.NaN],
      ["Infinity", () => Number.POSITIVE_INFINITY],
    ])("one that answers %s: CALLBACK_ERROR naming poll.now, as if it threw; nothing read", async (_, now) => {
      const { job_id } = await clientFor(emu).queue.submit({ model: t2v, prompt: "x [hold]" });
      const before = emu.stats().requests.total;
      // The client's (a status read spun on it, 800 reads in 2 s), and a call's (a false JobTimeoutError at once).
      for (const call of [
        () => clientFor(emu, { poll: { now: now as never } }).queue.wait(job_id, { download: false }),
        () => clientFor(emu).queue.wait(job_id, { download: false, poll: { now: now as never } }),
      ]) {
        const error = (await call().catch((e) => e)) as DecartError;
        expect(error).toBeInstanceOf(DecartError);
        expect(error).toMatchObject({ code: "CALLBACK_ERROR", jobId: job_id, retryable: false });
        expect(error.message).toMatch(
          new RegExp(`^Job ${job_id}: a callback threw \\(poll.now answered .+\\); the job goes on$`),
        );
      }
      expect(emu.stats().requests.total).toBe(before);
      expect(emu.release(job_id)).toBe(true);
    });

    it.each(["client's", "call's"])(
      "the %s, once the job was submitted: CALLBACK_ERROR with the job id after onSubmitted, not INVALID_RESPONSE",
      async (whose) => {
        const clock = breakable();
        const client = whose === "client's" ? clientFor(emu, { poll: { now: clock.now } }) : clientFor(emu);
        const seen: string[] = [];
        const error = await client.queue
          .submitAndPoll({
            model: t2v,
            prompt: "x [hold]",
            ...(whose === "call's" && { poll: { ...fastPoll, now: clock.now } }),
            onSubmitted: (id) => {
              seen.push(id);
              clock.broken = true;
            },
          })
          .catch((e) => e);
        expect(error).toBeInstanceOf(DecartError);
        expect(error).toMatchObject({ code: "CALLBACK_ERROR", cause: boom, jobId: seen[0] });
        // The watch's own clock and the client's, read by the status request, both name the job.
        expect(error.message).toBe(`Job ${seen[0]}: a callback threw (Error: boom); the job goes on`);
        expect(emu.release(seen[0]!)).toBe(true);
        expect((await clientFor(emu).queue.wait(seen[0]!, { download: false })).status).toBe("completed");
      },
    );

    it("the client's, read while the result downloads: CALLBACK_ERROR naming the job, once the answer came", async () => {
      const clock = breakable();
      let contentRequests = 0;
      const client = clientFor(emu, {
        poll: { now: clock.now },
        // The clock breaks once the content request is answered: the body's timed reads read it.
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          if (String(input).endsWith("/content")) {
            contentRequests++;
            clock.broken = true;
          }
          return response;
        },
      });
      const seen: string[] = [];
      const error = await client.queue
        .submitAndPoll({ model: t2v, prompt: "x", download: true, onSubmitted: (id) => seen.push(id) })
        .catch((e) => e);
      expect(error).toBeInstanceOf(DecartError);
      expect(error).toMatchObject({ code: "CALLBACK_ERROR", cause: boom, jobId: seen[0], retryable: false });
      expect(error.message).toBe(`Job ${seen[0]}: a callback threw (Error: boom); the job goes on`);
      expect(contentRequests).toBe(1);
    });
  });

  it("a callback that throws an object whose toString throws: CALLBACK_ERROR with the job id, not a TypeError", async () => {
    const client = clientFor(emu);
    const thrown = {
      toString() {
        throw new TypeError("no text");
      },
    };
    for (const name of ["onSubmitted", "onStatusChange"]) {
      const error = await client.queue
        .submitAndPoll({
          model: t2v,
          prompt: "x",
          download: false,
          [name]: () => {
            throw thrown;
          },
        })
        .catch((e) => e);
      expect(error, name).toBeInstanceOf(DecartError);
      expect(error, name).toMatchObject({
        code: "CALLBACK_ERROR",
        cause: thrown,
        jobId: expect.stringMatching(/^job_/),
      });
      expect(error.message, name).toMatch(/^Job job_\S+: a callback threw \(.+\); the job goes on$/);
    }
  });

  it("onUploadProgress throwing after the submit was answered: CALLBACK_ERROR with the job id (mayExist)", async () => {
    const client = clientFor(emu);
    const oops = new Error("oops");
    const onUploadProgress = () => {
      throw oops;
    };
    for (const call of [client.queue.submit, client.queue.submitAndPoll]) {
      const error = await call({ model: t2v, prompt: "x", onUploadProgress }).catch((e) => e);
      expect(error).toBeInstanceOf(DecartError);
      expect(error).toMatchObject({
        code: "CALLBACK_ERROR",
        cause: oops,
        jobId: expect.stringMatching(/^job_/),
        mayExist: true,
      });
      expect((await client.queue.wait(error.jobId, { download: false })).status).toBe("completed");
    }
  });

  it("onUploadProgress throwing after process or files.upload was answered (fetch): the answer is kept, the throw logged", async () => {
    const warned: string[] = [];
    const client = clientFor(emu, { logger: { warn: (m) => warned.push(m) } });
    const oops = new Error("oops");
    const onUploadProgress = () => {
      throw oops;
    };
    const before = emu.stats().requests.total;
    // The image was made (and paid for): it is answered, not lost with the callback's error.
    const image = await client.process({ model: models.image("lucy-pro-t2i"), prompt: "x", onUploadProgress });
    expect(image).toBeInstanceOf(Blob);
    expect(image.size).toBeGreaterThan(0);
    const file = await client.files.upload(new Blob(["bytes"]), { onUploadProgress });
    expect(file).toMatchObject({ id: expect.any(String), size_bytes: 5 });
    expect(warned).toEqual(["a callback threw (Error: oops)", "a callback threw (Error: oops)"]);
    // One request each: nothing was sent again.
    expect(emu.stats().requests.total - before).toBe(2);
  });

  it("onProgress throwing ends a download with CALLBACK_ERROR, once: not a connection failure, not retried", async () => {
    const client = clientFor(emu);
    const done = await client.queue.submitAndPoll({ model: t2v, prompt: "x", download: false });
    const oops = new Error("oops");
    let calls = 0;
    const onProgress = () => {
      calls++;
      throw oops;
    };
    const contentReads = () => emu.stats().requests.byRoute.content ?? 0;
    const before = contentReads();
    const result = await client.queue.result(done.job_id, { onProgress }).catch((e) => e);
    const { stream } = await client.queue.download(done.job_id, { onProgress });
    const streamed = await new Response(stream).blob().catch((e) => e);
    for (const error of [result, streamed]) {
      expect(error).toBeInstanceOf(DecartError);
      expect(error).toMatchObject({ code: "CALLBACK_ERROR", jobId: done.job_id, cause: oops, retryable: false });
    }
    expect(calls).toBe(2);
    expect(contentReads() - before).toBe(2);
  });

  it("onStatusChange is called once per status, whatever the events in between (download progress)", async () => {
    // The job stays processing ([hold]) until the callback has seen it so; then the test releases it. Each phase is
    // seen however slow the machine.
    await withEmulator({}, async (slow) => {
      const seen: JobStatusResponse[] = [];
      let released = false;
      const result = await clientFor(slow).queue.submitAndPoll({
        model: t2v,
        prompt: "x [hold]",
        onStatusChange: (j) => {
          seen.push(j);
          if (j.status === "processing") released = slow.release(j.job_id);
        },
      });
      expect(released).toBe(true);
      expect(seen.map((j) => j.status)).toEqual(["pending", "processing", "completed"]);
      expect(result.status).toBe("completed");
    });
  });
});

describe("`retrying`", () => {
  it("is yielded for each failed status read (its error, the count in a row, the wait); the status comes again once a read answers, onStatusChange only on a change", async () => {
    await withEmulator({}, async (own) => {
      const events: JobEvent[] = [];
      const changes: string[] = [];
      let released = false;
      const watching = clientFor(own).queue.submitAndWatch({
        model: t2v,
        prompt: "retrying [hold]",
        onStatusChange: (j) => void changes.push(j.status),
      });
      for await (const event of watching) {
        events.push(event);
        // Seen processing: every status read answers 503 from now on, until the third has failed.
        if (event.type === "status" && event.status === "processing") {
          if (events.some((e) => e.type === "retrying")) released = own.release(event.jobId);
          else own.setFaults([{ route: "status", kind: "503" }]);
        }
        if (event.type === "retrying" && event.attempt === 3) own.setFaults([]);
      }
      expect(released).toBe(true);
      const seen = types(events).filter((t) => t !== "downloading");
      expect(seen).toEqual([
        "submitted",
        "pending",
        "processing",
        "retrying",
        "retrying",
        "retrying",
        "processing",
        "completed",
      ]);
      const retrying = events.filter((e) => e.type === "retrying");
      expect(retrying.map((e) => e.attempt)).toEqual([1, 2, 3]);
      for (const e of retrying) {
        expect(e.error).toBeInstanceOf(DecartError);
        expect(e.error).toMatchObject({ status: 503, retryable: true, jobId: e.jobId });
        expect(e.delayMs).toBeGreaterThan(0);
      }
      expect(own.stats().faultsInjected["503"]).toBe(3);
      // The status read again after the failures is no change of the job's status.
      expect(changes).toEqual(["pending", "processing", "completed"]);
    });
  });
});

describe("queue.createWatch and queue.readStatus", () => {
  it("let a caller drive the engine itself; a failed read goes to the watch, which retries it", async () => {
    await withEmulator({ faults: [{ route: "status", kind: "503", rate: 0.5 }], random: seeded() }, async (flaky) => {
      const client = clientFor(flaky);
      const job = await client.queue.submit({ model: t2v, prompt: "by hand" });
      const watch = client.queue.createWatch(job.job_id, { model: t2v, first: job, download: false });
      const events: JobEvent[] = [];
      let failures = 0;
      for (let step: JobWatchStep = watch.start(); ; ) {
        events.push(...step.events);
        if (!("read" in step.next)) {
          expect(step.next).toEqual({ done: true });
          break;
        }
        await new Promise((r) => setTimeout(r, (step.next as { read: number }).read));
        step = await client.queue.readStatus(job.job_id).then(watch.status, (e) => {
          failures++;
          return watch.error(e);
        });
      }
      const kinds = types(events);
      expect(kinds.slice(0, 2)).toEqual(["submitted", "pending"]);
      expect(kinds.at(-1)).toBe("completed");
      // Each failed read said as `retrying`; each status once, but for its repeat by the read that answered after them.
      expect(kinds.filter((k) => k === "retrying").length).toBe(failures);
      // (A repeat only right after a `retrying`, as queue-rx's tests hold it: dropping repeats after filtering `retrying`
      // out let a status said again without a failure pass.)
      let last: string | undefined;
      const statuses: string[] = [];
      kinds.forEach((k, i) => {
        if (k === "retrying") return;
        if (k === last) expect(kinds[i - 1], `${k} again at ${i}: ${kinds}`).toBe("retrying");
        else statuses.push(k);
        last = k;
      });
      expect(new Set(statuses).size).toBe(statuses.length);

      expect(failures).toBe(flaky.stats().faultsInjected["503"]);
      expect(failures).toBeGreaterThan(0);
    });
  });
});

describe("a watch's `first`", () => {
  it("is read once, when the options are checked: the watch starts from the submit answer that was checked", async () => {
    const client = clientFor(emu);
    const job = await client.queue.submit({ model: t2v, prompt: "read once" });
    // A submit answer whose status changes from one read to the next (a getter, a Proxy).
    let reads = 0;
    const first = {
      ...job,
      get status() {
        return reads++ ? "completed" : job.status;
      },
    } as JobStatusResponse;
    // As a view layer does (queue-rx): the options checked, the submit answer checked, then the watch made of them.
    const options = checkWatchOptions({ model: t2v, first, download: false });
    expect(checkJob(options.first, job.job_id)).toBeUndefined();
    const step = client.queue.createWatch(job.job_id, options).start();
    expect(types(step.events)).toEqual(["submitted", "pending"]);
    expect(step.next).toHaveProperty("read");
    expect(reads).toBe(1);
    // Given to createWatch as it is: read once there.
    reads = 0;
    const direct = client.queue.createWatch(job.job_id, { model: t2v, first, download: false }).start();
    expect(types(direct.events)).toEqual(["submitted", "pending"]);
    expect(reads).toBe(1);
  });
});

describe("createWatch's `first` that is not this job's submit answer", () => {
  it("another job's answer, a status the spec lacks, or no status: InvalidInputError naming `first`, nothing read", async () => {
    const client = clientFor(emu);
    const a = await client.queue.submit({ model: t2v, prompt: "watched [hold]" });
    const b = await client.queue.submit({ model: t2v, prompt: "the other [hold]" });
    const requests = emu.stats().requests.total;
    const cases: [first: unknown, problem: string][] = [
      [b, `no job_id ${a.job_id}`],
      [
        { job_id: a.job_id, status: "queued" },
        `"status" must be one of "pending", "processing", "completed", "failed"`,
      ],
      [{ job_id: a.job_id }, `"status"`],
    ];
    for (const [first, problem] of cases) {
      const error = (() => {
        try {
          client.queue.createWatch(a.job_id, { model: t2v, first: first as JobStatusResponse, download: false });
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ field: "first" });
      expect((error as Error).message).toContain(`Invalid options: "first" must be job ${a.job_id}'s submit answer (`);
      expect((error as Error).message).toContain(problem);
    }
    expect(emu.stats().requests.total).toBe(requests);
    // The job's own answer is taken: the watch starts with it.
    const step = client.queue.createWatch(a.job_id, { model: t2v, first: a, download: false }).start();
    expect(types(step.events)).toEqual(["submitted", "pending"]);
    expect(step.events[1]).toMatchObject({ jobId: a.job_id, job: { job_id: a.job_id } });
    expect(emu.release(a.job_id)).toBe(true);
    expect(emu.release(b.job_id)).toBe(true);
  });
});

describe("an input named `first`", () => {
  it("is sent as given, not copied as a watch's `first` is: a model of your own with a file field `first` sends its bytes", async () => {
    // Definitions are plain data: one of your own whose image field is named `first`, aimed at a stand-in for the API
    // that records the multipart body.
    const i2v = models.video("lucy-pro-i2v");
    const model = { ...i2v, fields: i2v.fields.map((f) => (f.name === "data" ? { ...f, name: "first" } : f)) };
    let body = "";
    const api = await serve((_req, res, bytes) => {
      body = bytes.toString("latin1");
      json(res, 200, { job_id: "job_first", status: "pending" });
    });
    try {
      const client = createDecartClient({ apiKey: "k".repeat(20), baseUrl: api.url, logger: silent });
      const job = await client.queue.submit({
        model: model as never,
        prompt: "a frame",
        first: new Blob(["FIRST-FRAME-BYTES"], { type: "image/png" }),
      } as never);
      expect(job.job_id).toBe("job_first");
      expect(body).toMatch(/name="first"[^\r]*\r\nContent-Type: image\/png\r\n\r\nFIRST-FRAME-BYTES\r\n/i);
    } finally {
      await api.close();
    }
  });
});

/** The emulator's fault draws: a fixed sequence (fault, fault, none, fault, none, none, …), the same on every run. */
function seeded(): () => number {
  const draws = [0, 0, 0.9, 0, 0.9, 0.9];
  let i = 0;
  return () => (i < draws.length ? draws[i++]! : 0.9);
}

describe("queue.createWatch with a deadline", () => {
  it("resumes a watch with the end of an earlier one's budget; past it, the timeout names the deadline, not 0 ms", async () => {
    const clock = { now: Date.now() };
    const client = clientFor(emu, { poll: { ...fastPoll, now: () => clock.now } });
    const job = await client.queue.submit({ model: t2v, prompt: "watched, left, watched again [hold]" });
    const first = client.queue.createWatch(job.job_id, { model: t2v, timeoutMs: 2_000 });
    expect(first.deadline).toBe(clock.now + 2_000);
    clock.now += 1_000;
    const again = client.queue.createWatch(job.job_id, { model: t2v, deadline: first.deadline });
    expect(again.deadline).toBe(first.deadline);
    const read = await client.queue.readStatus(job.job_id, { deadline: again.deadline });
    expect(again.status(read).next).toHaveProperty("read");
    clock.now += 1_500; // past the first watch's budget
    // The last status is this read's: the held job may have gone from pending to processing since the first.
    const last = await client.queue.readStatus(job.job_id);
    const { status } = last.job as JobStatusResponse;
    const { next } = again.status(last);
    const error = (next as { error: DecartError }).error;
    expect(error).toMatchObject({ code: "JOB_TIMEOUT", jobId: job.job_id, lastStatus: status });
    expect(error.message).toBe(`Job ${job.job_id} not done within its deadline (last status: ${status})`);
    expect(emu.release(job.job_id)).toBe(true);
  });

  it("checks every option before it reads the clock, naming the field given", () => {
    let reads = 0;
    const client = clientFor(emu, {
      poll: {
        now: () => {
          reads++;
          return 0;
        },
      },
    });
    const refused = (options: object, field: string, message: string) => {
      expect(() => client.queue.createWatch("job_x", options as never)).toThrow(
        expect.objectContaining({
          name: "InvalidInputError",
          field,
          message: `Invalid options: "${field}" must be ${message}`,
        }),
      );
    };
    refused({ timeoutMs: "5000" }, "timeoutMs", 'a number (got "5000")');
    refused({ timeoutMs: -1 }, "timeoutMs", "within 1..2147483647 (got -1)");
    refused({ timeoutMs: 0 }, "timeoutMs", "within 1..2147483647 (got 0)");
    refused({ timeoutMs: Number.NaN }, "timeoutMs", "a number (got NaN)");
    refused({ deadline: Number.POSITIVE_INFINITY }, "deadline", "a number (got Infinity)");
    refused({ deadline: "soon" }, "deadline", 'a number (got "soon")');
    refused({ download: "no" }, "download", 'a boolean (got "no")');
    // The innermost field is named, and what it takes (not the poll option's two kinds).
    refused({ poll: { intervalMs: -5 } }, "poll.intervalMs", "within 0..2147483647 (got -5)");
    refused({ poll: { intervalMs: 1e12 } }, "poll.intervalMs", "within 0..2147483647 (got 1000000000000)");
    refused(
      { poll: { every: 5 } },
      "poll.every",
      "a known name (one of initialDelayMs, intervalMs, maxIntervalMs, schedule, delay, now)",
    );
    refused(
      {
        poll: {
          get intervalMs() {
            throw new Error("getter");
          },
        },
      },
      "poll.intervalMs",
      "a value that can be read",
    );
    refused({ poll: 5 }, "poll", "an object, or a function (got 5)");
    refused({ first: "job_x" }, "first", 'an object (got "job_x")');
    refused(
      { signal: AbortSignal.abort() },
      "signal",
      "a known name (one of deadline, first, model, timeoutMs, download, poll)",
    );
    expect(reads).toBe(0);
    expect(client.queue.createWatch("job_x", { timeoutMs: 5000 }).deadline).toBe(5000);
  });

  it("refuses a deadline given with timeoutMs, naming both", () => {
    const client = clientFor(emu);
    expect(() => client.queue.createWatch("job_x", { timeoutMs: 1_000, deadline: Date.now() })).toThrow(
      expect.objectContaining({
        name: "InvalidInputError",
        field: "deadline",
        message: 'Invalid options: "deadline" must be given without `timeoutMs`',
      }),
    );
  });
});
