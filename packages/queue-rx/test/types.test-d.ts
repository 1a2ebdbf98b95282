import {
  createDecartClient,
  type JobEvent,
  type JobWatch,
  models,
  type QueueJobOutcome,
  type QueueJobResult,
} from "@decart/core";
import { asyncScheduler, lastValueFrom, type Observable } from "rxjs";
import { expectTypeOf, test } from "vitest";
import {
  type BatchEvent,
  drive,
  type JobEventOf,
  type Pacer,
  retryWatch,
  submitAll,
  submitJob,
  throwOnFailure,
  toOutcome,
  watchJob,
} from "../src/index.js";

const client = createDecartClient({ apiKey: "dct_x" });
const input = { model: models.video("lucy-pro-t2v"), prompt: "A lake" };

test("submitJob takes a model's inputs as the core types them", () => {
  expectTypeOf(submitJob(client, { model: models.video("lucy-pro-t2v"), prompt: "A lake" })).toEqualTypeOf<
    Observable<JobEventOf<true>>
  >();
  // @ts-expect-error: not an orientation of the model
  submitJob(client, { model: models.video("lucy-pro-t2v"), prompt: "A lake", orientation: "diagonal" });
  // @ts-expect-error: the prompt is required
  submitJob(client, { model: models.video("lucy-pro-t2v") });
});

test("watchJob and submitAll", () => {
  expectTypeOf(watchJob(client, "job_1", { model: "lucy-pro-t2v" })).toEqualTypeOf<Observable<JobEventOf<true>>>();
  const batch = submitAll(client, [{ key: "a", input: { model: models.video("lucy-pro-t2v"), prompt: "A lake" } }]);
  expectTypeOf(batch).toEqualTypeOf<Observable<BatchEvent<string>>>();
});

test("the events follow `download`: `completed` has its data by default, none with download: false", () => {
  // Every JobEvent still: code written for JobEvent takes them.
  expectTypeOf<JobEventOf<true>>().toExtend<JobEvent>();
  expectTypeOf<JobEventOf<false>>().toExtend<JobEvent>();
  submitJob(client, input).subscribe((event) => {
    if (event.type === "completed") expectTypeOf(event.data).toEqualTypeOf<Blob>();
  });
  submitJob(client, input, { download: true, timeoutMs: 5000 }).subscribe((event) => {
    if (event.type === "completed") expectTypeOf(event.data).toEqualTypeOf<Blob>();
  });
  watchJob(client, "job_1", { download: false }).subscribe((event) => {
    if (event.type === "completed") expectTypeOf(event.data).toEqualTypeOf<undefined>();
  });
  // A download not known until run time: either.
  const download = Math.random() > 0.5;
  expectTypeOf(submitJob(client, input, { download })).toEqualTypeOf<Observable<JobEvent>>();
  expectTypeOf(watchJob(client, "job_1", { download })).toEqualTypeOf<Observable<JobEvent>>();
});

test("toOutcome() is typed as submitAndPoll's outcome for the same download", async () => {
  // The README's line: with the default download, the outcome has the video.
  const outcome = await lastValueFrom(submitJob(client, input).pipe(toOutcome()));
  expectTypeOf(outcome).toEqualTypeOf<QueueJobResult>();
  // As submitAndPoll's with the same download.
  expectTypeOf(client.queue.submitAndPoll(input)).toEqualTypeOf<Promise<typeof outcome>>();
  if (outcome.status === "completed") expectTypeOf(outcome.data).toEqualTypeOf<Blob>();
  expectTypeOf(
    await lastValueFrom(submitJob(client, input, { download: false }).pipe(toOutcome())),
  ).toEqualTypeOf<QueueJobOutcome>();
  expectTypeOf(
    await lastValueFrom(watchJob(client, "job_1").pipe(throwOnFailure(), toOutcome())),
  ).toEqualTypeOf<QueueJobResult>();
  const events = {} as Observable<JobEvent>;
  expectTypeOf(await lastValueFrom(events.pipe(toOutcome()))).toEqualTypeOf<QueueJobResult | QueueJobOutcome>();
});

test("retryWatch keeps its source's events, with its watch again's as its download makes them", () => {
  expectTypeOf(
    watchJob(client, "job_1", { download: false }).pipe(retryWatch(client, 1, { download: false })),
  ).toEqualTypeOf<Observable<JobEventOf<false>>>();
  expectTypeOf(submitJob(client, input).pipe(retryWatch(client, 2, { timeoutMs: 5000 }))).toEqualTypeOf<
    Observable<JobEventOf<true>>
  >();
  expectTypeOf(watchJob(client, "job_1", { download: false }).pipe(retryWatch(client, 1))).toEqualTypeOf<
    Observable<JobEventOf<false> | JobEventOf<true>>
  >();
});

test("a pacer of your own need not have `waves` (a 429 to it then doubles the backoff each time)", () => {
  const yours: Pacer = { gate: (request) => request, limited() {}, passed() {}, pausedUntil: 0 };
  expectTypeOf(yours.waves).toEqualTypeOf<number | undefined>();
});

test("drive takes a JobWatch of your own that leaves budgetMs out", () => {
  const done = { events: [], next: { done: true as const } };
  const watch: JobWatch = {
    start: () => done,
    status: () => done,
    error: () => done,
    progress: () => [],
    downloaded: () => done,
    deadline: Number.POSITIVE_INFINITY,
    background: () => undefined,
    wake: () => undefined,
  };
  expectTypeOf(
    drive(watch, "job_1", {
      read: (jobId, options) => client.queue.readStatus(jobId, options) as never,
      result: () => null as never,
      scheduler: asyncScheduler,
    }),
  ).toEqualTypeOf<Observable<JobEvent>>();
});
