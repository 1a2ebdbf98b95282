// A batch's pause after a 429 lets the submits it held go gradually, as the client's rate-limit gate lets its calls go
// (the core's `releaseWait`, the client's `random`), not all at its end: against a purpose-built server that takes at
// most R submits a second (429 with Retry-After: 1 beyond), a batch of N at once makes all its jobs, with fewer 429s
// than inputs.
import { createServer } from "node:http";
import { createDecartClient, models } from "@decart/core";
import { lastValueFrom, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { submitAll } from "../src/batch.js";
import { seeded } from "./helpers.js";
import { silent } from "./marbles.js";

describe("a batch held by a 429's pause", () => {
  it("N submits at once against a limit of R a second: all made, fewer 429s than inputs", async () => {
    const N = 40;
    const R = 10;
    // At most R submits in each second since the server started, else 429 with Retry-After: 1; every status: done.
    let window = -1;
    let used = 0;
    let limited = 0;
    let made = 0;
    const start = Date.now();
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.setHeader("content-type", "application/json");
        if (req.method !== "POST") {
          res.end(JSON.stringify({ job_id: req.url!.split("/").pop(), status: "completed" }));
          return;
        }
        const w = Math.floor((Date.now() - start) / 1000);
        if (w !== window) [window, used] = [w, 0];
        if (used >= R) {
          limited++;
          res.writeHead(429, { "retry-after": "1" }).end(JSON.stringify({ detail: "Rate limit exceeded" }));
          return;
        }
        used++;
        res.end(JSON.stringify({ job_id: `job_${String(++made).padStart(32, "0")}`, status: "pending" }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      const client = createDecartClient({
        apiKey: "dct_test",
        baseUrl: `http://127.0.0.1:${port}`,
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
      expect(made).toBe(N);
      // The first burst's N - R, then a few a second. Let go all at once when the pause ended, the held submits met
      // 429 again at each end (30, 20, then 10 more).
      expect(limited).toBeLessThan(N);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 60_000);
});
