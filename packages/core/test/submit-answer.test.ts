// A submit's answer is checked as what the call is (a job's submit answer), whatever the model definition's path.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, type DecartClientOptions, models } from "../src/index.js";
import { instantDelay, json, serve, silent } from "./helpers.js";

const t2v = models.video("lucy-pro-t2v");
/** A definition of one's own, aimed at a route the catalogue lacks (its name is none the catalogue's types know). */
const mine = { ...t2v, name: "lucy-next", path: "/v2/jobs/lucy-next" } as unknown as typeof t2v;

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
  });
/** The prompt of a call answered with `answer`. */
const answering = (answer: unknown) => String(answers.push(answer) - 1);

describe("a model definition of one's own", () => {
  it("aimed at a path outside /v1/jobs/: its submit answer is a job's, as any submit's", async () => {
    const c = client();
    const prompt = answering({ job_id: "job_own_1", status: "pending" });
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
    expect(api.seen.filter((r) => r.method === "POST").map((r) => r.path)).toEqual([
      "/v2/jobs/lucy-next",
      "/v2/jobs/lucy-next",
    ]);
  });
});
