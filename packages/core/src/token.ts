import { isModelName } from "@decart/api";
import {
  clip,
  DecartError,
  errorFromResponse,
  InvalidResponseError,
  ignore,
  invalid,
  keyLike,
  type RateLimitError,
  shownUrl,
  textOf,
} from "./errors.js";
import { checkRetired } from "./models.js";
import { parseRetryAfter } from "./retry.js";
import { type KeySource, offline, offlineError, readText } from "./transport.js";

/** A short-lived client token as a token route answers it (`createTokenRoute`, or `client.tokens.create()`). */
export interface ClientToken {
  /** The key to send (`ek_…`). */
  apiKey: string;
  /** When it expires (ISO 8601). */
  expiresAt: string;
}

/**
 * Where a client gets its key when it holds none of its own: a function that answers a fresh client token, typically
 * by asking your server's token route (`fetchTokenFrom("/api/decart-token")`). Its `signal` aborts once no request
 * waits for that token any more (each one's wait ended: aborted, or timed out): stop the fetch then (pass it to your
 * `fetch`), as `fetchTokenFrom` does, so that nothing holds the connection (or a Node process) for nobody.
 */
export type TokenFetcher = (options?: { signal?: AbortSignal | undefined }) => Promise<ClientToken>;

/**
 * A token's scopes checked as `tokens.create` and `createTokenRoute` both check them, before any request: the models'
 * names, or a throw `InvalidInputError` (`ModelRetiredError` for a retired model) naming the field, for a scope no
 * request could ever match, so that no such token is minted. An empty list (a token for nothing: leave the field out
 * for all); a name that is none of the catalogue as written (a space, upper case, a typo) or a retired one; a
 * definition of your own (an object) is taken by any name it has (the API knows models the catalogue may not yet, and
 * checks it); an origin that is not one as a browser sends it (`https://app.example`: no path, `*`, upper case or
 * default port).
 */
export function checkScopes(
  where: string,
  models: readonly unknown[] | undefined,
  origins: readonly unknown[] | undefined,
  field = "allowedModels",
): string[] | undefined {
  for (const [name, list] of [
    [field, models],
    ["allowedOrigins", origins],
  ] as const) {
    if (list?.length === 0) throw invalid(where, name, "a list of at least one (leave it out for all)");
  }
  const names = models?.map((model, i) => {
    const name = typeof model === "string" ? model : (model as { name?: unknown })?.name;
    checkRetired(name, `${where}: model`);
    if (typeof name === "string" && (isModelName(name) || (model !== name && name))) return name;
    // What was given: a definition's name, else the item itself (`invalid` shows an object by its kind).
    throw invalid(where, `${field}[${i}]`, "models of the catalogue, or definitions with a name", name ?? model);
  });
  origins?.forEach((origin, i) => {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin as string);
    } catch {}
    if (!/^https?:$/.test(parsed?.protocol ?? "") || parsed!.origin !== origin) {
      throw invalid(where, `allowedOrigins[${i}]`, "a full origin such as https://example.org (no path or *)", origin);
    }
  });
  return names;
}

/**
 * The key source of a client made with `token`: the token is cached and refreshed shortly before `expiresAt` (30 s
 * before, or a quarter of its life for a short-lived one: its expiry is put on the client's clock `now` when it
 * arrives, by the wall clock `wall`), in the background while it is
 * still valid (it is sent meanwhile, and a renewal that fails then is no failure in a row; the next waits for the
 * route's Retry-After, 2 s at least, never past the token's expiry); one fetch at a time, which
 * every request waiting for a key shares, until it settles or the wait of every request sharing it has ended (each
 * one's `signal` aborted: its attempt timed out or was aborted), after which the next request asks again. A token that looks expired on arrival (a clock set wrong) is used until the
 * server refuses it. A failure of the fetcher is retryable (a network blip, a route down a moment) unless it is a typed
 * error that says otherwise: one with a status (`fetchTokenFrom`'s 403, 401 or 404) is the route's refusal, a final
 * `TOKEN_ERROR` keeping that status (the job of a watch it ends may be watched again); the third in a row, and each
 * after it until a token comes, is final (a fetch given up on that fails later is not counted). One that failed offline
 * (`navigator.onLine` false when it failed, no answer: no status, no body that is no token) is not counted: the
 * request fails as one sent offline does ("offline, not sent", a retryable CONNECTION_REFUSED). Each key, its spaces at
 * either end cut (a header's value loses them), is given to `refuse` first, which throws for one the client must not
 * send (a `dct_` key in a page), and is sent as `refuse` read it.
 */
