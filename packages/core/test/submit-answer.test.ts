// A submit's answer is checked as what the call is (a job's submit answer), whatever the model definition's path; one
// that breaks the spec but names a usable job id made that job: the error carries its id, and nothing is sent again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  canWatchAgain,
  createDecartClient,
  type DecartClientOptions,
  InvalidResponseError,
  models,
  VERSION,
  type VideoModel,
} from "../src/index.js";
import { instantDelay, json, serve, silent } from "./helpers.js";

const t2v = models.video("lucy-pro-t2v");
/** A definition of one's own, aimed at a route the catalogue lacks (its name is none the catalogue knows). */
const mine: VideoModel<"lucy-next"> = { ...t2v, name: "lucy-next", canonical: "lucy-next", path: "/v2/jobs/lucy-next" };

// Every POST is answered with the JSON its prompt names (`answers`, by index; one in `cut` whole, then its connection
// reset short of its Content-Length); a status read says the job completed.
const answers: unknown[] = [];
let api: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  api = await serve((req, res, body) => {
    if (req.method === "POST") {
      const answer = answers[Number(/name="prompt"\r\n\r\n(\d+)/.exec(body.toString())![1])] as { cut?: unknown };
      if (!answer.cut) return json(res, 200, answer);
      const text = JSON.stringify(answer.cut);
      res.writeHead(200, { "content-type": "application/json", "content-length": text.length + 10 });
      res.write(text, () => setTimeout(() => res.socket?.resetAndDestroy(), 20));
      return;
    }
    const jobId = decodeURIComponent(req.url!.split("/")[3]!);
    json(res, 200, { job_id: jobId, status: "completed" });
  });
});
afterAll(() => api.close());

const client = (options: DecartClientOptions = {}) =>
  createDecartClient({
    apiKey: "dct_submit_answers",
    baseUrl: api.url,
    logger: silent,
    poll: { delay: instantDelay() },
    ...options,
  } as DecartClientOptions);
/** The prompt of a call answered with `answer`. */
const answering = (answer: unknown) => String(answers.push(answer) - 1);
/** The POSTs the server took so far. */
const posts = () => api.seen.filter((r) => r.method === "POST").length;

describe("a model definition of one's own", () => {
  it("aimed at a path outside /v1/jobs/: its submit answer is a job's, as any submit's", async () => {
    const c = client();
    const prompt = answering({ job_id: "job_own_1", status: "pending" });
    const from = api.seen.length; // the server is the file's: count this test's requests only
    expect(await c.queue.submit({ model: mine, prompt })).toEqual({ job_id: "job_own_1", status: "pending" });
    const submitted: string[] = [];
    const outcome = await c.queue.submitAndPoll({
      model: mine,
      prompt,
      download: false,
      onSubmitted: (id) => void submitted.push(id),
    });
    expect(outcome).toEqual({ status: "completed", job_id: "job_own_1" });
    expect(submitted).toEqual(["job_own_1"]);
    expect(
      api.seen
        .slice(from)
        .filter((r) => r.method === "POST")
        .map((r) => r.path),
    ).toEqual(["/v2/jobs/lucy-next", "/v2/jobs/lucy-next"]);
  });
});

