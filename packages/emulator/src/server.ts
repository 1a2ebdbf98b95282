/**
 * `startEmulator`: puts the pieces together. Settings from the options, the state (jobs, files, stats; state.ts),
 * the key store (auth.ts), the result cache (results.ts), and a node:http server whose requests go through the Host
 * rule (host.ts) and the route table (routes.ts) to one handler per route family: models.ts, jobs.ts, files.ts,
 * tokens.ts and admin.ts. Answers are written by http.ts. Job status is computed when read, so no timer runs per job.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { Socket } from "node:net";
import { maxFileBytes } from "@decart/api";
import type { Admin } from "./admin.js";
import { adminTokenProblem, handleAdmin, hashToken } from "./admin.js";
import { KeyStore, MAX_TOKEN_ORIGIN_CHARS } from "./auth.js";
import type { Emulation, Settings } from "./emulation.js";
import { normaliseRules } from "./faults.js";
import { handleFile, handleUpload } from "./files.js";
import { asSent, bindingProblem, hostHeaderCount, hostRule, listenHost } from "./host.js";
import type { Ctx } from "./http.js";
import {
  answerOnSocket,
  closeAfterAnswer,
  closedBefore,
  corsPreflightHeaders,
  detail,
  drain,
  hasBody,
  methodNotAllowed,
  notFound,
  outcome,
  respond,
  unquote,
} from "./http.js";
import { handleContent, handleStatus } from "./jobs.js";
import { limitsOf, serverTimeouts, watchBody } from "./limits.js";
import { handleModelPath, JOB_STATUS_ALLOW, takesSubmit } from "./models.js";
import { MAX_RESULT_BYTES, ResultCache } from "./results.js";
import type { Target } from "./routes.js";
import { ASTERISK, isAdminPath, type Match, matchRoute, SERVER_ALLOW, slashRedirect, targetOf } from "./routes.js";
import { shown } from "./shown.js";
import { FileStore, JobStore, jobRecord, pageOf, Stats } from "./state.js";
import { DURATION_RULE, durationOk, timerMs } from "./timer.js";
import { handleTokens } from "./tokens.js";
import type { Emulator, EmulatorOptions, EmulatorStats, JobPage, JobRecord, TimingOptions } from "./types.js";

/** The key the emulator accepts when no `keys` are given (on loopback only). */
export const DEFAULT_API_KEY = "dct_emulator_dev_key_0000000000000000";

const FAST_TIMING: TimingOptions = { pendingMs: 20, processingMs: 60 };
const DEFAULT_JOB_TIMEOUT_MS = 600_000;
const DEFAULT_RETENTION_MS = 86_400_000;
// The spec's limit of one file (its 413's `x-decart-max-file-bytes`), 200 MiB.
const DEFAULT_MAX_UPLOAD_BYTES = maxFileBytes;
const DEFAULT_MAX_JOBS = 10_000;
const DEFAULT_MAX_CLIENT_TOKENS = 10_000;

function settingsOf(options: EmulatorOptions): Settings {
  const { timing, resultBytes, maxJobs, maxClientTokens, maxClientTokenOriginChars } = options;
  if (
    resultBytes !== undefined &&
    !(Number.isSafeInteger(resultBytes) && resultBytes > 0 && resultBytes <= MAX_RESULT_BYTES)
  ) {
    throw new RangeError(`resultBytes must be a positive integer, at most ${MAX_RESULT_BYTES} (4 GiB)`);
  }
  if (maxJobs !== undefined && !(Number.isSafeInteger(maxJobs) && maxJobs > 0)) {
    throw new RangeError("maxJobs must be a positive integer");
  }
  const { maxUploadBytes } = options;
  if (
    maxUploadBytes !== undefined &&
    !(typeof maxUploadBytes === "number" && Number.isFinite(maxUploadBytes) && maxUploadBytes >= 0)
  ) {
    throw new RangeError(`maxUploadBytes must be a non-negative number (got ${shownValue(maxUploadBytes)})`);
  }
  if (maxClientTokens !== undefined && !(Number.isSafeInteger(maxClientTokens) && maxClientTokens > 0)) {
    throw new RangeError("maxClientTokens must be a positive integer");
  }
  if (
    maxClientTokenOriginChars !== undefined &&
    !(Number.isSafeInteger(maxClientTokenOriginChars) && maxClientTokenOriginChars >= 0)
  ) {
    throw new RangeError(
      `maxClientTokenOriginChars must be a non-negative integer (got ${shownValue(maxClientTokenOriginChars)})`,
    );
  }
  for (const name of ["jobTimeoutMs", "retentionMs"] as const) {
    const value = options[name];
    if (value !== undefined && !durationOk(value, 0)) {
      throw new RangeError(`${name} must be a non-negative number, ${DURATION_RULE}`);
    }
  }
  return {
    timing: timingOf(timing),
    jobTimeoutMs: options.jobTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS,
    retentionMs: options.retentionMs ?? DEFAULT_RETENTION_MS,
    maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    maxJobs: maxJobs ?? DEFAULT_MAX_JOBS,
    maxClientTokens: maxClientTokens ?? DEFAULT_MAX_CLIENT_TOKENS,
    maxClientTokenOriginChars: maxClientTokenOriginChars ?? MAX_TOKEN_ORIGIN_CHARS,
    pollHints: options.pollHints === true,
    random: randomOf(options.random),
    now: clockOf(options.now),
  };
}

