/**
 * Another SDK's `timeout` given to a call is refused saying what it is among the call's own options: `timeoutMs` where
 * the call takes it (`process`, `submitAndPoll`), a `deadline` for `queue.submit` (which refuses `timeoutMs`). Following
 * the advice is taken.
 */
import { expect, it } from "vitest";
import { type DecartError, models } from "../src/index.js";
import { useEmulatorClient } from "./helpers.js";

const env = useEmulatorClient();

const video = { model: models.video("lucy-pro-t2v"), prompt: "A lake" };
const refusal = (call: () => Promise<unknown>) => call().catch((e) => e) as Promise<DecartError & { field: string }>;

it("queue.submit({ timeout }) says deadline (or submitAndPoll's timeoutMs), and a deadline is sent", async () => {
  const before = env.emu.stats().requests.total;
  const error = await refusal(() => env.client.queue.submit({ ...video, timeout: 5000 } as never));
  expect([error.code, error.field]).toEqual(["INVALID_INPUT", "timeout"]);
  expect(error.message).toContain(`"timeout" is deadline here (Date.now() + ms), or submitAndPoll's timeoutMs`);
  expect(error.message).not.toContain("is timeoutMs here");
  expect(env.emu.stats().requests.total).toBe(before);
  const job = await env.client.queue.submit({ ...video, deadline: Date.now() + 60_000 });
  expect(job.job_id).toMatch(/^job_/);
});

it.each([
  ["process", () => env.client.process({ model: models.image("lucy-pro-t2i"), prompt: "A", timeout: 5000 } as never)],
  ["queue.submitAndPoll", () => env.client.queue.submitAndPoll({ ...video, timeout: 5000 } as never)],
])("%s({ timeout }) says timeoutMs, which it takes", async (_, call) => {
  const before = env.emu.stats().requests.total;
  const error = await refusal(call);
  expect([error.code, error.field]).toEqual(["INVALID_INPUT", "timeout"]);
  expect(error.message).toContain(`"timeout" is timeoutMs here (ms)`);
  expect(env.emu.stats().requests.total).toBe(before);
});
