import {
  AbortError,
  ConnectionError,
  DecartError,
  errorFromResponse,
  RateLimitError,
  ServerError,
  TimeoutError,
} from "./errors.js";
import type { DelayFunction, DownloadProgress, Logger } from "./types.js";

export interface TransportConfig {
  apiKey: string | undefined;
  apiKeyHeader: string;
  fetch: typeof fetch | undefined;
  headers: Record<string, string>;
  timeoutMs: number;
  uploadTimeoutMs: number;
  maxRetries: number;
  retrySubmit: boolean;
  delay: DelayFunction;
  now: () => number;
  logger: Logger;
}

/** How one logical request is sent. */
export interface Call {
  /** GET/DELETE: safe to repeat. A POST is repeated only when the server certainly did not take it. */
  idempotent: boolean;
  signal?: AbortSignal | undefined;
  /** Retries after the first attempt (default: the client's `maxRetries`). */
  maxRetries?: number;
  /** No retry is started that would end after this time (by the client's clock). */
  deadline?: number | undefined;
  /** The body, kept so that a retry can send it again (openapi-fetch's `Request` body can be read only once). */
  body?: FormData | string;
  jobId?: string | undefined;
  onProgress?: ((progress: DownloadProgress) => void) | undefined;
}

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8000;
const RETRY_AFTER_CAP_MS = 60_000;

/** `Retry-After` in ms: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with full jitter: a random delay in [0, min(cap, base·2^attempt)]. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  return random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
}

/** True when a connection was refused (ECONNREFUSED anywhere in the `cause` chain): nothing reached the server. */
export function isConnectionRefused(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 8) return false;
  const e = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (e.code === "ECONNREFUSED") return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isConnectionRefused(x, depth + 1))) return true;
  return isConnectionRefused(e.cause, depth + 1);
}

function networkCode(error: unknown): string | undefined {
  for (let e: any = error, i = 0; e && i < 8; e = e.cause, i++) {
    if (typeof e.code === "string") return e.code;
    if (Array.isArray(e.errors) && typeof e.errors[0]?.code === "string") return e.errors[0].code;
  }
  return undefined;
}

/** May this failure be retried under this call's policy? */
function mayRetry(error: DecartError, idempotent: boolean): boolean {
  if (idempotent) return error.retryable;
  // A POST: only when the server certainly did not accept it.
  if (error instanceof RateLimitError) return true;
  if (error instanceof ServerError) return error.status === 503 && error.retryAfterMs !== undefined;
  return error instanceof ConnectionError && error.code === "CONNECTION_REFUSED";
}

/**
 * The client's one place where HTTP happens: returns the `fetch` that openapi-fetch calls for one logical request.
 * It adds the key and user agent, times out each attempt, retries by policy (backoff with full jitter, honouring
 * `Retry-After`), maps failures to typed errors carrying `x-request-id`, and wraps the body so that a stalled,
 * truncated or aborted download becomes a typed error too.
 */
