/**
 * A submit inside a wait's budget (`submitAndPoll`) during an outage that takes nothing (503s): with `maxRetries` given
 * to the client, it is sent that many times more and ends with the failure, as `queue.submit` does (no job was made:
 * the budget protects a paid job's watch, not a submit); without it, it is sent again until the budget ends. Over HTTP
 * against the emulator (its `submit:503` fault); time passes only in the client's waits (`virtualTime`).
 */
import type { Emulator } from "@decart/emulator";
import { afterEach, expect, it } from "vitest";
import { JobTimeoutError, models, ServerError } from "../src/index.js";
import { clientFor, startFast, virtualTime } from "./helpers.js";

const t2v = models.video("lucy-pro-t2v");
let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const outage = async (maxRetries?: number) => {
  emu = await startFast({ faults: [{ route: "submit", kind: "503" }] });
  const time = virtualTime();
  const client = clientFor(emu, { maxRetries, random: () => 0.5, poll: { now: time.now, delay: time.delay } });
  const error = await client.queue.submitAndPoll({ model: t2v, prompt: "x", timeoutMs: 20_000 }).catch((e) => e);
  return { error, posts: emu.stats().requests.byRoute.submit };
};

it("maxRetries given to the client: the watch's submit is sent that many times more, then fails with the 503", async () => {
  const { error, posts } = await outage(1);
  expect(error).toBeInstanceOf(ServerError);
  expect(error).toMatchObject({ status: 503, retryable: true, jobId: undefined });
  expect(posts).toBe(2);
});

it("maxRetries 0: one POST", async () => {
  const { error, posts } = await outage(0);
  expect(error).toBeInstanceOf(ServerError);
  expect(posts).toBe(1);
});

it("maxRetries not given: sent again until the budget ends, then JobTimeoutError", async () => {
  const { error, posts } = await outage();
  expect(error).toBeInstanceOf(JobTimeoutError);
  expect(error).toMatchObject({ code: "JOB_TIMEOUT", retryable: true });
  expect(posts).toBeGreaterThan(3);
});
