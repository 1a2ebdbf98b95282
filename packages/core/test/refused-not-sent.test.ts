/**
 * A refused connection sent nothing: a `JobTimeoutError` it is the cause of says "the last request was not sent", as
 * for a request that never left offline or at the rate-limit gate, not that it "failed". A watch and a submit inside a
 * watch's budget, against a port on loopback where nothing listens; the client's clock is virtual.
 */
import { describe, expect, it } from "vitest";
import { JobTimeoutError, models } from "../src/index.js";
import { closedPort, virtualClient } from "./helpers.js";

describe("a budget that ran out while the connection was refused", () => {
  it("a watch's JobTimeoutError says its last request was not sent", async () => {
    const { client } = virtualClient(`http://127.0.0.1:${await closedPort()}`);
    const error = await client.queue.wait("job_gone", { timeoutMs: 3000 }).catch((e) => e);
    expect(error).toBeInstanceOf(JobTimeoutError);
    expect(error.cause).toMatchObject({ code: "CONNECTION_REFUSED" });
    expect(error.message).toBe(
      `Job job_gone not done within 3000 ms (last status: unknown); the last request was not sent: ${error.cause.message}`,
    );
    expect(error.message).toMatch(/GET .*\/v1\/jobs\/job_gone: connection refused$/);
  });

  it("a submitAndPoll's submit: not sent, no job was made, retryable", async () => {
    const { client } = virtualClient(`http://127.0.0.1:${await closedPort()}`);
    const error = await client.queue
      .submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "x", timeoutMs: 1500 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(JobTimeoutError);
    expect(error).toMatchObject({ code: "JOB_TIMEOUT", retryable: true, jobId: undefined });
    expect(error.cause).toMatchObject({ code: "CONNECTION_REFUSED" });
    expect(error.message).toBe(
      `The submit not done within 1500 ms; the last request was not sent: ${error.cause.message}; no job was made`,
    );
    expect(error.message).toMatch(/POST .*: connection refused; no job was made$/);
  });
});
