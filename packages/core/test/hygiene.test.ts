/**
 * Wire hygiene over real HTTP, against small purpose-built servers on loopback for the answers the emulator cannot
 * make (redirects, garbage bodies, wrong media types), or a proxy in front of the emulator that loses its answers.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catalogue } from "@decart/api";
import { describe, expect, it } from "vitest";
import {
  ConnectionError,
  canWatchAgain,
  createDecartClient,
  type DecartClientOptions,
  InvalidInputError,
  InvalidResponseError,
  JobNotCompletedError,
  MAX_ID_LENGTH,
  models,
  NotFoundError,
  ServerError,
  TimeoutError,
} from "../src/index.js";
import { saveResult } from "../src/node.js";
import {
  chainText,
  clientFor,
  instantDelay,
  json,
  serve,
  silent,
  startFast,
  virtualTime,
  watchedFetch,
} from "./helpers.js";

const KEY = "dct_hygiene_key_0123456789abcdef";
const JOB = `job_${"cd".repeat(16)}`;
const t2v = () => models.video("lucy-pro-t2v");

const client = (url: string, options: Parameters<typeof createDecartClient>[0] = {}) =>
  createDecartClient({
    apiKey: KEY,
    baseUrl: url,
    logger: silent,
    poll: { delay: instantDelay() },
    ...options,
  } as DecartClientOptions);

describe("redirects: the key never crosses origins", () => {
  it("a 307 to another origin is followed without X-API-KEY by a GET, not by a POST; same-origin hops keep it", async () => {
    const other = await serve((_req, res) => json(res, 200, { job_id: JOB, status: "processing" }));
    const api = await serve((req, res) => {
      // /v1/jobs/<id> → /moved/<id> on this server → the other server.
      const target = req.url!.startsWith("/moved/") ? `${other.url}${req.url!.slice(6)}` : `/moved${req.url}`;
      res.writeHead(307, { location: target });
      res.end();
    });
    try {
      const c = client(api.url);
      expect(await c.queue.status(JOB)).toEqual({ job_id: JOB, status: "processing" });
      // The POST goes on within the API's origin only: its prompt and media never reach the other server.
      const e = await c.queue.submit({ model: t2v(), prompt: "redirected" }).catch((e) => e);
      expect(e).toMatchObject({ code: "INVALID_RESPONSE", status: 307, retryable: false });
      expect(e.message).toContain(`redirected to ${other.url}, nothing was sent there: set baseUrl to it`);
      // Every hop on the API's origin carried the key; none on the other origin did.
      expect(api.seen.map((r) => [r.method, r.key])).toEqual([
        ["GET", KEY],
        ["GET", KEY],
        ["POST", KEY],
        ["POST", KEY],
      ]);
      expect(other.seen.map((r) => [r.method, r.path, r.key])).toEqual([["GET", `/v1/jobs/${JOB}`, undefined]]);
    } finally {
      await Promise.all([api.close(), other.close()]);
    }
  });

  // A loop ends after 5 hops. fetch would answer a `data:` URL itself (a status made up by whoever sent the redirect),
  // and fail on `file:`, `javascript:` or a Location that is not a URL as if the network had (a retried ConnectionError).
  const redirects: [name: string, location: (path: string) => string, message: string, requests: number][] = [
    ["a redirect loop", (path) => path, "more than 5 redirects", 6],
    ...[
      `data:application/json,{"job_id":"${JOB}","status":"completed"}`,
      "file:///etc/passwd",
      "javascript:alert(1)",
      "http://[::1",
    ].map((to): [string, () => string, string, number] => [
      `a redirect to ${to.slice(0, 20)}`,
      () => to,
      `a redirect to ${to.slice(0, 20)}`,
      1,
    ]),
  ];
  for (const [name, location, message, requests] of redirects) {
    it(`${name} is not followed: InvalidResponseError carrying the job id`, async () => {
      const api = await serve((req, res) => {
        res.writeHead(302, { location: location(req.url!) });
        res.end();
      });
      try {
        const error = await client(api.url, { maxRetries: 0 })
          .queue.status(JOB)
          .catch((e) => e);
        expect(error).toBeInstanceOf(InvalidResponseError);
        expect(error).toMatchObject({ code: "INVALID_RESPONSE", jobId: JOB, status: 302 });
        expect(error.message).toContain(message);
        expect(api.seen).toHaveLength(requests);
      } finally {
        await api.close();
      }
    });
  }
});

describe("a redirect to a URL with credentials or a signature", () => {
  it("is not followed (fetch would quote it in its error): InvalidResponseError showing it without them", async () => {
    const api = await serve((req, res) => {
      const { port } = new URL(api.url);
      res.writeHead(302, {
        location: req.url!.endsWith("ftp")
          ? "ftp://user:SECRET@files.example/x?sig=SECRET#SECRET"
          : `http://user:SECRET@127.0.0.1:${port}/elsewhere?X-Amz-Signature=SECRET#SECRET`,
      });
      res.end();
    });
    try {
      for (const [id, shown] of [
        [JOB, `${api.url}/elsewhere`],
        [`${JOB}/ftp`, "ftp://files.example/x"],
      ] as const) {
        const error = await client(api.url, { maxRetries: 0 })
          .queue.status(id)
          .catch((e) => e);
        expect(error).toBeInstanceOf(InvalidResponseError);
        expect(error.message).toContain(`: a redirect to ${shown} (HTTP 302)`);
        expect(chainText(error)).not.toContain("SECRET");
      }
      // Each was asked once, and nothing went to the redirect's target.
      expect(api.seen.map((r) => r.path)).toEqual([`/v1/jobs/${JOB}`, `/v1/jobs/${encodeURIComponent(`${JOB}/ftp`)}`]);
    } finally {
      await api.close();
    }
  });
});

describe("a submit whose outcome is unknown is not sent again, and says a job may exist", () => {
  it("500 after the job was created: SUBMIT_OUTCOME_UNKNOWN with the request id, one job", async () => {
    const emu = await startFast();
    // A gateway that passes the submit on to the server, then loses its answer.
    const gateway = await serve(async (req, res, body) => {
      const answer = await fetch(emu.url + req.url, {
        method: req.method!,
        headers: { "content-type": req.headers["content-type"]!, "x-api-key": req.headers["x-api-key"] as string },
        body: body.length ? new Uint8Array(body) : undefined,
      });
      await answer.text();
      res.writeHead(500, { "content-type": "application/json", "x-request-id": "req_gateway" });
      res.end(JSON.stringify({ detail: "upstream failed" }));
    });
    try {
      const c = createDecartClient({ apiKey: emu.apiKey, baseUrl: gateway.url, logger: silent });
      const error = await c.queue.submit({ model: t2v(), prompt: "x" }).catch((e) => e);
      expect(error).toBeInstanceOf(ServerError);
      expect(error).toMatchObject({
        code: "SUBMIT_OUTCOME_UNKNOWN",
        status: 500,
        retryable: false,
        requestId: "req_gateway",
      });
      expect(error.message).toBe(
        "upstream failed (HTTP 500, request req_gateway); a job (or file) may exist: not sent again (that could bill twice): ask support before retrying",
      );
      expect(gateway.seen).toHaveLength(1);
      expect(emu.stats().jobsCreated).toBe(1);
    } finally {
      await gateway.close();
      await emu.close();
    }
  });

  it("a submit answer cut short: SUBMIT_OUTCOME_UNKNOWN, one request, one job", async () => {
    const emu = await startFast({ faults: [{ route: "submit", kind: "truncate" }] });
    try {
      const error = await clientFor(emu)
        .queue.submit({ model: t2v(), prompt: "x" })
        .catch((e) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false });
      // The server's request id is in the message (pasted into a support ticket), once.
      expect(error.requestId).toMatch(/^req_/);
      expect(error.message.split(error.requestId)).toHaveLength(2);
      expect(error.message).toContain(` (request ${error.requestId}); a job (or file) may exist`);
      expect(emu.stats().requests.byRoute.submit).toBe(1);
      expect(emu.stats().jobsCreated).toBe(1);
    } finally {
      await emu.close();
    }
  });

  it("a submit that times out after the body was sent is not repeated", async () => {
    // A server that takes the whole body and never answers (a prompt's submit: `timeoutMs` bounds it). The case under
    // test needs the body to arrive before the client's time limit runs out, which takes a few ms on a quiet machine
    // and far longer on a loaded one: the limit starts at 100 ms and doubles until the server had the whole body when
    // the client gave up.
    for (let limitMs = 100; limitMs <= 6400; limitMs *= 2) {
      const api = await serve(() => {});
      // A request sent again would go through the client's fetch before the submit fails.
      const watched = watchedFetch();
      try {
        const error = await client(api.url, { timeoutMs: limitMs, fetch: watched })
          .queue.submit({ model: t2v(), prompt: "x" })
          .catch((e) => e);
        expect(error).toBeInstanceOf(TimeoutError);
        expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false });
        if (api.seen.length === 0) continue; // the limit ran out before the body was in
        expect(watched.sent).toEqual([`${api.url}/v1/jobs/lucy-pro-t2v`]);
        expect(watched.open()).toBe(0);
        expect(api.arrived()).toBe(1);
        expect(api.seen).toHaveLength(1);
        expect(api.seen[0]).toMatchObject({ method: "POST", path: "/v1/jobs/lucy-pro-t2v" });
        return;
      } finally {
        await api.close();
      }
    }
    expect.fail("the body never reached the server within 6.4 s");
  });

  // MAX_ID_LENGTH, exported for the CLI's check of a job id argument, is the spec's: an id of that length is taken and
  // sent back, a longer one is neither (a submit answer's is as good as none; one given is refused, nothing sent).
  // Counted as the spec's maxLength counts them (JSON Schema: code points), an answer's as an id given: 256 emoji (512
  // UTF-16 units) are taken from a submit answer and sent back; a submit answer's were refused as too long.
  it("MAX_ID_LENGTH is the spec's maxLength of job_id and file_id: an id that long (in code points) is taken and sent back, no longer", async () => {
    const spec = readFileSync(new URL("../../../spec/openapi.yaml", import.meta.url), "utf8");
    const params = [...spec.matchAll(/- name: (job|file)_id\n\s+in: path\n[\s\S]*?maxLength: (\d+)/g)];
    expect(params.map((p) => p[1])).toEqual(["job", "job", "file", "file"]);
    for (const p of params) expect(Number(p[2])).toBe(MAX_ID_LENGTH);
    for (const longest of ["j".repeat(MAX_ID_LENGTH), "😀".repeat(MAX_ID_LENGTH)]) {
      const api = await serve((req, res) =>
        json(res, 200, {
          job_id: req.method === "POST" ? longest : decodeURIComponent(req.url!.slice(9)),
          status: "pending",
        }),
      );
      try {
        const c = client(api.url);
        const job = await c.queue.submit({ model: t2v(), prompt: "x" });
        expect(job.job_id).toBe(longest);
        expect((await c.queue.status(job.job_id)).job_id).toBe(longest);
        expect(api.seen.map((r) => r.path)).toEqual([
          "/v1/jobs/lucy-pro-t2v",
          `/v1/jobs/${encodeURIComponent(longest)}`,
        ]);
        const error = await c.queue.status(`${longest}${[...longest][0]}`).catch((e) => e);
        expect(error).toBeInstanceOf(InvalidInputError);
        expect(error).toMatchObject({ field: "jobId", expected: `1 to ${MAX_ID_LENGTH} characters long, not . or ..` });
        expect(api.seen).toHaveLength(2);
      } finally {
        await api.close();
      }
    }
  });

  // `.` and `..` are 1 to 256 characters, but a URL's path resolves them away: `/v1/jobs/..` is `/v1/`,
  // `/v1/jobs/./content` is `/v1/jobs/content`, `/v1/files/..` is `/v1/`: another endpoint. Refused before anything is
  // sent (or written), in every call that puts an id in a path; a submit answer's is as good as none. `%2e` is sent
  // percent-encoded (`%252e`): the server gets it as written.
  /** Every call that takes a job or file id, with the field its error names, given `id` (a result saved in `dir`). */
  const idCalls = (c: ReturnType<typeof client>, id: string, dir: string): [field: string, call: () => unknown][] => [
    ["jobId", () => c.queue.status(id)],
    ["jobId", () => c.queue.readStatus(id)],
    ["jobId", () => c.queue.result(id)],
    ["jobId", () => c.queue.download(id)],
    ["jobId", () => c.queue.wait(id)],
    ["jobId", () => c.queue.watch(id).next()],
    ["fileId", () => c.files.get(id)],
    ["fileId", () => c.files.delete(id)],
    ["jobId", () => saveResult(c, id, join(dir, "result.mp4"))],
  ];

  it("the ids . and .. are refused, nothing sent; a submit answer's says a job may exist; %2e is sent as written", async () => {
    const api = await serve((req, res) =>
      json(res, 200, {
        job_id: req.method === "POST" ? req.headers["x-answer"] : decodeURIComponent(req.url!.split("/")[3]!),
        status: "pending",
      }),
    );
    const dir = mkdtempSync(join(tmpdir(), "decart-dot-ids-"));
    try {
      for (const id of [".", ".."]) {
        const c = client(api.url);
        const calls = idCalls(c, id, dir);
        for (const [field, call] of [...calls, ["jobId", () => c.queue.createWatch(id)]] as typeof calls) {
          let answer: unknown;
          let thrown: unknown;
          try {
            answer = call();
          } catch (e) {
            thrown = e;
          }
          // A call that answers a promise rejects it, never throws as it is called (`createWatch` answers a watch).
          if (!String(call).includes("createWatch")) expect(thrown, `${call} threw as called`).toBeUndefined();
          const error = (thrown ?? (await (answer as Promise<unknown>).catch((e) => e))) as InvalidInputError;
          expect(error, `${call} with ${id}`).toBeInstanceOf(InvalidInputError);
          expect(error).toMatchObject({ field, expected: `1 to ${MAX_ID_LENGTH} characters long, not . or ..` });
          expect(error.jobId, `${call} with ${id}`).toBeUndefined();
        }
        expect(api.seen).toEqual([]);
        expect(readdirSync(dir)).toEqual([]);
        const answered = createDecartClient({
          apiKey: KEY,
          baseUrl: api.url,
          logger: silent,
          fetch: (url, init) => fetch(url, { ...init, headers: { ...init?.headers, "x-answer": id } }),
        });
        const error = await answered.queue.submit({ model: t2v(), prompt: "x" }).catch((e) => e);
        expect(error).toBeInstanceOf(InvalidResponseError);
        expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false });
        expect(error.message).toMatch(/may exist/);
        expect(api.seen.splice(0).map((r) => r.path)).toEqual(["/v1/jobs/lucy-pro-t2v"]);
      }
      const c = client(api.url);
      expect((await c.queue.status("%2e%2e")).job_id).toBe("%2e%2e");
      expect(api.seen.map((r) => r.path)).toEqual(["/v1/jobs/%252e%252e"]);
    } finally {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Half of an emoji (a string cut in its middle) is no text a URL can carry: encodeURIComponent throws URIError, and an
  // id given so failed as an InvalidResponseError ("Unexpected answer: URI malformed") though nothing was sent.
  it("an id with a lone surrogate is refused as . and .. are, nothing sent; a submit answer's says a job may exist", async () => {
    const api = await serve((_req, res) => json(res, 200, { job_id: "job_\ud83c", status: "pending" }));
    const dir = mkdtempSync(join(tmpdir(), "decart-surrogate-ids-"));
    try {
      const c = client(api.url);
      for (const id of ["job_🎬".slice(0, 5), "\udfac_job", `job_${"\udfac\ud83c"}`]) {
        for (const [field, call] of [...idCalls(c, id, dir), ["jobId", async () => c.queue.createWatch(id)] as const]) {
          const error = (await (call() as Promise<unknown>).catch((e) => e)) as InvalidInputError;
          expect(error, `${call} with ${JSON.stringify(id)}`).toBeInstanceOf(InvalidInputError);
          expect(error).toMatchObject({ field, expected: `1 to ${MAX_ID_LENGTH} characters long, not . or ..` });
          expect(error.message).toContain(JSON.stringify(id));
        }
      }
      expect(api.seen).toEqual([]);
      expect(readdirSync(dir)).toEqual([]);
      const error = await c.queue.submitAndPoll({ model: t2v(), prompt: "x" }).catch((e) => e);
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false });
      expect(error.message).toMatch(/no job_id .*may exist/);
      expect(api.seen.map((r) => r.path)).toEqual(["/v1/jobs/lucy-pro-t2v"]);
    } finally {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // queue.result, queue.download, files.get and tokens.create checked their arguments as they were called, outside the
  // promise: a bad id or option threw at the call, where `.catch` and `await …rejects` expect a rejection.
  it("a call that answers a promise rejects it for a bad id or option, never throws as it is called", async () => {
    const c = client("http://127.0.0.1:9");
    const bad = { signal: 5 } as never;
    const calls = [
      () => c.queue.result(".."),
      () => c.queue.result("j", bad),
      () => c.queue.download("j", bad),
      () => c.files.get("f", bad),
      () => c.tokens.create(bad),
    ];
    for (const call of calls) {
      let answer: Promise<unknown> | undefined;
      expect(() => {
        answer = call();
      }, String(call)).not.toThrow();
      await expect(answer, String(call)).rejects.toBeInstanceOf(InvalidInputError);
    }
  });

  // A job_id longer than the client sends back (256) is as good as none: it used to end submitAndPoll with an
  // InvalidInputError ("nothing was sent") after the job was made.
  it("a 200 submit answer without a usable job_id: InvalidResponseError that says a job may exist", async () => {
    const bodies = [null, { status: "pending" }, { job_id: 7.5, status: "pending" }, { job_id: "", status: "pending" }];
    const unusable = ["j".repeat(257), "😀".repeat(257), ".", ".."].map((job_id) => ({ job_id, status: "pending" }));
    for (const body of [...bodies, ...unusable]) {
      const api = await serve((_req, res) => json(res, 200, body));
      try {
        const error = await client(api.url)
          .queue.submitAndPoll({ model: t2v(), prompt: "x" })
          .catch((e) => e);
        expect(error).toBeInstanceOf(InvalidResponseError);
        expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false, requestId: "req_test" });
        expect(error.message).toMatch(/may exist/);
        expect(api.seen).toHaveLength(1);
      } finally {
        await api.close();
      }
    }
  });

  // A stored file's id is put in a path later (`files.get`, `files.delete`) and handed to the user: held to the rule of
  // a job id (see isUsableId), as a submit answer's job_id is: one that breaks it is as good as none, and a file may
  // exist (not sent again).
  it("a 200 files.upload answer without a usable id: InvalidResponseError that says a file may exist", async () => {
    const file = (id: unknown) => ({
      id,
      filename: null,
      mime_type: "text/plain",
      size_bytes: 1,
      created_at: "2026-01-31T12:00:00Z",
      expires_at: null,
    });
    const ids = [undefined, 7, "", ".", "..", "f".repeat(MAX_ID_LENGTH + 1), "😀".repeat(MAX_ID_LENGTH + 1)];
    for (const body of [null, "file_1", ...ids.map(file)]) {
      const api = await serve((_req, res) => json(res, 200, body));
      try {
        const error = await client(api.url)
          .files.upload(new Blob(["x"]))
          .catch((e) => e);
        expect(error, JSON.stringify(body)).toBeInstanceOf(InvalidResponseError);
        expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false, requestId: "req_test" });
        expect(error.message).toMatch(
          // (No object, or no id of the spec's type, is said as the spec's schema says it.)
          /POST .*\/v1\/files: (no id|not an object|"id" must be .+) \(HTTP 200, request req_test\); a job \(or file\) may exist/,
        );
        expect(api.seen.map((r) => r.path)).toEqual(["/v1/files"]);
      } finally {
        await api.close();
      }
    }
    // The longest id, in code points, is taken, and sent back.
    const longest = "😀".repeat(MAX_ID_LENGTH);
    const api = await serve((_req, res) => json(res, 200, file(longest)));
    try {
      const c = client(api.url);
      const stored = await c.files.upload(new Blob(["x"]));
      expect(stored.id).toBe(longest);
      expect((await c.files.get(stored.id)).id).toBe(longest);
      expect(api.seen.map((r) => r.path)).toEqual(["/v1/files", `/v1/files/${encodeURIComponent(longest)}`]);
    } finally {
      await api.close();
    }
  });
});

