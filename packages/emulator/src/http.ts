/**
 * HTTP helpers: the request context, every way of answering (JSON, media, empty; slow / stall / truncate faults
 * applied here), reading small bodies, and answers written straight to a socket for requests Node never hands over.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { maxIdLength, type ValidationIssue } from "@decart/api";
import { dumps } from "./dumps.js";
import { type Fault, TRICKLE_CHUNK_BYTES, TRICKLE_DELAY_MS } from "./faults.js";
import type { Result } from "./results.js";
import type { RouteName } from "./routes.js";
import type { Stats } from "./state.js";
import { timerMs } from "./timer.js";
import { codePointLength, issue } from "./validation.js";

// Header lists are flat [name, value, …] arrays, handed to writeHead as they are. The CORS headers go on the answers
// of the public API only (never on admin routes): a page on another origin may call the API, not read the admin.
export const CORS_HEADERS = [
  "access-control-allow-origin",
  "*",
  "access-control-expose-headers",
  "x-request-id, retry-after, deprecation, warning, link, content-length, x-poll-after-ms",
];
const DEFAULT_ALLOWED_HEADERS = "x-api-key, content-type, x-emulator-fault, x-request-id";
/** A preflight's answer: the methods its path takes (the `Allow` of routes.ts), the headers asked for, for 10 minutes. */
export function corsPreflightHeaders(allow: string, askedHeaders: string | undefined): string[] {
  return [
    "access-control-allow-methods",
    allow,
    "access-control-allow-headers",
    askedHeaders || DEFAULT_ALLOWED_HEADERS,
    "access-control-max-age",
    "600",
  ];
}
export const JSON_HEADERS = ["content-type", "application/json"];
const DEFAULT_SLOW_MS = 1000;
/** How long a connection answered on the socket stays open for the client to read the answer and close it. */
const LINGER_MS = 1000;
/** The longest a closing connection lingers for the rest of a request's body (as nginx's `lingering_time`). */
const LINGER_MAX_MS = 30_000;
/** Largest JSON body (token requests, fault rules). */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

/** What every answer needs from the server: counters, the clock of faults, and whether the server is closing. */
export interface Answering {
  stats: Stats;
  /** Waits ms (at most MAX_TIMER_MS); ends early when the server closes, or when `answer`'s connection closes. */
  sleep(ms: number, answer?: ServerResponse): Promise<void>;
  closed(): boolean;
  log(line: string): void;
  /** Bytes read and dropped from an unwanted body before the connection is cut. */
  drainLimit: number;
  /** An answer whose connection takes nothing for this long is cut (a client that stopped reading). */
  writeTimeoutMs: number;
}

/** One request being answered. */
export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  route: RouteName;
  fault: Fault | undefined;
  /** Extra headers on every answer of this request (the legacy route's Deprecation headers). */
  extraHeaders: string[] | undefined;
  responded: boolean;
  /** False for the reset-stats request, which starts the new count from zero. */
  counted: boolean;
  /** Why the emulator ended the connection before the answer was out (for the request log), when it did. */
  cut?: string;
  /** The answer closes the connection, whether the request's body was read or not. */
  closes?: boolean;
  /** The answer closes the connection without lingering (`lingerOnClose`): its client is too slow to wait for. */
  slow?: boolean;
  /** Whether the answer carries CORS headers (public API routes only). */
  cors: boolean;
  /** The client sent `Expect: 100-continue` and has not been told to go on: see startReading. */
  awaitingContinue: boolean;
  server: Answering;
}

export type Body = Buffer | Result | null;

/** A HEAD request: answered as GET without the body, and no read of what it names (RFC 9110, 9.3.2). */
export function headOnly(ctx: Ctx): boolean {
  return ctx.req.method === "HEAD";
}

/**
 * A request whose answer, once past the key check and the fault, has no body: a HEAD (RFC 9110, 9.3.2) and a DELETE
 * (of a file, answered 204).
 */
export function answersNoBody(ctx: Ctx): boolean {
  return ctx.req.method === "HEAD" || ctx.req.method === "DELETE";
}

export function jsonBuffer(value: unknown): Buffer {
  return Buffer.from(dumps(value) ?? "null");
}

/** Whether a request declares a body. */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/** Answers once; a `slow` fault delays the answer. */
export function respond(ctx: Ctx, status: number, headers: string[], body: Body): void {
  if (ctx.responded) return;
  ctx.responded = true;
  const failed = (err: unknown) => {
    ctx.server.log(`emulator: error while answering ${ctx.requestId}: ${(err as Error)?.stack ?? err}`);
    ctx.cut ??= "internal error";
    ctx.res.destroy();
  };
  const go = () => {
    try {
      writeBody(ctx, status, headers, body)?.catch(failed);
    } catch (err) {
      failed(err);
    }
  };
  if (ctx.fault?.kind === "slow") ctx.server.sleep(ctx.fault.delayMs ?? DEFAULT_SLOW_MS, ctx.res).then(go);
  else go();
}

