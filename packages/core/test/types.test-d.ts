import { describe, expectTypeOf, it } from "vitest";
import {
  createDecartClient,
  DecartError,
  type ErrorCode,
  type FileInput,
  type ImageModelName,
  type Inputs,
  type JobSubmitResult,
  models,
  type QueueJobOutcome,
  type QueueJobResult,
  RateLimitError,
  type VideoModel,
  type VideoModelName,
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

  it("types an error's code as the client's codes: a misspelt one does not compile", () => {
    const e = new RateLimitError("x");
    expectTypeOf(e.code).toEqualTypeOf<ErrorCode>();
    expectTypeOf<"RATE_LIMIT" | "SUBMIT_OUTCOME_UNKNOWN" | "AUTHORIZE_FAILED">().toExtend<DecartError["code"]>();
    // @ts-expect-error: the code is RATE_LIMIT
    if (e.code === "RATE_LIMITED") return;
    // An error of your own may carry a code of yours.
    new DecartError("x", { code: "MY_OWN" });
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

describe("a model chosen at run time", () => {
  const blob = new Blob();
  const pick = <T>(a: T, b: T): T => (Math.random() > 0.5 ? a : b);

  it("takes the inputs of any one of the models: a union of each model's inputs", () => {
    const name = pick<"lucy-pro-t2v" | "lucy-2.5">("lucy-pro-t2v", "lucy-2.5");
    expectTypeOf<Inputs<"lucy-pro-t2v">>().toExtend<Inputs<"lucy-pro-t2v" | "lucy-2.5">>();
    expectTypeOf<Inputs<"lucy-2.5">>().toExtend<Inputs<"lucy-pro-t2v" | "lucy-2.5">>();
    // lucy-2.5's inputs (`data` is its own) and lucy-pro-t2v's (a prompt alone) are both taken.
    client.queue.submit({ model: models.video(name), prompt: "x", data: blob });
    client.queue.submit({ model: models.video(name), prompt: "x", orientation: "portrait" });
    client.queue.submitAndPoll({ model: models.video(name), prompt: "x", data: blob, seed: 1, download: false });
    client.queue.submitAndWatch({ model: models.video(name), prompt: "x", data: blob });
    client.generate({ model: models.video(name), prompt: "x", data: blob });
    // @ts-expect-error: a field of none of the models
    client.queue.submit({ model: models.video(name), prompt: "x", promt: "y" });
    // @ts-expect-error: a seed is a number for every model
    client.queue.submit({ model: models.video(name), prompt: "x", seed: "12" });
    // @ts-expect-error: lucy-2.5 needs `data`, and lucy-pro-t2v has no `reference_image`
    client.queue.submit({ model: models.video(name), prompt: "x", reference_image: blob });
    // @ts-expect-error: both need a prompt
    client.queue.submit({ model: models.video(name), data: blob });
  });

  it("takes any video model's inputs for a VideoModelName, and any image model's for an ImageModelName", () => {
    const video = pick<VideoModelName>("lucy-pro-t2v", "lucy-motion");
    client.queue.submit({ model: models.video(video), prompt: "x" });
    client.queue.submit({ model: models.video(video), data: blob, trajectory: [{ frame: 0, x: 1, y: 2 }] });
    // @ts-expect-error: no video model has this field
    client.queue.submit({ model: models.video(video), prompt: "x", colour: "red" });
    const image = pick<"lucy-pro-t2i" | "lucy-image-2">("lucy-pro-t2i", "lucy-image-2");
    expectTypeOf(client.process({ model: models.image(image), prompt: "x", data: blob })).toEqualTypeOf<
      Promise<Blob>
    >();
    client.process({ model: models.image(image), prompt: "x" });
    const anyImage = pick<ImageModelName>("lucy-pro-t2i", "lucy-image-2");
    client.process({ model: models.image(anyImage), prompt: "x", data: blob });
    // @ts-expect-error: process takes image models, whichever
    client.process({ model: models.video(video), prompt: "x" });
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

describe("a call's deadline", () => {
  it("is taken by queue.submit and process, not by submitAndPoll, submitAndWatch nor with process's timeoutMs", () => {
    const video = models.video("lucy-pro-t2v");
    const image = models.image("lucy-pro-t2i");
    expectTypeOf(client.queue.submit({ model: video, prompt: "x", deadline: 3000 })).toEqualTypeOf<
      Promise<JobSubmitResult>
    >();
    expectTypeOf(client.process({ model: image, prompt: "x", deadline: 3000 })).toEqualTypeOf<Promise<Blob>>();
    expectTypeOf(client.process({ model: image, prompt: "x", timeoutMs: 5000 })).toEqualTypeOf<Promise<Blob>>();
    // @ts-expect-error: submitAndPoll's budget is its timeoutMs
    client.queue.submitAndPoll({ model: video, prompt: "x", deadline: 3000 });
    // @ts-expect-error: nor with download: false
    client.queue.submitAndPoll({ model: video, prompt: "x", deadline: 3000, download: false });
    // @ts-expect-error: submitAndWatch's neither
    client.queue.submitAndWatch({ model: video, prompt: "x", deadline: 3000 });
    // @ts-expect-error: one budget or the other
    client.process({ model: image, prompt: "x", deadline: 3000, timeoutMs: 5000 });
  });
});