describe("status answers that break the spec", () => {
  /** Answers each status read with the next of `answers` (the last one repeats). */
  const statusServer = (answers: ((res: ServerResponse) => void)[]) => {
    let n = 0;
    return serve((_req, res) => answers[Math.min(n++, answers.length - 1)]!(res));
  };
  const garbage: Record<string, (res: ServerResponse) => void> = {
    null: (res) => json(res, 200, null),
    "an empty body": (res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end();
    },
    "204": (res) => {
      res.writeHead(204);
      res.end();
    },
    "{}": (res) => json(res, 200, {}),
    "an unknown status": (res) => json(res, 200, { job_id: JOB, status: "queued" }),
    "the status of another job": (res) => json(res, 200, { job_id: `${JOB}x`, status: "completed" }),
    "an HTML page": (res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html><body>Welcome</body></html>");
    },
  };

  for (const [name, answer] of Object.entries(garbage)) {
    it(`${name}: retried a few times, then InvalidResponseError with the job id (never polled for minutes)`, async () => {
      const api = await statusServer([answer]);
      try {
        const c = client(api.url);
        const error = await c.queue.wait(JOB, { timeoutMs: 600_000 }).catch((e) => e);
        expect(error).toBeInstanceOf(InvalidResponseError);
        expect(error).toMatchObject({ code: "INVALID_RESPONSE", jobId: JOB });
        // The first answer and 3 retries, though the budget would allow far more.
        expect(api.seen).toHaveLength(4);
        const plain = await c.queue.status(JOB).catch((e) => e);
        expect(plain).toBeInstanceOf(InvalidResponseError);
        expect(plain.jobId).toBe(JOB);
      } finally {
        await api.close();
      }
    });
  }

  it("a field that only informs, of another type (timestamps as numbers, model as an object, error on a job not failed): dropped, not fatal", async () => {
    const odd = { model: { id: "lucy-2.5", version: "2.5.1" }, created_at: 1796605200, updated_at: 1796605260 };
    const api = await statusServer([
      (res) => json(res, 200, { job_id: JOB, status: "processing", ...odd, error: 42 }),
      (res) => json(res, 200, { job_id: JOB, status: "completed", ...odd, error: { code: null } }),
    ]);
    try {
      const c = client(api.url);
      const statuses: unknown[] = [];
      const outcome = await c.queue.wait(JOB, {
        download: false,
        onStatusChange: (job) => void statuses.push(job),
      });
      expect(outcome).toEqual({ status: "completed", job_id: JOB });
      // Read once each: not retried as an answer that breaks the spec.
      expect(api.seen).toHaveLength(2);
      expect(statuses).toEqual([
        { job_id: JOB, status: "processing" },
        { job_id: JOB, status: "completed" },
      ]);
      // A plain read answers the job without them (its type holds).
      expect(await c.queue.status(JOB)).toEqual({ job_id: JOB, status: "completed" });
    } finally {
      await api.close();
    }
  });

  it.each([
    [
      "an object with a message",
      { code: "CONTENT_POLICY", message: "The prompt was refused" },
      "The prompt was refused",
    ],
    ["an object without one", { code: "NSFW", detail: ["x"] }, '{"code":"NSFW","detail":["x"]}'],
    ["a number", 42, "42"],
    [
      "a long object with a detail",
      { detail: "the prompt was refused ".repeat(20) },
      expect.stringMatching(/^the prompt was refused [a-z ]{150,174}[a-z]$/),
    ],
    [
      "an object whose detail echoes the key",
      { code: "x", detail: `the key ${KEY} was refused` },
      "the key [redacted] was refused",
    ],
    [
      "a long object of no spaces: cut in its string value",
      { code: "x", trace: "step:1;".repeat(50) },
      expect.stringMatching(/^\{"code":"x","trace":"(step:1;){25}$/),
    ],
    ["an object whose message is one long word", { message: "m".repeat(5000) }, "5000 characters"],
    // (The key cut in part would be kept where no redaction of its whole knows it: it goes whole.)
    [
      "an object whose detail is cut in the key",
      { detail: `${"no ".repeat(60)}${KEY} more` },
      expect.stringMatching(/^(no ){59}no$/),
    ],
  ])(
    "a failed status whose error is %s: the job failed, that its reason (text, never [object Object])",
    async (_, error, reason) => {
      const api = await statusServer([(res) => json(res, 200, { job_id: JOB, status: "failed", error })]);
      try {
        const outcome = await client(api.url).queue.wait(JOB);
        expect(outcome).toEqual({ status: "failed", job_id: JOB, error: reason });
        expect(api.seen).toHaveLength(1);
      } finally {
        await api.close();
      }
    },
  );

  it("a bad answer, then good ones: the wait goes on to the end", async () => {
    const api = await statusServer([
      garbage.null!,
      (res) => json(res, 200, { job_id: JOB, status: "processing" }),
      (res) => json(res, 200, { job_id: JOB, status: "completed" }),
    ]);
    try {
      const outcome = await client(api.url).queue.wait(JOB, { download: false });
      expect(outcome).toEqual({ status: "completed", job_id: JOB });
    } finally {
      await api.close();
    }
  });
});

describe("token and file answers that break the spec", () => {
  const file = {
    id: "file_1",
    filename: "in.mp4",
    mime_type: "video/mp4",
    size_bytes: 3,
    created_at: "2026-01-31T12:00:00Z",
    expires_at: "2026-02-01T12:00:00Z",
  };
  const token = { apiKey: "ek_1", expiresAt: "2026-01-31T12:01:00Z" };
  /** Each call against a server that answers `body` to everything: its error, or its answer. */
  const calls = async (body: unknown) => {
    const api = await serve((_req, res) => json(res, 200, body));
    try {
      const c = client(api.url, { maxRetries: 0 });
      const settle = (p: Promise<unknown>): Promise<any> => p.catch((e) => e);
      return {
        upload: await settle(c.files.upload(new Blob(["abc"], { type: "video/mp4" }))),
        get: await settle(c.files.get("file_1")),
        token: await settle(c.tokens.create()),
        requests: api.seen.length,
      };
    } finally {
      await api.close();
    }
  };

  // They were checked to be objects only: `{}`, `[]` and fields of the wrong type were handed on as they came.
  const all = ["upload", "get", "token"] as const;
  it.each([
    ["{}", {}, all],
    ["[]", [], all],
    ["fields of the wrong type", { ...file, ...token, id: 5, apiKey: 7 }, all],
    ["a file's size that is no integer", { ...file, ...token, size_bytes: "3" }, ["upload", "get"]],
    ["a token's permissions that are no object", { ...file, ...token, permissions: "all" }, ["token"]],
  ] as const)(
    "%s: InvalidResponseError; after an upload, SUBMIT_OUTCOME_UNKNOWN (a file may exist) or, naming a usable id, that fileId; a token's retried as a read's",
    async (_, body, broken) => {
      const answers = await calls(body);
      for (const call of all) {
        const error = answers[call];
        if (!broken.includes(call as never)) {
          expect(error, call).toEqual(body);
          continue;
        }
        expect(error, call).toBeInstanceOf(InvalidResponseError);
        expect(error.status).toBe(200);
        // (A token made twice expires, and nothing is billed for it: a token request is retried as a read is.)
        expect(error).toMatchObject(
          call !== "upload"
            ? { code: "INVALID_RESPONSE", retryable: true }
            : typeof (body as { id?: unknown }).id === "string"
              ? // (The file was stored: its id is kept.)
                { code: "INVALID_RESPONSE", retryable: false, fileId: "file_1", message: expect.stringMatching(/made/) }
              : { code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false, message: expect.stringMatching(/may exist/) },
        );
      }
      // Each sent once (the GET and the token POST not retried with maxRetries 0, the upload not sent again).
      expect(answers.requests).toBe(3);
    },
  );

  it("names the field and what it must be", async () => {
    const { upload, get, token: created } = await calls({ ...file, id: 5 });
    expect(upload.message).toContain('"id" must be a string (got 5)');
    expect(get.message).toContain('"id" must be a string (got 5)');
    expect(created.message).toContain('"apiKey" must be given');
    expect((await calls([])).get.message).toContain("not an object");
  });

  it("files.get answered with another file's reference: InvalidResponseError, as a status of another job", async () => {
    const { get } = await calls({ ...file, id: "file_2" });
    expect(get).toBeInstanceOf(InvalidResponseError);
    expect(get).toMatchObject({ code: "INVALID_RESPONSE", status: 200 });
    expect(get.message).toContain("no id file_1");
  });

  it("a stored file's null filename and expires_at (the spec's [string, null]), and a whole token answer, are taken", async () => {
    const persistent = { ...file, filename: null, expires_at: null };
    const answer = { ...token, token: "t", permissions: { models: ["lucy-pro-t2v"], origins: [] }, constraints: null };
    const { upload, get, token: created } = await calls({ ...persistent, ...answer });
    expect(upload).toEqual({ ...persistent, ...answer });
    expect(get).toEqual({ ...persistent, ...answer });
    expect(created).toEqual({ ...persistent, ...answer });
  });
});

describe("a job's content that lags its completed status", () => {
  /** Answers the job's status `completed`, and its content with each of `statuses` in turn, then the video. */
  const lagging = (statuses: number[]) => {
    let n = 0;
    return serve((req, res) => {
      if (!req.url!.endsWith("/content")) return json(res, 200, { job_id: JOB, status: "completed" });
      const status = statuses[n++];
      if (status) return json(res, status, { detail: `Job ${JOB} is not completed` });
      res.writeHead(200, { "content-type": "video/mp4" });
      res.end("abc");
    });
  };
  const contentReads = (api: Awaited<ReturnType<typeof serve>>) =>
    api.seen.filter((r) => r.path.endsWith("/content")).length;

  // A deployment's content endpoint may lag its status a moment: one 409 (or 404) after `completed` ended the watch
  // for good (JOB_NOT_COMPLETED, not retryable, not to be watched again).
  it.each([[[409]], [[404]], [[404, 409, 409]]])(
    "content answered %j first: tried again, the video",
    async (statuses) => {
      const api = await lagging(statuses);
      try {
        const retrying: unknown[] = [];
        const events = client(api.url).queue.watch(JOB);
        let data: Blob | undefined;
        for await (const event of events) {
          if (event.type === "retrying") retrying.push(event.error.status);
          if (event.type === "completed") data = event.data;
        }
        expect(await data!.text()).toBe("abc");
        expect(retrying).toEqual(statuses);
        expect(contentReads(api)).toBe(statuses.length + 1);
      } finally {
        await api.close();
      }
    },
  );

  it.each([
    [409, JobNotCompletedError, "JOB_NOT_COMPLETED"],
    [404, NotFoundError, "NOT_FOUND"],
  ] as const)("content that stays %i: tried 3 times more, then surfaced as it is", async (status, Class, code) => {
    const api = await lagging(Array(9).fill(status));
    try {
      const c = client(api.url);
      const error = await c.queue.wait(JOB, { timeoutMs: 600_000 }).catch((e) => e);
      expect(error).toBeInstanceOf(Class);
      expect(error).toMatchObject({ code, status, retryable: false, jobId: JOB });
      expect(canWatchAgain(error)).toBe(false);
      expect(contentReads(api)).toBe(4);
      // A plain download of a job that is not completed fails at once, as documented.
      const plain = await c.queue.result(JOB).catch((e) => e);
      expect(plain).toBeInstanceOf(Class);
      expect(contentReads(api)).toBe(5);
    } finally {
      await api.close();
    }
  });
});

describe("answers that never end", () => {
  // 8 MB, then nothing more, and the answer stays open: read to its end, the body would be awaited until the attempt's
  // timeout (10 minutes here), holding all of it; only its first MiB is read, and the rest is not waited for.
  const endless = (status: number, type: string, start: string) =>
    serve((_req, res) => {
      res.writeHead(status, { "content-type": type });
      res.write(start);
      for (let i = 0; i < 128; i++) res.write("x".repeat(65_536));
    });

  it("a status body that goes on is an InvalidResponseError after its first MiB", async () => {
    const api = await endless(200, "application/json", `{"job_id":"${JOB}","status":"pending","pad":"`);
    try {
      const error = await client(api.url, { maxRetries: 0, timeoutMs: 600_000 })
        .queue.status(JOB)
        .catch((e) => e);
      expect(error).toBeInstanceOf(InvalidResponseError);
      // (Said so: its text was cut, not found to be no JSON.)
      expect(error).toMatchObject({ jobId: JOB, message: expect.stringContaining("over 1 MiB") });
      expect(error.message).not.toContain("not JSON");
    } finally {
      await api.close();
    }
  });

  it("a status of 1.5 MiB in 3-byte characters (valid JSON, whole) is an answer over 1 MiB: bytes are counted", async () => {
    // Its first MiB is fewer than 2^20 characters: counted in characters, the cut text read as "not JSON".
    const body = JSON.stringify({ job_id: JOB, status: "pending", pad: "€".repeat(2 ** 19) });
    const api = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(body);
    });
    try {
      const error = await client(api.url, { maxRetries: 0 })
        .queue.status(JOB)
        .catch((e) => e);
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(error).toMatchObject({ jobId: JOB, message: expect.stringContaining("an answer over 1 MiB") });
      expect(error.message).not.toContain("not JSON");
    } finally {
      await api.close();
    }
  });

  it("an error page that goes on gives its ServerError after its first MiB", async () => {
    const api = await endless(503, "text/plain", "Overloaded ");
    try {
      const error = await client(api.url, { maxRetries: 0, timeoutMs: 600_000 })
        .queue.status(JOB)
        .catch((e) => e);
      expect(error).toBeInstanceOf(ServerError);
      expect(error).toMatchObject({
        status: 503,
        jobId: JOB,
        // (Its word cut at 500 characters goes whole.)
        message: "Overloaded (HTTP 503)",
      });
    } finally {
      await api.close();
    }
  });
});

