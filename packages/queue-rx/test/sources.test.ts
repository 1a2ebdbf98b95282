// Sources of yours (`submitSource`, `resultSource`) that fail or answer what is no answer: the errors are the core's
// typed ones, saying what was wrong, as a status source's are.
import { DecartError, InvalidResponseError, type JobEvent, models } from "@decart/core";
import type { Emulator } from "@decart/emulator";
import { defer, EMPTY, lastValueFrom, Observable, of, Subject, throwError, toArray } from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
import { submitAll } from "../src/batch.js";
import type { SubmitSource } from "../src/sources.js";
import { submitJob, watchJob } from "../src/watch.js";
import { clientFor, startFast } from "./helpers.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const model = models.video("lucy-pro-t2v");
const input = { model, prompt: "A lake" };

/** A Proxy's trap that throws. */
const thrower = (): never => {
  throw new Error("not readable");
};

/** A revoked Proxy: any read of it throws. */
const revoked = () => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
};

/** The events of `events$` until its end, and the error it ended with, if any. */
async function run<T>(events$: Observable<T>): Promise<{ events: T[]; error?: any }> {
  const events: T[] = [];
  return new Promise((resolve) =>
    events$.subscribe({
      next: (event) => events.push(event),
      error: (error) => resolve({ events, error }),
      complete: () => resolve({ events }),
    }),
  );
}

