/**
 * The client reads a key's prefix in any letter case, as `createTokenRoute` does: a long-lived key (`DCT_…`, `Dct_…`)
 * in a page is refused as `dct_…` is, as the `apiKey` option and as a token source's answer, nothing sent; a client
 * token given as `apiKey` (`EK_…`) is one for a 401's words (it is not renewed).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { AuthenticationError, createDecartClient, InvalidInputError } from "../src/index.js";
import { json, serve, silent, useEmulatorClient } from "./helpers.js";

const env = useEmulatorClient();

describe("in a page (window and document)", () => {
  afterEach(() => vi.unstubAllGlobals());
  const page = () => {
    vi.stubGlobal("window", {});
    vi.stubGlobal("document", {});
  };

  for (const key of ["dct_page_key_0123456789", "DCT_page_key_0123456789", "Dct_page_key_0123456789"]) {
    it(`${key.slice(0, 4)}… as apiKey is refused, unless dangerouslyAllowBrowser`, () => {
      page();
      const options = { apiKey: key, baseUrl: env.emu.url, logger: silent };
      let error: unknown;
      try {
        createDecartClient(options);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ field: "apiKey" });
      expect(() => createDecartClient({ ...options, dangerouslyAllowBrowser: true })).not.toThrow();
    });

    it(`${key.slice(0, 4)}… answered by a token source is refused, nothing sent`, async () => {
      page();
      const before = env.emu.stats().requests.total;
      const client = createDecartClient({
        token: async () => ({ apiKey: key, expiresAt: new Date(Date.now() + 3_600_000).toISOString() }),
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
});

describe("a 401 to a client token given as apiKey, in any letter case", () => {
  for (const key of ["ek_expired_token_0000000000", "EK_expired_token_0000000000"]) {
    it(`${key.slice(0, 3)}…: the message says it is not renewed`, async () => {
      const server = await serve((_req, res) => json(res, 401, { detail: "Client token expired." }));
      try {
        const client = createDecartClient({ apiKey: key, baseUrl: server.url, logger: silent, maxRetries: 0 });
        const error = await client.queue.status("job_abc").catch((e) => e);
        expect(error).toBeInstanceOf(AuthenticationError);
        expect(error.message).toMatch(
          /; a client token given as apiKey is not renewed: give token: fetchTokenFrom\(…\)$/,
        );
      } finally {
        await server.close();
      }
    });
  }
});