/** The latest time a `Date` holds, in ms since the epoch: times go out as ISO dates. */
const MAX_DATE_MS = 8.64e15;

/**
 * The `now` option, checked: a function whose result is ms since the epoch, from 0 to MAX_DATE_MS, read in whole ms
 * as Date.now gives them (a fraction is dropped), so that every time the emulator records is whole ms. Its first
 * result is checked up front (startEmulator throws, naming the option), every later one as it is read (a bad one
 * throws, so that its request answers 500 and the log names the option).
 */
function clockOf(now: EmulatorOptions["now"]): () => number {
  // `Date.now` read at each call, not the function of the time it started: the emulator follows a test's fake timers
  // (which replace `Date`) whether it started before or after them.
  if (now === undefined) return () => Date.now();
  if (typeof now !== "function") throw new TypeError(`now must be a function (got ${shownValue(now)})`);
  const checked = () => {
    const t: unknown = now();
    if (typeof t === "number" && t >= 0 && t <= MAX_DATE_MS) return Math.floor(t);
    throw new RangeError(
      `now() must return ms since the epoch, a number from 0 to ${MAX_DATE_MS} (returned ${shownValue(t)})`,
    );
  };
  checked();
  return checked;
}

/**
 * The `random` option, checked as `now` is: a function whose result is a number from 0 up to (not including) 1. Its
 * first draw, checked up front, is kept for its first use, so that a seeded sequence runs as it would unchecked.
 */
function randomOf(random: EmulatorOptions["random"]): () => number {
  if (random === undefined) return Math.random;
  if (typeof random !== "function") throw new TypeError(`random must be a function (got ${shownValue(random)})`);
  const draw = () => {
    const r: unknown = random();
    if (typeof r === "number" && r >= 0 && r < 1) return r;
    throw new RangeError(`random() must return a number from 0 up to (not including) 1 (returned ${shownValue(r)})`);
  };
  let first: number | undefined = draw();
  return () => {
    if (first === undefined) return draw();
    const r = first;
    first = undefined;
    return r;
  };
}

/** What an API key may be: what an X-API-KEY header carries as it was sent (visible ASCII, spaces inside only). */
const HEADER_SAFE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/** The `keys` option, checked (each named by its place, never shown: keys are secrets); undefined when not given. */
function keysOf(keys: EmulatorOptions["keys"]): readonly string[] | undefined {
  if (keys === undefined) return undefined;
  if (!Array.isArray(keys)) {
    throw new TypeError(`keys must be an array of API keys (got ${keys === null ? "null" : `a ${typeof keys}`})`);
  }
  keys.forEach((key: unknown, i) => {
    if (typeof key === "string" && HEADER_SAFE.test(key)) return;
    const got =
      typeof key !== "string"
        ? `a ${typeof key}`
        : key === ""
          ? "an empty string"
          : "a string with other characters or a space at an end";
    throw new TypeError(
      `keys[${i}] must be a non-empty string that an X-API-KEY header carries as it is: visible ASCII, spaces inside ` +
        `only (got ${got})`,
    );
  });
  return keys;
}

/**
 * The timing options, checked: `timeScale` a finite number from 0, `spread` from 0 to 1, `pendingMs` and `processingMs`
 * a duration (0 to MAX_TIMER_MS) or a function (whose results models.ts checks when it calls it).
 */
