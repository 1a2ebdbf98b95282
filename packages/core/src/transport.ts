import { apiKeyHeader } from "@decart/api";
import { fixJob, idOf, isUsableId, NEWER, unknownTo, unreadable } from "./engine.js";
import {
  aborted,
  ConnectionError,
  callbackThrew,
  clip,
  DecartError,
  errorFromResponse,
  httpSuffix,
  InvalidInputError,
  InvalidResponseError,
  ignore,
  unsent as marked,
  msOf,
  type NotFoundError,
  notSent,
  shown,
  shownUrl,
  TimeoutError,
  textOf,
} from "./errors.js";
import { MAX_ANSWER_BYTES } from "./limits.js";
import { either, onAbort } from "./poll.js";
import { away, heard, parseRetryAfter, type RetryPolicy, retry } from "./retry.js";
import type { DownloadProgress, UploadBody } from "./types.js";
import { isBlob, isMp4Start, mediaOf } from "./validate.js";

/** A client's key for the next request, and the way to drop one the server refused (401). */
export interface KeySource {
  /**
   * The key to send now (asks the token fetcher when there is none, or it is about to expire); `signal` aborts when the
   * attempt gives up waiting for it.
   */
  get(signal?: AbortSignal): string | Promise<string>;
  /** The server refused `used`: drop it (unless already replaced), so that the next `get` fetches a new one. */
  renew?(used: string): void;
}

/**
 * How one logical request is sent (a GET or DELETE is safe to repeat; a POST is repeated only when the server certainly
 * did not take it).
 */
export interface Call {
  signal?: AbortSignal | undefined;
  /** Retries after the first attempt (default: the client's `maxRetries`). */
  maxRetries?: number;
  /** The end of the call's budget (by the client's clock): no attempt runs past it, and no retry starts after it. */
  deadline?: number | undefined;
  /**
   * A `JobTimeoutError` when the deadline ends the retries (default: the last failure): the budget's length in ms, which
   * its message names.
   */
  expired?: number | undefined;
  /** The budget's length in ms (`deadline` is its end), which a timeout at the deadline names: "the budget of N ms". */
  budgetMs?: number | undefined;
  /** What the call may wait in all, in ms (`RetryCall.spare`): `0` fails at a shut rate-limit gate at once. */
  spare?: number | undefined;
  /** The body: multipart, or JSON text. */
  body?: FormData | string | undefined;
  jobId?: string | undefined;
  onProgress?: ((progress: DownloadProgress) => void) | undefined;
  /** A JSON answer's check against the spec (the call's `jobId` given too): what is wrong with `body`, or nothing. */
  json?: ((body: any, jobId?: string) => string | undefined) | undefined;
  /** The `fetch` for this call (saveResult's, over node:http), else the transport's. */
  fetch?: typeof fetch | undefined;
  /** The media types a binary answer may have (`application/octet-stream` is accepted too); it must not be empty. */
  media?: readonly string[] | undefined;
}

/** Error codes (`ECONNREFUSED` …) anywhere in a `cause` chain or an `AggregateError`, outermost first. */
const errorCodes = (error: any, depth = 0): string[] =>
  error && typeof error === "object" && depth < 9
    ? [error.code, ...[error.cause].concat(error.errors).flatMap((e) => errorCodes(e, depth + 1))].filter(
        (code) => typeof code === "string",
      )
    : [];

/**
 * The input of a multipart body sent by fetch that failed as a file that cannot be read whole does (Node's
 * `NotReadableError`: changed since it was opened; undici's length mismatch: it reads shorter than its size, as a /sys
 * file): the first Blob part that reads so again, its bytes counted a MiB at a time (none kept: a file of 2 GB is
 * not read into memory again, at the moment memory is shortest). Its error is the input's, naming the file (a
 * File's `name`), as nodeUpload's: nothing was made.
 */
const unsendable = async (body: UploadBody, e: any) => {
  let hit: unknown;
  // (A thrown value whose property reads throw is a failure of the connection: see `failure`.)
  try {
    hit = /NotReadable|LENGTH_MISMATCH/.test(errorCodes(e) + e?.cause?.name);
  } catch {}
  if (hit)
    for (const [name, value] of body.parts ?? []) {
      if (!isBlob(value)) continue;
      // A MiB at a time, each dropped once counted (not `stream()`: Node hands an in-memory Blob's over as one chunk, a
      // copy of all of it). A read that fails counts as none: -1.
      let bytes = 0;
      try {
        for (let at = 0; at < value.size; at += 2 ** 20)
          bytes += (await value.slice(at, at + 2 ** 20).arrayBuffer()).byteLength;
      } catch {
        bytes = -1;
      }
      const file = (value as File).name;
      if (bytes !== value.size)
        return new InvalidInputError(
          `Could not send the input "${name}"${file ? ` (${file})` : ""}: it changed while it was sent, or reads shorter than its size; nothing was made`,
          { field: name, cause: e },
        );
    }
};

/** A browser without a network (`navigator.onLine` false): its fetch fails before anything leaves the machine. */
export const offline = () => (globalThis as any).navigator?.onLine === false;

/** What a request that failed offline says. */
const OFFLINE = "offline, not sent";

/** The failures of token fetches offline (`offlineError`), known by this mark, not by their words. */
const lost = new WeakSet<object>();

/**
 * The failure of a token fetch offline (token.ts): the request waiting for that key fails as one sent offline does,
 * in its own words, a `ConnectionError` as its own failure would be.
 */
