/**
 * `fetchTokenFrom` names what the API answered a token route only from `createTokenRoute`'s own 502
 * `{ code, status }`: another server's JSON `status` (a Spring 404 page's, a JSend "error", a number on a 503) is not
 * read as the API's. A purpose-built server on loopback answers each.
 */
import { describe, expect, it } from "vitest";
import { createDecartClient, fetchTokenFrom } from "../src/index.js";
import { instantDelay, json, serve, silent } from "./helpers.js";

describe("fetchTokenFrom reads the route's { code, status } from createTokenRoute's 502 only", () => {
  it.each([
    [404, { timestamp: "x", status: 404, error: "Not Found", path: "/t" }, false],
    [500, { status: "error", message: "db down" }, true],
    [503, { status: 4000 }, true],
    // createTokenRoute's shape broken: a status that is no number, a code that is no string.
    [502, { code: "SERVER", status: "401" }, true],
    [502, { code: 401, status: 401 }, true],
  ])("HTTP %i with %j: no status of the API's, not refused as the route's key", async (status, body, retryable) => {
    const route = await serve((_req, res) => json(res, status, body));
    try {
      const error = await fetchTokenFrom(`${route.url}/t`)().catch((e) => e);
      expect(error).toMatchObject({ status, retryable });
      expect(error.message).not.toMatch(/the API's HTTP|undefined|own key/);
      if (status !== 502 || typeof (body as { code?: unknown }).code !== "string")
        expect(error.message).not.toContain("the route said");
    } finally {
      await route.close();
    }
  });

  it("a 502 { code, status: 401 }: named, a refusal of the route's own key, not asked again, no 'sign in again'", async () => {
    const route = await serve((_req, res) => json(res, 502, { code: "AUTHENTICATION", status: 401 }));
    try {
      const direct = await fetchTokenFrom(`${route.url}/t`)().catch((e) => e);
      expect(direct).toMatchObject({ status: 502, retryable: false });
      expect(direct.message).toContain(
        "the route said: AUTHENTICATION (the API's HTTP 401): the API refused the route's own key (its apiKey)",
      );
      const page = createDecartClient({
        token: fetchTokenFrom(`${route.url}/t`),
        baseUrl: route.url,
        logger: silent,
        poll: { delay: instantDelay() },
      });
      const error = await page.queue.status("job_x").catch((e) => e);
      expect(error).toMatchObject({ code: "TOKEN_ERROR", status: 502, retryable: false });
      expect(error.message).toMatch(/^The token route refused \(HTTP 502\): check the route; /);
      expect(error.message).not.toContain("sign in");
      expect(route.arrived()).toBe(2);
    } finally {
      await route.close();
    }
  });

  it("a 502 { code } with no status (the API's timeout): named, no status, still asked again", async () => {
    const route = await serve((_req, res) =>
      json(res, 502, { error: "Could not create a client token", code: "TIMEOUT" }),
    );
    try {
      const error = await fetchTokenFrom(`${route.url}/t`)().catch((e) => e);
      expect(error).toMatchObject({ status: 502, retryable: true });
      expect(error.message).toMatch(/; the route said: TIMEOUT$/);
    } finally {
      await route.close();
    }
  });
});