describe("a timeout's cause", () => {
  // The attempt's timer ends its waits: no Event of the abort as the cause (`[object Event]`, no message, no stack).
  it("an answer that never comes, a body that stalls: a TimeoutError without a cause", async () => {
    const api = await serve((req, res) => {
      if (req.url!.endsWith("/content")) {
        res.writeHead(200, { "content-type": "video/mp4", "content-length": 1000 });
        res.write(Buffer.alloc(100));
      }
    });
    try {
      const c = client(api.url, { maxRetries: 0, timeoutMs: 50 });
      for (const call of [() => c.queue.status(JOB), () => c.queue.result(JOB)]) {
        const error = await call().catch((e) => e);
        expect(error).toBeInstanceOf(TimeoutError);
        expect(error.cause).toBeUndefined();
      }
    } finally {
      await api.close();
    }
  });
});

describe("an x-poll-after-ms hint that makes no sense", () => {
  // 0 or 1 ms would read the status in a tight loop; a hint that is not a number (or is negative) is no hint.
  for (const hint of ["0", "1", "-5", "NaN", "soon"]) {
    it(`"${hint}": the watch waits at least 50 ms between reads`, async () => {
      let n = 0;
      const api = await serve((_req, res) => {
        res.writeHead(200, { "content-type": "application/json", "x-poll-after-ms": hint });
        res.end(JSON.stringify({ job_id: JOB, status: n++ < 5 ? "processing" : "completed" }));
      });
      try {
        // On the real clock, a millisecond that ticks between deciding a wait and starting it takes one off it.
        const { now, delay } = virtualTime();
        const outcome = await client(api.url, { poll: { delay, now } }).queue.wait(JOB, { download: false });
        expect(outcome.status).toBe("completed");
        expect(delay.calls).toHaveLength(6);
        // The first read is never delayed; each later one waits at least 50 ms.
        for (const ms of delay.calls.slice(1)) expect(ms).toBeGreaterThanOrEqual(50);
      } finally {
        await api.close();
      }
    });
  }
});

