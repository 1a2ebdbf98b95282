/**
 * `createTokenRoute` asks for `authorize` (without it, anyone who reaches the route gets tokens), and the README's
 * node:http / Express mounting runs here as written, over real HTTP; the route given Node's `req` and `res` itself
 * answers its 500 on `res` and names what to pass.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DecartError } from "../src/index.js";
import { createTokenRoute, type TokenRouteOptions } from "../src/server.js";
import { startFast } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

/** A node:http server of `handler` on loopback, its URL, closed by `close`. */
async function listen(handler: (req: IncomingMessage, res: ServerResponse) => unknown) {
  const server: Server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise((done) => server.close(done)) };
}

describe("createTokenRoute's authorize", () => {
  it("is required: without it the route is not made, the error naming the option and the way to open it on purpose", () => {
    const made = () => createTokenRoute({ apiKey: emu.apiKey, baseUrl: emu.url } as TokenRouteOptions);
    expect(made).toThrow(
      expect.objectContaining({
        name: "InvalidInputError",
        field: "authorize",
        message: expect.stringMatching(/^createTokenRoute: "authorize" must be given: .*authorize: \(\) => true/),
      }),
    );
    // Nor by `undefined` given, nor with nothing at all.
    expect(() => createTokenRoute({ apiKey: emu.apiKey, authorize: undefined } as never)).toThrow(/"authorize"/);
    expect(() => (createTokenRoute as (o?: unknown) => unknown)({ apiKey: emu.apiKey })).toThrow(/"authorize"/);
  });

  it("given, the route answers over HTTP: () => true a token to a POST with no Origin, () => false a 403", async () => {
    for (const [allowed, status] of [
      [true, 200],
      [false, 403],
    ] as const) {
      const route = createTokenRoute({ apiKey: emu.apiKey, baseUrl: emu.url, authorize: () => allowed });
      const server = await listen(async (req, res) => {
        const response = await route(new Request(`${server.url}${req.url}`, { method: req.method }));
        res.writeHead(response.status).end(await response.text());
      });
      try {
        const answer = await fetch(`${server.url}/api/decart-token`, { method: "POST" });
        expect(answer.status).toBe(status);
        if (allowed) expect((await answer.json()).apiKey).toMatch(/^ek_/);
      } finally {
        await server.close();
      }
    }
  });
});

// The README's sample, as a module of this package in the ignored results folder: `@decart/core/server` is the
// source, and its route is given the emulator (its key and URL) on top of the sample's own options.
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const section = readme.split("\n### The token route on node:http or Express\n")[1]?.split("\n### ")[0] ?? "";
const [, sample] = /```ts\n([\s\S]*?)```/.exec(section) ?? [];
const dir = new URL("../.vitest-results/", import.meta.url);
mkdirSync(dir, { recursive: true });
const file = new URL("token-route-node.sample.ts", dir);
writeFileSync(
  file,
  `${sample!.replace(
    'import { createTokenRoute } from "@decart/core/server";',
    `import { createTokenRoute as made, type TokenRouteOptions } from ${JSON.stringify(fileURLToPath(new URL("../src/server.js", import.meta.url)))};
const createTokenRoute = (options: TokenRouteOptions) => made({ ...options, ...(globalThis as any).readmeRoute });
const sessionOf = async (request: Request) => (request.headers.get("cookie") === "session=1" ? {} : undefined);`,
  )}\nexport { tokens };\n`,
);

describe("the README's node:http / Express mounting", () => {
  it("is there, making a Request of req and writing the Response to res", () => {
    expect(sample).toContain("new Request(");
    expect(sample).toContain("res.writeHead(response.status");
  });

  it("runs as written over real HTTP: a signed-in caller gets a token, another a 403, the browser's Origin checked", async () => {
    (globalThis as any).readmeRoute = { apiKey: emu.apiKey, baseUrl: emu.url };
    const { tokens } = await import(fileURLToPath(file));
    const server = await listen(tokens);
    try {
      const post = (headers: Record<string, string>) =>
        fetch(`${server.url}/api/decart-token`, { method: "POST", headers });
      const signedIn = await post({ cookie: "session=1" });
      expect(signedIn.status).toBe(200);
      expect(signedIn.headers.get("cache-control")).toBe("no-store");
      expect((await signedIn.json()).apiKey).toMatch(/^ek_/);
      expect((await post({})).status).toBe(403);
      // The route's own origin (the Host the sample's Request carries) passes; another site's page does not.
      expect((await post({ cookie: "session=1", origin: server.url })).status).toBe(200);
      expect((await post({ cookie: "session=1", origin: "https://evil.example" })).status).toBe(403);
    } finally {
      await server.close();
    }
  });
});

describe("the route mounted as a node:http handler itself, route(req, res)", () => {
  it("writes its 500 to res (the caller is answered, not left waiting) and says what to pass, with the README's words", async () => {
    const logged: DecartError[] = [];
    const route = createTokenRoute({
      apiKey: emu.apiKey,
      baseUrl: emu.url,
      authorize: () => true,
      onError: (e) => logged.push(e),
    });
    const server = await listen(route as unknown as (req: IncomingMessage, res: ServerResponse) => unknown);
    try {
      const answer = await fetch(`${server.url}/api/decart-token`, { method: "POST" });
      expect(answer.status).toBe(500);
      expect(await answer.json()).toMatchObject({ code: "INVALID_INPUT" });
    } finally {
      await server.close();
    }
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ field: "request" });
    expect(logged[0]!.message).toContain("node:http or Express: new Request(");
    expect(logged[0]!.message).toContain('see the README, "The token route on node:http or Express"');
    expect(readme).toContain("### The token route on node:http or Express");
  });

  it("given a Request and res as well, leaves res to the caller: the handler writes the answer itself, once", async () => {
    const route = createTokenRoute({ apiKey: emu.apiKey, baseUrl: emu.url, authorize: () => true });
    const server = await listen(async (req, res) => {
      // Passed "to be safe", then written by the handler: written twice, it would throw ERR_HTTP_HEADERS_SENT.
      const both = route as (request: Request, res: unknown) => Promise<Response>;
      const response = await both(new Request(`${server.url}${req.url}`, { method: req.method }), res);
      res.writeHead(response.status, { "x-written-by": "handler" }).end(await response.text());
    });
    try {
      const answer = await fetch(`${server.url}/api/decart-token`, { method: "POST" });
      expect(answer.status).toBe(200);
      expect(answer.headers.get("x-written-by")).toBe("handler");
      expect((await answer.json()).apiKey).toMatch(/^ek_/);
    } finally {
      await server.close();
    }
  });
});
