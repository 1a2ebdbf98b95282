/**
 * `@decart/core/server`: code for your server, never for a page. `createTokenRoute` answers a Fetch-API `Request` with
 * a short-lived client token, so that the browser gets a key that expires and can do only what you allow, while your
 * long-lived key stays on the server. Runtime-neutral: Node, Deno, Bun, edge runtimes.
 *
 * @module @decart/core/server
 */
import { type CreateTokenResponse, type ModelName, requestSchemas, responseSchemas } from "@decart/api";
import { createDecartClient, type DecartClient } from "./client.js";
import { DecartError, InvalidInputError, InvalidResponseError, RateLimitError, ValidationError } from "./errors.js";
import type { ModelDefinition } from "./models.js";
import { monotonic } from "./retry.js";
import { checkScopes } from "./token.js";
import { checkCall, checkSchema, clientOptions, invalid, type Schema } from "./validate.js";

export type { ClientToken, TokenFetcher } from "./token.js";

/** Options of `createTokenRoute`: the key it mints tokens with, what a token may do, and who may have one. */
export interface TokenRouteOptions {
  /**
   * Your long-lived API key (`dct_…`). Default: the `DECART_API_KEY` environment variable. A client token (`ek_…`, in
   * any letter case) throws: it cannot mint tokens.
   */
  apiKey?: string | undefined;
  /** The API's base URL. Default `https://api.decart.ai`. */
  baseUrl?: string | undefined;
  /**
   * The models a token may use (names of the catalogue, `models.video(…)` / `models.image(…)`, or definitions of your
   * own, `VideoModel<"my-model">`, sent by their `name` for the API to check); at most 20. Default: all. An unknown
   * name throws when the route is created.
   */
  models?: readonly (ModelName | ModelDefinition<string>)[] | undefined;
  /** Seconds until a token expires, 1 to 3600 (the API's limits). Default: the API's (60). */
  expiresIn?: number | undefined;
  /**
   * Full origins (`https://example.org`, no `*` or path) a token may be used from; at most 20. Default: any. The route
   * itself answers a browser's POST only from its own origin or one of these: a page of another origin (a simple
   * request: a no-cors fetch, a form) is answered 403, nothing minted. List your own page's origin too: a token
   * limited to other origins is refused on it.
   */
  allowedOrigins?: readonly string[] | undefined;
  /**
   * Decides whether `request` may have a token (check the session cookie, the user's plan …); `false` answers 403 and
   * mints nothing. Only `true` grants: any other answer (a session object, a string, nothing), or a throw, answers 500
   * and mints nothing (`onError` gets why). Required: a route without it would give tokens to anyone who can reach it
   * (`curl` too); `authorize: () => true` does that on purpose.
   */
  authorize: (request: Request) => boolean | Promise<boolean>;
  /** The `fetch` to reach the API with (default: the global one). */
  fetch?: typeof fetch | undefined;
  /**
   * How long to wait for the API, in ms (default: the client's 60 000): a slow or silent API answers 502 after it
   * (`TIMEOUT`), so that a page waiting can try again.
   */
  timeoutMs?: number | undefined;
  /**
   * Called with the error behind a 500, 502 or 503 answer: log it here. Its message, stack, `requestId` and a 422's
   * `issues` (and those of the client's error it carries as `cause`) are cleared of your key as the API may echo it: as it is, in any letter case,
   * percent-encoded, or in base64 or base64url (not a key split into pieces or encoded otherwise; one where the client
   * cuts a long message is dropped whole by the cut). An `onError` that throws does not change the answer.
   */
  onError?: ((error: DecartError) => void) | undefined;
}

const { properties: token } = requestSchemas.CreateTokenRequest;
const fn = { type: "function" };
const text = { type: "string" };

/**
 * `createTokenRoute`'s options, and what each must be: the token's limits are the API's request schema's (so
 * `expiresIn` is a whole number of 1 to 3600 seconds), the client's options the client's.
 */
