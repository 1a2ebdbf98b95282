import { AsyncLocalStorage } from "node:async_hooks";
import { subscribe } from "node:diagnostics_channel";
import type { ClientRequest, IncomingMessage } from "node:http";
import { defaultBaseUrl } from "@decart/api";
import {
  createDecartClient,
  type DecartClient,
  InvalidInputError,
  shownUrl,
  TimeoutError,
  type UploadBody,
  type UploadFunction,
} from "@decart/core";
import { mayHaveTaken, nodeUpload } from "@decart/core/node";
import { now } from "./clock.js";
import { CALL_BUDGET_MS, CliError, EXIT, givenSetting, useCallBudget } from "./exit.js";
import { type Output, untrusted } from "./output.js";
import { proxyAgent, refusedProxy } from "./proxy.js";

/** The options every command shares (commander's global options). */
export interface GlobalOptions {
  apiKey?: string;
  baseUrl?: string;
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  color?: boolean;
  journal?: string;
}

/**
 * The key and URL in effect: flags over the environment. The key is registered as a secret before anything else. A
 * key given as `--api-key` is visible to every user of the machine (the process list, shell history): in human mode,
 * a one-line warning on stderr recommends `DECART_API_KEY` (never showing the key).
 */
export function settings(options: GlobalOptions, output: Output, env: NodeJS.ProcessEnv = process.env) {
  const apiKey = givenSetting(
    options.apiKey,
    env.DECART_API_KEY,
    ["--api-key", "DECART_API_KEY"],
    (flag) =>
      flag
        ? "give the key, or leave the flag out to use DECART_API_KEY"
        : "set it to the key (for a local server, run `decart emulator`)",
    EXIT.auth,
  )?.trim();
  output.addSecret(apiKey);
  // A key is sent in a header, which takes visible ASCII only: a line break, a control character or a letter outside
  // ASCII (a key pasted with its line end, a typographic quote) would fail as the request is sent, looking like a
  // network error. Refused here, before anything is sent, naming where the key came from (never the key).
  const bad = apiKey === undefined ? -1 : apiKey.search(/[^\x20-\x7e]/);
  if (bad >= 0) {
    const code = apiKey!.codePointAt(bad)!;
    throw new CliError(
      `${options.apiKey !== undefined ? "--api-key" : "DECART_API_KEY"} holds a character that an HTTP header cannot ` +
        `carry (U+${code.toString(16).toUpperCase().padStart(4, "0")} at position ${bad + 1}: a control character ` +
        "or one outside ASCII, such as a line break pasted with it); check the key (nothing was sent)",
      EXIT.auth,
    );
  }
  if (options.apiKey !== undefined && !output.json) {
    output.info(
      output.err.yellow(
        "Warning: --api-key is visible to other users in the process list; prefer the DECART_API_KEY variable",
      ),
    );
  }
  return { apiKey, baseUrl: givenBaseUrl(options, env) };
}

/**
 * `--base-url`, else `DECART_BASE_URL`, trimmed; undefined when neither is set. One set but empty or only white space
 * is a usage error naming it (see `givenSetting`): taken as unset, it sent the key to the production API.
 */
const givenBaseUrl = (options: GlobalOptions, env: NodeJS.ProcessEnv): string | undefined =>
  givenSetting(
    options.baseUrl,
    env.DECART_BASE_URL,
    ["--base-url", "DECART_BASE_URL"],
    (flag) =>
      `give the API's URL, such as http://127.0.0.1:4010, or ${flag ? "leave the flag out" : "unset it"} for ` +
      `${flag ? "DECART_BASE_URL, else " : ""}${defaultBaseUrl}`,
  )?.trim();

/**
 * What the CLI saw of the last request its client sent through the upload function (a submit, an image), for a
 * `--timeout` that cut it: the client's abort then names neither in a field of its own. `body` is the request's body,
 * whose `bodySent` the upload function sets (`UploadBody` of `@decart/core`: `true` once the whole body was handed to
 * the connection); `status` and `requestId` (its `x-request-id`) are the answer's, once its headers came.
 */