export const offlineError = (cause: unknown) => {
  const error = new DecartError(OFFLINE, { retryable: true, code: "CONNECTION_REFUSED", cause });
  lost.add(error);
  return error;
};

/** The most of an answer's text that is read (a JSON answer, an error page): memory stays bounded, whatever comes. */
const MAX_TEXT = 2 ** 20;

/**
 * An answer's text, up to `MAX_TEXT` bytes and a chunk (the rest is not read: the body is cancelled). The chunks are
 * kept in `got` as they come: a caller that gives it has what came before a read that failed.
 * @internal
 */
export const readText = async (response: Response, got: (Uint8Array<ArrayBuffer> | string)[] = []) => {
  const reader = response.body?.getReader();
  // A fetch whose answers have no body stream (React Native's, whatwg-fetch's) has read it whole: its text, cut as a
  // stream's would be.
  if (!reader) got.push((await response.text()).slice(0, MAX_TEXT + 1));
  for (let bytes = 0; reader && bytes <= MAX_TEXT; ) {
    const { done, value } = await reader.read();
    if (done) break;
    got.push(value);
    bytes += value.length;
  }
  reader?.cancel().catch(ignore);
  return reader ? new Blob(got).text() : (got[0] as string);
};

/**
 * An answer's Content-Length, as a number (the header read once, into `length`); none (undefined) when it has a
 * Content-Encoding other than identity (gzip …): fetch (and `nodeUpload`) hand the body over decoded, and the length
 * is of the encoded bytes, which says nothing of the decoded ones.
 */
export const lengthOf = (headers: Headers, length = headers.get("content-length")) =>
  length && /^(identity)?$/i.test(headers.get("content-encoding") ?? "") ? +length : undefined;

/**
 * The one rule of whether the server may have taken a request that creates something (a POST: a submit, `process`,
 * `files.upload`) although its answer was lost: `status` is that request's answer's, once its headers came; `bodySent`
 * what its upload function says of its body (`UploadBody.bodySent`; unset with `fetch`). A 301, 302, 307 or 308 (a
 * redirect that asks for the same request elsewhere, followed or not) says the server that answered it took nothing:
 * the request sent on, if it was, has an answer of its own, which decides. Any other answer of 2xx or 3xx (a 303: the
 * answer is elsewhere; a 300, a 304) says the server took it, however much of the body went; a 4xx (408 and 429 too)
 * or a 503 that it did not act on it. For a 5xx other than 503, or no answer (`status` undefined), the answer is only
 * meaningful with `bodySent`: it may, unless the body was not sent whole (`bodySent` false; undefined counts as sent).
 * The transport's `SUBMIT_OUTCOME_UNKNOWN` follows it (exported from `@decart/core/node`).
 */
export const mayHaveTaken = (status: number | undefined, bodySent: boolean | undefined): boolean =>
  !/^(4|30[1278]|503)/.test(status as never) && (status! < 400 || bodySent !== false);

/**
 * A proxy's refusal to open a tunnel to the API (its CONNECT answered other than 200: 407 wants credentials, 403 a host
 * not allowed, 502 the API not reached): its status, from undici's `ProxyAgent`'s error anywhere in a fetch failure's
 * cause chain ("Proxy response (407) !== 200 when HTTP Tunneling"); else undefined.
 */
export const proxyStatus = (e: any, depth = 0): number | undefined =>
  e && typeof e === "object" && depth < 9
    ? +(/Proxy response \((\d+)\) !== 200/.exec(e.message)?.[1] ?? 0) || proxyStatus(e.cause, depth + 1)
    : undefined;

/**
 * The error of a request whose proxy refused the tunnel (`status`: by default `e`'s, see `proxyStatus`; nodeUpload's
 * from https-proxy-agent's `proxyConnect`), or undefined: nothing reached the API (a POST made nothing); retried for a
 * 408, 429 or 5xx (as the API's answers are), not for a refusal (another attempt would be refused the same).
 */
export const proxyRefused = (where: string, e: unknown, jobId?: string, status = proxyStatus(e)) => {
  if (!status) return;
  const again = [408, 429].includes(status) || status >= 500;
  const error = new ConnectionError(
    `${where}: the proxy refused (HTTP ${status}), nothing was sent${again ? "" : ", not retried: check its credentials and rules"}`,
    { retryable: again, jobId, cause: e, code: "CONNECTION_ERROR" },
  );
  refusals.add(error);
  return error;
};

/** The errors of `proxyRefused` (an upload function's too): nothing was sent, whatever its body says. */
const refusals = new WeakSet<object>();

/** An answer's Content-Type, trimmed (both roads give the same `cause`). */
const contentType = (headers: Headers) => (headers.get("content-type") ?? "").trim();

/**
 * The media type of an answer, lower case, without parameters; a Content-Type of more than one (a comma outside a
 * quoted parameter: sent twice, `video/webm; codecs=vp9, video/webm`) is none, its whole text that no check accepts.
 */
const mediaType = (headers: Headers, type = contentType(headers)) =>
  type.replace(/"(?:[^"\\]|\\.)*"/g, "").includes(",") ? type.toLowerCase() : mediaOf(type);

