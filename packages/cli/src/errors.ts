import {
  AbortError,
  AuthenticationError,
  BadRequestError,
  InvalidInputError,
  JobFailedError,
  JobTimeoutError,
  MAX_ANSWER_BYTES,
  ModelRetiredError,
  PayloadTooLargeError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  TimeoutError,
  ValidationError,
} from "@decart/core";
import { answeredBefore, leftOf } from "./config.js";
import { CALL_BUDGET_MS, CliError, callBudgetMs, EXIT, type ExitCode } from "./exit.js";
import { fetchTroubleOf, proxyAnswerOf } from "./proxy.js";

/**
 * The exit code for anything thrown: the CLI's own errors carry one; the client's are mapped by kind. An input the
 * server refused (400, 413, 422: nothing was made, and the same request would be refused again) is usage's (2), as
 * one the client refused before sending it: a script fixes the input either way, rather than trying again. A wait that
 * ran out while its last request was failing (a `JobTimeoutError` with a `cause`: the server down, or answering 5xx or
 * 429 to every status read or download) is the network's or the server's failure (1), not a slow job's timeout (5).
 */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (AbortError.isInstance(error)) return EXIT.interrupted;
  if (remoteInputFailed(error)) return EXIT.error;
  if (
    InvalidInputError.isInstance(error) ||
    ValidationError.isInstance(error) ||
    BadRequestError.isInstance(error) ||
    PayloadTooLargeError.isInstance(error) ||
    ModelRetiredError.isInstance(error)
  )
    return EXIT.usage;
  // (A 403 that is likely a proxy's own answer, not the API's, says nothing of the key: see `proxyAnswerOf`.)
  if (AuthenticationError.isInstance(error) || (PermissionDeniedError.isInstance(error) && !proxyAnswerOf(error)))
    return EXIT.auth;
  if (JobTimeoutError.isInstance(error)) return (error as Error).cause ? EXIT.error : EXIT.timeout;
  if (TimeoutError.isInstance(error)) return EXIT.timeout;
  if (JobFailedError.isInstance(error)) return EXIT.jobFailed;
  return EXIT.error;
}

/** What `InvalidInputError`'s `expected` says for a file input given as a URL that could not be downloaded. */
const REACHABLE_URL = "a reachable http(s) URL";

/**
 * Whether the client could not download a file input given as a URL (an `InvalidInputError` expecting a reachable
 * URL, before anything was sent to the API) because of a transient failure of the network or of that URL's server (a
 * 5xx, 408 or 429, a connection refused or cut): the client marks it `retryable`. Trying again may work: exit 1, as for
 * the API's own such failures. Any other (a 404 or 403, content of the wrong type) is the input's: exit 2.
 */
export function remoteInputFailed(error: unknown): boolean {
  return (
    InvalidInputError.isInstance(error) &&
    (error as { expected?: unknown }).expected === REACHABLE_URL &&
    error.retryable
  );
}

/**
 * Whether `error` (or an error that caused it) is a TLS handshake's refusal of a certificate whose issuer is not
 * trusted (self-signed, or a chain that ends in a CA Node does not know: a company's own CA, a TLS-inspecting proxy's):
 * one that adding that CA to Node's (`NODE_EXTRA_CA_CERTS`) fixes. Not an expired certificate, nor one for another
 * name.
 */
