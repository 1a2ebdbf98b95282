import type { ValidationIssue } from "@decart/api";

/** Marks every error of this package; `Symbol.for` so two copies of the package recognise each other's errors. */
const MARK = Symbol.for("@decart/core.error");

export interface DecartErrorOptions {
  code?: string;
  status?: number;
  requestId?: string;
  jobId?: string;
  retryable?: boolean;
  cause?: unknown;
}

type AnyErrorClass = abstract new (...args: any[]) => DecartError;

/**
 * The base of every error this package throws. `instanceof` and `isInstance` work across two copies of the
 * package (they compare a `Symbol.for` marker, not the prototype chain).
 */
export class DecartError extends Error {
  /** A stable machine-readable kind, e.g. `RATE_LIMITED`. */
  code: string;
  /** The HTTP status of the answer that caused the error, when there was one. */
  status: number | undefined;
  /** The server's `x-request-id` for the failing request, when there was one: quote it to support. */
  requestId: string | undefined;
  /** The job concerned, when one was submitted: the job may still complete and can be watched with `queue.wait`. */
  jobId: string | undefined;
  /** True when trying again later could succeed (network errors, timeouts, 408, 429, 5xx). */
  retryable: boolean;
  declare readonly [MARK]: readonly string[];

  /** The class's name, kept explicitly so minifiers cannot change it. */
  static readonly kind: string = "DecartError";

  constructor(message: string, options: DecartErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = (new.target as typeof DecartError).kind;
    this.code = options.code ?? "DECART_ERROR";
    this.status = options.status;
    this.requestId = options.requestId;
    this.jobId = options.jobId;
    this.retryable = options.retryable ?? false;
    const kinds: string[] = [];
    for (let c: any = new.target; c && c !== Error; c = Object.getPrototypeOf(c)) {
      if (Object.hasOwn(c, "kind")) kinds.push(c.kind);
    }
    Object.defineProperty(this, MARK, { value: kinds });
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
    return DecartError.isInstance.call(this as AnyErrorClass, value);
  }
}

/** A caller's input or option is wrong; nothing was sent. */
export class InvalidInputError extends DecartError {
  static override readonly kind: string = "InvalidInputError";
  /** The offending field or option (`prompt`, `model`, `apiKey` …). */
  field: string | undefined;
  /** What was expected there, in words. */
  expected: string | undefined;
  constructor(message: string, options: DecartErrorOptions & { field?: string; expected?: string } = {}) {
    super(message, { code: "INVALID_INPUT", ...options });
    this.field = options.field;
    this.expected = options.expected;
  }
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
}
/** 409: the request conflicts with the resource's state. */
export class ConflictError extends DecartError {
  static override readonly kind: string = "ConflictError";
}
/** 409 on a download: the job is not completed (still `pending`/`processing`, or `failed`). */
export class JobNotCompletedError extends ConflictError {
  static override readonly kind: string = "JobNotCompletedError";
}
/** 410: the resource is gone (a result past its retention period). */
export class GoneError extends DecartError {
  static override readonly kind: string = "GoneError";
}
/** 410 for a retired model (answered by the server, or known retired from the catalogue). */
export class ModelRetiredError extends GoneError {
  static override readonly kind: string = "ModelRetiredError";
  model: string | undefined;
  replacement: string | undefined;
  constructor(message: string, options: DecartErrorOptions & { model?: string; replacement?: string } = {}) {
    super(message, { code: "MODEL_RETIRED", status: 410, ...options });
    this.model = options.model;
    this.replacement = options.replacement;
  }
}
/** 413: an upload is larger than the server accepts. */
export class PayloadTooLargeError extends DecartError {
  static override readonly kind: string = "PayloadTooLargeError";
}
/** 422: the server rejected the inputs; `issues` lists each bad field. */
export class ValidationError extends DecartError {
  static override readonly kind: string = "ValidationError";
  issues: ValidationIssue[];
  constructor(message: string, options: DecartErrorOptions & { issues?: ValidationIssue[] } = {}) {
    super(message, { code: "VALIDATION_FAILED", status: 422, ...options });
    this.issues = options.issues ?? [];
  }
}
/** 429: too many requests. `retryAfterMs` is the server's `Retry-After`, when given. */
export class RateLimitError extends DecartError {
  static override readonly kind: string = "RateLimitError";
  retryAfterMs: number | undefined;
  constructor(message: string, options: DecartErrorOptions & { retryAfterMs?: number } = {}) {
    super(message, { code: "RATE_LIMITED", status: 429, retryable: true, ...options });
    this.retryAfterMs = options.retryAfterMs;
  }
}
/** 5xx: the server (or a gateway) failed. `retryAfterMs` is the server's `Retry-After`, when given. */
export class ServerError extends DecartError {
  static override readonly kind: string = "ServerError";
  retryAfterMs: number | undefined;
  constructor(message: string, options: DecartErrorOptions & { retryAfterMs?: number } = {}) {
    super(message, { code: "SERVER_ERROR", retryable: true, ...options });
    this.retryAfterMs = options.retryAfterMs;
  }
}
/** The server could not be reached, or the connection broke (including a truncated download). */
export class ConnectionError extends DecartError {
  static override readonly kind: string = "ConnectionError";
}
/** One HTTP attempt took longer than the client's `timeoutMs` (no answer, or a download stalled). */
export class TimeoutError extends DecartError {
  static override readonly kind: string = "TimeoutError";
}
/** A job did not finish before the wait's `timeoutMs`. The job may still finish: `jobId` says which. */
export class JobTimeoutError extends DecartError {
  static override readonly kind: string = "JobTimeoutError";
  /** The last status seen. */
  lastStatus: string | undefined;
  constructor(message: string, options: DecartErrorOptions & { lastStatus?: string } = {}) {
    super(message, { code: "JOB_TIMEOUT", ...options });
    this.lastStatus = options.lastStatus;
  }
}
/** The caller's `signal` was aborted. Watching stopped; a submitted job is not cancelled. */
export class AbortError extends DecartError {
  static override readonly kind: string = "AbortError";
  constructor(message = "The operation was aborted", options: DecartErrorOptions = {}) {
    super(message, { code: "ABORTED", ...options });
  }
}
/** A job ended `failed` (thrown by the deprecated `generate`; `submitAndPoll` returns the failure instead). */
export class JobFailedError extends DecartError {
  static override readonly kind: string = "JobFailedError";
  reason: string;
  constructor(reason: string, options: DecartErrorOptions = {}) {
    super(options.jobId ? `Job ${options.jobId} failed: ${reason}` : `Job failed: ${reason}`, {
      code: "JOB_FAILED",
      ...options,
    });
    this.reason = reason;
  }
}

