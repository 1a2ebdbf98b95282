import { describe, expectTypeOf, it } from "vitest";
import {
  createDecartClient,
  type DecartError,
  type FileInput,
  type Inputs,
  type JobSubmitResult,
  models,
  type QueueJobOutcome,
  type QueueJobResult,
  RateLimitError,
  type VideoModel,
} from "../src/index.js";

const client = createDecartClient({ apiKey: "k" });

describe("model inputs are checked at compile time", () => {
  it("lucy-pro-t2v requires a prompt and rejects a bad orientation", () => {
    expectTypeOf(client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x" })).toEqualTypeOf<
      Promise<JobSubmitResult>
    >();
    // @ts-expect-error: prompt is required
    client.queue.submit({ model: models.video("lucy-pro-t2v") });
    // @ts-expect-error: "diagonal" is not an orientation
    client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x", orientation: "diagonal" });
    // @ts-expect-error: unknown field
    client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x", colour: "red" });
    client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x", orientation: "portrait", seed: 3 });
    expectTypeOf<Inputs<"lucy-pro-t2v">["prompt"]>().toEqualTypeOf<string>();
    expectTypeOf<NonNullable<Inputs<"lucy-pro-t2v">["orientation"]>>().toEqualTypeOf<"landscape" | "portrait">();
  });

  it("widens file fields to every accepted input and types JSON fields by their schema", () => {
    expectTypeOf<Inputs<"lucy-clip">["data"]>().toEqualTypeOf<FileInput>();
    expectTypeOf<Blob>().toExtend<FileInput>();
    expectTypeOf<ReadableStream<Uint8Array>>().toExtend<FileInput>();
    expectTypeOf<Uint8Array>().toExtend<FileInput>();
    expectTypeOf<URL>().toExtend<FileInput>();
    type Trajectory = Inputs<"lucy-motion">["trajectory"];
    expectTypeOf<{ frame: number; x: number; y: number }[]>().toExtend<Trajectory>();
    expectTypeOf<string>().toExtend<Trajectory>();
    expectTypeOf<{ frame: number }[]>().not.toExtend<Trajectory>();
  });

  it("keeps image models off the queue and video models off process", () => {
    expectTypeOf(models.video("lucy-pro-t2v")).toEqualTypeOf<VideoModel<"lucy-pro-t2v">>();
    // @ts-expect-error: an image model is not a video model
    models.video("lucy-pro-t2i");
    // @ts-expect-error: a video model is not an image model
    models.image("lucy-pro-t2v");
    // @ts-expect-error: unknown model name
    models.video("lucy-nope");
    // @ts-expect-error: process takes image models
    client.process({ model: models.video("lucy-pro-t2v"), prompt: "x" });
    expectTypeOf(client.process({ model: models.image("lucy-pro-t2i"), prompt: "x" })).toEqualTypeOf<Promise<Blob>>();
  });

  it("types the outcome of a job as a union on status", async () => {
    const result = await client.queue.submitAndPoll({
      model: models.video("lucy-pro-t2v"),
      prompt: "x",
      onStatusChange: (job) =>
        expectTypeOf(job.status).toEqualTypeOf<"pending" | "processing" | "completed" | "failed">(),
      onSubmitted: (jobId) => expectTypeOf(jobId).toEqualTypeOf<string>(),
    });
    expectTypeOf(result).toEqualTypeOf<QueueJobResult>();
    if (result.status === "completed") expectTypeOf(result.data).toEqualTypeOf<Blob>();
    else expectTypeOf(result.error).toEqualTypeOf<string>();
  });

  it("narrows errors with isInstance", () => {
    const e: unknown = undefined;
    if (RateLimitError.isInstance(e)) {
      expectTypeOf(e).toEqualTypeOf<RateLimitError>();
      expectTypeOf(e.retryAfterMs).toEqualTypeOf<number | undefined>();
      expectTypeOf(e).toExtend<DecartError>();
    }
  });
});

describe("waiting without a download", () => {
  it("answers an outcome without data when download is false, and the Blob result otherwise", () => {
    const model = models.video("lucy-pro-t2v");
    expectTypeOf(client.queue.submitAndPoll({ model, prompt: "x", download: false })).toEqualTypeOf<
      Promise<QueueJobOutcome>
    >();
    expectTypeOf(client.queue.submitAndPoll({ model, prompt: "x" })).toEqualTypeOf<Promise<QueueJobResult>>();
    expectTypeOf(client.queue.wait("job_1", { download: false })).toEqualTypeOf<Promise<QueueJobOutcome>>();
    expectTypeOf(client.queue.wait("job_1")).toEqualTypeOf<Promise<QueueJobResult>>();
    const flag = Math.random() > 0.5;
    expectTypeOf(client.queue.wait("job_1", { download: flag })).toEqualTypeOf<
      Promise<QueueJobResult | QueueJobOutcome>
    >();
    expectTypeOf(client.queue.submitAndPoll({ model, prompt: "x", download: flag })).toEqualTypeOf<
      Promise<QueueJobResult | QueueJobOutcome>
    >();
  });
});
