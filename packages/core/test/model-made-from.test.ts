/**
 * A model given as an object made from a definition (`Object.create(def)`, its fields its prototype's) is refused by
 * every call alike, saying to pass the definition itself or a copy; a copy (`{ ...def }`) is taken. Nothing is sent.
 */
import { beforeAll, expect, it } from "vitest";
import { type DecartError, models } from "../src/index.js";
import { useEmulatorClient } from "./helpers.js";

const env = useEmulatorClient();
let jobId: string;
beforeAll(async () => {
  ({ job_id: jobId } = await env.client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "A lake" }));
});

const def = models.video("lucy-pro-t2v");
const calls: Record<string, (model: object) => Promise<unknown>> = {
  "queue.wait": (model) => env.client.queue.wait(jobId, { model: model as never, download: false }),
  "queue.submit": (model) => env.client.queue.submit({ model: model as never, prompt: "A lake" }),
};

it.each(Object.keys(calls))("%s refuses Object.create(definition), saying what to pass, nothing sent", async (name) => {
  const before = env.emu.stats();
  const error = (await calls[name]!(Object.create(def)).catch((e) => e)) as DecartError & { field: string };
  expect([error.code, error.field]).toEqual(["INVALID_INPUT", "model"]);
  expect(error.message).toContain('"model" must be the definition itself, or { ...definition }');
  const after = env.emu.stats();
  expect([after.requests.total, after.jobsCreated]).toEqual([before.requests.total, before.jobsCreated]);
});

it.each(Object.keys(calls))("%s takes a copy ({ ...definition })", async (name) => {
  await expect(calls[name]!({ ...def })).resolves.toMatchObject({ status: expect.any(String) });
});
