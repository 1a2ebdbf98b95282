// A batch's pause after a 429 lets the submits it held go gradually, as the client's rate-limit gate lets its calls go
// (the core's `releaseWait`, the client's `random`), not all at its end: against a purpose-built server that takes at
// most R submits a second (429 with Retry-After: 1 beyond), a batch of N at once makes all its jobs, with fewer 429s
// than inputs.
import { createServer } from "node:http";
import { createDecartClient, models, POLICY } from "@decart/core";
import { defer, lastValueFrom, toArray } from "rxjs";
import { rateLimitedServer } from "test-utils";
import { describe, expect, it } from "vitest";
import { submitAll } from "../src/batch.js";
import { createPacer, throughPacer } from "../src/pacing.js";
import { seeded } from "./helpers.js";
import { silent } from "./marbles.js";

describe("a batch held by a 429's pause", () => {
  it("N submits at once against a limit of R a second: all made, fewer 429s than inputs", async () => {
    const N = 40;
    const R = 10;
    // At most R submits in each second since the server started, else 429 with Retry-After: 1; every status: done.
    const server = await rateLimitedServer(R);
    try {
      const client = createDecartClient({
        apiKey: "dct_test",
        baseUrl: server.url,
        logger: silent,
        random: seeded(5),
      });
      const model = models.video("lucy-pro-t2v");
      const events = await lastValueFrom(
        submitAll(
          client,
          Array.from({ length: N }, (_, i) => ({ model, prompt: `p${i}` })),
          { concurrency: N, download: false },
        ).pipe(toArray()),
      );
      expect(events.filter((e) => e.type === "error")).toEqual([]);
      expect(events.at(-1)!.summary).toMatchObject({ total: N, submitted: N, completed: N, failed: 0 });
      expect(server.made()).toBe(N);
      // The first burst's N - R, then a few a second. Let go all at once when the pause ended, the held submits met
      // 429 again at each end (30, 20, then 10 more).
      expect(server.limited()).toBeLessThan(N);
    } finally {
      await server.close();
    }
  }, 60_000);
  it("a status read the pause held is spread once, by the pacer, not again by the client's gate", async () => {
    // A 429 asking for 1 s, then a status.
    let n = 0;
    const JOB = `job_${"ab".repeat(16)}`;
    const server = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      if (++n === 1) {
        res.writeHead(429, { "retry-after": "1" });
        res.end(JSON.stringify({ detail: "Rate limit exceeded" }));
      } else res.end(JSON.stringify({ job_id: JOB, status: "processing" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      // Draws counted (each 0.2); the client's waits recorded, and waited.
      let draws = 0;
      const random = () => {
        draws++;
        return 0.2;
      };
      const waits: number[] = [];
      const client = createDecartClient({
        apiKey: "k",
        baseUrl: `http://127.0.0.1:${port}`,
        logger: silent,
        maxRetries: 0,
        random,
        poll: {
          delay: (ms) => {
            waits.push(ms);
            return new Promise((resolve) => setTimeout(resolve, ms));
          },
        },
      });
      // Paced as submitAll paces its reads: the client's clock and random, its gate's pauses.
      const { now } = (client.queue as any)[POLICY];
      const pacer = createPacer(undefined, now, random);
      client.rateLimit.subscribe(({ waitMs }) => pacer.limited({ retryAfterMs: waitMs }));
      await expect(client.queue.status(JOB)).rejects.toMatchObject({ status: 429 });
      const job = await lastValueFrom(defer(() => client.queue.status(JOB)).pipe(throughPacer(pacer)));
      expect(job.status).toBe("processing");
      // One draw (the pacer's); the client's gate, open when the pacer let the read go, neither waited nor drew.
      expect(draws).toBe(1);
      expect(waits).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
