import { aborted, ConnectionError, DecartError, errorFromResponse, pause, TimeoutError } from "./errors.js";
import { retryDelay } from "./retry.js";
import type { DelayFunction, DownloadProgress, Logger } from "./types.js";

export interface TransportConfig {
  /** The key, only to redact it from error messages (openapi-fetch's requests carry it). */
  apiKey: string | undefined;
  fetch: typeof fetch;
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
  /** The end of the call's budget (by the client's clock): no attempt runs past it, and no retry starts after it. */
  deadline?: number | undefined;
  /** The body, kept so that a retry can send it again (openapi-fetch's `Request` body can be read only once). */
  body?: FormData | string;
  jobId?: string | undefined;
  onProgress?: ((progress: DownloadProgress) => void) | undefined;
}

/** `Retry-After` in ms: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const ms = Number.isFinite(+value) ? +value * 1000 : Date.parse(value) - now;
  return Number.isNaN(ms) ? undefined : Math.max(0, ms);
}

/** Error codes (`ECONNREFUSED` …) anywhere in a `cause` chain or an `AggregateError`, outermost first. */
const errorCodes = (error: any, depth = 0): string[] =>
  error && typeof error === "object" && depth < 9
    ? [
        error.code,
        ...[...(Array.isArray(error.errors) ? error.errors : []), error.cause].flatMap((e) => errorCodes(e, depth + 1)),
      ].filter((code) => typeof code === "string")
    : [];

/** True when a connection was refused: nothing reached the server, so even a POST may be sent again. */
export const isConnectionRefused = (error: unknown) => errorCodes(error).includes("ECONNREFUSED");

/**
 * The client's one place where HTTP happens: returns the `fetch` that openapi-fetch calls for one logical request.
 * It sends the request's headers (openapi-fetch's, with the key and user agent), times out each attempt, retries by
 * policy (backoff with full jitter, honouring `Retry-After` up to 60 s), maps failures to typed errors carrying
 * `x-request-id`, and re-streams the body so that a stalled, cut-short or aborted download becomes a typed error too.
 */
export function createTransport({
  apiKey,
  fetch,
  timeoutMs: readTimeoutMs,
  uploadTimeoutMs,
  maxRetries: defaultRetries,
  retrySubmit,
  delay,
  now,
  logger,
}: TransportConfig) {
  return (call: Call) =>
    async (request: Request): Promise<Response> => {
      const { signal, jobId, body, onProgress, deadline = Infinity } = call;
      const { url, method } = request;
      const where = `${method} ${url}`;
      const headers = new Headers(request.headers);
      const upload = body instanceof FormData;
      if (upload) headers.delete("content-type"); // fetch writes a fresh boundary
      const timeoutMs = upload ? uploadTimeoutMs : readTimeoutMs;
      const maxRetries = call.maxRetries ?? defaultRetries;

      for (let attempt = 0; ; attempt++) {
        if (signal?.aborted) throw aborted(jobId, signal.reason);
        const controller = new AbortController();
        const onAbort = () => controller.abort(signal?.reason);
        signal?.addEventListener("abort", onAbort);
        let timedOut = false;
        let timer: ReturnType<typeof setTimeout> | undefined;
        let requestId: string | undefined;
        // The attempt's timer runs while waiting for the answer, and while waiting for each chunk of its body; it
        // never runs past the call's deadline.
        const arm = () => {
          timer = setTimeout(
            () => {
              timedOut = true;
              controller.abort();
            },
            Math.max(0, Math.min(timeoutMs, deadline - now())),
          );
        };
        const release = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
        };
        // Maps a failure of fetch, or of reading a body.
        const failure = (e: unknown): DecartError => {
          release();
          if (signal?.aborted) return aborted(jobId, e);
          if (DecartError.isInstance(e)) return e;
          const codes = errorCodes(e);
          const refused = codes.includes("ECONNREFUSED");
          const options = { retryable: true, jobId, requestId, cause: e };
          return timedOut
            ? new TimeoutError(`${where}: timed out (${timeoutMs} ms per read, or the call's budget ran out)`, options)
            : new ConnectionError(
                `${where}: ${refused ? "connection refused" : `connection failed (${codes[0] ?? e})`}`,
                {
                  ...options,
                  code: refused ? "CONNECTION_REFUSED" : "CONNECTION_ERROR",
                },
              );
        };

        let error: DecartError;
        arm();
        try {
          const response = await fetch(url, { method, headers, body: body ?? null, signal: controller.signal });
          requestId = response.headers.get("x-request-id") ?? undefined;
          const length = response.headers.get("content-length");
          const source = response.body;
          if (response.ok && source && length !== "0") {
            clearTimeout(timer);
            // Re-stream the body: each read is timed, progress is reported, a body shorter than its
            // Content-Length is an error, and the listener and timer go as soon as the body ends or is cancelled.
            // Reads happen only on demand (high-water mark 0): nothing is read that nobody asked for.
            const total = length ? +length : undefined;
            const reader = source.getReader();
            let received = 0;
            const stream = new ReadableStream<Uint8Array>(
              {
                async pull(out) {
                  arm();
                  try {
                    const chunk = await reader.read();
                    clearTimeout(timer);
                    if (!chunk.done) {
                      received += chunk.value.byteLength;
                      out.enqueue(chunk.value);
                      return onProgress?.({ receivedBytes: received, totalBytes: total });
                    }
                    release();
                    if (received < (total ?? 0)) {
                      throw new ConnectionError(`${where}: the body ended after ${received} of ${total} bytes`, {
                        code: "TRUNCATED",
                        retryable: true,
                        jobId,
                        requestId,
                      });
                    }
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
            return new Response(stream, response);
          }
          if (response.ok) {
            release();
            return response;
          }
          const text = await response.text().catch(() => "");
          release();
          error = errorFromResponse(
            response.status,
            apiKey ? text.split(apiKey).join("[redacted]") : text,
            {
              requestId,
              jobId,
              retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), now()),
            },
            url.split("?")[0]!.endsWith("/content"),
          );
        } catch (e) {
          error = failure(e); // an abort is not retryable: it is thrown below
        }

        const wait = retryDelay(error, attempt, {
          idempotent: call.idempotent || retrySubmit,
          maxRetries,
          deadline,
          now: now(),
        });
        if (wait === undefined) throw error;
        logger.debug?.(`${where}: ${error.message}; retry ${attempt + 1} in ${Math.round(wait)} ms`);
        await pause(delay, wait, signal, jobId);
      }
    };
}
