// Subscribers of one job share its poller, each with a budget (`timeoutMs`) of its own: each ends in its own
// JobTimeoutError at its own deadline, the others go on, and one status-read loop serves them all. Over HTTP, against
// the emulator, a `[hold]` job (it ends when the test releases it), and a client whose clock moves only when the test
// moves it: a budget runs out when the test says, however slow the machine.
import { type JobEvent, JobTimeoutError, models } from "@decart/core";
import type { Emulator } from "@decart/emulator";
import { defer, finalize, type Observable, switchMap, timer } from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
import { clientStatus, type StatusSource } from "../src/sources.js";
import { watchJob } from "../src/watch.js";
import { clientFor, startFast, until } from "./helpers.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const model = models.video("lucy-pro-t2v");

/**
 * A job held by the emulator, a client of it on the test's clock, and status sources that count their reads: each
 * read waits 20 ms before it is sent, so that reads of two loops could not all miss each other; `most` is the most
 * reads ever in flight at once, all sources together.
 */
async function held(prompt: string) {
  emu = await startFast();
  const clock = { now: Date.now() };
  const client = clientFor(emu, { poll: { initialDelayMs: 10, intervalMs: 15, now: () => clock.now } });
  const first = await client.queue.submit({ model, prompt: `${prompt} [hold]` });
  const reads = { all: 0, open: 0, most: 0 };
  const counted = (): StatusSource => (id, within) =>
    defer(() => {
      reads.all++;
      reads.most = Math.max(reads.most, ++reads.open);
      return timer(20);
    }).pipe(
      switchMap(() => clientStatus(client)(id, within)),
      finalize(() => reads.open--),
    );
  return { client, clock, first, jobId: first.job_id, reads, counted, emu };
}

/** A subscription's events, its error, and whether it ended. */
function follow(events: Observable<JobEvent>) {
  const seen = { events: [] as JobEvent[], error: undefined as any, closed: false };
  events.subscribe({
    next: (event) => seen.events.push(event),
    error: (error) => {
      seen.error = error;
      seen.closed = true;
    },
    complete: () => {
      seen.closed = true;
    },
  });
  return seen;
}

const processing = (seen: { events: JobEvent[] }) =>
  seen.events.some((e) => e.type === "status" && e.status === "processing");

describe("each subscriber of a shared poller has its own timeoutMs", () => {
  it("the one that started it, with 1 s, times out with its own figure; one that joined with a minute completes", async () => {
    const { client, clock, jobId, reads, counted, emu } = await held("watched by a short and a long budget");
    const short = follow(watchJob(client, jobId, { model, timeoutMs: 1_000, statusSource: counted() }));
    await until(() => processing(short));
    const long = follow(watchJob(client, jobId, { model, timeoutMs: 60_000, statusSource: counted() }));
    expect(processing(long)).toBe(true); // the poller's latest status, at once
    clock.now += 1_500; // past the first budget only
    await until(() => short.closed);
    expect(short.error).toBeInstanceOf(JobTimeoutError);
    expect(short.error).toMatchObject({ jobId, lastStatus: "processing" });
    expect(short.error.message).toBe(`Job ${jobId} not done within 1000 ms (last status: processing)`);
    // The other goes on: its watch reads the job.
    const before = reads.all;
    await until(() => reads.all > before + 2 || long.closed);
    expect(long.closed).toBe(false);
    expect(emu.release(jobId)).toBe(true);
    await until(() => long.closed);
    expect(long.error).toBeUndefined();
    expect(long.events.at(-1)).toMatchObject({ type: "completed", jobId, data: expect.any(Blob) });
    // Statuses only on a change: the watch that went on did not tell `processing` again.
    expect(long.events.filter((e) => e.type === "status").map((e) => (e as { status: string }).status)).toEqual([
      "processing",
    ]);
    // One loop: never two reads at once (none read the job but those counted).
    expect(reads.most).toBe(1);
    expect(emu.job(jobId)!.statusReads).toBeLessThanOrEqual(reads.all);
    expect(emu.job(jobId)!.contentReads).toBe(1);
  });

  it("one that joins with 1 s times out with its own figure; the one that started it, with a minute, completes", async () => {
    const { client, clock, first, jobId, reads, counted, emu } = await held("joined by a short budget");
    // Its submitter: it starts from the submit's answer.
    const long = follow(watchJob(client, jobId, { model, first, timeoutMs: 60_000, statusSource: counted() }));
    await until(() => processing(long));
    const joined = reads.all;
    const short = follow(watchJob(client, jobId, { model, timeoutMs: 1_000, statusSource: counted() }));
    await until(() => reads.all > joined + 1); // the job read (and answered) since it joined
    clock.now += 1_500; // past the joiner's budget only
    // It ends at the next read (a few reads at most, had nothing ended it).
    const before = reads.all;
    await until(() => short.closed || reads.all > before + 5);
    expect(short.error).toBeInstanceOf(JobTimeoutError);
    expect(short.error).toMatchObject({ jobId, lastStatus: "processing" });
    expect(short.error.message).toBe(`Job ${jobId} not done within 1000 ms (last status: processing)`);
    const after = reads.all;
    await until(() => reads.all > after + 2 || long.closed);
    expect(long.closed).toBe(false);
    expect(emu.release(jobId)).toBe(true);
    await until(() => long.closed);
    expect(long.error).toBeUndefined();
    expect(long.events.at(-1)).toMatchObject({ type: "completed", jobId, data: expect.any(Blob) });
    // Its watch went on from where it was: `submitted` once, each status once.
    expect(long.events.filter((e) => e.type === "submitted")).toHaveLength(1);
    expect(long.events.filter((e) => e.type === "status").map((e) => (e as { status: string }).status)).toEqual([
      "pending",
      "processing",
    ]);
    expect(reads.most).toBe(1);
    expect(emu.job(jobId)!.statusReads).toBeLessThanOrEqual(reads.all);
    expect(emu.job(jobId)!.contentReads).toBe(1);
  });
});
