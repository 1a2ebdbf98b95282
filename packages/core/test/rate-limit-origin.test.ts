/**
 * The client-wide rate-limit gate paces the API's own limit: a 429 of another origin (the CDN a result's redirect leads
 * to) is that server's, and fails or retries its own call without shutting the gate for every other call of the client.
 * Two purpose-built servers on loopback (two ports, two origins): the API, whose result is a redirect, and the CDN.
 */
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { createDecartClient, RateLimitError, type RateLimitPause } from "../src/index.js";
import { instantDelay, json, serve, silent } from "./helpers.js";

const JOB = `job_${"ef".repeat(16)}`;
const VIDEO = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from("ftypmp42"), Buffer.alloc(500, 7)]);

/** The API: a job's content is a redirect to the CDN, any other read a job in progress. */
const api = (cdn: string) =>
  serve((req, res) => {
    if (req.url!.endsWith("/content")) {
      res.writeHead(302, { location: `${cdn}/results/${JOB}.mp4` });
      res.end();
    } else json(res, 200, { job_id: decodeURIComponent(req.url!.split("/")[3]!), status: "processing" });
  });

const tooMany = (res: ServerResponse, seconds: number) => {
  res.writeHead(429, { "content-type": "text/plain", "retry-after": String(seconds), "x-request-id": "req_cdn" });
  res.end("slow down");
};

describe("a 429 of another origin than the API's", () => {
  it("fails its own call (a Retry-After beyond the budget) and leaves the client's gate open", async () => {
    const cdn = await serve((_req, res) => tooMany(res, 3600));
    const server = await api(cdn.url);
    try {
      const client = createDecartClient({ apiKey: "k", baseUrl: server.url, logger: silent });
      const pauses: RateLimitPause[] = [];
      client.rateLimit.subscribe((p) => pauses.push(p));
      const error = await client.queue.result(JOB).catch((e) => e);
      expect(error).toBeInstanceOf(RateLimitError);
      expect(error).toMatchObject({ status: 429, jobId: JOB, retryAfterMs: 3_600_000 });
      expect(pauses).toEqual([]);
      expect(client.rateLimit.pausedUntil()).toBeUndefined();
      // Another call of the client goes to the API at once (a plain call whose budget ends before a shut gate opens
      // would fail at the gate, not sent).
      expect(await client.queue.status("job_other")).toEqual({ job_id: "job_other", status: "processing" });
      expect(server.seen.map((r) => r.path)).toEqual([`/v1/jobs/${JOB}/content`, "/v1/jobs/job_other"]);
    } finally {
      await Promise.all([cdn.close(), server.close()]);
    }
  });

  it("retried after its Retry-After, by its own call only: the gate stays open", async () => {
    let n = 0;
    const cdn = await serve((_req, res) => {
      if (n++ === 0) return tooMany(res, 2);
      res.writeHead(200, { "content-type": "video/mp4", "content-length": VIDEO.length });
      res.end(VIDEO);
    });
    const server = await api(cdn.url);
    try {
      const delay = instantDelay();
      const client = createDecartClient({ apiKey: "k", baseUrl: server.url, logger: silent, poll: { delay } });
      const pauses: RateLimitPause[] = [];
      client.rateLimit.subscribe((p) => pauses.push(p));
      const video = await client.queue.result(JOB);
      expect(Buffer.from(await video.arrayBuffer()).equals(VIDEO)).toBe(true);
      expect(delay.calls).toEqual([2000]);
      expect(pauses).toEqual([]);
      expect(client.rateLimit.pausedUntil()).toBeUndefined();
    } finally {
      await Promise.all([cdn.close(), server.close()]);
    }
  });

  it("the API's own 429 (the first hop) still shuts the gate", async () => {
    const server = await serve((_req, res) => tooMany(res, 3600));
    try {
      const client = createDecartClient({ apiKey: "k", baseUrl: server.url, logger: silent, poll: { now: () => 0 } });
      const pauses: RateLimitPause[] = [];
      client.rateLimit.subscribe((p) => pauses.push(p));
      expect(await client.queue.result(JOB).catch((e) => e)).toBeInstanceOf(RateLimitError);
      expect(pauses).toEqual([{ waitMs: 60_000, until: 60_000, requestId: "req_cdn" }]);
    } finally {
      await server.close();
    }
  });
});
