import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthenticationError, createDecartClient } from "../src/index.js";
import { json, serve, silent } from "./helpers.js";

// A client token given as `apiKey` is a fixed key: once it expires, nothing renews it. The 401 says so, and what to
// give instead; an API key's 401 does not.
let server: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  server = await serve((_req, res) => json(res, 401, { detail: "Client token expired." }));
});
afterAll(() => server.close());

describe("a 401 of a fixed key", () => {
  it("a client token (ek_…) as apiKey: the message says it is not renewed, and what to give", async () => {
    const client = createDecartClient({ apiKey: "ek_expired_token_0000000000", baseUrl: server.url, logger: silent });
    const error = await client.queue.status("job_abc").catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toMatch(
      /^Client token expired\. \(HTTP 401.*\); a client token given as apiKey is not renewed: give token: fetchTokenFrom\(…\)$/,
    );
  });

  it("an API key (dct_…): the server's words only", async () => {
    const client = createDecartClient({ apiKey: "dct_test_key_000000000000", baseUrl: server.url, logger: silent });
    const error = await client.queue.status("job_abc").catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).not.toMatch(/not renewed/);
  });
});
