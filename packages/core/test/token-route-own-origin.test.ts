import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenRoute } from "../src/server.js";
import { startFast } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

const own = "https://app.example";
const partner = "https://partner.example";
const evil = "https://evil.example";

/** A token from the route for a request with these headers, then the status of a read with it from `from`. */
async function readWith(route: (request: Request) => Promise<Response>, headers: Record<string, string>, from: string) {
  const answer = await route(new Request(`${own}/api/decart-token`, { method: "POST", headers }));
  expect(answer.status).toBe(200);
  const { apiKey } = await answer.json();
  return (await fetch(`${emu.url}/v1/jobs/job_x`, { headers: { "x-api-key": apiKey, origin: from } })).status;
}

describe("createTokenRoute with allowedOrigins", () => {
  it("a token names the listed origins only, whatever Origin and Sec-Fetch-Site the request claims", async () => {
    const route = createTokenRoute({
      authorize: () => true,
      apiKey: emu.apiKey,
      baseUrl: emu.url,
      allowedOrigins: [partner],
    });
    // A caller that is no browser forges a same-origin request from another origin: the route cannot tell, but the
    // token it gets is refused from that origin (403) and works from the listed one only (the read's 404).
    const forged = { origin: evil, "sec-fetch-site": "same-origin" };
    expect(await readWith(route, forged, evil)).toBe(403);
    expect(await readWith(route, forged, partner)).toBe(404);
    expect(await readWith(route, { origin: evil, host: "evil.example" }, evil)).toBe(403);
    // The route's own page, unlisted, gets one it cannot use: the README says to list it.
    expect(await readWith(route, { origin: own, "sec-fetch-site": "same-origin" }, own)).toBe(403);
    const listed = createTokenRoute({
      authorize: () => true,
      apiKey: emu.apiKey,
      baseUrl: emu.url,
      allowedOrigins: [own, partner],
    });
    expect(await readWith(listed, { origin: own, "sec-fetch-site": "same-origin" }, own)).toBe(404);
  });
});
