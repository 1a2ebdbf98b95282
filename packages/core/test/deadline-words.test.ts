/**
 * A `queue.submit` or `process` cut at its `deadline` names the budget's length from the call's start, as `process`'s
 * own budget is named ("timed out (the budget of 300 ms)", not "(the budget)"); one whose deadline was reached already
 * as it began is not sent, and says so ("no time left" alone gave no hint why). The client's clock stands still (at
 * 1000 ms): the lengths named are the deadlines' distances from it, whatever the machine's speed.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createDecartClient, models, TimeoutError } from "../src/index.js";
import { serve, silent } from "./helpers.js";

let api: Awaited<ReturnType<typeof serve>> | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** A server that takes every request and never answers it. */
async function silentServer() {
  api = await serve(() => new Promise(() => {}));
  return createDecartClient({ apiKey: "k", baseUrl: api.url, logger: silent, poll: { now: () => 1000 } });
}

const video = { model: models.video("lucy-pro-t2v"), prompt: "A lake" };
const image = { model: models.image("lucy-pro-t2i"), prompt: "A lake" };

describe("a call's deadline in its timeout's words", () => {
  it("a submit and a process cut there name the budget's length", async () => {
    const client = await silentServer();
    for (const [call, path] of [
      [() => client.queue.submit({ ...video, deadline: 1300 }), "/v1/jobs/lucy-pro-t2v"],
      [() => client.process({ ...image, deadline: 1300 }), "/v1/generate/lucy-pro-t2i"],
    ] as const) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as Error).message).toMatch(
        new RegExp(`^POST http://127\\.0\\.0\\.1:\\d+${path}: timed out \\(the budget of 300 ms\\); `),
      );
    }
    expect(api!.arrived()).toBe(2);
  });

  it("one reached already as the call began: not sent, and it says so", async () => {
    const client = await silentServer();
    for (const [call, path, before] of [
      [() => client.queue.submit({ ...video, deadline: 400 }), "/v1/jobs/lucy-pro-t2v", 600],
      [() => client.process({ ...image, deadline: 1000 }), "/v1/generate/lucy-pro-t2i", 0],
    ] as const) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^POST http://127\\.0\\.0\\.1:\\d+${path}: not sent, no time left: its deadline was ${before} ms before the call$`,
        ),
      );
    }
    expect(api!.arrived()).toBe(0);
  });

  it("in whole ms: a fractional budget, one past by a fraction, one too near for its attempt to be sent", async () => {
    const client = await silentServer();
    const timedOut = await client.queue.submit({ ...video, deadline: 1100.7 }).catch((e: unknown) => e);
    expect((timedOut as Error).message).toMatch(/: timed out \(the budget of 101 ms\); /);
    const past = await client.process({ ...image, deadline: 999.6 }).catch((e: unknown) => e);
    // (Under half a ms, its first figure: never "0 ms" for a deadline not at the call's start.)
    expect((past as Error).message).toMatch(/: not sent, no time left: its deadline was 0\.4 ms before the call$/);
    // A clock that moves 1 ms at each read: the deadline, 1.4 ms after the call began, is reached before its attempt.
    let t = 1000;
    const moving = createDecartClient({ apiKey: "k", baseUrl: api!.url, logger: silent, poll: { now: () => t++ } });
    const near = await moving.queue.submit({ ...video, deadline: 1001.4 }).catch((e: unknown) => e);
    expect(near).toBeInstanceOf(TimeoutError);
    expect((near as Error).message).toMatch(/: not sent, no time left: its deadline was 1 ms after the call$/);
    // 0.4 ms after the call began: after it, though 0 in whole ms, so said with its first figure.
    t = 1000;
    const nearer = await moving.queue.submit({ ...video, deadline: 1000.4 }).catch((e: unknown) => e);
    expect((nearer as Error).message).toMatch(/: not sent, no time left: its deadline was 0\.4 ms after the call$/);
    expect(api!.arrived()).toBe(1);
  });
});
