/**
 * The one watch-again decision (`canWatchAgain`), over real HTTP: each kind of error a watch (or a submit) ends with,
 * made against the emulator (or a purpose-built server for answers it cannot make), and what the decision says of it.
 * Where it says yes, watching the job again gets to its end; where it says no for a job, another watch meets the same
 * error. queue-rx's `retryWatch` and the React hooks' `retry()` ask the same function (their own tests hold them to it).
 */
import { createServer } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import {
  canWatchAgain,
  createDecartClient,
  type DecartClientOptions,
  type DecartError,
  models,
  VERSION,
} from "../src/index.js";
import { createGate } from "../src/retry.js";
import { createTransport } from "../src/transport.js";
import { breaks, type Schema } from "../src/validate.js";
import { clientFor, closedPort, instantDelay, json, serve, silent, startFast } from "./helpers.js";

const model = models.video("lucy-pro-t2v");
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** The emulator (fast jobs), closed after the test, and its client with `options`. */
async function emulated(options: DecartClientOptions = {}) {
  const emu = await startFast();
  closers.push(() => emu.close());
  return { emu, client: clientFor(emu, { poll: { delay: instantDelay() }, ...options }) };
}

/** What a promise rejects with (it must reject). */
const failure = (promise: Promise<unknown>): Promise<DecartError> =>
  promise.then(
    () => {
      throw new Error("it did not fail");
    },
    (error: DecartError) => error,
  );

