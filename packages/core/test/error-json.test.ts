// An error as data: `toJSON()` gives its name, code, message, status, request id, job or file id, retryable and its
// class's own fields (an input's field, a 429's retryAfterMs), so that `JSON.stringify` (a log line, an HTTP answer)
// and `postMessage` (a worker) keep them: an error's own fields are not enumerable (`message`) or not cloned (a
// structured clone keeps `message` alone).
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, type DecartError, models } from "../src/index.js";
import { clientFor, instantDelay, json, serve, silent, startFast } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

/** What `JSON.stringify` wrote of `value`, read back. */
const viaJson = (value: unknown) => JSON.parse(JSON.stringify(value));

describe("DecartError.toJSON", () => {
  it("a 404 of a job: name, code, message, status, request id, job id and retryable, in JSON", async () => {
    const error: DecartError = await clientFor(emu)
      .queue.status("job_does_not_exist")
      .catch((e) => e);
    expect(error.requestId).toMatch(/^req_/);
    const expected: ReturnType<DecartError["toJSON"]> = {
      name: "NotFoundError",
      code: "NOT_FOUND",
      message: error.message,
      status: 404,
      requestId: error.requestId,
      jobId: "job_does_not_exist",
      retryable: false,
    };
    expect(error.message).toContain("Job not found");
    // Exactly these keys (those not set are left out), nested in a value too.
    expect(viaJson(error)).toStrictEqual(expected);
    expect(viaJson({ error })).toStrictEqual({ error: expected });
  });

  it("a refused input: no status, request id or job id, its class's own fields (field, expected), not its cause", async () => {
    const error: DecartError = await clientFor(emu)
      .queue.submit({ model: models.video("lucy-pro-t2v"), prompt: 5 as never })
      .catch((e) => e);
    expect(viaJson(error)).toStrictEqual({
      name: "InvalidInputError",
      code: "INVALID_INPUT",
      message: error.message,
      retryable: false,
      field: "prompt",
      expected: "a string",
    });
    expect(error.message).toContain('"prompt"');
  });

  it("a 429: its retryAfterMs, in JSON and across a structured clone", async () => {
    const api = await serve((_req, res) => {
      res.setHeader("retry-after", "30");
      json(res, 429, { detail: "slow down" });
    });
    try {
      const client = createDecartClient({ apiKey: "dct_json", baseUrl: api.url, logger: silent, maxRetries: 0 });
      const error: DecartError = await client.queue.status("job_json_429").catch((e) => e);
      expect(error.code).toBe("RATE_LIMIT");
      expect(viaJson(error)).toMatchObject({ code: "RATE_LIMIT", status: 429, retryAfterMs: 30_000, retryable: true });
      expect(structuredClone(error.toJSON())).toStrictEqual(viaJson(error));
    } finally {
      await api.close();
    }
  });

  it("a callback's throw: CALLBACK_ERROR with the job id, without the cause (it may be anything)", async () => {
    const client = clientFor(emu, { poll: { delay: instantDelay() } });
    const mine = new Error("db down");
    const error: DecartError = await client.queue
      .submitAndPoll({
        model: models.video("lucy-pro-t2v"),
        prompt: "x",
        onStatusChange: () => {
          throw mine;
        },
      })
      .catch((e) => e);
    expect(error.cause).toBe(mine);
    expect(viaJson(error)).toStrictEqual({
      name: "DecartError",
      code: "CALLBACK_ERROR",
      message: error.message,
      jobId: expect.stringMatching(/^job_/),
      retryable: false,
    });
  });

  it("an upload's answer that broke the spec but stored a file: its fileId", async () => {
    const api = await serve((_req, res) => json(res, 200, { id: "file_kept_json" }));
    try {
      const client = createDecartClient({ apiKey: "dct_json", baseUrl: api.url, logger: silent });
      const error: DecartError = await client.files.upload(new Blob(["x"], { type: "text/plain" })).catch((e) => e);
      expect(viaJson(error)).toStrictEqual({
        name: "InvalidResponseError",
        code: "INVALID_RESPONSE",
        message: error.message,
        status: 200,
        requestId: "req_test",
        fileId: "file_kept_json",
        retryable: false,
      });
    } finally {
      await api.close();
    }
  });

  it("crosses a structured clone (postMessage to a worker) whole, where the error itself keeps its message alone", async () => {
    const error: DecartError = await clientFor(emu)
      .queue.status("job_does_not_exist")
      .catch((e) => e);
    const cloned = structuredClone(error) as unknown as Record<string, unknown>;
    expect(cloned.code).toBeUndefined();
    const sent = await new Promise((resolve) => {
      const { port1, port2 } = new MessageChannel();
      port2.onmessage = (event) => {
        resolve(event.data);
        port1.close();
        port2.close();
      };
      port1.postMessage(error.toJSON());
    });
    expect(sent).toMatchObject({ name: "NotFoundError", code: "NOT_FOUND", status: 404, jobId: "job_does_not_exist" });
    expect(sent).toStrictEqual(error.toJSON());
  });
});