function timingOf(timing: EmulatorOptions["timing"]): TimingOptions {
  if (timing === undefined || timing === "realistic") return {};
  if (timing === "fast") return FAST_TIMING;
  if (typeof timing !== "object" || timing === null || Array.isArray(timing)) {
    throw new TypeError(`timing must be "realistic", "fast" or an object of TimingOptions (got ${shownValue(timing)})`);
  }
  const { timeScale, spread, pendingMs, processingMs } = timing;
  if (timeScale !== undefined && !(typeof timeScale === "number" && Number.isFinite(timeScale) && timeScale >= 0)) {
    throw new RangeError(`timing.timeScale must be a finite number from 0 (got ${shownValue(timeScale)})`);
  }
  if (spread !== undefined && !(typeof spread === "number" && spread >= 0 && spread <= 1)) {
    throw new RangeError(`timing.spread must be a number from 0 to 1 (got ${shownValue(spread)})`);
  }
  for (const [name, value] of [
    ["pendingMs", pendingMs],
    ["processingMs", processingMs],
  ] as const) {
    if (value !== undefined && typeof value !== "function" && !durationOk(value, 0)) {
      throw new RangeError(
        `timing.${name} must be a non-negative number, ${DURATION_RULE}, or a function of the model (got ${shownValue(value)})`,
      );
    }
  }
  return timing;
}

