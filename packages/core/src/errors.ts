import { catalogue, isModelName, retiredModels, type ValidationIssue } from "@decart/api";

/** Marks every error of this package; `Symbol.for` so two copies of the package recognise each other's errors. */
const MARK = Symbol.for("@decart/core.error");

/**
 * Every `code` the client sets: one per class (its name in capitals without `Error`, `RateLimitError`'s `RATE_LIMIT`),
 * and those set where an error is made (`SUBMIT_OUTCOME_UNKNOWN`, `CALLBACK_ERROR` …); and `DECART`, the base class's,
 * which the client never leaves (every `DecartError` it makes has a code of its own), of a `DecartError` you make
 * without one. The "Errors" table of the README says when each comes. `ErrorCode` is its type; a bundle that does not
 * import it carries none of it. Frozen: a change in place throws.
 */
export const errorCodes = /* @__PURE__ */ Object.freeze([
  "DECART",
  "INVALID_INPUT",
  "BAD_REQUEST",
  "AUTHENTICATION",
  "PERMISSION_DENIED",
  "NOT_FOUND",
  "CONFLICT",
  "JOB_NOT_COMPLETED",
  "GONE",
  "MODEL_RETIRED",
  "PAYLOAD_TOO_LARGE",
  "VALIDATION",
  "RATE_LIMIT",
  "SERVER",
  "TIMEOUT",
  "INVALID_RESPONSE",
  "JOB_TIMEOUT",
  "ABORT",
  "JOB_FAILED",
  "SUBMIT_OUTCOME_UNKNOWN",
  "CONNECTION_REFUSED",
  "CONNECTION_ERROR",
  "TRUNCATED",
  "HTTP_ERROR",
  "UPLOAD_NOT_REPEATABLE",
  "CALLBACK_ERROR",
  "TOKEN_ERROR",
  "FILE_WRITE_FAILED",
  "AUTHORIZE_FAILED",
] as const);

/** A `code` the client sets: one of `errorCodes`. */
export type ErrorCode = (typeof errorCodes)[number];

/** What `new DecartError(message, options)` (and a subclass's constructor) takes: the fields the error carries. */
export interface DecartErrorOptions {
  /**
   * One of the client's codes, or one of your own for an error you make (its `code` is typed as the client's). Without
   * one, the class's (`DECART` for `DecartError` itself; a subclass of yours without a `static kind`, its parent's).
   */
  code?: ErrorCode | (string & {}) | undefined;
  status?: number | undefined;
  requestId?: string | undefined;
  jobId?: string | undefined;
  retryable?: boolean | undefined;
  cause?: unknown;
  /** Fields of a subclass (`field`, `retryAfterMs`, `issues` …). */
  [extra: string]: unknown;
}

/**
 * A `DecartError` as plain data: what its `toJSON()` answers (a field not set is `undefined`), with the class's own
 * fields (`field` and `expected`, `retryAfterMs`, `issues`, `replacement`, `lastStatus`, `reason` …).
 */
export interface DecartErrorJSON {
  name: string;
  code: ErrorCode;
  message: string;
  status?: number;
  requestId?: string;
  jobId?: string;
  fileId?: string;
  retryable: boolean;
  [field: string]: unknown;
}

/**
 * A class of `DecartError` (one of the client's, or a subclass of yours).
 * @inline
 */
type AnyErrorClass = abstract new (...args: any[]) => DecartError;

/** The copy of an error that Node prints (see `DecartError`'s `nodejs.util.inspect.custom`), one per error. */
const printed = new WeakMap<object, object>();

/** `DecartError`'s `nodejs.util.inspect.custom` while its `jobId` is key-like (see there). */
function copied(this: DecartError) {
  const copy: any = printed.get(this) ?? printed.set(this, Object.create(this)).get(this);
  const own: any = Object.getOwnPropertyDescriptors(this);
  for (const key of Reflect.ownKeys(copy)) delete copy[key];
  for (const key of Reflect.ownKeys(own)) {
    // Configurable on the copy (an error's may not be: its marker, a frozen error's fields), to be deleted next time.
    own[key].configurable = true;
    own[key].get &&= own[key].get.bind(this);
  }
  return Object.defineProperty(Object.defineProperties(copy, own), "jobId", { value: shown(this.jobId!) });
}

