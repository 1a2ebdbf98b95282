// A status read in flight ends with the watch's budget: a server that never answers, and a client whose per-request
// limit is ten minutes, so that only the watch's deadline can end the read.
import { createServer } from "node:http";
import { createDecartClient, JobTimeoutError } from "@decart/core";
import { lastValueFrom } from "rxjs";
import { describe, expect, it } from "vitest";
import { watchJob } from "../src/watch.js";
import { until } from "./helpers.js";
import { silent } from "./marbles.js";

async function neverAnswers() {
  const seen = { requests: 0, abandoned: 0 };
  const server = createServer((req) => {
    seen.requests++;
    req.socket.once("close", () => seen.abandoned++);
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

describe("the watch's deadline over HTTP", () => {
  it("watchJob with timeoutMs ends in JobTimeoutError while its read is in flight, and aborts that read", async () => {
    const server = await neverAnswers();
    try {
      const error = await lastValueFrom(watchJob(server.client, "job_slow", { timeoutMs: 300 })).catch((e) => e);
      expect(error).toBeInstanceOf(JobTimeoutError);
      expect(error.jobId).toBe("job_slow");
      await until(() => server.seen.abandoned === 1);
      expect(server.seen.requests).toBe(1);
    } finally {
      await server.close();
    }
  });
});