/**
 * Starts an emulator: resolves once it listens (on 127.0.0.1 and a free port unless `host` and `port` say otherwise),
 * with its URL, an accepted key and its controls. It rejects on an option out of bounds (the error names the option)
 * and on a port it cannot listen on.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = listenHost(options.host ?? "127.0.0.1");
  const given = keysOf(options.keys);
  const refused = bindingProblem(host, given, DEFAULT_API_KEY);
  if (refused) throw new Error(refused);
  const keys = given && given.length > 0 ? given : [DEFAULT_API_KEY];
  const settings = settingsOf(options);
  const limits = limitsOf(options);
  const hostProblem = hostRule(host, options.allowedHosts);
  const tokenProblem = options.adminToken === undefined ? undefined : adminTokenProblem(options.adminToken);
  if (tokenProblem) throw new TypeError(`adminToken ${tokenProblem}`);
  const adminToken = options.adminToken ?? `emu_admin_${randomBytes(24).toString("base64url")}`;
  const logger = options.logger;
  const log = (line: string) => {
    try {
      logger?.(line);
    } catch {
      // a failing logger must not break the server
    }
  };

  /**
   * Pending sleeps: close() clears them and lets their waiters go on (to find the server closed). A sleep for an answer
   * ends too when that answer's connection closes (its client left), so that nothing of it is held until the end.
   */
  const timers = new Map<NodeJS.Timeout, () => void>();
  let closed = false;
  /** close()'s promise, once it was called. */
  let closing: Promise<void> | undefined;
  const sleep = (ms: number, answer?: ServerResponse) =>
    new Promise<void>((resolve) => {
      if (closed || answer?.destroyed) return resolve();
      const done = () => {
        clearTimeout(t);
        timers.delete(t);
        answer?.off("close", done);
        resolve();
      };
      const t = setTimeout(done, timerMs(ms));
      timers.set(t, done);
      answer?.once("close", done);
    });

  const stats = new Stats();
  const em: Emulation = {
    settings,
    stats,
    jobs: new JobStore(settings.maxJobs, settings.retentionMs, stats),
    files: new FileStore(settings.now()),
    keys: new KeyStore(keys, settings.maxClientTokens, settings.maxClientTokenOriginChars),
    results: new ResultCache(options.resultBytes),
    faultRules: normaliseRules(options.faults ?? []),
    sleep,
    closed: () => closed,
    log,
    drainLimit: settings.maxUploadBytes * 2 + 64 * 1024 * 1024,
    writeTimeoutMs: limits.writeTimeoutMs,
  };

  /** The counters and, with `page` (checked first: pageOf throws, naming the field), that page of the job list. */
  function snapshot(page?: JobPage): EmulatorStats {
    const asked = page === undefined ? undefined : pageOf(page);
    const now = settings.now();
    const out: EmulatorStats = {
      jobsCreated: stats.jobsCreated,
      jobsKept: em.jobs.size(now),
      jobsEvicted: stats.jobsEvicted,
      requests: { total: stats.total, byRoute: { ...stats.byRoute } },
      faultsInjected: { ...stats.faultsInjected },
      bytesServed: stats.bytesServed,
    };
    if (asked) out.jobs = { ...asked, ...em.jobs.page(asked.offset, asked.limit, now) };
    return out;
  }
  const job = (id: string): JobRecord | undefined => {
    const now = settings.now();
    const found = em.jobs.get(id, now);
    return found && jobRecord(found, now);
  };
  const releaseJob = (id: string): boolean => em.jobs.release(id, settings.now());
  const resetStats = () => {
    stats.reset();
    em.jobs.resetCounters();
  };
  const admin: Admin = { tokenHash: hashToken(adminToken), snapshot, job, release: releaseJob, resetStats };

  /** Request ids: a random per-server prefix and a counter (cheap, and unique across servers). */
  const requestIdPrefix = `req_${randomBytes(6).toString("hex")}_`;
  let requestCounter = 0;
  const nextRequestId = () => `${requestIdPrefix}${(++requestCounter).toString(36)}`;

  /**
   * The last request on each connection that Node handed over (routed, or answered 417): pipelined requests are
   * answered in order, so its answer is the last one.
   */
  const lastRequest = new WeakMap<Socket, Ctx>();

  /**
   * The answers not yet closed: close() resolves once each has closed (and logged its line), so that a process that
   * exits when close() resolves (the bin) loses no line of the request log.
   */
  const openAnswers = new Set<ServerResponse>();
  let lastAnswerClosed: (() => void) | undefined;

  /** A request Node hands over: its context, the last on its connection, and its line in the request log. */
  function accept(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): Ctx {
    req.on("error", noop);
    res.on("error", noop);
    const ctx: Ctx = {
      req,
      res,
      requestId: nextRequestId(),
      route: "other",
      fault: undefined,
      extraHeaders: undefined,
      responded: false,
      counted: true,
      cors: true,
      awaitingContinue: expectsContinue,
      server: em,
    };
    lastRequest.set(req.socket, ctx);
    if (logger) {
      const started = performance.now();
      const what = `${req.method} ${shortPath(pathOf(req.url ?? "/"))}`;
      let finished = false;
      res.once("finish", () => {
        finished = true;
      });
      res.on("close", () => {
        const ms = (performance.now() - started).toFixed(1);
        log(`${what} → ${outcome(ctx, finished, closed)} ${ms}ms ${ctx.requestId}`);
      });
    }
    openAnswers.add(res);
    res.once("close", () => {
      openAnswers.delete(res);
      if (openAnswers.size === 0) lastAnswerClosed?.();
    });
    return ctx;
  }

  /** Sends the request to its handler (after the Host rule); returns a promise when the answer comes later. */
  function route(ctx: Ctx, method: string, target: Target): Promise<void> | void {
    const { req } = ctx;
    const problem = hostProblem(req.headers.host, req.httpVersion, hostHeaderCount(req.rawHeaders), target.absolute);
    if (problem) {
      ctx.cors = false;
      return detail(ctx, problem.status, problem.detail);
    }
    const { query } = target;
    // The asterisk form asks about the server as a whole, and only OPTIONS may send it (RFC 9112, 3.2.4): the
    // methods some path takes, with no body, as a 204. Any other method with it is a malformed request.
    if (target.path === ASTERISK) {
      ctx.cors = false;
      if (method === "OPTIONS") return respond(ctx, 204, ["allow", SERVER_ALLOW], null);
      return detail(
        ctx,
        400,
        `The request target * (asterisk form) is for OPTIONS only (RFC 9112, 3.2.4), not ${method}.`,
      );
    }
    // Routed once percent-decoded, as Starlette routes the path uvicorn decodes (`%2F` a `/` between segments); the
    // path parameter is that decoded segment, never decoded again.
    const path = unquote(target.path);
    const match = routeOf(method, path);
    if (isAdminPath(path)) {
      ctx.route = "admin";
      ctx.cors = false;
      return handleAdmin(ctx, em, admin, match, query);
    }
    // A CORS preflight: 204 on any path but the admin routes', as the server's CORS middleware answers a preflight
    // before its router is reached, so that the request that follows gets the router's answer (a 404 a page can
    // read, not a failed preflight a browser reports as a network error). Its methods are those the path takes and
    // OPTIONS (no route takes OPTIONS, so the match is the 405 of the path, whose Allow lists them); on a path the
    // router would redirect (a trailing slash), those of the path it redirects to (the request that follows is
    // redirected, 307 below, which a browser follows); on a path that is none, every method some path takes (OPTIONS
    // among them). An
    // OPTIONS is a preflight only with an Origin and an Access-Control-Request-Method, as Starlette's CORS
    // middleware reads one: any other goes to the routes as any method does (405 with the path's Allow, 404, 307).
    if (method === "OPTIONS" && isPreflight(req)) {
      const moved = match.kind === "not-found" ? slashRedirect(method, path) : undefined;
      const asked = moved === undefined ? match : routeOf(method, moved);
      const allow = asked.kind === "method" ? `${asked.allow}, OPTIONS` : SERVER_ALLOW;
      return respond(ctx, 204, corsPreflightHeaders(allow, req.headers["access-control-request-headers"]), null);
    }
    if (match.kind === "method") return methodNotAllowed(ctx, match.allow);
    if (match.kind === "not-found") {
      // `/v1/jobs/{id}/` is no route, but the path without the slash is: 307 there, as Starlette's router answers.
      const moved = slashRedirect(method, path);
      if (moved === undefined) return notFound(ctx);
      return respond(ctx, 307, ["location", redirectUrl(req, moved, query)], null);
    }
    const param = match.param ?? "";
    switch (match.endpoint) {
      case "submit":
        return handleModelPath(ctx, em, path, param, "jobs");
      case "generate":
        return handleModelPath(ctx, em, path, param, "generate");
      case "status":
        ctx.route = "status";
        return handleStatus(ctx, em, param);
      case "content":
        ctx.route = "content";
        return handleContent(ctx, em, param);
      case "tokens":
        ctx.route = "tokens";
        return handleTokens(ctx, em);
      case "upload":
        ctx.route = "files";
        return handleUpload(ctx, em);
      case "file-read":
        ctx.route = "files";
        return handleFile(ctx, em, param, "GET");
      case "file-delete":
        ctx.route = "files";
        return handleFile(ctx, em, param, "DELETE");
      default:
        return notFound(ctx);
    }
  }

  function onRequest(req: IncomingMessage, res: ServerResponse, expectsContinue = false): void {
    if (ignored(req, res)) return;
    const ctx = accept(req, res, expectsContinue);
    if (hasBody(req)) watchBody(ctx, limits);
    let result: Promise<void> | void | undefined;
    try {
      result = route(ctx, req.method ?? "GET", targetOf(req.url ?? "/"));
    } catch (err) {
      internalError(ctx, err);
    }
    if (ctx.counted) stats.countRequest(ctx.route);
    result?.then(
      () => {
        if (!ctx.responded && !res.headersSent) internalError(ctx, new Error("no answer"));
      },
      (err) => internalError(ctx, err),
    );
  }

  /**
   * A request pipelined behind an answer that closed its connection (`closedBefore`): neither routed, counted nor
   * logged, and never answered; its bytes are read and dropped while the connection lingers to its close.
   */
  function ignored(req: IncomingMessage, res: ServerResponse): boolean {
    if (!closedBefore(req.socket)) return false;
    req.on("error", noop);
    res.on("error", noop);
    req.resume();
    return true;
  }

  function internalError(ctx: Ctx, err: unknown): void {
    log(`emulator: internal error on ${ctx.requestId}: ${(err as Error)?.stack ?? err}`);
    if (!ctx.res.headersSent && !ctx.res.destroyed) {
      ctx.responded = false;
      ctx.fault = undefined;
      detail(ctx, 500, "Internal emulator error.");
      drain(ctx);
    } else {
      ctx.cut ??= "internal error";
      ctx.res.destroy();
    }
  }

  /**
   * Answers on the socket (a request Node never hands over) once the answers before it are out, and logs it: `what`
   * stands for the request line in the log. The answer closes the connection, so nothing parsed on it from now on is
   * routed (`ignored`), while it waits too.
   */
  function answerLater(socket: Socket, what: string, status: number, text: string, extra?: Record<string, string>) {
    const requestId = nextRequestId();
    closeAfterAnswer(socket);
    afterAnswers(
      socket,
      () => {
        answerOnSocket(socket, status, text, requestId, extra);
        log(`${what} → ${status} ${requestId}`);
      },
      // Gone by then: the emulator closed, or cut the answer before it (a truncate fault), or else the client left.
      () =>
        log(
          `${what} → no answer (${closed ? "emulator closed" : (lastRequest.get(socket)?.cut ?? "client left")}) ${requestId}`,
        ),
    );
  }

  // Node's own answer to a request without Host is a bare 400; hostProblem answers it as JSON instead. Idle
  // connections are kept longer than clients keep theirs (undici: 4 s), so that a client never reuses a connection
  // the server is closing at that moment (Node's default of 5 s races with it on a busy machine).
  const server = createServer({ requireHostHeader: false, ...serverTimeouts(limits) }, onRequest);
  server.keepAliveTimeout = 30_000;
  // `Expect: 100-continue`: Node would send "100 Continue" at once, before any check. The emulator sends it when a
  // handler starts reading the body (startReading), so a bad key or a declared size over the limit is answered first
  // and the body never sent.
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => onRequest(req, res, true));
  // An `Expect` other than 100-continue: Node would answer a bare 417; answer it as JSON like every other error.
  server.on("checkExpectation", (req: IncomingMessage, res: ServerResponse) => {
    if (ignored(req, res)) return;
    const ctx = accept(req, res, false);
    stats.countRequest("other");
    ctx.cors = false;
    // The body the client would send has not been asked for: the connection ends after the answer.
    ctx.closes = true;
    detail(ctx, 417, `Unsupported Expect header: ${asSent(String(req.headers.expect))}`);
    drain(ctx);
  });
  // CONNECT (a proxy tunnel): Node would close the socket without a word; answer 405 JSON like any wrong method.
  server.on("connect", (req: IncomingMessage, socket: Socket) => {
    if (closedBefore(socket)) return;
    stats.countRequest("other");
    socket.on("error", noop);
    answerLater(socket, `CONNECT ${shortPath(req.url ?? "")}`, 405, "Method Not Allowed", { allow: SERVER_ALLOW });
  });
  // Bytes that are not HTTP, heads over 16 KiB, a head that does not arrive within headersTimeoutMs (408): JSON
  // answers too, given after the answers of the requests before them on the connection (pipelined), which are never
  // lost or cut for them.
  const reported = new WeakSet<Socket>();
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
    // Node checks the head's deadline with a timer, and timers run before the sockets are read: after a busy moment of
    // the emulator's own, a head that arrived in time is still unread. Node's timeout leaves its parser as it was (it
    // only stops watching the connection), so the parser reads on. The head is too slow only when, once the bytes
    // that came meanwhile are read (setImmediate runs after that), no request was handed over on the connection (nor
    // another error answered, nor the connection closed by an answer).
    if (err.code === "ERR_HTTP_REQUEST_TIMEOUT") {
      const before = lastRequest.get(socket);
      setImmediate(() => {
        if (lastRequest.get(socket) === before) onClientError(err, socket);
      });
      return;
    }
    onClientError(err, socket);
  });
  function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
    // A connection the client reset (or that broke under a write) is no request: a request on it was counted when it
    // was routed. Every other error here is a request that never reached a route.
    if (err.code === "ECONNRESET" || err.code === "EPIPE") {
      socket.destroy();
      return;
    }
    // Bytes behind a request that said `Connection: close` itself (Node's parser reads no request after it): not a
    // request, as the real server never reads them (RFC 9112, 9.6).
    if (err.code === "HPE_CLOSED_CONNECTION") return;
    // A parser in error reports again with every read: the first report is the one answered.
    if (reported.has(socket)) return;
    reported.add(socket);
    const status = err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
    const text =
      status === 400 ? "Bad Request" : status === 431 ? "Request Header Fields Too Large" : "Request Timeout";
    const last = lastRequest.get(socket);
    if (last && !last.req.complete) {
      // The client ended its side in the middle of the body: it left (as Node has it), and gets no answer.
      if (err.code === "HPE_INVALID_EOF_STATE") {
        last.cut ??= "client left";
        socket.destroy();
        return;
      }
      // The error is in the body of a request already routed and counted (a bad chunk size): it is that request's
      // answer, unless it has one already (which says Connection: close, as its body was not read).
      if (!last.responded && !last.res.destroyed) {
        last.fault = undefined;
        detail(last, status, text);
      }
      return;
    }
    // Bytes behind an answer that closed the connection are not read as a request (RFC 9112, 9.6).
    if (closedBefore(socket)) return;
    stats.countRequest("other");
    const what = status === 400 ? "bytes that are not HTTP" : status === 431 ? "a head over 16 KiB" : "a head too slow";
    answerLater(socket, `(${what}: ${err.code})`, status, text);
  }

  /**
   * Runs `write` once every answer of the requests already routed on the connection is out (at once when there is
   * none), so that an answer written straight to the socket never goes into the middle of one, nor ahead of one.
   * When the connection is gone (or ending) by then, it is only closed, and `gone` runs instead.
   */
  function afterAnswers(socket: Socket, write: () => void, gone: () => void): void {
    const go = () => {
      if (socket.writable && !socket.destroyed) return write();
      socket.destroy();
      gone();
    };
    const last = lastRequest.get(socket)?.res;
    if (last && !last.closed) last.once("close", go);
    else go();
  }
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once("error", onError);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  server.on("error", (err) => log(`emulator: server error: ${err.message}`));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : (options.port ?? 0);
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  log(`emulator: listening on ${url}`);

  return {
    url,
    apiKey: keys[0]!,
    adminToken,
    // A second call answers the first's promise: it too resolves only once every line is logged.
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        closed = true;
        em.results.close();
        const waiting = [...timers];
        timers.clear();
        for (const [t, resolveSleep] of waiting) {
          clearTimeout(t);
          resolveSleep();
        }
        const answersClosed = new Promise<void>((done) => {
          if (openAnswers.size === 0) done();
          else lastAnswerClosed = done;
        });
        server.close(() => answersClosed.then(resolve));
        server.closeAllConnections();
      })),
    stats: snapshot,
    job,
    release: releaseJob,
    resetStats,
    setFaults(rules) {
      em.faultRules = normaliseRules(rules);
    },
  };
}

