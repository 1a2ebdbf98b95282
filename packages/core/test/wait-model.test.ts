/**
 * `queue.wait` and `queue.watch` take a video model only (`models.video(…)`, a definition of kind video, or a catalogue
 * video name, an alias too): a typo, an image model, a number or an object of no kind is an `InvalidInputError` naming
 * `model`, before any request.
 */
import { beforeAll, expect, it } from "vitest";
import { type DecartError, models } from "../src/index.js";
import { useEmulatorClient } from "./helpers.js";

const env = useEmulatorClient();
let jobId: string;
beforeAll(async () => {
  jobId = (await env.client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "A lake" })).job_id;
});

const drain = async (events: AsyncIterable<unknown>) => {
  for await (const _ of events);
};

it.each([["lucy-pro-t2"], ["lucy-pro-t2i"], [42], [{ name: "x" }], [models.image("lucy-pro-t2i")]])(
  "model %j is refused, nothing sent",
  async (model) => {
    const before = env.emu.stats().requests.total;
    for (const call of [
      () => env.client.queue.wait(jobId, { model: model as never }),
      () => drain(env.client.queue.watch(jobId, { model: model as never })),
    ]) {
      const error = (await call().catch((e) => e)) as DecartError & { field: string };
      expect([error.code, error.field]).toEqual(["INVALID_INPUT", "model"]);
      expect(error.message).toContain('"model" must be a video model');
    }
    expect(env.emu.stats().requests.total).toBe(before);
  },
);

it.each([[models.video("lucy-pro-t2v")], ["lucy-pro-t2v"], ["lucy-pro-v2v"]])("model %j is taken", async (model) => {
  const done = await env.client.queue.wait(jobId, { model: model as never, download: false });
  expect(done.status).toBe("completed");
});
