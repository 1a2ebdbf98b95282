import { createDecartClient, type JobEvent, models } from "@decart/core";
import type { Observable } from "rxjs";
import { expectTypeOf, test } from "vitest";
import { type BatchEvent, submitAll, submitJob, watchJob } from "../src/index.js";

const client = createDecartClient({ apiKey: "dct_x" });

test("submitJob takes a model's inputs as the core types them", () => {
  expectTypeOf(submitJob(client, { model: models.video("lucy-pro-t2v"), prompt: "A lake" })).toEqualTypeOf<
    Observable<JobEvent>
  >();
  // @ts-expect-error: not an orientation of the model
  submitJob(client, { model: models.video("lucy-pro-t2v"), prompt: "A lake", orientation: "diagonal" });
  // @ts-expect-error: the prompt is required
  submitJob(client, { model: models.video("lucy-pro-t2v") });
});

test("watchJob and submitAll", () => {
  expectTypeOf(watchJob(client, "job_1", { model: "lucy-pro-t2v" })).toEqualTypeOf<Observable<JobEvent>>();
  const batch = submitAll(client, [{ key: "a", input: { model: models.video("lucy-pro-t2v"), prompt: "A lake" } }]);
  expectTypeOf(batch).toEqualTypeOf<Observable<BatchEvent>>();
});
