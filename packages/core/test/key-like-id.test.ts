/**
 * A key (or client token) given where a job id goes (`queue.status("dct_…")`: pasted in the wrong place) is shown by its
 * length in what the client says of the request (a connection's failure, a timeout), as `shownUrl` shows key-like
 * text elsewhere: never whole in a message or a log line (the error's `jobId` is the id as given: the caller's own).
 */
import { Console } from "node:console";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { createDecartClient, type DecartClientOptions } from "../src/index.js";
import { saveResult } from "../src/node.js";
import { closedPort, serve, virtualTime } from "./helpers.js";

/** What an error says: its message and stack, and its causes'. */
const said = (error: any): string =>
  error ? `${error.message}\n${error.stack}\n${error === error.cause ? "" : said(error.cause)}` : "";

const KEY = "dct_pasted_key_0123456789abcdef";

describe("a key-like text given as a job id", () => {
  for (const id of [KEY, `ek_${KEY.slice(4)}`, `DCT_${KEY.slice(4)}`]) {
    it(`${id.slice(0, 4)}…: by its length in a refused connection's and a reset's error, and a wait's timeout`, async () => {
      const reset = await serve((req) => void req.socket.destroy());
      const dead = await closedPort();
      const logged: string[] = [];
      try {
        for (const [url, refused] of [
          [`http://127.0.0.1:${dead}`, "CONNECTION_REFUSED"],
          [reset.url, undefined],
        ]) {
          const client = createDecartClient({
            apiKey: "dct_client_key_abcdef0123456789",
            baseUrl: url,
            maxRetries: 1,
            logger: { warn: (m: string) => logged.push(m), debug: (m: string) => logged.push(m) },
            poll: virtualTime(),
          } as DecartClientOptions);
          const errors = await Promise.all([
            client.queue.status(id).catch((e) => e),
            client.queue.result(id).catch((e) => e),
            client.queue.wait(id, { timeoutMs: 5000 }).catch((e) => e),
          ]);
          expect(errors.map((e) => e.code)).toEqual(
            [refused, refused, "JOB_TIMEOUT"].map((code) => code ?? "CONNECTION_ERROR"),
          );
          for (const e of errors) {
            const text = said(e);
            expect(text).toContain(`/v1/jobs/${id.length} characters`);
            expect(text.toLowerCase()).not.toContain(id.slice(0, 8).toLowerCase());
          }
        }
        // (The retries were said: each names the request, and a watch's its job.)
        expect(logged.join("\n")).toMatch(/Job \d+ characters: GET .*; retry 1/);
        expect(logged.join("\n").toLowerCase()).not.toContain(id.slice(0, 8).toLowerCase());
      } finally {
        await reset.close();
      }
    });
  }
});

describe("a key-like text given as a job id to saveResult, or to a download whose callback throws", () => {
  it("by its length in saveResult's retry lines and its write failure, and in a callback's error", async () => {
    const dead = await closedPort();
    const logged: string[] = [];
    const options = {
      apiKey: "dct_client_key_abcdef0123456789",
      maxRetries: 1,
      logger: { warn: (m: string) => logged.push(m), debug: (m: string) => logged.push(m) },
      poll: virtualTime(),
    } as DecartClientOptions;
    const bytes = await serve((_req, res) => void res.writeHead(200, { "content-type": "video/mp4" }).end("mp4 bytes"));
    try {
      const refused = await saveResult(
        createDecartClient({ ...options, baseUrl: `http://127.0.0.1:${dead}` }),
        KEY,
        join(tmpdir(), `key-like-${process.pid}.mp4`),
      ).catch((e) => e);
      expect(refused.code).toBe("CONNECTION_REFUSED");
      expect(logged.join("\n")).toMatch(/saving \d+ characters/);
      // A directory where the file goes: the write fails.
      const client = createDecartClient({ ...options, baseUrl: bytes.url });
      const unwritable = await saveResult(client, KEY, tmpdir()).catch((e) => e);
      expect(unwritable.code).toBe("FILE_WRITE_FAILED");
      expect(unwritable.message).toContain(`Could not write the result of job ${KEY.length} characters to`);
      expect(unwritable.message).toContain("queue.result(its id)");
      const threw = await client.queue
        .result(KEY, {
          onProgress: () => {
            throw new Error("no");
          },
        })
        .catch((e) => e);
      expect(threw.code).toBe("CALLBACK_ERROR");
      expect(threw.message).toBe(`Job ${KEY.length} characters: a callback threw (Error: no); the job goes on`);
      for (const text of [said(refused), said(unwritable), said(threw), logged.join("\n")])
        expect(text.toLowerCase()).not.toContain(KEY.slice(0, 8).toLowerCase());
    } finally {
      await bytes.close();
    }
  });
});

describe("a key-like job id in an error serialized", () => {
  it("JSON.stringify(error) (toJSON) writes it by its length; the property is the id as given", async () => {
    const client = createDecartClient({
      apiKey: "dct_client_key_abcdef0123456789",
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
      maxRetries: 0,
      poll: virtualTime(),
    } as DecartClientOptions);
    const errors = await Promise.all([
      client.queue.status(KEY).catch((e) => e),
      client.queue.wait(KEY, { timeoutMs: 5000 }).catch((e) => e),
    ]);
    for (const e of errors) {
      expect(e.jobId).toBe(KEY);
      const json = JSON.stringify(e);
      expect(json.toLowerCase()).not.toContain(KEY.slice(0, 8));
      expect(JSON.parse(json)).toMatchObject({ jobId: `${KEY.length} characters`, code: e.code });
    }
  });
});

