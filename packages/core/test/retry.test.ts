import { createServer, type IncomingHttpHeaders } from "node:http";
import type { FaultRule } from "@decart/emulator";
import { describe, expect, it, vi } from "vitest";
import {
  ConnectionError,
  createDecartClient,
  type DecartClient,
  type DecartClientOptions,
  models,
  ONCE,
  RateLimitError,
  ServerError,
} from "../src/index.js";
import { backoffDelay, parseRetryAfter, retryWait } from "../src/retry.js";
import { clientFor, closedPort, firstN, instantDelay, json, serve, silent, startFast } from "./helpers.js";

/** An emulator whose first `n` requests on the rule's route get the fault. */
async function faultyFirst(n: number, rule: FaultRule) {
  return startFast({ faults: [{ ...rule, rate: 0.5 }], random: firstN(n) });
}

const t2v = () => models.video("lucy-pro-t2v");

/**
 * A server whose requests answer 429 (or `status`) with each of `retryAfter` in turn (one per request), then a pending
 * job (or a file, at /v1/files/…).
 */
async function rateLimiting(retryAfter: string[], status = 429) {
  let reads = 0;
  const server = createServer((req, res) => {
    const value = retryAfter[reads++];
    // No Date header: an HTTP-date Retry-After is then a time on the client's clock, which a test sets.
    res.sendDate = false;
    if (value === undefined) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify(
          req.url!.startsWith("/v1/files/") ? { file_id: "file_1" } : { job_id: "job_1", status: "pending" },
        ),
      );
    } else {
      res.writeHead(status, {
        "content-type": "application/json",
        "retry-after": value,
        "x-request-id": `req_${reads}`,
      });
      res.end(JSON.stringify({ detail: "Not now" }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    reads: () => reads,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("retries of reads (GET): network errors, 408, 429, 5xx", () => {
  it("retries a status read after a 503 and succeeds", async () => {
    const emu = await faultyFirst(1, { route: "status", kind: "503" });
    try {
      const delay = instantDelay();
      const client = clientFor(emu, { poll: { delay } });
      const job = await client.queue.submit({ model: t2v(), prompt: "x" });
      const status = await client.queue.status(job.job_id);
      expect(status.job_id).toBe(job.job_id);
      expect(emu.stats().requests.byRoute.status).toBe(2);
      expect(delay.calls).toHaveLength(1);
      expect(delay.calls[0]).toBeGreaterThanOrEqual(0);
      expect(delay.calls[0]).toBeLessThanOrEqual(500);
    } finally {
      await emu.close();
    }
  });

  it("retries a reset connection on a read", async () => {
    const emu = await faultyFirst(2, { route: "status", kind: "reset" });
    try {
      const client = clientFor(emu, { poll: { delay: instantDelay() } });
      const job = await client.queue.submit({ model: t2v(), prompt: "x" });
      expect((await client.queue.status(job.job_id)).job_id).toBe(job.job_id);
      expect(emu.stats().requests.byRoute.status).toBe(3);
    } finally {
      await emu.close();
    }
  });

  it("logs each retry to debug once, naming the request once: its failure's message, or what failed and its status", async () => {
    // A reset connection (the transport's message names the request), then a 503 (its message says what the server
    // said), then the job.
    const api = await serve((_req, res) => {
      if (api.seen.length === 1) return void res.socket!.destroy();
      if (api.seen.length === 2) return json(res, 503, { detail: "Not now" });
      json(res, 200, { job_id: "job_1", status: "pending" });
    });
    try {
      const lines: string[] = [];
      const client = createDecartClient({
        apiKey: "k",
        baseUrl: api.url,
        logger: { warn: () => {}, debug: (line) => lines.push(line) },
        poll: { delay: instantDelay() },
      });
      expect((await client.queue.status("job_1")).job_id).toBe("job_1");
      const where = `GET ${api.url}/v1/jobs/job_1: `;
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^GET \S+: connection failed \(\w+\); retry 1 in \d+ ms$/);
      expect(lines[1]).toMatch(/^GET \S+: Not now \(HTTP 503, request req_test\); retry 2 in \d+ ms$/);
      for (const line of lines) expect(line.split(where)).toHaveLength(2);
      expect(api.seen).toHaveLength(3);
    } finally {
      await api.close();
    }
  });

  it("gives up after maxRetries (default 2) with the last error", async () => {
    const emu = await startFast();
    try {
      const delay = instantDelay();
      const client = clientFor(emu, { poll: { delay } });
      const file = await client.files.upload(new Blob(["hello"], { type: "text/plain" }));
      emu.setFaults([{ route: "files", kind: "500" }]);
      emu.resetStats();
      const error = await client.files.get(file.id).catch((e) => e);
      expect(error).toBeInstanceOf(ServerError);
      expect(emu.stats().requests.byRoute.files).toBe(3);
      const none = clientFor(emu, { maxRetries: 0, poll: { delay } });
      await none.files.get(file.id).catch(() => {});
      expect(emu.stats().requests.byRoute.files).toBe(4);
    } finally {
      await emu.close();
    }
  });

  it("retries a plain status read whose answer was cut short", async () => {
    const emu = await faultyFirst(1, { route: "status", kind: "truncate" });
    try {
      const client = clientFor(emu, { poll: { delay: instantDelay() } });
      const job = await client.queue.submit({ model: t2v(), prompt: "x" });
      expect((await client.queue.status(job.job_id)).job_id).toBe(job.job_id);
      expect(emu.stats().requests.byRoute.status).toBe(2);
      expect(emu.stats().faultsInjected.truncate).toBe(1);
    } finally {
      await emu.close();
    }
  });

  it("a 429 closes the client-wide gate: a later request waits for it too, and subscribers hear of it", async () => {
    const emu = await faultyFirst(1, { route: "status", kind: "429", retryAfterSeconds: 3 });
    try {
      const delay = instantDelay();
      // A clock that stands still: the gate stays closed for the whole test, whatever the machine's speed.
      const client = clientFor(emu, { random: () => 0.5, poll: { delay, now: () => 1_000 } });
      const pauses: unknown[] = [];
      const unsubscribe = client.rateLimit.subscribe((p) => pauses.push(p));
      const job = await client.queue.submit({ model: t2v(), prompt: "x" });
      expect(client.rateLimit.pausedUntil()).toBeUndefined();
      await client.queue.status(job.job_id); // 429, waits 3 s, then succeeds
      expect(pauses).toEqual([{ waitMs: 3000, until: 4000, requestId: expect.stringMatching(/^req_/) }]);
      expect(client.rateLimit.pausedUntil()).toBe(4000);
      await client.queue.status(job.job_id); // no fault: waits at the gate first, then a part of the pause (`random`)
      expect(delay.calls).toEqual([3000, 3000, 1500]);
      expect(emu.stats().requests.byRoute.status).toBe(3);
      unsubscribe();
    } finally {
      await emu.close();
    }
  });

  it("a 429 on a status read inside a watch closes the gate too", async () => {
    const emu = await faultyFirst(1, { route: "status", kind: "429", retryAfterSeconds: 5 });
    try {
      const client = clientFor(emu, { poll: { delay: instantDelay() } });
      const pauses: { waitMs: number }[] = [];
      client.rateLimit.subscribe((p) => pauses.push(p));
      const job = await client.queue.submit({ model: t2v(), prompt: "x" });
      const outcome = await client.queue.wait(job.job_id, { download: false });
      expect(outcome.status).toBe("completed");
      expect(pauses.map((p) => p.waitMs)).toEqual([5000]);
    } finally {
      await emu.close();
    }
  });

  it("honours Retry-After on a 429", async () => {
    const emu = await faultyFirst(1, { route: "status", kind: "429", retryAfterSeconds: 7 });
    try {
      const delay = instantDelay();
      const client = clientFor(emu, { poll: { delay } });
      const job = await client.queue.submit({ model: t2v(), prompt: "x" });
      await client.queue.status(job.job_id);
      expect(delay.calls).toEqual([7000]);
    } finally {
      await emu.close();
    }
  });
});

/** A client of `url` whose waits do not wait and are recorded (`delay.calls`), with `options` (and `poll`) over it. */
const clientOf = (url: string, options: Parameters<typeof createDecartClient>[0] = {}) => {
  const delay = instantDelay();
  const client = createDecartClient({
    apiKey: "k",
    baseUrl: url,
    logger: silent,
    ...options,
    poll: { delay, ...options.poll },
  } as DecartClientOptions);
  return { client, delay };
};

describe("the budget of a plain call: what it may wait in all is the client's timeoutMs", () => {
  it("a Retry-After beyond the budget fails at once with the typed error carrying retryAfterMs, without sleeping", async () => {
    const cases = [
      // [what, answers' status, the call]
      ["queue.status", 429, RateLimitError, (c: DecartClient) => c.queue.status("job_1")],
      ["queue.result", 503, ServerError, (c: DecartClient) => c.queue.result("job_1")],
      ["files.get", 429, RateLimitError, (c: DecartClient) => c.files.get("file_1")],
      ["files.delete", 503, ServerError, (c: DecartClient) => c.files.delete("file_1")],
    ] as const;
    for (const [what, status, Class, call] of cases) {
      const server = await rateLimiting(["3600"], status);
      try {
        const { client, delay } = clientOf(server.url);
        const error = await call(client).catch((e) => e);
        expect(error, what).toBeInstanceOf(Class);
        expect(error).toMatchObject({ status, retryAfterMs: 3_600_000, requestId: "req_1" });
        expect(delay.calls, what).toEqual([]);
        expect(server.reads(), what).toBe(1);
      } finally {
        await server.close();
      }
    }
  });

  it("counts every wait of the call: a retry whose wait would take it past timeoutMs in all is not made", async () => {
    const server = await rateLimiting(["3", "3", "3"]);
    try {
      const { client, delay } = clientOf(server.url, { timeoutMs: 5000 });
      const error = await client.queue.status("job_1").catch((e) => e);
      expect(error).toBeInstanceOf(RateLimitError);
      expect(error.retryAfterMs).toBe(3000);
      // 3 s, then 3 s more would be 6 s: over the 5 s budget.
      expect(delay.calls).toEqual([3000]);
      expect(server.reads()).toBe(2);
    } finally {
      await server.close();
    }
    // Within the budget, Retry-After is honoured as before.
    const again = await rateLimiting(["3", "3"]);
    try {
      const { client, delay } = clientOf(again.url, { timeoutMs: 6000 });
      expect((await client.queue.status("job_1")).status).toBe("pending");
      expect(delay.calls).toEqual([3000, 3000]);
    } finally {
      await again.close();
    }
  });
});

describe("the budget of a call given a deadline: the time to it", () => {
  it("a Retry-After beyond the deadline fails at once (queue.status, queue.download), one within it is honoured", async () => {
    // The client's clock stands at 0 and the deadline is a minute away. 90 s is more than the minute left: no wait,
    // though the 60 s that the client honours at most would fit before the deadline.
    const cases = [
      ["queue.status", (c: DecartClient) => c.queue.status("job_1", { deadline: 60_000 })],
      ["queue.download", (c: DecartClient) => c.queue.download("job_1", { deadline: 60_000 })],
    ] as const;
    for (const [what, call] of cases) {
      const server = await rateLimiting(["90"]);
      try {
        const { client, delay } = clientOf(server.url, { poll: { now: () => 0 } });
        const error = await call(client).catch((e) => e);
        expect(error, what).toBeInstanceOf(RateLimitError);
        expect(error).toMatchObject({ status: 429, retryAfterMs: 90_000, requestId: "req_1" });
        expect(delay.calls, what).toEqual([]);
        expect(server.reads(), what).toBe(1);
      } finally {
        await server.close();
      }
    }
    // 30 s fits: waited for, then read again (a deadline is a budget longer than the client's own timeoutMs).
    const within = await rateLimiting(["30"]);
    try {
      const { client, delay } = clientOf(within.url, { timeoutMs: 1000, poll: { now: () => 0 } });
      expect((await client.queue.status("job_1", { deadline: 60_000 })).status).toBe("pending");
      expect(delay.calls).toEqual([30_000]);
      expect(within.reads()).toBe(2);
    } finally {
      await within.close();
    }
  });
});

describe("the rate-limit gate and a plain call's budget", () => {
  it("a call whose wait at the closed gate would outrun its budget fails at once: nothing is sent before the gate opens", async () => {
    const server = await rateLimiting(["30"]);
    try {
      // A clock that stands still: the gate, closed for 30 s by the first answer, stays closed.
      const { client, delay } = clientOf(server.url, { timeoutMs: 5000, poll: { now: () => 1_000 } });
      const first = await client.queue.status("job_1").catch((e) => e);
      expect(first).toBeInstanceOf(RateLimitError);
      expect(client.rateLimit.pausedUntil()).toBe(31_000);
      const second = await client.queue.status("job_1").catch((e) => e);
      // 30 s left at the gate, 5 s of budget: no request while it is closed, and no sleeping.
      expect(second).toBeInstanceOf(RateLimitError);
      expect(second).toMatchObject({ code: "RATE_LIMIT", retryable: true, retryAfterMs: 30_000 });
      // The message gives the wait its field does.
      expect(second.message).toBe(`GET ${server.url}/v1/jobs/job_1: not sent, rate-limited for 30000 ms more`);
      expect(server.reads()).toBe(1);
      expect(delay.calls).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe("a submit given no time to wait (`{ [ONCE]: { spare: 0 } }`, internal, as a batch that paces its submits itself sends it)", () => {
  it("fails at the shut gate at once, not sent, where one with the client's budget waits for it", async () => {
    const server = await rateLimiting(["3"]);
    try {
      // A clock that stands still: the gate, closed for 3 s by the first answer, stays closed.
      const { client, delay } = clientOf(server.url, { maxRetries: 0, random: () => 0.5, poll: { now: () => 1_000 } });
      expect(await client.queue.status("job_1").catch((e) => e)).toBeInstanceOf(RateLimitError);
      const error = await (client.queue.submit as any)({ model: t2v(), prompt: "x" }, { [ONCE]: { spare: 0 } }).catch(
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: "RATE_LIMIT", retryable: true, retryAfterMs: 3000 });
      expect(error.message).toBe(`POST ${server.url}/v1/jobs/lucy-pro-t2v: not sent, rate-limited for 3000 ms more`);
      expect(server.reads()).toBe(1);
      expect(delay.calls).toEqual([]);
      // Without it, the submit waits for the gate (the client's delay) and a part of the pause (`random` at 0.5), then
      // is sent.
      expect((await client.queue.submit({ model: t2v(), prompt: "x" })).job_id).toBe("job_1");
      expect(delay.calls).toEqual([3000, 1500]);
      expect(server.reads()).toBe(2);
    } finally {
      await server.close();
    }
  });
});

describe("the rate-limit gate on a fractional clock (performance.now)", () => {
  it("says the wait in whole ms", async () => {
    const server = await rateLimiting(["30"]);
    try {
      let now = 1_000;
      const { client } = clientOf(server.url, { timeoutMs: 5000, poll: { now: () => now } });
      await client.queue.status("job_1").catch(() => {});
      expect(client.rateLimit.pausedUntil()).toBe(31_000);
      now = 1_000.4;
      const error = await client.queue.status("job_1").catch((e) => e);
      expect(error).toMatchObject({ code: "RATE_LIMIT", retryAfterMs: 29_999.6 });
      expect(error.message).toBe(`GET ${server.url}/v1/jobs/job_1: not sent, rate-limited for 30000 ms more`);
      expect(server.reads()).toBe(1);
    } finally {
      await server.close();
    }
  });
});

describe("retries of a submit (POST): only when the server certainly did not take it", () => {
  it("does not retry a 500: one request, a ServerError that says a job may exist", async () => {
    const emu = await startFast({ faults: [{ route: "submit", kind: "500" }] });
    try {
      const client = clientFor(emu, { poll: { delay: instantDelay() } });
      const error = await client.queue.submit({ model: t2v(), prompt: "x" }).catch((e) => e);
      expect(error).toBeInstanceOf(ServerError);
      expect(error).toMatchObject({ status: 500, code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false });
      expect(error.requestId).toMatch(/^req_/);
      // The request id once, in the answer's part of the message.
      expect(error.message).toMatch(/\(HTTP 500, request req_\w+\); a job \(or file\) may exist: not sent again/);
      expect(error.message.split(error.requestId)).toHaveLength(2);
      expect(emu.stats().requests.byRoute.submit).toBe(1);
    } finally {
      await emu.close();
    }
  });

  it("retries a 503 with or without Retry-After (the server did not take the job)", async () => {
    for (const retryAfterSeconds of [undefined, 2]) {
      const emu = await faultyFirst(2, { route: "submit", kind: "503", retryAfterSeconds });
      try {
        const delay = instantDelay();
        const client = clientFor(emu, { poll: { delay }, random: () => 0.5 });
        const job = await client.queue.submit({ model: t2v(), prompt: "x" });
        expect(job.status).toBe("pending");
        expect(emu.stats().requests.byRoute.submit).toBe(3);
        expect(emu.stats().jobsCreated).toBe(1);
        // Retry-After when given, else backoff with full jitter (half of 0.5 s, then of 1 s, with `random` at 0.5).
        expect(delay.calls).toEqual(retryAfterSeconds ? [2000, 2000] : [250, 500]);
      } finally {
        await emu.close();
      }
    }
  });

  it("retries a 429 (with its file inputs sent again in full)", async () => {
    const emu = await faultyFirst(2, { route: "submit", kind: "429" });
    try {
      const client = clientFor(emu, { poll: { delay: instantDelay() } });
      const png = await client.process({ model: models.image("lucy-pro-t2i"), prompt: "frame" });
      const result = await client.queue.submitAndPoll({ model: models.video("lucy-pro-i2v"), prompt: "x", data: png });
      expect(result.status).toBe("completed");
      expect(emu.stats().requests.byRoute.submit).toBe(3);
      expect(emu.stats().jobsCreated).toBe(1);
    } finally {
      await emu.close();
    }
  });

  it("does not retry a connection broken after the body was sent, unless retrySubmit is on", async () => {
    const emu = await faultyFirst(1, { route: "submit", kind: "reset" });
    try {
      const client = clientFor(emu, { poll: { delay: instantDelay() } });
      const error = await client.queue.submit({ model: t2v(), prompt: "x" }).catch((e) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false });
      expect(error.message).toMatch(/connection failed .* may exist/);
      expect(emu.stats().requests.byRoute.submit).toBe(1);
    } finally {
      await emu.close();
    }
    const again = await faultyFirst(1, { route: "submit", kind: "reset" });
    try {
      const client = clientFor(again, { retrySubmit: true, poll: { delay: instantDelay() } });
      const job = await client.queue.submit({ model: t2v(), prompt: "x" });
      expect(job.status).toBe("pending");
      expect(again.stats().requests.byRoute.submit).toBe(2);
    } finally {
      await again.close();
    }
  });

  it("retries a refused connection (nothing reached a server)", async () => {
    const port = await closedPort();
    const delay = instantDelay();
    const client = createDecartClient({
      apiKey: "k",
      baseUrl: `http://127.0.0.1:${port}`,
      logger: silent,
      poll: { delay },
    });
    const error = await client.queue.submit({ model: t2v(), prompt: "x" }).catch((e) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.code).toBe("CONNECTION_REFUSED");
    expect(delay.calls).toHaveLength(2);
  });

  it("a submit that fails in a browser offline when it went and when it failed sent nothing: retried as a refused connection", async () => {
    // `navigator.onLine` as a page has it; the connection closed at once stands for the fetch that fails offline.
    let onLine = false;
    vi.stubGlobal("navigator", {
      get onLine() {
        return onLine;
      },
    });
    // What each request to the server does: runs `next`, then closes the connection; or answers a job.
    let next: (() => void) | "job" = () => {};
    const server = await serve((req, res) => {
      if (next === "job") return json(res, 200, { job_id: "job_1", status: "pending" });
      next();
      req.socket.destroy();
    });
    const client = (delay = instantDelay()) =>
      createDecartClient({ apiKey: "k", baseUrl: server.url, logger: silent, poll: { delay } });
    try {
      // Back online during the wait before the retry: the retry makes the job.
      const job = await client(
        instantDelay(() => {
          onLine = true;
          next = "job";
        }),
      ).queue.submit({ model: t2v(), prompt: "x" });
      expect(job.job_id).toBe("job_1");
      expect(server.arrived()).toBe(2);

      // Offline throughout: retried within maxRetries, then a retryable error that says nothing was sent.
      onLine = false;
      next = () => {};
      const error = await client()
        .queue.submit({ model: t2v(), prompt: "x" })
        .catch((e) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ code: "CONNECTION_REFUSED", retryable: true });
      expect(error.message).toMatch(/offline, not sent$/);
      expect(server.arrived()).toBe(5);

      // Online when it went, offline when it failed (the network dropped after the request left): a job may exist.
      onLine = true;
      next = () => {
        onLine = false;
      };
      const dropped = await client()
        .queue.submit({ model: t2v(), prompt: "x" })
        .catch((e) => e);
      expect(dropped).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false });
      expect(dropped.message).toMatch(/may exist/);
      expect(server.arrived()).toBe(6);

      // Online throughout: a plain failure of the connection, a job may exist (a gateway without CORS headers fails
      // alike in a browser).
      onLine = true;
      next = () => {};
      const failed = await client()
        .queue.submit({ model: t2v(), prompt: "x" })
        .catch((e) => e);
      expect(failed).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false });
      expect(server.arrived()).toBe(7);
    } finally {
      vi.unstubAllGlobals();
      await server.close();
    }
  });

  it("a 429 that outlasts the retries is a RateLimitError", async () => {
    const emu = await startFast({ faults: [{ route: "process", kind: "429", retryAfterSeconds: 1 }] });
    try {
      const client = clientFor(emu, { poll: { delay: instantDelay() } });
      const error = await client.process({ model: models.image("lucy-pro-t2i"), prompt: "x" }).catch((e) => e);
      expect(error).toBeInstanceOf(RateLimitError);
      expect(error.retryAfterMs).toBe(1000);
      expect(emu.stats().requests.byRoute.process).toBe(3);
    } finally {
      await emu.close();
    }
  });
});

describe("transport details", () => {
  it("parses Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    // An answer's headers with this Retry-After (none for null), read at `now`.
    const parse = (value: string | null) =>
      parseRetryAfter(new Headers(value === null ? {} : { "retry-after": value }), now);
    expect(parse("3")).toBe(3000);
    expect(parse("0")).toBe(0);
    expect(parse("Thu, 01 Jan 2026 00:00:05 GMT")).toBe(5000);
    expect(parse("Wed, 31 Dec 2025 00:00:00 GMT")).toBe(0);
    expect(parse("soon")).toBeUndefined();
    expect(parse(null)).toBeUndefined();
    // The obsolete HTTP-date forms (RFC 850, asctime) are dates too.
    expect(parse("Thursday, 01-Jan-26 00:00:07 GMT")).toBe(7000);
    expect(parse("Thu Jan  1 00:00:09 2026")).toBe(9000);
    // Only digits or an HTTP-date (RFC 9110 §10.2.3): numbers in other notations and other dates are none.
    for (const value of ["0x10", "1e3", "5.5", "-5", "+5", "Infinity", "0b11", "2026-01-01T00:00:05Z", "Thu 5", ""]) {
      expect(parse(value), value).toBeUndefined();
    }
  });

  it("reads each HTTP-date form of Retry-After in GMT, whatever the local time zone (RFC 9110 §5.6.7)", async () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    // asctime has no zone of its own: read in local time, New York's would put it 5 hours later.
    const server = await rateLimiting([
      "Thu, 01 Jan 2026 00:00:05 GMT",
      "Thursday, 01-Jan-26 00:00:07 GMT",
      "Thu Jan  1 00:00:09 2026",
    ]);
    const zone = process.env.TZ;
    process.env.TZ = "America/New_York";
    try {
      expect(new Date(now).getHours()).toBe(19); // the zone took effect
      const { client, delay } = clientOf(server.url, { maxRetries: 3, poll: { now: () => now } });
      expect((await client.queue.status("job_1")).status).toBe("pending");
      expect(delay.calls).toEqual([5000, 7000, 9000]);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
      await server.close();
    }
  });

  it("ignores a Retry-After that is neither digits nor an HTTP-date over HTTP: the backoff applies", async () => {
    const server = await rateLimiting(["0x10", "1e3", "5.5"]);
    try {
      const delay = instantDelay();
      const client = createDecartClient({
        apiKey: "k",
        baseUrl: server.url,
        logger: silent,
        maxRetries: 3,
        random: () => 0.5,
        poll: { delay },
      });
      expect((await client.queue.status("job_1")).status).toBe("pending");
      expect(server.reads()).toBe(4);
      // Backoff with full jitter at 0.5: half of 0.5 s, 1 s, 2 s (0x10 read as a number would have been 16 s, 1e3 17 min).
      expect(delay.calls).toEqual([250, 500, 1000]);
    } finally {
      await server.close();
    }
  });

  it("backs off exponentially with full jitter, capped at 8 s", () => {
    expect(backoffDelay(0, () => 1)).toBe(500);
    expect(backoffDelay(3, () => 1)).toBe(4000);
    expect(backoffDelay(10, () => 1)).toBe(8000);
    expect(backoffDelay(10, () => 0)).toBe(0);
  });

  it("keeps the backoff floor after many failures (a long outage never makes retries spin)", () => {
    for (const attempt of [0, 5, 26, 31, 32, 40, 1000]) {
      const wait = retryWait(attempt, 0, () => 0);
      expect(wait, `attempt ${attempt}`).toBeGreaterThanOrEqual(Math.min(1000, 50 * 2 ** attempt));
      expect(wait, `attempt ${attempt}`).toBeLessThanOrEqual(1000);
    }
  });

  it("finds ECONNREFUSED anywhere in a cause chain or AggregateError: a submit refused that way is sent again", async () => {
    // A host with two addresses, both refused, is reported by Node as an AggregateError of the two refusals (happy
    // eyeballs). Loopback has one address here: the client's fetch passes the real refusal on in that shape.
    const port = await closedPort();
    for (const [shape, wrap] of [
      [
        "a cause chain",
        (refused: unknown) => new TypeError("fetch failed", { cause: new Error("x", { cause: refused }) }),
      ],
      [
        "an AggregateError",
        (refused: unknown) => new TypeError("fetch failed", { cause: new AggregateError([refused]) }),
      ],
    ] as const) {
      let sent = 0;
      const delay = instantDelay();
      const client = createDecartClient({
        apiKey: "k",
        baseUrl: `http://127.0.0.1:${port}`,
        logger: silent,
        poll: { delay },
        fetch: (input, init) => {
          sent++;
          return fetch(input, init).catch((e) => {
            expect(e.cause.code).toBe("ECONNREFUSED");
            throw wrap(e.cause);
          });
        },
      });
      const error = await client.queue.submit({ model: t2v(), prompt: "x" }).catch((e) => e);
      expect(error, shape).toMatchObject({ code: "CONNECTION_REFUSED", retryable: true });
      expect(sent, shape).toBe(3);
    }
  });

  it("sends the key as X-API-KEY and a user agent; a proxy gets no key", async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { "content-type": "application/json", "x-request-id": "req_1" });
      res.end(JSON.stringify({ job_id: "job_1", status: "pending" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      await createDecartClient({ apiKey: "dct_k", baseUrl: url, integration: "my-app/1.0" }).queue.status("job_1");
      await createDecartClient({ proxy: `${url}/` }).queue.status("job_1");
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(seen[0]!["x-api-key"]).toBe("dct_k");
    expect(seen[0]!["user-agent"]).toMatch(
      /^decart-ts-sdk\/\d+\.\d+\.\d+ lang\/js my-app\/1\.0 runtime\/node\.js\/v\d+/,
    );
    expect(seen[1]!["x-api-key"]).toBeUndefined();
    expect(seen[1]!["user-agent"]).toMatch(/^decart-ts-sdk\/\S+ lang\/js runtime\//);
  });
});