describe("an x-poll-after-ms hint not in decimal digits", () => {
  // Read with `+` it took hex, binary, exponents and Infinity as numbers of ms; Retry-After refuses them.
  it("is no hint (hintMs undefined); one in digits is taken", async () => {
    let hint = "";
    const api = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "x-poll-after-ms": hint });
      res.end(JSON.stringify({ job_id: JOB, status: "processing" }));
    });
    try {
      const c = client(api.url);
      for (hint of ["0x1F40", "1e4", "Infinity", "0b11111111111", "0o17", "+500", "1.5", "5 000"])
        expect((await c.queue.readStatus(JOB)).hintMs, hint).toBeUndefined();
      for (const [sent, ms] of [
        ["8000", 8000],
        ["0010", 50],
      ] as const) {
        hint = sent;
        expect((await c.queue.readStatus(JOB)).hintMs, sent).toBe(ms);
      }
    } finally {
      await api.close();
    }
  });
});

describe("an x-poll-after-ms hint of hours", () => {
  it("is honoured up to the schedule's longest wait (10 s): the job that ended is read before the deadline", async () => {
    let n = 0;
    const api = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "x-poll-after-ms": "99999999" });
      res.end(JSON.stringify({ job_id: JOB, status: n++ < 2 ? "processing" : "completed" }));
    });
    try {
      const { now, delay } = virtualTime();
      const outcome = await client(api.url, { poll: { delay, now } }).queue.wait(JOB, {
        download: false,
        timeoutMs: 30_000,
      });
      expect(outcome.status).toBe("completed");
      expect(delay.calls).toEqual([0, 10_000, 10_000]);
    } finally {
      await api.close();
    }
  });
});

