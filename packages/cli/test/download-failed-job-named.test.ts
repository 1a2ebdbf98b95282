/**
 * A download's failure names its job once: the client's message begins `Job <id>: ` (a 404 or 409 about a job), with an
 * id that looks like a key written by its length (`Job 18 characters: `), and the CLI's line, which names the job
 * itself, leaves either form out. The client's errors come over HTTP from a server of the test's own that answers
 * every result download 404 (or 409).
 */
import { createDecartClient } from "@decart/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { downloadFailed } from "../src/follow.js";
import { Output } from "../src/output.js";
import { KEY, type Loopback, listenOnLoopback } from "./helpers.js";

let server: Loopback;
let status = 404;
beforeAll(async () => {
  server = await listenOnLoopback((req, res) => {
    req.resume();
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify({ detail: status === 404 ? "Not found" : "Job is not completed" }));
  });
});
afterAll(() => server?.close());

/** The client's error of downloading the result of `jobId`, as the server answers it now. */
const failure = (jobId: string): Promise<Error> =>
  createDecartClient({ apiKey: KEY, baseUrl: server.url, maxRetries: 0, logger: { debug() {}, warn() {} } })
    .queue.result(jobId)
    .then(
      () => expect.unreachable("the download succeeded"),
      (e: Error) => e,
    );

// A plain id, and one that looks like a key (`ek_…`), which the client shows by its length.
const IDS = [
  ["job_plain", "job_plain"],
  ["ek_abcdefghij12345", "18 characters"],
] as const;

describe("the job of a failed download is named once", () => {
  for (const [jobId, shown] of IDS) {
    it(`a 404 right after the job completed (${jobId})`, async () => {
      status = 404;
      const error = await failure(jobId);
      expect(error.message).toBe(`Job ${shown}: Not found (HTTP 404)`);
      const told = downloadFailed(new Output({ json: true }), jobId, "/tmp/x.mp4", error, undefined, "AGAIN", true);
      expect((told as Error).message).toBe(
        `Could not download the result of ${jobId} (Not found (HTTP 404)), although the server said the job ` +
          "completed; its result may come later: AGAIN",
      );
    });

    it(`a 409 of the result alone (${jobId})`, async () => {
      status = 409;
      const error = await failure(jobId);
      expect(error.message).toMatch(new RegExp(`^Job ${shown}: `));
      const told = (downloadFailed(new Output({ json: true }), jobId, "/tmp/x.mp4", error, undefined, "AGAIN") as Error)
        .message;
      expect(told).toMatch(
        new RegExp(`^Could not download the result of ${jobId} \\(Job is not completed \\(HTTP 409`),
      );
      expect(told.split(jobId)).toHaveLength(2);
      expect(told).not.toContain(shown === jobId ? `Job ${jobId}` : shown);
    });
  }
});
