/**
 * "An answer that breaks the spec three times in a row" (README) surfaces; one now and then, each followed by a good
 * answer, does not add up: a good status answer starts the count again. A purpose-built server on loopback garbles
 * every other status answer of a long watch.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createDecartClient, type JobEvent } from "../src/index.js";
import { instantDelay, json, serve, silent } from "./helpers.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe("answers that break the spec, not in a row", () => {
  it("a watch whose every other status answer is garbled comes to the job's end", async () => {
    let reads = 0;
    // Reads 1, 3, 5, 7, 9: a status the spec does not know; 2, 4, 6, 8: processing; 10: completed. Five bad answers in
    // all, never two in a row.
    const server = await serve((_req, res) => {
      reads++;
      const status = reads >= 10 ? "completed" : reads % 2 ? "garbled" : "processing";
      json(res, 200, { job_id: "job-1", status });
    });
    closers.push(server.close);
    const client = createDecartClient({
      apiKey: "dct_spec_breaks_key_0123456789",
      baseUrl: server.url,
      logger: silent,
      random: () => 0,
      poll: { delay: instantDelay(), initialDelayMs: 0, intervalMs: 10 },
    });
    const events: JobEvent[] = [];
    for await (const event of client.queue.watch("job-1", { download: false, timeoutMs: 600_000 })) events.push(event);
    expect(events.at(-1)).toMatchObject({ type: "completed", job: { status: "completed" } });
    expect(reads).toBe(10);
    // Each garbled answer was a retry, a failed read of its own: attempt 1 each time, not a growing count.
    const retries = events.filter((e) => e.type === "retrying");
    expect(retries.map((e) => e.type === "retrying" && e.error.code)).toEqual(Array(5).fill("INVALID_RESPONSE"));
    expect(retries.map((e) => e.type === "retrying" && e.attempt)).toEqual(Array(5).fill(1));
  });
});
