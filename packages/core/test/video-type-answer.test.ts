/**
 * A completed job whose content comes in a video type the spec does not list (`video/webm`: the API moved ahead) is an
 * answer this version does not know, as a job status it does not list is: final (not `retryable`, `canWatchAgain`
 * says no), its message says that upgrading is the remedy, its `cause` the answer's Content-Type, the job id and the
 * (redacted) request id kept. Another type (a proxy's HTML page answered with 200) stays a transient answer. A
 * purpose-built server: the emulator answers the spec's types.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canWatchAgain, createDecartClient, type DecartError, VERSION } from "../src/index.js";
import { instantDelay, json, serve, silent } from "./helpers.js";

const KEY = "dct_video_types_0123456789";
const types: Record<string, string | string[]> = {
  job_webm: "video/webm",
  job_av1: "video/x-matroska; codecs=av1",
  // A comma inside a quoted parameter is one type; whitespace after it is no part of the `cause`.
  job_quoted: 'video/webm; codecs="vp9, opus"',
  job_spaced: "video/webm \t",
  job_page: "text/html",
  // Not one well-formed video type: a Content-Type sent twice (a proxy adding its own), a wildcard, no subtype.
  job_twice: ["video/mp4", "video/mp4"],
  job_twice_params: ["video/webm; codecs=vp9", "video/webm; codecs=vp9"],
  job_twice_mp4_first: ['video/mp4; codecs="avc1"', "video/webm"],
  job_wildcard: "video/*",
  job_bare: "video/",
};
let api: Awaited<ReturnType<typeof serve>>;
const reads: Record<string, number> = {};
beforeAll(async () => {
  api = await serve((req, res) => {
    const [, id, content] = /^\/v1\/jobs\/([^/]+)(\/content)?$/.exec(req.url!)!;
    if (!content) return json(res, 200, { job_id: id, status: "completed" });
    reads[id!] = (reads[id!] ?? 0) + 1;
    // (A server that echoes the key in its request id: redacted on the error.)
    res.writeHead(200, { "content-type": types[id!]!, "content-length": "4", "x-request-id": `req_${KEY}` });
    res.end("vid!");
  });
});
afterAll(() => api.close());

const client = (maxRetries?: number) =>
  createDecartClient({ apiKey: KEY, baseUrl: api.url, logger: silent, maxRetries, poll: { delay: instantDelay() } });
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("it did not fail");
    },
    (error: DecartError) => error,
  );

describe("a job's result in a video type the spec does not list", () => {
  it.each([
    ["job_webm", "video/webm"],
    ["job_av1", "video/x-matroska"],
    ["job_quoted", "video/webm"],
    ["job_spaced", "video/webm"],
  ])("%s: a watch reads it a few times, then ends as an answer this version does not know", async (id, type) => {
    const error = await failure(client().queue.wait(id));
    // Read as an answer that breaks the spec is (three retries), then surfaced: the same read answers it again.
    expect(reads[id]).toBe(4);
    expect(error).toMatchObject({
      code: "INVALID_RESPONSE",
      jobId: id,
      status: 200,
      retryable: false,
      requestId: "req_[redacted]",
      cause: (types[id] as string).trim(),
    });
    expect(error.message).toBe(
      `GET ${api.url}/v1/jobs/${id}/content: a result of type ${type}, not video/mp4 or application/octet-stream (HTTP 200, request req_[redacted]): an answer @decart/core ${VERSION} does not know (upgrade it)`,
    );
    expect(canWatchAgain(error)).toBe(false);
    expect(JSON.stringify(error)).not.toContain("0123456789");
    // A plain download is not tried again.
    const result = await failure(client().queue.result(id));
    expect(reads[id]).toBe(5);
    expect(result).toMatchObject({ code: "INVALID_RESPONSE", jobId: id, retryable: false });
    expect(canWatchAgain(result)).toBe(false);
  });

  it.each(["job_page", "job_twice", "job_twice_params", "job_twice_mp4_first", "job_wildcard", "job_bare"])(
    "%s: another type (a page answered with 200, not one video type) stays transient: retried, and watched again",
    async (id) => {
      const error = await failure(client(1).queue.result(id));
      expect(reads[id]).toBe(2);
      expect(error).toMatchObject({ code: "INVALID_RESPONSE", jobId: id, retryable: true });
      expect(error.message).not.toMatch(/upgrade/);
      expect(canWatchAgain(error)).toBe(true);
    },
  );
});