describe("server timestamps that make no sense", () => {
  // A job submitted by the watch took no longer than the watch saw: one answer claiming hours must not teach the model
  // hours (every later job of the model would be read as if it were that slow).
  const hour = 3_600_000;
  for (const [name, created, updated] of [
    ["a job of 23 hours", -23 * hour, 0],
    ["updated an hour in the future", 0, hour],
  ] as const) {
    it(`${name}: what is learnt stays within what was seen`, async () => {
      let n = 0;
      const api = await serve((req, res) => {
        const at = (ms: number) => new Date(Date.now() + ms).toISOString();
        if (req.method === "POST") return json(res, 200, { job_id: `${JOB}${n++}`, status: "pending" });
        const job_id = req.url!.split("/")[3];
        json(res, 200, { job_id, status: "completed", created_at: at(created), updated_at: at(updated) });
      });
      try {
        const seen: number[] = [];
        const c = client(api.url, {
          poll: {
            delay: instantDelay(),
            schedule: (ctx) => {
              seen.push(ctx.typicalMs);
              return 0;
            },
          },
        });
        for (let i = 0; i < 2; i++) await c.queue.submitAndPoll({ model: t2v(), prompt: "x", download: false });
        const expected = catalogue["lucy-pro-t2v"].typicalJobSeconds * 1000;
        expect(seen).toHaveLength(2);
        expect(seen[0]).toBe(expected);
        expect(seen[1]).toBeLessThanOrEqual(expected);
      } finally {
        await api.close();
      }
    });
  }
});

