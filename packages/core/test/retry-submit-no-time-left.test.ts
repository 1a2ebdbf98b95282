/**
 * With `retrySubmit`, a submit answered 500 (a job may exist) and sent again, whose retry finds no time left (its wait
 * ended at the deadline), ends with the first failure (`SUBMIT_OUTCOME_UNKNOWN`, a job may exist), its words saying it was
 * not sent again (it was not: no second job may be billed), followed by the retry's: "not sent, no time left", told its deadline's distance from the call as every call not sent for want of
 * time is. A purpose-built server on loopback; the client's clock moves only in its waits, this one to the deadline.
 */
import { afterEach, expect, it } from "vitest";
import { createDecartClient, JobTimeoutError, models } from "../src/index.js";
import { json, serve, silent } from "./helpers.js";

let api: Awaited<ReturnType<typeof serve>> | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** A client of a server that answers 500 to every request (with `retrySubmit`), whose wait before a retry ends at 5 s. */
async function failing() {
  api = await serve((_req, res) => json(res, 500, { detail: "Internal error" }));
  let t = 0;
  return createDecartClient({
    apiKey: "k",
    baseUrl: api.url,
    logger: silent,
    retrySubmit: true,
    poll: {
      now: () => t,
      delay: async () => {
        t = 5_000;
      },
    },
  });
}

it("a retry with no time left says how far the deadline was from the call", async () => {
  const client = await failing();
  const error: any = await client.queue
    .submit({ model: models.video("lucy-pro-t2v"), prompt: "A lake", deadline: 5_000 })
    .catch((e) => e);
  expect(error.code).toBe("SUBMIT_OUTCOME_UNKNOWN");
  expect(error.message).toMatch(
    /^Internal error \(HTTP 500, request req_test\); a job \(or file\) may exist: not sent again \(that could bill twice\): ask support before retrying; then: POST http:\/\/127\.0\.0\.1:\d+\/v1\/jobs\/lucy-pro-t2v: not sent, no time left: its deadline was 5000 ms after the call$/,
  );
  expect(api!.arrived()).toBe(1);
});

it("inside submitAndPoll's budget, the JobTimeoutError says the last request sent failed, not that the last one did", async () => {
  const client = await failing();
  const error: any = await client.queue
    .submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "A lake", timeoutMs: 5_000 })
    .catch((e) => e);
  expect(error).toBeInstanceOf(JobTimeoutError);
  expect(error.code).toBe("SUBMIT_OUTCOME_UNKNOWN");
  expect(error.message).toMatch(
    /^The submit not done within 5000 ms; the last request sent failed: Internal error \(HTTP 500, request req_test\); a job \(or file\) may exist: not sent again \(that could bill twice\): ask support before retrying; then: POST http:\/\/127\.0\.0\.1:\d+\/v1\/jobs\/lucy-pro-t2v: not sent, no time left/,
  );
  expect(api!.arrived()).toBe(1);
});
