import type { ValidationIssue } from "@decart/api";

/** Marks every error of this package; `Symbol.for` so two copies of the package recognise each other's errors. */
const MARK = Symbol.for("@decart/core.error");

export interface DecartErrorOptions {
  code?: string;
  status?: number | undefined;
  requestId?: string | undefined;
  jobId?: string | undefined;
  retryable?: boolean;
  cause?: unknown;
  /** Fields of a subclass (`field`, `retryAfterMs`, `issues` …). */
  [extra: string]: unknown;
}

type AnyErrorClass = abstract new (...args: any[]) => DecartError;

/**
 * The base of every error this package throws. `instanceof` and `isInstance` work across two copies of the
 * package (they compare a `Symbol.for` marker, not the prototype chain).
 */
export class DecartError extends Error {
  /** The class's name, kept explicitly so that minifiers cannot change it. */
  static readonly kind: string = "DecartError";
  /** A stable machine-readable kind, e.g. `RATE_LIMIT`, `CONNECTION_REFUSED`. Defaults from the class name. */
  declare code: string;
  /** The HTTP status of the answer that caused the error, when there was one. */
  declare status: number | undefined;
  /** The server's `x-request-id` for the failing request, when there was one: quote it to support. */
  declare requestId: string | undefined;
  /** The job concerned, when one was submitted: it may still complete, and `queue.wait` can watch it again. */
  declare jobId: string | undefined;
  /** True when trying again later could succeed (network errors, timeouts, 408, 429, 5xx). */
  declare retryable: boolean;

  constructor(message: string, options: DecartErrorOptions = {}) {
    const { cause, ...fields } = options;
    super(message, cause === undefined ? undefined : { cause });
    const kinds: string[] = [];
    for (let c: any = new.target; c !== Error; c = Object.getPrototypeOf(c))
      if (Object.hasOwn(c, "kind")) kinds.push(c.kind);
    this.name = kinds[0]!;
    Object.defineProperty(this, MARK, { value: kinds });
    const code = kinds[0]!
      .replace(/Error$/, "")
      .replace(/\B[A-Z]/g, "_$&")
      .toUpperCase();
    Object.assign(this, { code, status: undefined, requestId: undefined, jobId: undefined, retryable: false }, fields);
  }

  /** True when `error` is an instance of this class, even if it comes from another copy of the package. */
  static isInstance<T extends AnyErrorClass>(this: T, error: unknown): error is InstanceType<T> {
    const kinds = (error as { [MARK]?: unknown } | null | undefined)?.[MARK];
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass the check is called on.
    return Array.isArray(kinds) && kinds.includes((this as unknown as typeof DecartError).kind);
  }