/**
 * The base of every error this package throws. `instanceof` and `isInstance` work across two copies of the
 * package (they compare a `Symbol.for` marker, not the prototype chain). A class of yours that extends one of these
 * without a `static kind` of its own is checked by the prototype chain (only its own instances match it) and named as
 * you wrote it (`name`); its `code` is its parent's unless you give one.
 */
export class DecartError extends Error {
  /** The class's name, kept explicitly so that minifiers cannot change it. */
  static readonly kind: string = "DecartError";
  /** A stable machine-readable kind, e.g. `RATE_LIMIT`, `CONNECTION_REFUSED` (see `ErrorCode`). Defaults from the class name. */
  declare code: ErrorCode;
  /** The HTTP status of the answer that caused the error, when there was one. */
  declare status: number | undefined;
  /**
   * The server's `x-request-id` for the failing request, when there was one: quote it to support. After a POST
   * answered `303`, whatever failed next (`SUBMIT_OUTCOME_UNKNOWN`, an answer that breaks the spec, an abort), the
   * `303`'s: the request that may have made the job (the message names the next answer's too when it differs).
   */
  declare requestId: string | undefined;
  /** The job concerned, when one was submitted: it may still complete, and `queue.wait` can watch it again. */
  declare jobId: string | undefined;
  /**
   * True when trying again later could succeed (network errors, timeouts, 408, 429, 5xx), and only where trying again
   * cannot make a second job: an error that ends `submitAndPoll`, `submitAndWatch` or `generate` after their job was
   * made is `false` (its message says `job … was made: follow it with queue.wait(jobId)`); a watch of a job id
   * (`queue.wait`, `queue.watch`) keeps its failure's.
   */
  declare retryable: boolean;
  /**
   * `true` when the server may have taken the request this error ended: an `AbortError` so marked (see there), or a
   * `CALLBACK_ERROR` your `onUploadProgress` threw once the whole body was sent (its message says `a job (or file) may
   * exist`; or, after the answer, it carries the job id). One it threw before (at 0 bytes, or partway) sent nothing
   * the server could take: not set then, nor otherwise.
   */
  declare mayExist?: true | undefined;
  /**
   * The error as plain data, for `JSON.stringify` (a log line, an HTTP answer) and for `postMessage` to or from a worker,
   * which keep none of an error's own fields (the structured clone of an error keeps its `message` alone): `name`,
   * `code`, `message`, `status`, `requestId`, `jobId`, `fileId` and `retryable` (those not set are `undefined`, left
   * out of JSON), and the class's own fields (`field`, `retryAfterMs`, `issues` …). Its `cause` is not in it: it may
   * be anything. A `jobId` that looks like a key (`dct_…`, `ek_…`: one pasted as a job id) is written by its length
   * (`31 characters`), as messages show it; the property itself is the id as you gave it.
   */
  declare toJSON: () => DecartErrorJSON;

  constructor(message: string, options: DecartErrorOptions = {}) {
    const { cause, ...fields } = options;
    super(message, cause === undefined ? cause : { cause });
    const kinds: string[] = [];
    // A subclass without a `kind` of its own repeats its parent's, which changes nothing; `Error` has none: the walk ends.
    for (let c: any = new.target; c.kind; c = Object.getPrototypeOf(c)) kinds.push(c.kind);
    // A class of yours without a `kind` of its own (its first kind its parent's, repeated) is named as you wrote it.
    this.name = kinds[0] === kinds[1] ? new.target.name : kinds[0]!;
    Object.defineProperty(this, MARK, { value: kinds });
    Object.assign(
      this,
      {
        // The code of the nearest class of the package (a subclass of yours keeps its parent's).
        code: kinds[0]!
          .slice(0, -5) // every kind ends with "Error"
          .replace(/\B[A-Z]/g, "_$&")
          .toUpperCase(),
        status: undefined,
        requestId: undefined,
        jobId: undefined,
        retryable: false,
      },
      fields,
    );
  }

  // Named by a computed key: a method so named is not one TypeScript knows, and the field declared above types it
  // (a spread of an error, `{ ...e, retryable: true }`, still types as one, as it would not with a method).
  ["toJSON" as string]() {
    // Its own enumerable fields (`name` is one of them; `cause` is not), and `message`, which is not enumerable; a
    // key-like `jobId` (a key pasted as a job id) as messages show it, by its length (`shown`): JSON goes to logs.
    return { ...this, message: this.message, jobId: shown(this.jobId!) };
  }