export function tokenSource(
  fetcher: TokenFetcher,
  now: () => number,
  wall: () => number,
  refuse: (key: string) => void,
): KeySource {
  let key: string | undefined;
  let refreshAt = 0;
  /** When the token held expires (its `expiresAt`). */
  let expiry = 0;
  let pending: Promise<string> | undefined;
  let failures = 0;
  /** How many callers wait for `pending` (set when it starts). */
  let waiting: number;
  /** Aborts `pending`'s fetch (the fetcher's `signal`) once the last caller waiting for it left. */
  let stop: AbortController;
  /** Fetches a token; `waited` says whether the client still waits for this fetch (it was not given up on). */
  const fetchKey = async (waited: () => boolean, signal: AbortSignal) => {
    try {
      const token = await fetcher({ signal });
      const expires = Date.parse(token?.expiresAt);
      // The key as it is sent (a header's value loses its spaces at either end), read so: ` dct_…` is a `dct_` key.
      const apiKey = typeof token?.apiKey === "string" ? token.apiKey.trim() : "";
      // A key that cannot go in a header (a line break, `€`) would fail every request: refused here, never shown.
      if (!apiKey || /[^ -~]/.test(apiKey) || Number.isNaN(expires)) {
        // (Text: the TOKEN_ERROR below names it, and the answer's `error` when it has one: a refusal's JSON read as a
        // token by a function that did not check the status.)
        const said = (token as { error?: unknown } | undefined)?.error;
        throw `it answered no { apiKey, expiresAt } (an ISO date)${said ? `, but an error: ${JSON.stringify(clip(textOf(said), 200))}` : ""}`;
      }
      // A `dct_` key in a page: never sent, final (the client's `InvalidInputError`, as for the `apiKey` option).
      refuse(apiKey);
      // Its expiry on the client's clock, by the wall clock now (a later step of the wall clock moves it not).
      const ttl = expires - wall();
      expiry = now() + ttl;
      refreshAt = ttl > 0 ? expiry - Math.min(30_000, ttl / 4) : Infinity;
      failures = 0;
      key = apiKey;
      return key;
    } catch (cause) {
      // One rule for your function and `fetchTokenFrom`: a failure is retryable (one network blip does not end a
      // watch), but not for ever: the third in a row is final, naming its cause, so that a watch ends with it rather
      // than asking until its budget runs out and ending in a JobTimeoutError; its message says how many failed in a row
      // ("3 times in a row"), so that it does not read as one blip. A typed error that is not retryable
      // (`fetchTokenFrom`'s 403) is final at once, as it is. Only a fetch the client still waits for counts: one given
      // up on (it did not settle in time) that fails later is no failure of the fetches that followed it.
      // (A renewal that fails while the token held is still valid is no failure in a row: that token is used, and the
      // next renewal waits for the route's Retry-After, 2 s at least, never past the token's expiry.)
      if (held()) refreshAt = Math.min(expiry, now() + Math.max((cause as RateLimitError).retryAfterMs ?? 0, 2e3));
      // Failed while the browser is offline, and no answer (a status; a text: the route answered, a body that is no
      // token; a final error of the client's: a `dct_` key): the route is not at fault. Not counted in a row, and the
      // request waiting for the key fails as one sent offline would: a retryable `ConnectionError`
      // (CONNECTION_REFUSED), "…: offline, not sent".
      if (
        offline() &&
        typeof cause !== "string" &&
        !(cause instanceof DecartError && (cause.status || !cause.retryable))
      )
        throw offlineError(cause);
      const retryable = (waited() && !held() ? ++failures : failures) < 3;
      // A refusal (a typed error with a status, not retryable: the route's 403 once the session ended, a 401 of an auth
      // middleware in front of it, a 404 during a deploy) is the token source's, not the API's: a `TOKEN_ERROR`
      // keeping its status, final at once, after which the job may be watched again (`canWatchAgain`).
      const status = cause instanceof DecartError && !cause.retryable && cause.code !== "TOKEN_ERROR" && cause.status;
      if (status) {
        throw new DecartError(
          `The token route refused (HTTP ${status}): ${status < 500 ? "sign in again / " : ""}check the route; ${(cause as Error).message}`,
          { code: "TOKEN_ERROR", status, cause },
        );
      }
      if (cause instanceof DecartError && (retryable || !cause.retryable)) throw cause;
      throw new DecartError(
        `Could not get a client token${retryable ? "" : ` ${failures} times in a row`}: ${textOf(cause, true)}`,
        { retryable, code: "TOKEN_ERROR", cause },
      );
    }
  };
  /** The token held, while it is still valid (by `expiresAt`). */
  const held = () => (now() < expiry ? key : undefined);
  return {
    get(signal) {
      // (A key is never empty: an empty one is refused above.)
      if (key && now() < refreshAt) return key;
      // One fetch at a time, shared by every caller meanwhile; forgotten when it settles, or when the wait of every
      // caller for it has ended (each attempt timed out or was aborted): one that never settles does not hold every
      // later request, and while one caller still waits, the next shares it (and its failure counts). What a fetch
      // forgotten so gets is kept all the same.
      /**
       * Forgets `fetching` as the fetch going on, if it still is (`left`, a waiter's abort: once the last one left): the
       * next request asks again.
       */
      const drop = (left?: unknown) => {
        if (pending === fetching && !(left && --waiting)) {
          pending = undefined;
          // The last caller left: nobody waits for this fetch, which is stopped (its signal aborted).
          if (left) stop.abort();
        }
      };
      // The fetch going on, else a new one, waited for while it is the one going on. (Unset while the new one starts: a
      // fetcher that throws at once is waited for, `pending` unset too.)
      let fetching: Promise<string> | undefined;
      waiting = pending ? waiting + 1 : 1;
      if (!pending) stop = new AbortController();
      fetching = pending ??= fetchKey(() => pending === fetching, stop.signal).finally(drop);
      // Past `refreshAt`, the token held is sent while it is still valid, and its renewal goes on in the background
      // (waited for by no request): one that fails (the network gone a moment, the route down) ends nothing, and the
      // next request asks again.
      if (held()) {
        waiting--;
        fetching.catch(ignore);
        return key!;
      }
      signal?.addEventListener("abort", drop);
      return fetching;
    },
    renew(used) {
      if (key === used) key = undefined;
    },
  };
}

