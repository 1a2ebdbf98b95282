import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthenticationError,
  createDecartClient,
  InvalidInputError,
  ModelRetiredError,
  models,
  PermissionDeniedError,
} from "../src/index.js";
import { createTokenRoute } from "../src/server.js";
import { fastPoll, silent, startFast } from "./helpers.js";

const KEY = "dct_route_s3cr3t_0123456789abcdef";
let emu: Emulator;
beforeAll(async () => {
  emu = await startFast({ keys: [KEY] });
});
afterAll(() => emu.close());

const post = (init: RequestInit = {}) => new Request("http://app.test/api/decart-token", { method: "POST", ...init });
const tokenRequests = () => emu.stats().requests.byRoute.tokens ?? 0;

describe("createTokenRoute", () => {
  it("answers POST with a short-lived token that works against the API, never cached", async () => {
    const route = createTokenRoute({ apiKey: KEY, baseUrl: emu.url, expiresIn: 120 });
    const response = await route(post());
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("content-type")).toBe("application/json");
    const body = await response.json();
    expect(Object.keys(body).sort()).toEqual(["apiKey", "expiresAt"]);
    expect(body.apiKey).toMatch(/^ek_/);
    const ttl = Date.parse(body.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(60_000);
    expect(ttl).toBeLessThanOrEqual(120_000);

    const browser = createDecartClient({ apiKey: body.apiKey, baseUrl: emu.url, logger: silent, poll: fastPoll });
    const done = await browser.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "A lake" });
    expect(done.status).toBe("completed");
  });

  it("mints tokens for the allowed models only", async () => {
    const route = createTokenRoute({ apiKey: KEY, baseUrl: emu.url, models: [models.video("lucy-pro-t2v")] });
    const { apiKey } = await (await route(post())).json();
    const browser = createDecartClient({ apiKey, baseUrl: emu.url, logger: silent, maxRetries: 0 });
    await expect(browser.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "ok" })).resolves.toBeTruthy();
    const refused = await browser.process({ model: models.image("lucy-pro-t2i"), prompt: "no" }).catch((e) => e);
    expect(refused).toBeInstanceOf(PermissionDeniedError);
    expect(refused.status).toBe(403);
  });

  it("mints tokens for the allowed origins only", async () => {
    const route = createTokenRoute({ apiKey: KEY, baseUrl: emu.url, allowedOrigins: ["https://app.test"] });
    const { apiKey } = await (await route(post())).json();
    // A page's requests carry its Origin (set by hand here, as a browser does).
    const read = (origin: string) =>
      fetch(`${emu.url}/v1/jobs/job_unknown`, { headers: { "x-api-key": apiKey, origin } }).then((r) => r.status);
    expect(await read("https://evil.test")).toBe(403);
    expect(await read("https://app.test")).toBe(404); // let through: the job does not exist
  });

  it("checks its options when it is created: unknown or retired models, limits of the spec", () => {
    const make = (options: Parameters<typeof createTokenRoute>[0]) => () =>
      createTokenRoute({ apiKey: KEY, baseUrl: emu.url, ...options });
    expect(make({ models: ["lucy-pro-t2v", "no-such-model" as never] })).toThrow(InvalidInputError);
    expect(make({ models: ["no-such-model" as never] })).toThrow(/models.*no-such-model/);
    expect(make({ models: [] })).toThrow(InvalidInputError);
    expect(make({ models: ["lucy-2.1-vton" as never] })).toThrow(ModelRetiredError);
    expect(make({ expiresIn: 0 })).toThrow(/expiresIn/);
    expect(make({ expiresIn: 3601 })).toThrow(/expiresIn/);
    expect(make({ expiresIn: 1.5 })).toThrow(InvalidInputError);
    expect(make({ allowedOrigins: Array.from({ length: 21 }, (_, i) => `https://a${i}.test`) })).toThrow(
      /allowedOrigins/,
    );
    expect(() => createTokenRoute({ apiKey: "", baseUrl: emu.url })).toThrow(/apiKey/);
    expect(make({ expiresIn: 3600, models: ["lucy-pro-t2v"] })).not.toThrow();
  });

  it("mints nothing when `authorize` says no (403), and passes it the request", async () => {
    const seen: string[] = [];
    const route = createTokenRoute({
      apiKey: KEY,
      baseUrl: emu.url,
      authorize: async (request) => {
        seen.push(request.headers.get("cookie") ?? "");
        return request.headers.get("cookie") === "session=ok";
      },
    });
    const before = tokenRequests();
    const refused = await route(post({ headers: { cookie: "session=stolen" } }));
    expect(refused.status).toBe(403);
    expect(refused.headers.get("cache-control")).toBe("no-store");
    expect(await refused.json()).toEqual({ error: expect.any(String) });
    expect(tokenRequests()).toBe(before);
    expect((await route(post({ headers: { cookie: "session=ok" } }))).status).toBe(200);
    expect(tokenRequests()).toBe(before + 1);
    expect(seen).toEqual(["session=stolen", "session=ok"]);
  });

  it("answers 405 with Allow: POST to other methods, and mints nothing", async () => {
    const route = createTokenRoute({ apiKey: KEY, baseUrl: emu.url });
    const before = tokenRequests();
    for (const method of ["GET", "PUT", "DELETE", "OPTIONS"]) {
      const response = await route(new Request("http://app.test/api/decart-token", { method }));
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("POST");
    }
    expect(tokenRequests()).toBe(before);
  });

  it("answers 502 when the API refuses or fails, without the key in the answer", async () => {
    // The emulator refuses a key it does not know.
    const logged: unknown[] = [];
    const wrong = createTokenRoute({
      apiKey: "dct_not_known_here_0123456789",
      baseUrl: emu.url,
      onError: (error) => logged.push(error),
    });
    const refused = await wrong(post());
    expect(refused.status).toBe(502);
    expect(await refused.json()).toEqual({ error: expect.any(String), code: "AUTHENTICATION", status: 401 });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toBeInstanceOf(AuthenticationError);

    // A server that quotes the key back in its error page.
    const echo = createServer((req, res) => {
      res.writeHead(500, { "content-type": "text/plain" }).end(`boom for key ${req.headers["x-api-key"]}`);
    });
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    try {
      const route = createTokenRoute({
        apiKey: KEY,
        baseUrl: `http://127.0.0.1:${(echo.address() as AddressInfo).port}`,
      });
      const failed = await route(post());
      expect(failed.status).toBe(502);
      expect(failed.headers.get("cache-control")).toBe("no-store");
      const text = await failed.text();
      expect(text).not.toContain(KEY);
      expect(JSON.parse(text)).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", status: 500 });
    } finally {
      echo.closeAllConnections();
      await new Promise((resolve) => echo.close(resolve));
    }
  });
});