describe("a submitSource of yours", () => {
  const plain = new Error("the proxy is down");
  const failing: [string, SubmitSource][] = [
    ["errors with a plain Error", () => throwError(() => plain)],
    [
      "throws as it is called",
      () => {
        throw plain;
      },
    ],
  ];

  for (const [how, submitSource] of failing) {
    it(`that ${how}: submitJob errors with an InvalidResponseError saying so, your error its cause`, async () => {
      emu = await startFast();
      const { events, error } = await run(submitJob(clientFor(emu), input, { submitSource }));
      expect(events).toEqual([]);
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(error).toMatchObject({
        code: "INVALID_RESPONSE",
        message: "The submit source failed (Error: the proxy is down)",
        cause: plain,
      });
      expect(emu.stats().jobsCreated).toBe(0);
    });

    it(`that ${how}: submitAll's error event carries the same typed error (a DecartError, with a code)`, async () => {
      emu = await startFast();
      const batch = await lastValueFrom(submitAll(clientFor(emu), [input], { submitSource }).pipe(toArray()));
      expect(batch).toHaveLength(1);
      expect(batch[0]).toMatchObject({ type: "error", index: 0 });
      const { error } = batch[0]!;
      expect(DecartError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: "INVALID_RESPONSE", cause: plain });
    });
  }

  it("that answers job_id as a number (the core reads the API's so too): the job is followed by its id as text", async () => {
    emu = await startFast();
    const asked: string[] = [];
    const answer = Object.freeze({ job_id: 12345, status: "pending" });
    const { events, error } = await run(
      submitJob(clientFor(emu), input, {
        submitSource: () => of<any>(answer),
        statusSource: (jobId: string) => {
          asked.push(jobId);
          return of<any>({ job: { job_id: jobId, status: "completed" } });
        },
        download: false,
      }),
    );
    expect(error).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(["submitted", "status", "completed"]);
    expect(events[0]).toMatchObject({ jobId: "12345" });
    expect(asked).toEqual(["12345"]);
    // Yours, as it was.
    expect(answer.job_id).toBe(12345);
  });

  it("that answers a numeric job_id against the spec: the error names the job made, as does the report once you left", async () => {
    emu = await startFast();
    const answer = { job_id: 12345, status: "queued" };
    const { events, error } = await run(submitJob(clientFor(emu), input, { submitSource: () => of<any>(answer) }));
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({ code: "INVALID_RESPONSE", jobId: "12345" });
    expect(error.message).toContain("job 12345 was made: follow it with watchJob");
    const orphans: string[] = [];
    const answers = new Subject<any>();
    submitJob(clientFor(emu), input, { submitSource: () => answers, onOrphan: (id) => orphans.push(id) })
      .subscribe()
      .unsubscribe();
    answers.next(answer);
    expect(orphans).toEqual(["12345"]);
  });

  it("that ends without an answer: submitJob errors with an InvalidResponseError saying so, as does each of a batch's inputs", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const { events, error } = await run(submitJob(client, input, { submitSource: () => EMPTY }));
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({ code: "INVALID_RESPONSE", message: "The submit source ended without an answer" });
    expect(error.jobId).toBeUndefined();
    // In a batch: that input's error event, counted as failed (it was counted nowhere), and the batch goes on.
    const other = { model, prompt: "A river" };
    const batch = await lastValueFrom(
      submitAll(
        client,
        [
          { key: "none", input },
          { key: "made", input: other },
        ],
        {
          download: false,
          submitSource: (given) => (given === input ? EMPTY : defer(() => client.queue.submit(given))),
        },
      ).pipe(toArray()),
    );
    expect(batch.filter((e) => e.key === "none")).toMatchObject([
      { type: "error", error: { code: "INVALID_RESPONSE", message: "The submit source ended without an answer" } },
    ]);
    expect(batch.at(-1)).toMatchObject({ key: "made", event: { type: "completed" } });
    expect(batch.at(-1)!.summary).toEqual({
      total: 2,
      submitted: 1,
      pending: 0,
      processing: 0,
      completed: 1,
      failed: 1,
    });
    expect(emu.stats().jobsCreated).toBe(1);
  });

  it("a DecartError of the source's is passed on as it is", async () => {
    emu = await startFast();
    const typed = new DecartError("refused upstream", { code: "SUBMIT_OUTCOME_UNKNOWN" });
    const { error } = await run(submitJob(clientFor(emu), input, { submitSource: () => throwError(() => typed) }));
    expect(error).toBe(typed);
  });

  it("an answer that is no submit answer: an InvalidResponseError saying what is wrong with it, naming no option", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    for (const [answer, problem] of [
      [{ nope: 1 }, '"job_id" must be given'],
      [null, "not an object"],
      [{ job_id: "job_abcdef123", status: "queued" }, '"status" must be one of'],
      // One that cannot be read (a Proxy's trap that throws, a revoked Proxy): said so, its id not read past the check.
      [new Proxy({}, { get: thrower }), "not a value that can be read"],
      [revoked(), "not a value that can be read"],
    ] as const) {
      // (Not rxjs's `of`, which reads its last argument, `schedule`, as it is called.)
      const once = () =>
        new Observable<any>((subscriber) => {
          subscriber.next(answer);
          subscriber.complete();
        });
      const { events, error } = await run(submitJob(client, input, { submitSource: once }));
      expect(events).toEqual([]);
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(error.message).toMatch(/^The submit source's answer is no submit answer \(/);
      expect(error.message).toContain(problem);
      expect(error.message).not.toMatch(/first|undefined/);
    }
    // The same in a batch.
    const batch = await lastValueFrom(
      submitAll(client, [input], { submitSource: () => of<any>({ nope: 1 }) }).pipe(toArray()),
    );
    expect(batch[0]).toMatchObject({ type: "error", error: expect.any(InvalidResponseError) });
    expect(emu.stats().jobsCreated).toBe(0);
  });

  it("an answer that names a usable job id made that job: the error carries it, and onOrphan hears it once nobody listens", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const answer = { job_id: "job_made_by_source", status: "queued" };
    const { error } = await run(submitJob(client, input, { submitSource: () => of<any>(answer) }));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({ jobId: "job_made_by_source" });
    expect(error.message).toMatch(/; job job_made_by_source was made: follow it with watchJob$/);
    // The subscriber gone before the answer came: the job is told to onOrphan.
    const orphans: string[] = [];
    const late = new Subject<any>();
    const subscription = submitJob(client, input, {
      submitSource: () => late,
      onOrphan: (jobId) => orphans.push(jobId),
    }).subscribe({ error: () => {} });
    subscription.unsubscribe();
    late.next(answer);
    expect(orphans).toEqual(["job_made_by_source"]);
  });

  it("a submit answer of a job the emulator made is followed as usual", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const events = await lastValueFrom(
      submitJob(client, input, { download: false, submitSource: () => defer(() => client.queue.submit(input)) }).pipe(
        toArray(),
      ),
    );
    expect(events[0]).toMatchObject({ type: "submitted" });
    expect(events.at(-1)).toMatchObject({ type: "completed" });
  });
});

describe("a resultSource of yours", () => {
  it("that answers what is neither a Blob nor download progress: the watch ends saying so, with the job id", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const { job_id } = await client.queue.submit(input);
    const { events, error } = await run(watchJob(client, job_id, { model, resultSource: () => of<any>("a string") }));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.jobId).toBe(job_id);
    expect(error.message).toContain(`Job ${job_id}: the result source answered no Blob`);
    // The download's start, and no progress made of the answer.
    const downloads = events.filter((e): e is Extract<JobEvent, { type: "downloading" }> => e.type === "downloading");
    expect(downloads.map((e) => e.receivedBytes)).toEqual([0]);
  });

  it("that answers progress, then the Blob: the progress events, then completed with it", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const { job_id } = await client.queue.submit(input);
    const video = new Blob(["video"]);
    const events = await lastValueFrom(
      watchJob(client, job_id, {
        model,
        resultSource: () => of({ receivedBytes: 5, totalBytes: 5 }, video),
      }).pipe(toArray()),
    );
    expect(events.slice(-2)).toMatchObject([
      { type: "downloading", receivedBytes: 5, totalBytes: 5 },
      { type: "completed", data: video },
    ]);
  });
});