describe("canWatchAgain: yes where the job goes on", () => {
  it("a watch whose budget ran out (JOB_TIMEOUT): watched again, the job comes to its end", async () => {
    // Each read of the client's clock is a second later: a 5 s budget ends after a few reads, whatever the machine.
    let now = 0;
    const { emu, client } = await emulated({ poll: { now: () => (now += 1_000), delay: instantDelay() } });
    const { job_id } = await client.queue.submit({ model, prompt: "outlasts its budget [hold]" });
    const error = await failure(client.queue.wait(job_id, { timeoutMs: 5_000, download: false }));
    expect(error).toMatchObject({ code: "JOB_TIMEOUT", jobId: job_id });
    expect(canWatchAgain(error)).toBe(true);
    expect(emu.release(job_id)).toBe(true);
    expect(await client.queue.wait(job_id, { timeoutMs: 600_000, download: false })).toMatchObject({
      status: "completed",
    });
  });

  it("a callback of yours that threw (CALLBACK_ERROR): the job goes on, and a watch again follows it", async () => {
    const { client } = await emulated();
    const { job_id } = await client.queue.submit({ model, prompt: "watched by a callback that throws" });
    const error = await failure(
      client.queue.wait(job_id, {
        onStatusChange: () => {
          throw new Error("the badge broke");
        },
      }),
    );
    expect(error).toMatchObject({ code: "CALLBACK_ERROR", jobId: job_id, retryable: false });
    expect(canWatchAgain(error)).toBe(true);
    expect(await client.queue.wait(job_id, { download: false })).toMatchObject({ status: "completed" });
  });

  it("a token source that failed three times in a row (TOKEN_ERROR, final): a watch again asks it again", async () => {
    const emu = await startFast();
    closers.push(() => emu.close());
    const { job_id } = await clientFor(emu).queue.submit({ model, prompt: "watched by a page whose route was down" });
    // The page's token route is down for three requests, then answers.
    let calls = 0;
    const token = async () => {
      if (++calls <= 3) throw new Error("fetch failed");
      return { apiKey: emu.apiKey, expiresAt: new Date(Date.now() + 3_600_000).toISOString() };
    };
    const page = clientFor(emu, { apiKey: undefined, token, random: () => 0, poll: { delay: instantDelay() } });
    const error = await failure(page.queue.wait(job_id, { download: false }));
    expect(error).toMatchObject({ code: "TOKEN_ERROR", jobId: job_id, retryable: false });
    expect(canWatchAgain(error)).toBe(true);
    expect(await page.queue.wait(job_id, { download: false })).toMatchObject({ status: "completed" });
  });

  it("a transient failure the policy gave up on (retryable: answers that broke the spec, more than three in a row)", async () => {
    const JOB = `job_${"ab".repeat(16)}`;
    let reads = 0;
    const api = await serve((_req, res) =>
      // Answers that are no job status (the policy retries three in a row, not a fourth), then the job, completed.
      json(res, 200, ++reads <= 4 ? {} : { job_id: JOB, status: "completed" }),
    );
    closers.push(api.close);
    const client = createDecartClient({
      apiKey: "dct_watch_again_0123456789",
      baseUrl: api.url,
      logger: silent,
      poll: { delay: instantDelay() },
    });
    const error = await failure(client.queue.wait(JOB, { download: false }));
    expect(error).toMatchObject({ code: "INVALID_RESPONSE", jobId: JOB, retryable: true });
    expect(canWatchAgain(error)).toBe(true);
    expect(await client.queue.wait(JOB, { download: false })).toMatchObject({ status: "completed" });
  });

  it("a transient failure the policy gave up on (retryable: a 5xx after its retries): a watch again gets past it", async () => {
    const JOB = "job_behind_a_server_down_a_while";
    // 503 to the status read and its 2 retries (the client's default `maxRetries`), then the job, completed.
    const api = await serve((_req, res) =>
      api.seen.length <= 3
        ? json(res, 503, { detail: "Not now" })
        : json(res, 200, { job_id: JOB, status: "completed" }),
    );
    closers.push(api.close);
    const client = createDecartClient({
      apiKey: "dct_watch_again_0123456789",
      baseUrl: api.url,
      logger: silent,
      random: () => 0,
      poll: { delay: instantDelay() },
    });
    const error = await failure(client.queue.status(JOB));
    expect(error).toMatchObject({ name: "ServerError", status: 503, retryable: true, jobId: JOB });
    expect(api.seen).toHaveLength(3);
    expect(canWatchAgain(error)).toBe(true);
    expect(await client.queue.wait(JOB, { download: false })).toMatchObject({ status: "completed" });
  });

  it("a transient failure the policy gave up on (retryable: a connection refused): a watch again gets past it", async () => {
    const JOB = "job_behind_a_server_not_up_yet";
    const port = await closedPort();
    const client = createDecartClient({
      apiKey: "dct_watch_again_0123456789",
      baseUrl: `http://127.0.0.1:${port}`,
      logger: silent,
      random: () => 0,
      maxRetries: 0,
      poll: { delay: instantDelay() },
    });
    const error = await failure(client.queue.status(JOB));
    expect(error).toMatchObject({ name: "ConnectionError", retryable: true, jobId: JOB });
    expect(canWatchAgain(error)).toBe(true);
    // The server comes up on that port: a watch again follows the job to its end.
    const server = createServer((_req, res) => json(res, 200, { job_id: JOB, status: "completed" }));
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    expect(await client.queue.wait(JOB, { download: false })).toMatchObject({ status: "completed" });
  });

  it("a server's submit answer that broke the spec but named a usable job_id (INVALID_RESPONSE, final): the job is followed", async () => {
    const JOB = "job_made_by_a_broken_answer";
    const api = await serve((req, res) =>
      json(res, 200, req.method === "POST" ? { job_id: JOB, status: "queued" } : { job_id: JOB, status: "completed" }),
    );
    closers.push(api.close);
    const client = createDecartClient({ apiKey: "dct_watch_again_0123456789", baseUrl: api.url, logger: silent });
    const error = await failure(client.queue.submitAndPoll({ model, prompt: "answered off the spec" }));
    expect(error).toMatchObject({ code: "INVALID_RESPONSE", jobId: JOB, retryable: false, status: 200 });
    expect(error.cause).toBeUndefined();
    expect(canWatchAgain(error)).toBe(true);
    expect(await client.queue.wait(JOB, { download: false })).toMatchObject({ status: "completed" });
  });
});