describe("a key-like job id in an error printed", () => {
  it("util.inspect(error) and console.log(error) show it by its length, a job's id as it is; the property is as given", async () => {
    const dead = await closedPort();
    const client = createDecartClient({
      apiKey: "dct_client_key_abcdef0123456789",
      baseUrl: `http://127.0.0.1:${dead}`,
      maxRetries: 0,
      poll: virtualTime(),
    } as DecartClientOptions);
    const errors = await Promise.all([
      client.queue.status(KEY).catch((e) => e),
      client.queue.result(KEY).catch((e) => e),
      client.queue.wait(KEY, { timeoutMs: 5000 }).catch((e) => e),
    ]);
    // What console.log writes, through a Console of its own over a stream (the global one's output goes to the runner).
    let out = "";
    const logged = new Console({
      stdout: new Writable({
        write(chunk, _encoding, done) {
          out += chunk;
          done();
        },
      }),
    });
    for (const e of errors) {
      expect(e.jobId).toBe(KEY);
      const printed = inspect(e, { depth: Infinity });
      logged.log(e);
      logged.log({ error: e });
      for (const text of [printed, out]) {
        expect(text.toLowerCase()).not.toContain(KEY.slice(0, 8));
        expect(text).toContain(`jobId: '${KEY.length} characters'`);
        // Still printed as the error it is: its class, code and stack.
        expect(text).toContain(`${e.name}: ${e.message}`);
        expect(text).toContain(`code: '${e.code}'`);
      }
    }
    // (The job's timeout carries the failed read as its cause: printed the same, at any depth.)
    expect(errors[2].cause?.jobId).toBe(KEY);
    // A job id that is not key-like is printed as it is, the error itself.
    const other = await client.queue.status("job_0123").catch((e) => e);
    expect(inspect(other)).toContain("jobId: 'job_0123'");
  });
});

describe("a key-like job id in an error printed, the rest as it is", () => {
  it("util.inspect prints what it prints without the hook but the jobId: [cause], [Getter], [Circular *1] for a loop", async () => {
    const client = createDecartClient({
      apiKey: "dct_client_key_abcdef0123456789",
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
      maxRetries: 0,
      poll: virtualTime(),
    } as DecartClientOptions);
    // A wait's timeout, its cause the failed read (both with the key-like id), and a status read's error.
    const [timeout, read] = await Promise.all([
      client.queue.wait(KEY, { timeoutMs: 5000 }).catch((e) => e),
      client.queue.status(KEY).catch((e) => e),
    ]);
    expect(timeout.cause?.jobId).toBe(KEY);
    // An error that refers to itself, a cause that leads back to its error, and a getter of one's own.
    read.self = read;
    timeout.cause.back = timeout;
    for (const e of [timeout, read]) Object.defineProperty(e, "lazy", { enumerable: true, get: () => "computed" });
    for (const e of [timeout, read])
      for (const options of [
        { depth: Number.POSITIVE_INFINITY },
        { depth: Number.POSITIVE_INFINITY, showHidden: true },
      ]) {
        const printed = inspect(e, options);
        // Without any hook (`customInspect: false`), the ids by their length: the same text.
        const plain = inspect(e, { ...options, customInspect: false });
        expect(plain).toContain(`jobId: '${KEY}'`);
        expect(printed).toBe(plain.replaceAll(`jobId: '${KEY}'`, `jobId: '${KEY.length} characters'`));
        expect(printed).toContain("[Circular *1]");
        expect(printed).toContain("lazy: [Getter]");
        expect(printed.length).toBeLessThan(20_000);
      }
    expect(inspect(timeout)).toContain(`[cause]: ${timeout.cause.name}: ${timeout.cause.message}`);
    // The same error printed again after a field changed: as it is now.
    read.retryable = "changed";
    expect(inspect(read)).toContain("retryable: 'changed'");
  });

  it("printed again after a field was deleted, or deleted and set again, or the error frozen: as Node prints it now", async () => {
    const client = createDecartClient({
      apiKey: "dct_client_key_abcdef0123456789",
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
      maxRetries: 0,
      poll: virtualTime(),
    } as DecartClientOptions);
    const e = await client.queue.status(KEY).catch((error) => error);
    expect(e.jobId).toBe(KEY);
    const same = (options: object = {}) =>
      expect(inspect(e, options)).toBe(
        inspect(e, { ...options, customInspect: false }).replaceAll(
          `jobId: '${KEY}'`,
          `jobId: '${KEY.length} characters'`,
        ),
      );
    e.body = { apiKey: "sk_live_redact_me" };
    e.x = 1;
    e.y = 2;
    same();
    expect(inspect(e)).toContain("redact_me");
    // A body deleted (redacted) before the next log line is not printed.
    delete e.body;
    expect(inspect(e)).not.toContain("redact_me");
    same();
    // A field deleted and set again is printed where Node prints it: after the others.
    delete e.x;
    e.x = 1;
    expect(inspect(e)).toMatch(/y: 2,\s+x: 1,\s+\[cause\]/);
    same();
    same({ showHidden: true });
    // With `getters: true`, a getter runs on the error itself (as without the hook), not on a copy of it.
    Object.defineProperty(e, "lazy", { enumerable: true, configurable: true, get: () => "on" });
    Object.defineProperty(e, "who", {
      enumerable: true,
      get() {
        return this === e ? "the error" : "another";
      },
    });
    same({ getters: true });
    expect(inspect(e, { getters: true })).toContain("who: [Getter: 'the error']");
    // Frozen (every field not configurable): printed again and again, as it is.
    Object.freeze(e);
    same({ showHidden: true });
    same({ getters: true });
  });
});