/**
 * The waits of one attempt (a request's, or the read of a file input): its signal, aborted by its timer or by `signal`
 * (with its reason); `until`, which waits for `wait` under the timer, started again (not with `going`: it runs on) for
 * `ms` and never past `deadline` (by `now`), and settles as `wait` does, or rejects as soon as the attempt is aborted
 * (at once if it already is), whether or not `wait` ever settles (a token fetcher's key, a read that never comes, or a
 * read of a body that undici's decoder holds forever once aborted). One promise and one abort handler per wait (on the
 * signal's one listener: see `onAbort`), taken off as it settles: nothing that lives as long as the attempt holds what a
 * wait resolved with (a promise per attempt raced against each read kept every chunk of a body reachable until the
 * download ended). `stop` clears the timer; `release` clears it and takes the listener off `signal`; the last names
 * what cut the attempt (the budget, or the per-read limit), for a timeout's message.
 */
export const timed = (signal: AbortSignal | undefined, ms: number, deadline: number, now: () => number) => {
  const controller = new AbortController();
  // (One listener on `signal`, shared by every request and wait on it: see `onAbort`.)
  const [attemptSignal, off] = either(signal, controller);
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Whether the timer last started ends at the deadline (the budget's end), not `ms` on (the per-read limit).
  let budget = false;
  const stop = () => clearTimeout(timer);
  const until = <T>(wait: T | PromiseLike<T>, going?: 1) =>
    new Promise<T>((resolve, reject) => {
      if (!going) {
        stop();
        const left = deadline - now();
        budget = left < ms;
        // (Never a delay under 0: Node 23+ and Bun warn of one on stderr.)
        timer = setTimeout(() => controller.abort(), Math.max(0, Math.min(ms, left)));
      }
      // (Rejected with nothing: no timeout's cause. One listener on the attempt's signal, shared: see `onAbort`.)
      const off = onAbort(attemptSignal, reject);
      if (attemptSignal.aborted) reject();
      // (`wait` may be no promise: a fixed key, or none.)
      (async () => wait)().then(resolve, reject).finally(off);
    });
  return [
    attemptSignal,
    until,
    stop,
    () => {
      stop();
      off();
    },
    // What cut the attempt, in words: the budget (`of` its length, when known) or the per-read limit.
    (of?: number) => (budget ? `the budget${of ? ` of ${msOf(of)}` : ""}` : `${ms} ms per read`),
  ] as const;
};

/**
 * The client's one place where HTTP happens: sends one logical request to a path of the spec (parameters filled in),
 * with the key and user agent. It follows redirects itself (the key
 * never goes to another origin), times out each attempt, checks every answer against the spec, maps failures to typed
 * errors carrying `x-request-id`, retries under the client's one policy, and re-streams a body so that a stalled,
 * cut-short or aborted download becomes a typed error too. *
 * Its settings, positional (their names would ship): the API's base URL (or a proxy's, maybe a path) without a
 * trailing slash; where each attempt gets its key (sent as `X-API-KEY`, and redacted from error messages: a fixed key,
 * or a token fetcher's, renewed once per call after a 401; none behind a proxy); the headers of every request (the
 * user agent); the `fetch`; the timeout of a multipart request (others have the policy's `timeoutMs`); the client's one
 * retry policy (which says whether a POST whose outcome is unknown is retried: `retrySubmit`).
 */
export function createTransport(
  baseUrl: string,
  keys: KeySource | undefined,
  common: Record<string, string>,
  fetch: typeof globalThis.fetch,
  uploadTimeoutMs: number,
  policy: RetryPolicy,
) {
  const { now, wall, timeoutMs: readTimeoutMs } = policy;
  return (method: "GET" | "POST" | "DELETE", path: string, call: Call): Promise<Response> => {
    const { signal, jobId, body, onProgress, deadline = Infinity } = call;
    // (A path's segment that looks like a key, a key given as a job id, by its length: see `shown`.)
    const where = `${method} ${baseUrl}${path.replace(/[^/]+/g, shown)}`;
    // A request that may create something billed is a multipart POST (a submit, `process`, `files.upload`): one whose
    // outcome is unknown is not sent again. Any other is safe to repeat: a read, a DELETE, and the one JSON POST, a
    // token request (a short-lived token made twice expires; nothing is billed for it), retried as a read is.
    // (Not `instanceof FormData`: a runtime may have none, and a JSON request needs none.)
    const upload = typeof body === "object";
    // `uploadTimeoutMs` bounds one that sends a file, or waits for a media answer (`process`: the image is made while
    // it waits); one of text parts only (a prompt's submit) is as quick to send as a read, and has its `timeoutMs`.
    const timeoutMs =
      upload && (call.media || !(body as UploadBody).parts?.every(([, value]) => typeof value === "string"))
        ? uploadTimeoutMs
        : readTimeoutMs;
    // The key of the latest attempt (a token fetcher's may change between attempts).
    let key: string | undefined;
    // (Split by no key, undefined behind a proxy, a text stays whole; nor by one under 8 characters, a test's `k`: no
    // secret worth cutting out of every word that holds it.)
    const redact = (text: string) => text.split((key?.[7] && key) as string).join("[redacted]");
    /**
     * What printing `v` shows, as data JSON writes whole: an object's fields (enumerable, its prototype's too: a
     * Request's or a URL's; its own of a symbol key too, named `Symbol(…)`: a ClientRequest's headers), an error's
     * message, stack, cause and `errors` (an AggregateError's), a Headers', Map's or Set's entries, a BigInt as text;
     * never a function (nor a `toJSON` of its own), nor an object met again.
     */
    const view = (v: any, seen: Set<unknown>): any => {
      if (!v || typeof v !== "object") return typeof v === "bigint" ? `${v}` : v?.call ? undefined : v;
      if (seen.has(v)) return;
      seen.add(v);
      if (v.forEach) return Array.from(v, (x) => view(x, seen));
      const o: any = {};
      for (const k of ["message", "stack", "errors", "cause"]) o[k] = view(v[k], seen);
      for (const k in v) o[k] = view(v[k], seen);
      for (const k of Object.getOwnPropertySymbols(v)) o[String(k)] = view(v[k], seen);
      return o;
    };
    /**
     * A failure of fetch (or of reading a body) as an error carries it (`cause`): when what printing it shows (see
     * `view`; its cause chain too) holds the key (a fetch of yours that quotes the request's headers), a copy of its
     * class with the key cut out of each of its fields (those as `view` writes them); else itself.
     */
    const bare = (e: any, depth = 9): any => {
      try {
        if (e?.split) return redact(e);
        if (typeof e !== "object" || !e) return e;
        const cause = depth ? bare(e.cause, depth - 1) : undefined;
        const fields = JSON.stringify(view(e, new Set()));
        // (Its cause chain is in `fields`: one of them holding the key is found there.)
        return fields === redact(fields)
          ? e
          : Object.assign(Object.setPrototypeOf(new Error(), Object.getPrototypeOf(e)), JSON.parse(redact(fields)), {
              cause,
            });
      } catch {
        // (One that cannot be read at all, a Proxy or getters that throw, as it is: nothing of it can be printed either.)
        const text = textOf(e, true);
        return text === "?" ? e : redact(text);
      }
    };
    // What a redirect's error says to do: name the origin it led to (`baseUrl`, or behind a proxy `proxy`).
    const setIt = `: set ${keys ? "baseUrl" : "proxy"} to it if the API is there`;

    const attempt = async (): Promise<Response> => {
      if (signal?.aborted) throw aborted(jobId, signal.reason);
      // An attempt with no time left (a retry that waited out the budget) is not sent: it would only be cut at once.
      if (now() >= deadline)
        throw marked(new TimeoutError(`${where}: not sent, no time left`, { retryable: true, jobId }));
      // The attempt's signal (aborted by its timer, or the call's signal with its reason), its waits (`until`), `stop`
      // (the timer) and `release` (the timer and the call's listener). The timer (started by `until`) runs while waiting
      // for the answer, and while waiting for each chunk of its body (for a JSON answer or an error's text, while reading
      // it); it never runs past the call's deadline.
      const [attemptSignal, until, stop, release, cutBy] = timed(signal, timeoutMs, deadline, now);
      // Until the request is sent (a token fetcher's key awaited, its URL and headers built): a failure leaves it safe
      // to repeat.
      let sent = false;
      // Whether the browser was offline when the request went (see `failure`).
      let wentOffline: boolean | undefined;
      /**
       * Whether the server may have taken this request, a multipart POST that was sent (`mayHaveTaken`, by its first
       * answer that did not send it on: a 2xx or a 303, whatever followed; a 5xx other than 503, a broken connection, a
       * timeout or an abort after the body went). Never a token request's (see `upload`), nor one whose write failed
       * (`cut`).
       */
      const taken = () => upload && sent && mayHaveTaken(first, !cut && (body as UploadBody | undefined)?.bodySent);
      // A write that failed (EPIPE: the server closed the connection while the request was being sent; with fetch, an
      // early answer such as a bad key's 401 is then lost): the body did not go whole, so nothing was taken. (A server
      // that took a job before reading the body, and answered 2xx then, would get it again: none does for a multipart
      // upload, whose fields come whole or not at all.)
      let cut: boolean | undefined;
      /**
       * A POST's failure where the server may have taken the request (`taken`) is not retryable: sending it again could
       * create a second job. Its code says so. After an answer that says so (a 2xx, a 303, a 300, a 5xx), any failure
       * (a redirect not followed, its next hop refused or answering 401 or 404); before any answer, a transient one, not a
       * final one (a certificate not trusted: nothing sent; an input that failed). A failure that certainly sent nothing
       * (see `failure`) is not settled before any answer.
       */
      const settle = (error: DecartError, unsent?: boolean): DecartError => {
        // (Once: an error settled where it was made is not settled again on its way out.)
        if (error.code !== "SUBMIT_OUTCOME_UNKNOWN" && taken() && (first || (error.retryable && !unsent))) {
          error.code = "SUBMIT_OUTCOME_UNKNOWN";
          error.retryable = false;
          // The message names the request ids (`ids`), then what to do: sending it again could make (and bill) a second
          // job, so ask support first (by that id).
          error.message += `${ids(error.status)}; a job (or file) may exist: ${notSent}`;
          if (posted) error.requestId = posted;
        }
        return error;
      };
      /**
       * The request ids an error's message names after its words, each once, when the server sent one (support asks
       * for it): the answer's, unless its status names it already, `(HTTP 500, request req_…)` (an answer cut short,
       * unreadable or timed out gets it here); after a 303 (the POST taken there) whose id differs, the POST's too: the
       * error's `requestId`, the one that finds the job, and its billing. (A 303 without one: the answer's alone.)
       */
      const ids = (status?: number) => {
        const own = !status && requestId ? ` (request ${requestId})` : "";
        return (
          own +
          (posted && posted !== requestId ? ` (${status || own ? "after the POST's " : ""}request ${posted})` : "")
        );
      };
      let requestId: string | undefined;
      // The request id of a POST's 303 (undefined when it gave none): the server took the POST there.
      let posted: string | undefined;
      // The status of the request's own answer (the first of its redirects; after a POST sent on as it is, the next one's).
      let first: number | undefined;
      /**
       * An answer that breaks the spec: transient for a read (tried again a few times), a job may exist for a POST. A
       * redirect not followed (a POST's not sent on, `cut`; any request's refused) is final, not `retryable`: another
       * attempt would get it again.
       */
      const invalid = (what: string, status: number, final: unknown = cut) =>
        settle(
          // Redacted: the message may quote the answer (an excerpt, or the status it gave).
          new InvalidResponseError(redact(`${where}: ${what} ${httpSuffix(status, requestId)}`), {
            retryable: !final,
            jobId,
            requestId,
            status,
          }),
        );
      /**
       * An answer of the job that this version cannot read (`unreadable`: a status the API added since, a result in a
       * video type the spec does not list): not retryable, the message says that upgrading is the remedy, the answer's
       * text (redacted) its `cause`.
       */
      const newer = (what: string, status: number, cause: string) => {
        const error = new InvalidResponseError(
          redact(`${where}: ${what} ${httpSuffix(status, requestId)}${ids(status)}${NEWER}`),
          {
            jobId,
            requestId: posted || requestId,
            status,
            cause: redact(cause),
          },
        );
        unreadable.add(error);
        return error;
      };
      // Maps a failure of the wait for a key, of fetch, or of reading a body.
      const failure = (e: unknown): DecartError => {
        release();
        // Aborted by the call's signal (while waiting for a key, for the answer or for a chunk): its reason is the cause.
        // A POST the server may have taken (`taken`, the rule of a failure's SUBMIT_OUTCOME_UNKNOWN) may have made a job
        // (or file): the message says so, as a failure's does.
        if (signal?.aborted) {
          const error = aborted(jobId, signal.reason, posted || requestId, taken());
          // (Its id is that answer's when it named one; without one, none only when the answer said it took it, a 2xx or
          // a 303: after a 5xx without one, retry() names the earlier failure's, the one support can look up.)
          if (error.requestId || first! < 300 || first === 303) heard.add(error);
          return error;
        }
        // A thrown value whose property reads throw (a Proxy, getters) is a failure of the connection all the same. A
        // typed error (a body shorter than its Content-Length, an upload function's) is settled once the request went:
        // a POST's answer cut short anyhow says that a job (or image, or file) may exist.
        let codes: string[] = [];
        // What the error carries as its cause (the key cut out, see `bare`), made once.
        const cause = bare(e);
        // A token fetch that failed offline (token.ts's `offlineError`): this request's own failure offline (below).
        const gone = lost.has(e as object);
        try {
          // A proxy that refused the tunnel: nothing was sent (no job may exist, unless an answer before this hop said so).
          const refused = e instanceof DecartError ? !gone && e : proxyRefused(where, cause, jobId);
          if (refused) return settle(refused, refusals.has(refused));
          codes = errorCodes(e);
          cut = codes.includes("EPIPE");
        } catch {}
        // Offline when the request went and still when it failed: nothing was sent (fetch's TypeError says nothing
        // more, as it says for an answer without CORS headers), and, as a refused connection, a POST is retryable. One
        // that went online and failed offline (the network dropped) may have reached the server.
        const unsent = gone || (wentOffline && offline());
        const refused = unsent || codes.includes("ECONNREFUSED");
        // A certificate the handshake refused (the code of undici's cause: self-signed, expired, for another name, an
        // intercepting proxy's CA not trusted …): nothing was sent, and another attempt would fail the same. Not retried,
        // never "a job may exist": node.ts's rule for nodeUpload and saveResult (the same pattern), words kept short.
        const untrusted = /CERT|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH/.test(codes[0]!);
        const options = { retryable: !untrusted, jobId, requestId, cause };
        // Aborted, and not by the call's signal (that returned above): by the attempt's timer.
        const error = settle(
          attemptSignal.aborted
            ? new TimeoutError(`${where}: ${sent ? "timed out" : "no client token"} (${cutBy(call.budgetMs)})`, options)
            : new ConnectionError(
                `${where}: ${unsent ? OFFLINE : refused ? "connection refused" : `connection failed (${textOf(codes[0] ?? options.cause)})${untrusted ? ": certificate not trusted, not sent" : ""}`}`,
                { ...options, code: refused ? "CONNECTION_REFUSED" : "CONNECTION_ERROR" },
              ),
          // Nothing was sent (by the codes of Node's fetch, undici, and of node:http alike: a refused connection, a
          // name that did not resolve, a connection not made in time, a TLS handshake that failed on its first record):
          // a POST was not taken, and is retried as a read is, unless an answer before this hop said it was.
          refused || /ENOTFOUND|EAI_AGAIN|CONNECT_TIMEOUT|SSL_WRONG/.test(codes as never),
        );
        // Offline or refused: marked not sent (`unsent`), unless an answer before this hop said the POST was taken
        // (settled above, to another code).
        return error.code === "CONNECTION_REFUSED" ? marked(error) : error;
      };

      let response: Response;
      let source: ReadableStream<Uint8Array> | null;
      // The origin a redirect led to, when it is not the API's.
      let elsewhere: string | false | undefined;
      try {
        // The attempt's timer (and the call's deadline, and an abort) bound the wait for a token fetcher's key too (a
        // fixed key, or none, is waited for all the same), and runs on while waiting for the answer. A fetch this wait
        // gives up on (the attempt's signal aborts) is given up by the key source too: the next attempt asks again.
        key = await until(keys?.get(attemptSignal));
        // Redirects are followed here, not by fetch: same-origin ones keep the key, and on a hop to another origin
        // the key header is dropped (the request goes on without it).
        // A relative base URL (a proxy's path) is resolved against the page, as fetch does.
        let url = new URL(baseUrl + path, (globalThis as any).location?.href);
        const { origin } = url;
        let verb: string = method;
        let payload: FormData | string | undefined = body;
        const headers = new Headers(common);
        if (key) headers.set(apiKeyHeader, key);
        // A multipart body's type (with its boundary) is written by fetch. Its answer (a submit's job id) is asked for
        // unencoded: a gzip answer cut short loses what Node's fetch (undici) has not yet decoded. So is a job's
        // result: its length is then checked and told, and Node 20's fetch fails a whole gzip body whose server closes
        // the connection after it (UND_ERR_SOCKET). (A browser drops the header, which a page may not set, without a
        // throw.)
        if (upload || call.media) headers.set("accept-encoding", "identity");
        else if (body) headers.set("content-type", "application/json");
        // Sent from here on: a failure to build the URL or headers above sent nothing.
        sent = true;
        wentOffline = offline();
        for (let hops = 0; ; hops++) {
          // Under the timer already running (not started again per hop), and until the attempt's end: a fetch (or an
          // upload function) that never settles, even once aborted, does not hold the call past its timeout.
          response = await until(
            (call.fetch || fetch)(url.href, {
              method: verb,
              headers,
              body: payload,
              signal: attemptSignal,
              redirect: "manual",
            }),
            1,
          );
          // Redacted: a proxy that logs may put the key in it.
          requestId = redact(response.headers.get("x-request-id") ?? "") || undefined;
          first ??= response.status;
          // (Final but for a multipart POST's: its status hidden, it may be a 303's, after which a job may exist.)
          if (response.type === "opaqueredirect") throw invalid("an opaque redirect (not followed)", 0, !upload);
          const location = response.headers.get("location");
          if (!/^30[12378]$/.test(response.status as unknown as string) || !location) break;
          response.body?.cancel().catch(ignore);
          // A 303 is followed with a GET (the POST was taken: it says where its answer is). Any other redirect is
          // followed with the request as it is, a POST too (RFC 9110's rule; a browser turns a POST answered 301 or 302
          // into a GET, which only loses the submit), a POST's within its origin (see below): the server that sent it
          // on (a path that moved) took nothing, and the next answer decides (its request id too: the redirect's is of
          // no job).
          if (response.status === 303) {
            if (verb > "GET") posted = requestId;
            verb = "GET";
            payload = undefined;
            headers.delete("content-type");
          } else if (verb === "POST") first = requestId = undefined;
          // A redirect not followed (the sixth, or one to a URL that is no http(s) one) that sent a POST on took
          // nothing either: the error says so (`cut`: not taken), not that a job may exist.
          cut = !first;
          // Five redirects are followed per attempt.
          if (hops > 4) throw invalid(`more than 5 redirects${cut ? ", nothing taken" : ""}`, response.status, 1);
          let next: URL | undefined;
          try {
            next = new URL(location, url);
          } catch {}
          // Only to an http(s) URL without credentials: fetch would take a `data:` URL as the answer, and fail on
          // `file:`, credentials (quoting them) or an unreadable Location as if the network had. The Location is shown
          // without its query, fragment and credentials (a signed URL's signature).
          if (!/^https?:\/\/[^/@]+\//.test(next as never))
            throw invalid(`a redirect to ${shownUrl(location).slice(0, 60)}`, response.status, 1);
          // A POST sent on stays within its origin (a gateway's sign-in or maintenance page elsewhere would get the
          // prompt and media, without the key: it could never succeed); through a proxy (`keys` undefined: it adds the
          // key), a 307 or 308 goes to another origin too (a host's apex to www), never from https to http (in clear).
          // Not followed: nothing taken.
          if (cut && (keys || response.status < 303 ? next!.origin !== url.origin : url.protocol > next!.protocol))
            throw invalid(`redirected to ${next!.origin}, nothing was sent there${setIt}`, response.status);
          url = next!;
          // Followed: the next answer decides (a POST sent on is judged by it alone).
          cut = false;
          // (And the answer then comes from another origin than the API's: see `away`.)
          elsewhere = url.origin !== origin && url.origin;
          if (elsewhere) headers.delete(apiKeyHeader);
        }
        // An image (a multipart POST's media answer: `process`) whose Content-Length says it is past MAX_ANSWER_BYTES is
        // refused as one counted past it (see below), its body not read.
        if (response.ok && upload && call.media && lengthOf(response.headers)! > MAX_ANSWER_BYTES) {
          // (Not waited for: a body whose cancel never settles would hold the call past its timers.)
          response.body?.cancel().catch(ignore);
          throw invalid(
            `an image past ${MAX_ANSWER_BYTES / 2 ** 20} MiB: the server may have made (and billed) it`,
            response.status,
          );
        }
        // A fetch whose answers have no body stream (React Native's, whatwg-fetch's): a result, read whole under the
        // timer, is streamed from memory (`Blob.stream`), and counted as it is read.
        source = response.body ?? (response.ok && call.media ? (await until(response.blob())).stream() : null);
      } catch (e) {
        const input = upload && !first && !signal?.aborted && (await unsendable(body as UploadBody, bare(e)));
        if (!input) throw failure(e);
        release();
        throw input;
      }

      const { status, headers } = response;
      // The length of an encoded body is not its decoded one's: unknown then (see `lengthOf`).
      const total = lengthOf(headers);
      if (!response.ok || call.json) {
        // A JSON answer's or an error's text, read under the attempt's timer (started again) and until its end, as a
        // body's chunks are: a stalled text read ends by the timer or the call's abort, settled or not. An error's text
        // that cannot be read is none: its status says what happened. A JSON answer whose read failed (the connection
        // closed or reset before the body's end, or the timer ran out waiting for it), unless the call's signal aborted
        // it, is taken as far as it came when that parses and passes the check: an object read to its closing brace is
        // whole, whatever Content-Length said (nothing but spaces could follow), and a submit's job id that came is not
        // lost. Else the read's failure is the error.
        let text = "";
        const got: (Uint8Array<ArrayBuffer> | string)[] = [];
        let failed: DecartError | undefined;
        try {
          text = await until(readText(response, got));
        } catch (e) {
          // (The caller's abort while the body came, an error answer's too, ends the attempt: an abort naming it.)
          if (signal?.aborted) throw failure(e);
          if (response.ok) {
            failed = failure(e);
            if (!signal?.aborted) text = await new Blob(got).text();
          }
        }
        release();
        // The text parsed once: an error's (see the 404 below), an answer's (checked below).
        let value: any;
        try {
          value = JSON.parse(text);
        } catch {}
        if (!response.ok) {
          const error = errorFromResponse(
            status,
            text,
            {
              jobId,
              requestId,
              retryAfterMs: parseRetryAfter(headers, wall()),
            },
            !upload && call.media,
            redact,
          );
          // An error from another origin than the API's, a redirect led to: the message says where (and, with a key,
          // that it was not sent there: a 401 then is no bad key), for a baseUrl (or proxy: it holds the key) that
          // should name it (a gateway's http to https).
          if (elsewhere) {
            away.add(error);
            error.message += `; redirected to ${elsewhere}${keys ? `, the key withheld from another origin${setIt}` : setIt}`;
          }
          // A 404 whose body is no JSON (a gateway's page or text: the API answers JSON, or nothing), or, with a baseUrl
          // ending in /v1 (the client adds it), the bare `{"detail":"Not Found"}` the API's framework answers for a path
          // no route serves: the URL, and what to check (`hint`, for a tool that names its own option). The API's own
          // words for a job, file or model that is gone (a bare "Not Found", an empty 404 too) stay as they are. (Not a
          // 404 a 303 led to: the POST was taken there.)
          if (
            first === 404 &&
            (value === undefined
              ? text
              : /\/v1$/.test(baseUrl) && (value?.detail ?? value?.error ?? "Not Found") === "Not Found")
          ) {
            (error as NotFoundError).hint =
              `if it is no route of the API, check ${keys ? "baseUrl" : "proxy"} (the client adds /v1/…)`;
            error.message += `; ${where}: ${(error as NotFoundError).hint}`;
          }
          throw settle(error);
        }
        // Text that is not JSON breaks the spec; a throw of the check itself (not the answer's) goes on as it is.
        // (JSON.parse answers no undefined: none is text it could not parse.) A job's `error` (its reason to fail, which
        // may quote the request) is redacted as this error's messages are. The answer's `json()` is the value as checked
        // and redacted (not parsed again, nor written again: an answer nested deeper than a recursion can go is fine).
        const problem =
          value === undefined
            ? // (Text cut at MAX_TEXT bytes is no JSON for being cut.)
              new Blob(got).size > MAX_TEXT
              ? "an answer over 1 MiB"
              : `not JSON (${mediaType(headers) || "no type"}: ${JSON.stringify(clip(redact(text), 80))})`
            : call.json!(value, jobId);
        if (problem) {
          // A POST's answer that names a usable id (a submit's `job_id`, an upload's file `id`), whatever else breaks
          // in it, made that job or file: the error carries it (`jobId`, `fileId`), even when the connection failed
          // after the answer came whole, and it is not sent again.
          // A job's answer that names the job but breaks the spec otherwise (a status the API added since) is one this
          // version cannot read: the message says so, and that upgrading is the remedy (`unreadable`, not retryable).
          const job = call.json === fixJob;
          // (A job's id as a number, against the spec, as its text: see `idOf`.)
          const made = upload && (job ? idOf(value?.job_id) : value?.id);
          const unknown = job ? unknownTo(value, jobId) : "";
          const said = `${where}: ${problem} ${httpSuffix(status, requestId)}${ids(status)}${unknown}`;
          if (isUsableId(made))
            throw new InvalidResponseError(
              redact(
                `${said}; ${job ? "job" : "file"} ${made} was made: ${job ? "follow it with queue.wait(jobId)" : "use or delete it (fileId)"}`,
              ),
              { [job ? "jobId" : "fileId"]: made, requestId: posted || requestId, status },
            );
          if (failed || !unknown) throw failed ?? invalid(problem, status);
          throw newer(problem, status, JSON.stringify(value));
        }
        if (value.error?.split) value.error = redact(value.error);
        return Object.assign(response, { json: () => value });
      }
      if (call.media) {
        const type = mediaType(headers);
        const accepted = [...call.media, "application/octet-stream"];
        // A 206 (asked for without Range) is a part of the result, not the result. An image from `process` of a type
        // the spec does not list (`image/webp`) is read whole, for the client to hand it on with its error (`send`). A
        // job's result in a video type the spec does not list (`video/webm`) is an answer this version cannot read:
        // final, its `cause` the answer's Content-Type (another read gets it again); another type (a proxy's page, or
        // no single well-formed video type: `video/*`, a Content-Type sent twice, with parameters too) is transient.
        if ((!accepted.includes(type) && !(upload && /^image\//.test(type))) || status === 206) {
          release();
          await source?.cancel().catch(ignore);
          const what =
            status === 206
              ? "a part of the result"
              : `a result of type ${type || "(none)"}, not ${accepted.join(" or ")}`;
          throw !upload && status !== 206 && /^video\/[\w.+-]+$/.test(type)
            ? newer(what, status, contentType(headers))
            : invalid(what, status);
        }
      }
      if (!source || total === 0) {
        release();
        if (call.media) throw invalid("an empty result", status);
        return response;
      }
      stop();
      // Re-stream the body: each read is timed, progress is reported, a body shorter than its Content-Length (or an
      // empty result) is an error, and the listener and timer go as soon as the body ends or is cancelled. Reads
      // happen only on demand (high-water mark 0): nothing is read that nobody asked for.
      const reader = source.getReader();
      let received = 0;
      // A read that failed before any byte of a body of no length.
      let short: unknown;
      const stream = new ReadableStream<Uint8Array>(
        {
          async pull(out) {
            try {
              // A read that fails short of a known length (the connection closed or reset: ECONNRESET over node:http,
              // UND_ERR_SOCKET through fetch), or before any byte of a body of no length (Bun's fetch hands on nothing
              // of a body cut short), ends the body where it is: cut short, TRUNCATED below, bounded as such by the
              // watch (one of no length cut later is the connection's failure, bounded by the bytes it brought). One
              // ended by the attempt's timer or the call's abort is not, nor a typed error (nodeFetch's body it cannot
              // decode).
              const { done, value } = await until(reader.read()).catch((e) => {
                if (attemptSignal.aborted || received >= (total ?? 1) || e instanceof DecartError) throw e;
                short = true;
                return { done: short } as ReadableStreamReadDoneResult<Uint8Array>;
              });
              stop();
              if (!done) {
                // A result that begins as gzip or zstd data does (1f 8b, 28 b5) is encoded bytes that fetch did not
                // decode (a Content-Encoding list with identity in it, a coding this fetch does not decode), not the
                // media: refused, whether or not the Content-Encoding can be read (a browser shows it only when
                // exposed). A job's result labelled `application/octet-stream` that begins, after a UTF-8 or UTF-16
                // byte order mark and ASCII whitespace (in UTF-16 after its mark), with `<`, `{` or `[` is an HTML or
                // JSON page (a proxy's error page answered 200), not the media; unless it begins as an MP4 may
                // (`isMp4Start`: its first box's size may begin `3C` or `20 7B`). (An image of `process` so labelled
                // is checked by its caller, as any image is.)
                const head = call.media && !received;
                const coding = head && { 8075: "gzip", 10421: "zstd" }[(value[0]! << 8) | value[1]!];
                const text = head && String.fromCharCode(...value.subarray(0, 99));
                const page =
                  text &&
                  !upload &&
                  /^(\xef\xbb\xbf)?[\t\n\f\r ]*[<{[]|^\xff\xfe([\t\n\f\r ]\0)*[<{[]\0|^\xfe\xff(\0[\t\n\f\r ])*\0[<{[]/.test(
                    text,
                  ) &&
                  !isMp4Start(value) &&
                  mediaType(headers) === "application/octet-stream";
                received += value.byteLength;
                // An image (a multipart POST's media answer: `process`) that goes on past MAX_ANSWER_BYTES is cut
                // there.
                if (coding || page || (upload && call.media && received > MAX_ANSWER_BYTES)) {
                  reader.cancel().catch(ignore);
                  throw invalid(
                    coding
                      ? `a result in ${coding}, not decoded`
                      : page
                        ? "an HTML or JSON page, not the media"
                        : `an image past ${MAX_ANSWER_BYTES / 2 ** 20} MiB: the server may have made (and billed) it`,
                    status,
                  );
                }
                out.enqueue(value);
                try {
                  // (A promise it returns is waited for, and its rejection is the callback's failure.)
                  return await onProgress?.({ receivedBytes: received, totalBytes: total });
                } catch (cause) {
                  // The caller's error, not the connection's: the download ends (not retried), its connection freed.
                  reader.cancel().catch(ignore);
                  throw callbackThrew(jobId, cause);
                }
              }
              release();
              // (An unknown total, undefined, compares false.) "At least": the bytes handed on, where fetch may have
              // dropped some that came (Node's streams drop the chunks still queued when the connection fails).
              if (short || received < total!) {
                throw new ConnectionError(
                  `${where}: the body ended after at least ${received}${total ? ` of ${total}` : ""} bytes`,
                  { code: "TRUNCATED", retryable: true, jobId, requestId },
                );
              }
              if (call.media && received === 0) throw invalid("an empty result", status);
              out.close();
            } catch (e) {
              out.error(failure(e));
            }
          },
          cancel(reason) {
            release();
            return reader.cancel(reason);
          },
        },
        { highWaterMark: 0 },
      );
      const out = new Response(stream, response);
      // The request id as the errors carry it (after a 303, the POST's), redacted, and the words that name the ids
      // (`said`): an image's type checked after, in `send`, quotes them.
      out.headers.set("x-request-id", posted || requestId || "");
      return Object.assign(out, { said: `${httpSuffix(status, requestId)}${ids(status)}` });
    };

    return retry(
      policy,
      {
        ...call,
        what: where,
        // A 401 means the server took nothing: a token fetcher's key is renewed and the request sent once more.
        renew: keys?.renew && (() => keys.renew!(key!)),
      },
      attempt,
    );
  };
}