describe("content answers that are not the video", () => {
  const cases: Record<string, (res: ServerResponse) => void> = {
    "text/html": (res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<html><body>Sign in</body></html>");
    },
    JSON: (res) => json(res, 200, { url: "https://cdn.example/video.mp4" }),
    "zero bytes": (res) => {
      res.writeHead(200, { "content-type": "video/mp4", "content-length": "0" });
      res.end();
    },
    "zero bytes, no length": (res) => {
      res.writeHead(200, { "content-type": "video/mp4", "transfer-encoding": "chunked" });
      res.end();
    },
    // (Asked for without Range: a part of the video is not the result.)
    "a 206 part": (res) => {
      res.writeHead(206, { "content-type": "video/mp4", "content-range": "bytes 0-9/1000", "content-length": "10" });
      res.end("....ftypis");
    },
  };
  for (const [name, answer] of Object.entries(cases)) {
    it(`${name} is rejected with InvalidResponseError carrying the job id`, async () => {
      const api = await serve((_req, res) => answer(res));
      try {
        const error = await client(api.url, { maxRetries: 1 })
          .queue.result(JOB)
          .catch((e) => e);
        expect(error).toBeInstanceOf(InvalidResponseError);
        expect(error).toMatchObject({ code: "INVALID_RESPONSE", jobId: JOB });
        expect(error.message).toMatch(/not video\/mp4|empty result|a part of the result/);
        expect(api.seen).toHaveLength(2);
      } finally {
        await api.close();
      }
    });
  }

  it("a body shorter than its Content-Length is a TRUNCATED error; application/octet-stream is accepted", async () => {
    const video = Buffer.from("....ftypisom....the video");
    let n = 0;
    const api = await serve((_req, res) => {
      if (n++ === 0) {
        res.writeHead(200, { "content-type": "video/mp4", "content-length": String(video.length * 2) });
        res.write(video);
        res.destroy();
        return;
      }
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(video.length) });
      res.end(video);
    });
    try {
      const blob = await client(api.url).queue.result(JOB);
      expect(Buffer.from(await blob.arrayBuffer()).equals(video)).toBe(true);
      expect(api.seen).toHaveLength(2);
    } finally {
      await api.close();
    }
  });
});

