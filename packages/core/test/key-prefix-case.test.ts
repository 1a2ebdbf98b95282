/**
 * A key's prefix is the same in any letter case: a token route given a client token as its key (`EK_…` too) refuses
 * it when it is made, and an API answer whose client key is a long-lived key (`DCT_…` too) is never handed on.
 */
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTokenRoute } from "../src/server.js";
import { clientFor, json, serve, startFast } from "./helpers.js";

let emu: Emulator;
let token: string;
beforeAll(async () => {
  emu = await startFast();
  ({ apiKey: token } = await clientFor(emu).tokens.create({ expiresIn: 60 }));
});
afterAll(() => emu.close());

it.each(["EK_", "Ek_", "eK_"])("a client token given as %s… is refused as the route's key, nothing sent", (prefix) => {
  const apiKey = prefix + token.slice(3);
  const before = emu.stats().requests.total;
  expect(() => createTokenRoute({ authorize: () => true, apiKey, baseUrl: emu.url })).toThrow(
    expect.objectContaining({
      name: "InvalidInputError",
      field: "apiKey",
      message: expect.stringContaining("not a client token (ek_…): it cannot mint tokens"),
    }),
  );
  expect(emu.stats().requests.total).toBe(before);
});

it.each(["dct_", "DCT_", "Dct_"])("an answer whose client key is %s… is a 502, not handed on", async (prefix) => {
  const expiresAt = new Date(Date.now() + 60_000).toISOString();
  const api = await serve((_, res) => json(res, 200, { apiKey: `${prefix}handed_on_0123456789`, expiresAt }));
  try {
    const errors: { message: string }[] = [];
    const route = createTokenRoute({
      authorize: () => true,
      apiKey: "dct_route_0123456789abcdef",
      baseUrl: api.url,
      onError: (e) => errors.push(e),
    });
    const answer = await route(new Request("http://127.0.0.1/api/decart-token", { method: "POST" }));
    expect(answer.status).toBe(502);
    expect(await answer.text()).not.toContain("handed_on");
    expect(errors.map((e) => e.message).join()).toContain("neither a long-lived dct_ key nor the route's own");
    expect(api.seen).toHaveLength(1);
  } finally {
    await api.close();
  }
});
