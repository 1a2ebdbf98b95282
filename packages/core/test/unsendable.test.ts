import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, type DecartError, InvalidInputError, models } from "../src/index.js";
import { createTokenRoute } from "../src/server.js";
import { instantDelay, json, serve, silent } from "./helpers.js";

// A server that would answer every request: none of the values below may reach it.
let api: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  api = await serve((_req, res) => json(res, 200, { job_id: "j1", status: "pending" }));
});
afterAll(() => api.close());

const t2v = { model: models.video("lucy-pro-t2v"), prompt: "A lake" };
const thrown = (make: () => unknown): any => {
  try {
    make();
  } catch (e) {
    return e;
  }
};
/** The error and its causes as every kind of text. */
const texts = (e: any) => [String(e), e?.message, e?.stack, JSON.stringify(e), inspect(e), String(e?.cause?.message)];

describe("values that cannot be sent are refused before any request", () => {
  const keys = ["dct_S3CRET\nX-Evil: 1", "dct_S3CRET\0", "dct_S3CRET€", "dct_S3CRET\rX", "dct_S3CRET\tX"];

  // Each test counts the requests that arrive while it runs (the server is shared, and the last test sends one).
  it("a key a header cannot carry: the client and the token route refuse it, naming apiKey, never showing it", () => {
    const before = api.arrived();
    for (const apiKey of keys) {
      for (const make of [
        () => createDecartClient({ apiKey, baseUrl: api.url }),
        () => createTokenRoute({ authorize: () => true, apiKey, baseUrl: api.url }),
      ]) {
        const error = thrown(make);
        expect(error, JSON.stringify(apiKey)).toBeInstanceOf(InvalidInputError);
        expect(error.field).toBe("apiKey");
        for (const text of texts(error)) expect(text).not.toContain("S3CRET");
      }
    }
    expect(api.arrived()).toBe(before);
  });

  it("a token fetcher's key a header cannot carry is a TOKEN_ERROR without the key, and nothing is sent", async () => {
    const before = api.arrived();
    for (const apiKey of ["ek_S3CRET\nX", "ek_S3CRET€"]) {
      const client = createDecartClient({
        token: async () => ({ apiKey, expiresAt: new Date(Date.now() + 600_000).toISOString() }),
        baseUrl: api.url,
        logger: silent,
        poll: { delay: instantDelay() },
        random: () => 0.5,
      });
      const error = (await client.queue.submit(t2v).catch((e) => e)) as DecartError;
      expect(error.code).toBe("TOKEN_ERROR");
      // A failure of the token source as any other: asked again, and the third in a row is final.
      expect(error.retryable).toBe(false);
      for (const text of texts(error)) expect(text).not.toContain("S3CRET");
    }
    expect(api.arrived()).toBe(before);
  });

  it("an integration name a header cannot carry: InvalidInputError naming integration when the client is made", () => {
    // It goes in the user agent: it used to fail each request later, as a retryable CONNECTION_ERROR.
    const before = api.arrived();
    for (const integration of ["app\nX-Evil: 1", "app\r", "app\0", "app€", "app\tv1"]) {
      const error = thrown(() => createDecartClient({ apiKey: "dct_fine", baseUrl: api.url, integration }));
      expect(error, JSON.stringify(integration)).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ field: "integration", expected: "printable ASCII" });
      expect(error.message).toMatch(/^Invalid options: "integration" must be printable ASCII/);
    }
    expect(api.arrived()).toBe(before);
    // Printable ASCII is taken (retry.test.ts sees it in the user agent).
    expect(() =>
      createDecartClient({ apiKey: "dct_fine", baseUrl: api.url, integration: "my-app/1.0 (+x)" }),
    ).not.toThrow();
  });

  it("a base URL or proxy with credentials, a query or a fragment: refused, naming the field, never shown", () => {
    const before = api.arrived();
    const host = api.url.slice("http://".length);
    const urls = [
      `http://user:pa55word@${host}`,
      `http://user@${host}`,
      `${api.url}?key=pa55word`,
      `${api.url}/v?`,
      `${api.url}#pa55word`,
      `${api.url}/base#`,
    ];
    for (const url of urls) {
      for (const [field, make] of [
        ["baseUrl", () => createDecartClient({ apiKey: "dct_fine", baseUrl: url })],
        ["proxy", () => createDecartClient({ proxy: url })],
        ["baseUrl", () => createTokenRoute({ authorize: () => true, apiKey: "dct_fine", baseUrl: url })],
      ] as const) {
        const error = thrown(make);
        expect(error, url).toBeInstanceOf(InvalidInputError);
        expect(error.field).toBe(field);
        for (const text of texts(error)) expect(text).not.toContain("pa55word");
      }
    }
    expect(api.arrived()).toBe(before);
    // A plain URL, with a path too, is still taken.
    expect(() => createDecartClient({ apiKey: "dct_fine", baseUrl: `${api.url}/base/` })).not.toThrow();
  });

  it("a key and a base URL that can be sent still reach the server", async () => {
    const before = api.arrived();
    const client = createDecartClient({ apiKey: "dct_fine key", baseUrl: api.url, logger: silent, maxRetries: 0 });
    await expect(client.queue.submit(t2v)).resolves.toMatchObject({ job_id: "j1" });
    expect(api.arrived()).toBe(before + 1);
    expect(api.seen.at(-1)).toMatchObject({ method: "POST", key: "dct_fine key" });
  });
});