export const json = (ctx: Ctx, status: number, value: unknown, extra?: string[]) =>
  respond(ctx, status, extra ? [...JSON_HEADERS, ...extra] : JSON_HEADERS, jsonBuffer(value));
export const detail = (ctx: Ctx, status: number, text: string, extra?: string[]) =>
  json(ctx, status, { detail: text }, extra);
export const invalid = (ctx: Ctx, issues: ValidationIssue[]) => json(ctx, 422, { detail: issues });
export const notFound = (ctx: Ctx) => detail(ctx, 404, "Not Found");
export const methodNotAllowed = (ctx: Ctx, allow: string) => detail(ctx, 405, "Method Not Allowed", ["allow", allow]);
export const media = (ctx: Ctx, result: Result) => respond(ctx, 200, ["content-type", result.contentType], result);
export const noContent = (ctx: Ctx) => respond(ctx, 204, [], null);

const UTF8 = new TextDecoder("utf-8", { ignoreBOM: true });
const ESCAPE = /%[0-9A-Fa-f]{2}/;

/**
 * A path (ASCII, as Node's parser takes it) percent-decoded as the server decodes one (uvicorn hands Starlette
 * urllib's `unquote` of it, and Starlette routes that): each `%XX` is its byte, a `%` that starts no escape (`%zz`, a `%` at the end) stays as it is, and
 * the bytes are read as UTF-8 with errors replaced, each maximal run that is not UTF-8 one U+FFFD, as Python's
 * decoder (and TextDecoder) replaces them; a leading U+FEFF is kept.
 */
export function unquote(path: string): string {
  if (!ESCAPE.test(path)) return path;
  const bytes = Buffer.allocUnsafe(path.length);
  let n = 0;
  let out = "";
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 0x25 && isHexCode(path.charCodeAt(i + 1)) && isHexCode(path.charCodeAt(i + 2))) {
      bytes[n++] = Number.parseInt(path.slice(i + 1, i + 3), 16);
      i += 2;
    } else if (c < 0x80) bytes[n++] = c;
    else {
      // Not ASCII (which Node's parser does not let through): kept as it is, as unquote keeps it, between runs.
      out += UTF8.decode(bytes.subarray(0, n)) + path[i];
      n = 0;
    }
  }
  return out + UTF8.decode(bytes.subarray(0, n));
}

const isHexCode = (c: number) => (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);

/**
 * Checks a path id's length, the id as routed (the path percent-decoded once, see `unquote`), in code points as the
 * spec's maxLength counts them (422 when too long: an id of 256 emoji is 3 072 characters as sent); returns the id,
 * or undefined when answered.
 */
export function pathId(ctx: Ctx, id: string, name: string): string | undefined {
  if (codePointLength(id) > maxIdLength) {
    invalid(ctx, [
      issue(["path", name], "string_too_long", `String should have at most ${maxIdLength} characters`, undefined, {
        max_length: maxIdLength,
      }),
    ]);
    return undefined;
  }
  return id;
}

/** Writes the answer; synchronous for a plain body (the hot path), a promise when it streams or stalls. */
function writeBody(ctx: Ctx, status: number, headers: string[], body: Body): Promise<void> | undefined {
  const { res } = ctx;
  // Once the emulator is closing, every connection is being ended: nothing more goes out.
  if (res.destroyed || ctx.server.closed()) return;
  const length = body === null ? 0 : body.length;
  const all = ctx.cors ? [...CORS_HEADERS, ...headers] : [...headers];
  if (ctx.extraHeaders) all.push(...ctx.extraHeaders);
  // An answer given before the request's body was read closes the connection: the client may still be sending. The
  // close lingers (`lingerOnClose`) so that such a client reads the answer rather than a reset.
  if (ctx.closes || (!ctx.req.complete && hasBody(ctx.req))) {
    all.push("connection", "close");
    closing.add(ctx.req.socket);
    if (!ctx.slow) lingerOnClose(ctx);
  }
  all.push("x-request-id", ctx.requestId);
  if (status === 204) {
    res.writeHead(status, all);
    res.end();
    return;
  }
  all.push("content-length", String(length));
  res.writeHead(status, all);
  // HEAD: the head of the GET answer, with its Content-Length, and no body.
  if (headOnly(ctx)) {
    res.end();
    return;
  }
  watchWrites(ctx);
  const fault = ctx.fault?.kind;
  if (fault === "stall" || fault === "truncate") return writeCut(ctx, body, length, fault);
  if (fault === "trickle") return writeTrickle(ctx, body, length);
  if (body === null) res.end();
  else if (Buffer.isBuffer(body) || !body.padded) {
    const bytes = Buffer.isBuffer(body) ? body : body.bytes;
    ctx.server.stats.bytesServed += bytes.length;
    res.end(bytes);
  } else {
    return writeChunks(ctx, bodyChunks(body), { leftover: undefined }, body.length).then((ok) => {
      if (ok) res.end();
    });
  }
  return;
}

