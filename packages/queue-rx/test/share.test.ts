// A submitJob shared as the README says, to submit once whoever subscribes when: one job on the emulator, however its
// subscribers come and go, also after the job ended or errored.
import { readFileSync } from "node:fs";
import { type JobEvent, models } from "@decart/core";
import type { Emulator } from "@decart/emulator";
import {
  lastValueFrom,
  type MonoTypeOperatorFunction,
  ReplaySubject,
  retry,
  type Subscription,
  share,
  toArray,
} from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
import { statusChanges } from "../src/operators.js";
import { submitJob } from "../src/watch.js";
import { clientFor, startFast, until } from "./helpers.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const input = { model: models.video("lucy-pro-t2v"), prompt: "A lake" };

/** The README's operator, as it writes it. */
const once = <T>(): MonoTypeOperatorFunction<T> =>
  share({
    connector: () => new ReplaySubject(1),
    resetOnComplete: false,
    resetOnError: false,
    resetOnRefCountZero: false,
  });

describe("submitJob shared without reset (the README's advice)", () => {
  it("is the README's own code", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8").replace(/\s+/g, " ");
    expect(readme).toContain(
      "share({ connector: () => new ReplaySubject(1), resetOnComplete: false, resetOnError: false, resetOnRefCountZero: false, })",
    );
  });

  it("a subscriber after the job completed hears `completed` with the video: one job", async () => {
    emu = await startFast();
    const job$ = submitJob(clientFor(emu), input).pipe(once());
    // The badge, to the end; then the result panel, mounted later.
    // (Its `processing` lasts 60 ms: a read on a loaded machine may not see it.)
    const changes = await lastValueFrom(job$.pipe(statusChanges(), toArray()));
    expect([changes[0], changes.at(-1)]).toEqual(["pending", "completed"]);
    const late = await lastValueFrom(job$.pipe(toArray()));
    expect(late).toEqual([expect.objectContaining({ type: "completed", data: expect.any(Blob) })]);
    expect(emu.stats().jobsCreated).toBe(1);
  });

  it("a view that left after `submitted` and is mounted again follows the same job: one job", async () => {
    emu = await startFast();
    const job$ = submitJob(clientFor(emu), { ...input, prompt: "A lake [hold]" }, { download: false }).pipe(once());
    let first: string | undefined;
    let view: Subscription | undefined;
    view = job$.subscribe((event) => {
      if (event.type !== "submitted") return;
      first = event.jobId;
      queueMicrotask(() => view!.unsubscribe());
    });
    await until(() => !!view?.closed);
    // What it costs: the job is still read while nobody listens.
    const reads = emu.job(first!)!.statusReads;
    await until(() => emu!.job(first!)!.statusReads > reads);
    // Mounted again: the job's latest event at once, then its end.
    const seen: JobEvent[] = [];
    const again = job$.subscribe((event) => seen.push(event));
    await until(() => seen.length > 0);
    expect(seen[0]!.jobId).toBe(first);
    expect(emu.release(first!)).toBe(true);
    await until(() => again.closed);
    expect(seen.at(-1)).toMatchObject({ type: "completed", jobId: first });
    expect(new Set(seen.map((event) => event.jobId))).toEqual(new Set([first]));
    expect(emu.stats().jobsCreated).toBe(1);
  });

  it("after an error, a subscriber (or a retry()) hears the same error: nothing is submitted again", async () => {
    emu = await startFast();
    const job$ = submitJob(clientFor(emu), { ...input, prompt: "A lake [hold]" }, { timeoutMs: 1 }).pipe(once());
    const error = await lastValueFrom(job$).catch((e) => e);
    expect(error).toMatchObject({ code: "JOB_TIMEOUT", jobId: expect.any(String) });
    expect(await lastValueFrom(job$).catch((e) => e)).toBe(error);
    expect(await lastValueFrom(job$.pipe(retry(2))).catch((e) => e)).toBe(error);
    expect(emu.stats().jobsCreated).toBe(1);
  });
});
