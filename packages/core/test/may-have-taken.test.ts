/**
 * Once an answer says the server may have taken a POST (`mayHaveTaken`: a 2xx or a redirect, whatever follows it),
 * nothing after it sends the POST again (unless `retrySubmit`), and the call fails with `SUBMIT_OUTCOME_UNKNOWN`.
 * Purpose-built servers on loopback play the answers the emulator cannot make.
 */
import { describe, expect, it } from "vitest";
import { ConnectionError, createDecartClient, models } from "../src/index.js";
import { closedPort, instantDelay, serve, silent } from "./helpers.js";

const KEY = "dct_taken_key_0123456789abcdef";
const t2v = () => models.video("lucy-pro-t2v");

const client = (url: string, options: Parameters<typeof createDecartClient>[0] = {}) =>
  createDecartClient({ apiKey: KEY, baseUrl: url, logger: silent, poll: { delay: instantDelay() }, ...options });

describe("a submit redirected after the server took it", () => {
  // The server made the job and sends the client to its status on a host that refuses connections: the refused GET
  // said nothing was sent (it was retryable, as a refused POST is), and the whole submit was POSTed again.
  it("a 303 whose GET is refused: SUBMIT_OUTCOME_UNKNOWN with the 303's request id, the POST not sent again", async () => {
    const dead = await closedPort();
    const api = await serve((_req, res) => {
      res.writeHead(303, { location: `http://127.0.0.1:${dead}/v1/jobs/job_1`, "x-request-id": "req_see" });
      res.end();
    });
    try {
      const error = await client(api.url)
        .queue.submit({ model: t2v(), prompt: "x" })
        .catch((e) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false, requestId: "req_see" });
      expect(error.message).toMatch(
        /: connection refused \(request req_see\); a job \(or file\) may exist: not sent again \(see retrySubmit\)$/,
      );
      expect(api.seen).toHaveLength(1);
      const polled = await client(api.url)
        .queue.submitAndPoll({ model: t2v(), prompt: "x", timeoutMs: 60_000 })
        .catch((e) => e);
      expect(polled).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false });
      expect(api.seen).toHaveLength(2);
    } finally {
      await api.close();
    }
  });
});
