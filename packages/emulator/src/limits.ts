/**
 * Limits on slow and stuck clients, as a real API server sets them. The head of a request must arrive within
 * `headersTimeoutMs` (Node's own check, set from here; server.ts reads what came meanwhile before it answers 408, so a
 * head that arrived while the emulator was busy is not blamed for it); a body must keep arriving at
 * `minUploadBytesPerSecond` once `requestTimeoutMs` has passed (checked here, per request, from the bytes read off the
 * socket); an answer must keep being taken by the client: a connection on which nothing is written for `writeTimeoutMs`
 * is cut (http.ts arms it).
 */
import type { Ctx } from "./http.js";
import { detail } from "./http.js";
import { DURATION_RULE, durationOk, timerMs } from "./timer.js";

/** The resolved limits of one emulator. */
export interface ClientLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  minUploadBytesPerSecond: number;
  writeTimeoutMs: number;
}

export const DEFAULT_LIMITS: ClientLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  minUploadBytesPerSecond: 32 * 1024,
  writeTimeoutMs: 60_000,
};

/**
 * The limits from the options, each a positive number, and the durations (`…Ms`) at most MAX_TIMER_MS (RangeError
 * otherwise).
 */
export function limitsOf(options: Partial<ClientLimits>): ClientLimits {
  const out = { ...DEFAULT_LIMITS };
  for (const name of Object.keys(DEFAULT_LIMITS) as (keyof ClientLimits)[]) {
    const value = options[name];
    if (value === undefined) continue;
    if (name.endsWith("Ms")) {
      if (!durationOk(value, "positive")) throw new RangeError(`${name} must be a positive number, ${DURATION_RULE}`);
    } else if (!(typeof value === "number" && Number.isFinite(value) && value > 0)) {
      throw new RangeError(`${name} must be a positive number`);
    }
    out[name] = value;
  }
  return out;
}

/** The node:http server options that enforce the head's limit (the body's is ours: Node's own is switched off). */
export function serverTimeouts(limits: ClientLimits) {
  const headersTimeout = Math.max(1, timerMs(limits.headersTimeoutMs));
  return {
    headersTimeout,
    requestTimeout: 0,
    // Node checks the head deadlines every connectionsCheckingInterval (30 s by default, which would double the limit).
    connectionsCheckingInterval: Math.min(1000, Math.max(10, Math.floor(headersTimeout / 4))),
  };
}

/**
 * Watches the body of a request: by `requestTimeoutMs + n / minUploadBytesPerSecond` seconds after the head, at least
 * n bytes must have come. A client that falls behind gets 408 (or, when an answer is already out, its connection cut).
 */
export function watchBody(ctx: Ctx, limits: ClientLimits): void {
  const { req, res } = ctx;
  const socket = req.socket;
  const start = performance.now();
  const readAtStart = socket.bytesRead;
  let timer: NodeJS.Timeout | undefined;
  const stop = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  const due = () =>
    start + limits.requestTimeoutMs + ((socket.bytesRead - readAtStart) * 1000) / limits.minUploadBytesPerSecond;
  const check = (final: boolean) => {
    timer = undefined;
    if (req.complete || socket.destroyed) return;
    // A deadline further than a timer can wait (a very low minUploadBytesPerSecond) is checked again at the longest wait.
    const wait = due() - performance.now();
    if (wait > 0) timer = setTimeout(check, timerMs(wait), false).unref();
    // Timers run before the socket is read: after a busy moment of the server's, the bytes that came meanwhile are
    // read first (setImmediate runs after that), so that the client is not blamed for the server's own delay.
    else if (!final) setImmediate(check, true);
    else tooSlow(ctx, limits);
  };
  timer = setTimeout(check, timerMs(due() - start), false).unref();
  req.once("end", stop);
  res.once("close", stop);
}

function tooSlow(ctx: Ctx, limits: ClientLimits): void {
  const { req, res } = ctx;
  ctx.server.log(`emulator: ${ctx.requestId}: the request body came too slowly; connection closed`);
  if (ctx.responded || res.headersSent) {
    ctx.cut ??= "body too slow";
    req.socket.destroy();
    return;
  }
  ctx.fault = undefined;
  // The body is incomplete, so the answer says Connection: close and the connection ends once it is out (at once: a
  // client this slow is not waited for).
  ctx.slow = true;
  detail(
    ctx,
    408,
    `Request body too slow: it must arrive within ${limits.requestTimeoutMs / 1000} s plus one second per ` +
      `${limits.minUploadBytesPerSecond} bytes.`,
  );
}
