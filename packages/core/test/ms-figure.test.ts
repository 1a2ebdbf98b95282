// A length under a thousandth of a ms, as a message names it (a deadline that near, on a fractional clock): `under
// 0.001 ms`, not in exponent notation (`1e-7 ms`); a fraction above that by its first figure (budget-figure.test.ts).
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, models, TimeoutError } from "../src/index.js";
import { silent } from "./helpers.js";

// A server that takes every request and never answers it.
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req) => req.resume());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("a budget of a tiny fraction of a ms", () => {
  it("a deadline 1e-7 ms away: the budget named as under 0.001 ms, not 1e-7 ms", async () => {
    // (The client's clock stands still: the deadline stays that near, and the attempt's timer alone ends it.)
    const c = createDecartClient({ apiKey: "k", baseUrl: url, logger: silent, poll: { now: () => 1000 } });
    const error = await c.queue
      .submit({ model: models.video("lucy-pro-t2v"), prompt: "a lighthouse", deadline: 1000 + 1e-7 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/timed out \(the budget of under 0\.001 ms\)/);
    expect(error.message).not.toMatch(/e-\d/);
  });
});
