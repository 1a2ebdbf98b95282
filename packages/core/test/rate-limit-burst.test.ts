/**
 * A burst of 429s is one pause: submits sent together, answered 429 together with a `Retry-After` equal to their
 * budget, are all sent again after the pause, where the rest of the burst (answered a few ms after the first, each
 * moving the gate's end a little later) failed the submits answered first at the gate ("not sent, rate-limited for N
 * ms more"). Over HTTP, against a purpose-built server that holds the submits until all have come ("together": each
 * sent before any 429 closed the gate, however slow the machine), then answers them 429 one by one; on time that
 * passes only in waits and between those answers (5 ms each), each wait let go once every submit waits or has ended.
 */
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { models } from "../src/index.js";
import { json, serve, steppedClient, until } from "./helpers.js";

const JOB = `job_${"ef".repeat(16)}`;
const N = 4;

describe("a burst of 429s answered together", () => {
  it("is one pause for each of its submits: all are sent again after it, and succeed", async () => {
    const held: ServerResponse[] = [];
    const server = await serve((req, res) => {
      if (req.method === "POST" && server.arrived() <= N) held.push(res);
      else json(res, 200, { job_id: JOB, status: "pending" });
    });
    try {
      // The client's clock, moved by the test alone; its waits, each let go by the test at its end on that clock.
      const { client, clock, closings, letWaitsGo } = steppedClient(server.url, 30_000);
      let ended = 0;
      const model = models.video("lucy-pro-t2v");
      const submits = Array.from({ length: N }, (_, i) =>
        client.queue.submit({ model, prompt: `p${i}` }).finally(() => ended++),
      );
      await until(() => held.length === N);
      // The burst: each 429 asks for the whole budget, 5 ms after the one before.
      for (const [i, res] of held.entries()) {
        res.writeHead(429, { "content-type": "application/json", "retry-after": "30" });
        res.end(JSON.stringify({ detail: "Rate limit exceeded" }));
        await until(() => closings() === i + 1);
        clock.t += 5;
      }
      // Then time passes wait by wait: the earliest to end is let go once every submit waits or has ended.
      await letWaitsGo(N, () => ended);
      const outcomes = await Promise.allSettled(submits);
      expect(outcomes.map((o) => (o.status === "fulfilled" ? o.value.job_id : (o.reason as Error).message))).toEqual(
        Array(N).fill(JOB),
      );
      // Each sent twice: its 429, then its job.
      expect(server.seen.filter((r) => r.method === "POST").length).toBe(2 * N);
    } finally {
      await server.close();
    }
  });
});