function untrustedIssuer(error: unknown): boolean {
  for (let e = error, depth = 0; e !== null && typeof e === "object" && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (
      typeof code === "string" &&
      /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/.test(
        code,
      )
    )
      return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** A wait in words, rounded up: `45 s`, `12 min`, `5 h`, `3 days`. */
export function duration(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 120 * 60) return `${Math.ceil(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${Math.ceil(seconds / 3600)} h`;
  return `${Math.ceil(seconds / 86_400)} days`;
}

/**
 * For a 429 or a 503 that came with a `Retry-After` (the client error's `retryAfterMs`): how long the server asked to
 * wait and what to do, in words (undefined without one). One beyond what the client waits for a request (its budget:
 * `CALL_BUDGET_MS`, or the `--timeout` of `image`, `jobs submit` or `jobs status`, see `clientFor`), or beyond what
 * was left of that `--timeout` when it came (`left`, see `untilTimeout`), fails at once, not sent again: the message
 * says which, and when to run the command again.
 */
export function retryAfter(
  error: unknown,
  now = Date.now(),
  budget = callBudgetMs(),
  left = leftOf(error),
): string | undefined {
  if (retryAt(error, now) === undefined) return undefined;
  const ms = (error as { retryAfterMs: number }).retryAfterMs;
  const again = `run the command again after ${after(now, ms)}`;
  // The wait in seconds as `--timeout` gives it (2.5 s, 3600 s), neither rounded up past the wait the server asked for
  // nor put in other units (not "60 min" for 3600); the client's own 60 s reads the same.
  const waits = `${budget / 1000} s`;
  return ms > budget
    ? `the server asked to wait ${duration(ms)} (Retry-After), more than the CLI waits for a request ` +
        `(${waits}${budget !== CALL_BUDGET_MS ? ", its --timeout" : ""}), so it was not sent again: ${again}`
    : left !== undefined && ms > left
      ? // (What was left, in tenths of a second rounded down: never said to be as long as the wait when it was not.)
        `the server asked to wait ${duration(ms)} (Retry-After), more than was left of --timeout ` +
        `(${Math.floor(Math.max(0, left) / 100) / 10} s of ${waits}), so it was not sent again: ${again}`
      : `the server asked to wait ${duration(ms)} (Retry-After): ${again}`;
}

/**
 * When the wait a 429's or 503's `Retry-After` asked for ends (ms since 1970), for a message of it (see `retryAfter`);
 * undefined without one.
 */
export function retryAt(error: unknown, now = Date.now()): number | undefined {
  const ms = (error as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return (RateLimitError.isInstance(error) || ServerError.isInstance(error)) &&
    typeof ms === "number" &&
    ms > 0 &&
    Number.isFinite(now + ms)
    ? now + ms
    : undefined;
}

/** The latest time a `Date` holds: 8.64e15 ms after 1970 (in the year 275760). */
const LAST_DATE_MS = 8.64e15;

/**
 * When a wait of `ms` from `now` ends, in UTC to the second (`2026-12-06T04:05:06Z`). One past the last time a `Date`
 * holds (a `Retry-After` of 99999999999999999999 seconds: a finite number, which `toISOString` refuses with
 * `RangeError`) is said in words.
 */
export const after = (now: number, ms: number): string =>
  Math.abs(now + ms) <= LAST_DATE_MS
    ? new Date(now + ms).toISOString().replace(/\.\d+Z$/, "Z")
    : "that wait (it ends past the year 275760, the last date a clock can show)";

/**
 * Where a request whose outcome is unknown was sent from, for what the message says running it again does: a command
 * (`video`, `image`, `jobs submit`) run again sends it again, and bills another one; a batch's line is not sent again
 * by `--resume`, only with `--resubmit-unknown`, but for one whose request the journal could not record (`unjournaled`,
 * see `beginSubmit`): `--resume` cannot know it was sent, and sends it again.
 */
export type Rerun = "command" | "batch" | "unjournaled";

/** The errors of image requests (the Process API: no job, no job id), told so by `imageRequest`. */
const images = new WeakSet<object>();

/**
 * Marks `error` as an image request's (`decart image`, a batch's image line) and answers it: a message of it whose
 * outcome is unknown (see `messageOf`) then speaks of an image, which has no job id and which no journal lists, rather
 * than of a job.
 */
export function imageRequest<T>(error: T): T {
  if (error !== null && typeof error === "object") images.add(error);
  return error;
}

/** What `--resume` does with a batch line whose request the journal could not record (see `Rerun`). */
export const UNJOURNALED =
  "the journal could not record the request, so --resume, which cannot know that it was sent, sends the line again, " +
  "which bills another one, unless the line is taken out of the batch file first";

/** A command's words for what running it again does once its submit may have made a job (see `Rerun`). */
export const SUBMITS_AGAIN = "Running the command again submits (and bills) another one";

/** What running it again does once a request may have made a job or an image (`asks`) or a job (`submits`). */
const rerunWords = (rerun: Rerun, what: "asks for" | "submits"): string =>
  rerun === "command"
    ? `Running the command again ${what} (and bills) another one`
    : rerun === "unjournaled"
      ? UNJOURNALED.replace(/^t/, "T")
      : `--resume does not ${what === "submits" ? "submit" : "send"} the line again unless given --resubmit-unknown, ` +
        "which bills another one";

/**
 * The client's words for an answer of a job that names it but that this version cannot read (a status the API added
 * since): `an answer @decart/core 1.2.3 does not know (upgrade it)`. Another `jobs wait` would read it again alike:
 * upgrading is the remedy. So is an image of a type it `does not take (upgrade it)`.
 */
const UNKNOWN_ANSWER = /(@decart\/core \S+ does not (?:know|take)) \(upgrade it\)/;

/**
 * The client's words for a client token given as its `apiKey` and refused (see `messageOf`), wherever they are: the
 * client may add more after them (a watch's `FOLLOW`).
 */
const EK_REFUSED = /; a client token given as apiKey is not renewed: give token: fetchTokenFrom\(…\)/;

/**
 * The client's words for a job its watch saw that a 401 or 403 then stopped: how to follow it with the library's own
 * call. The CLI says its own command after the message instead (see `report`).
 */
const FOLLOW =
  /; follow it with queue\.wait\(jobId\) (?:from a client with a valid key|once the token source gives a valid key)/;

/** Whether `error` is of an answer of a job that this version cannot read (see `UNKNOWN_ANSWER`). */
export const unknownAnswer = (error: unknown) => UNKNOWN_ANSWER.test((error as Error | undefined)?.message as string);

/**
 * A client error's message in the CLI's terms. A key the server refuses (401) names the two places a key comes from; a
 * file input's URL that failed for a while (`remoteInputFailed`) says that trying again may work; a 429 or 503 with a
 * `Retry-After` says how long the server asked to wait (`retryAfter`).
 * A request whose outcome is unknown (code `SUBMIT_OUTCOME_UNKNOWN`: a 500,
 * a connection lost after the request went) ends, as the client writes it, with one clause of its own after the last
 * `;` (that a job may exist, was not sent again as that could bill twice, and to ask support). That clause is replaced
 * by what may have happened and what running it again does (`rerun`: a command's words or a batch line's); the request
 * id (the error's `requestId`, which the client's text names when there is one) is what support can find it by; the
 * message says whether an answer came without one (a page of HTML with 200, a body cut short) or none came at all. For
 * an image answer past the client's `MAX_ANSWER_BYTES`, it says that the image was not kept. A job id the CLI cannot
 * take (see `checkServerJobId`), whose job may have been made too, says so in a batch line's words. An answer this
 * version cannot read (`UNKNOWN_ANSWER`) names @decart/cli as what to upgrade.
 */
export function messageOf(error: unknown, rerun: Rerun = "command"): string {
  const e = error as { message?: unknown; code?: unknown; requestId?: unknown } | undefined;
  // The client's words for a submit answered against the spec that made its job ("job … was made: follow it with
  // queue.wait(jobId)"): the CLI's command for it is the hint after the message (see `report`).
  // An answer of a job that this version cannot read (a status the API added since): the CLI is what to upgrade.
  // A 404 that may be of a wrong URL (see the client's `NotFoundError.hint`, which ends its message): said in the words
  // of the CLI's options.
  const hint = (error as { hint?: unknown } | undefined)?.hint;
  const text = typeof e?.message === "string" ? e.message : String(error);
  const message = (
    typeof hint === "string" && text.endsWith(hint)
      ? `${text.slice(0, -hint.length)}if it is no route of the API, check --base-url or DECART_BASE_URL (the API's root: the CLI adds /v1/…)`
      : text
  )
    .replace(/ was made: follow it with queue\.wait\(jobId\)$/, " was made")
    .replace(FOLLOW, "")
    .replace(UNKNOWN_ANSWER, "$1 (upgrade @decart/cli)")
    // (An image of a type the client does not take, handed on whole, that is no whole image the CLI saves.)
    .replace(/; it came whole: the error's data$/, "; nothing was saved")
    // (The client's ways past its checks, which the CLI does not offer.)
    .replace(/, or (any with validateInputs: false|a definition of your own)/, "");
  // A key the server refuses (401), or does not let do this (403; but not one likely a proxy's own, see `proxyAnswerOf`,
  // nor a page that is not the API's answer, such as an edge's block page): the message names where the CLI took it
  // from, the fix a user needs.
  // A client token (`ek_…`) refused: the client's remedy is an option of its own (`token: fetchTokenFrom(…)`), which a
  // terminal has none of; the CLI's is another key or token where the CLI takes them.
  if (
    PermissionDeniedError.isInstance(error) &&
    exitCodeOf(error) === EXIT.auth &&
    !message.includes("(an HTML page, not the API's answer)")
  )
    return `${message}; check the key given by --api-key or DECART_API_KEY`;
  if (AuthenticationError.isInstance(error))
    return EK_REFUSED.test(message)
      ? `${message.replace(EK_REFUSED, "")}; a client token (ek_…) expires and the CLI does not renew it: set a valid API key (dct_…), or a new token, in DECART_API_KEY or --api-key`
      : `${message}; check the key given by --api-key or DECART_API_KEY`;
  // A file input given as a URL that a proxy did not let through (Node's fetch keeps only its error's code): the proxy
  // is what to check, not the URL.
  const trouble =
    InvalidInputError.isInstance(error) && (error as { expected?: unknown }).expected === REACHABLE_URL
      ? fetchTroubleOf(message)
      : undefined;
  if (trouble) return `${message}: ${trouble}; nothing was sent to the API`;
  if (remoteInputFailed(error))
    return `${message}; a failure of the network or of that server, not of the input's content: check the URL, or try again later (nothing was sent to the API)`;
  // (A batch's line is sent again by --resume: running the same command again is refused once a line has a job.)
  const wait = retryAfter(error);
  if (wait)
    return `${message}; ${rerun === "command" ? wait : wait.replace("run the command again", "run the batch again with --resume")}`;
  // A 429 without one, refused still when the client tried again: how long to wait, the server did not say.
  if (RateLimitError.isInstance(error))
    return (
      `${message}; the server's rate limit refused it each time the client tried, without saying for how long, and a ` +
      `refused request makes nothing: ${rerun === "command" ? "run the command again" : "run the batch again with --resume"} in a while`
    );
  if (untrustedIssuer(error))
    return (
      `${message}; if the server (or a proxy on the way that inspects TLS) has a certificate of a private CA, set ` +
      "NODE_EXTRA_CA_CERTS to the path of that CA's certificate (a PEM file) and run the command again"
    );
  // A job id the CLI cannot take (see watch.ts): the job may have been made, as for an outcome unknown.
  if (rerun !== "command" && error instanceof CliError && message.endsWith(`. ${SUBMITS_AGAIN}`))
    return `${message.slice(0, -SUBMITS_AGAIN.length)}${rerunWords(rerun, "submits")}`;
  // An answer of 403, 502, 503 or 504 that came through a proxy without the API's JSON error: likely the proxy's own,
  // which the client reads as the API's (see `proxyAnswerOf`). Named after the client's words of it; for an error whose
  // last request failed so (a watch's JobTimeoutError, its cause that answer's error), after the words quoting it.
  const proxied = proxyAnswerOf(error) ?? proxyAnswerOf((error as { cause?: unknown } | undefined)?.cause);
  // (The CLI's own words of one, a `CliError`, are said as they are.)
  if (e?.code !== "SUBMIT_OUTCOME_UNKNOWN" || error instanceof CliError)
    return proxied ? `${message}; ${proxied}` : message;
  const end = message.lastIndexOf(";");
  const head = (end < 0 ? message : message.slice(0, end)) + (proxied ? `; ${proxied}` : "");
  const requestId = typeof e.requestId === "string" && e.requestId;
  // An answer came (a status, a request id, or headers the client saw before its body failed: see `answeredBefore`):
  // one the CLI could not use (an HTML page with 200, a body cut short, a 500), not one that never came.
  const answered = requestId || typeof (e as { status?: unknown }).status === "number" || answeredBefore(error);
  const support = requestId
    ? "the request id above lets support find it"
    : answered
      ? "its answer carried no request id (x-request-id) to give support"
      : "no answer came, so there is no request id to give support";
  // An image answer past the client's MAX_ANSWER_BYTES (cut there, or refused on its Content-Length): the client's
  // message says the image may have been made (and billed); what the CLI did with it is said here. (The CLI holds an
  // image as the client gives it, whole: the client's bound is the only one.)
  // (Core's words begin its message, after the request's method and URL: a server's page quoted later in a message
  // may hold the same phrase.)
  if (new RegExp(`^\\S+ \\S+: an image past ${MAX_ANSWER_BYTES / 2 ** 20} MiB: `).test(message))
    return (
      `${head}; it was not kept (nothing was saved), and the CLI did not send the request again: ` +
      `${rerunWords(rerun, "asks for").replace(/^[RT]/, (c) => c.toLowerCase())}; ${support}`
    );
  // An image (see `imageRequest`): no job id to look up, nothing in the journal to find; the request id is all there
  // is.
  if (images.has(error as object))
    return (
      `${head}; the server may have taken the request: an image may have been made (and billed) although ` +
      `${answered ? "its answer was not one the CLI could use" : "its answer never came"}, and the CLI did not send ` +
      `it again. ${rerunWords(rerun, "asks for")}; an image has no job id, so there is nothing to look up (no ` +
      `command can fetch it): ${support}`
    );
  return (
    `${head}; the server may have taken the request: a job or an image may ` +
    `have been made (and billed) although ${answered ? "its answer was not one the CLI could use" : "its answer never came"}, ` +
    `and the CLI did not send it again. ${rerunWords(rerun, "asks for")}; a job made this way is ` +
    (rerun === "unjournaled"
      ? "not in the journal"
      : "in the journal only as a submit whose outcome is unknown (decart jobs list shows it), without its id") +
    `: ${support}`
  );
}
