/**
 * `@decart/core/server`: code for your server, never for a page. `createTokenRoute` answers a Fetch-API `Request` with
 * a short-lived client token, so that the browser gets a key that expires and can do only what you allow, while your
 * long-lived key stays on the server. Runtime-neutral: Node, Deno, Bun, edge runtimes.
 */
import { isModelName, type ModelName, requestSchemas } from "@decart/api";
import { createDecartClient } from "./client.js";
import type { DecartError } from "./errors.js";
import { checkRetired, type ModelDefinition } from "./models.js";
import { checkSchema, invalid } from "./validate.js";

export type { ClientToken, TokenFetcher } from "./token.js";

export interface TokenRouteOptions {
  /** Your long-lived API key (`dct_…`). Default: the `DECART_API_KEY` environment variable. */
  apiKey?: string;
  /** The API's base URL. Default `https://api.decart.ai`. */
  baseUrl?: string;
  /**
   * The models a token may use (names of the catalogue, or `models.video(…)` / `models.image(…)`); at most 20.
   * Default: all. An unknown name throws when the route is created.
   */
  models?: readonly (ModelName | ModelDefinition)[];
  /** Seconds until a token expires, 1 to 3600 (the API's limits). Default: the API's (60). */
  expiresIn?: number;
  /** Full origins (`https://example.org`) a token may be used from; at most 20. Default: any. */
  allowedOrigins?: readonly string[];
  /**
   * Decides whether `request` may have a token (check the session cookie, the user's plan …); `false` answers 403 and
   * mints nothing. Without it, anyone who can reach the route gets tokens.
   */
  authorize?: (request: Request) => boolean | Promise<boolean>;
  /** The `fetch` to reach the API with (default: the global one). */
  fetch?: typeof fetch;
  /** Called with the error when minting fails (the 502): log it here; its message never contains your key. */
  onError?: (error: DecartError) => void;
}

/** A JSON answer that no cache keeps. */
const reply = (status: number, body: unknown, headers?: Record<string, string>) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  });

/**
 * A route handler that answers `POST` with a short-lived client token, `{ apiKey, expiresAt }` (200, `Cache-Control:
 * no-store`); any other method 405, a request `authorize` refuses 403, and a failure to mint 502 (with the error's
 * `code`, never your key). Options are checked here: a bad one (an unknown model, `expiresIn` out of range, no key)
 * throws `InvalidInputError` (`ModelRetiredError` for a retired model) at once.
 *
 * ```ts
 * // Next.js: app/api/decart-token/route.ts
 * export const POST = createTokenRoute({ models: ["lucy-pro-t2v"], authorize: async (req) => !!(await session(req)) });
 * // Hono
 * app.post("/api/decart-token", (c) => route(c.req.raw));
 * ```
 */
export function createTokenRoute(options: TokenRouteOptions = {}): (request: Request) => Promise<Response> {
  const where = "createTokenRoute";
  const { models, expiresIn, allowedOrigins, authorize } = options;
  const allowedModels = models?.map((model) => {
    const name = typeof model === "string" ? model : model?.name;
    if (typeof name === "string" && isModelName(name)) return name;
    checkRetired(name, `${where}: model`);
    throw invalid(where, "models", "models of the catalogue", name);
  });
  if (allowedModels?.length === 0) throw invalid(where, "models", "at least one model (leave it out for all)");
  // The body every token is asked with (JSON text drops what is not given).
  const body = JSON.parse(JSON.stringify({ expiresIn, allowedModels, allowedOrigins }));
  checkSchema(requestSchemas.CreateTokenRequest, body, "", where);
  // Server code: a DOM here is a server renderer's or a test's, not a page's.
  const { apiKey, baseUrl, fetch } = options;
  const client = createDecartClient({
    ...(apiKey !== undefined && { apiKey }),
    ...(baseUrl !== undefined && { baseUrl }),
    ...(fetch && { fetch }),
    dangerouslyAllowBrowser: true,
  });

  return async (request) => {
    if (request.method !== "POST")
      return reply(405, { error: "Method not allowed: POST a request" }, { allow: "POST" });
    if (authorize && !(await authorize(request))) return reply(403, { error: "Not allowed to get a client token" });
    try {
      const { apiKey, expiresAt } = await client.tokens.create({ ...body, signal: request.signal });
      return reply(200, { apiKey, expiresAt });
    } catch (e) {
      options.onError?.(e as DecartError);
      // The error's code and status only: a message may quote the upstream answer.
      const { code, status } = e as DecartError;
      return reply(502, { error: "Could not create a client token", code, status });
    }
  };
}
