/**
 * A job this client just submitted cannot be unknown: a 404 on its status reads before one answered is a replica that
 * has not seen it yet. The watch that submitted it reads again (as an answer that breaks the spec is: at most 3 times
 * in a row, with the backoff, within its budget), then surfaces the 404 as it is. A watch of an id given to it keeps
 * the rule of a 404: no such job, the watch ends at once.
 */
import { describe, expect, it } from "vitest";
import {
  canWatchAgain,
  createDecartClient,
  type DecartClientOptions,
  type JobEvent,
  models,
  NotFoundError,
} from "../src/index.js";
import { instantDelay, json, serve, silent } from "./helpers.js";

const JOB = `job_${"1a".repeat(16)}`;
const model = models.video("lucy-pro-t2v");

/**
 * The API of a deployment whose replicas lag: the submit makes job JOB; its status reads answer each of `statuses` in
 * turn (404: not found; a status: the job's), then `completed`; its content is the video.
 */
const lagging = (statuses: (number | string)[]) => {
  let n = 0;
  return serve((req, res) => {
    if (req.method === "POST") return json(res, 200, { job_id: JOB, status: "pending" });
    if (req.url!.endsWith("/content")) {
      res.writeHead(200, { "content-type": "video/mp4" });
      res.end("abc");
      return;
    }
    const status = statuses[n++] ?? "completed";
    if (typeof status === "number") return json(res, status, { detail: "Job not found" });
    json(res, 200, { job_id: JOB, status });
  });
};

const client = (url: string) =>
  createDecartClient({
    apiKey: "dct_status_lag_key_0123456789",
    baseUrl: url,
    logger: silent,
    random: () => 0.5,
    poll: { delay: instantDelay() },
  } as DecartClientOptions);

type Api = Awaited<ReturnType<typeof serve>>;
const posts = (api: Api) => api.seen.filter((r) => r.method === "POST").length;
const statusReads = (api: Api) => api.seen.filter((r) => r.method === "GET" && !r.path.endsWith("/content")).length;

describe("a 404 on the status of a job this watch submitted, before a read answered", () => {
  it.each([[[404]], [[404, 404, 404]]])("%j, then the job: read again, the video (one job)", async (statuses) => {
    const api = await lagging(statuses);
    try {
      const retrying: unknown[] = [];
      let data: Blob | undefined;
      for await (const event of client(api.url).queue.submitAndWatch({
        model,
        prompt: "a lake",
      }) as AsyncIterable<JobEvent>) {
        if (event.type === "retrying") retrying.push([event.error.status, event.jobId]);
        if (event.type === "completed") data = event.data;
      }
      expect(await data!.text()).toBe("abc");
      expect(retrying).toEqual(statuses.map((status) => [status, JOB]));
      expect(statusReads(api)).toBe(statuses.length + 1);
      expect(posts(api)).toBe(1);
    } finally {
      await api.close();
    }
  });

  it("submitAndPoll: a first read answered 404 ends with the video, not NotFoundError", async () => {
    const api = await lagging([404]);
    try {
      const done = await client(api.url).queue.submitAndPoll({ model, prompt: "a lake" });
      expect(done).toMatchObject({ status: "completed", job_id: JOB });
      expect(posts(api)).toBe(1);
    } finally {
      await api.close();
    }
  });

  it("a 404 that stays: read 3 times more, then NotFoundError carrying the job id", async () => {
    const api = await lagging(Array(9).fill(404));
    try {
      const error = await client(api.url)
        .queue.submitAndPoll({ model, prompt: "a lake", timeoutMs: 600_000 })
        .catch((e) => e);
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ code: "NOT_FOUND", status: 404, retryable: false, jobId: JOB });
      expect(canWatchAgain(error)).toBe(false);
      expect(statusReads(api)).toBe(4);
      expect(posts(api)).toBe(1);
    } finally {
      await api.close();
    }
  });

  it("once a read answered, a 404 is no such job: the watch ends at once", async () => {
    const api = await lagging(["processing", 404]);
    try {
      const error = await client(api.url)
        .queue.submitAndPoll({ model, prompt: "a lake" })
        .catch((e) => e);
      expect(error).toMatchObject({ code: "NOT_FOUND", jobId: JOB });
      expect(statusReads(api)).toBe(2);
    } finally {
      await api.close();
    }
  });

  it("a watch of an id given to it (queue.wait): a 404 ends it at once, as before", async () => {
    const api = await lagging([404]);
    try {
      const error = await client(api.url)
        .queue.wait(JOB)
        .catch((e) => e);
      expect(error).toMatchObject({ code: "NOT_FOUND", jobId: JOB });
      expect(statusReads(api)).toBe(1);
    } finally {
      await api.close();
    }
  });
});