/**
 * A token fetcher that POSTs to your token route (a URL or a path of the page's origin, e.g. a route made with
 * `createTokenRoute`) and reads its `{ apiKey, expiresAt }`. `init` is added to the request (headers, credentials …).
 * Of the answer, at most the first MiB is read (the rest is not waited for), as of every answer the client reads: a
 * longer one is an `InvalidResponseError` (not JSON once cut). A route that cannot be reached, whose answer breaks
 * off, or that has not answered in full within `timeoutMs` (default 60 s, the client's default `timeoutMs`; the
 * request is then aborted, whatever `init` holds: a `signal` of yours in it aborts the request too, and so does the
 * client's, once no request waits for the token) is a `TOKEN_ERROR`
 * that is `retryable`, as a broken connection is. A refusal is the status's error (a 503 is `retryable`), its
 * `retryAfterMs` the route's `Retry-After`; `createTokenRoute`'s 502 `{ code, status }` (a string code, a whole status;
 * no other answer's JSON `status`) names what the API answered the route too, and for a 4xx but 408 and 429 says the
 * API refused the route's own key, not `retryable`. A client's token source takes these as any fetcher's failures: the third
 * in a row is final (one that failed offline is not counted: the request is "offline, not sent"), and a refusal that
 * is not `retryable` (a 401, 403, 404) is a final `TOKEN_ERROR` at once, its status kept. The route's URL is shown in errors without its query, fragment and credentials, and what fetch
 * threw is not the `cause` (it may quote them): its message is in the error's.
 */
