import { createServer } from "node:http";
import { inspect } from "node:util";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, type DecartError, fetchTokenFrom, InvalidInputError, models } from "../src/index.js";
import { createTokenRoute } from "../src/server.js";
import { closedPort, fastPoll, instantDelay, json, serve, silent, startFast } from "./helpers.js";

const KEY = "dct_live_s3cr3t_0123456789abcdef";
let emu: Emulator;
beforeAll(async () => {
  emu = await startFast({ keys: [KEY] });
});
afterAll(() => emu.close());

/** Every way an error or object can be turned into text, cause chain included. */
function renderings(value: unknown): string[] {
  const out = [String(value), JSON.stringify(value) ?? "", inspect(value, { depth: 10, showHidden: true })];
  for (let e: any = value, i = 0; e && i < 10; e = e.cause, i++) {
    out.push(
      String(e),
      String(e?.message),
      String(e?.stack),
      JSON.stringify(e) ?? "",
      inspect(e, { depth: 10, showHidden: true }),
    );
  }
  return out;
}

function expectNoKey(value: unknown) {
  for (const text of renderings(value)) expect(text).not.toContain(KEY);
}

describe("the API key never leaks", () => {
  it("not from the client object", () => {
    const client = createDecartClient({ apiKey: KEY, baseUrl: emu.url });
    expectNoKey(client);
    expectNoKey(client.queue);
    expect(Object.keys(client).sort()).toEqual(["files", "generate", "process", "queue", "rateLimit", "tokens"]);
  });

  it("not from errors of any kind: server answers, transport failures, timeouts, aborts, input checks", async () => {
    const errors: DecartError[] = [];
    const client = createDecartClient({ apiKey: KEY, baseUrl: emu.url, logger: silent, maxRetries: 0 });
    const impatient = createDecartClient({ apiKey: KEY, baseUrl: emu.url, timeoutMs: 50, maxRetries: 0 });
    const catchIt = (p: Promise<unknown>) =>
      p.then(
        () => expect.unreachable(),
        (e) => errors.push(e),
      );
    await catchIt(client.queue.status("job_missing"));
    await catchIt(client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x", seed: -1 as number }));
    const { job_id } = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x" });
    emu.setFaults([{ route: "status", kind: "slow", delayMs: 1000 }]);
    await catchIt(impatient.queue.status(job_id));
    emu.setFaults([{ route: "status", kind: "reset" }]);
    await catchIt(client.queue.status(job_id));
    emu.setFaults([{ route: "status", kind: "503" }]);
    await catchIt(client.queue.status(job_id));
    emu.setFaults([]);
    await catchIt(client.queue.status("job_abort", { signal: AbortSignal.abort() }));
    const port = await closedPort();
    const offline = createDecartClient({
      apiKey: KEY,
      baseUrl: `http://127.0.0.1:${port}`,
      poll: { delay: instantDelay() },
    });
    await catchIt(offline.queue.status("job_offline"));
    // A wrong key: the server refuses it (a server that echoes the key is the next test).
    const wrong = createDecartClient({ apiKey: `${KEY}_wrong`, baseUrl: emu.url });
    await catchIt(wrong.queue.status("job_x"));
    expect(errors.map((e) => e.name)).toEqual([
      "NotFoundError",
      "InvalidInputError",
      "TimeoutError",
      "ConnectionError",
      "ServerError",
      "AbortError",
      "ConnectionError",
      "AuthenticationError",
    ]);
    for (const error of errors) expectNoKey(error);
  });

  it("not from errors whose server echoes the key back, in any kind of answer", async () => {
    // A server that puts the X-API-KEY it received into every answer: JSON details, an HTML page, a plain-text 500,
    // a job status, a body that is not JSON, a result of the wrong type.
    const echo = (key: string) =>
      [
        [401, "application/json", JSON.stringify({ detail: `Unknown key ${key}` })],
        [422, "application/json", JSON.stringify({ detail: [{ loc: ["body", key], msg: key, type: "x" }] })],
        [502, "text/html", `<html><head><title>Bad key ${key}</title></head></html>`],
        [500, "text/plain", `failed for ${key}`],
        [200, "application/json", JSON.stringify({ job_id: "job_1", status: key })],
        [200, "text/plain", `${"x".repeat(70)}${key}`],
      ] as const;
    let n = 0;
    const server = createServer((req, res) => {
      const [status, type, body] = echo(String(req.headers["x-api-key"]))[n++ % 6]!;
      res.writeHead(status, { "content-type": type });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const errors: DecartError[] = [];
    try {
      const client = createDecartClient({ apiKey: KEY, baseUrl: url, maxRetries: 0, logger: silent });
      for (let i = 0; i < 6; i++) errors.push(await client.queue.status("job_1").catch((e) => e));
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(errors.map((e) => e.name)).toEqual([
      "AuthenticationError",
      "ValidationError",
      "ServerError",
      "ServerError",
      "InvalidResponseError",
      "InvalidResponseError",
    ]);
    // The server's words are kept, with the key replaced.
    expect(errors[0]!.message).toMatch(/^Unknown key \[redacted\]/);
    for (const error of errors) expectNoKey(error);
  });

  it("not from an error whose JSON escapes the key's characters (\\u0064, PHP's \\/): message, issues, retry log", async () => {
    // A key with a `/`, which PHP's json_encode writes `\/`; every character of it also as `\u00XX`.
    const key = "dct_abc/def_0123456789";
    const escapes = [
      (k: string) => JSON.stringify(k).slice(1, -1).replace(/\//g, "\\/"),
      (k: string) => [...k].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join(""),
      (k: string) => `\\u0064${k.slice(1).replace(/\//g, "\\u002F")}`,
    ];
    const answers = (e: string) =>
      [
        [500, `{"detail": "upstream refused key ${e}"}`],
        [401, `{"detail": {"key": "${e}"}}`],
        [422, `{"detail": [{"loc": ["body", "${e}"], "msg": "bad ${e}", "type": "x", "input": {"k": "${e}"}}]}`],
      ] as const;
    // The job id says which answer, with which form of escapes: `job_<answer>_<form>`.
    const server = await serve((req, res) => {
      const [, answer, form] = req.url!.match(/job_(\d)_(\d)/)!.map(Number);
      const [status, body] = answers(escapes[form!]!(String(req.headers["x-api-key"])))[answer!]!;
      res.writeHead(status, { "content-type": "application/json" }).end(body);
    });
    const logged: string[] = [];
    try {
      const client = createDecartClient({
        apiKey: key,
        baseUrl: server.url,
        maxRetries: 1,
        logger: { warn: () => {}, debug: (line) => logged.push(line) },
        poll: { delay: instantDelay() },
      });
      const errors: DecartError[] = [];
      for (let answer = 0; answer < 3; answer++)
        for (let form = 0; form < 3; form++)
          errors.push(await client.queue.status(`job_${answer}_${form}`).catch((e) => e));
      expect(errors.map((e) => e.status)).toEqual([500, 500, 500, 401, 401, 401, 422, 422, 422]);
      expect(errors[0]!.message).toBe("upstream refused key [redacted] (HTTP 500)");
      expect(errors[3]!.message).toBe('{"key":"[redacted]"} (HTTP 401)');
      expect(errors[6]!.message).toBe("[redacted]: bad [redacted] (HTTP 422)");
      expect((errors[6] as any).issues).toStrictEqual([
        // (The echoed `input` is not kept at all.)
        { loc: ["body", "[redacted]"], msg: "bad [redacted]", type: "x" },
      ]);
      expect(logged.length).toBeGreaterThan(0);
      for (const text of [...logged, ...errors.flatMap(renderings)]) expect(text).not.toContain(key);
    } finally {
      await server.close();
    }
  });

  it("not from a request id that echoes the key: the message, requestId, the retry log, the rate-limit event", async () => {
    // A proxy that logs puts the key it received into its x-request-id: a 503, then a 429, then a 401.
    const server = await serve((req, res) => {
      const status = [503, 429, 401][(server.arrived() - 1) % 3]!;
      res.writeHead(status, { "x-request-id": `req-${req.headers["x-api-key"]}`, "retry-after": "0" }).end("busy");
    });
    const logged: unknown[] = [];
    try {
      const client = createDecartClient({
        apiKey: KEY,
        baseUrl: server.url,
        maxRetries: 2,
        logger: { warn: () => {}, debug: (line) => logged.push(line) },
        poll: { delay: instantDelay() },
      });
      client.rateLimit.subscribe((event) => logged.push(event));
      const error = await client.queue.status("job_1").catch((e) => e);
      expect(server.arrived()).toBe(3);
      expect(error.status).toBe(401);
      expect(error.requestId).toBe("req-[redacted]");
      expect(error.message).toBe("busy (HTTP 401, request req-[redacted])");
      expect(logged).toContainEqual(expect.objectContaining({ requestId: "req-[redacted]" }));
      expect(logged.filter((line) => typeof line === "string")).toHaveLength(2);
      for (const text of [...renderings(logged), ...renderings(error)]) expect(text).not.toContain(KEY);
    } finally {
      await server.close();
    }
  });

  it("not from a failed job's reason that echoes the key: its status, the wait's outcome, events, JobFailedError", async () => {
    // A server that fails every job with a reason quoting the X-API-KEY it received (a submit's answer too).
    const failed = (req: { headers: Record<string, unknown> }) => ({
      job_id: "job_1",
      status: "failed",
      error: `quota exceeded for ${req.headers["x-api-key"]} (see ${req.headers["x-api-key"]})`,
    });
    const server = await serve((req, res) => json(res, 200, failed(req)));
    try {
      const client = createDecartClient({ apiKey: KEY, baseUrl: server.url, logger: silent, poll: fastPoll });
      const reason = "quota exceeded for [redacted] (see [redacted])";
      expect((await client.queue.status("job_1")).error).toBe(reason);
      const outcome = await client.queue.wait("job_1");
      expect(outcome).toEqual({ status: "failed", job_id: "job_1", error: reason });
      const events: unknown[] = [];
      for await (const event of client.queue.submitAndWatch({ model: models.video("lucy-pro-t2v"), prompt: "x" }))
        events.push(event);
      expect(events.map((e: any) => [e.type, e.error ?? e.job?.error])).toEqual([
        ["submitted", undefined],
        ["failed", reason],
      ]);
      const error = await client.generate({ model: models.video("lucy-pro-t2v"), prompt: "x" }).catch((e) => e);
      expect(error.name).toBe("JobFailedError");
      expect(error.reason).toBe(reason);
      expect(error.message).toBe(`Job job_1 failed: ${reason}`);
      for (const value of [outcome, events, error]) expectNoKey(value);
    } finally {
      await server.close();
    }
  });

  it("not from a reason in an answer nested deeper than a recursion goes, whose job is kept", async () => {
    // 10 000 arrays deep beside the fields (about 20 KB, far under the 1 MiB read): JSON, as the spec's answers are.
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    const server = await serve((req, res) => {
      const body =
        req.method === "POST"
          ? `{"job_id":"job_1","status":"pending","extra":${deep}}`
          : `{"job_id":"job_1","status":"failed","error":"quota for ${req.headers["x-api-key"]}","extra":${deep}}`;
      res.writeHead(200, { "content-type": "application/json" }).end(body);
    });
    try {
      const client = createDecartClient({ apiKey: KEY, baseUrl: server.url, logger: silent, poll: fastPoll });
      const submitted = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x" });
      expect(submitted.job_id).toBe("job_1");
      const status = await client.queue.status("job_1");
      expect(status.error).toBe("quota for [redacted]");
      expect((status as { extra?: unknown }).extra).toBeInstanceOf(Array);
      delete (status as { extra?: unknown }).extra; // (too deep for expectNoKey's own walk)
      expectNoKey(status);
    } finally {
      await server.close();
    }
  });

  it("a key under 8 characters (a test's `k`) is no secret to cut out of a server's words; one of 8 is", async () => {
    // A server whose error detail and failed job's reason hold the words `kiosk` and `bookkeeping`, and the key it got.
    const server = await serve((req, res) => {
      const said = `kiosk bookkeeping for ${req.headers["x-api-key"]}`;
      if (req.url!.includes("job_busy")) json(res, 503, { detail: said });
      else json(res, 200, { job_id: "job_1", status: "failed", error: said });
    });
    try {
      const read = async (apiKey: string) => {
        const client = createDecartClient({ apiKey, baseUrl: server.url, maxRetries: 0, logger: silent });
        const error = await client.queue.status("job_busy").catch((e) => e);
        return [error.message, (await client.queue.status("job_1")).error];
      };
      expect(await read("k")).toEqual([
        "kiosk bookkeeping for k (HTTP 503, request req_test)",
        "kiosk bookkeeping for k",
      ]);
      expect(await read("dct_k12")).toEqual([
        "kiosk bookkeeping for dct_k12 (HTTP 503, request req_test)",
        "kiosk bookkeeping for dct_k12",
      ]);
      expect(await read("dct_k123")).toEqual([
        "kiosk bookkeeping for [redacted] (HTTP 503, request req_test)",
        "kiosk bookkeeping for [redacted]",
      ]);
    } finally {
      await server.close();
    }
  });

  it("missing, is said to be missing, with where to give it; a key a header cannot carry, to be of printable ASCII", () => {
    const saved = process.env.DECART_API_KEY;
    delete process.env.DECART_API_KEY;
    try {
      const refusal = (apiKey: string | undefined) => {
        try {
          createDecartClient({ apiKey, baseUrl: emu.url });
        } catch (e) {
          return [(e as InvalidInputError).field, (e as Error).message];
        }
      };
      for (const apiKey of [undefined, "", "  "]) {
        expect(refusal(apiKey)).toEqual([
          "apiKey",
          'Invalid options: "apiKey" must be given (or set DECART_API_KEY, or use `token` or `proxy`)',
        ]);
      }
      expect(refusal(`${KEY}\n`.repeat(2))).toEqual([
        "apiKey",
        'Invalid options: "apiKey" must be a key of printable ASCII',
      ]);
    } finally {
      if (saved !== undefined) process.env.DECART_API_KEY = saved;
    }
  });

  it("is read from DECART_API_KEY when not passed, and not exposed either", async () => {
    const saved = process.env.DECART_API_KEY;
    process.env.DECART_API_KEY = ` ${KEY} `;
    try {
      const client = createDecartClient({ baseUrl: emu.url });
      expectNoKey(client);
      const status = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "env key" });
      expect(status.status).toBe("pending");
    } finally {
      if (saved === undefined) delete process.env.DECART_API_KEY;
      else process.env.DECART_API_KEY = saved;
    }
  });

  it("not from an option's check that got the key (or a client token) where another value goes: shown by its length", async () => {
    const TOKEN = "ek_client_t0ken_0123456789abcdef";
    const client = createDecartClient({ apiKey: KEY, baseUrl: emu.url, logger: silent });
    const calls: [string, () => unknown][] = [
      // `createDecartClient(process.env.DECART_API_KEY)`: the key given for the options.
      ["options", () => createDecartClient(KEY as never)],
      ["token", () => createDecartClient({ token: TOKEN as never })],
      ["token", () => createDecartClient({ apiKey: KEY, token: KEY as never })],
      ["telemetry", () => createDecartClient({ apiKey: KEY, telemetry: KEY as never })],
      ["dangerouslyAllowBrowser", () => createDecartClient({ apiKey: KEY, dangerouslyAllowBrowser: KEY as never })],
      ["options", () => createTokenRoute(KEY as never)],
      ["options", () => client.tokens.create(KEY as never)],
      ["expiresIn", () => client.tokens.create({ expiresIn: TOKEN.toUpperCase() as never })],
    ];
    for (const [field, call] of calls) {
      const error = (await (async () => call())().catch((e) => e)) as InvalidInputError;
      expect(error, field).toBeInstanceOf(InvalidInputError);
      expect(error.field).toBe(field);
      expect(error.message, field).toMatch(/\(got (31|32) characters\)$/);
      for (const text of renderings(error)) {
        expect(text).not.toContain(KEY.slice(4, 16));
        expect(text.toLowerCase()).not.toContain(TOKEN.slice(3, 15));
      }
    }
    // A client token given where the token route's URL goes (React's `<DecartProvider token="ek_…">`): its failure
    // shows it by its length alone.
    const tokened = createDecartClient({
      token: fetchTokenFrom(TOKEN),
      baseUrl: emu.url,
      maxRetries: 0,
      logger: silent,
    });
    const error = await tokened.queue.status(`job_${"ab".repeat(16)}`).catch((e) => e);
    expect(error).toMatchObject({ code: "TOKEN_ERROR" });
    expect(error.message).toContain("Token route 32 characters: ");
    for (const text of renderings(error)) expect(text).not.toContain(TOKEN.slice(3, 15));
  });
});
