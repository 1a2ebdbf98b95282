/**
 * A token route's 404 (a `TOKEN_ERROR` keeping the route's status) is the route's, not the API's answer about the job:
 * a watch does not take it for a replica that has not seen its job yet (asked again), and its message does not say the
 * job is missing. The emulator's clock moves past the first token's expiry after the submit, so the first status read
 * gets the API's 401; the renewal asks a purpose-built route on loopback that answers a 404 page.
 */
import { describe, expect, it } from "vitest";
import { createDecartClient, fetchTokenFrom, models } from "../src/index.js";
import { clientFor, fastPoll, instantDelay, serve, silent, startFast } from "./helpers.js";

describe("a token route's 404 while a job submitted by the watch is read", () => {
  it("the route is asked once (no retry as a lagging replica), and the message is about the route", async () => {
    let skew = 0;
    const emu = await startFast({ now: () => Date.now() + skew });
    const route = await serve((_req, res) => {
      res.writeHead(404, { "content-type": "text/html" }).end("<title>404</title>");
    });
    try {
      const first = await clientFor(emu).tokens.create({ expiresIn: 60 });
      const fromRoute = fetchTokenFrom(`${route.url}/api/decart-token`);
      let tokens = 0;
      const page = createDecartClient({
        baseUrl: emu.url,
        logger: silent,
        random: () => 0,
        poll: { ...fastPoll, delay: instantDelay() },
        token: async (options) => (tokens++ === 0 ? first : fromRoute(options)),
        fetch: async (input, init) => {
          const answer = await fetch(input, init);
          // Once the job is made, the API's clock passes the first token's expiry: the next read is its 401.
          if ((init?.method ?? "GET") === "POST") skew = 3_600_000;
          return answer;
        },
      });
      const error = await page.queue
        .submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "a job" })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "TOKEN_ERROR", status: 404 });
      expect(route.arrived()).toBe(1);
      expect((error as Error).message).toMatch(/^The token route refused \(HTTP 404\)/);
      expect((error as Error).message).not.toMatch(/\bJob\b/);
    } finally {
      await route.close();
      await emu.close();
    }
  });
});
