// A queue.submit with a deadline 100 s away, answered 429 20 s in with `Retry-After: 90` (80 s left): a Retry-After
// longer than what is left of the deadline fails at once, sending nothing more, even where the wait honoured (60 s at
// most) would fit. (What was left was read once, before the attempts: it waited 60 s and sent again at 80 s.)
import { afterEach, expect, it } from "vitest";
import { createDecartClient, models, RateLimitError } from "../src/index.js";
import { instantDelay, json, serve, silent } from "./helpers.js";

let api: Awaited<ReturnType<typeof serve>> | undefined;
afterEach(async () => {
  await api?.close();
});

it("a capped Retry-After past what is left of the deadline fails at once", async () => {
  let t = 0;
  api = await serve((_req, res) => {
    if (api!.seen.length > 1) return json(res, 200, { job_id: "job_after", status: "pending" });
    t += 20_000;
    res.writeHead(429, { "content-type": "application/json", "retry-after": "90" });
    res.end(JSON.stringify({ detail: "Not now" }));
  });
  const delay = instantDelay((ms) => {
    t += ms;
  });
  const client = createDecartClient({ apiKey: "k", baseUrl: api.url, logger: silent, poll: { now: () => t, delay } });
  const error = await client.queue
    .submit({ model: models.video("lucy-pro-t2v"), prompt: "A lake", deadline: 100_000 })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RateLimitError);
  expect(api.seen).toHaveLength(1);
});