const routeOptions: Readonly<Record<string, Schema>> = {
  apiKey: text,
  baseUrl: text,
  models: { ...token.allowedModels, items: {} },
  expiresIn: token.expiresIn,
  allowedOrigins: token.allowedOrigins,
  authorize: fn,
  fetch: fn,
  timeoutMs: clientOptions.timeoutMs!,
  onError: fn,
};

/** The spec's token answer (a property that may be `null`, `["object", "null"]`, is checked as its other type). */
const tokenAnswer: Schema = responseSchemas.CreateTokenResponse;

/** RFC 3339's date-time, the spec's `format: date-time`: `2026-01-31T12:00:00Z`, `2026-01-31T12:00:00.5+01:00`. */
const DATE_TIME = /^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$/;

/**
 * What makes an answer of the API to a token request one not to hand on, in words that never quote it (it may hold
 * anything, the key too), or `undefined`: it must be the spec's `CreateTokenResponse` (each `date-time` one of RFC
 * 3339), its client key one a header can carry, neither a long-lived `dct_` key nor holding the route's own key in any
 * form `onError`'s redaction clears (`holdsKey`), and its expiry later than `now`.
 */
function problemOf(answer: unknown, holdsKey: (text: string) => boolean, now: number): string | undefined {
  try {
    checkSchema(tokenAnswer, answer, "", "");
  } catch (e) {
    const { field, expected } = e as InvalidInputError;
    // The answer itself (not an object) is what the checker names "options", as a call's options at the top.
    return field === "options" ? `it must be ${expected}` : `"${field}" must be ${expected}`;
  }
  for (const [name, { format }] of Object.entries(tokenAnswer.properties!)) {
    const value = (answer as Record<string, string>)[name];
    if (format === "date-time" && value != null && !(DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)))) {
      return `"${name}" must be a date-time of RFC 3339`;
    }
  }
  const { apiKey, expiresAt } = answer as CreateTokenResponse;
  if (!apiKey || /[^ -~]/.test(apiKey)) return '"apiKey" must be a key of printable ASCII';
  // (A prefix in any letter case: `DCT_…` is no client key either.)
  if (/^dct_/i.test(apiKey) || holdsKey(apiKey)) {
    return '"apiKey" must be a client key, neither a long-lived dct_ key nor the route\'s own';
  }
  if (Date.parse(expiresAt) <= now) return '"expiresAt" must be later than now (by this server\'s clock)';
}

/** The methods the token route answers. */
const ALLOW = "OPTIONS, POST";

/** A JSON answer that no cache keeps. */
const reply = (status: number, body: unknown, headers?: Record<string, string>) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  });

/** `text` as a regular expression that matches it literally. */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/**
 * A pattern (flags `gi`) of the forms in which a text may carry `key`, as a server that echoes a key it was sent may give
 * them: as it is, in any letter case; percent-encoded, any of its characters or none (as `encodeURIComponent`, a query
 * string or a form body write it: `%7E` for `~`, `%21` for `!`, `+` or `%20` for a space; hex digits in either case);
 * and in base64 or base64url, alone or anywhere in a longer base64 text (every character that depends on the key's
 * bytes alone, at each of the three offsets it may start at in a group of three; none shorter than 4). The same for its
 * secret after the prefix (`dct_`), as echoed under another prefix (`ek_` + the secret) or none; a key shorter than
 * `shortest` characters (8 by default), or a secret shorter than 8, is not looked for (it would match common words). A key split into pieces, reversed or encoded
 * otherwise is not recognised. An empty key: a pattern that matches nothing. `createTokenRoute` clears these forms
 * from what its `onError` sees and refuses a client key that holds one; a tool that writes what an API said (a CLI's
 * log) can clear them with it: `text.replace(keyPattern(key), "***")`.
 */
