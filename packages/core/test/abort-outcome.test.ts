/**
 * An abort of a submit the server may have taken says so (`mayExist`, "a job (or file) may exist") and names the
 * request, whether it came while the answer was read or in the wait to send the submit again (`retrySubmit`).
 */
import { createServer } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { AbortError, createDecartClient, type DecartClientOptions, models } from "../src/index.js";
import { json, serve, silent } from "./helpers.js";

let api: Awaited<ReturnType<typeof serve>> | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** A `poll.delay` that tells when it starts, and ends only when its signal aborts (rejecting with the reason). */
function heldDelay(started: () => void) {
  return (_ms: number, signal?: AbortSignal) =>
    new Promise<void>((_resolve, reject) => {
      signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
      started();
    });
}

const client = (url: string, options: Partial<DecartClientOptions> = {}) =>
  createDecartClient({ apiKey: "dct_test_key_000000000000000000000", baseUrl: url, logger: silent, ...options });

describe("an abort where a job may exist", () => {
  it.each([
    [500, true],
    [503, false],
  ] as const)("in the wait to send a submit again after a %i (retrySubmit)", async (status, mayExist) => {
    api = await serve((_req, res) => json(res, status, { detail: "Internal Server Error" }));
    const controller = new AbortController();
    const reason = new Error("user left");
    const delay = heldDelay(() => controller.abort(reason));
    const error = await client(api.url, { retrySubmit: true, poll: { delay } })
      .queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x", signal: controller.signal })
      .catch((e) => e);
    expect(api.seen.filter((r) => r.method === "POST")).toHaveLength(1);
    expect(error).toBeInstanceOf(AbortError);
    expect(error.code).toBe("ABORT");
    expect(error.cause).toBe(reason);
    if (mayExist) {
      expect(error.mayExist).toBe(true);
      expect(error.requestId).toBe("req_test");
      expect(error.message).toBe("The operation was aborted (request req_test); a job (or file) may exist");
    } else {
      expect(error.mayExist).toBeUndefined();
      expect(error.requestId).toBeUndefined();
      expect(error.message).toBe("The operation was aborted");
    }
  });

  it.each([503, 429])(
    "in the wait after a 500 then a %i (retrySubmit): the 500's mayExist and request id",
    async (second) => {
      let posts = 0;
      api = await serve((_req, res) => {
        posts++;
        res.writeHead(posts === 1 ? 500 : second, {
          "content-type": "application/json",
          "x-request-id": `req_${posts}`,
        });
        res.end('{"detail":"x"}');
      });
      const controller = new AbortController();
      let waits = 0;
      // The wait after the 500 ends (the submit is sent again); the one after the second answer is aborted.
      const delay = (_ms: number, signal?: AbortSignal) =>
        ++waits === 1 ? Promise.resolve() : heldDelay(() => controller.abort(new Error("user left")))(_ms, signal);
      const error = await client(api.url, { retrySubmit: true, poll: { delay } })
        .queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x", signal: controller.signal })
        .catch((e) => e);
      expect(posts).toBe(2);
      expect(error).toBeInstanceOf(AbortError);
      expect(error).toMatchObject({ code: "ABORT", mayExist: true, requestId: "req_1" });
      expect(error.message).toBe("The operation was aborted (request req_1); a job (or file) may exist");
    },
  );

  it("during the second attempt after a 500, held before its body is read: the 500's mayExist and request id", async () => {
    // A server of its own: `serve` reads each body before answering. The first POST is answered 500; the second is
    // held, its body not read, and the caller aborts then.
    const controller = new AbortController();
    const reason = new Error("user left");
    let posts = 0;
    const server = createServer(async (req, res) => {
      if (++posts > 1) return controller.abort(reason);
      for await (const _ of req);
      res.writeHead(500, { "content-type": "application/json", "x-request-id": "req_first" });
      res.end('{"detail":"boom"}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      const error = await client(`http://127.0.0.1:${port}`, { retrySubmit: true, poll: { delay: async () => {} } })
        .queue.submit({
          model: models.video("lucy-clip"),
          prompt: "x",
          data: new Blob([new Uint8Array(4 << 20)], { type: "video/mp4" }),
          signal: controller.signal,
        } as never)
        .catch((e) => e);
      expect(posts).toBe(2);
      expect(error).toBeInstanceOf(AbortError);
      expect(error).toMatchObject({ code: "ABORT", mayExist: true, requestId: "req_first", cause: reason });
      expect(error.message).toBe("The operation was aborted (request req_first); a job (or file) may exist");
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("after a 500, aborted once the wait ended but before the second attempt was sent: mayExist", async () => {
    api = await serve((_req, res) => {
      res.writeHead(500, { "content-type": "application/json", "x-request-id": "req_first" });
      res.end('{"detail":"boom"}');
    });
    const controller = new AbortController();
    // A wait of yours that ends as the caller aborts: the next attempt is never sent.
    const delay = async () => controller.abort(new Error("user left"));
    const error = await client(api.url, { retrySubmit: true, poll: { delay } })
      .queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x", signal: controller.signal })
      .catch((e) => e);
    expect(api.arrived()).toBe(1);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ code: "ABORT", mayExist: true, requestId: "req_first" });
    expect(error.message).toBe("The operation was aborted (request req_first); a job (or file) may exist");
  });

  it("while the answer to a submit sent whole is awaited: mayExist", async () => {
    const controller = new AbortController();
    api = await serve(() => controller.abort());
    const error = await client(api.url)
      .queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x", signal: controller.signal })
      .catch((e) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error.mayExist).toBe(true);
    expect(error.message).toBe("The operation was aborted; a job (or file) may exist");
  });

  it("before a submit is sent: no mayExist", async () => {
    api = await serve((_req, res) => json(res, 200, {}));
    const error = await client(api.url)
      .queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x", signal: AbortSignal.abort() })
      .catch((e) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error.mayExist).toBeUndefined();
    expect(JSON.stringify(error)).not.toContain("mayExist");
    expect(api.arrived()).toBe(0);
  });

  it.each(["submit", "process"] as const)(
    "%s aborted once its answer's headers came (its body still coming): the answer's request id, named",
    async (call) => {
      // Headers and a part of the body, the rest held.
      api = await serve((_req, res) => {
        res.writeHead(200, {
          "content-type": call === "submit" ? "application/json" : "image/png",
          "content-length": "100",
          "x-request-id": "req_partial",
        });
        res.write(call === "submit" ? '{"job_id": "job_' : "\x89PNG");
      });
      const controller = new AbortController();
      // The real fetch; once its answer came, the caller aborts.
      const fetchThenAbort: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        setImmediate(() => controller.abort());
        return response;
      };
      const c = client(api.url, { fetch: fetchThenAbort });
      const signal = controller.signal;
      const error = await (call === "submit"
        ? c.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x", signal })
        : c.process({ model: models.image("lucy-pro-t2i"), prompt: "x", signal })
      ).catch((e) => e);
      expect(error).toBeInstanceOf(AbortError);
      expect(error.requestId).toBe("req_partial");
      expect(error.mayExist).toBe(true);
      expect(error.message).toBe("The operation was aborted (request req_partial); a job (or file) may exist");
    },
  );
});

describe("an abort of a later attempt after a 500 (retrySubmit), once its answer's headers came", () => {
  // The request support needs is the one that may have made the job: an answer that names its request id (a 2xx, or a
  // 5xx that may have made it too), that one; one that says the server took it (a 2xx) without an id, none (an id is
  // of the answer it names: the 500's is not this one's); else the 500's (an answer that took nothing, a 503; a 5xx
  // without an id, which leaves the 500's the only one support can look up).
  it.each([
    ["a 200 with its own request id: its own", 200, "req_second", "req_second"],
    ["a 503 (it took nothing): the 500's", 503, "req_503", "req_first"],
    ["a 200 without a request id: none (not the 500's)", 200, undefined, undefined],
    ["a 500 with its own request id: its own", 500, "req_second", "req_second"],
    ["a 500 without a request id: the 500's, the only one known", 500, undefined, "req_first"],
    ["a 502 without a request id: the 500's, the only one known", 502, undefined, "req_first"],
  ] as const)("%s", async (_what, status, id, named) => {
    let posts = 0;
    api = await serve((_req, res) => {
      if (++posts === 1) {
        res.writeHead(500, { "content-type": "application/json", "x-request-id": "req_first" });
        res.end('{"detail":"boom"}');
        return;
      }
      // Headers and a part of the body, the rest held.
      res.writeHead(status, {
        "content-type": "application/json",
        "content-length": "100",
        ...(id && { "x-request-id": id }),
      });
      res.write('{"job_id": "job_');
    });
    const controller = new AbortController();
    // The real fetch; once the second answer came, the caller aborts.
    let calls = 0;
    const fetchThenAbort: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (++calls === 2) setImmediate(() => controller.abort());
      return response;
    };
    // The retries the client logs: the 500's, and none after the second answer (the abort hit that attempt, its body
    // held, not a wait after it).
    const retries: string[] = [];
    const logger = { warn: (m: string) => retries.push(m), debug: (m: string) => retries.push(m) };
    const error = await client(api.url, {
      fetch: fetchThenAbort,
      retrySubmit: true,
      logger,
      poll: { delay: async () => {} },
    })
      .queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x", signal: controller.signal })
      .catch((e) => e);
    expect(posts).toBe(2);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatch(/\(HTTP 500, request req_first\).*; retry 1 in /);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ code: "ABORT", mayExist: true, requestId: named });
    expect(error.message).toBe(
      `The operation was aborted${named ? ` (request ${named})` : ""}; a job (or file) may exist`,
    );
  });
});

