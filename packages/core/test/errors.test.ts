import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  createDecartClient,
  DecartError,
  GoneError,
  InvalidInputError,
  JobNotCompletedError,
  ModelRetiredError,
  models,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  TimeoutError,
  ValidationError,
  type VideoModel,
} from "../src/index.js";
import { clientFor, closedPort, instantDelay, json, serve, silent, startFast } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

const t2v = () => models.video("lucy-pro-t2v");

describe("errors from real server answers", () => {
  it("401 → AuthenticationError, with the server's detail and request id", async () => {
    const client = clientFor(emu, { apiKey: "dct_not_a_real_key" });
    const error = await client.queue.submit({ model: t2v(), prompt: "x" }).catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toBeInstanceOf(DecartError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ status: 401, code: "AUTHENTICATION", retryable: false });
    expect(error.requestId).toMatch(/^req_/);
    expect(error.message).toContain(error.requestId);
    expect(error.message).not.toContain("dct_not_a_real_key");
  });

  it("403 → PermissionDeniedError for a client token used on a model it may not use", async () => {
    const admin = clientFor(emu);
    const token = await admin.tokens.create({ allowedModels: ["lucy-pro-t2i"] });
    const limited = clientFor(emu, { apiKey: token.apiKey });
    const error = await limited.queue.submit({ model: t2v(), prompt: "x" }).catch((e) => e);
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error.status).toBe(403);
    expect(error.message).toContain("lucy-pro-t2v");
    const second = await limited.tokens.create().catch((e) => e);
    expect(second).toBeInstanceOf(PermissionDeniedError);
  });

  it("404 → NotFoundError for an unknown job, carrying the job id", async () => {
    const error = await clientFor(emu)
      .queue.status("job_does_not_exist")
      .catch((e) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({
      status: 404,
      jobId: "job_does_not_exist",
      message: expect.stringContaining("Job not found"),
    });
  });

  it("409 → JobNotCompletedError (a ConflictError) for content before completion", async () => {
    const client = clientFor(emu);
    const job = await client.queue.submit({ model: t2v(), prompt: "[stuck]" });
    const error = await client.queue.download(job.job_id).catch((e) => e);
    expect(error).toBeInstanceOf(JobNotCompletedError);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ status: 409, code: "JOB_NOT_COMPLETED", jobId: job.job_id });
  });

  it("410 → ModelRetiredError for a retired model the server refuses (its replacement from the catalogue), and from the catalogue before sending", async () => {
    // A definition of our own, aimed at the retired route (definitions are plain data).
    const retired: VideoModel<"lucy-2.1-vton"> = {
      ...models.video("lucy-2.1"),
      name: "lucy-2.1-vton",
      path: "/v1/jobs/lucy-2.1-vton",
    };
    const png = await clientFor(emu).process({ model: models.image("lucy-pro-t2i"), prompt: "p" });
    const client = clientFor(emu, { validateInputs: false });
    const error = await client.queue.submit({ model: retired, prompt: "x", data: png }).catch((e) => e);
    expect(error).toBeInstanceOf(ModelRetiredError);
    expect(error).toBeInstanceOf(GoneError);
    // The catalogue knows what replaces it, as when `models.video` refuses it before sending.
    expect(error).toMatchObject({
      status: 410,
      model: "lucy-2.1-vton",
      replacement: "lucy-vton-2",
      code: "MODEL_RETIRED",
    });

    const before = emu.stats().requests.total;
    const local = (() => {
      try {
        models.video("lucy-2.1-vton" as never);
      } catch (e) {
        return e;
      }
    })();
    expect(local).toBeInstanceOf(ModelRetiredError);
    expect(local).toMatchObject({ replacement: "lucy-vton-2" });
    expect(emu.stats().requests.total).toBe(before);
  });

  it("410 → ModelRetiredError for a model the catalogue lists as deprecated in favour of another: that one its replacement", async () => {
    const model = models.video("lucy-pro-v2v");
    expect(model.deprecatedInFavourOf).toBeTruthy();
    const api = await serve((req, res) =>
      json(res, 410, { detail: "This model has been retired.", model: req.url!.split("/").pop() }),
    );
    try {
      const client = createDecartClient({ apiKey: "dct_retired_0123456789", baseUrl: api.url, logger: silent });
      const data = new Blob([new Uint8Array(64).fill(1)], { type: "video/mp4" });
      const error = await client.queue.submit({ model, prompt: "x", data }).catch((e) => e);
      expect(error).toBeInstanceOf(ModelRetiredError);
      expect(error).toMatchObject({ status: 410, model: model.name, replacement: model.deprecatedInFavourOf });
      // A model the catalogue does not know has none.
      const unknown = await client.queue
        .submit({ model: { ...model, name: "lucy-next", path: "/v1/jobs/lucy-next" } as never, prompt: "x", data })
        .catch((e) => e);
      expect(unknown).toMatchObject({ status: 410, model: "lucy-next", replacement: undefined });
    } finally {
      await api.close();
    }
  });

  it("410 → GoneError for a result past its retention period", async () => {
    // The server's clock, moved by hand: the job ends 80 ms after its submit ("fast" timing); its result is kept 1 s
    // after that, and the job 1 s more (then it is unknown: 404). At 1.2 s the content is gone, the job known.
    let t = Date.now();
    const short = await startFast({ retentionMs: 1000, now: () => t });
    try {
      const client = clientFor(short);
      const job = await client.queue.submit({ model: t2v(), prompt: "fleeting" });
      t += 200;
      expect(await client.queue.status(job.job_id)).toMatchObject({ status: "completed" });
      t += 1000;
      const error = await client.queue.result(job.job_id).catch((e) => e);
      expect(error).toBeInstanceOf(GoneError);
      expect(error).not.toBeInstanceOf(ModelRetiredError);
      expect(error.status).toBe(410);
    } finally {
      await short.close();
    }
  });

  it("413 → PayloadTooLargeError for an upload over the server's limit", async () => {
    const small = await startFast({ maxUploadBytes: 1000 });
    try {
      const client = clientFor(small);
      const big = new Blob([new Uint8Array(5000)], { type: "image/png" });
      const error = await client.queue
        .submit({ model: models.video("lucy-pro-i2v"), prompt: "x", data: big })
        .catch((e) => e);
      expect(error).toBeInstanceOf(PayloadTooLargeError);
      expect(error.status).toBe(413);
      const upload = await client.files.upload(big).catch((e) => e);
      expect(upload).toBeInstanceOf(PayloadTooLargeError);
    } finally {
      await small.close();
    }
  });

  it("422 → ValidationError with structured, readable issues (client validation turned off)", async () => {
    const client = clientFor(emu, { validateInputs: false });
    const error = await client.queue
      .submit({ model: t2v(), prompt: "x", orientation: "diagonal" as "portrait", seed: -4 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.status).toBe(422);
    expect(error.issues.map((i: { loc: unknown[] }) => i.loc)).toEqual(
      expect.arrayContaining([
        ["body", "orientation"],
        ["body", "seed"],
      ]),
    );
    expect(error.message).toMatch(/orientation: .+; seed: .+|seed: .+; orientation: .+/);
  });

  it("an error answer of any JSON shape is its status's typed error with the server's words, never a throw of its own", async () => {
    const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    // The job id names the answer: [status, body].
    const answers: Record<string, [number, string]> = {
      strings: [422, '{"detail":["prompt is too long","seed is negative"]}'],
      nulls: [422, '{"detail":[null]}'],
      textLoc: [422, '{"detail":[{"loc":"prompt","msg":"too long"},{"msg":"a rule","loc":null}]}'],
      objects: [422, '{"detail":[{"loc":["body","seed"],"msg":{"why":"< 0"}},{"where":"prompt"}]}'],
      deepLoc: [422, `{"detail":[{"loc":${deep(50_000)},"msg":"x"}]}`],
      deepDetail: [409, `{"detail":${deep(100_000)}}`],
      deepInput: [422, `{"detail":[{"loc":["body","seed"],"msg":"x","input":${deep(50_000)}}]}`],
      number: [404, '{"detail":7}'],
    };
    const server = await serve((req, res) => {
      const [status, body] = answers[req.url!.split("/").pop()!]!;
      res.writeHead(status, { "content-type": "application/json" }).end(body);
    });
    try {
      const client = createDecartClient({ apiKey: "dct_x", baseUrl: server.url, logger: silent });
      const seen: Record<string, unknown> = {};
      for (const id of Object.keys(answers)) {
        const error = await client.queue.status(id).catch((e) => e);
        seen[id] = [error.name, error.status, error.message.slice(0, 40)];
        // Written as JSON whatever the answer held (a log line, `res.json({ error })`): issues too deep to write are none.
        expect(() => JSON.stringify(error), id).not.toThrow();
        if (id.startsWith("deep"))
          expect(error.issues, id).toEqual(
            id === "deepDetail" ? undefined : id === "deepInput" ? [{ loc: ["body", "seed"], msg: "x" }] : [],
          );
      }
      expect(seen).toEqual({
        strings: ["ValidationError", 422, "prompt is too long; seed is negative (HT"],
        nulls: ["ValidationError", 422, "null (HTTP 422)"],
        textLoc: ["ValidationError", 422, "prompt: too long; a rule (HTTP 422)"],
        objects: ["ValidationError", 422, 'seed: {"why":"< 0"}; {"where":"prompt"} '],
        // Too deep to be written: the answer's text, cut (a text of one word: up to its last `"`).
        deepLoc: ["ValidationError", 422, '{"detail":[{"loc" (HTTP 422)'],
        // (A 404 or 409 of a job's status names the job.)
        deepDetail: ["ConflictError", 409, 'Job deepDetail: {"detail" (HTTP 409)'],
        // The echoed input is not kept: the issue is written.
        deepInput: ["ValidationError", 422, "seed: x (HTTP 422)"],
        number: ["NotFoundError", 404, "Job number: 7 (HTTP 404)"],
      });
    } finally {
      await server.close();
    }
  });

  it("a 503 whose detail is nested deeper than a recursion goes is a ServerError, retried as any 503", async () => {
    let failing = 1;
    const server = await serve((_req, res) => {
      if (failing-- <= 0) return json(res, 200, { job_id: "job_1", status: "completed" });
      const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
      res.writeHead(503, { "content-type": "application/json" }).end(`{"detail":${deep}}`);
    });
    try {
      const client = createDecartClient({ apiKey: "dct_x", baseUrl: server.url, poll: { delay: instantDelay() } });
      expect((await client.queue.status("job_1")).status).toBe("completed");
      expect(server.arrived()).toBe(2);
      failing = 1;
      const once = createDecartClient({ apiKey: "dct_x", baseUrl: server.url, maxRetries: 0 });
      const error = await once.queue.status("job_1").catch((e) => e);
      expect(error).toBeInstanceOf(ServerError);
      expect(error).toMatchObject({ status: 503, retryable: true });
    } finally {
      await server.close();
    }
  });

  it("400 → BadRequestError when the server cannot read a file (client validation off)", async () => {
    const client = clientFor(emu, { validateInputs: false });
    const notAnImage = new Blob(["hello"], { type: "text/plain" });
    const error = await client.queue
      .submit({ model: models.video("lucy-pro-i2v"), prompt: "x", data: notAnImage })
      .catch((e) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.status).toBe(400);
  });

  it("429 → RateLimitError with retryAfterMs; 5xx → ServerError (after the retries)", async () => {
    const delay = instantDelay();
    const client = clientFor(emu, { poll: { delay } });
    emu.setFaults([{ route: "status", kind: "429", retryAfterSeconds: 3 }]);
    try {
      const job = await client.queue.submit({ model: t2v(), prompt: "x" });
      const limited = await client.queue.status(job.job_id).catch((e) => e);
      expect(limited).toBeInstanceOf(RateLimitError);
      expect(limited).toMatchObject({ status: 429, retryAfterMs: 3000, retryable: true, jobId: job.job_id });
      expect(delay.calls).toEqual([3000, 3000]); // two retries, each after Retry-After
      emu.setFaults([{ route: "status", kind: "504" }]);
      const failed = await client.queue.status(job.job_id).catch((e) => e);
      expect(failed).toBeInstanceOf(ServerError);
      expect(failed).toMatchObject({ status: 504, retryable: true });
    } finally {
      emu.setFaults([]);
    }
  });

  it("a closed port → ConnectionError (refused)", async () => {
    const port = await closedPort();
    const client = createDecartClient({
      apiKey: "k",
      baseUrl: `http://127.0.0.1:${port}`,
      logger: silent,
      poll: { delay: instantDelay() },
    });
    const error = await client.queue.status("job_x").catch((e) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "CONNECTION_REFUSED", retryable: true, jobId: "job_x" });
  });

  it("a slow server → TimeoutError after timeoutMs", async () => {
    // The submit goes through a client of the usual limit: on a busy machine it can take longer than 50 ms.
    const job = await clientFor(emu).queue.submit({ model: t2v(), prompt: "x" });
    const client = clientFor(emu, { timeoutMs: 50, maxRetries: 0 });
    emu.setFaults([{ route: "status", kind: "slow", delayMs: 2000 }]);
    try {
      const error = await client.queue.status(job.job_id).catch((e) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error).toMatchObject({ code: "TIMEOUT", retryable: true, jobId: job.job_id });
    } finally {
      emu.setFaults([]);
    }
  });
});

