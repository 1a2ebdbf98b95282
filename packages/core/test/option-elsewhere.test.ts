/**
 * A name a model lacks that is a client option (`maxRetries`) or another SDK's option of a call (`timeout`, `webhook`,
 * fal's `input`) is refused saying where it goes, with the model's inputs and the call's options, and without the way
 * past the check (`validateInputs: false`), which would send it to the API (422). Nothing is sent.
 */
import { expect, it } from "vitest";
import { type DecartError, models } from "../src/index.js";
import { useEmulatorClient } from "./helpers.js";

const env = useEmulatorClient();

const model = models.video("lucy-pro-t2v");
const refusal = (call: () => Promise<unknown>) => call().catch((e) => e) as Promise<DecartError & { field: string }>;

it.each([
  ["maxRetries", 0, /"maxRetries" is a client option: createDecartClient\(\{ maxRetries \}\)/],
  ["retrySubmit", true, /"retrySubmit" is a client option: createDecartClient\(\{ retrySubmit \}\)/],
  ["timeout", 5000, /"timeout" is timeoutMs here \(ms\)/],
  ["webhook", "https://example.com/hook", /"webhook" has no counterpart: the API has no webhooks \(watch the job\)/],
  ["input", { prompt: "A lake" }, /"input" has no counterpart: inputs go in the call itself/],
])("submitAndPoll({ %s }) says where it goes", async (key, value, words) => {
  const error = await refusal(() => env.client.queue.submitAndPoll({ model, prompt: "A lake", [key]: value } as never));
  expect([error.code, error.field]).toEqual(["INVALID_INPUT", key]);
  expect(error.message).toMatch(words);
  expect(error.message).toContain("(inputs: prompt, seed, resolution, orientation; options: model, timeoutMs,");
  expect(error.message).not.toContain("validateInputs");
  expect(error.message).not.toContain("deadline");
  expect(env.emu.stats().requests.total).toBe(0);
});

it("a submit lists its own options", async () => {
  const error = await refusal(() => env.client.queue.submit({ model, prompt: "A lake", maxRetries: 0 } as never));
  expect(error.message).toMatch(/options: model, signal, onUploadProgress, deadline\)$/);
});

it("another unknown name keeps the way past the check", async () => {
  const error = await refusal(() => env.client.queue.submit({ model, prompt: "A lake", colour: "red" } as never));
  expect(error.message).toMatch(/"colour" must be a known name .*, or any with validateInputs: false$/);
  expect(env.emu.stats().requests.total).toBe(0);
});