export interface UploadTrace {
  body?: UploadBody | undefined;
  status?: number | undefined;
  requestId?: string | undefined;
  /** The media type of its answer (its `Content-Type` without parameters, in lower case), as the server labelled it. */
  contentType?: string | undefined;
}

/** An answer's media type: its `Content-Type` without parameters, in lower case (undefined when it has none). */
const mediaTypeOf = (response: Response): string | undefined =>
  (response.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase() || undefined;

/**
 * Whether the request of `trace` may have made something (a job, an image) that its answer never told of: the core's
 * one rule for a POST (`mayHaveTaken`, by which its transport marks such a failure `SUBMIT_OUTCOME_UNKNOWN`). A 301,
 * 302, 307 or 308 (a redirect that asks for the same request elsewhere) says the server did not take it; any other
 * answer of 2xx or 3xx (a 303: the server took the request, and the request the client follows it with is not that
 * one) says it may, whether or not the whole body had gone; a 4xx (408 and 429 too) or a 503 says the server did not
 * act on it; otherwise (a 5xx other than 503, no answer) it may unless its body was not sent whole. False before any
 * request.
 */
export const mayHaveMade = ({ body, status }: UploadTrace): boolean =>
  body !== undefined && mayHaveTaken(status, body.bodySent);

/** The status of the answer that says the server did not act on the request of `trace` (a 4xx, a 503), if one came. */
export const refusedWith = (trace: UploadTrace): number | undefined =>
  trace.status !== undefined && trace.status >= 400 && !mayHaveMade(trace) ? trace.status : undefined;

/**
 * What the work of `onRequestStart` is told of each request of it to the API (a try: a retry is another): `started`
 * as it starts, with its body (whose `bodySent` the upload function sets: see `UploadBody`); then `answered` with its
 * answer's status and request id once the answer's headers came, or `failed` when none came.
 */
export interface RequestWatcher {
  started(body: UploadBody): void;
  /** `contentType`: the answer's media type as the server labelled it (see `UploadTrace`). */
  answered(status: number, requestId: string | undefined, contentType: string | undefined): void;
  failed(): void;
}

/** What `onRequestStart` runs its work with (see `clientFor`). */
const requestStarts = new AsyncLocalStorage<RequestWatcher>();

/** The errors of work whose last request to the API had an answer (see `onRequestStart`). */
const afterAnswers = new WeakSet<object>();

/**
 * Whether `error` ended work (see `onRequestStart`) whose last request to the API had an answer, its status and
 * headers, although the client's error may not say so: a body cut short carries no status. Its message then speaks of
 * an answer that could not be used, not of one that never came.
 */
export const answeredBefore = (error: unknown): boolean =>
  error !== null && typeof error === "object" && afterAnswers.has(error);

/**
 * Runs `work`, telling `watcher` of each request of it to the API: when the client hands a multipart request (a
 * submit, an image; every paid request is one) to its upload function, before any byte of it is sent, and how that
 * try ended. What comes before is not told (a file input given as a URL downloaded, a file looked at, a wait at the
 * rate-limit gate, a wait to try again): nothing of the call is at the API then. Told per call, through the calls'
 * async context: a batch's submits share one client.
 */
export const onRequestStart = async <T>(watcher: RequestWatcher, work: () => Promise<T>): Promise<T> => {
  // Whether the last try had an answer, for the message of a failure after it (see `answeredBefore`).
  let answered = false;
  const told: RequestWatcher = {
    started: (body) => {
      answered = false;
      watcher.started(body);
    },
    answered: (status, requestId, contentType) => {
      answered = true;
      watcher.answered(status, requestId, contentType);
    },
    failed: () => watcher.failed(),
  };
  try {
    return await requestStarts.run(told, work);
  } catch (error) {
    if (answered && error !== null && typeof error === "object") afterAnswers.add(error);
    throw error;
  }
};

/**
 * What the client says is wrong with `url` as the API's URL (its `InvalidInputError`, whose `expected` says what it
 * must be: an http(s) URL without @, ? or #, and one that parses), or undefined when the client takes it. The client's
 * own check, made by a client made for nothing else (it sends nothing): one rule for a URL the user gave and one a
 * journal recorded.
 */
export function baseUrlProblem(url: string): InvalidInputError | undefined {
  try {
    createDecartClient({ apiKey: "unused", baseUrl: url });
    return undefined;
  } catch (error) {
    if (InvalidInputError.isInstance(error) && error.field === "baseUrl") return error;
    throw error;
  }
}

/**
 * `url` as the WHATWG URL parser writes it (scheme and host in lower case, a default port dropped), without a trailing
 * `/`: one server's URL however it is spelled (`HTTP://LOCALHOST:4010/` is `http://localhost:4010`,
 * `https://api.decart.ai:443` is `https://api.decart.ai`), as the journal records it and a batch compares it. One that
 * does not parse is kept as given (the client refuses it).
 */
export const normalUrl = (url: string): string => {
  let href = url;
  try {
    href = new URL(url).href;
  } catch {}
  return href.replace(/\/+$/, "");
};

/** The API's URL in effect (`--base-url`, else `DECART_BASE_URL`, else the API's own), normalized (`normalUrl`). */
export const baseUrlOf = (options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): string =>
  normalUrl(givenBaseUrl(options, env) ?? defaultBaseUrl);

/** Where `--verbose` logs the requests (see `logRequests`): the output of the last client made with it. */
let requestLog: Output | undefined;

/**
 * Logs each HTTP request the process sends on `output`'s stderr (with `--verbose`): as it starts (method, URL), then
 * as its answer's headers come (status, request id, time since it started) or it fails (the error's message). Never a
 * header, so never the key; a URL is shown as the client's errors show it (`shownUrl`: without credentials, query and
 * fragment, for a file input given as a signed URL). Read from Node's diagnostics channels, undici's (fetch: a file
 * input's URL) and node:http's (the upload function's: every request to the API), which only watch: the
 * client is made as without `--verbose`. (A logging `fetch` given to it was what it then downloaded a result with,
 * with that fetch's checks rather than `saveResult`'s own over node:http: Node 20's fetch takes a chunked or gzip body
 * cut short as complete, and the cut video was saved.)
 */
function logRequests(output: Output): void {
  const subscribed = requestLog !== undefined;
  requestLog = output;
  if (subscribed) return;
  const open = new WeakMap<object, { method: string; url: string; sent: string; at: number }>();
  const log = (line: string) => requestLog?.debug(line);
  // A request to a proxy names its target in its path: the whole URL (`http_proxy`: `GET http://host/path`), or a host
  // and port to tunnel to (`CONNECT host:443`, then the request itself through the tunnel, logged as any other).
  const started = (request: object, method: string, origin: string, path: string) => {
    const sent = /^[a-z][a-z0-9+.-]*:\/\//i.test(path) ? path : method === "CONNECT" ? origin : origin + path;
    const url = method === "CONNECT" ? `${untrusted(path)} (proxy ${shownUrl(sent)})` : shownUrl(sent);
    open.set(request, { method, url, sent, at: performance.now() });
    log(`→ ${method} ${url}`);
  };
  const answered = (request: object, status: number, id: unknown) => {
    const r = open.get(request);
    if (!r) return;
    open.delete(request);
    const ms = Math.round(performance.now() - r.at);
    const said = typeof id === "string" && id ? `, request ${untrusted(id)}` : "";
    log(`← ${status} ${r.method} ${r.url} (${ms} ms${said})`);
  };
  const failed = (request: object, error: unknown) => {
    const r = open.get(request);
    if (!r) return;
    open.delete(request);
    // An error's message may quote the URL as it was sent: shown there as in the line.
    const said = String((error as Error)?.message ?? error);
    log(`✗ ${r.method} ${r.url}: ${untrusted(said.split(r.sent).join(r.url))}`);
  };
  type Undici = {
    request: { method: string; origin: string; path: string };
    response?: { statusCode: number; headers: unknown[] };
    error?: unknown;
  };
  subscribe("undici:request:create", (m) => {
    const { request } = m as Undici;
    started(request, request.method, request.origin, request.path);
  });
  subscribe("undici:request:headers", (m) => {
    const { request, response } = m as Undici;
    // The headers as they came: name, value, name, value … (each a Buffer or a string).
    const raw = response!.headers.map(String);
    const at = raw.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === "x-request-id");
    answered(request, response!.statusCode, at < 0 ? undefined : raw[at + 1]);
  });
  subscribe("undici:request:error", (m) => failed((m as Undici).request, (m as Undici).error));
  subscribe("http.client.request.start", (m) => {
    const { request } = m as { request: ClientRequest };
    started(request, request.method, `${request.protocol}//${request.getHeader("host")}`, request.path);
    // Watched as it fails (whoever sent it listens for its errors too: this changes nothing of what they see).
    request.once("error", (error) => failed(request, error));
  });
  subscribe("http.client.response.finish", (m) => {
    const { request, response } = m as { request: ClientRequest; response: IncomingMessage };
    answered(request, response.statusCode!, response.headers["x-request-id"]);
  });
}

