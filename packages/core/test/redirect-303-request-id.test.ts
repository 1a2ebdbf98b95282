/**
 * A submit (a POST) answered 303 was taken by the server there: whatever the GET it leads to answers, the error names
 * the POST's request id (the one support finds the job and its billing by) as its `requestId`, and the GET's answer's
 * id where its HTTP status is named. A purpose-built server on loopback plays the 303 and the GET's answers.
 */
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { createDecartClient, type DecartClientOptions, models } from "../src/index.js";
import { drain, instantDelay, serve, silent } from "./helpers.js";

const client = (url: string) =>
  createDecartClient({
    apiKey: "dct_see_other_key_0123456789ab",
    baseUrl: url,
    logger: silent,
    maxRetries: 0,
    poll: { delay: instantDelay() },
  } as DecartClientOptions);

/**
 * Runs `test` against a server that answers a POST 303 to `location` (with `x-request-id: req_post`, unless `postId`
 * is false) and a GET as `get` says; closes the server after it, however it ends.
 */
async function seeOther(
  get: (res: ServerResponse) => void,
  test: (api: Awaited<ReturnType<typeof serve>>) => Promise<void>,
  { location = "/v1/jobs/job_1", postId = true } = {},
) {
  const api = await serve((req, res) => {
    if (req.method === "POST") res.writeHead(303, { location, ...(postId && { "x-request-id": "req_post" }) }).end();
    else get(res);
  });
  try {
    await test(api);
  } finally {
    await api.close();
  }
}

/**
 * A GET answer whose headers and a part of its body come, the rest held: once they are flushed (on loopback, the
 * client's to read) and the event loop has turned (the client read them and waits for more), `controller` aborts.
 */
const heldGet = (controller: AbortController) => (res: ServerResponse) => {
  res.writeHead(200, { "content-type": "application/json", "content-length": "100", "x-request-id": "req_get" });
  res.write('{"job_id":', () => void drain().then(() => controller.abort()));
};

/** A GET answered 500 (`req_get`). */
const failingGet = (res: ServerResponse) =>
  res.writeHead(500, { "content-type": "application/json", "x-request-id": "req_get" }).end('{"detail":"boom"}');

const submit = (url: string, signal?: AbortSignal) =>
  client(url)
    .queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x", signal })
    .catch((e) => e);

describe("a submit answered 303, its GET failing", () => {
  it("a 500 on the GET: SUBMIT_OUTCOME_UNKNOWN with the POST's request id, the GET's named with its status", () =>
    seeOther(failingGet, async (api) => {
      const error = await submit(api.url);
      expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", status: 500, requestId: "req_post" });
      expect(error.message).toBe(
        "boom (HTTP 500, request req_get) (after the POST's request req_post); a job (or file) may exist: not sent again (that could bill twice): ask support before retrying",
      );
      expect(api.seen.map((r) => r.method)).toEqual(["POST", "GET"]);
    }));

  it("aborted while the GET's answer comes: the abort names the POST's request id", () => {
    const controller = new AbortController();
    return seeOther(heldGet(controller), async (api) => {
      const error = await submit(api.url, controller.signal);
      expect(api.seen.map((r) => r.method)).toEqual(["POST", "GET"]);
      expect(error).toMatchObject({ code: "ABORT", requestId: "req_post", mayExist: true });
      expect(error.message).toBe("The operation was aborted (request req_post); a job (or file) may exist");
    });
  });
});

// A 1×1 PNG, whole.
const png = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
  "hex",
);

const processImage = (url: string) =>
  client(url)
    .process({ model: models.image("lucy-pro-t2i"), prompt: "x" })
    .catch((e) => e);

describe("a POST answered 303 (req_post), its GET (req_get) answering what the client refuses: the POST's id, the GET's named too", () => {
  /** A GET answered 200 with `body` as JSON (`req_get`). */
  const jobGet = (body: string) => (res: ServerResponse) =>
    res.writeHead(200, { "content-type": "application/json", "x-request-id": "req_get" }).end(body);
  const result = { location: "/v1/result/1" };

  it("a submit's GET answering a usable job_id that breaks the spec: INVALID_RESPONSE with the job id", () =>
    seeOther(jobGet('{"job_id":"job_1","status":42}'), async (api) => {
      const error = await submit(api.url);
      expect(error).toMatchObject({ code: "INVALID_RESPONSE", jobId: "job_1", requestId: "req_post", status: 200 });
      expect(error.message).toContain(
        "(HTTP 200, request req_get) (after the POST's request req_post); job job_1 was made",
      );
    }));

  it("a submit's GET answering a job in a status the API added since: the same, and upgrade", () =>
    seeOther(jobGet('{"job_id":"job_1","status":"queued"}'), async (api) => {
      const error = await submit(api.url);
      expect(error).toMatchObject({ code: "INVALID_RESPONSE", jobId: "job_1", requestId: "req_post" });
      expect(error.message).toContain("(HTTP 200, request req_get) (after the POST's request req_post): an answer");
    }));

  it("process's GET answering an image/webp: INVALID_RESPONSE with the image as data", () =>
    seeOther(
      (res) => res.writeHead(200, { "content-type": "image/webp", "x-request-id": "req_get" }).end("RIFF....WEBPVP8 "),
      async (api) => {
        const error = await processImage(api.url);
        expect(error).toMatchObject({ code: "INVALID_RESPONSE", requestId: "req_post", status: 200 });
        expect(await error.data.text()).toBe("RIFF....WEBPVP8 ");
        expect(error.message).toContain(
          "(upgrade it) (HTTP 200, request req_get) (after the POST's request req_post); it came whole",
        );
      },
      result,
    ));

  it("process's GET cut short after its headers (no status to name an id): both named", () =>
    seeOther(
      (res) => {
        res.writeHead(200, { "content-type": "image/png", "content-length": "1000", "x-request-id": "req_get" });
        res.write(png, () => res.destroy());
      },
      async (api) => {
        const error = await processImage(api.url);
        expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", requestId: "req_post" });
        expect(error.message).toContain(
          `: the body ended after at least ${png.length} of 1000 bytes (request req_get) (after the POST's request req_post); a job (or file) may exist`,
        );
      },
      result,
    ));
});

describe("a POST answered 303 without an x-request-id: the GET's id, for a failure and an abort alike", () => {
  const noId = { postId: false };

  it("the GET answering 500", () =>
    seeOther(
      failingGet,
      async (api) => {
        const error = await submit(api.url);
        expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", requestId: "req_get", status: 500 });
        expect(error.message).toMatch(/^boom \(HTTP 500, request req_get\); a job \(or file\) may exist/);
      },
      noId,
    ));

  it("aborted while the GET's answer comes", () => {
    const controller = new AbortController();
    return seeOther(
      heldGet(controller),
      async (api) => {
        const error = await submit(api.url, controller.signal);
        expect(api.seen.map((r) => r.method)).toEqual(["POST", "GET"]);
        expect(error).toMatchObject({ code: "ABORT", requestId: "req_get", mayExist: true });
        expect(error.message).toBe("The operation was aborted (request req_get); a job (or file) may exist");
      },
      noId,
    );
  });
});
