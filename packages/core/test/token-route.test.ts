import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthenticationError,
  createDecartClient,
  DecartError,
  fetchTokenFrom,
  InvalidInputError,
  InvalidResponseError,
  ModelRetiredError,
  models,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
} from "../src/index.js";
import type { VideoModel } from "../src/models.js";
import { createTokenRoute, type TokenRouteOptions } from "../src/server.js";
import { drain, fastPoll, instantDelay, json, serve, silent, startFast } from "./helpers.js";

const KEY = "dct_route_s3cr3t_0123456789abcdef";
let emu: Emulator;
beforeAll(async () => {
  emu = await startFast({ keys: [KEY] });
});
afterAll(() => emu.close());

const post = (init: RequestInit = {}) => new Request("http://app.test/api/decart-token", { method: "POST", ...init });
const tokenRequests = () => emu.stats().requests.byRoute.tokens ?? 0;

describe("createTokenRoute", () => {
  it("refuses a browser's POST from another origin (a simple request needs no preflight) unless allowedOrigins lists it", async () => {
    const allowed = "https://partner.example";
    const routes = [
      createTokenRoute({ authorize: () => true, apiKey: KEY, baseUrl: emu.url }),
      createTokenRoute({ authorize: () => true, apiKey: KEY, baseUrl: emu.url, allowedOrigins: [allowed] }),
    ];
    // The route behind a node:http server, as a framework serves it: the request as it came, headers and all.
    const app = createServer(async (req, res) => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) headers.set(name, String(value));
      const route = routes[req.url === "/listed" ? 1 : 0]!;
      const answer = await route(new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers }));
      res.writeHead(answer.status, Object.fromEntries(answer.headers)).end(await answer.text());
    });
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    const own = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    const ask = (path: string, headers: Record<string, string>) =>
      fetch(own + path, { method: "POST", headers }).then((r) => r.status);
    try {
      const before = tokenRequests();
      // Refused: another site's page, by Sec-Fetch-Site or (a browser without it) by Origin; a sibling subdomain
      // (same-site); a sandboxed page's `null`; a form's POST (a simple content type).
      expect(await ask("/", { origin: "https://evil.example", "sec-fetch-site": "cross-site" })).toBe(403);
      expect(await ask("/", { origin: "https://evil.example" })).toBe(403);
      expect(await ask("/", { origin: "https://a.127.0.0.1", "sec-fetch-site": "same-site" })).toBe(403);
      expect(await ask("/", { origin: "null" })).toBe(403);
      expect(
        await ask("/", {
          origin: "https://evil.example",
          "sec-fetch-site": "cross-site",
          "content-type": "application/x-www-form-urlencoded",
        }),
      ).toBe(403);
      // Listed in another route's allowedOrigins is no leave for this one; nor is an origin not listed for that one.
      expect(await ask("/", { origin: allowed, "sec-fetch-site": "cross-site" })).toBe(403);
      expect(await ask("/listed", { origin: "https://evil.example", "sec-fetch-site": "cross-site" })).toBe(403);
      expect(tokenRequests()).toBe(before);
      // Answered: its own pages (by Sec-Fetch-Site, or by Origin against the route's host), a listed origin, and a
      // request of no page (a server's: neither header).
      expect(await ask("/", { origin: own, "sec-fetch-site": "same-origin" })).toBe(200);
      expect(await ask("/", { origin: own })).toBe(200);
      expect(await ask("/listed", { origin: allowed, "sec-fetch-site": "cross-site" })).toBe(200);
      expect(await ask("/", {})).toBe(200);
      expect(tokenRequests()).toBe(before + 4);
    } finally {
      app.closeAllConnections();
      await new Promise((resolve) => app.close(resolve));
    }
  });

  it("knows its own page without Sec-Fetch-Site (a plain-http origin, an older browser) behind a proxy by its forwarded host", async () => {
    const route = createTokenRoute({ authorize: () => true, apiKey: KEY, baseUrl: emu.url });
    // The route behind a node:http server, as a framework serves it: the request as it came, its URL the upstream's.
    const app = createServer(async (req, res) => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) headers.set(name, String(value));
      const answer = await route(new Request(`http://127.0.0.1:3000${req.url}`, { method: req.method, headers }));
      res.writeHead(answer.status).end(await answer.text());
    });
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    const { port } = app.address() as AddressInfo;
    // node:http's request, which sends the Host given (fetch sets its own).
    const ask = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) =>
        request({ port, host: "127.0.0.1", method: "POST", path: "/api/decart-token", headers }, (res) => {
          res.resume().on("end", () => resolve(res.statusCode!));
        })
          .on("error", reject)
          .end(),
      );
    const upstream = { host: "127.0.0.1:3000" };
    try {
      const before = tokenRequests();
      // Its own page, seen through a proxy: a default port, a chain's list, `Forwarded`, a Host in upper case.
      const own: Record<string, string>[] = [
        { origin: "http://intranet.corp", ...upstream, "x-forwarded-host": "intranet.corp:80" },
        { origin: "https://intranet.corp", ...upstream, "x-forwarded-host": "intranet.corp:443" },
        { origin: "http://intranet.corp:42031", ...upstream, "x-forwarded-host": "intranet.corp:42031, edge.internal" },
        { origin: "http://intranet.corp", ...upstream, forwarded: 'for=10.0.0.1;host="intranet.corp:80";proto=http' },
        {
          origin: "http://intranet.corp",
          ...upstream,
          forwarded: "for=10.0.0.1, host=edge.internal",
          "x-forwarded-host": "intranet.corp",
        },
        { origin: "http://intranet.corp", host: "Intranet.Corp:80" },
        // The scheme the proxy says the route was reached by, the page's: X-Forwarded-Proto (the first of a list, in any
        // case), Forwarded's proto=.
        {
          origin: "https://intranet.corp",
          ...upstream,
          "x-forwarded-host": "intranet.corp",
          "x-forwarded-proto": "https",
        },
        {
          origin: "https://intranet.corp",
          ...upstream,
          "x-forwarded-host": "intranet.corp",
          "x-forwarded-proto": "HTTPS, http",
        },
        { origin: "https://intranet.corp", ...upstream, forwarded: "host=intranet.corp;proto=https" },
        {
          origin: "http://intranet.corp",
          ...upstream,
          "x-forwarded-host": "intranet.corp:80",
          "x-forwarded-proto": "http",
        },
        // An https page through a proxy that ends TLS and says nothing of it (nginx's `Host $host`, no
        // X-Forwarded-Proto), or passes on its own hop's scheme: the route looks http, the page is its own (a browser
        // lets no https page call a plain-http route).
        { origin: "https://intranet.corp", host: "intranet.corp" },
        {
          origin: "https://intranet.corp",
          ...upstream,
          "x-forwarded-host": "intranet.corp",
          "x-forwarded-proto": "http",
        },
      ];
      for (const headers of own) expect(await ask(headers), JSON.stringify(headers)).toBe(200);
      expect(tokenRequests()).toBe(before + own.length);
      // Still refused: another host, a default port of the other scheme, a host only in a chain's later entries,
      // another port, a `null` origin, and a proxy that gives no forwarded host (the route cannot know its own).
      const foreign: Record<string, string>[] = [
        { origin: "http://evil.example", ...upstream, "x-forwarded-host": "intranet.corp" },
        { origin: "http://intranet.corp", ...upstream, "x-forwarded-host": "intranet.corp:443" },
        { origin: "https://intranet.corp", ...upstream, "x-forwarded-host": "intranet.corp:80" },
        { origin: "http://intranet.corp", ...upstream, "x-forwarded-host": "edge.internal, intranet.corp" },
        { origin: "http://intranet.corp", ...upstream, forwarded: "for=10.0.0.1, host=intranet.corp" },
        { origin: "http://intranet.corp:8080", ...upstream, "x-forwarded-host": "intranet.corp" },
        { origin: "null", ...upstream, "x-forwarded-host": "intranet.corp" },
        { origin: "http://intranet.corp", ...upstream },
        // The host's plain-http page (which anyone on its network can rewrite) posting to the https:// route, by
        // X-Forwarded-Proto or Forwarded's proto= (which comes first).
        {
          origin: "http://intranet.corp",
          ...upstream,
          "x-forwarded-host": "intranet.corp",
          "x-forwarded-proto": "https",
        },
        { origin: "http://intranet.corp", ...upstream, forwarded: "host=intranet.corp;proto=https" },
        {
          origin: "http://intranet.corp",
          ...upstream,
          forwarded: "proto=https;host=intranet.corp",
          "x-forwarded-proto": "http",
        },
      ];
      for (const headers of foreign) expect(await ask(headers), JSON.stringify(headers)).toBe(403);
      expect(tokenRequests()).toBe(before + own.length);
    } finally {
      app.closeAllConnections();
      await new Promise((resolve) => app.close(resolve));
    }
  });

  it("knows its own page's scheme without Sec-Fetch-Site and no proxy by the request URL's: the host's plain-http page is refused by the https route", async () => {
    const route = createTokenRoute({ authorize: () => true, apiKey: KEY, baseUrl: emu.url });
    const ask = (url: string, origin: string) =>
      route(new Request(url, { method: "POST", headers: { origin } })).then((r) => r.status);
    const before = tokenRequests();
    expect(await ask("https://app.test/api/decart-token", "http://app.test")).toBe(403);
    expect(tokenRequests()).toBe(before);
    expect(await ask("https://app.test/api/decart-token", "https://app.test")).toBe(200);
    expect(await ask("http://app.test/api/decart-token", "http://app.test")).toBe(200);
    // An https page to a route that looks http: behind a proxy that ends TLS (a browser lets no https page call a
    // plain-http route).
    expect(await ask("http://app.test/api/decart-token", "https://app.test")).toBe(200);
    expect(tokenRequests()).toBe(before + 3);
  });

  it("answers POST with a short-lived token that works against the API, never cached", async () => {
    const route = createTokenRoute({ authorize: () => true, apiKey: KEY, baseUrl: emu.url, expiresIn: 120 });
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
    const route = createTokenRoute({
      authorize: () => true,
      apiKey: KEY,
      baseUrl: emu.url,
      models: [models.video("lucy-pro-t2v")],
    });
    const { apiKey } = await (await route(post())).json();
    const browser = createDecartClient({ apiKey, baseUrl: emu.url, logger: silent, maxRetries: 0 });
    await expect(browser.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "ok" })).resolves.toBeTruthy();
    const refused = await browser.process({ model: models.image("lucy-pro-t2i"), prompt: "no" }).catch((e) => e);
    expect(refused).toBeInstanceOf(PermissionDeniedError);
    expect(refused.status).toBe(403);
  });

  it("asks a token for a model definition of one's own by its name, for the API to check; an unknown name still throws", async () => {
    const next: VideoModel<"lucy-next"> = {
      ...models.video("lucy-pro-t2v"),
      name: "lucy-next",
      canonical: "lucy-next",
    };
    const bodies: unknown[] = [];
    const api = await serve((_req, res, body) => {
      bodies.push(JSON.parse(body.toString()));
      const expiresAt = new Date(Date.now() + 60_000).toISOString();
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ apiKey: "ek_1", expiresAt }));
    });
    try {
      const route = createTokenRoute({
        authorize: () => true,
        apiKey: KEY,
        baseUrl: api.url,
        models: [next, "lucy-pro-t2i"],
      });
      expect((await route(post())).status).toBe(200);
      expect(bodies).toEqual([{ allowedModels: ["lucy-next", "lucy-pro-t2i"] }]);
      expect(() =>
        createTokenRoute({ authorize: () => true, apiKey: KEY, baseUrl: api.url, models: ["lucy-next" as never] }),
      ).toThrow(/models.*lucy-next/);
      // A definition named as a retired model, or with no name, is refused as the route is made, as a bare name is.
      const retired = { ...next, name: "lucy-fast-v2v", canonical: "lucy-fast-v2v" } as VideoModel<string>;
      expect(() =>
        createTokenRoute({ authorize: () => true, apiKey: KEY, baseUrl: api.url, models: [retired] }),
      ).toThrow(expect.objectContaining({ name: "ModelRetiredError", replacement: "lucy-clip" }));
      const nameless = { ...next, name: "", canonical: "" } as VideoModel<string>;
      expect(() =>
        createTokenRoute({ authorize: () => true, apiKey: KEY, baseUrl: api.url, models: [nameless] }),
      ).toThrow(/models/);
      expect(bodies).toHaveLength(1);
    } finally {
      await api.close();
    }
  });

  it("mints tokens for the allowed origins only", async () => {
    const route = createTokenRoute({
      authorize: () => true,
      apiKey: KEY,
      baseUrl: emu.url,
      allowedOrigins: ["https://app.test"],
    });
    const { apiKey } = await (await route(post())).json();
    // A page's requests carry its Origin (set by hand here, as a browser does).
    const read = (origin: string) =>
      fetch(`${emu.url}/v1/jobs/job_unknown`, { headers: { "x-api-key": apiKey, origin } }).then((r) => r.status);
    expect(await read("https://evil.test")).toBe(403);
    expect(await read("https://app.test")).toBe(404); // let through: the job does not exist
  });

  it("checks its options when it is created: unknown or retired models, limits of the spec", () => {
    const make = (options: Partial<TokenRouteOptions>) => () =>
      createTokenRoute({ authorize: () => true, apiKey: KEY, baseUrl: emu.url, ...options });
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
    expect(() => createTokenRoute({ authorize: () => true, apiKey: "", baseUrl: emu.url })).toThrow(
      'createTokenRoute: "apiKey" must be given (or set DECART_API_KEY)',
    );
    expect(() => createTokenRoute({ authorize: () => true, apiKey: "dct_a\nb", baseUrl: emu.url })).toThrow(
      /^createTokenRoute: "apiKey" must be a key of printable ASCII$/,
    );
    expect(make({ expiresIn: 3600, models: ["lucy-pro-t2v"] })).not.toThrow();
  });

  it("checks every option when it is created, against the request schema: nothing is left to fail per request", () => {
    const cases: [string, Record<string, unknown>][] = [
      ["expiresIn", { expiresIn: Number.NaN }],
      ["expiresIn", { expiresIn: Number.POSITIVE_INFINITY }],
      ["expiresIn", { expiresIn: "60" }],
      ["models", { models: "lucy-pro-t2v" }],
      ["models", { models: Array.from({ length: 21 }, () => "lucy-pro-t2v") }],
      ["allowedOrigins", { allowedOrigins: "https://app.test" }],
      ["allowedOrigins[0]", { allowedOrigins: ["*"] }],
      ["allowedOrigins[1]", { allowedOrigins: ["https://app.test", "not a url"] }],
      ["allowedOrigins[0]", { allowedOrigins: ["https://app.test/page"] }],
      ["allowedOrigins[0]", { allowedOrigins: ["ftp://app.test"] }],
      ["authorize", { authorize: true }],
      ["onError", { onError: 5 }],
      ["fetch", { fetch: "fetch" }],
      ["timeoutMs", { timeoutMs: Number.NaN }],
      ["expiresin", { expiresin: 60 }],
      // Checked by the client the route makes: said as the route's all the same.
      ["apiKey", { apiKey: "" }],
      ["apiKey", { apiKey: "dct_x\ny" }],
      ["baseUrl", { baseUrl: "ftp://api.test" }],
      ["baseUrl", { baseUrl: "https://user:pw@api.test" }],
    ];
    for (const [field, options] of cases) {
      const error = (() => {
        try {
          createTokenRoute({ authorize: () => true, apiKey: KEY, baseUrl: emu.url, ...options } as never);
        } catch (e) {
          return e;
        }
      })() as InvalidInputError;
      expect(error, field).toBeInstanceOf(InvalidInputError);
      expect(error.field, JSON.stringify(options)).toBe(field);
      // Every message says where it comes from.
      expect(error.message, field).toMatch(
        new RegExp(`^createTokenRoute: "${field.replace(/[[\]]/g, "\\$&")}" must be `),
      );
      expect(error.message).not.toContain(KEY);
    }
  });

  it("mints a token for full origins (a port too)", async () => {
    const route = createTokenRoute({
      authorize: () => true,
      apiKey: KEY,
      baseUrl: emu.url,
      allowedOrigins: ["https://app.test", "http://localhost:3000"],
    });
    expect((await route(post())).status).toBe(200);
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

  it("answers 405 with Allow: OPTIONS, POST to other methods, and mints nothing", async () => {
    const route = createTokenRoute({ authorize: () => true, apiKey: KEY, baseUrl: emu.url });
    const before = tokenRequests();
    for (const method of ["GET", "HEAD", "PUT", "DELETE", "PATCH"]) {
      const response = await route(new Request("http://app.test/api/decart-token", { method }));
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("OPTIONS, POST");
    }
    expect(tokenRequests()).toBe(before);
  });

  it("answers OPTIONS (a preflight too) over HTTP with 204 and Allow, granting no CORS, asking authorize nothing, minting nothing", async () => {
    let asked = 0;
    const route = createTokenRoute({ apiKey: KEY, baseUrl: emu.url, authorize: () => ++asked > 0 });
    // The route behind a node:http server, as a framework would serve it.
    const server = createServer(async (req, res) => {
      const answer = await route(
        new Request(`http://127.0.0.1${req.url}`, {
          method: req.method,
          headers: req.headers as Record<string, string>,
        }),
      );
      res.writeHead(answer.status, Object.fromEntries(answer.headers)).end(Buffer.from(await answer.arrayBuffer()));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/decart-token`;
    const before = tokenRequests();
    try {
      for (const headers of <Record<string, string>[]>[
        {},
        // A browser's preflight from a page of another origin.
        { origin: "https://elsewhere.test", "access-control-request-method": "POST" },
        {
          origin: "https://elsewhere.test",
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type",
        },
      ]) {
        const response = await fetch(url, { method: "OPTIONS", headers });
        expect(response.status).toBe(204);
        expect(response.headers.get("allow")).toBe("OPTIONS, POST");
        expect(await response.text()).toBe("");
        for (const name of response.headers.keys()) expect(name).not.toMatch(/^access-control-/);
      }
      expect(asked).toBe(0);
      expect(tokenRequests()).toBe(before);
      // The route still works for its own pages.
      expect((await fetch(url, { method: "POST" })).status).toBe(200);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("answers 502 when the API refuses or fails, without the key in the answer", async () => {
    // The emulator refuses a key it does not know.
    const logged: unknown[] = [];
    const wrong = createTokenRoute({
      authorize: () => true,
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
        authorize: () => true,
        apiKey: KEY,
        baseUrl: `http://127.0.0.1:${(echo.address() as AddressInfo).port}`,
      });
      const failed = await route(post());
      expect(failed.status).toBe(502);
      expect(failed.headers.get("cache-control")).toBe("no-store");
      const text = await failed.text();
      expect(text).not.toContain(KEY);
      // (A token request is retried as a read is: a 500 is the API's error, never "a token may have been made".)
      expect(JSON.parse(text)).toMatchObject({ code: "SERVER", status: 500 });
    } finally {
      echo.closeAllConnections();
      await new Promise((resolve) => echo.close(resolve));
    }
  });

  it("clears from onError's error the key echoed in any letter case, percent-encoded (any of its characters), or in base64 anywhere", async () => {
    // A key whose base64 has `+` and `/` (base64url differs), and characters percent-encoding changes.
    const key = "dct_S3cr3t~~~?>?>_0123456789 x!";
    const b64 = (text: string) => Buffer.from(text).toString("base64");
    const form = (k: string) => new URLSearchParams({ k }).toString().slice(2);
    const echoes = [
      (k: string) => k.toUpperCase(),
      (k: string) => k.toLowerCase(),
      (k: string) => encodeURIComponent(k),
      (k: string) => encodeURIComponent(k).toLowerCase(),
      // As a query string or a form body writes it (`~` as %7E, `!` as %21, a space as +), as escape() does.
      form,
      (k: string) => escape(k),
      (k: string) => b64(k),
      (k: string) => b64(k).replace(/\+/g, "-").replace(/\//g, "_"),
      // Inside a longer base64 text, at each offset.
      (k: string) => b64(`key=${k}`),
      (k: string) => b64(`a ${k} b`),
      (k: string) => b64(`x${k}`),
    ];
    // The texts an echo must not leave: the key's forms, less at most two characters at either end.
    const inner = [key.slice(2, -2).toUpperCase(), encodeURIComponent(key.slice(2, -2)), form(key.slice(2, -2))];
    for (let skip = 0; skip < 3; skip++) {
      const b = b64(key.slice(skip, key.length - ((key.length - skip) % 3))).slice(4, -4);
      inner.push(b, b.replace(/\+/g, "-").replace(/\//g, "_"));
    }
    const upstream = await serve((req, res) => {
      const echo = echoes[(upstream.arrived() - 1) % echoes.length]!(String(req.headers["x-api-key"]));
      // An error page, and a 200 that is no token.
      if (upstream.arrived() <= echoes.length) res.writeHead(500, { "content-type": "text/plain" }).end(`key ${echo}`);
      else res.writeHead(200, { "content-type": "text/html" }).end(`<p>key ${echo}</p>`);
    });
    try {
      const logged: DecartError[] = [];
      const route = createTokenRoute({
        authorize: () => true,
        apiKey: key,
        baseUrl: upstream.url,
        onError: (e) => logged.push(e),
      });
      for (let i = 0; i < 2 * echoes.length; i++) expect((await route(post())).status).toBe(502);
      expect(logged).toHaveLength(2 * echoes.length);
      for (const [i, error] of logged.entries()) {
        const texts = [error.message, error.stack, inspect(error)];
        // The echo is in what the API said: the client's error.
        expect(error.message, `echo ${i}`).toContain("[redacted]");
        for (const text of texts)
          for (const form of inner) expect(text?.toUpperCase(), `echo ${i}`).not.toContain(form.toUpperCase());
      }
      expect(logged[echoes.length]).toBeInstanceOf(InvalidResponseError);
    } finally {
      await upstream.close();
    }
  });

  it("takes a key under 8 characters (a test's `k`) for no secret: its letter is not cut out of onError's words, nor a token holding it refused", async () => {
    // An API that fails the first request with words holding the letter, then answers a token holding it.
    const expiresAt = new Date(Date.now() + 600_000).toISOString();
    const upstream = await serve((_req, res) => {
      if (upstream.arrived() === 1) json(res, 500, { detail: "kiosk bookkeeping" });
      else json(res, 200, { apiKey: "ek_kiosk", expiresAt });
    });
    try {
      const logged: DecartError[] = [];
      const route = createTokenRoute({
        authorize: () => true,
        apiKey: "k",
        baseUrl: upstream.url,
        onError: (e) => logged.push(e),
      });
      expect((await route(post())).status).toBe(502);
      expect(logged.map((e) => e.message)).toEqual(["kiosk bookkeeping (HTTP 500, request req_test)"]);
      expect(await (await route(post())).json()).toEqual({ apiKey: "ek_kiosk", expiresAt });
    } finally {
      await upstream.close();
    }
  });

  it("clears the key's secret echoed without its dct_ prefix or under another, and hands on no token holding it", async () => {
    const secret = KEY.slice(4);
    const b64 = (text: string) => Buffer.from(text).toString("base64");
    const echoes = [
      `ek_${secret}`,
      secret.toUpperCase(),
      `EK_${secret.toUpperCase()}`,
      encodeURIComponent(secret),
      b64(secret),
    ];
    const upstream = await serve((_req, res) => {
      const n = upstream.arrived();
      // An error page that quotes the secret, then a token whose key holds it.
      if (n <= echoes.length) res.writeHead(500, { "content-type": "text/plain" }).end(`bad key ${echoes[n - 1]}`);
      else
        json(res, 200, {
          apiKey: echoes[n - 1 - echoes.length],
          expiresAt: new Date(Date.now() + 60_000).toISOString(),
        });
    });
    try {
      const logged: DecartError[] = [];
      const route = createTokenRoute({
        authorize: () => true,
        apiKey: KEY,
        baseUrl: upstream.url,
        onError: (e) => logged.push(e),
      });
      for (let i = 0; i < 2 * echoes.length; i++) expect((await route(post())).status, `echo ${i}`).toBe(502);
      for (const [i, error] of logged.entries()) {
        expect(error.code, `echo ${i}`).toBe(i < echoes.length ? "SERVER" : "INVALID_RESPONSE");
        for (const text of [error.message, error.stack, inspect(error)])
          for (const form of [secret, b64(secret).slice(4, -4)])
            expect(text?.toUpperCase(), `echo ${i}`).not.toContain(form.toUpperCase());
      }
    } finally {
      await upstream.close();
    }
  });

  it("clears the key from onError's error's requestId, as an upstream's x-request-id echoes it", async () => {
    const echoes = [(k: string) => k, (k: string) => k.toUpperCase(), (k: string) => Buffer.from(k).toString("base64")];
    const upstream = await serve((req, res) => {
      const echo = echoes[(upstream.arrived() - 1) % echoes.length]!(String(req.headers["x-api-key"]));
      res.writeHead(500, { "x-request-id": `r-${echo}` }).end("oops");
    });
    try {
      const logged: DecartError[] = [];
      const route = createTokenRoute({
        authorize: () => true,
        apiKey: KEY,
        baseUrl: upstream.url,
        onError: (e) => logged.push(e),
      });
      for (let i = 0; i < echoes.length; i++) expect((await route(post())).status).toBe(502);
      expect(logged.map((e) => [e.code, e.requestId])).toEqual(Array(3).fill(["SERVER", "r-[redacted]"]));
      for (const error of logged) expect(inspect(error, { depth: 9 }).toUpperCase()).not.toContain(KEY.toUpperCase());
    } finally {
      await upstream.close();
    }
  });

  it("clears the key from onError's error's issues (a 422 of the API that echoes it in another form)", async () => {
    const b64 = Buffer.from(KEY).toString("base64");
    const upstream = await serve((req, res) => {
      const upper = String(req.headers["x-api-key"]).toUpperCase();
      json(res, 422, { detail: [{ loc: ["body", upper], msg: `bad ${b64}`, type: "x", input: { key: upper } }] });
    });
    try {
      const logged: DecartError[] = [];
      const route = createTokenRoute({
        authorize: () => true,
        apiKey: KEY,
        baseUrl: upstream.url,
        onError: (e) => logged.push(e),
      });
      expect((await route(post())).status).toBe(502);
      expect(logged[0]).toMatchObject({
        code: "VALIDATION",
        // (The echoed `input` is not kept at all.)
        issues: [{ loc: ["body", "[redacted]"], msg: "bad [redacted]", type: "x" }],
      });
      const text = inspect(logged[0], { depth: 9 });
      for (const form of [KEY.toUpperCase(), b64]) expect(text.toUpperCase()).not.toContain(form.toUpperCase());
    } finally {
      await upstream.close();
    }
  });

  it("answers 500 JSON and mints nothing when `authorize` throws, and gives the error to onError", async () => {
    const logged: DecartError[] = [];
    const before = tokenRequests();
    for (const authorize of [
      () => {
        throw new Error("session store down");
      },
      async () => Promise.reject(new Error("session store down")),
    ]) {
      const route = createTokenRoute({ apiKey: KEY, baseUrl: emu.url, authorize, onError: (e) => logged.push(e) });
      const response = await route(post());
      expect(response.status).toBe(500);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(await response.json()).toEqual({ error: expect.any(String), code: "AUTHORIZE_FAILED" });
    }
    expect(tokenRequests()).toBe(before);
    expect(logged).toHaveLength(2);
    for (const error of logged) {
      expect(error).toBeInstanceOf(DecartError);
      expect((error.cause as Error).message).toBe("session store down");
    }
  });

  it("grants only on `true`: an `authorize` answering a string, object, number or nothing gets 500, mints nothing", async () => {
    const before = tokenRequests();
    for (const answer of ["false", "yes", {}, 1, undefined, null, new Response("ok")]) {
      const logged: DecartError[] = [];
      const route = createTokenRoute({
        apiKey: KEY,
        baseUrl: emu.url,
        authorize: (() => answer) as never,
        onError: (e) => logged.push(e),
      });
      const response = await route(post());
      expect(response.status, String(answer)).toBe(500);
      expect(await response.json()).toMatchObject({ code: "INVALID_INPUT" });
      expect(logged[0]).toBeInstanceOf(InvalidInputError);
      expect(logged[0]!.message).toMatch(/authorize.*true or false/);
    }
    expect(tokenRequests()).toBe(before);
  });

  it("answers 500 JSON naming the mistake when given a framework's context instead of a Request", async () => {
    const logged: DecartError[] = [];
    const route = createTokenRoute({
      authorize: () => true,
      apiKey: KEY,
      baseUrl: emu.url,
      onError: (e) => logged.push(e),
    });
    const before = tokenRequests();
    // Hono's `c` (its Request is `c.req.raw`), and nothing at all.
    for (const notARequest of [{ req: { raw: post(), method: "POST" } }, undefined]) {
      const response = await route(notARequest as never);
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({ code: "INVALID_INPUT" });
    }
    expect(logged.map((e) => e.message)).toEqual([expect.stringMatching(/c\.req\.raw/), expect.any(String)]);
    expect(tokenRequests()).toBe(before);
  });

  it("answers 500 JSON, never a rejection, when reading the request throws (a Proxy, a getter, a bare prototype)", async () => {
    const logged: DecartError[] = [];
    const route = createTokenRoute({
      authorize: () => true,
      apiKey: KEY,
      baseUrl: emu.url,
      onError: (e) => logged.push(e),
    });
    const before = tokenRequests();
    const throwing = new Error("reading it fails");
    const requests = [
      Object.create(Request.prototype),
      new Proxy(
        {},
        {
          get() {
            throw throwing;
          },
        },
      ),
      {
        get method() {
          throw throwing;
        },
        headers: new Headers(),
      },
      // Looks like a POST until its signal is read.
      {
        method: "POST",
        headers: new Headers(),
        get signal() {
          throw throwing;
        },
      },
    ];
    for (const [i, request] of requests.entries()) {
      const response = await route(request as never);
      expect(response.status, `request ${i}`).toBe(500);
      expect(response.headers.get("content-type")).toBe("application/json");
      expect(await response.json()).toMatchObject({ code: "INVALID_INPUT" });
    }
    expect(logged).toHaveLength(requests.length);
    for (const error of logged) {
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.message).toMatch(/^createTokenRoute: "request" must be a Fetch API Request .*reading it threw/);
      expect(error.cause).toBeInstanceOf(Error);
    }
    expect(logged.slice(1).map((e) => e.cause)).toEqual([throwing, throwing, throwing]);
    expect(tokenRequests()).toBe(before);
  });

  it("answers 502 after timeoutMs when the API never answers", async () => {
    const silent = createServer(() => {}); // takes the request, never answers
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const route = createTokenRoute({
        authorize: () => true,
        apiKey: KEY,
        baseUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
        timeoutMs: 200,
      });
      const response = await route(post());
      expect(response.status).toBe(502);
      // The client's timeout, as for a read (a token request is safe to repeat: the page may ask again).
      expect(await response.json()).toMatchObject({ code: "TIMEOUT" });
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
    expect(() => createTokenRoute({ authorize: () => true, apiKey: KEY, baseUrl: emu.url, timeoutMs: -1 })).toThrow(
      InvalidInputError,
    );
  });

  it("still answers its JSON 502 when onError throws", async () => {
    const route = createTokenRoute({
      authorize: () => true,
      apiKey: "dct_not_known_here_0123456789",
      baseUrl: emu.url,
      onError: () => {
        throw new Error("logger down");
      },
    });
    const response = await route(post());
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ code: "AUTHENTICATION", status: 401 });
  });

  it("answers 502 to an API that answers its own key (not a dct_ one) back as the client key, or inside it, in any form onError's redaction knows", async () => {
    const own = "emu_custom_key_S3CRET_0123456789";
    const b64 = (text: string) => Buffer.from(text).toString("base64");
    const answers = [
      (key: string) => key,
      (key: string) => `ek_${key}`,
      (key: string) => `${key} `,
      // The forms onError's redaction clears: any letter case, base64 (at any offset) or base64url.
      (key: string) => `ek_${key.toUpperCase()}`,
      (key: string) => `ek_${key.toLowerCase()}`,
      (key: string) => `ek_${b64(key)}`,
      (key: string) => `ek_${b64(`x=${key}`).replace(/\+/g, "-").replace(/\//g, "_")}`,
    ];
    const upstream = await serve((req, res) => {
      const apiKey = answers[(upstream.arrived() - 1) % answers.length]!(String(req.headers["x-api-key"]));
      json(res, 200, { apiKey, expiresAt: new Date(Date.now() + 600_000).toISOString() });
    });
    const saved = process.env.DECART_API_KEY;
    try {
      const logged: DecartError[] = [];
      const given = createTokenRoute({
        authorize: () => true,
        apiKey: own,
        baseUrl: upstream.url,
        onError: (e) => logged.push(e),
      });
      // The key from DECART_API_KEY (trimmed, as the client reads it) is the route's own too.
      process.env.DECART_API_KEY = ` ${own}\n`;
      const fromEnv = createTokenRoute({
        authorize: () => true,
        baseUrl: upstream.url,
        onError: (e) => logged.push(e),
      });
      for (const route of [given, fromEnv]) {
        for (let i = 0; i < answers.length; i++) {
          const response = await route(post());
          expect(response.status, `answer ${i}`).toBe(502);
          const text = await response.text();
          expect(text).not.toContain("S3CRET");
          expect(JSON.parse(text)).toMatchObject({ code: "INVALID_RESPONSE" });
        }
      }
      expect(upstream.seen.map((r) => r.key)).toEqual(Array(2 * answers.length).fill(own));
      expect(logged).toHaveLength(2 * answers.length);
      for (const error of logged) {
        expect(error).toBeInstanceOf(InvalidResponseError);
        expect(error.message).not.toContain("S3CRET");
      }
    } finally {
      if (saved === undefined) delete process.env.DECART_API_KEY;
      else process.env.DECART_API_KEY = saved;
      await upstream.close();
    }
  });

  it("hands on only an answer of the spec's CreateTokenResponse whose expiry is to come: else 502 naming the field", async () => {
    const later = new Date(Date.now() + 600_000);
    const at = later.toISOString();
    // Each answer, and the field its error names (undefined: handed on). One that breaks the spec's schema is refused by
    // the client's own check of the answer: the route's error is the client's, which names the field.
    const answers: [Record<string, unknown>, string | undefined][] = [
      [{ apiKey: "ek_ok", expiresAt: at, token: "t", permissions: null, constraints: null, extra: 1 }, undefined],
      [{ apiKey: "ek_ok", expiresAt: at, permissions: { models: ["lucy-pro-t2v"], origins: [] } }, undefined],
      // Another offset, and a fraction of a second: RFC 3339 all the same.
      [{ apiKey: "ek_ok", expiresAt: `${at.slice(0, 19).replace("T", "t")}.123456-00:00` }, undefined],
      [{ apiKey: "ek_past", expiresAt: "1970-01-01T00:00:00Z" }, "expiresAt"],
      [{ apiKey: "ek_zero", expiresAt: "0" }, "expiresAt"],
      [{ apiKey: "ek_day", expiresAt: "2999-01-01" }, "expiresAt"],
      [{ apiKey: "ek_number", expiresAt: later.getTime() }, "expiresAt"],
      [{ apiKey: "ek_month13", expiresAt: "2999-13-01T00:00:00Z" }, "expiresAt"],
      [{ apiKey: "ek_x\r\nSet-Cookie: a=b", expiresAt: at }, "apiKey"],
      [{ expiresAt: at }, "apiKey"],
      [{ apiKey: "ek_token", expiresAt: at, token: 5 }, "token"],
      [{ apiKey: "ek_perm", expiresAt: at, permissions: "all" }, "permissions"],
      [{ apiKey: "ek_models", expiresAt: at, permissions: { models: "lucy-pro-t2v" } }, "permissions.models"],
      [{ apiKey: "ek_constraints", expiresAt: at, constraints: [] }, "constraints"],
      // Not an object at all: the answer itself ("it").
      [["ek_array", at] as never, ""],
    ];
    const upstream = await serve((_req, res) => json(res, 200, answers[upstream.arrived() - 1]![0]));
    try {
      const logged: DecartError[] = [];
      const route = createTokenRoute({
        authorize: () => true,
        apiKey: KEY,
        baseUrl: upstream.url,
        onError: (e) => logged.push(e),
      });
      for (const [answer, field] of answers) {
        const response = await route(post());
        const body = await response.json();
        if (field === undefined) {
          expect(response.status, JSON.stringify(answer)).toBe(200);
          expect(body).toEqual({ apiKey: answer.apiKey, expiresAt: answer.expiresAt });
          continue;
        }
        expect(response.status, JSON.stringify(answer)).toBe(502);
        expect(body).toMatchObject({ error: expect.any(String), code: "INVALID_RESPONSE" });
        const error = logged.shift()!;
        expect(error).toBeInstanceOf(InvalidResponseError);
        // (The array, and the answer without apiKey, have none.)
        const schema = !answer.apiKey || /^ek_(number|token|perm|models|constraints)$/.test(answer.apiKey as string);
        expect(body.status, JSON.stringify(answer)).toBe(schema ? 200 : undefined);
        if (schema) {
          expect(error.message).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/v1\/client\/tokens: /);
          expect(error.message).toMatch(field ? `"${field}" must be` : "not an object");
          expect(error.message).toContain("(HTTP 200");
          continue;
        }
        expect(error.message).toMatch(
          new RegExp(
            `^createTokenRoute: the API's answer is not a valid client token: ${field ? `"${field}"` : "it"} must be`,
          ),
        );
      }
      expect(logged).toEqual([]);
    } finally {
      await upstream.close();
    }
  });

  // A token request is retried as a read is (a token made twice expires, and nothing is billed for it): its failures
  // are the client's errors as they are, never "a job (or file) may exist", nor SUBMIT_OUTCOME_UNKNOWN.
  it("answers 502 with the client's error: an answer that is no token is INVALID_RESPONSE, a 5xx the API's error", async () => {
    const answers: [number, string, string][] = [
      [200, "text/html", "<html><title>Welcome</title></html>"],
      [200, "application/json", "null"],
      [200, "application/json", '{"apiKey": "ek_cut'],
      [500, "application/json", '{"detail": "boom"}'],
    ];
    const upstream = await serve((_req, res) => {
      const [status, type, text] = answers[upstream.arrived() - 1]!;
      res.writeHead(status, { "content-type": type, "x-request-id": "req_tok" }).end(text);
    });
    try {
      const logged: DecartError[] = [];
      const route = createTokenRoute({
        authorize: () => true,
        apiKey: KEY,
        baseUrl: upstream.url,
        onError: (e) => logged.push(e),
      });
      const bodies = [];
      for (let i = 0; i < answers.length; i++) bodies.push(await (await route(post())).json());
      expect(bodies).toEqual([
        ...Array(3).fill({ error: expect.any(String), code: "INVALID_RESPONSE", status: 200 }),
        { error: expect.any(String), code: "SERVER", status: 500 },
      ]);
      for (const error of logged.slice(0, 3)) {
        expect(error).toBeInstanceOf(InvalidResponseError);
        expect(error).toMatchObject({ code: "INVALID_RESPONSE", status: 200, requestId: "req_tok", retryable: true });
        expect(error.message).toMatch(
          /^POST http:\/\/127\.0\.0\.1:\d+\/v1\/client\/tokens: .*\(HTTP 200, request req_tok\)$/,
        );
      }
      expect(logged[0]!.message).toContain("Welcome");
      expect(logged[3]).toBeInstanceOf(ServerError);
      expect(logged[3]).toMatchObject({ code: "SERVER", status: 500, requestId: "req_tok", retryable: true });
      expect(logged[3]!.message).toMatch(/^boom \(HTTP 500, request req_tok\)$/);
      for (const error of logged) expect(error.message).not.toMatch(/job|file|may (exist|have been made)|retrySubmit/);
      expect(logged).toHaveLength(4);
    } finally {
      await upstream.close();
    }
  });

  it("answers 502 to an API that answers 200 with the long-lived key or garbage, never passing it on", async () => {
    const answers = [
      (key: string) => ({ apiKey: key, expiresAt: new Date(Date.now() + 60_000).toISOString() }),
      () => ({ apiKey: 5, expiresAt: null }),
      () => ({ apiKey: "ek_fine", expiresAt: "tomorrow-ish" }),
      () => ["ek_in_an_array"],
    ];
    let next = 0;
    const upstream = createServer((req, res) => {
      const answer = answers[next++]!(String(req.headers["x-api-key"]));
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    try {
      const logged: DecartError[] = [];
      const route = createTokenRoute({
        authorize: () => true,
        apiKey: KEY,
        baseUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
        onError: (e) => logged.push(e),
      });
      for (let i = 0; i < answers.length; i++) {
        const response = await route(post());
        expect(response.status, `answer ${i}`).toBe(502);
        const text = await response.text();
        expect(text).not.toContain(KEY);
        expect(JSON.parse(text)).toMatchObject({ code: "INVALID_RESPONSE" });
      }
      expect(logged).toHaveLength(answers.length);
      for (const error of logged) expect(error).toBeInstanceOf(InvalidResponseError);
    } finally {
      upstream.closeAllConnections();
      await new Promise((resolve) => upstream.close(resolve));
    }
  });
});