  /** Makes `instanceof` use the same marker check, so it too works across copies of the package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class on the right of `instanceof`.
    return (this as typeof DecartError).isInstance(value);
  }
}

/** A subclass of `DecartError` (or of `Base`), as its factory returns it: a real class whose instances are `T`. */
type ErrorClass<T extends DecartError> = Omit<typeof DecartError, "prototype"> & {
  new (message: string, options?: DecartErrorOptions): T;
  readonly prototype: T;
};

/**
 * Makes the subclass `kind` of `Base`: a real class named `kind` (its `kind` is kept as a string, so that minifiers
 * cannot change it).
 */
function errorClass<T extends DecartError>(kind: string, Base: ErrorClass<DecartError> = DecartError): ErrorClass<T> {
  // A class defined as a computed property takes its key as `name`, as a class declaration would.
  return {
    [kind]: class extends Base {
      static override readonly kind = kind;
    },
  }[kind] as unknown as ErrorClass<T>;
}

/** A caller's input or option is wrong; nothing was sent. */
export interface InvalidInputError extends DecartError {
  /** The offending field or option (`prompt`, `model`, `apiKey` …). */
  field: string | undefined;
  /** What was expected there, in words. */
  expected: string | undefined;
}
export const InvalidInputError = errorClass<InvalidInputError>("InvalidInputError");
/** 400: the server could not read the request (e.g. an unreadable file). */
export interface BadRequestError extends DecartError {}
export const BadRequestError = errorClass<BadRequestError>("BadRequestError");
/** 401: no key, or an unknown or expired one. */
export interface AuthenticationError extends DecartError {}
export const AuthenticationError = errorClass<AuthenticationError>("AuthenticationError");
/** 403: the key may not do this (e.g. a client token used for a model it does not allow). */
export interface PermissionDeniedError extends DecartError {}
export const PermissionDeniedError = errorClass<PermissionDeniedError>("PermissionDeniedError");
/** 404: no such job, file or model. */
export interface NotFoundError extends DecartError {}
export const NotFoundError = errorClass<NotFoundError>("NotFoundError");
/** 409: the request conflicts with the resource's state. */
export interface ConflictError extends DecartError {}
export const ConflictError = errorClass<ConflictError>("ConflictError");
/** 409 on a download: the job is not completed (still `pending`/`processing`, or `failed`). */
export interface JobNotCompletedError extends ConflictError {}
export const JobNotCompletedError = errorClass<JobNotCompletedError>("JobNotCompletedError", ConflictError);
/** 410: the resource is gone (e.g. a result past its retention period). */
export interface GoneError extends DecartError {}
export const GoneError = errorClass<GoneError>("GoneError");
/** 410 for a retired model: answered by the server, or known from the catalogue before sending. */
export interface ModelRetiredError extends GoneError {
  model: string | undefined;
  /** The model to use instead, when known. */
  replacement: string | undefined;
}
export const ModelRetiredError = errorClass<ModelRetiredError>("ModelRetiredError", GoneError);
/** 413: an upload is larger than the server accepts. */
export interface PayloadTooLargeError extends DecartError {}
export const PayloadTooLargeError = errorClass<PayloadTooLargeError>("PayloadTooLargeError");
/** 422: the server rejected the inputs; `issues` lists each bad field (`loc`, `msg`, `type`). */
export interface ValidationError extends DecartError {
  issues: ValidationIssue[];
}
export const ValidationError = errorClass<ValidationError>("ValidationError");
/** 429: too many requests. `retryAfterMs` is the server's `Retry-After`, when given. */
export interface RateLimitError extends DecartError {
  retryAfterMs: number | undefined;
}
export const RateLimitError = errorClass<RateLimitError>("RateLimitError");
/** 5xx: the server (or a gateway) failed. `retryAfterMs` is the server's `Retry-After`, when given. */
export interface ServerError extends DecartError {
  retryAfterMs: number | undefined;
}
export const ServerError = errorClass<ServerError>("ServerError");
/** The server could not be reached (`CONNECTION_REFUSED`), or the connection broke (`TRUNCATED` for a cut download). */
export interface ConnectionError extends DecartError {}
export const ConnectionError = errorClass<ConnectionError>("ConnectionError");
/** One HTTP attempt took longer than the client's `timeoutMs` (no answer, or a download stalled). */
export interface TimeoutError extends DecartError {}
export const TimeoutError = errorClass<TimeoutError>("TimeoutError");
/** A job did not finish before the wait's `timeoutMs`. The job may still finish: `jobId` says which. */
export interface JobTimeoutError extends DecartError {
  /** The last status seen. */
  lastStatus: string | undefined;
}
export const JobTimeoutError = errorClass<JobTimeoutError>("JobTimeoutError");
/** The caller's `signal` was aborted. Watching stopped; a submitted job is not cancelled. */
export interface AbortError extends DecartError {}
export const AbortError = errorClass<AbortError>("AbortError");
/** A job ended `failed` (thrown by the deprecated `generate`; `submitAndPoll` returns the failure instead). */
export interface JobFailedError extends DecartError {
  /** The server's reason, or "Job failed". */
  reason: string;
}
export const JobFailedError = errorClass<JobFailedError>("JobFailedError");

/** The `AbortError` for `signal`. */
export const aborted = (jobId?: string, cause?: unknown) =>
  new AbortError("The operation was aborted", { jobId, cause });

/** Any failure as a `DecartError` (an unexpected one becomes `INVALID_RESPONSE`), carrying `jobId` if it has none. */
export function asDecartError(e: unknown, jobId?: string): DecartError {
  const error = DecartError.isInstance(e)
    ? e
    : new DecartError(`Unexpected answer: ${(e as Error)?.message ?? e}`, { code: "INVALID_RESPONSE", cause: e });
  error.jobId ??= jobId;
  return error;
}

/** Waits with `wait`: rejects with `AbortError` (carrying `jobId`) when `signal` aborts, else with a `DecartError`. */
export const pause = (
  wait: (ms: number, signal?: AbortSignal) => Promise<void>,
  ms: number,
  signal?: AbortSignal,
  jobId?: string,
) =>
  wait(ms, signal).catch((e) => {
    throw signal?.aborted ? aborted(jobId, e) : asDecartError(e, jobId);
  });

const byStatus: Record<number, ErrorClass<DecartError>> = {
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

/** Builds the error for a non-2xx answer from its status and body text (`content`: the answer to a download). */
export function errorFromResponse(
  status: number,
  body: string,
  info: { requestId?: string; retryAfterMs?: number; jobId?: string },
  content?: boolean,
): DecartError {
  let parsed: any;
  try {
    parsed = JSON.parse(body);
  } catch {}
  let detail = parsed?.detail ?? parsed?.error ?? body.trim().slice(0, 500);
  const issues = status === 422 && Array.isArray(detail) ? (detail as ValidationIssue[]) : undefined;
  if (issues) detail = issues.map((i) => `${(i.loc ?? []).filter((p) => p !== "body").join(".")}: ${i.msg}`).join("; ");
  else if (typeof detail !== "string") detail = JSON.stringify(detail);
  const Class =
    status === 410 && parsed?.model
      ? ModelRetiredError
      : status === 409 && content
        ? JobNotCompletedError
        : (byStatus[status] ?? (status >= 500 ? ServerError : DecartError));
  return new Class(`${detail || "HTTP error"} (HTTP ${status}${info.requestId ? `, request ${info.requestId}` : ""})`, {
    ...info,
    status,
    retryable: status === 408 || status === 429 || status >= 500,
    ...(Class === DecartError && { code: "HTTP_ERROR" }),
    ...(status === 422 && { issues: issues ?? [] }),
    ...(Class === ModelRetiredError && { model: parsed.model }),
  });
}
