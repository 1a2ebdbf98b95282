/**
 * `client.tokens.create` on a client whose `apiKey` is a client token (`ek_…`, in any letter case): the API refuses it
 * (403: a client token cannot mint tokens), so it is refused before anything is sent, as `createTokenRoute` refuses such
 * a key, in the same words. Over HTTP against the emulator, which counts the requests that reached it.
 */
import { expect, it } from "vitest";
import { InvalidInputError } from "../src/index.js";
import { clientFor, useEmulatorClient } from "./helpers.js";

const api = useEmulatorClient();

it("a client token given as apiKey: tokens.create refused before sending, naming apiKey", async () => {
  const { apiKey } = await api.client.tokens.create({ expiresIn: 60 });
  for (const key of [apiKey, apiKey.replace(/^ek_/, "EK_")]) {
    const before = api.emu.stats().requests.byRoute.tokens;
    const error = await clientFor(api.emu, { apiKey: key })
      .tokens.create({ expiresIn: 10 })
      .catch((e) => e);
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect([error.field, error.message]).toEqual([
      "apiKey",
      'Invalid options: "apiKey" must be your long-lived key (dct_…), not a client token (ek_…): it cannot mint tokens',
    ]);
    expect(api.emu.stats().requests.byRoute.tokens).toBe(before);
  }
});