/**
 * What was left of `--timeout` (ms) when a call under it failed (see `untilTimeout`), by its error: see `retryAfter`.
 */
const lefts = new WeakMap<object, number>();
export const leftOf = (error: unknown): number | undefined =>
  error !== null && typeof error === "object" ? lefts.get(error) : undefined;

/**
 * Runs `call`, a request of the client's that `--timeout` (`ms`; undefined without it) bounds (`jobs submit`, `jobs
 * status`, `image`), given its `deadline`: `--timeout`'s end on the CLI's clock (the client's too). The client's
 * retries then wait within what is left of `--timeout`, the tries' own time counted: a `Retry-After` past what is left
 * fails at once (exit 1), not after a wait that `--timeout` cuts (exit 5). `limit` is `--timeout`'s own timer (see
 * `withinTimeout`), due at the same instant: a `TimeoutError` of the client's at the deadline (its cut of a request
 * still going, a try with no time left) waits for it, so that `--timeout`'s message is the one given.
 */
export async function untilTimeout<T>(
  ms: number | undefined,
  limit: AbortSignal | undefined,
  call: (deadline: number | undefined) => Promise<T>,
): Promise<T> {
  const deadline = ms === undefined ? undefined : now() + ms;
  try {
    return await call(deadline);
  } catch (error) {
    const left = deadline! - now();
    if (deadline !== undefined && error !== null && typeof error === "object") lefts.set(error, left);
    if (limit && !limit.aborted && TimeoutError.isInstance(error) && left < 50)
      // (`AbortSignal.timeout`'s timer keeps no process alive: this one does, for a few ms more at most.)
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, left) + 50);
        limit.addEventListener("abort", () => resolve(clearTimeout(timer)), { once: true });
      });
    throw error;
  }
}