/**
 * The write timer of an answer (watchWrites): armed from the last write of it that the connection took in full;
 * `pause` and `resume` around the emulator's own pauses (a stall, a trickle), which do not count.
 */
interface WriteWatch {
  wrote(err?: Error | null): void;
  pause(): void;
  resume(): void;
}

const writeWatches = new WeakMap<ServerResponse, WriteWatch>();

/**
 * Cuts the connection when the answer makes no progress for writeTimeoutMs: a timer of its own, armed when the answer
 * gets the connection and again each time one of its writes has been taken in full (`wrote`, the write's callback).
 * (Not the socket's idle timer: that one, when it runs out while a write is taken in part, starts once more, so a
 * client that stopped reading was cut after about twice the limit.) A pipelined answer gets the connection once the
 * one before it is out: until then it waits on that one, not on its client, and its timer is not armed.
 */
function watchWrites(ctx: Ctx): void {
  const { res } = ctx;
  const ms = ctx.server.writeTimeoutMs;
  let timer: NodeJS.Timeout | undefined;
  let paused = false;
  let over = false;
  const cut = () => {
    if (over || res.destroyed) return;
    ctx.server.log(`emulator: ${ctx.requestId}: the client took nothing of the answer for ${ms} ms; connection cut`);
    ctx.cut ??= "write timeout";
    res.destroy();
  };
  const arm = () => {
    if (over || paused || res.destroyed) return;
    clearTimeout(timer);
    timer = setTimeout(cut, timerMs(ms)).unref();
  };
  const stop = () => {
    over = true;
    clearTimeout(timer);
  };
  res.once("finish", stop);
  res.once("close", stop);
  writeWatches.set(res, {
    wrote: (err) => {
      if (!err) arm();
    },
    pause() {
      paused = true;
      clearTimeout(timer);
    },
    resume() {
      paused = false;
      arm();
    },
  });
  if (res.socket) arm();
  else res.once("socket", arm);
}

function bodyChunks(body: Result): AsyncIterator<Uint8Array> | Iterator<Uint8Array> {
  if (body.padded) return body.padded.stream()[Symbol.asyncIterator]();
  return [body.bytes][Symbol.iterator]();
}

/** Writes n bytes from the chunk iterator, honouring backpressure; false when the client went away. */
async function writeChunks(
  ctx: Ctx,
  chunks: AsyncIterator<Uint8Array> | Iterator<Uint8Array>,
  state: { leftover: Uint8Array | undefined },
  n: number,
): Promise<boolean> {
  const { res } = ctx;
  let remaining = n;
  while (remaining > 0) {
    if (res.destroyed) return false;
    let chunk = state.leftover;
    state.leftover = undefined;
    if (!chunk) {
      const next = await chunks.next();
      if (next.done) return true;
      chunk = next.value;
    }
    if (chunk.length > remaining) {
      state.leftover = chunk.subarray(remaining);
      chunk = chunk.subarray(0, remaining);
    }
    remaining -= chunk.length;
    ctx.server.stats.bytesServed += chunk.length;
    if (!res.write(chunk, writeWatches.get(res)?.wrote)) {
      const ok = await new Promise<boolean>((resolve) => {
        const onDrain = () => {
          res.off("close", onClose);
          resolve(true);
        };
        const onClose = () => {
          res.off("drain", onDrain);
          resolve(false);
        };
        res.once("drain", onDrain);
        res.once("close", onClose);
      });
      if (!ok) return false;
    }
  }
  return true;
}

