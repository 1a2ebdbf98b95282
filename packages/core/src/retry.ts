import type { DecartError } from "./errors.js";

/** Exponential backoff with full jitter: a random delay in [0, min(8 s, 0.5 s·2^attempt)]. */
export const backoffDelay = (attempt: number, random: () => number = Math.random): number =>
  random() * Math.min(8000, 500 * 2 ** attempt);

/** Where a retry decision is made: the request's kind, its retry count and budget, and the time now. */
export interface RetryContext {
  /** A read (GET/DELETE), safe to repeat; or a POST (or `retrySubmit`) that is repeated only when not taken. */
  idempotent: boolean;
  /** Retries allowed after the first attempt (default: until the deadline). */
  maxRetries?: number;
  /** The end of the call's budget, on the client's clock (default: none). */
  deadline?: number;
  /** The client's clock now. */
  now: number;
}

/**
 * The one retry policy. After a failure of attempt `attempt` (from 0), the ms to wait before trying again, or
 * `undefined` to give up and surface `error`. A read is retried when the error is `retryable`; a POST only when the
 * server certainly did not accept it: 429 (`RateLimitError`), 503 with Retry-After (a `ServerError`), a refused
 * connection. The wait is the server's Retry-After (up to 60 s), else backoff (at most 8 s), never less than a floor
 * that grows from 50 ms to 1 s (so `Retry-After: 0` cannot spin a call that retries until its deadline); no retry
 * starts that would begin after the deadline.
 */
export function retryDelay(
  error: DecartError & { retryAfterMs?: number },
  attempt: number,
  { idempotent, maxRetries = Infinity, deadline = Infinity, now }: RetryContext,
): number | undefined {
  const retry = idempotent
    ? error.retryable
    : error.status === 429 ||
      (error.status === 503 && error.retryAfterMs !== undefined) ||
      error.code === "CONNECTION_REFUSED";
  if (attempt >= maxRetries || !retry) return undefined;
  const wait = Math.min(Math.max(error.retryAfterMs ?? backoffDelay(attempt), Math.min(1000, 50 << attempt)), 60_000);
  return now + wait > deadline ? undefined : wait;
}