describe("error classes", () => {
  it("recognise instances from another copy of the package (Symbol.for marker)", () => {
    const foreign = Object.assign(new Error("x"), {
      [Symbol.for("@decart/core.error")]: ["RateLimitError", "DecartError"],
    });
    expect(RateLimitError.isInstance(foreign)).toBe(true);
    expect(DecartError.isInstance(foreign)).toBe(true);
    expect(foreign instanceof RateLimitError).toBe(true);
    expect(ServerError.isInstance(foreign)).toBe(false);
    expect(DecartError.isInstance(new Error("plain"))).toBe(false);
    expect(DecartError.isInstance(null)).toBe(false);
  });

  it("recognise each other across two loaded copies of the package, both ways", async () => {
    // A second copy of the built module, loaded from another path: its classes are other objects than these. Its
    // dependency (the catalogue, for a retired model's replacement) is installed beside it, as in an app.
    const dir = await mkdtemp(join(tmpdir(), "decart-copy-"));
    try {
      await mkdir(join(dir, "node_modules/@decart"), { recursive: true });
      await symlink(
        await realpath(new URL("../node_modules/@decart/api", import.meta.url)),
        join(dir, "node_modules/@decart/api"),
      );
      const built = await readFile(new URL("../dist/errors.js", import.meta.url), "utf8");
      await writeFile(join(dir, "errors.js"), built.replace(/\/\/# sourceMappingURL=.*/, ""));
      const copy = await import(pathToFileURL(join(dir, "errors.js")).href);
      expect(copy.RateLimitError).not.toBe(RateLimitError);
      const theirs = new copy.RateLimitError("slow down", { retryAfterMs: 5 });
      expect(theirs).toBeInstanceOf(RateLimitError);
      expect(theirs).toBeInstanceOf(DecartError);
      expect(RateLimitError.isInstance(theirs)).toBe(true);
      expect(ServerError.isInstance(theirs)).toBe(false);
      expect(theirs instanceof ServerError).toBe(false);
      const ours = new JobNotCompletedError("not yet");
      expect(ours instanceof copy.ConflictError).toBe(true);
      expect(copy.DecartError.isInstance(ours)).toBe(true);
      expect(copy.GoneError.isInstance(ours)).toBe(false);
      expect(theirs).toMatchObject({ name: "RateLimitError", code: "RATE_LIMIT", retryAfterMs: 5 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("keep explicit names (minifiers cannot change them) and the base's fields", () => {
    const error = new InvalidInputError("bad", { field: "prompt", expected: "text" });
    expect(error.name).toBe("InvalidInputError");
    expect(error).toMatchObject({ code: "INVALID_INPUT", field: "prompt", expected: "text", retryable: false });
    expect(String(error)).toBe("InvalidInputError: bad");
  });
});
