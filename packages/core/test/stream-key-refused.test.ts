/**
 * A key refused (401) while `nodeUpload()` streams a stream input: the client's token source gives a new key, but the
 * stream, read once, cannot be sent again. The 401 wins: an `AuthenticationError` (status 401, as for any 401) whose
 * message says the upload could not be sent again, not an `UPLOAD_NOT_REPEATABLE` without a status. Over HTTP, against
 * a server that answers 401 to the first key and takes the second.
 */
import { Readable } from "node:stream";
import { afterEach, expect, it } from "vitest";
import { AuthenticationError, createDecartClient, type DecartError, models } from "../src/index.js";
import { nodeUpload } from "../src/node.js";
import { json, serve, silent } from "./helpers.js";

let api: Awaited<ReturnType<typeof serve>> | undefined;
afterEach(() => api?.close());

it("a stream input whose request met a 401, its key renewed: an AuthenticationError, nothing sent again", async () => {
  api = await serve((req, res) =>
    req.headers["x-api-key"] === "dct_old"
      ? json(res, 401, { detail: "Invalid API key." })
      : json(res, 200, { job_id: "job_1", status: "pending" }),
  );
  const keys = ["dct_old", "dct_new"];
  const client = createDecartClient({
    baseUrl: api.url,
    logger: silent,
    upload: nodeUpload(),
    token: async () => ({ apiKey: keys.shift() ?? "dct_new", expiresAt: new Date(Date.now() + 3600e3).toISOString() }),
  });
  const data = Readable.from([Buffer.from("not really an image, but bytes")]);
  const error = (await client.queue
    .submit({ model: models.video("lucy-pro-i2v"), prompt: "x", data } as never)
    .catch((e) => e)) as DecartError;
  expect(AuthenticationError.isInstance(error)).toBe(true);
  expect([error.code, error.status, error.retryable, error.jobId]).toEqual(["AUTHENTICATION", 401, false, undefined]);
  expect(error.message).toBe(
    "The key was refused (HTTP 401) and the upload cannot be sent again with a new one: a stream input can be read " +
      "only once (give a file from disk or a Blob to allow retries); nothing was made",
  );
  // One request, the one refused: the stream was not sent again.
  expect(api.seen.map((s) => s.key)).toEqual(["dct_old"]);
});
