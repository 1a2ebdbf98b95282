/**
 * A submitted call (`submitAndPoll`, `generate`) that ends on a connection's failure after its job exists: the error
 * carries the job id, and `canWatchAgain` says yes (the job may still be fetched: watching it again is the fix). Each
 * failure over a purpose-built server: a status read reset each time until the budget ends, a download reset after some
 * of its bytes (no length told, or a length told and the body cut short), a download refused.
 */
import { afterEach, describe, expect, it } from "vitest";
import { canWatchAgain, type DecartError, models } from "../src/index.js";
import { json, serve, virtualClient } from "./helpers.js";

const model = models.video("lucy-pro-t2v");
const video = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from("ftypmp42"), Buffer.alloc(4000, 7)]);

/** How the server fails: on each status read, or on the result's download (after `bytes` of it; told its length). */
type Fault = { on: "status" | "content"; bytes?: number; length?: boolean } | undefined;
let fault: Fault;
let server: Awaited<ReturnType<typeof serve>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start() {
  let jobs = 0;
  server = await serve((req, res) => {
    if (req.method === "POST") return json(res, 200, { job_id: `job_reset_${++jobs}`, status: "pending" });
    const content = req.url!.endsWith("/content");
    if (fault?.on === (content ? "content" : "status")) {
      if (fault.bytes === undefined) {
        res.socket!.resetAndDestroy();
        return;
      }
      res.writeHead(200, { "content-type": "video/mp4", ...(fault.length && { "content-length": video.length }) });
      res.write(video.subarray(0, fault.bytes), () => setTimeout(() => res.socket!.resetAndDestroy(), 10));
      return;
    }
    if (!content) return json(res, 200, { job_id: req.url!.split("/")[3], status: "completed" });
    res.writeHead(200, { "content-type": "video/mp4", "content-length": video.length });
    res.end(video);
  });
  return virtualClient(server.url, { maxRetries: 0, timeoutMs: 5_000 }).client;
}

const cases: [string, Fault, string][] = [
  ["a status read reset each time, until the budget ends", { on: "status" }, "JOB_TIMEOUT"],
  ["the download reset before its answer each time, until the budget ends", { on: "content" }, "JOB_TIMEOUT"],
  ["the download reset after 1000 bytes, no length told", { on: "content", bytes: 1000 }, "CONNECTION_ERROR"],
  ["the download cut after 1000 of its told length", { on: "content", bytes: 1000, length: true }, "TRUNCATED"],
];

describe("canWatchAgain after a connection's failure once the job exists", () => {
  for (const [name, how, code] of cases)
    it(`${name}: ${code}, carrying the job id, watched again`, async () => {
      const client = await start();
      fault = how;
      const errors: DecartError[] = [];
      for (const call of [
        () => client.queue.submitAndPoll({ model, prompt: "A lake", timeoutMs: 60_000 }),
        () => client.generate({ model, prompt: "A lake", timeoutMs: 60_000 }),
      ]) {
        const error = (await call().catch((e) => e)) as DecartError;
        expect([error.code, error.jobId]).toEqual([code, expect.stringMatching(/^job_reset_/)]);
        expect(canWatchAgain(error)).toBe(true);
        errors.push(error);
      }
      // The fault gone, a watch of each job gets its result.
      fault = undefined;
      for (const error of errors)
        expect(await client.queue.wait(error.jobId!)).toMatchObject({ status: "completed", data: expect.any(Blob) });
    });
});
