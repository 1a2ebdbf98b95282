/**
 * A token source's key is read as it is sent: a header's value loses its spaces at either end, so ` dct_…` answered
 * in a page is a long-lived key, refused as `dct_…` is (as the `apiKey` option's ` dct_…` is), nothing sent; a key of
 * spaces alone is no key.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createDecartClient, InvalidInputError } from "../src/index.js";
import { silent, useEmulatorClient } from "./helpers.js";

const env = useEmulatorClient();
const expiresAt = () => new Date(Date.now() + 3_600_000).toISOString();

describe("a token source's key with spaces at either end", () => {
  afterEach(() => vi.unstubAllGlobals());

  for (const apiKey of [" dct_page_key_0123456789", "  DCT_page_key_0123456789 "]) {
    it(`${JSON.stringify(apiKey.slice(0, 6))}… in a page is refused as a dct_ key, nothing sent`, async () => {
      vi.stubGlobal("window", {});
      vi.stubGlobal("document", {});
      const before = env.emu.stats().requests.total;
      const client = createDecartClient({
        token: async () => ({ apiKey, expiresAt: expiresAt() }),
        baseUrl: env.emu.url,
        logger: silent,
        maxRetries: 0,
      });
      const error = await client.queue.status("job_abc").catch((e) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ field: "apiKey" });
      expect(env.emu.stats().requests.total).toBe(before);
    });
  }

  it("a key of spaces alone is no key: the token source's failure, nothing sent", async () => {
    const before = env.emu.stats().requests.total;
    const client = createDecartClient({
      token: async () => ({ apiKey: "   ", expiresAt: expiresAt() }),
      baseUrl: env.emu.url,
      logger: silent,
      maxRetries: 0,
    });
    const error = await client.queue.status("job_abc").catch((e) => e);
    expect(error).toMatchObject({ code: "TOKEN_ERROR" });
    expect(error.message).toContain("no { apiKey, expiresAt }");
    expect(env.emu.stats().requests.total).toBe(before);
  });
});