export function keyPattern(key: string, shortest = 8): RegExp {
  const utf8 = (text: string) => new TextEncoder().encode(text);
  const hex = (byte: number) => `%${byte.toString(16).padStart(2, "0")}`;
  const forms: string[] = [];
  const secret = key.slice(key.indexOf("_") + 1);
  // (A key shorter than `shortest`, or a secret shorter than 8 characters, is not looked for, as the client's own
  // redaction does not look for a key under 8: it would clear common words, and refuse every token holding one, a
  // test's key `k` any `ek_…` token.)
  for (const text of new Set([key.length >= shortest && key, secret.length >= 8 && secret])) {
    if (!text) continue;
    // Each character as it is or percent-encoded (its UTF-8 bytes); a space also as `+`.
    forms.push(
      [...text]
        .map(
          (char) =>
            `(?:${[literal(char), [...utf8(char)].map(hex).join(""), ...(char === " " ? ["\\+"] : [])].join("|")})`,
        )
        .join(""),
    );
    const bytes = utf8(text);
    for (let offset = 0; offset < 3; offset++) {
      const encoded = btoa(String.fromCharCode(...new Uint8Array(offset), ...bytes));
      const base64 = encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
      if (base64.length >= 4) forms.push(literal(base64), literal(base64.replace(/\+/g, "-").replace(/\//g, "_")));
    }
  }
  return new RegExp(forms.join("|") || "(?!)", "gi");
}

/**
 * A route handler that answers `POST` with a short-lived client token, `{ apiKey, expiresAt }` (200, `Cache-Control:
 * no-store`); `OPTIONS` 204 with `Allow` and no CORS headers (the route is for pages of its own origin); any other
 * method 405, a browser's request from another origin than the route's not listed in `allowedOrigins` (by its
 * `Sec-Fetch-Site`, else its `Origin` against the forwarded host, `Host` or URL, and the forwarded scheme or the URL's) 403, a request `authorize` refuses 403, an `authorize` that throws or answers other than `true`/`false` 500,
 * a 429 of the API (and every request until the client's rate-limit gate opens again, without asking the API) 503 at
 * once with `Retry-After`, and another failure to mint 502 (with the error's `code`, never your key; also when the
 * API's answer is not the spec's token answer, holds a long-lived key or has expired). It never rejects: a `request`
 * that is not a Fetch API `Request`, or one whose properties cannot be read, answers 500 too (the route mounted as a
 * node:http or Express handler, `route(req, res)`: written to `res` as well; see the README for how to mount it there). Every option is checked
 * here: a bad one (an unknown model or option, `expiresIn` out of range or not a number, an origin that is not one, a
 * callback that is not a function, no key, no `authorize`) throws `InvalidInputError` (`ModelRetiredError` for a retired model) at
 * once.
 *
 * ```ts
 * import { createTokenRoute } from "@decart/core/server";
 *
 * // Next.js: app/api/decart-token/route.ts (`session`: your own check of the request's session)
 * export const POST = createTokenRoute({ models: ["lucy-pro-t2v"], authorize: async (req) => !!(await session(req)) });
 *
 * // Hono: the handler made once, given each request
 * const route = createTokenRoute({ models: ["lucy-pro-t2v"], authorize: async (req) => !!(await session(req)) });
 * app.post("/api/decart-token", (c) => route(c.req.raw));
 * ```
 */
export function createTokenRoute(options: TokenRouteOptions): (request: Request) => Promise<Response> {
  const where = "createTokenRoute";
  // Checked, and read once: the options used are those checked.
  options = checkCall(options, where, [], routeOptions)[2] as TokenRouteOptions;
  const { models, expiresIn, allowedOrigins, authorize } = options;
  // A scope no request could match is refused, as `tokens.create` refuses it: one check (`checkScopes`). A definition of
  // your own is taken by its name (the API knows models the catalogue may not yet), and asked for as one.
  const allowedModels = checkScopes(where, models, allowedOrigins, "models");
  const asked = allowedModels?.map((name, i) => (models![i] === name ? name : { name }));
  // The body every token is asked with (JSON text drops what is not given).
  const body = JSON.parse(JSON.stringify({ expiresIn, allowedModels, allowedOrigins }));
  checkSchema(requestSchemas.CreateTokenRequest, body, "", where);
  // Server code: a DOM here is a server renderer's or a test's, not a page's.
  const { apiKey, baseUrl, fetch, timeoutMs } = options;
  let client: DecartClient;
  try {
    client = createDecartClient({
      ...(apiKey !== undefined && { apiKey }),
      ...(baseUrl !== undefined && { baseUrl }),
      ...(fetch && { fetch }),
      ...(timeoutMs !== undefined && { timeoutMs }),
      // One attempt per request: the page's client retries under its own policy and budget (it reads the route's
      // Retry-After), and a request waiting here for a retry (or at the rate-limit gate) would hold the page's open.
      maxRetries: 0,
      dangerouslyAllowBrowser: true,
    });
  } catch (e) {
    // The client's own checks (`apiKey`, also from DECART_API_KEY, and `baseUrl`; neither is shown) say where they
    // come from: the route, not "Invalid options" of a client the caller never made (whose `token` and `proxy` the
    // route has not).
    if (!(e instanceof InvalidInputError)) throw e;
    // (A missing key's `token` and `proxy` are the client's: the route has neither.)
    throw invalid(where, e.field!, e.expected!.replace(", or use `token` or `proxy`", ""));
  }

  // The key the client sends, read as the client reads it: an answer that carries it is never handed on.
  let ownKey = "";
  try {
    ownKey = (apiKey ?? (globalThis as any).process?.env?.DECART_API_KEY)?.trim() ?? "";
  } catch {}
  // A client token cannot mint tokens (the API answers 403): every request would be a 502. Its prefix in any letter
  // case (`EK_…`): a long-lived key is a `dct_` one, so it is none, and the API would refuse it as well.
  if (/^ek_/i.test(ownKey)) {
    throw invalid(where, "apiKey", "your long-lived key (dct_…), not a client token (ek_…): it cannot mint tokens");
  }
  // Without `authorize`, anyone who reaches the route (a `curl` with no `Origin`) gets tokens: that is asked for in
  // words, never a default. (Checked last: a route's other mistakes are named as they were.)
  if (!authorize) {
    throw invalid(
      where,
      "authorize",
      "given: a function deciding whether a request may have a token (authorize: () => true gives tokens to every caller, on purpose)",
    );
  }

  // The key's forms an upstream may echo (see `keyPattern`), cleared from what `onError` sees.
  const keyForms = keyPattern(ownKey);
  /** Whether `text` holds the key in one of those forms: one notion for the redaction and for the token handed on. */
  const holdsKey = (text: string) => text.search(keyForms) >= 0;
  /**
   * `error` and the errors of the client it carries as causes, cleared of the key (message, stack, request id, and a
   * 422's `issues`: none left when they cannot be cleared, JSON too deep to write or a key whose removal breaks it).
   */
  const redacted = (error: DecartError) => {
    for (let e: unknown = error, depth = 0; e instanceof DecartError && depth < 5; e = e.cause, depth++) {
      e.message = e.message.replace(keyForms, "[redacted]");
      if (typeof e.stack === "string") e.stack = e.stack.replace(keyForms, "[redacted]");
      e.requestId &&= e.requestId.replace(keyForms, "[redacted]");
      if (e instanceof ValidationError) {
        try {
          e.issues = JSON.parse(JSON.stringify(e.issues).replace(keyForms, "[redacted]"));
        } catch {
          e.issues = [];
        }
      }
    }
    return error;
  };

  /**
   * A JSON error answer; `onError` sees the error first (a throwing `onError` does not change the answer). An error
   * that says when to ask again (`retryAfterMs`: the API's `Retry-After`, or how long the rate-limit gate stays shut)
   * says it in `Retry-After`, in whole seconds (digits, never a number's exponent form, `1e+23`), at most 60: the
   * longest the route's rate-limit gate stays shut (the client's gate honours at most a minute), after which it asks the
   * API again; a longer one would make a page's watch give up for a wait nobody enforces.
   */
  const failed = (status: 500 | 502 | 503, text: string, error: DecartError) => {
    try {
      options.onError?.(redacted(error));
    } catch {
      // a failing logger must not turn the answer into a crash
    }
    const { retryAfterMs } = error as RateLimitError;
    // The error's code and status only: a message may quote the upstream answer.
    return reply(
      status,
      { error: text, code: error.code, status: error.status },
      retryAfterMs! >= 0 ? { "retry-after": String(Math.min(Math.ceil(retryAfterMs! / 1000), 60)) } : undefined,
    );
  };
  /** The answer while the API rate-limits the route: 503 at once, with `Retry-After` (the page's client backs off). */
  const limited = (error: DecartError) =>
    failed(503, "The API is rate-limiting token requests: ask again later", error);
  const undecided = (error: DecartError) => failed(500, "Could not decide whether to give a client token", error);

  // (Under node:http or Express the handler is given Node's `req` and `res`: what to pass instead, in the README's words.)
  const expected =
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the README's code, quoted
    "a Fetch API Request (Hono: c.req.raw; node:http or Express: new Request(`http://${req.headers.host}${req.url}`, " +
    '{ method: req.method, headers: req.headers }), its Response written to res: see the README, "The token route on ' +
    'node:http or Express")';
  /** The answer to `request`, or a throw when reading the request throws (see below). */
  const answer = async (request: Request): Promise<Response> => {
    // Read once, here (a getter may answer differently each time).
    const { method, headers, signal } = request ?? {};
    // A framework's own context (Hono's `c`, Express's `req`) instead of the Fetch API Request it wraps.
    if (typeof method !== "string" || typeof headers?.get !== "function") {
      return undecided(invalid(where, "request", expected, typeof request));
    }
    // OPTIONS says what the route takes and grants no CORS: it is for pages of its own origin (which send no
    // preflight); another origin's preflight gets no `Access-Control-Allow-*`. That stops only a request that needs one:
    // a simple POST (a no-cors fetch, a form) is sent all the same, with the browser's `Origin` and `Sec-Fetch-Site`.
    if (method === "OPTIONS") return new Response(null, { status: 204, headers: { allow: ALLOW } });
    if (method !== "POST") return reply(405, { error: "Method not allowed: POST a request" }, { allow: ALLOW });
    // A browser's request from another origin than the route's (another site, a sibling subdomain, a sandboxed
    // page's `null`) is refused (403, nothing minted) unless `allowedOrigins` lists it: a page of another site would
    // otherwise have tokens minted on your key (the answer it cannot read, but a form's is shown, and an `authorize`
    // by cookie would pass). The browser says where a request comes from in `Sec-Fetch-Site` (current ones, on an
    // https page or localhost; not on a plain-http origin in Chromium, nor in older Safari and Firefox); without it,
    // by `Origin`, against the route's host (`Forwarded`'s `host=`, `X-Forwarded-Host`, `Host` or the request's URL:
    // a proxy in front may have changed the URL and `Host`). A host is compared in lower case, the first of a proxy
    // chain's list, without the default port of the Origin's scheme (`intranet.corp:80` is `http://intranet.corp`'s).
    // A plain-http page is not the route's origin where the request says the route is https (`Forwarded`'s `proto=`,
    // `X-Forwarded-Proto`, else the request URL's own unless a proxy forwarded another host: that URL's scheme is then
    // the hop behind the proxy): anyone on its network may write that page. An https page to a route that looks http
    // is its own: a proxy that ends TLS and says nothing, or passes on its own hop's scheme, is common, and a page the
    // browser holds to https could not reach a plain-http route (mixed content).
    // A request with neither header (a server, curl) is no page's.
    const origin = headers.get("origin");
    const site = headers.get("sec-fetch-site");
    const [scheme, from] = origin?.split("//") ?? [];
    const first = (text: string) => text.split(",")[0]!.trim().toLowerCase();
    const hostOf = (host: string) => first(host).replace(scheme === "https:" ? /:443$/ : /:80$/, "");
    // A parameter of `Forwarded`'s first element (the proxy nearest the browser).
    const forwarded = (name: string) =>
      RegExp(`^[^,]*?\\b${name}="?([^",;]+)`, "i").exec(headers.get("forwarded") ?? "")?.[1];
    const url = new URL(request.url);
    const hosts = [forwarded("host"), headers.get("x-forwarded-host"), headers.get("host"), url.host];
    const proto =
      forwarded("proto") || headers.get("x-forwarded-proto") || (hosts[0] || hosts[1] ? undefined : url.protocol);
    if (
      (site
        ? site !== "same-origin"
        : origin !== null &&
          !(
            from &&
            hosts.some((host) => host && hostOf(host) === hostOf(from)) &&
            !(scheme === "http:" && /^https\b/.test(first(proto ?? "")))
          )) &&
      !allowedOrigins?.includes(origin!)
    )
      return reply(403, { error: "Not allowed from another origin: list it in allowedOrigins" });
    let allowed: unknown;
    try {
      allowed = await authorize(request);
    } catch (cause) {
      return undecided(new DecartError(`${where}: authorize threw (see cause)`, { code: "AUTHORIZE_FAILED", cause }));
    }
    // Only `true` grants: a truthy object, string or number is a mistake, and refusing it fails closed.
    if (allowed !== true && allowed !== false) {
      return undecided(invalid(where, "authorize", "a function answering true or false", allowed));
    }
    if (!allowed) return reply(403, { error: "Not allowed to get a client token" });
    // After a 429, the client's rate-limit gate is shut for its Retry-After (at most a minute): the API is not asked
    // while it is, and the page is answered at once rather than held until it opens.
    const until = client.rateLimit.pausedUntil();
    if (until !== undefined) {
      const retryAfterMs = Math.ceil(until - monotonic());
      return limited(
        new RateLimitError(`${where}: not asked: the API's rate limit holds for ${retryAfterMs} ms more`, {
          retryable: true,
          retryAfterMs,
        }),
      );
    }
    let token: CreateTokenResponse;
    try {
      token = await client.tokens.create({ ...body, allowedModels: asked as never, signal });
    } catch (e) {
      if (e instanceof RateLimitError) {
        // The API's Retry-After, else how long the gate stays shut (its backoff).
        e.retryAfterMs ??= Math.ceil((client.rateLimit.pausedUntil() ?? monotonic()) - monotonic());
        return limited(e);
      }
      return failed(502, "Could not create a client token", e as DecartError);
    }
    // Hand on only a client key with a date to come: never a long-lived key an upstream may echo, never garbage.
    const problem = problemOf(token, holdsKey, Date.now());
    if (problem) {
      const error = new InvalidResponseError(`${where}: the API's answer is not a valid client token: ${problem}`);
      return failed(502, "Could not create a client token", error);
    }
    const { apiKey, expiresAt } = token;
    return reply(200, { apiKey, expiresAt });
  };

  /**
   * The route's answer, also written to a Node `ServerResponse` given after the request (the route mounted as a
   * node:http or Express handler, `route(req, res)`): its 500 then reaches the caller, who would otherwise wait for
   * ever. Not when the request is a Fetch API one (its `headers` have a `get`): the handler that made it writes the
   * answer itself. (Written at most once, never throwing.)
   */
  const written = async (response: Response, res: any, request: any) => {
    try {
      if (typeof request?.headers?.get !== "function" && typeof res?.writeHead === "function" && !res.headersSent) {
        res.writeHead(response.status, Object.fromEntries(response.headers)).end(await response.clone().text());
      }
    } catch {}
    return response;
  };
  return async (request: Request, res?: unknown) => written(await answered(request), res, request);
  async function answered(request: Request) {
    try {
      return await answer(request);
    } catch (cause) {
      // A request whose property reads throw (a Proxy, a getter, `Object.create(Request.prototype)`): a JSON 500 too,
      // never a rejected promise. (Everything else in `answer` is guarded where it can throw.)
      const error = new InvalidInputError(`${where}: "request" must be ${expected} (reading it threw; see cause)`, {
        field: "request",
        expected,
        cause,
      });
      return undecided(error);
    }
  }
}