  // What Node's `util.inspect` prints (`console.log(error)`; Bun and Deno read the same symbol): the error as it is,
  // but with a key-like `jobId` by its length, as messages and `toJSON` show it, on a copy of the error (its class, and
  // its own properties as they are now, in their order: message, stack, `[cause]`, a getter as `[Getter]`, run on the
  // error with `getters: true`); the error keeps the id as given. One copy per error (`printed`), so that an error
  // that leads back to itself (`e.self = e`, a cause that does) is printed `[Circular *1]` there; emptied on each
  // print, so that a field deleted since (a body redacted before a log line) is not printed. A browser's console
  // shows the fields as they are. A getter, there only while the `jobId` is key-like (the copy's is not): a hook that
  // returned the object it was called on would be called again by printers that print what a hook returns (chai's
  // and Vitest's, for a Proxy of an error or an object made from one), and again, until the stack overflows.
  get [Symbol.for("nodejs.util.inspect.custom")]() {
    return keyLike(this.jobId!) ? copied : undefined;
  }

  /**
   * True when `error` is an instance of this class, even if it comes from another copy of the package. A class of yours
   * without a `static kind` of its own is checked by its prototype chain, as `instanceof` checks any class: only its
   * own instances are (a marker compared would be its parent's, which every error of that parent has).
   */
  static isInstance<T extends AnyErrorClass>(this: T, error: unknown): error is InstanceType<T> {
    // A value whose marker or prototype cannot be read (a Proxy that throws, a getter that throws, a revoked Proxy) is
    // none.
    try {
      // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass the check is called on.
      const c = this as unknown as typeof DecartError;
      return Object.hasOwn(c, "kind")
        ? [(error as { [MARK]?: unknown } | null | undefined)?.[MARK]].flat().includes(c.kind)
        : // biome-ignore lint/suspicious/noPrototypeBuiltins: a class's prototype has Object's own methods
          c.prototype.isPrototypeOf(error as object);
    } catch {
      return false;
    }
  }