describe("an abort after a 500 (retrySubmit) whose next attempt was sent on by a 307 to a hop that holds it", () => {
  it("names the 500's request id: the 307 took nothing, its id is of no job", async () => {
    let posts = 0;
    let held = 0;
    api = await serve((req, res) => {
      if (req.url?.startsWith("/moved")) {
        // The hop has read the body (serve reads it before the handler) and never answers.
        held++;
        return;
      }
      if (++posts === 1) {
        res.writeHead(500, { "content-type": "application/json", "x-request-id": "req_first" });
        res.end('{"detail":"boom"}');
        return;
      }
      res.writeHead(307, { location: "/moved/v1/jobs/lucy-pro-t2v", "x-request-id": "req_307" });
      res.end();
    });
    const controller = new AbortController();
    const submitted = client(api.url, { retrySubmit: true, poll: { delay: async () => {} } })
      .queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x", signal: controller.signal })
      .catch((e) => e);
    while (held === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    const error = await submitted;
    expect(posts).toBe(2);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ code: "ABORT", mayExist: true, requestId: "req_first" });
    expect(error.message).toBe("The operation was aborted (request req_first); a job (or file) may exist");
  });
});

describe("an abort in a wait of a poll.delay of yours", () => {
  it("that rejects with its own AbortError: the AbortError's cause is the signal's reason", async () => {
    api = await serve((_req, res) => json(res, 200, { job_id: "job_abc123", status: "pending" }));
    const controller = new AbortController();
    const reason = new Error("user left");
    const own = new DOMException("Aborted", "AbortError");
    const delay = (_ms: number, signal?: AbortSignal) =>
      new Promise<void>((_resolve, reject) => {
        signal?.addEventListener("abort", () => reject(own), { once: true });
        controller.abort(reason);
      });
    const error = await client(api.url, { poll: { delay } })
      .queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "x", signal: controller.signal })
      .catch((e) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error.jobId).toBe("job_abc123");
    expect(error.cause).toBe(reason);
  });
});

describe("a submit sent again after a 500 (retrySubmit) whose retries end on another failure", () => {
  it.each([503, 429])("a 500 then %i until the retries run out: the 500's error, a job may exist", async (later) => {
    let posts = 0;
    api = await serve((_req, res) => {
      posts++;
      res.writeHead(posts === 1 ? 500 : later, { "content-type": "application/json", "x-request-id": `req_${posts}` });
      res.end('{"detail":"Not now"}');
    });
    const error = await client(api.url, { retrySubmit: true, maxRetries: 2, poll: { delay: async () => {} } })
      .queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x" })
      .catch((e) => e);
    expect(posts).toBe(3);
    expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", requestId: "req_1" });
    expect(error.message).toMatch(/a job \(or file\) may exist/);
    expect(error.message).toMatch(new RegExp(`; then: .*Not now \\(HTTP ${later}, request req_3\\)`));
    // It was sent again: its words say so, not "not sent again".
    expect(error.message).toMatch(/may exist: sent again \(`retrySubmit`\): a second job may be billed; then: /);
    expect(error.message).not.toMatch(/could bill twice/);
  });
});
