/**
 * Another SDK's option, or a client option, given to a call that takes no model inputs (`queue.wait`, `files.upload`,
 * `tokens.create`) is refused saying where it goes, as a submit's is: one table for every call. Nothing is sent: no
 * status read, no file stored, no token made.
 */
import { beforeAll, expect, it } from "vitest";
import { type DecartError, models } from "../src/index.js";
import { useEmulatorClient } from "./helpers.js";

const env = useEmulatorClient();
let jobId: string;
beforeAll(async () => {
  ({ job_id: jobId } = await env.client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "A lake" }));
});

const file = () => new Blob([new Uint8Array(8)], { type: "image/png" });
const calls: Record<string, (option: Record<string, unknown>) => Promise<unknown>> = {
  "queue.wait": (option) => env.client.queue.wait(jobId, option as never),
  "files.upload": (option) => env.client.files.upload(file(), option as never),
  "tokens.create": (option) => env.client.tokens.create(option as never),
};

it.each([
  ["queue.wait", "timeout", 5, /"timeout" is timeoutMs here \(ms\) \(options: model, timeoutMs,/],
  ["files.upload", "timeout", 5, /"timeout" is signal here: AbortSignal\.timeout\(ms\) \(options: ttlSeconds, signal,/],
  ["tokens.create", "timeout", 5, /"timeout" is signal here: AbortSignal\.timeout\(ms\) \(options: expiresIn,/],
  ["queue.wait", "maxRetries", 0, /"maxRetries" is a client option: createDecartClient\(\{ maxRetries \}\)/],
  ["files.upload", "maxRetries", 0, /"maxRetries" is a client option: createDecartClient\(\{ maxRetries \}\)/],
  ["tokens.create", "maxRetries", 0, /"maxRetries" is a client option: createDecartClient\(\{ maxRetries \}\)/],
  ["queue.wait", "webhook", "https://example.com/hook", /"webhook" has no counterpart: the API has no webhooks/],
])("%s({ %s }) says where it goes, and sends nothing", async (name, key, value, words) => {
  const before = env.emu.stats();
  const error = (await calls[name]!({ [key]: value }).catch((e) => e)) as DecartError & { field: string };
  expect([error.code, error.field]).toEqual(["INVALID_INPUT", key]);
  expect(error.message).toMatch(words);
  expect(error.message).not.toContain("known name");
  const after = env.emu.stats();
  expect(after.requests.total).toBe(before.requests.total);
  expect([after.jobsCreated, after.requests.byRoute.files, after.requests.byRoute.tokens]).toEqual([1, 0, 0]);
});

it("a name of nowhere is still told the known ones", async () => {
  const error = (await env.client.queue.wait(jobId, { colour: "red" } as never).catch((e) => e)) as DecartError;
  expect(error.message).toMatch(/"colour" must be a known name \(one of model, timeoutMs,/);
});