describe("an image answered by the Process API", () => {
  it("as a 206 part is an InvalidResponseError, not an image (the image may have been made: not sent again)", async () => {
    const api = await serve((_req, res) => {
      res.writeHead(206, { "content-type": "image/png", "content-range": "bytes 0-15/5000", "content-length": "16" });
      res.end("\x89PNG\r\n\x1a\n........");
    });
    try {
      const error = await client(api.url)
        .process({ model: models.image("lucy-pro-t2i"), prompt: "x" })
        .catch((e) => e);
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false });
      expect(error.message).toMatch(/a part of the result/);
      expect(api.seen).toHaveLength(1);
    } finally {
      await api.close();
    }
  });

  it("of a type the spec does not list is an InvalidResponseError, not retried (the image may have been made)", async () => {
    const api = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "text/html", "x-request-id": "req_img" });
      res.end("<html><body>Login</body></html>");
    });
    try {
      const error = await client(api.url)
        .process({ model: models.image("lucy-pro-t2i"), prompt: "x" })
        .catch((e) => e);
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", requestId: "req_img", retryable: false });
      expect(error.message).toMatch(/a result of type text\/html, not image\/png or image\/jpeg/);
      expect(api.seen).toHaveLength(1);
    } finally {
      await api.close();
    }
  });
});