/**
 * A client for the key and URL in effect. With `--verbose`, each HTTP request is logged on stderr (see `logRequests`).
 */
export function clientFor(
  options: GlobalOptions,
  output: Output,
  env: NodeJS.ProcessEnv = process.env,
  /**
   * Retries of one call after a failure the server certainly did not act on (a 429, a 503 …); the client's default: 2.
   */
  maxRetries?: number,
  /**
   * `--timeout` in ms, of a command whose `--timeout` bounds one upload and its retries (`image`, `jobs submit`): the
   * client's `timeoutMs`, for the message of a `Retry-After` past it (see `retryAfter`). What the client's retries may
   * wait is what is left of `--timeout`, the tries' time counted: the command gives the call `--timeout`'s end as its
   * `deadline` (see `untilTimeout`), and a `Retry-After` reaching past it fails at once (the client's rule).
   * (That setting, the client's `timeoutMs`, is also each try's limit for a request that uploads nothing or a submit
   * of text parts only: started after `--timeout`'s own timer, of the same length, it never ends first, so
   * `--timeout`'s message is the one given. A status read that stalls would use up the whole budget and not be tried
   * again, so `jobs status` gives its `--timeout` as the read's deadline instead. An upload's limit is the client's
   * `uploadTimeoutMs`, unchanged, so a submit's or an image's stalled upload is not held longer by it.)
   */
  budgetMs?: number,
  /** Filled in by each request sent through the upload function (see `UploadTrace`). */
  trace?: UploadTrace,
): DecartClient {
  const { apiKey, baseUrl } = settings(options, output, env);
  if (!apiKey) {
    throw new CliError(
      "No API key: set DECART_API_KEY or pass --api-key (for a local server, run `decart emulator`)",
      EXIT.auth,
    );
  }
  if (output.verbose) logRequests(output);
  // Behind a proxy (HTTPS_PROXY …), every request goes through it: the uploads and downloads over node:http by this
  // agent (the status reads too: the client sends every request to the API through it), Node's fetch (a file input
  // given as a URL) by its global dispatcher (see proxy.ts).
  const sent = nodeUpload({ agent: proxyAgent(env) });
  // The API's requests through an ALL_PROXY the CLI cannot speak: refused here, before anything is sent.
  refusedProxy(env, baseUrlOf(options, env));
  const traced: UploadFunction = !trace
    ? sent
    : async (url, init) => {
        // Each try (a retry, a redirect) starts it again.
        Object.assign(trace, { body: init.body, status: undefined, requestId: undefined, contentType: undefined });
        const response = await sent(url, init);
        trace.status = response.status;
        trace.requestId = response.headers.get("x-request-id") || undefined;
        trace.contentType = mediaTypeOf(response);
        return response;
      };
  // Each try of a paid request starts here, and is told of as it ends (see `onRequestStart`).
  const upload: UploadFunction = async (url, init) => {
    const watcher = requestStarts.getStore();
    watcher?.started(init.body);
    let response: Response;
    try {
      response = await traced(url, init);
    } catch (error) {
      watcher?.failed();
      throw error;
    }
    watcher?.answered(response.status, response.headers.get("x-request-id") || undefined, mediaTypeOf(response));
    return response;
  };
  // The client's other requests (status reads, the results' downloads) over node:http through the same agent: the
  // upload function's `fetch`, which the client takes from the function it is given (without it, they went through
  // Node's fetch and global agent: past a proxy, a video was made and never downloaded).
  Object.assign(upload, { fetch: (sent as { fetch?: typeof fetch }).fetch });
  const timeoutMs = budgetMs ?? CALL_BUDGET_MS;
  useCallBudget(budgetMs ?? CALL_BUDGET_MS);
  try {
    return makeClient();
  } catch (error) {
    // The client names its own option ("baseUrl"): the user set a flag or a variable, named here as a bad key is.
    if (!InvalidInputError.isInstance(error) || error.field !== "baseUrl") throw error;
    const flag = options.baseUrl !== undefined;
    // Why, for the client's rule against @, ? and #; a URL that does not parse (a space in its host, `[::1`) says so
    // alone, with the form it takes.
    const why = /#/.test(error.expected ?? "")
      ? " (a query or fragment would swallow the API's paths, credentials would show in logs)"
      : "";
    throw new CliError(
      `${flag ? "--base-url" : "DECART_BASE_URL"} must be ${error.expected}${why}; give the server's URL, such as ` +
        `http://127.0.0.1:4010, or leave it ${flag ? "out" : "unset"} for ${defaultBaseUrl} (nothing was sent)`,
      EXIT.usage,
      undefined,
      false,
      error.code,
    );
  }

  function makeClient(): DecartClient {
    return createDecartClient({
      apiKey,
      // (For an upload, each try's limit is the client's `uploadTimeoutMs`, 10 minutes: only the budget changes.)
      ...(timeoutMs !== CALL_BUDGET_MS && { timeoutMs }),
      ...(baseUrl && { baseUrl }),
      integration: "decart-cli",
      // Its deadlines and the CLI's on one steady clock (see clock.ts).
      poll: { now },
      ...(maxRetries !== undefined && { maxRetries }),
      // Files are streamed from disk with bounded memory and upload progress (Node's fetch would buffer them whole).
      upload,
      logger: {
        warn: (m) => output.warn(output.err.yellow(untrusted(m))),
        error: (m) => output.warn(output.err.red(untrusted(m))),
        debug: (m) => output.debug(untrusted(m)),
      },
    });
  }
}
