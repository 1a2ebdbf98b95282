import type { ServerResponse } from "node:http";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthenticationError,
  canWatchAgain,
  createDecartClient,
  DecartError,
  fetchTokenFrom,
  models,
  NotFoundError,
  PermissionDeniedError,
} from "../src/index.js";
import { createTokenRoute } from "../src/server.js";
import { clientFor, fastPoll, instantDelay, serve, silent, startFast } from "./helpers.js";

let emu: Emulator;
let server: Awaited<ReturnType<typeof serveRoute>>;
let url: string;
/** What the app in front of the token route does: mint, refuse as `authorize` (403), as a login middleware (401), or be gone (a deploy's 404 page). */
let state: "signed in" | "signed out" | "logged out" | "deploying" = "signed in";

/**
 * An app on loopback that hands each request to `route` (a token route), unless `before` answered it first; its
 * route's URL is `url`.
 */
async function serveRoute(route: (request: Request) => Promise<Response>, before = (_: ServerResponse) => false) {
  const app = await serve(async (req, res) => {
    if (before(res)) return;
    const answer = await route(new Request(`http://127.0.0.1${req.url}`, { method: req.method }));
    res.writeHead(answer.status, Object.fromEntries(answer.headers)).end(await answer.text());
  });
  return Object.assign(app, { url: `${app.url}/api/decart-token` });
}

/** A page's client whose token comes from the route at `url` (`fetchTokenFrom`), counting the times it asks for one. */
function pageOf(url: string) {
  let asked = 0;
  const token = fetchTokenFrom(url);
  const page = createDecartClient({
    token: (options) => {
      asked++;
      return token(options);
    },
    baseUrl: emu.url,
    logger: silent,
    poll: { ...fastPoll, delay: instantDelay() },
  });
  return { page, asked: () => asked };
}

beforeAll(async () => {
  emu = await startFast();
  const route = createTokenRoute({
    apiKey: emu.apiKey,
    baseUrl: emu.url,
    authorize: async () => state !== "signed out",
  });
  server = await serveRoute(route, (res) => {
    if (state === "logged out")
      res.writeHead(401, { "content-type": "application/json" }).end('{"error":"Login required"}');
    else if (state === "deploying")
      res.writeHead(404, { "content-type": "text/html" }).end("<title>404 Not Found</title>");
    else return false;
    return true;
  });
  url = server.url;
});
afterAll(async () => {
  await server.close();
  await emu.close();
});

describe("a token route that refuses while a job is watched", () => {
  it.each([
    ["signed out", 403, PermissionDeniedError],
    ["logged out", 401, AuthenticationError],
    ["deploying", 404, NotFoundError],
  ] as const)(
    "%s (HTTP %i): the watch ends with a TOKEN_ERROR, not the API's error, and can watch again",
    async (refusal, status, Class) => {
      state = "signed in";
      const { job_id } = await clientFor(emu).queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "a job" });
      const { page, asked } = pageOf(url);
      state = refusal;
      const error = await page.queue.wait(job_id).catch((e) => e);
      expect(error).toBeInstanceOf(DecartError);
      expect(error).not.toBeInstanceOf(Class);
      expect(error).toMatchObject({ code: "TOKEN_ERROR", status, retryable: false, jobId: job_id });
      expect(error.message).toContain(`The token route refused (HTTP ${status}): sign in again / check the route`);
      expect(error.message).toContain(url);
      // The route's own answer, as its error.
      expect(error.cause).toBeInstanceOf(Class);
      expect(error.cause.status).toBe(status);
      // Final at once: the route is asked once (a refusal is not asked again within the watch; nor is the route's own
      // 401 taken for the API's refusal of the key, which renews it once), but the job may be watched again.
      expect(asked()).toBe(1);
      expect(canWatchAgain(error)).toBe(true);
      state = "signed in";
      expect((await page.queue.wait(job_id)).status).toBe("completed");
    },
  );

  it("a typed refusal thrown by a token function of yours is a TOKEN_ERROR too, its status kept", async () => {
    const refused = new PermissionDeniedError("Not allowed (HTTP 403)", { status: 403 });
    const page = createDecartClient({
      token: async () => {
        throw refused;
      },
      baseUrl: emu.url,
      logger: silent,
    });
    const error = await page.queue.status("job_x").catch((e) => e);
    expect(error).toMatchObject({ code: "TOKEN_ERROR", status: 403, retryable: false });
    expect(error.cause).toBe(refused);
  });
});

describe("a token function that reads a refusal's JSON as a token", () => {
  it("names the answer's error field in its TOKEN_ERROR", async () => {
    state = "signed out";
    const page = createDecartClient({
      token: () => fetch(url, { method: "POST" }).then((r) => r.json()),
      baseUrl: emu.url,
      logger: silent,
      poll: { ...fastPoll, delay: instantDelay() },
    });
    const error = await page.queue.status("job_x").catch((e) => e);
    expect(error.code).toBe("TOKEN_ERROR");
    expect(error.message).toContain(
      'it answered no { apiKey, expiresAt } (an ISO date), but an error: "Not allowed to get a client token"',
    );
    state = "signed in";
  });
});

describe("a token route whose own key the API refuses", () => {
  it("the page's error names what the API answered the route, and is not asked again: one token request", async () => {
    const route = createTokenRoute({
      authorize: () => true,
      apiKey: "dct_wrong_key_0123456789abcdef",
      baseUrl: emu.url,
    });
    const wrong = await serveRoute(route);
    try {
      const { page, asked } = pageOf(wrong.url);
      const error = await page.queue.status("job_x").catch((e) => e);
      expect(error).toMatchObject({ code: "TOKEN_ERROR", status: 502, retryable: false });
      expect(error.message).toContain("the route said: AUTHENTICATION (the API's HTTP 401)");
      expect(error.cause.retryable).toBe(false);
      expect(asked()).toBe(1);
    } finally {
      await wrong.close();
    }
  });

  it("createTokenRoute refuses a client token (ek_…) as its key when it is made: it cannot mint tokens", async () => {
    const { apiKey } = await clientFor(emu).tokens.create({ expiresIn: 60 });
    expect(() => createTokenRoute({ authorize: () => true, apiKey, baseUrl: emu.url })).toThrow(
      expect.objectContaining({ name: "InvalidInputError", field: "apiKey", message: expect.stringMatching(/ek_/) }),
    );
  });
});
