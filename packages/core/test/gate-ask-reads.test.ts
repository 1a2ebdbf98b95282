/**
 * The rate-limit gate keeps the server's whole `Retry-After` of a submit answered 429 (it holds calls 60 s of it at
 * most): a read of a job (a watch's status read) meeting it shut is not refused for that ask, which was about making
 * jobs: it waits the gate's 60 s and reads on, and the paid job's watch goes on to its end. A small server answers
 * every submit 429 with `Retry-After: 900`; time passes only in the client's waits (`virtualTime`). The ask kept is the
 * server's latest word: a later 429 asking less replaces it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { models, RateLimitError } from "../src/index.js";
import { json, serve, virtualClient } from "./helpers.js";

let server: Awaited<ReturnType<typeof serve>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("a submit's long Retry-After at the gate", () => {
  it("does not end another job's watch: its reads wait the gate's 60 s and go on", async () => {
    let reads = 0;
    server = await serve((req, res) => {
      if (req.method === "POST") {
        res.setHeader("retry-after", "900");
        return json(res, 429, { detail: "Too many jobs" });
      }
      if (req.url!.endsWith("/content")) {
        res.writeHead(200, { "content-type": "video/mp4" }).end("mp4");
        return;
      }
      reads++;
      json(res, 200, { job_id: "job_a", status: reads >= 3 ? "completed" : "processing" });
    });
    const { client, delay, now } = virtualClient(server.url);
    // Another submit on the client is answered 429, `Retry-After: 900`: the gate shuts (60 s), keeping the ask.
    const other = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "y" }).catch((e) => e);
    // A paid job's watch, 10 minutes left of its budget, meets the gate shut.
    const job = await client.queue.wait("job_a", { timeoutMs: 600_000 });
    expect(other).toBeInstanceOf(RateLimitError);
    expect((other as RateLimitError).retryAfterMs).toBe(900_000);
    expect(job.status).toBe("completed");
    expect(reads).toBe(3);
    // The read after the 429 waited the gate (60 s), not the server's whole ask.
    expect(delay.calls).toContain(60_000);
    expect(now()).toBeLessThan(600_000);
  });

  it("is the server's latest word: a later 429 with a shorter Retry-After replaces it", async () => {
    let retryAfter = "900";
    server = await serve((_req, res) => {
      res.setHeader("retry-after", retryAfter);
      json(res, 429, { detail: "Too many jobs" });
    });
    const { client, delay } = virtualClient(server.url, { maxRetries: 0 });
    const submit = () => client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "y" }).catch((e) => e);
    expect((await submit()).retryAfterMs).toBe(900_000);
    // Past the gate's 60 s, the server asks 2 s now.
    await delay(61_000);
    retryAfter = "2";
    expect((await submit()).retryAfterMs).toBe(2_000);
    // A submit meeting the gate shut waits those 2 s and is sent, not refused for what is left of the 900 s.
    const third = await submit();
    expect(third).toMatchObject({ status: 429, retryAfterMs: 2_000 });
    expect(server.seen).toHaveLength(3);
  });
});
