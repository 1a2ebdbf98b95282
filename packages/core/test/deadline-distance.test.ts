/**
 * Every call that takes a `deadline` and was not sent for want of time says the same: its deadline's distance from the
 * call's start ("no time left: its deadline was 600 ms before the call"), a status read and a download as a submit: a
 * deadline taken from `Date.now()` that a wall-clock step moved off the client's clock shows so. The client's clock
 * stands still at 1000 ms: the distances named are the deadlines' from it.
 */
import { afterEach, expect, it } from "vitest";
import { createDecartClient, models, TimeoutError } from "../src/index.js";
import { serve, silent } from "./helpers.js";

let api: Awaited<ReturnType<typeof serve>> | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

it("status, readStatus, download and submit name their deadline's distance, nothing sent", async () => {
  api = await serve(() => new Promise(() => {}));
  const client = createDecartClient({ apiKey: "k", baseUrl: api.url, logger: silent, poll: { now: () => 1000 } });
  const calls = [
    () => client.queue.status("job_1", { deadline: 400 }),
    () => client.queue.readStatus("job_1", { deadline: 400 }),
    () => client.queue.download("job_1", { deadline: 400 }),
    () => client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "A lake", deadline: 400 }),
  ];
  for (const call of calls) {
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toMatch(/: not sent, no time left: its deadline was 600 ms before the call$/);
  }
  expect(api.arrived()).toBe(0);
});