describe("createTokenRoute while the API rate-limits it", () => {
  const tokenAnswer = () => ({ apiKey: "ek_later", expiresAt: new Date(Date.now() + 600_000).toISOString() });
  /** An API whose first answer is `first` (status and headers, the JSON detail "slow down"), then tokens. */
  const api = (status: number, headers: Record<string, string>) =>
    serve((_req, res) => {
      if (server.arrived() > 1) return json(res, 200, tokenAnswer());
      res.writeHead(status, { "content-type": "application/json", ...headers }).end('{"detail":"slow down"}');
    }).then((s) => (server = s));
  let server: Awaited<ReturnType<typeof serve>>;

  it("answers the API's 429 with 503 and its Retry-After (at most 60 s), then every request at once (503) until the gate opens, asking nothing", async () => {
    const upstream = await api(429, { "retry-after": "3600" });
    try {
      const logged: DecartError[] = [];
      const route = createTokenRoute({
        authorize: () => true,
        apiKey: KEY,
        baseUrl: upstream.url,
        onError: (e) => logged.push(e),
      });
      const first = await route(post());
      expect(first.status).toBe(503);
      // The API's hour, announced as the minute the route's gate holds (it asks the API again after it).
      expect(first.headers.get("retry-after")).toBe("60");
      expect(first.headers.get("cache-control")).toBe("no-store");
      expect(await first.json()).toEqual({ error: expect.any(String), code: "RATE_LIMIT", status: 429 });
      expect(logged[0]).toBeInstanceOf(RateLimitError);
      expect(logged[0]).toMatchObject({ status: 429, retryAfterMs: 3_600_000 });

      // Many pages at once while the gate is shut (the client's gate honours at most a minute of the hour asked):
      // each is answered without waiting for any timer, and none reaches the API.
      const later = Array.from({ length: 5 }, () => route(post()));
      let answered = 0;
      for (const answer of later) answer.then(() => answered++);
      await drain();
      expect(answered).toBe(later.length);
      for (const answer of await Promise.all(later)) {
        expect(answer.status).toBe(503);
        const seconds = Number(answer.headers.get("retry-after"));
        expect(seconds).toBeGreaterThanOrEqual(1);
        expect(seconds).toBeLessThanOrEqual(60);
        expect(await answer.json()).toEqual({ error: expect.any(String), code: "RATE_LIMIT" });
      }
      expect(upstream.arrived()).toBe(1);
      expect(logged).toHaveLength(1 + later.length);
      for (const error of logged.slice(1)) {
        expect(error).toBeInstanceOf(RateLimitError);
        expect((error as RateLimitError).retryAfterMs).toBeGreaterThan(0);
        expect((error as RateLimitError).retryAfterMs).toBeLessThanOrEqual(60_000);
        expect(error.message).toMatch(/^createTokenRoute: not asked: the API's rate limit holds for \d+ ms more$/);
      }
    } finally {
      await upstream.close();
    }
  });

  it("passes on a huge Retry-After of the API as delta-seconds (digits), at most the 60 its gate holds, never 1e+23", async () => {
    for (const [status, given] of [
      [429, "99999999999999999999999"],
      [503, "99999999999999999999999"],
      [503, "2147483649"],
    ] as const) {
      const upstream = await api(status, { "retry-after": given });
      try {
        const response = await createTokenRoute({ authorize: () => true, apiKey: KEY, baseUrl: upstream.url })(post());
        expect(response.status, given).toBe(status === 429 ? 503 : 502);
        expect(response.headers.get("retry-after"), given).toBe("60");
      } finally {
        await upstream.close();
      }
    }
  });

  it("asks the API once per request: a 429 or 503 with a short Retry-After is answered at once, with it, not retried", async () => {
    for (const [status, code, answered] of [
      [429, "RATE_LIMIT", 503],
      [503, "SERVER", 502],
    ] as const) {
      const upstream = await api(status, { "retry-after": "1" });
      try {
        const route = createTokenRoute({ authorize: () => true, apiKey: KEY, baseUrl: upstream.url });
        const response = await route(post());
        expect(response.status, String(status)).toBe(answered);
        expect(response.headers.get("retry-after")).toBe("1");
        expect(await response.json()).toEqual({ error: expect.any(String), code, status });
        expect(upstream.arrived()).toBe(1);
      } finally {
        await upstream.close();
      }
    }
  });

  it("a page's fetchTokenFrom reads the 503's Retry-After: its client waits that long before asking again, or fails at once when it is beyond its budget", async () => {
    const upstream = await api(429, { "retry-after": "3600" });
    const route = createTokenRoute({ authorize: () => true, apiKey: KEY, baseUrl: upstream.url });
    let asked = 0;
    const page = createServer(async (req, res) => {
      asked++;
      const answer = await route(new Request(`http://127.0.0.1${req.url}`, { method: req.method }));
      res.writeHead(answer.status, Object.fromEntries(answer.headers)).end(await answer.text());
    });
    await new Promise<void>((resolve) => page.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(page.address() as AddressInfo).port}/api/decart-token`;
    try {
      const delay = instantDelay();
      const client = createDecartClient({
        token: fetchTokenFrom(url),
        baseUrl: upstream.url,
        logger: silent,
        random: () => 0.5,
        poll: { delay },
        // A budget of ten minutes: room for two waits of the gate's minute.
        timeoutMs: 600_000,
      });
      // The route's minute (the API asked for an hour) is beyond a call's budget of 30 s: the call fails at once,
      // asking the route once.
      const error = await client.queue.status("job_x", { deadline: Date.now() + 30_000 }).catch((e) => e);
      expect(error).toBeInstanceOf(ServerError);
      expect(error).toMatchObject({ status: 503, retryAfterMs: 60_000, retryable: true });
      expect(error.message).toMatch(new RegExp(`^Token route ${url}: The API is rate-limiting token requests`));
      expect([asked, delay.calls]).toEqual([1, []]);
      // While the gate is shut, the route's Retry-After (at most a minute) is within the budget: the client waits it
      // (here on a delay that does not wait) before it asks again, answered by the route at once. That answer is the
      // token source's third failure in a row, which is final: a TOKEN_ERROR naming it (its cause).
      const again = await client.queue.status("job_x").catch((e) => e);
      expect(again).toMatchObject({ code: "TOKEN_ERROR", retryable: false });
      expect(again.message).toMatch(new RegExp(`^Could not get a client token 3 times in a row: Token route ${url}: `));
      expect(again.cause).toMatchObject({ status: 503, retryable: true });
      expect(asked).toBe(1 + 2);
      expect(delay.calls).toHaveLength(1);
      for (const ms of delay.calls) {
        expect(ms).toBeGreaterThanOrEqual(1000);
        expect(ms).toBeLessThanOrEqual(60_000);
      }
      expect(upstream.arrived()).toBe(1);
    } finally {
      page.closeAllConnections();
      await new Promise((resolve) => page.close(resolve));
      await upstream.close();
    }
  });
});