export const fetchTokenFrom =
  (url: string, init?: RequestInit, timeoutMs = 60_000): TokenFetcher =>
  async (options) => {
    const shown = shownUrl(url);
    const where = `Token route ${shown}: `;
    let response: Response;
    let text: string;
    // The request is aborted at `timeoutMs`, its reason the message, or when a `signal` of `init` (or the client's)
    // aborts, with its reason; the timer and the listener go as soon as the answer is read (a page's timer is not left
    // running).
    const controller = new AbortController();
    // Yours (`init`'s), and the client's (no request waits for this token any more).
    const signals = [init?.signal, options?.signal];
    const abort = ({ target }: { target: any }) => controller.abort(target.reason);
    const timer = setTimeout(() => controller.abort(`no answer within ${timeoutMs} ms`), timeoutMs);
    for (const signal of signals)
      signal?.aborted ? abort({ target: signal }) : signal?.addEventListener("abort", abort);
    try {
      response = await fetch(url, { method: "POST", ...init, signal: controller.signal });
      text = await readText(response);
    } catch (cause) {
      // The route could not be reached, or its answer broke off or did not come in time: trying again later may
      // succeed.
      throw new DecartError(where + textOf(cause, true).split(url).join(shown), {
        retryable: true,
        code: "TOKEN_ERROR",
      });
    } finally {
      clearTimeout(timer);
      for (const signal of signals) signal?.removeEventListener("abort", abort);
    }
    if (!response.ok) {
      // A route's Retry-After (a token route rate-limited by the API answers 503 with one) paces the client's retries.
      // (An HTTP-date there is counted from the answer's own Date, as the transport counts the API's.)
      const error = errorFromResponse(response.status, text, {
        retryAfterMs: parseRetryAfter(response.headers),
      });
      error.message = where + error.message;
      // What the API answered the route, in `createTokenRoute`'s 502 `{ code, status }` only (another server's JSON
      // `status`, a JSend "error" or a Spring 404's, is no answer of the API's): named, and a refusal (a 4xx but 408 and
      // 429: a wrong key, a client token as the route's key) is not asked again.
      let said: any;
      try {
        said = JSON.parse(text);
      } catch {}
      if (response.status === 502 && typeof said?.code === "string") {
        const status = typeof said.status === "number" && /^\d{3}$/.test(said.status) && said.status;
        error.message += `; the route said: ${said.code}${status ? ` (the API's HTTP ${status})` : ""}`;
        if (/^4(?!08|29)/.test(status)) {
          error.message += ": the API refused the route's own key (its apiKey)";
          error.retryable = false;
        }
      }
      throw error;
    }
    try {
      return JSON.parse(text);
    } catch {
      // Shown cut as the API's answers are, and by its length alone when it looks like a token (one answered as text);
      // no cause: JSON.parse's error quotes the text.
      throw new InvalidResponseError(
        `${where}not JSON (${keyLike(text) ? `${text.length} characters` : JSON.stringify(clip(text, 80))})`,
        {
          status: response.status,
          // Nothing was sent to the API: the client may try again.
          retryable: true,
        },
      );
    }
  };
