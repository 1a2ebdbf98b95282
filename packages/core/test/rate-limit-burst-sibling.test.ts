/**
 * A burst's pause is one pause, yet not free: a sibling 429 of the same burst that asks a longer `Retry-After` than the
 * call's own grows the call's wait by the difference, counted against its budget (the client's `timeoutMs`: what a
 * plain call waits in all, the rate-limit gate included). A call whose budget that difference outruns fails at once,
 * not sent, as at any gate shut past its budget; one within it is sent again after the longer pause. Over HTTP, against
 * a purpose-built server that holds both submits until both have come, then answers them 429 one by one, 5 ms apart;
 * on time that passes only in waits, each let go once every submit waits or has ended. A 429 of that wave answered
 * long after the first (a slow request) is a new pause for the budget, as a later wave's is.
 */
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { models } from "../src/index.js";
import { json, serve, steppedClient, until } from "./helpers.js";

const JOB = `job_${"cd".repeat(16)}`;

// Each 429 answered `gap` ms after the one before.
async function burst(retryAfters: string[], gap = 5) {
  const n = retryAfters.length;
  // The first request of each submit, by its prompt's number (`p0`, `p1` …): answered in that order, whichever came first.
  const held: ServerResponse[] = [];
  let count = 0;
  const server = await serve((req, res, body) => {
    if (req.method === "POST" && server.arrived() <= n) {
      held[+/\r\n\r\np(\d+)\r\n/.exec(body.toString())![1]!] = res;
      count++;
    } else json(res, 200, { job_id: JOB, status: "pending" });
  });
  try {
    const { client, clock, closings, letWaitsGo } = steppedClient(server.url, 10_000);
    let ended = 0;
    const model = models.video("lucy-pro-t2v");
    // Each submit's outcome and the clock when it ended.
    const submits = retryAfters.map((_, i) =>
      client.queue
        .submit({ model, prompt: `p${i}` })
        .then(
          (r) => ({ at: clock.t, got: r.job_id }),
          (e: Error) => ({ at: clock.t, got: e.message }),
        )
        .finally(() => ended++),
    );
    await until(() => count === n);
    for (const [i, res] of held.entries()) {
      if (i) clock.t += gap;
      res.writeHead(429, { "content-type": "application/json", "retry-after": retryAfters[i]! });
      res.end(JSON.stringify({ detail: "Rate limit exceeded" }));
      await until(() => closings() === i + 1);
    }
    await letWaitsGo(n, () => ended);
    return { outcomes: await Promise.all(submits), posts: server.seen.filter((r) => r.method === "POST").length };
  } finally {
    await server.close();
  }
}

describe("a 429 to a request sent before the pause, answered long after the first", () => {
  it("is a new pause for the budget: the call answered first, its budget spent, fails at once, not sent", async () => {
    // Budget 10 s: the first asks 10 s; the other request, in flight all along, is answered 7 s later and asks 6 s,
    // which holds the gate 3 s past the first's pause.
    const { outcomes, posts } = await burst(["10", "6"], 7_000);
    expect(outcomes[0]!.got).toMatch(/not sent, rate-limited for 3000 ms more/);
    expect(outcomes[0]!.at).toBeLessThanOrEqual(10_000);
    expect(outcomes[1]!.got).toBe(JOB);
    expect(posts).toBe(3);
  });
});

describe("a sibling 429 of the same burst asking a longer Retry-After", () => {
  it("past the budget: the call answered first fails at once, not sent, as at a gate shut past its budget", async () => {
    // Budget 10 s: the first asks 2 s, its sibling 60 s (which fails itself at once: beyond its budget).
    const { outcomes, posts } = await burst(["2", "60"]);
    expect(outcomes[0]!.got).toMatch(/not sent, rate-limited for \d+ ms more/);
    expect(outcomes[0]!.at).toBeLessThanOrEqual(10_000);
    expect(posts).toBe(2);
  });

  it("within the budget: the call answered first is sent again after the longer pause, and succeeds", async () => {
    // The first asks 2 s, its sibling 10 s, the whole budget: the 8 s it adds, answered 5 ms later, fit exactly.
    const { outcomes, posts } = await burst(["2", "10"]);
    expect(outcomes.map((o) => o.got)).toEqual([JOB, JOB]);
    expect(posts).toBe(4);
  });
});
