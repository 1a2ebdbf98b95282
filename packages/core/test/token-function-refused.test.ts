/**
 * A token function that fails, while the page is online, with a request of its own that sent nothing (a refused
 * connection: `CONNECTION_REFUSED`, marked not sent): the request waiting for the key fails with that error as it is
 * (its URL, "connection refused"), not in the words of a request sent offline ("…: offline, not sent"). Only a token
 * fetch that failed offline is told so, by a mark of its own, not by its code, its words or its being unsent. A
 * purpose-built server on loopback is the API; the token function's own service is a closed port.
 */
import { describe, expect, it } from "vitest";
import { ConnectionError, createDecartClient, models } from "../src/index.js";
import { closedPort, json, serve, silent } from "./helpers.js";

describe("a token function whose own request was refused, online", () => {
  it("fails the request waiting for its key with that refusal, not 'offline, not sent'; nothing reaches the API", async () => {
    const api = await serve((_req, res) => json(res, 200, { job_id: "job_1", status: "pending" }));
    const service = `http://127.0.0.1:${await closedPort()}`;
    // The token function's own request: another client's, refused (nothing listens there).
    const other = createDecartClient({ apiKey: "k", baseUrl: service, logger: silent, maxRetries: 0 });
    try {
      const client = createDecartClient({
        token: async () => {
          await other.queue.status("job_1");
          return { apiKey: "ek_never", expiresAt: "2999-01-01T00:00:00Z" };
        },
        baseUrl: api.url,
        logger: silent,
        maxRetries: 0,
      });
      const error = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x" }).catch((e) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ code: "CONNECTION_REFUSED", retryable: true });
      expect(error.message).toBe(`GET ${service}/v1/jobs/job_1: connection refused`);
      expect(api.arrived()).toBe(0);
    } finally {
      await api.close();
    }
  });
});