describe("canWatchAgain: no where another watch cannot help", () => {
  it.each(["queued", "cancelled"])(
    "a status this version does not know (%s, the API moved ahead): read a few times, then final, its remedy an upgrade",
    async (status) => {
      const JOB = "job_read_by_an_older_client";
      let reads = 0;
      const api = await serve((_req, res) => {
        reads++;
        json(res, 200, { job_id: JOB, status });
      });
      closers.push(api.close);
      const client = createDecartClient({
        apiKey: "dct_watch_again_0123456789",
        baseUrl: api.url,
        logger: silent,
        poll: { delay: instantDelay() },
      });
      const error = await failure(client.queue.wait(JOB, { download: false }));
      // Read as a transient answer is (three retries), then surfaced: the same read answers it again.
      expect(reads).toBe(4);
      expect(error).toMatchObject({ code: "INVALID_RESPONSE", jobId: JOB, status: 200, retryable: false });
      expect(error.message).toBe(
        `GET ${api.url}/v1/jobs/${JOB}: "status" must be one of "pending", "processing", "completed", "failed" (got "${status}") (HTTP 200, request req_test): an answer @decart/core ${VERSION} does not know (upgrade it)`,
      );
      // The answer as received, for a caller to act on.
      expect(JSON.parse(error.cause as string)).toEqual({ job_id: JOB, status });
      expect(canWatchAgain(error)).toBe(false);
      // A plain read is not tried again: the same answer would come.
      const read = await failure(client.queue.status(JOB));
      expect(reads).toBe(5);
      expect(read).toMatchObject({ code: "INVALID_RESPONSE", jobId: JOB, retryable: false });
      expect(canWatchAgain(read)).toBe(false);
    },
  );

  it("a 404 (no such job) and a 401 (a key that may not read it): another watch meets the same", async () => {
    const { emu, client } = await emulated();
    for (let n = 0; n < 2; n++) {
      const error = await failure(client.queue.wait("job_nobody_made"));
      expect(error).toMatchObject({ code: "NOT_FOUND", status: 404, jobId: "job_nobody_made" });
      expect(canWatchAgain(error)).toBe(false);
    }
    const { job_id } = await client.queue.submit({ model, prompt: "read with a key the server does not know" });
    const stranger = clientFor(emu, { apiKey: "dct_not_a_key_of_this_server" });
    for (let n = 0; n < 2; n++) {
      const error = await failure(stranger.queue.wait(job_id));
      expect(error).toMatchObject({ code: "AUTHENTICATION", status: 401, jobId: job_id });
      expect(canWatchAgain(error)).toBe(false);
    }
  });

  it("a job that failed on the server (JobFailedError): it has ended", async () => {
    const { client } = await emulated({ logger: { warn: () => {} } });
    const error = await failure(client.generate({ model, prompt: "[fail: sorry]" }));
    expect(error).toMatchObject({ code: "JOB_FAILED", jobId: expect.any(String) });
    expect(canWatchAgain(error)).toBe(false);
  });

  it("your abort (ABORT), options the watch refuses (INVALID_INPUT): no watch again", async () => {
    const { client } = await emulated();
    const { job_id } = await client.queue.submit({ model, prompt: "aborted by its page" });
    const aborted = await failure(client.queue.wait(job_id, { signal: AbortSignal.abort() }));
    expect(aborted).toMatchObject({ code: "ABORT", jobId: job_id });
    expect(canWatchAgain(aborted)).toBe(false);
    const refused = await failure(client.queue.wait(job_id, { timeoutMs: "5000" as never }));
    expect(refused).toMatchObject({ code: "INVALID_INPUT", field: "timeoutMs" });
    expect(canWatchAgain(refused)).toBe(false);
  });

  it("a submit whose outcome is unknown (SUBMIT_OUTCOME_UNKNOWN): no job id, nothing to watch", async () => {
    const emu = await startFast({ faults: [{ route: "submit", kind: "500" }] });
    closers.push(() => emu.close());
    const error = await failure(clientFor(emu).queue.submitAndPoll({ model, prompt: "answered 500" }));
    expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", jobId: undefined });
    expect(canWatchAgain(error)).toBe(false);
  });

  it("an answer's check of the client's own that threw (a stale build's schema), wrapped with the job's id: no", async () => {
    const api = await serve((_req, res) => json(res, 200, { job_id: "job_1", status: "pending" }));
    closers.push(api.close);
    const now = Date.now;
    const transport = createTransport(api.url, undefined, {}, fetch, 60_000, {
      maxRetries: 0,
      delay: async () => {},
      now,
      wall: now,
      random: () => 0,
      logger: silent,
      gate: createGate(now),
      timeoutMs: 60_000,
    });
    const read = () =>
      failure(transport("GET", "/v1/jobs/job_1", { jobId: "job_1", json: breaks(undefined as unknown as Schema) }));
    const error = await read();
    // (An unexpected throw, not the server's answer: it is wrapped, what was thrown its cause.)
    expect(error).toMatchObject({ code: "INVALID_RESPONSE", jobId: "job_1", retryable: false });
    expect(error.status).toBeUndefined();
    expect(error.cause).toBeInstanceOf(TypeError);
    expect(canWatchAgain(error)).toBe(false);
    // What another read meets: the same throw.
    expect(await read()).toMatchObject({ code: "INVALID_RESPONSE", cause: expect.any(TypeError) });
  });

  it("anything that is not an error of a job: no", () => {
    for (const value of [undefined, null, "JOB_TIMEOUT", 42, new Error("x"), { retryable: true }])
      expect(canWatchAgain(value)).toBe(false);
    expect(canWatchAgain({ jobId: "job_1", code: "JOB_TIMEOUT" })).toBe(true);
  });
});