export function createTransport(config: TransportConfig) {
  const redact = (text: string) => (config.apiKey ? text.split(config.apiKey).join("[redacted]") : text);

  return (call: Call) =>
    async (request: Request): Promise<Response> => {
      const { signal, jobId } = call;
      const url = request.url;
      const where = `${request.method} ${url.replace(/\?.*$/, "")}`;
      const headers = new Headers(request.headers);
      if (call.body instanceof FormData) headers.delete("content-type"); // fetch writes a fresh boundary
      for (const [k, v] of Object.entries(config.headers)) headers.set(k, v);
      if (config.apiKey) headers.set(config.apiKeyHeader, config.apiKey);
      const timeoutMs = call.body instanceof FormData ? config.uploadTimeoutMs : config.timeoutMs;
      const maxRetries = call.maxRetries ?? config.maxRetries;
      const idempotent = call.idempotent || config.retrySubmit;
      const fetchImpl = config.fetch ?? globalThis.fetch;
      const abortError = (cause?: unknown) => new AbortError(undefined, { jobId, cause: cause ?? signal?.reason });

      for (let attempt = 0; ; attempt++) {
        if (signal?.aborted) throw abortError();
        const controller = new AbortController();
        const onAbort = () => controller.abort(signal?.reason);
        signal?.addEventListener("abort", onAbort);
        let timedOut = false;
        let timer: ReturnType<typeof setTimeout> | undefined;
        const arm = () => {
          timer = setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, timeoutMs);
        };
        const disarm = () => clearTimeout(timer);
        const release = () => {
          disarm();
          signal?.removeEventListener("abort", onAbort);
        };
        // Maps a failure of fetch or of reading a body.
        const failure = (e: unknown): DecartError => {
          if (signal?.aborted) return abortError(e);
          if (DecartError.isInstance(e)) return e;
          if (timedOut) {
            return new TimeoutError(`${where}: timed out after ${timeoutMs} ms without data`, {
              code: "TIMEOUT",
              retryable: true,
              jobId,
              cause: e,
            });
          }
          const code = networkCode(e);
          const refused = isConnectionRefused(e);
          return new ConnectionError(
            `${where}: ${refused ? "connection refused" : "connection failed"}${code ? ` (${code})` : ""}`,
            {
              code: refused ? "CONNECTION_REFUSED" : "CONNECTION_ERROR",
              retryable: true,
              jobId,
              cause: e,
            },
          );
        };

        let error: DecartError;
        arm();
        try {
          const response = await fetchImpl(url, {
            method: request.method,
            headers,
            body: call.body ?? null,
            signal: controller.signal,
            redirect: "follow",
          });
          const requestId = response.headers.get("x-request-id") ?? undefined;
          if (response.ok) {
            disarm();
            return wrapBody(response, { arm, disarm, release, failure, call, where, requestId });
          }
          const text = await response.text().catch(() => "");
          release();
          error = errorFromResponse(response.status, redact(text), {
            requestId,
            jobId,
            retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), config.now()),
            isContent: /\/content$/.test(new URL(url, "http://x").pathname),
          });
        } catch (e) {
          release();
          error = failure(e);
          if (error instanceof AbortError) throw error;
        }

        if (attempt >= maxRetries || !mayRetry(error, idempotent)) throw error;
        const hinted = (error as { retryAfterMs?: number }).retryAfterMs;
        const wait = hinted !== undefined ? Math.min(hinted, RETRY_AFTER_CAP_MS) : backoffDelay(attempt);
        if (call.deadline !== undefined && config.now() + wait > call.deadline) throw error;
        config.logger.debug?.(
          `${where}: ${error.message}; retry ${attempt + 1} of ${maxRetries} in ${Math.round(wait)} ms`,
        );
        await config.delay(wait, signal).catch((e) => {
          throw signal?.aborted ? abortError(e) : e;
        });
      }
    };
}

interface BodyContext {
  arm: () => void;
  disarm: () => void;
  release: () => void;
  failure: (e: unknown) => DecartError;
  call: Call;
  where: string;
  requestId: string | undefined;
}

/**
 * Re-streams a successful body: each read is timed (an idle timeout), progress is reported, a body shorter than its
 * `Content-Length` is an error, and the abort listener and timer are released as soon as the body ends or is
 * cancelled. Reads happen only on demand (high-water mark 0), so nothing is read that nobody asked for.
 */
function wrapBody(response: Response, ctx: BodyContext): Response {
  const source = response.body;
  if (!source || response.status === 204 || response.headers.get("content-length") === "0") {
    ctx.release();
    return response;
  }
  const lengthHeader = response.headers.get("content-length");
  const total = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
  const reader = source.getReader();
  let received = 0;
  const fail = (e: unknown) => {
    const error = ctx.failure(e);
    error.requestId ??= ctx.requestId;
    return error;
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        ctx.arm();
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (e) {
          ctx.release();
          controller.error(fail(e));
          return;
        }
        if (chunk.done) {
          ctx.release();
          if (total !== undefined && received < total) {
            controller.error(
              new ConnectionError(`${ctx.where}: the body ended after ${received} of ${total} bytes`, {
                code: "TRUNCATED",
                retryable: true,
                jobId: ctx.call.jobId,
                requestId: ctx.requestId,
              }),
            );
          } else controller.close();
          return;
        }
        ctx.disarm();
        received += chunk.value.byteLength;
        controller.enqueue(chunk.value);
        ctx.call.onProgress?.({ receivedBytes: received, totalBytes: total });
      },
      cancel(reason) {
        ctx.release();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(stream, { status: response.status, statusText: response.statusText, headers: response.headers });
}
