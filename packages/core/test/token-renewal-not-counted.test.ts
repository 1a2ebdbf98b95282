/**
 * A client with a token source renews its token on a 401 and sends the request again at once: that renewal is not one
 * of the call's retries (`maxRetries`). A purpose-built server on loopback answers 401 (the token expired), then 503
 * (down a moment), then the job.
 */
import { describe, expect, it } from "vitest";
import { createDecartClient } from "../src/index.js";
import { instantDelay, json, serve, silent } from "./helpers.js";

describe("a token renewed on a 401 is not a retry", () => {
  it("maxRetries 1: a 401, then a 503, then the job: 3 requests, and the read succeeds", async () => {
    const api = await serve((_req, res) => {
      if (api.seen.length === 1) return json(res, 401, { detail: "token expired" });
      if (api.seen.length === 2) return json(res, 503, { detail: "Not now" });
      json(res, 200, { job_id: "job-1", status: "processing" });
    });
    let tokens = 0;
    try {
      const client = createDecartClient({
        baseUrl: api.url,
        logger: silent,
        random: () => 0,
        maxRetries: 1,
        poll: { delay: instantDelay() },
        token: async () => ({ apiKey: `ek_renewed_${++tokens}_abcdefgh`, expiresAt: "2999-01-01T00:00:00Z" }),
      });
      expect(await client.queue.status("job-1")).toMatchObject({ job_id: "job-1", status: "processing" });
      // The first request with the first token; the renewal's and the one retry's with the second.
      expect(api.seen.map((r) => r.key)).toEqual([
        "ek_renewed_1_abcdefgh",
        "ek_renewed_2_abcdefgh",
        "ek_renewed_2_abcdefgh",
      ]);
      expect(tokens).toBe(2);
    } finally {
      await api.close();
    }
  });
});