const byStatus: Record<number, [typeof DecartError, string]> = {
  400: [BadRequestError, "BAD_REQUEST"],
  401: [AuthenticationError, "AUTHENTICATION_FAILED"],
  403: [PermissionDeniedError, "PERMISSION_DENIED"],
  404: [NotFoundError, "NOT_FOUND"],
  409: [ConflictError, "CONFLICT"],
  410: [GoneError, "GONE"],
  413: [PayloadTooLargeError, "PAYLOAD_TOO_LARGE"],
};

function describeIssues(issues: ValidationIssue[]): string {
  return issues
    .map((i) => {
      const loc = (Array.isArray(i.loc) ? i.loc : []).filter((p) => p !== "body").join(".");
      return loc ? `${loc}: ${i.msg}` : i.msg;
    })
    .join("; ");
}

/** Builds the error for a non-2xx answer. `body` is the answer's text. */
export function errorFromResponse(
  status: number,
  body: string,
  info: { requestId?: string; retryAfterMs?: number; jobId?: string; isContent?: boolean },
): DecartError {
  let parsed: any;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const detail = parsed?.detail ?? parsed?.error;
  const base = { status, requestId: info.requestId, jobId: info.jobId };
  const suffix = ` (HTTP ${status}${info.requestId ? `, request ${info.requestId}` : ""})`;
  if (status === 422 && Array.isArray(detail)) {
    const issues = detail as ValidationIssue[];
    return new ValidationError(`The server rejected the inputs: ${describeIssues(issues)}${suffix}`, {
      ...base,
      issues,
    });
  }
  const text =
    typeof detail === "string" ? detail : detail !== undefined ? JSON.stringify(detail) : body.trim().slice(0, 500);
  const message = `${text || `HTTP ${status}`}${suffix}`;
  if (status === 410 && typeof parsed?.model === "string") {
    return new ModelRetiredError(message, { ...base, model: parsed.model });
  }
  if (status === 409 && info.isContent)
    return new JobNotCompletedError(message, { ...base, code: "JOB_NOT_COMPLETED" });
  if (status === 422) return new ValidationError(message, base);
  if (status === 429) return new RateLimitError(message, { ...base, retryAfterMs: info.retryAfterMs });
  if (status >= 500) return new ServerError(message, { ...base, retryAfterMs: info.retryAfterMs });
  const known = byStatus[status];
  if (known) return new known[0](message, { ...base, code: known[1] });
  return new DecartError(message, { ...base, code: "HTTP_ERROR", retryable: status === 408 });
}
