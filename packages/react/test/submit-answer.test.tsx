/**
 * A submit answer that names a usable job id but breaks the spec otherwise (a status the spec does not list): the job
 * was made, and the core's error carries its id. The hook shows it, and `retry()` watches that job (no second job):
 * the core's `canWatchAgain` says another watch can get past such an answer. And a submit answered 502 once its body
 * was read: a job may exist, and the state holds the core's error with what to do (its request id for support). A
 * purpose-built server plays the API.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { canWatchAgain, createDecartClient, models } from "@decart/core";
import { act, renderHook } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { DecartProvider, useGenerateVideo } from "../src/index.js";
import { until } from "./helpers.js";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

const VIDEO = new Uint8Array([0, 0, 0, 24, 102, 116, 121, 112, 109, 112, 52, 50, 0, 0, 0, 0, 105, 115, 111, 109]);

/** The API: a submit answered with a status the spec does not list; the job's status and content as they should be. */
async function api() {
  const posts: string[] = [];
  server = createServer((req, res) => {
    const cors = { "access-control-allow-origin": "*", "access-control-allow-headers": "*" };
    if (req.method === "OPTIONS") return res.writeHead(204, { ...cors, "access-control-allow-methods": "*" }).end();
    req.resume();
    if (req.method === "POST") {
      posts.push(req.url!);
      res.writeHead(200, { ...cors, "content-type": "application/json" });
      return res.end(JSON.stringify({ job_id: "job_paid_1", status: "queued" }));
    }
    if (req.url === "/v1/jobs/job_paid_1") {
      res.writeHead(200, { ...cors, "content-type": "application/json" });
      return res.end(JSON.stringify({ job_id: "job_paid_1", status: "completed" }));
    }
    res.writeHead(200, { ...cors, "content-type": "video/mp4", "content-length": VIDEO.length });
    res.end(VIDEO);
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, posts };
}

describe("a submit answer with a usable job id and a status the spec does not list", () => {
  it("useGenerateVideo shows the job's id, canRetry is true, and retry() watches that job: one POST", async () => {
    const { url, posts } = await api();
    const client = createDecartClient({
      apiKey: "ek_page_token_0123456789",
      baseUrl: url,
      dangerouslyAllowBrowser: true,
      poll: { initialDelayMs: 10, intervalMs: 15 },
      logger: { warn: () => {}, debug: () => {} },
    });
    const { result } = renderHook(() => useGenerateVideo(), {
      wrapper: ({ children }) => <DecartProvider client={client}>{children}</DecartProvider>,
    });
    await act(async () => {
      await result.current.submit({ model: models.video("lucy-pro-t2v"), prompt: "a job paid for" });
    });
    await until(() => result.current.status === "error");
    expect(result.current.error).toMatchObject({ code: "INVALID_RESPONSE", jobId: "job_paid_1" });
    expect(canWatchAgain(result.current.error)).toBe(true);
    expect(result.current.canRetry).toBe(true);
    await act(async () => result.current.retry());
    await until(() => result.current.status === "completed");
    expect(result.current.jobId).toBe("job_paid_1");
    expect(new Uint8Array(await result.current.result!.arrayBuffer())).toEqual(VIDEO);
    expect(posts).toHaveLength(1);
  });
});

describe("a job's status this version does not know (a status the API added since)", () => {
  it("useGenerateVideo ends in the core's error saying to upgrade, the job's id kept; canRetry is false", async () => {
    let reads = 0;
    server = createServer((req, res) => {
      const cors = { "access-control-allow-origin": "*", "access-control-allow-headers": "*" };
      if (req.method === "OPTIONS") return res.writeHead(204, { ...cors, "access-control-allow-methods": "*" }).end();
      req.resume();
      if (req.method === "GET") reads++;
      res.writeHead(200, { ...cors, "content-type": "application/json" });
      res.end(JSON.stringify({ job_id: "job_ahead_1", status: req.method === "POST" ? "pending" : "cancelled" }));
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const client = createDecartClient({
      apiKey: "ek_page_token_0123456789",
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      dangerouslyAllowBrowser: true,
      poll: { initialDelayMs: 10, intervalMs: 15, delay: async () => {} },
      logger: { warn: () => {}, debug: () => {} },
    });
    const { result } = renderHook(() => useGenerateVideo(), {
      wrapper: ({ children }) => <DecartProvider client={client}>{children}</DecartProvider>,
    });
    await act(async () => {
      await result.current.submit({ model: models.video("lucy-pro-t2v"), prompt: "a job the API moved past" });
    });
    await until(() => result.current.status === "error");
    expect(result.current.error).toMatchObject({ code: "INVALID_RESPONSE", jobId: "job_ahead_1", retryable: false });
    expect(result.current.error!.message).toMatch(/\(got "cancelled"\).*does not know \(upgrade it\)$/);
    expect(reads).toBe(4);
    expect(result.current.canRetry).toBe(false);
  });
});

describe("a submit answered 502 once its body was read (its outcome unknown: a job may exist)", () => {
  it("useGenerateVideo's state holds the core's error with its words: the request id for support, that a job may exist; nothing to retry, no onOrphan (it is the state's)", async () => {
    const posts: string[] = [];
    server = createServer((req, res) => {
      const cors = { "access-control-allow-origin": "*", "access-control-allow-headers": "*" };
      if (req.method === "OPTIONS") return res.writeHead(204, { ...cors, "access-control-allow-methods": "*" }).end();
      req.on("end", () => {
        posts.push(req.url!);
        const id = { "x-request-id": "req_lost_502", "access-control-expose-headers": "x-request-id" };
        res.writeHead(502, { ...cors, ...id, "content-type": "application/json" });
        res.end(JSON.stringify({ detail: "Upstream did not answer" }));
      });
      req.resume();
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const client = createDecartClient({
      apiKey: "ek_page_token_0123456789",
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      dangerouslyAllowBrowser: true,
      logger: { warn: () => {}, debug: () => {} },
    });
    const orphans: unknown[] = [];
    const { result } = renderHook(() => useGenerateVideo({ onOrphan: (error) => orphans.push(error) }), {
      wrapper: ({ children }) => <DecartProvider client={client}>{children}</DecartProvider>,
    });
    let jobId: string | undefined = "none yet";
    await act(async () => {
      jobId = await result.current.submit({ model: models.video("lucy-pro-t2v"), prompt: "did the server take it?" });
    });
    expect(jobId).toBeUndefined();
    expect(result.current).toMatchObject({
      status: "error",
      watching: false,
      jobId: undefined,
      canRetry: false,
      error: { code: "SUBMIT_OUTCOME_UNKNOWN", status: 502, requestId: "req_lost_502" },
    });
    expect(result.current.error!.message).toMatch(
      /\(HTTP 502, request req_lost_502\); a job \(or file\) may exist: not sent again \(that could bill twice\): ask support before retrying$/,
    );
    await act(async () => expect(await result.current.retry()).toBeUndefined());
    expect(posts).toHaveLength(1); // sent once, not again
    expect(orphans).toEqual([]);
  });
});