function noop(): void {}

/**
 * The route of a request, as `matchRoute` reads it, but for `/v1/jobs/{name}`: it takes POST only where the name is a
 * model's (models.ts), so a method it refuses on any other name (a job's id) answers the Allow of the job-status path
 * alone, as `POST` there does: the same Allow for a path whatever the method refused.
 */
function routeOf(method: string, path: string): Match {
  const match = matchRoute(method, path);
  return match.kind === "method" && match.route === "/v1/jobs/{id}" && !takesSubmit(match.param ?? "")
    ? { ...match, allow: JOB_STATUS_ALLOW }
    : match;
}

/**
 * Whether an OPTIONS request is a CORS preflight, as Starlette's CORSMiddleware tells one: it has an `Origin` and an
 * `Access-Control-Request-Method` (any value, an empty one too).
 */
function isPreflight(req: IncomingMessage): boolean {
  return req.headers.origin !== undefined && req.headers["access-control-request-method"] !== undefined;
}

/** A request target without its query. */
function pathOf(url: string): string {
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}

/** A path as the request log shows it: cut at 200 characters. */
function shortPath(path: string): string {
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

/**
 * An option's value as an error message shows it: a string quoted, so that "5" is not taken for 5, and an object as
 * JSON (`shown`), not `[object Object]`.
 */
function shownValue(value: unknown): string {
  if (typeof value === "function") return "a function";
  return typeof value === "string" || (typeof value === "object" && value !== null) ? shown(value) : String(value);
}

/** What Python's `quote` keeps of a URL as Starlette's RedirectResponse quotes it: unreserved and these. */
const REDIRECT_KEEPS = /^[A-Za-z0-9_.~:/%#?=@[\]!$&'()*+,;-]$/;

/**
 * The `Location` of a slash redirect, as Starlette writes it: `http://` and the request's Host (the address it was
 * reached on when it sent none: HTTP/1.0, an IPv6 one in brackets and without its zone), the path, the query as
 * sent; then quoted as Python's `quote` with RedirectResponse's safe characters (any other character as its UTF-8
 * bytes, `%XX`; a `%` is kept, so what the path decoded to is written again: a space `%20`, `é` `%C3%A9`).
 */
function redirectUrl(req: IncomingMessage, path: string, query: string): string {
  let authority = req.headers.host;
  if (authority === undefined) {
    const { localAddress = "127.0.0.1", localPort = 80 } = req.socket;
    // A link-local address comes with its zone (`fe80::1%eth0`), which no URL can hold (a `%` there starts an
    // escape): the address alone, which the client reaches on its own link.
    const address = localAddress.replace(/%.*$/, "");
    const host = address.includes(":") ? `[${address}]` : address;
    authority = localPort === 80 ? host : `${host}:${localPort}`;
  }
  const url = `http://${authority}${path}${query ? `?${query}` : ""}`;
  let out = "";
  for (const ch of url) {
    if (REDIRECT_KEEPS.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch)) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
