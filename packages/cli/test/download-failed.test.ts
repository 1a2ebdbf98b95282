import { TimeoutError } from "@decart/core";
import { describe, expect, it } from "vitest";
import { CliError } from "../src/exit.js";
import { downloadFailed } from "../src/follow.js";
import { Output } from "../src/output.js";

const JOB = "job_0123456789abcdef";
const timedOut = () => new TimeoutError("GET /v1/jobs/…/content: timed out (60000 ms per read, or the budget)");

describe("downloadFailed", () => {
  it("a timeout that the deadline's timer ends a little before Date.now reaches it is --timeout's: exit 5", () => {
    // The client's timer for the deadline fires on the event loop's clock, which may lag Date.now: the download
    // ends a few ms before the deadline by Date.now.
    for (const early of [1, 5, 250]) {
      const error = downloadFailed(new Output({ json: true }), JOB, "/tmp/x.mp4", timedOut(), Date.now() + early);
      expect(error, `${early} ms early`).toBeInstanceOf(CliError);
      expect(error, `${early} ms early`).toMatchObject({ exitCode: 5, code: "TIMEOUT" });
      expect((error as Error).message).toMatch(
        /^--timeout ran out while downloading the result of job_0123456789abcdef/,
      );
    }
  });

  it("a read that timed out long before the deadline is no --timeout's: the download's failure, as it is", () => {
    const error = downloadFailed(new Output({ json: true }), JOB, "/tmp/x.mp4", timedOut(), Date.now() + 30_000);
    expect((error as Error).message).toMatch(/^Could not download the result of job_0123456789abcdef \(/);
  });
});