describe("error pages", () => {
  it("a proxy's HTML 502 page gives a readable ServerError", async () => {
    const api = await serve((_req, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end(
        "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n",
      );
    });
    try {
      const error = await client(api.url, { maxRetries: 0 })
        .queue.status(JOB)
        .catch((e) => e);
      expect(error).toBeInstanceOf(ServerError);
      expect(error.message).toBe("502 Bad Gateway (an HTML page, not the API's answer) (HTTP 502)");
      expect(error).toMatchObject({ status: 502, retryable: true, jobId: JOB });
    } finally {
      await api.close();
    }
  });
  it("a detail of any shape gives a message of at most 500 characters of it", async () => {
    const details = [{ code: 7 }, [1, 2], null, "x".repeat(100_000)];
    const api = await serve((_req, res) => json(res, 400, { detail: details.shift() }));
    try {
      const c = client(api.url);
      const messages: string[] = [];
      for (let i = 0; i < 4; i++) messages.push((await c.queue.status(JOB).catch((e) => e)).message);
      expect(messages.slice(0, 3)).toEqual([
        '{"code":7} (HTTP 400, request req_test)',
        "[1,2] (HTTP 400, request req_test)",
        '{"detail":null} (HTTP 400, request req_test)',
      ]);
      // (Cut inside a word of one run, which goes whole: a key's form echoed there is not kept in part.)
      expect(messages[3]).toBe("HTTP error (HTTP 400, request req_test)");
    } finally {
      await api.close();
    }
  });

  // Pages of unclosed tags: patterns that scan to the next `>` from every `<` take quadratic time on them, which
  // blocks the event loop for minutes (the test's timeout ends it); they must read in linear time.
  for (const [name, page] of [
    ["unclosed <title", `<${"<title".repeat(50_000)}`],
    ["unclosed <", "<".repeat(200_000)],
  ]) {
    it(`an error page of ${name} × many is read at once`, async () => {
      const api = await serve((_req, res) => {
        res.writeHead(502, { "content-type": "text/html" });
        res.end(page);
      });
      try {
        const error = await client(api.url, { maxRetries: 0 })
          .queue.status(JOB)
          .catch((e) => e);
        expect(error).toBeInstanceOf(ServerError);
        expect(error.message).toMatch(/^<+(title<)*.* \(an HTML page, not the API's answer\) \(HTTP 502\)$/);
      } finally {
        await api.close();
      }
    });
  }
});
