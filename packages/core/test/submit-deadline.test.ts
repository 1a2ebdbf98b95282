/**
 * `queue.submit` and `process` given a `deadline`: the retries' waits are counted on the client's clock from the call's
 * start, the attempts' own time included, so a `Retry-After` past what is left fails at once, one request. Without it, a
 * plain call's budget (the client's `timeoutMs`) counts the waits only: an upload answered 503 after minutes is still
 * sent again under the default settings.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createDecartClient, InvalidInputError, models, RateLimitError } from "../src/index.js";
import { instantDelay, json, serve, silent } from "./helpers.js";

/** The client's clock: it moves by the waits the client asks for, and as the server says (an attempt's time). */
let t = 0;
let api: Awaited<ReturnType<typeof serve>> | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** A server whose first answer takes `takesMs` on the client's clock and is `status` with `Retry-After: 2`. */
async function refusingOnce(status: number, takesMs: number) {
  api = await serve((_req, res, _body) => {
    if (api!.seen.length > 1) return json(res, 200, { job_id: "job_after", status: "pending" });
    t += takesMs;
    res.writeHead(status, { "content-type": "application/json", "retry-after": "2", "x-request-id": "req_slow" });
    res.end(JSON.stringify({ detail: "Not now" }));
  });
  t = 0;
  const delay = instantDelay((ms) => {
    t += ms;
  });
  const client = (options: { timeoutMs?: number } = {}) =>
    createDecartClient({ apiKey: "k", baseUrl: api!.url, logger: silent, poll: { now: () => t, delay }, ...options });
  return { client, delay };
}

describe("a plain call's deadline counts the attempts' time", () => {
  it("queue.submit: answered 429 after 1.5 s with Retry-After: 2, 3 s to its deadline: fails at once", async () => {
    const { client, delay } = await refusingOnce(429, 1500);
    const error = await client()
      .queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "A lake", deadline: 3000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ retryAfterMs: 2000, requestId: "req_slow", retryable: true });
    expect(api!.seen).toHaveLength(1);
    // (No retry's wait: only the gate's, never asked for by this call, which failed at once.)
    expect(delay.calls).toEqual([]);
  });

  it("process: the same", async () => {
    const { client } = await refusingOnce(429, 1500);
    const error = await client()
      .process({ model: models.image("lucy-pro-t2i"), prompt: "A lake", deadline: 3000 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "RATE_LIMIT", retryAfterMs: 2000 });
    expect(api!.seen).toHaveLength(1);
  });

  it("without one, a client's timeoutMs of 3 s counts the waits only: sent again after 2 s", async () => {
    const { client, delay } = await refusingOnce(429, 1500);
    const job = await client({ timeoutMs: 3000 }).queue.submit({
      model: models.video("lucy-pro-t2v"),
      prompt: "A lake",
    });
    expect(job.job_id).toBe("job_after");
    expect(api!.seen).toHaveLength(2);
    expect(delay.calls).toContain(2000);
  });

  it("an upload answered 503 after 5 minutes is sent again under the default settings", async () => {
    const { client } = await refusingOnce(503, 300_000);
    const data = new Blob([new Uint8Array(64)], { type: "video/mp4" });
    const job = await client().queue.submit({ model: models.video("lucy-clip"), prompt: "Snow", data });
    expect(job.job_id).toBe("job_after");
    expect(api!.seen).toHaveLength(2);
  });

  it("is refused with timeoutMs (process) and by submitAndPoll, before anything is sent", async () => {
    const { client } = await refusingOnce(429, 0);
    const c = client();
    const watched = "left out of submitAndPoll and submitAndWatch: give `timeoutMs`";
    for (const [call, must] of [
      [
        // @ts-expect-error: not both (refused at run time as well, for a call the types did not see)
        () => c.process({ model: models.image("lucy-pro-t2i"), prompt: "A lake", deadline: 3000, timeoutMs: 5000 }),
        "given without `timeoutMs`",
      ],
      [
        // @ts-expect-error: submitAndPoll takes no deadline
        () => c.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "A lake", deadline: 3000 }),
        watched,
      ],
      [
        () =>
          // @ts-expect-error: nor submitAndWatch
          c.queue.submitAndWatch({ model: models.video("lucy-pro-t2v"), prompt: "A lake", deadline: 3000 }).next(),
        watched,
      ],
    ] as const) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ field: "deadline", message: `Invalid input: "deadline" must be ${must}` });
    }
    expect(api!.seen).toHaveLength(0);
  });
});