  /** Makes `instanceof` use the same marker check, so it too works across copies of the package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class on the right of `instanceof`.
    return (this as typeof DecartError).isInstance(value);
  }
}

/** A caller's input or option is wrong; nothing was sent. */
export class InvalidInputError extends DecartError {
  static override readonly kind: string = "InvalidInputError";
  /** The offending field or option (`prompt`, `model`, `apiKey` …). */
  declare field: string | undefined;
  /** What was expected there, in words. */
  declare expected: string | undefined;
}
/** 400: the server could not read the request (e.g. an unreadable file). */
export class BadRequestError extends DecartError {
  static override readonly kind: string = "BadRequestError";
}
/** 401: no key, or an unknown or expired one. */
export class AuthenticationError extends DecartError {
  static override readonly kind: string = "AuthenticationError";
}
/** 403: the key may not do this (e.g. a client token used for a model it does not allow). */
export class PermissionDeniedError extends DecartError {
  static override readonly kind: string = "PermissionDeniedError";
}
/** 404: no such job, file or model. */
export class NotFoundError extends DecartError {
  static override readonly kind: string = "NotFoundError";
  /**
   * Set when the 404 may be of a wrong URL, not the API's answer (a body that is no JSON, a gateway's page; the bare
   * "Not Found" of a `baseUrl` ending in `/v1`): what the message ends with, after the URL asked (`if it is no route of
   * the API, check baseUrl (the client adds /v1/…)`, or `proxy`), for a tool to say it in its own options' words.
   */
  declare hint?: string | undefined;
}
/** 409: the request conflicts with the resource's state. */
export class ConflictError extends DecartError {
  static override readonly kind: string = "ConflictError";
}
/** 409 on a download: the job is not completed (still `pending`/`processing`, or `failed`). */
export class JobNotCompletedError extends ConflictError {
  static override readonly kind: string = "JobNotCompletedError";
}
/** 410: the resource is gone (e.g. a result past its retention period). */
export class GoneError extends DecartError {
  static override readonly kind: string = "GoneError";
}
/**
 * A `ModelRetiredError`'s fields for `model`: it, and the model to use instead when the catalogue lists it as retired
 * (`@decart/api`'s `retiredModels`), else as deprecated in favour of another (its `deprecatedInFavourOf`: a model the
 * server retired before this version knew).
 */
export const retiredFields = (model: any) => ({
  model,
  replacement:
    retiredModels.find((r) => r.name === model)?.replacement ??
    (isModelName(model) ? (catalogue as any)[model].deprecatedInFavourOf : undefined),
});

/** 410 for a retired model: answered by the server, or known from the catalogue before sending. */
export class ModelRetiredError extends GoneError {
  static override readonly kind: string = "ModelRetiredError";
  declare model: string | undefined;
  /** The model to use instead, when known. */
  declare replacement: string | undefined;
}
/** 413: an upload is larger than the server accepts. */
export class PayloadTooLargeError extends DecartError {
  static override readonly kind: string = "PayloadTooLargeError";
}
/** 422: the server rejected the inputs; `issues` lists each bad field (`loc`, `msg`, `type`). */
export class ValidationError extends DecartError {
  static override readonly kind: string = "ValidationError";
  declare issues: ValidationIssue[];
}
/** 429: too many requests. `retryAfterMs` is the server's `Retry-After`, when given. */
export class RateLimitError extends DecartError {
  static override readonly kind: string = "RateLimitError";
  declare retryAfterMs: number | undefined;
}
/** 5xx: the server (or a gateway) failed. `retryAfterMs` is the server's `Retry-After`, when given. */
export class ServerError extends DecartError {
  static override readonly kind: string = "ServerError";
  declare retryAfterMs: number | undefined;
}
/** The server could not be reached (`CONNECTION_REFUSED`), or the connection broke (`TRUNCATED` for a cut download). */
export class ConnectionError extends DecartError {
  static override readonly kind: string = "ConnectionError";
}
/** One HTTP attempt took longer than the client's `timeoutMs` (no answer, or a download stalled). */
export class TimeoutError extends DecartError {
  static override readonly kind: string = "TimeoutError";
}
/**
 * A 2xx answer that does not match the spec (a status that is not a job status, a body that is not JSON, a result of
 * the wrong media type or empty), or a redirect the client would not follow. `jobId` says which job it concerned.
 */
export class InvalidResponseError extends DecartError {
  static override readonly kind: string = "InvalidResponseError";
  /**
   * The file an upload's answer named although it broke the spec: it was stored (use it, or `files.delete` it). Set
   * only then.
   */
  declare fileId?: string | undefined;
  /**
   * The image `process` was answered with, whole, in a type the spec does not list for it (`image/webp`): made, and
   * billed; keep it if you can use it. Set only then.
   */
  declare data?: Blob | undefined;
}
/** A job did not finish before the wait's `timeoutMs`. The job may still finish: `jobId` says which. */
export class JobTimeoutError extends DecartError {
  static override readonly kind: string = "JobTimeoutError";
  /** The last status seen. */
  declare lastStatus: string | undefined;
  /**
   * Set when the watch ended at once because the server's `Retry-After` (this, in ms) reached past the budget's end:
   * when to ask again (`queue.wait(jobId)`, `queue.result`). Its `cause` carries the same figure.
   */
  declare retryAfterMs: number | undefined;
  /**
   * `true` when the budget ended a submit after a failure the server may have taken (a 500 sent again under
   * `retrySubmit`): its `code` is then `SUBMIT_OUTCOME_UNKNOWN`, its `requestId` that failure's. A submit the budget
   * ended with no such failure made no job: it has neither, and is `retryable`.
   */
  declare mayExist?: true | undefined;
}
/** The caller's `signal` was aborted. Watching stopped; a submitted job is not cancelled. */
export class AbortError extends DecartError {
  static override readonly kind: string = "AbortError";
  /**
   * `true` when a submit, `process` or upload was aborted after the server may have taken it (its message says `a job
   * (or file) may exist`): sent, or at any point after a failure that was `SUBMIT_OUTCOME_UNKNOWN` (waiting to be sent
   * again, or in a later attempt: that failure's `requestId`). Not set otherwise.
   */
  declare mayExist?: true | undefined;
}
/** A job ended `failed` (thrown by the deprecated `generate`; `submitAndPoll` returns the failure instead). */
export class JobFailedError extends DecartError {
  static override readonly kind: string = "JobFailedError";
  /** The server's reason, or "Job failed". */
  declare reason: string;
}

/**
 * The `JobFailedError` of job `jobId` that ended `failed` for `reason` (the server's). Exported for view layers, so that
 * theirs read as `generate`'s (queue-rx's `jobFailed`).
 */
export const failedJob = (jobId: string, reason: string) =>
  new JobFailedError(`Job ${shown(jobId)} failed: ${reason}`, { jobId, reason });

/**
 * A value as refusals show it (`invalid`'s "(got …)"): text quoted and cut at 40 characters, text that looks like a key
 * or a client token (`keyLike`), or with `byLength` any text, by its length alone (`31 characters`); a BigInt as in
 * code (`1n`); `null` and `undefined` as themselves; an object or a function as its kind, never its text (a function's
 * would be its whole source, an object's own `toString` may be anything). Exported for view layers (queue-rx's batch),
 * so that their refusals show a value as the core's do.
 */
export const shownValue = (got: unknown, byLength?: boolean): string =>
  typeof got === "string"
    ? byLength || keyLike(got)
      ? `${got.length} characters`
      : JSON.stringify(got.slice(0, 40))
    : got && typeof got === "object"
      ? "an object"
      : typeof got === "function"
        ? "a function"
        : String(got) + (typeof got === "bigint" ? "n" : "");

/**
 * The `InvalidInputError` of every check: `${where}: "${field}" must be ${expected}`, then what was given (when
 * `got` is not undefined), as `shownValue` shows it. Text given where a file is expected (the expected forms end with
 * "URL") is shown by its length alone: a path, base64 data or a URL of another scheme may be a secret.
 */
export const invalid = (where: string, field: string, expected: string, got?: unknown): InvalidInputError =>
  new InvalidInputError(
    `${where}: "${field}" must be ${expected}${got === undefined ? "" : ` (got ${shownValue(got, /URL$/.test(expected))})`}`,
    { field, expected },
  );

/**
 * Text given by the caller as messages show it (a job id, a segment of a request's URL): as it is, unless it looks like
 * a key or a client token (see `keyLike`: a key pasted where a job id goes), shown by its length alone.
 */
export const shown = (text: string) => (keyLike(text) ? `${text.length} characters` : text);

/**
 * A 404, 409 or 410 about a job whose words do not name it (`Job not found (HTTP 404)`, a result gone) is given its
 * id: `Job <id>: …` (`queue.status`'s, `queue.result`'s and a watch's alike); a token route's (`TOKEN_ERROR`) is about
 * the route, not the job, and is left as it is. Answers the error.
 */
export const aboutJob = (jobId: string, e: any) => {
  if (/^4(0[49]|10)$/.test(e?.status) && e.code !== "TOKEN_ERROR" && !e.message.includes(shown(jobId)))
    e.message = `Job ${shown(jobId)}: ${e.message}`;
  return e;
};

/**
 * A URL as messages show it (a file input's, a redirect's Location, a token route's): without its query and fragment
 * (a signed URL's signature) and its userinfo (credentials), which would end up in logs; text that looks like a key or
 * a client token (a token given where a route's URL goes) by its length alone (`shown`).
 */
export const shownUrl = (url: unknown) => shown(String(url)).replace(/(\/\/)[^/?#]*@|[?#].*/gs, "$1");

/**
 * Whether `text` looks like a key or a client token (`dct_…`, `ek_…`, in any letter case, anywhere in it): a message
 * shows such a value by its length alone, never its text (a key given where something else was expected).
 */
export const keyLike = (text: string) => /\b(dct|ek)_/i.test(text);

/**
 * `text` cut to at most `max` characters; when it is cut, the word cut at its end goes too, with the spaces before it
 * (of a text of one word, what follows its last `"<>,&?`: minified JSON or a URL keeps its start, a run without them
 * goes whole): a key echoed there, in any of the forms `keyPattern` knows (its letter case changed, percent-encoded, in
 * base64, under another prefix; of any length, and of any characters, but those in a text of one word), is never kept
 * in part, which a redaction of its whole forms (`createTokenRoute`'s, the CLI's) would not recognise; and what follows
 * the text (` (HTTP 500)`) follows one word.
 */
export const clip = (text: string, max: number) =>
  text[max] ? text.slice(0, max).replace(/\s+\S*$|[^\s"<>,&?]*$/, "") : text;

/**
 * What a function of yours threw (or rejected with), as text: with `message`, its `message` when it has one; else the
 * value written with `String` (a Symbol or `null` too); `?` when that throws (an object whose `toString` throws).
 */
export const textOf = (thrown: unknown, message?: boolean): string => {
  try {
    return String((message && (thrown as Error)?.message) ?? thrown);
  } catch {
    return "?";
  }
};

/**
 * A caller's callback threw (or, as `what` says, failed otherwise): the error (code `CALLBACK_ERROR`, not retried) that
 * ends the call; the job goes on. What was thrown is written with `String` (`?` when that throws). Exported for view
 * layers that run a watch (queue-rx's `drive`), so that their callback errors read as the core's.
 */
export const callbackThrew = (jobId: string | undefined, cause: unknown, what = "a callback threw") =>
  new DecartError(
    `${jobId ? `Job ${shown(jobId)}: ` : ""}${what} (${textOf(cause)})${jobId ? "; the job goes on" : ""}`,
    {
      jobId,
      cause,
      code: "CALLBACK_ERROR",
    },
  );

/**
 * `clock` (a `poll.now` of yours, or the client's `random`: `name`), whose throw is a `CALLBACK_ERROR` carrying `jobId`;
 * so is an answer that is no finite number (a `Date`, a string, `NaN`: a watch read in a tight loop, or timed out at
 * once; a retry's wait `NaN`, sent again at once), and with `unit` one outside [0, 1) (a `random` whose `5` would wait
 * five times the backoff, whose `-1` would wait only the floor).
 */
export const guard =
  (clock: () => number, jobId?: string, name = "poll.now", unit?: 1) =>
  (): number => {
    try {
      const t = clock();
      if (Number.isFinite(t) && !(unit && (t < 0 || t >= 1))) return t;
      throw `${name} answered ${t}`;
    } catch (cause) {
      const e = callbackThrew(jobId, cause);
      unit && randomFailed.add(e);
      throw e;
    }
  };

/** The `CALLBACK_ERROR`s of the client's own `random` (a `guard` with `unit`): a schedule's throw of any other is its own. */
export const randomFailed = new WeakSet<object>();

/**
 * The `AbortError` for `signal` (exported for view layers whose signal ends a watch, as the React hooks'), naming the
 * job (`Job <id>: …; the job is not cancelled`) when there is one, the request (`requestId`) when an answer gave one;
 * after a request the server may have taken (`mayExist`), it says so.
 */
export const aborted = (jobId?: string, cause?: unknown, requestId?: string, mayExist?: boolean) =>
  new AbortError(
    // A job known is named, and said to go on: aborting stops the call, never the job.
    `${jobId ? `Job ${shown(jobId)}: the` : "The"} operation was aborted${requestId ? ` (request ${requestId})` : ""}${mayExist ? "; a job (or file) may exist" : jobId ? "; the job is not cancelled (it bills)" : ""}`,
    {
      jobId,
      cause,
      requestId,
      ...(mayExist && { mayExist }),
    },
  );

/**
 * Any failure as a `DecartError` (an unexpected one becomes `INVALID_RESPONSE`), carrying `jobId` if it has none; a
 * `CALLBACK_ERROR` without a job (the client's `poll.now` or `poll.delay` thrown inside a request about one: "a
 * callback threw") is written again as that job's, as a watch's own clock writes it.
 */
export function asDecartError(e: unknown, jobId?: string): DecartError {
  if (!(e instanceof DecartError))
    return new InvalidResponseError(`Unexpected answer: ${textOf(e, true)}`, { jobId, cause: e });
  if (jobId && !e.jobId && e.code === "CALLBACK_ERROR") return callbackThrew(jobId, e.cause);
  e.jobId ??= jobId;
  return e;
}

/**
 * The `JobTimeoutError` of a wait whose budget ran out (`within`: the budget in words, `5000 ms` or "its deadline"):
 * the job may still finish, and `queue.wait(jobId)` can watch it again. A job seen `completed` is done: its result's
 * download did not finish, and the message says so (`queue.result` or `saveResult` fetch it again). When the last
 * request (a status read, a download, a submit) failed and its retry was cut short, that failure is the `cause`, and
 * the message says it: a server down or failing reads apart from a job that is slow. A watch ended at once by a
 * `Retry-After` past the budget's end (`waited`, in ms) says so instead: "not watched on" (the budget did not run out),
 * or, for a job seen completed, its result not downloaded, that wait the reason; its `retryAfterMs` is that wait. One
 * the client's rate-limit gate held (its `cause` not sent) says it "was held", not what a `Retry-After` asked: a bare
 * 429 (none) closes the gate too, and the cause says how long it stays shut, in whole ms.
 */
/**
 * The mark of an error whose request never left (see `unsent`): a `TimeoutError` so marked is one not sent for want of
 * time (the client's `late` reads it so).
 */
export const UNSENT = Symbol();
/**
 * `error`, marked where it is made as the failure of a request that never left (offline, no time left, the client's
 * rate-limit gate): a `JobTimeoutError` it is the cause of says "the last request was not sent", by this mark, not by
 * words in a message (a server's text, "not sent again", may hold them).
 */
export const unsent = <E extends object>(error: E): E => Object.defineProperty(error, UNSENT, { value: 1 });

/**
 * The failure whose words a call's first failure after which a job may exist (`retrySubmit`) was given last (`; then:
 * …`, see `retry`): a call not sent for want of time then is told so by that one's mark, as its own would be.
 */
export const followedBy = new WeakMap<object, DecartError>();

/** What a failure after which a job (or file) may exist says of it when it is not sent again (`retrySubmit` off). */
export const notSent = "not sent again (that could bill twice): ask support before retrying";

export const timedOut = (
  jobId: string | undefined,
  cause: DecartError | undefined,
  lastStatus: string | undefined,
  within: string,
  waited?: number,
) =>
  new JobTimeoutError(
    `${jobId ? `Job ${shown(jobId)}` : "The submit"}${lastStatus === "completed" ? ` completed; its result not downloaded within ${within} (queue.result or saveResult fetches it again)` : waited ? ": not watched on" : ` not done within ${within} (last status: ${lastStatus ?? "unknown"})`}${cause ? `${waited && lastStatus !== "completed" ? ":" : ";"} the last request ${waited ? `${cause[UNSENT as never] ? "was held" : `asked to wait ${waited} ms (Retry-After)`}, past the budget's end` : cause[UNSENT as never] ? "was not sent" : `${followedBy.get(cause)?.[UNSENT as never] ? "sent " : ""}failed`}: ${cause.message}` : ""}`,
    { jobId, lastStatus, cause, retryAfterMs: waited },
  );

/**
 * Waits with `wait` (the client's `poll.delay`, or the call's): rejects with `AbortError` (carrying `jobId`, the
 * signal's reason its `cause`, whatever `wait` rejected with) when `signal` aborts; a `wait` of yours that throws or
 * rejects otherwise is a `CALLBACK_ERROR` naming `poll.delay`. A wait to send a request again after a failure that
 * left its outcome unknown (`after`, `SUBMIT_OUTCOME_UNKNOWN`), aborted or ended by your `wait`, says that a job (or
 * file) may exist (`mayExist`), carrying that failure's request id.
 */
export const pause = async (
  wait: (ms: number, signal?: AbortSignal) => Promise<void>,
  ms: number,
  signal?: AbortSignal,
  jobId?: string,
  after?: DecartError,
) => {
  try {
    await wait(ms, signal);
  } catch (e) {
    // (`after` is given only as such a failure: `retry`'s first `SUBMIT_OUTCOME_UNKNOWN`.)
    const requestId = after?.requestId;
    if (signal?.aborted) throw aborted(jobId, signal.reason, requestId, !!after);
    const error = callbackThrew(jobId, e, "poll.delay failed");
    if (after)
      Object.assign(error, {
        message: `${error.message}; a job (or file) may exist${requestId ? ` (request ${requestId})` : ""}`,
        requestId,
        mayExist: true,
      });
    throw error;
  }
};

const byStatus: Record<number, typeof DecartError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  410: GoneError,
  413: PayloadTooLargeError,
  422: ValidationError,
  429: RateLimitError,
};

/**
 * A length in ms as a message says it: in whole ms, or, under half a ms, its first figure (`0.3 ms`): never `0 ms`
 * for one that is not 0 (a deadline a fraction of a ms away, on a fractional clock such as `performance.now`), and
 * under a thousandth of a ms `under 0.001 ms` (not `1e-7 ms`).
 */
export const msOf = (ms: number) => `${Math.round(ms) || (ms && ms < 1e-3 ? "under 0.001" : +ms.toPrecision(1))} ms`;

/** A function that does nothing: given a failure nothing acts on (a cancel's rejection, a stream's error heard). */
export const ignore = () => {};

/** How a message ends for an answer: `(HTTP 502, request req_…)`. */
export const httpSuffix = (status: number, requestId?: string) =>
  `(HTTP ${status}${requestId ? `, request ${requestId}` : ""})`;

/**
 * Builds the error for a non-2xx answer from its status and body text (`content`, when truthy: the answer to a
 * download). `redact` clears the key from the text, once every JSON escape of a printable ASCII character in it is read
 * as the character (`\/` as `/`, PHP's; `\u0064` as `d`; but for `"` and `\`, which stay escaped): the same JSON, and
 * the same text of any answer, in which a key echoed escaped reads as it is, so that what is shown (the strings parsed
 * from it, else the text) never holds it.
 */
export function errorFromResponse(
  status: number,
  body: string,
  info: { requestId?: string; retryAfterMs?: number; jobId?: string },
  content?: unknown,
  redact = (text: string) => text,
): DecartError {
  // An escaped backslash is read whole, as JSON.parse reads it: `\\u0064` stays (a backslash, then `u0064`). The text is
  // trimmed once, here, as every use of it shows it.
  body = redact(
    // The escape's character, unless it is `"` or `\` (then the escape as it was).
    body.replace(/\\(u00[2-7][\dA-Fa-f]|[\\/])/g, (seq) => JSON.parse(`"${seq}"`).replace(/["\\]/, seq)),
  ).trim();
  let parsed: any;
  try {
    parsed = JSON.parse(body);
  } catch {}
  // Not the API's JSON: a proxy's HTML error page reads as its title (else its text), one line.
  // The patterns stop at the next `<`: a page of unclosed tags takes linear time, not quadratic.
  let detail =
    parsed?.detail ??
    parsed?.error ??
    (/^</.test(body)
      ? `${clip((body.match(/<title[^<>]*>([^<]*)/i)?.[1] ?? body.replace(/<[^<>]*>/g, " ")).replace(/\s+/g, " ").trim(), 200)} (an HTML page, not the API's answer)`
      : body);
  // Of each issue of the API's shape (with a `msg`), its `loc`, `msg`, `type` and `ctx`, those it has: not the value it
  // echoes (pydantic's `input`: a whole prompt), which every log of the error would carry. Another shape as it is.
  let issues =
    status === 422 && Array.isArray(detail)
      ? detail.map((i) =>
          i?.msg ? Object.fromEntries(["loc", "msg", "type", "ctx"].filter((k) => k in i).map((k) => [k, i[k]])) : i,
        )
      : undefined;
  /** A value of the answer as text: itself when it is text, else as JSON. */
  const said = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));
  // Each issue as `field: message` (`prompt: …`, `trajectory.1.frame: …`, a `loc` given as text as it is); one about the
  // whole body (a rule over several fields) as its message alone, and without the server's "Value error, " prefix. An
  // issue of another shape (text, `null`, no `msg`) as it is. A detail too deep to write (JSON nested deeper than
  // a recursion goes), an issue's `input` too: the answer's text, and no issues (`JSON.stringify(error)` would throw).
  try {
    said(issues);
    detail = issues
      ? issues
          .map((i) =>
            i?.msg
              ? `${[i.loc].flat().join(".")}: ${said(i.msg)}`.replace(/^(body)?(\.|: )|Value error, /g, "")
              : said(i),
          )
          .join("; ")
      : said(detail);
  } catch {
    detail = body;
    issues = [];
  }
  const Class =
    status === 410 && parsed?.model
      ? ModelRetiredError
      : status === 409 && content
        ? JobNotCompletedError
        : (byStatus[status] ?? (status >= 500 ? ServerError : DecartError));
  // At most 500 characters of it, as of a text answer (the `issues` of a 422 are all kept).
  return new Class(`${clip(detail, 500) || "HTTP error"} ${httpSuffix(status, info.requestId)}`, {
    ...info,
    status,
    retryable: [408, 429].includes(status) || status >= 500,
    ...(Class === DecartError && { code: "HTTP_ERROR" }),
    ...(status === 422 && { issues: issues ?? [] }),
    ...(Class === ModelRetiredError && retiredFields(parsed.model)),
  });
}
