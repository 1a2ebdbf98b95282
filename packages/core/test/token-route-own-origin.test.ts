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

/** A token from the route for a request with these headers, then the status of a read with it from `from`. */
async function readWith(route: (request: Request) => Promise<Response>, headers: Record<string, string>, from: string) {
  const answer = await route(new Request(`${own}/api/decart-token`, { method: "POST", headers }));
  expect(answer.status).toBe(200);
  const { apiKey } = await answer.json();
  return (await fetch(`${emu.url}/v1/jobs/job_x`, { headers: { "x-api-key": apiKey, origin: from } })).status;
}

describe("createTokenRoute with allowedOrigins listing a partner", () => {
  it("a token for the route's own page may be used from it too (the API lets its read through: 404, not 403)", async () => {
    const route = createTokenRoute({ apiKey: emu.apiKey, baseUrl: emu.url, allowedOrigins: [partner] });
    expect(await readWith(route, { origin: own, "sec-fetch-site": "same-origin" }, own)).toBe(404);
    // By Origin alone (no Sec-Fetch-Site: an older browser, a plain-http page).
    expect(await readWith(route, { origin: own }, own)).toBe(404);
    // The partner's page still gets one for its own origin, and only it.
    expect(await readWith(route, { origin: partner, "sec-fetch-site": "cross-site" }, partner)).toBe(404);
    expect(await readWith(route, { origin: partner, "sec-fetch-site": "cross-site" }, own)).toBe(403);
    // A request with no Origin (a server) gets a token limited to the list.
    expect(await readWith(route, {}, own)).toBe(403);
  });
});
