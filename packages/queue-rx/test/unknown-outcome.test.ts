/**
 * A submit whose outcome turns unknown (a 500, a connection broken once its body was sent: a job may exist, no id)
 * after its subscriber left is reported as unhandled (rxjs's `config.onUnhandledError`): every job is told once; so is
 * a `CALLBACK_ERROR` without a job id (an `onUploadProgress` that threw once the body was sent: a job may exist). With
 * no `config.onUnhandledError` (rxjs's default), it is warned of (`console.warn`), not thrown from a timer: a server's
 * 500 does not end the process with an uncaught exception.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createDecartClient, DecartError, models } from "@decart/core";
import { nodeUpload } from "@decart/core/node";
import { config, defer, Subject, tap } from "rxjs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { submitAll } from "../src/batch.js";
import { submitJob } from "../src/watch.js";
import { until } from "./helpers.js";

/**
 * A server that holds every submit, once its body is in (kept as text), until the test answers it (`status`) or
 * resets it. `requests`: the requests begun (their head in), a body whole or not.
 */
async function holdingServer() {
  const held: { req: IncomingMessage; res: ServerResponse; body: string }[] = [];
  const seen = { requests: 0 };
  const server = createServer((req, res) => {
    seen.requests++;
    let body = "";
    req.setEncoding("latin1");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => held.push({ req, res, body }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    held,
    seen,
    answer(i: number, status: number) {
      held[i]!.res.writeHead(status, { "content-type": "application/json", "x-request-id": `req_${i}` });
      held[i]!.res.end('{"detail":"Internal Server Error"}');
    },
    reset: (i: number) => held[i]!.req.socket.destroy(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let api: Awaited<ReturnType<typeof holdingServer>> | undefined;
const unhandled: DecartError[] = [];
let before: typeof config.onUnhandledError;
beforeEach(() => {
  unhandled.length = 0;
  before = config.onUnhandledError;
  config.onUnhandledError = (error) => unhandled.push(error);
});
afterEach(async () => {
  config.onUnhandledError = before;
  await api?.close();
  api = undefined;
});

const model = models.video("lucy-pro-t2v");
const clientOf = (url: string, upload?: ReturnType<typeof nodeUpload>) =>
  createDecartClient({
    apiKey: "dct_test_key_000000000000000000000",
    baseUrl: url,
    maxRetries: 0,
    logger: { warn() {}, debug() {} },
    upload,
  });

/**
 * An image-to-video input whose `onUploadProgress` throws on its last call (the upload function's, once the whole
 * body was sent: a job may exist), noting each call's bytes.
 */
const breaksAtTheEnd = (calls: string[]) => ({
  model: models.video("lucy-pro-i2v"),
  prompt: "sent whole, then the bar broke",
  data: new Blob([new Uint8Array(1000)], { type: "image/png" }),
  onUploadProgress: ({ sentBytes, totalBytes }: { sentBytes: number; totalBytes?: number | undefined }) => {
    calls.push(`${sentBytes}/${totalBytes}`);
    if (sentBytes === totalBytes) throw new Error("the progress bar broke at 100%");
  },
});

/** As `breaksAtTheEnd`, but its `onUploadProgress` throws on its first call, before any byte was sent. */
const breaksAtZero = (calls: string[]) => ({
  ...breaksAtTheEnd(calls),
  prompt: "nothing sent, the bar broke at once",
  onUploadProgress: ({ sentBytes, totalBytes }: { sentBytes: number; totalBytes?: number | undefined }) => {
    calls.push(`${sentBytes}/${totalBytes}`);
    throw new Error("the progress bar broke at 0%");
  },
});

describe("a submit whose outcome turns unknown after its subscriber left", () => {
  it("a 500, and a reset once the body was sent: reported as unhandled, not to onOrphan (no job id); a 503 made nothing: not reported", async () => {
    api = await holdingServer();
    const client = clientOf(api.url);
    const orphans: string[] = [];
    const ended: unknown[] = [];
    // Through the client's submit, noting when each ended.
    const submitSource = (input: Parameters<typeof client.queue.submit>[0]) =>
      defer(() => client.queue.submit(input)).pipe(tap({ error: (e) => ended.push(e) }));
    const options = { submitSource, onOrphan: (id: string) => orphans.push(id) };
    // Answered 503 after the subscriber left: nothing made, nothing reported.
    submitJob(client, { model, prompt: "503" }, options).subscribe().unsubscribe();
    await until(() => api!.held.length === 1);
    api.answer(0, 503);
    await until(() => ended.length === 1);
    // Answered 500: a job may exist.
    submitJob(client, { model, prompt: "500" }, options).subscribe().unsubscribe();
    await until(() => api!.held.length === 2);
    api.answer(1, 500);
    await until(() => unhandled.length === 1);
    expect(unhandled[0]).toMatchObject({
      code: "SUBMIT_OUTCOME_UNKNOWN",
      requestId: "req_1",
      jobId: undefined,
      model: "lucy-pro-t2v",
    });
    // Reset once its body was in.
    submitJob(client, { model, prompt: "reset" }, options).subscribe().unsubscribe();
    await until(() => api!.held.length === 3);
    api.reset(2);
    await until(() => unhandled.length === 2);
    expect(unhandled[1]).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", message: /may exist/ });
    expect(ended).toHaveLength(3);
    expect(orphans).toEqual([]);
  });

  it("a CALLBACK_ERROR without a job id (onUploadProgress threw once the body was sent): reported as unhandled, a copy of the error", async () => {
    api = await holdingServer();
    const client = clientOf(api.url, nodeUpload());
    const orphans: string[] = [];
    const calls: string[] = [];
    // With its subscriber, it is the submit's error.
    const errors: DecartError[] = [];
    submitJob(client, breaksAtTheEnd(calls)).subscribe({ error: (e) => errors.push(e) });
    await until(() => errors.length === 1);
    expect(errors[0]).toMatchObject({ code: "CALLBACK_ERROR", jobId: undefined, mayExist: true, message: /may exist/ });
    expect(unhandled).toEqual([]);
    // Its subscriber gone before the body was sent.
    submitJob(client, breaksAtTheEnd(calls), { onOrphan: (id) => orphans.push(id) })
      .subscribe()
      .unsubscribe();
    await until(() => unhandled.length === 1);
    expect(unhandled[0]).toMatchObject({
      code: "CALLBACK_ERROR",
      jobId: undefined,
      mayExist: true,
      message: /may exist/,
    });
    expect(String((unhandled[0] as Error).cause)).toMatch(/broke at 100%/);
    expect(calls).toEqual(["0/1000", "1000/1000", "0/1000", "1000/1000"]);
    expect(orphans).toEqual([]);
  });

  it("a CALLBACK_ERROR thrown before any byte was sent (onUploadProgress at 0 bytes): not reported, no job can exist", async () => {
    api = await holdingServer();
    const client = clientOf(api.url, nodeUpload());
    const calls: string[] = [];
    const ended: DecartError[] = [];
    // Through the client's submit, noting each failure.
    const submitSource = (input: Parameters<typeof client.queue.submit>[0]) =>
      defer(() => client.queue.submit(input)).pipe(tap({ error: (e) => ended.push(e) }));
    // Thrown at 0 bytes after the subscriber left: the server got nothing (nothing held), and nothing is reported.
    submitJob(client, breaksAtZero(calls), { submitSource }).subscribe().unsubscribe();
    await until(() => ended.length === 1);
    expect(ended[0]).toMatchObject({ code: "CALLBACK_ERROR", jobId: undefined });
    expect(ended[0]!.mayExist).toBeUndefined();
    expect(ended[0]!.message).not.toMatch(/may exist/);
    // Then one thrown once the whole body was sent: its report is the only one (reports come in order).
    submitJob(client, breaksAtTheEnd(calls), { submitSource }).subscribe().unsubscribe();
    await until(() => unhandled.length === 1);
    await until(() => ended.length === 2);
    expect(unhandled).toHaveLength(1);
    expect(unhandled[0]).toMatchObject({ code: "CALLBACK_ERROR", mayExist: true, cause: ended[1]!.cause });
    expect(String(unhandled[0]!.cause)).toMatch(/broke at 100%/);
    expect(calls).toEqual(["0/1000", "0/1000", "1000/1000"]);
    // The server reads the second's body on a turn of its own, which may come after the reports (the client's, on a
    // loaded machine, first): awaited, then it is the one request the server got.
    await until(() => api!.held.length > 0);
    expect(api.held.map(({ body }) => body.includes("sent whole"))).toEqual([true]);
    expect(api.seen.requests).toBe(1);
  });

  it("submitAll left with two submits under way, both answered 500: both reported", async () => {
    api = await holdingServer();
    const client = clientOf(api.url);
    const orphans: string[] = [];
    const inputs = ["a", "b"].map((prompt) => ({ key: prompt, input: { model, prompt } }));
    const subscription = submitAll(client, inputs, { concurrency: 2, onOrphan: (id) => orphans.push(id) }).subscribe();
    await until(() => api!.held.length === 2);
    subscription.unsubscribe();
    api.answer(0, 500);
    api.answer(1, 500);
    await until(() => unhandled.length === 2);
    expect(unhandled.map((e) => e.code)).toEqual(["SUBMIT_OUTCOME_UNKNOWN", "SUBMIT_OUTCOME_UNKNOWN"]);
    expect(unhandled.map((e) => e.requestId).sort()).toEqual(["req_0", "req_1"]);
    expect(orphans).toEqual([]);
  });

  it("submitAll: the report names its input (index, key) and model, as the batch's events do", async () => {
    api = await holdingServer();
    const client = clientOf(api.url);
    const image = new Blob([new Uint8Array(100)], { type: "image/png" });
    const inputs = [
      { key: "first", input: { model, prompt: "first" } },
      { key: 7, input: { model: models.video("lucy-pro-i2v"), prompt: "second", data: image } },
      { model, prompt: "third" },
    ];
    const subscription = submitAll(client, inputs, { concurrency: 3 }).subscribe();
    await until(() => api!.held.length === 3);
    subscription.unsubscribe();
    // Each held submit answered 500 in turn (its request id `req_<i>`): which input it was is in its body.
    const which = api.held.map(({ body }) => ["first", "second", "third"].findIndex((p) => body.includes(p)));
    for (let i = 0; i < 3; i++) {
      api.answer(i, 500);
      await until(() => unhandled.length === i + 1);
    }
    const reported = unhandled.map(({ requestId, index, key, model: named }: any) => ({
      requestId,
      index,
      key,
      named,
    }));
    expect(reported.sort((a, b) => a.index - b.index)).toEqual([
      { requestId: `req_${which.indexOf(0)}`, index: 0, key: "first", named: "lucy-pro-t2v" },
      { requestId: `req_${which.indexOf(1)}`, index: 1, key: 7, named: "lucy-pro-i2v" },
      { requestId: `req_${which.indexOf(2)}`, index: 2, key: undefined, named: "lucy-pro-t2v" },
    ]);
    // In the error's JSON too (a log line).
    expect(JSON.parse(JSON.stringify(unhandled[0]))).toMatchObject({ index: expect.any(Number), model: /^lucy-pro-/ });
  });

  it("submitAll: one error a submitSource gives two submits is reported for each with its own input, as a copy of its class and fields", async () => {
    const client = clientOf("http://127.0.0.1:9"); // nothing is sent: the submitSource answers
    const answer = new Subject<never>();
    const shared = new DecartError("the outcome is unknown", {
      code: "SUBMIT_OUTCOME_UNKNOWN",
      requestId: "req_shared",
      cause: new Error("reset"),
    });
    const inputs = ["a", "b"].map((key) => ({ key, input: { model, prompt: key } }));
    submitAll(client, inputs, { concurrency: 2, submitSource: () => answer })
      .subscribe()
      .unsubscribe();
    answer.error(shared);
    await until(() => unhandled.length === 2);
    expect(unhandled.map(({ index, key }: any) => `${index}:${key}`).sort()).toEqual(["0:a", "1:b"]);
    for (const reported of unhandled) {
      expect(reported).toBeInstanceOf(DecartError);
      expect(reported).not.toBe(shared);
      expect(reported).toMatchObject({
        name: "DecartError",
        code: "SUBMIT_OUTCOME_UNKNOWN",
        message: "the outcome is unknown",
        requestId: "req_shared",
        cause: shared.cause,
        model: "lucy-pro-t2v",
      });
      expect(reported.stack).toBe(shared.stack);
    }
    // The error itself is left as it was.
    expect(Object.keys(shared)).not.toContain("key");
    expect(Object.keys(shared)).not.toContain("model");
  });
});

/** A `DecartError` of outcome unknown, frozen, with an own `model` of its own (read-only, as frozen). */
const frozenWithModel = () =>
  Object.freeze(
    Object.assign(new DecartError("the outcome is unknown", { code: "SUBMIT_OUTCOME_UNKNOWN", requestId: "req_f" }), {
      model: "theirs",
    }),
  );

/** A user's subclass whose `key` is a getter only. */
class KeyedError extends DecartError {
  get key() {
    return "theirs";
  }
}

describe("a submitSource of yours that fails with no DecartError after its subscriber left", () => {
  it("(its own fetch sent the job, then the connection broke) is reported as an unknown outcome is: mayExist, said, its error the cause", async () => {
    api = await holdingServer();
    const client = clientOf(api.url);
    const mine: unknown[] = [];
    // Your own submit: a fetch of yours that sends the job, then fails with fetch's TypeError (a reset once the body
    // was in: the server may have made the job).
    const submitSource = (input: object) =>
      defer(() =>
        fetch(`${api!.url}/v1/jobs/lucy-pro-t2v`, { method: "POST", body: JSON.stringify(input) })
          .then((res) => res.json())
          .catch((e) => {
            mine.push(e);
            throw e;
          }),
      );
    const errors: DecartError[] = [];
    const orphans: string[] = [];
    // With its subscriber, it is that submit's error, as before: no job is claimed.
    submitJob(client, { model, prompt: "heard" }, { submitSource }).subscribe({
      error: (e) => errors.push(e),
    });
    await until(() => api!.held.length === 1);
    api.reset(0);
    await until(() => errors.length === 1);
    expect(errors[0]).toMatchObject({ code: "INVALID_RESPONSE", cause: mine[0] });
    expect(errors[0]!.message).not.toMatch(/may exist/);
    expect("mayExist" in errors[0]!).toBe(false);
    // Its subscriber gone while the request was under way.
    submitJob(client, { model, prompt: "left" }, { submitSource, onOrphan: (id) => orphans.push(id) })
      .subscribe()
      .unsubscribe();
    await until(() => api!.held.length === 2);
    expect(api.held[1]!.body).toContain("left");
    api.reset(1);
    await until(() => unhandled.length === 1);
    expect(mine).toHaveLength(2);
    expect(mine[1]).toBeInstanceOf(TypeError);
    expect(unhandled[0]).toMatchObject({
      code: "INVALID_RESPONSE",
      jobId: undefined,
      mayExist: true,
      model: "lucy-pro-t2v",
      cause: mine[1],
    });
    expect(unhandled[0]!.message).toMatch(/^The submit source failed \(TypeError: .*\); a job may exist$/);
    expect(orphans).toEqual([]);
  });
});

describe("a submitSource of yours aborted as its subscriber leaves (an effect's cleanup)", () => {
  it("is not reported: an abort is yours, as the core's own aborted submit is not reported", async () => {
    api = await holdingServer();
    const client = clientOf(api.url);
    const mine: unknown[] = [];
    const controller = new AbortController();
    const submitSource = (input: object) =>
      defer(() =>
        fetch(`${api!.url}/v1/jobs/lucy-pro-t2v`, {
          method: "POST",
          body: JSON.stringify(input),
          signal: controller.signal,
        })
          .then((res) => res.json())
          .catch((e) => {
            mine.push(e);
            throw e;
          }),
      );
    submitJob(client, { model, prompt: "left" }, { submitSource }).subscribe().unsubscribe();
    controller.abort();
    await until(() => mine.length === 1);
    expect((mine[0] as Error).name).toBe("AbortError");
    // The source's failure has been handled once its promise's reactions ran; a turn of the event loop after them.
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
  });
});

describe("a submitSource's thrown value whose name cannot be read (a throwing getter, a revoked Proxy), after its subscriber left", () => {
  it("is reported as a possible job, as any failure that is no abort", async () => {
    const client = clientOf("http://127.0.0.1:9"); // nothing is sent: the submitSource answers
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const values = [
      {
        get name(): string {
          throw new Error("getter");
        },
      },
      revoked.proxy,
    ];
    for (const value of values) {
      const source = new Subject<never>();
      submitJob(client, { model, prompt: "odd" }, { submitSource: () => source })
        .subscribe()
        .unsubscribe();
      source.error(value);
    }
    await until(() => unhandled.length === 2);
    for (const [i, report] of unhandled.entries()) {
      // Field by field, the cause by identity (an error's matcher reads its cause's fields, which throw).
      expect([report.code, report.mayExist, (report as { model?: string }).model]).toEqual([
        "INVALID_RESPONSE",
        true,
        "lucy-pro-t2v",
      ]);
      expect(report.cause === values[i]).toBe(true);
      expect(report.message).toMatch(/^The submit source failed \(.*\); a job may exist$/);
    }
  });
});

describe("a submitSource's error that cannot be written to (frozen, a read-only model, a getter-only key)", () => {
  it("is reported as a copy naming the submit (model, index, key), not as a TypeError", async () => {
    const client = clientOf("http://127.0.0.1:9"); // nothing is sent: the submitSource answers
    const frozen = new Subject<never>();
    submitJob(client, { model, prompt: "frozen" }, { submitSource: () => frozen })
      .subscribe()
      .unsubscribe();
    frozen.error(frozenWithModel());
    const keyed = new Subject<never>();
    submitAll(client, [{ key: "mine", input: { model, prompt: "keyed" } }], { submitSource: () => keyed })
      .subscribe()
      .unsubscribe();
    keyed.error(new KeyedError("the outcome is unknown", { code: "SUBMIT_OUTCOME_UNKNOWN", requestId: "req_k" }));
    await until(() => unhandled.length === 2);
    expect(unhandled[0]).toBeInstanceOf(DecartError);
    expect(unhandled[0]).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", requestId: "req_f", model: "lucy-pro-t2v" });
    expect(unhandled[1]).toBeInstanceOf(KeyedError);
    expect(unhandled[1]).toMatchObject({ requestId: "req_k", model: "lucy-pro-t2v", index: 0, key: "mine" });
  });
});

describe("with no config.onUnhandledError (rxjs's default)", () => {
  it("a CALLBACK_ERROR without a job id after the subscriber left is warned of, never thrown uncaught", async () => {
    config.onUnhandledError = null;
    const uncaught: unknown[] = [];
    const count = (error: unknown) => uncaught.push(error);
    process.on("uncaughtException", count);
    const warnings: unknown[][] = [];
    const warn = vi.spyOn(console, "warn").mockImplementation((...args) => void warnings.push(args));
    try {
      api = await holdingServer();
      const client = clientOf(api.url, nodeUpload());
      submitJob(client, breaksAtTheEnd([])).subscribe().unsubscribe();
      await until(() => warnings.length + uncaught.length > 0);
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(uncaught).toEqual([]);
      expect(warnings[0]![0]).toMatchObject({ code: "CALLBACK_ERROR", jobId: undefined, message: /may exist/ });
    } finally {
      warn.mockRestore();
      process.off("uncaughtException", count);
    }
  });

  it("a 500 after the subscriber left is warned of (the error, its request id), never thrown uncaught", async () => {
    config.onUnhandledError = null;
    const uncaught: unknown[] = [];
    const count = (error: unknown) => uncaught.push(error);
    process.on("uncaughtException", count);
    const warnings: unknown[][] = [];
    const warn = vi.spyOn(console, "warn").mockImplementation((...args) => void warnings.push(args));
    try {
      api = await holdingServer();
      const client = clientOf(api.url);
      const orphans: string[] = [];
      submitJob(client, { model, prompt: "500" }, { onOrphan: (id) => orphans.push(id) })
        .subscribe()
        .unsubscribe();
      await until(() => api!.held.length === 1);
      api.answer(0, 500);
      await until(() => warnings.length + uncaught.length > 0);
      // (rxjs would throw on a timer of its own: one turn later, nothing was thrown.)
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(uncaught).toEqual([]);
      expect(warnings[0]![0]).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", requestId: "req_0" });
      expect(String((warnings[0]![0] as Error).message)).toMatch(/req_0.*may exist/);
      expect(uncaught).toEqual([]);
      expect(unhandled).toEqual([]);
      expect(orphans).toEqual([]);
    } finally {
      warn.mockRestore();
      process.off("uncaughtException", count);
    }
  });
  it("a frozen error with a read-only model of its own after the subscriber left is warned of, never thrown uncaught", async () => {
    config.onUnhandledError = null;
    const uncaught: unknown[] = [];
    const count = (error: unknown) => uncaught.push(error);
    process.on("uncaughtException", count);
    const warnings: unknown[][] = [];
    const warn = vi.spyOn(console, "warn").mockImplementation((...args) => void warnings.push(args));
    try {
      const answer = new Subject<never>();
      submitJob(clientOf("http://127.0.0.1:9"), { model, prompt: "frozen" }, { submitSource: () => answer })
        .subscribe()
        .unsubscribe();
      answer.error(frozenWithModel());
      await until(() => warnings.length + uncaught.length > 0);
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(uncaught).toEqual([]);
      expect(warnings[0]![0]).toMatchObject({
        code: "SUBMIT_OUTCOME_UNKNOWN",
        requestId: "req_f",
        model: "lucy-pro-t2v",
      });
    } finally {
      warn.mockRestore();
      process.off("uncaughtException", count);
    }
  });
});