/** stall / truncate: sends the first half of the body, then stops (for good, or for the fault's delay). */
async function writeCut(ctx: Ctx, body: Body, length: number, fault: "stall" | "truncate"): Promise<void> {
  const { res } = ctx;
  const cut = Math.floor(length / 2);
  const chunks =
    body === null ? [][Symbol.iterator]() : Buffer.isBuffer(body) ? [body][Symbol.iterator]() : bodyChunks(body);
  const state = { leftover: undefined as Uint8Array | undefined };
  if (!(await writeChunks(ctx, chunks, state, cut))) return;
  if (fault === "truncate") {
    ctx.cut ??= "truncate fault";
    // Let the first half reach the socket, then cut the connection.
    res.socket?.end();
    res.socket?.destroySoon?.();
    setImmediate(() => res.socket?.destroy());
    return;
  }
  // The stall is the emulator's own doing: the write timeout is off while it lasts.
  const watch = writeWatches.get(res);
  watch?.pause();
  const delay = ctx.fault?.delayMs;
  if (delay === undefined) return; // stalls until the client or close() ends the connection
  await ctx.server.sleep(delay, res);
  if (ctx.server.closed() || res.destroyed) return;
  watch?.resume();
  if (await writeChunks(ctx, chunks, state, length - cut)) res.end();
}

/**
 * trickle: sends the whole body in writes of the fault's chunkBytes, each followed by a pause of its delayMs (the
 * emulator's own: the write timeout is off while it lasts, and on again for each write).
 */
async function writeTrickle(ctx: Ctx, body: Body, length: number): Promise<void> {
  const { res } = ctx;
  const chunk = ctx.fault?.chunkBytes ?? TRICKLE_CHUNK_BYTES.default;
  const delay = ctx.fault?.delayMs ?? TRICKLE_DELAY_MS.default;
  const chunks =
    body === null || Buffer.isBuffer(body) ? [body ?? Buffer.alloc(0)][Symbol.iterator]() : bodyChunks(body);
  const state = { leftover: undefined as Uint8Array | undefined };
  const watch = writeWatches.get(res);
  for (let sent = 0; sent < length; ) {
    const n = Math.min(chunk, length - sent);
    if (!(await writeChunks(ctx, chunks, state, n))) return;
    sent += n;
    if (sent === length) break;
    watch?.pause();
    await ctx.server.sleep(delay, res);
    if (ctx.server.closed() || res.destroyed) return;
    watch?.resume();
  }
  res.end();
}

/**
 * Called when a handler starts reading the body: a client that sent `Expect: 100-continue` is told to go on now. Any
 * answer given before (a bad key, a declared size over the limit, an unknown route) goes out without "100 Continue",
 * and the body is never sent.
 */
export function startReading(ctx: Ctx): void {
  if (!ctx.awaitingContinue) return;
  ctx.awaitingContinue = false;
  if (!ctx.responded && !ctx.res.headersSent && !ctx.res.destroyed) ctx.res.writeContinue();
}

const lingering = new WeakSet<Socket>();
/** Connections whose answer said `Connection: close`: see `closedBefore`. */
const closing = new WeakSet<Socket>();

/**
 * Whether a request came on a connection after an answer that said `Connection: close` (one given before its
 * request's body was read, or a 417): such a request is not processed (RFC 9112, 9.6), as the real server, which
 * closes the connection, never reads it. The close is decided when that answer is written, before the request's body
 * is parsed, so it is known before any request behind it is handed over.
 */
export function closedBefore(socket: Socket): boolean {
  return closing.has(socket);
}

/**
 * Marks a connection as closing once an answer written straight to it (`answerOnSocket`) is decided: from then on, no
 * request parsed on it is routed (`closedBefore`), even one whose head ends while that answer waits for the answers
 * before it. Node's parser reads on after a head that came too slowly (its 408 leaves the parser as it was), so a
 * request sent just after the 408 would otherwise be processed, and its client, told 408, would send it again.
 */
export function closeAfterAnswer(socket: Socket): void {
  closing.add(socket);
}
const draining = new WeakSet<IncomingMessage>();

/**
 * A lingering close, as a web server's: once an answer that closes the connection is out, the emulator ends its side and
 * reads on, dropping what comes (`drain`), until the client ends its side, sends nothing for LINGER_MS, sends more
 * than `drainLimit`, or LINGER_MAX_MS have passed; then the connection is closed. Node would close it at once, and a connection closed with bytes
 * still coming is reset: a client still sending its body (fetch's upload) then fails with EPIPE and never reads the
 * answer (a bad key's 401, a fault's 503, a declared size's 413 seen as a broken connection).
 */
