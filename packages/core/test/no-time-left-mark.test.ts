/**
 * A call not sent for want of time is told its deadline's distance from the call ("no time left: its deadline was …")
 * by the mark its error was made with (a `TimeoutError` marked not sent), never by the words of a message: a failure
 * of your `fetch` whose words end "no time left" is left as it is, and so is the rate-limit gate's refusal, which is
 * marked not sent but is no timeout. A purpose-built server on loopback; the client's clock is virtual (at 0).
 */
import { expect, it } from "vitest";
import { TimeoutError } from "../src/index.js";
import { json, serve, virtualClient } from "./helpers.js";

it("a failure of your fetch ending in 'no time left' keeps its words; one not sent for want of time is told", async () => {
  const server = await serve((_req, res) => json(res, 200, { job_id: "job_1", status: "pending" }));
  try {
    // A fetch of yours (a gateway's budget of its own) that sends the request, then fails with its own timeout.
    const { client } = virtualClient(server.url, {
      fetch: async (input, init) => {
        await fetch(input, init);
        throw new TimeoutError("gateway budget: no time left");
      },
    });
    const theirs = await client.queue.status("job_1", { deadline: 5_000 }).catch((e) => e);
    expect(theirs).toBeInstanceOf(TimeoutError);
    expect(theirs.message).toBe("gateway budget: no time left");
    expect(server.arrived()).toBe(1);
    // The client's own: not sent, its deadline 0 at the call's start (the clock stands at 0).
    const own = await client.queue.status("job_1", { deadline: 0 }).catch((e) => e);
    expect(own.message).toMatch(/: not sent, no time left: its deadline was 0 ms before the call$/);
    expect(server.arrived()).toBe(1);
  } finally {
    await server.close();
  }
});

it("the rate-limit gate's refusal (marked not sent, no timeout) is not told a deadline's distance", async () => {
  const server = await serve((_req, res) => {
    res.writeHead(429, { "content-type": "application/json", "retry-after": "30" });
    res.end(JSON.stringify({ detail: "Too many requests" }));
  });
  try {
    const { client } = virtualClient(server.url, { maxRetries: 0 });
    // The 429 shuts the gate for 30 s; the next read, its deadline 2 s on, is not sent.
    await client.queue.status("job_1").catch(() => {});
    const gated = await client.queue.status("job_1", { deadline: 2_000 }).catch((e) => e);
    expect(gated.message).toMatch(/: not sent, rate-limited for 30000 ms more$/);
    expect(server.arrived()).toBe(1);
  } finally {
    await server.close();
  }
});