describe("a submit answer that breaks the spec", () => {
  // (A status given as text the spec does not list is one this version cannot read: the message names the upgrade.)
  it.each([
    ["without a status", { job_id: "job_kept_1" }, ""],
    ["with a status of null", { job_id: "job_kept_2", status: null }, ""],
    ["with a status in capitals", { job_id: "job_kept_3", status: "PENDING" }, "upgrade"],
    ["with a status outside the four", { job_id: "job_kept_4", status: "queued" }, "upgrade"],
  ])(
    "%s, a usable job_id: an error carrying the id, not sent again (retrySubmit too)",
    async (_name, answer, upgrade) => {
      const { job_id } = answer;
      const prompt = answering(answer);
      const before = posts();
      const error = await client({ retrySubmit: true })
        .queue.submit({ model: t2v, prompt })
        .catch((e) => e);
      expect(error).toBeInstanceOf(InvalidResponseError);
      // The job was made: its outcome is known, and sending again would make another.
      expect(error).toMatchObject({
        code: "INVALID_RESPONSE",
        jobId: job_id,
        retryable: false,
        status: 200,
        requestId: "req_test",
      });
      expect(error.message).toMatch(
        new RegExp(
          `^POST ${api.url}/v1/jobs/lucy-pro-t2v: "status" must .*\\(HTTP 200, request req_test\\)${upgrade && `: an answer @decart/core ${VERSION.replaceAll(".", "\\.")} does not know \\(upgrade it\\)`}; job ${job_id} was made: follow it with queue\\.wait\\(jobId\\)$`,
        ),
      );
      expect(posts()).toBe(before + 1);
      // (Another watch can get past it: the job was made; the React hooks' retry() and queue-rx's retryWatch follow it.)
      expect(canWatchAgain(error)).toBe(true);
    },
  );

  it("that came whole, its connection reset before its end: the error carries the id all the same", async () => {
    const error = await client()
      .queue.submit({ model: t2v, prompt: answering({ cut: { job_id: "job_kept_6", status: "queued" } }) })
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({ code: "INVALID_RESPONSE", jobId: "job_kept_6", retryable: false });
    expect(error.message).toMatch(/; job job_kept_6 was made: follow it with queue\.wait\(jobId\)$/);
  });

  it("through submitAndPoll and generate: the error carries the id, onSubmitted is not called; queue.wait follows the job", async () => {
    const c = client();
    const prompt = answering({ job_id: "job_kept_5" });
    const submitted: string[] = [];
    const reads = () => api.seen.filter((r) => r.method === "GET").length;
    const before = reads();
    const polled = await c.queue
      .submitAndPoll({ model: t2v, prompt, onSubmitted: (id) => void submitted.push(id) })
      .catch((e) => e);
    expect(polled).toMatchObject({ name: "InvalidResponseError", jobId: "job_kept_5" });
    expect(submitted).toEqual([]);
    expect(await c.generate({ model: t2v, prompt }).catch((e) => e)).toMatchObject({ jobId: "job_kept_5" });
    expect(reads()).toBe(before);
    // Nothing is lost: the job is followed by its id.
    expect(await c.queue.wait(polled.jobId, { download: false })).toEqual({
      status: "completed",
      job_id: "job_kept_5",
    });
  });

  it.each([
    ["no job_id", { status: "pending" }],
    ["an empty job_id", { job_id: "" }],
    ["a job_id of .", { job_id: "." }],
    ["a job_id of ..", { job_id: "..", status: "pending" }],
    ["a job_id that is no string nor a safe integer", { job_id: 5.5 }],
    ["a job_id past the safe integers", { job_id: 2 ** 53 }],
    ["a job_id that is an object", { job_id: { id: "job_1" } }],
    ["a job_id too long", { job_id: "j".repeat(257) }],
  ])("with %s: the id is unknown (SUBMIT_OUTCOME_UNKNOWN, no jobId)", async (_name, answer) => {
    const error = await client()
      .queue.submit({ model: t2v, prompt: answering(answer) })
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", jobId: undefined, retryable: false });
    expect(error.message).toMatch(
      /a job \(or file\) may exist: not sent again \(that could bill twice\): ask support before retrying$/,
    );
  });

  it("with a job_id that is a number (a safe integer, against the spec's string): the job, its id read as text", async () => {
    const before = posts();
    const answer = await client({ retrySubmit: true }).queue.submit({
      model: t2v,
      prompt: answering({ job_id: 12345, status: "pending" }),
    });
    expect(answer).toEqual({ job_id: "12345", status: "pending" });
    expect(posts()).toBe(before + 1);
  });
});
