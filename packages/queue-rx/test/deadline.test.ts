// Status reads and downloads in flight end with the watch's budget: purpose-built servers that stop answering, and a
// client whose per-request limit is ten minutes, so that only the watch's deadline can end a request sooner. The
// budgets start at 2 s; a run whose requests did not all reach the server before its deadline (a loaded machine) is
// not the case under test, and is run again with a longer budget.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createDecartClient, JobTimeoutError } from "@decart/core";
import { lastValueFrom } from "rxjs";
import { describe, expect, it } from "vitest";
import { watchJob } from "../src/watch.js";
import { until } from "./helpers.js";
import { silent } from "./marbles.js";

/** A server run by `answer` (which may never answer); it counts the requests, and those the client gave up. */
async function serve(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen = { requests: 0, abandoned: 0 };
  const server = createServer((req, res) => {
    seen.requests++;
    req.socket.once("close", () => seen.abandoned++);
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const client = createDecartClient({
    apiKey: "dct_test",
    baseUrl: `http://127.0.0.1:${port}`,
    timeoutMs: 600_000,
    logger: silent,
  });
  const close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { seen, client, close };
}

/**
 * Runs `attempt` with budgets of 2, 8 and 30 s until the server saw `requests` requests before the deadline: each run's
 * own server, so that a run given up leaves nothing for the next.
 */
async function withBudget(
  requests: number,
  answer: (req: IncomingMessage, res: ServerResponse) => void,
  attempt: (server: Awaited<ReturnType<typeof serve>>, timeoutMs: number) => Promise<void>,
) {
  for (const timeoutMs of [2000, 8000, 30_000]) {
    const server = await serve(answer);
    try {
      await attempt(server, timeoutMs);
      if (server.seen.requests < requests) continue;
      expect(server.seen.requests).toBe(requests);
      // Every request the server saw was given up by the client at the deadline.
      await until(() => server.seen.abandoned === server.seen.requests);
      return;
    } finally {
      await server.close();
    }
  }
  throw new Error(`the server never saw ${requests} requests before the deadline`);
}

describe("the watch's deadline over HTTP", () => {
  it("watchJob with timeoutMs ends in JobTimeoutError while its read is in flight, and aborts that read", async () => {
    await withBudget(
      1,
      () => {},
      async (server, timeoutMs) => {
        const error = await lastValueFrom(watchJob(server.client, "job_slow", { timeoutMs })).catch((e) => e);
        expect(error).toBeInstanceOf(JobTimeoutError);
        expect(error.jobId).toBe("job_slow");
        // The read the budget cut names the budget's figure, as the watch's own error does.
        expect(error.message).toContain(`not done within ${timeoutMs} ms`);
        expect(error.cause.message).toMatch(new RegExp(`job_slow: timed out \\(the budget of ${timeoutMs} ms\\)$`));
      },
    );
  }, 60_000);

  it("a download that stalls ends with the watch's budget too", async () => {
    // The status read, and one download, given up at the deadline.
    await withBudget(
      2,
      (req, res) => {
        if (!req.url!.endsWith("/content")) {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ job_id: "job_stall", status: "completed", model: "lucy-pro-t2v" }));
          return;
        }
        res.writeHead(200, { "content-type": "video/mp4", "content-length": "1000" });
        res.write(new Uint8Array(10)); // then nothing more
      },
      async (server, timeoutMs) => {
        const error = await lastValueFrom(watchJob(server.client, "job_stall", { timeoutMs })).catch((e) => e);
        expect(error).toBeInstanceOf(JobTimeoutError);
        expect(error).toMatchObject({ jobId: "job_stall", lastStatus: "completed" });
        expect(error.cause.message).toMatch(new RegExp(`\\(the budget of ${timeoutMs} ms\\)$`));
      },
    );
  }, 60_000);
});
