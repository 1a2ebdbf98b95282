// An upload's answer is checked as the spec's FileReference; one that breaks the spec but names a usable file id stored
// that file: the error carries its id (`fileId`), so that it can be used or deleted, and nothing is sent again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canWatchAgain, createDecartClient, InvalidResponseError } from "../src/index.js";
import { nodeUpload } from "../src/node.js";
import { instantDelay, json, serve, silent } from "./helpers.js";

// Every upload is answered with the JSON its file's text names (`answers`, by index).
const answers: unknown[] = [];
let api: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  api = await serve((_req, res, body) => {
    json(res, 200, answers[Number(/\r\n\r\nanswer (\d+)\r\n/.exec(body.toString())![1])]);
  });
});
afterAll(() => api.close());

/** A file whose upload is answered with `answer`. */
const answering = (answer: unknown) => new Blob([`answer ${answers.push(answer) - 1}`], { type: "text/plain" });
const posts = () => api.seen.filter((r) => r.method === "POST").length;

describe.each([
  ["fetch", false],
  ["nodeUpload()", true],
])("an upload's answer that breaks the spec, through %s", (_path, node) => {
  const client = () =>
    createDecartClient({
      apiKey: "dct_upload_answers",
      baseUrl: api.url,
      logger: silent,
      retrySubmit: true,
      poll: { delay: instantDelay() },
      ...(node && { upload: nodeUpload() }),
    });

  it.each([
    ["with its other fields missing", { id: "file_kept_1" }],
    ["with a size that is no number", { id: "file_kept_2", filename: null, mime_type: "text/plain", size_bytes: "9" }],
  ])("%s, a usable id: INVALID_RESPONSE carrying fileId, not sent again (retrySubmit too)", async (_name, answer) => {
    const before = posts();
    const error = await client()
      .files.upload(answering(answer))
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({
      code: "INVALID_RESPONSE",
      fileId: answer.id,
      jobId: undefined,
      retryable: false,
      status: 200,
    });
    expect(error.message).toMatch(
      new RegExp(
        `^POST ${api.url}/v1/files: .*\\(HTTP 200, request req_test\\); file ${answer.id} was made: use or delete it \\(fileId\\)$`,
      ),
    );
    expect(posts()).toBe(before + 1);
    // A file is no job: there is nothing to watch.
    expect(canWatchAgain(error)).toBe(false);
  });

  it.each([
    ["no id", { filename: null }],
    ["an id of ..", { id: ".." }],
    ["an id that is no string", { id: 7 }],
    ["only a job_id", { job_id: "job_1", status: "pending" }],
  ])("with %s: the outcome is unknown (SUBMIT_OUTCOME_UNKNOWN, no fileId)", async (_name, answer) => {
    const error = await client()
      .files.upload(answering(answer), {})
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false });
    expect(error.fileId).toBeUndefined();
    expect(error.jobId).toBeUndefined();
  });
});