function lingerOnClose(ctx: Ctx): void {
  const socket = ctx.req.socket as Socket & { destroySoon?: () => void };
  if (lingering.has(socket)) return;
  lingering.add(socket);
  const close = () => socket.destroy();
  // (Node ends the connection after such an answer by the socket's destroySoon: end it, and close it later.)
  socket.destroySoon = () => {
    socket.end();
    const idle = setTimeout(close, LINGER_MS).unref();
    const most = setTimeout(close, LINGER_MAX_MS).unref();
    ctx.req.on("data", () => idle.refresh());
    socket.once("end", close);
    socket.once("close", () => {
      clearTimeout(idle);
      clearTimeout(most);
    });
  };
  drain(ctx);
}

/** Reads and discards the rest of a request body nobody will use; cuts a connection that sends far too much. */
export function drain(ctx: Ctx): void {
  const { req } = ctx;
  if (req.complete || req.destroyed || draining.has(req)) return;
  draining.add(req);
  let drained = 0;
  req.on("data", (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > ctx.server.drainLimit) {
      ctx.cut ??= "body beyond the limit";
      req.socket.destroy();
    }
  });
  req.resume();
}

/**
 * Reads a small body completely; undefined when it is too large (413 answered), the client went away (before or
 * while it is read), or the request was answered meanwhile. Rejects at once where the body was read to its end
 * already (by another reader: its "end" has fired and will not again), which would otherwise never settle.
 */
export function readSmallBody(ctx: Ctx): Promise<Buffer | undefined> {
  const { req } = ctx;
  if (req.readableEnded) return Promise.reject(new Error("readSmallBody: the request's body was read already"));
  if (req.destroyed) {
    // Its "close" has fired: as `onClose` below, a request whose body did not come whole is over.
    ctx.responded = ctx.responded || !req.complete;
    return Promise.resolve(undefined);
  }
  if (Number(req.headers["content-length"]) > MAX_JSON_BODY_BYTES) {
    tooLargeJson(ctx);
    return Promise.resolve(undefined);
  }
  startReading(ctx);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (value: Buffer | undefined) => {
      if (done) return;
      done = true;
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("close", onClose);
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_JSON_BODY_BYTES) {
        tooLargeJson(ctx);
        finish(undefined);
        return;
      }
      chunks.push(chunk);
    };
    // A request answered while its body came (a 408 for a body too slow) is over: its body, even whole, is not used.
    const onEnd = () => finish(ctx.responded ? undefined : Buffer.concat(chunks));
    const onClose = () => {
      // "close" before "end" with the body complete would be a request destroyed after its last bytes came but before
      // it handed them over. In Node 20 no test can bring that about: this reader keeps the request flowing, its "end"
      // is queued (next tick) in the same turn as its last bytes, and Node destroys a request only once its connection
      // has closed, in a later turn (a client that resets right after its body: "end" still comes first). Kept so that
      // a body is never used for a request answered meanwhile, by whichever event it ends.
      const used = req.complete && !ctx.responded;
      ctx.responded = ctx.responded || !req.complete;
      finish(used ? Buffer.concat(chunks) : undefined);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("close", onClose);
  });
}

function tooLargeJson(ctx: Ctx): void {
  detail(ctx, 413, `Body too large: the limit is ${MAX_JSON_BODY_BYTES} bytes.`);
  drain(ctx);
}

/**
 * What became of a request's answer, for the request log, once its connection let go of it: its status when it went
 * out in full (`finished`: the answer's "finish" event came, which a destroyed connection never sends); else
 * `no answer (why)`, or its status and `cut (why)` when its head went out. `closing`: the emulator is being closed.
 */
export function outcome(ctx: Ctx, finished: boolean, closing: boolean): string {
  const { res } = ctx;
  if (finished) return String(res.statusCode);
  const why = ctx.cut ?? (closing ? "emulator closed" : "client left");
  return res.headersSent ? `${res.statusCode} cut (${why})` : `no answer (${why})`;
}

/**
 * Answers a request Node handles before any route (bad bytes, a head too large or too slow, CONNECT) and closes the
 * connection: the caller marked it closing (`closeAfterAnswer`) when it decided this answer, so what the client still
 * sends in the moment the connection lingers is read and dropped, never routed.
 */
export function answerOnSocket(
  socket: Socket,
  status: number,
  text: string,
  requestId: string,
  extra: Record<string, string> = {},
): void {
  const body = JSON.stringify({ detail: text });
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}`,
    "content-type: application/json",
    `content-length: ${Buffer.byteLength(body)}`,
    ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`),
    `x-request-id: ${requestId}`,
    "connection: close",
  ];
  socket.end(`${head.join("\r\n")}\r\n\r\n${body}`);
  // A client that never closes its side would keep the connection half-open: it has a moment to read the answer.
  const linger = setTimeout(() => socket.destroy(), LINGER_MS).unref();
  socket.once("close", () => clearTimeout(linger));
}
