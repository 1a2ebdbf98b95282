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

  it("each subscriber hears the whole sequence from when it came: the first all of it, one while the job runs its latest event and the rest, one after the end `completed` with the video: one job", async () => {
    emu = await startFast();
    // Held `processing` until the test, having seen it, releases it: however slow the machine, every status is heard.
    const job$ = submitJob(clientFor(emu), { ...input, prompt: "A lake [hold]" }).pipe(once());
    /** The events heard by a subscriber from now, and its subscription. */
    const listen = () => {
      const heard: JobEvent[] = [];
      return { heard, subscription: job$.subscribe((event) => heard.push(event)) };
    };
    // The badge, from the submit to the end.
    const badge = listen();
    const processing = () => badge.heard.find((event) => event.type === "status" && event.status === "processing");
    await until(() => !!processing());
    const jobId = badge.heard[0]!.jobId;
    // A panel mounted while the job is held: at once the latest event (the job's status), nothing since.
    const panel = listen();
    expect(panel.heard).toEqual([processing()]);
    expect(emu.release(jobId)).toBe(true);
    await until(() => badge.subscription.closed && panel.subscription.closed);
    // Each `downloading` of the download's progress said once: how many come depends on how the bytes are cut.
    const kinds = (events: JobEvent[]) =>
      events
        .map((event) => (event.type === "status" ? event.status : event.type))
        .filter((kind, i, all) => kind !== "downloading" || all[i - 1] !== "downloading");
    expect(kinds(badge.heard)).toEqual(["submitted", "pending", "processing", "downloading", "completed"]);
    expect(new Set(badge.heard.map((event) => event.jobId))).toEqual(new Set([jobId]));
    // The panel: the same events, the same objects, from the one it came on.
    const from = badge.heard.indexOf(processing()!);
    expect(panel.heard).toEqual(badge.heard.slice(from));
    expect(panel.heard.every((event, i) => event === badge.heard[from + i])).toBe(true);
    // The result panel, mounted after the end: `completed` with the video, alone.
    const late = await lastValueFrom(job$.pipe(toArray()));
    expect(late).toEqual([badge.heard.at(-1)]);
    expect(late[0]).toMatchObject({ type: "completed", jobId, data: expect.any(Blob) });
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
