/**
 * The emulator's HTTP server: node:http with a small router. Model routes come from the generated catalogue of
 * `@decart/api`; the job, file, token and admin routes are the few parameterised ones. Job status is computed
 * lazily from timestamps at read time, so no timer runs per job.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer, STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { canonicalModel, catalogue, isModelName, requestSchemas, retiredModels } from "@decart/api";
import type { Principal } from "./auth.js";
import { KeyStore } from "./auth.js";
import type { Fault, FaultRoute } from "./faults.js";
import { ERROR_FAULTS, faultApplies, normaliseRules, parseFaultHeader, sampleFault } from "./faults.js";
import type { FilePart, FormPart } from "./form.js";
import { fileTypeProblem, parseForm, validateForm } from "./form.js";
import { allowedHostNames, bindingProblem, hostOfHeader } from "./host.js";
import type { MediaRequest, Result } from "./results.js";
import { ResultCache } from "./results.js";
import type {
  Emulator,
  EmulatorOptions,
  EmulatorStats,
  FaultRule,
  JobRecord,
  JobStatus,
  RouteName,
  TimingOptions,
} from "./types.js";
import type { CatalogueField, FormField, JsonSchema, ValidationIssue } from "./validation.js";
import { fieldFromCatalogue, fieldsFromObjectSchema, issue, validateJson } from "./validation.js";

/** The key the emulator accepts when no `keys` are given. */
export const DEFAULT_API_KEY = "dct_emulator_dev_key_0000000000000000";

const FAST_TIMING: TimingOptions = { pendingMs: 20, processingMs: 60 };
const DEFAULT_JOB_TIMEOUT_MS = 600_000;
const DEFAULT_RETENTION_MS = 86_400_000;
const DEFAULT_MAX_UPLOAD_BYTES = 200 * 1024 * 1024;
const DEFAULT_SLOW_MS = 1000;
const MAX_ID_LENGTH = 256;
const MAX_JSON_BODY_BYTES = 64 * 1024;
/** JSON bodies nest at most this deep (the spec's deepest is 3); deeper ones answer 422, never a stack overflow. */
const MAX_JSON_DEPTH = 32;
const DEFAULT_FILE_TTL_SECONDS = 86_400;
const FAIL_MARKER = /\[fail(?:\s*:\s*([^\]]*))?\]/i;
const STUCK_MARKER = /\[stuck\]/i;
const DEFAULT_FAIL_REASON = "The emulator was asked to fail this job ([fail] in the prompt).";

const ROUTE_NAMES: readonly RouteName[] = [
  "submit",
  "status",
  "content",
  "process",
  "legacy",
  "tokens",
  "files",
  "admin",
  "other",
];

// Header lists are flat [name, value, …] arrays, handed to writeHead as they are. The CORS headers go on the answers
// of the public API only (never on admin routes): a page on another origin may call the API, not read the admin.
const CORS_HEADERS = [
  "access-control-allow-origin",
  "*",
  "access-control-expose-headers",
  "x-request-id, retry-after, deprecation, warning, link, content-length, x-poll-after-ms",
];
const BASE_HEADERS: string[] = [];
const JSON_HEADERS = ["content-type", "application/json"];
const CORS_PREFLIGHT_HEADERS = [
  "access-control-allow-methods",
  "GET, POST, DELETE, OPTIONS",
  "access-control-max-age",
  "600",
];
const DEFAULT_ALLOWED_HEADERS = "x-api-key, content-type, x-emulator-fault, x-request-id";

type ModelName = keyof typeof catalogue;
type Mode = "submit" | "process" | "legacy";

interface ModelRoute {
  model: ModelName;
  mode: Mode;
  fields: FormField[];
  rules: readonly CatalogueRule[];
  width: number;
  height: number;
  fps: number | undefined;
  typicalJobSeconds: number;
}

interface CatalogueRule {
  readonly rule: string;
  readonly fields?: readonly string[];
  readonly field?: string;
  readonly with?: string;
  readonly message: string;
}

interface Job {
  id: string;
  model: string;
  ownerId: string;
  submittedAt: number;
  /** When processing starts (may be >= endAt when the timeout hits while pending). */
  startAt: number;
  /** When the job reaches endStatus. */
  endAt: number;
  endStatus: "completed" | "failed";
  error: string | undefined;
  media: MediaRequest;
  statusReads: number;
  contentReads: number;
  firstCompletedReadAt: number | undefined;
  resultSha256: string | undefined;
  resultBytes: number | undefined;
  /** Set while the result renders. */
  result: Promise<Result> | undefined;
  /** Stats epoch the job belongs to (resetStats starts a new one). */
  epoch: number;
  /** The serialised status answer for bodyStatus. */
  body: Buffer | undefined;
  bodyStatus: JobStatus | undefined;
}

interface StoredFile {
  id: string;
  ownerId: string;
  filename: string | null;
  mimeType: string;
  size: number;
  createdAt: number;
  expiresAt: number | null;
}

interface Ctx {
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
  /** Whether the answer carries CORS headers (public API routes only). */
  cors: boolean;
}

type Body = Buffer | Result | null;

function jsonBuffer(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function resolveTiming(timing: EmulatorOptions["timing"]): TimingOptions {
  if (timing === undefined || timing === "realistic") return {};
  if (timing === "fast") return FAST_TIMING;
  return timing;
}

/** Builds the route table from the catalogue: `POST path` → model, mode and form fields. */
function buildModelRoutes(): Map<string, ModelRoute> {
  const routes = new Map<string, ModelRoute>();
  for (const name of Object.keys(catalogue) as ModelName[]) {
    const info = catalogue[name] as (typeof catalogue)[ModelName] & { legacySyncPath?: string; fps?: number };
    const fields = (info.fields as readonly CatalogueField[]).map(fieldFromCatalogue);
    const base = {
      model: name,
      fields,
      rules: info.rules as readonly CatalogueRule[],
      width: info.width,
      height: info.height,
      fps: info.fps,
      typicalJobSeconds: info.typicalJobSeconds,
    };
    routes.set(info.path, { ...base, mode: info.kind === "video" ? "submit" : "process" });
    if (info.legacySyncPath) routes.set(info.legacySyncPath, { ...base, mode: "legacy" });
  }
  return routes;
}

const MODEL_ROUTES = buildModelRoutes();
const RETIRED = new Set<string>(retiredModels.map((m) => m.name));
const FILE_FIELDS = fieldsFromObjectSchema(requestSchemas.UploadFileRequest as unknown as JsonSchema);
const TOKEN_SCHEMA = requestSchemas.CreateTokenRequest as unknown as JsonSchema;

/** Checks the catalogue's cross-field rules (restyle's exactlyOne / forbiddenWith) on the fields the client sent. */
function checkRules(rules: readonly CatalogueRule[], given: Set<string>, input: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const rule of rules) {
    let broken = false;
    if (rule.rule === "exactlyOne" && rule.fields) {
      broken = rule.fields.filter((f) => given.has(f)).length !== 1;
    } else if (rule.rule === "forbiddenWith" && rule.field && rule.with) {
      broken = given.has(rule.field) && given.has(rule.with);
    }
    if (broken)
      out.push(issue(["body"], "value_error", `Value error, ${rule.message}`, input, { error: rule.message }));
  }
  return out;
}

/** The model that runs for a catalogue name (aliases and deprecated names followed). */
function runs(name: string): string {
  return isModelName(name) ? canonicalModel(name) : name;
}

/** True when `value` nests arrays / objects deeper than `max` (checked without recursion). */
function depthOver(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (depth >= max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** A small summary of the text fields, for `input` of a model-level issue. */
function formSummary(parts: readonly FormPart[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of parts) out[p.name] = p.file ? `<file ${p.file.filename ?? ""}>` : p.text.slice(0, 50);
  return out;
}

/** Whether a request declares a body. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? "127.0.0.1";
  const refused = bindingProblem(host, options.keys, DEFAULT_API_KEY);
  if (refused) throw new Error(refused);
  const keys = options.keys && options.keys.length > 0 ? options.keys : [DEFAULT_API_KEY];
  const hostNames = allowedHostNames(host, options.allowedHosts);
  const adminToken = options.adminToken ?? `emu_admin_${randomBytes(24).toString("base64url")}`;
  const adminHash = createHash("sha256").update(adminToken).digest();
  const timing = resolveTiming(options.timing);
  const jobTimeoutMs = options.jobTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
  const retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const pollHints = options.pollHints === true;
  const random = options.random ?? Math.random;
  const logger = options.logger;
  let faultRules: FaultRule[] = normaliseRules(options.faults ?? []);
  if (options.resultBytes !== undefined && !(Number.isSafeInteger(options.resultBytes) && options.resultBytes > 0)) {
    throw new RangeError("resultBytes must be a positive integer");
  }

  const keyStore = new KeyStore(keys);
  const results = new ResultCache(options.resultBytes);
  const jobs = new Map<string, Job>();
  const files = new Map<string, StoredFile>();
  let lastSweep = Date.now();
  /**
   * Forgets what no one can use any more, so that a long-running emulator does not grow: jobs one more retention
   * period after their results expired (410 until then, 404 after), and expired files. Runs on creation, at most once
   * per retention period (or minute).
   */
  function sweep(now: number): void {
    if (now - lastSweep < Math.min(retentionMs, 60_000)) return;
    lastSweep = now;
    for (const [id, job] of jobs) if (now > job.endAt + 2 * retentionMs) jobs.delete(id);
    for (const [id, file] of files) if (file.expiresAt !== null && now >= file.expiresAt) files.delete(id);
  }
  /** Pending sleeps: close() clears them and lets their waiters go on (to find the server closed). */
  const timers = new Map<NodeJS.Timeout, () => void>();
  const tokenSecret = randomBytes(32);
  /** Request ids: a random per-server prefix and a counter (cheap, and unique across servers). */
  const requestIdPrefix = `req_${randomBytes(6).toString("hex")}_`;
  let requestCounter = 0;
  let closed = false;

  // Stats.
  let epoch = 0;
  let jobsCreated = 0;
  let totalRequests = 0;
  let bytesServed = 0;
  const byRoute: Record<string, number> = {};
  const byJob = new Map<string, number>();
  const faultsInjected: Record<string, number> = {};
  const resetCounters = () => {
    jobsCreated = 0;
    totalRequests = 0;
    bytesServed = 0;
    for (const r of ROUTE_NAMES) byRoute[r] = 0;
    byJob.clear();
    for (const k of Object.keys(faultsInjected)) delete faultsInjected[k];
  };
  resetCounters();

  const log = (line: string) => {
    if (logger) {
      try {
        logger(line);
      } catch {
        // a failing logger must not break the server
      }
    }
  };

  // ------------------------------------------------------------------------------------------------- timing

  const scaled = (ms: number) => {
    const spread = Math.min(1, Math.max(0, timing.spread ?? 0));
    const d = Math.max(0, ms * (timing.timeScale ?? 1));
    return spread === 0 ? d : d * (1 - spread + 2 * spread * random());
  };
  const durations = (route: ModelRoute) => {
    const typical = route.typicalJobSeconds * 1000;
    const p = timing.pendingMs;
    const q = timing.processingMs;
    const pending = typeof p === "function" ? p(route.model) : (p ?? typical * 0.2);
    const processing = typeof q === "function" ? q(route.model) : (q ?? typical * 0.8);
    return { pending: scaled(pending), processing: scaled(processing) };
  };

  /** Resolves after ms (or at close). */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (closed) return resolve();
      // setTimeout takes at most 2^31−1 ms (about 24.8 days); NaN counts as 0.
      const t = setTimeout(
        () => {
          timers.delete(t);
          resolve();
        },
        Math.min(Math.max(0, ms || 0), 2 ** 31 - 1),
      );
      timers.set(t, resolve);
    });

  // ------------------------------------------------------------------------------------------------- answers

  const countBytes = (n: number) => {
    bytesServed += n;
  };

  /** Writes n bytes (or all when n is undefined) from the chunk iterator, honouring backpressure. */
  async function writeChunks(
    res: ServerResponse,
    chunks: AsyncIterator<Uint8Array> | Iterator<Uint8Array>,
    state: { leftover: Uint8Array | undefined },
    n: number,
  ): Promise<boolean> {
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
      countBytes(chunk.length);
      if (!res.write(chunk)) {
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

  function bodyChunks(body: Result): AsyncIterator<Uint8Array> | Iterator<Uint8Array> {
    if (body.padded) return body.padded.stream()[Symbol.asyncIterator]();
    return [body.bytes][Symbol.iterator]();
  }

  /** Writes the answer; synchronous for a plain body (the hot path), a promise when it streams or stalls. */
  function writeBody(ctx: Ctx, status: number, headers: string[], body: Body): Promise<void> | undefined {
    const { res } = ctx;
    if (res.destroyed) return;
    const length = body === null ? 0 : Buffer.isBuffer(body) ? body.length : body.length;
    const all = [...(ctx.cors ? CORS_HEADERS : []), ...headers, ...(ctx.extraHeaders ?? [])];
    // An answer given before the request's body was read closes the connection: the client may still be sending.
    if (!ctx.req.complete && hasBody(ctx.req)) all.push("connection", "close");
    if (status === 204) {
      res.writeHead(status, [...all, "x-request-id", ctx.requestId]);
      res.end();
      return;
    }
    res.writeHead(status, [...all, "x-request-id", ctx.requestId, "content-length", String(length)]);
    const fault = ctx.fault?.kind;
    if (fault !== "stall" && fault !== "truncate") {
      if (body === null) res.end();
      else if (Buffer.isBuffer(body)) {
        countBytes(body.length);
        res.end(body);
      } else if (!body.padded) {
        countBytes(body.bytes.length);
        res.end(body.bytes);
      } else {
        return writeChunks(res, bodyChunks(body), { leftover: undefined }, body.length).then((ok) => {
          if (ok) res.end();
        });
      }
      return;
    }
    return writeCut(ctx, body, length, fault);
  }

  /** stall / truncate: sends the first half of the body, then stops (for good, or for the fault's delay). */
  async function writeCut(ctx: Ctx, body: Body, length: number, fault: "stall" | "truncate"): Promise<void> {
    const { res } = ctx;
    const cut = Math.floor(length / 2);
    const chunks =
      body === null ? [][Symbol.iterator]() : Buffer.isBuffer(body) ? [body][Symbol.iterator]() : bodyChunks(body);
    const state = { leftover: undefined as Uint8Array | undefined };
    const ok = await writeChunks(res, chunks, state, cut);
    if (!ok) return;
    if (fault === "truncate") {
      // Let the first half reach the socket, then cut the connection.
      res.socket?.end();
      res.socket?.destroySoon?.();
      setImmediate(() => res.socket?.destroy());
      return;
    }
    const delay = ctx.fault?.delayMs;
    if (delay === undefined) return; // stalls until the client or close() ends the connection
    await sleep(delay);
    if (closed) return;
    if (await writeChunks(res, chunks, state, length - cut)) res.end();
  }

  function respond(ctx: Ctx, status: number, headers: string[], body: Body): void {
    if (ctx.responded) return;
    ctx.responded = true;
    const failed = (err: unknown) => {
      log(`emulator: error while answering ${ctx.requestId}: ${(err as Error)?.stack ?? err}`);
      ctx.res.destroy();
    };
    const go = () => {
      try {
        writeBody(ctx, status, headers, body)?.catch(failed);
      } catch (err) {
        failed(err);
      }
    };
    if (ctx.fault?.kind === "slow") sleep(ctx.fault.delayMs ?? DEFAULT_SLOW_MS).then(go);
    else go();
  }

  const json = (ctx: Ctx, status: number, value: unknown, extra?: string[]) =>
    respond(ctx, status, extra ? [...JSON_HEADERS, ...extra] : JSON_HEADERS, jsonBuffer(value));
  const detail = (ctx: Ctx, status: number, text: string, extra?: string[]) =>
    json(ctx, status, { detail: text }, extra);
  const invalid = (ctx: Ctx, issues: ValidationIssue[]) => json(ctx, 422, { detail: issues });
  const notFound = (ctx: Ctx) => detail(ctx, 404, "Not Found");
  const methodNotAllowed = (ctx: Ctx, allow: string) => detail(ctx, 405, "Method Not Allowed", ["allow", allow]);

  /** Reads and discards the rest of a request body we will not use; cuts a connection that sends far too much. */
  function drain(req: IncomingMessage): void {
    if (req.complete || req.destroyed) return;
    let drained = 0;
    const cap = maxUploadBytes * 2 + 64 * 1024 * 1024;
    req.on("data", (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > cap) req.socket.destroy();
    });
    req.resume();
  }

  // ------------------------------------------------------------------------------------------------- auth & faults

  function authenticate(ctx: Ctx): Principal | undefined {
    const result = keyStore.authenticate(ctx.req.headers["x-api-key"], Date.now());
    if (!result.ok) {
      detail(ctx, 401, result.detail);
      return undefined;
    }
    const origins = result.principal.allowedOrigins;
    const origin = ctx.req.headers.origin;
    if (origins && origin !== undefined && !origins.has(origin)) {
      detail(ctx, 403, `This client token may not be used from origin ${origin}.`);
      return undefined;
    }
    return result.principal;
  }

  /**
   * Decides the request's fault (forced by header, else sampled from the rules). Answers the error faults and
   * resets at once and returns false then; slow / stall / truncate are applied when answering.
   */
  function applyFault(ctx: Ctx, route: FaultRoute): boolean {
    const forced = parseFaultHeader(ctx.req.headers["x-emulator-fault"]);
    if (typeof forced === "string") {
      detail(ctx, 400, forced);
      return false;
    }
    let fault = forced && faultApplies(forced.kind, route) ? forced : undefined;
    if (!forced && faultRules.length > 0) fault = sampleFault(faultRules, route, random);
    if (!fault) return true;
    faultsInjected[fault.kind] = (faultsInjected[fault.kind] ?? 0) + 1;
    ctx.fault = fault;
    const error = ERROR_FAULTS[fault.kind];
    if (error) {
      const extra =
        fault.retryAfterSeconds !== undefined ? ["retry-after", String(fault.retryAfterSeconds)] : undefined;
      ctx.fault = undefined;
      detail(ctx, error.status, error.detail, extra);
      return false;
    }
    if (fault.kind === "reset") {
      ctx.responded = true;
      ctx.req.socket.destroy();
      return false;
    }
    return true;
  }

  function checkId(ctx: Ctx, id: string, name: string): boolean {
    if (id.length > MAX_ID_LENGTH) {
      invalid(ctx, [
        issue(["path", name], "string_too_long", `String should have at most ${MAX_ID_LENGTH} characters`, undefined, {
          max_length: MAX_ID_LENGTH,
        }),
      ]);
      return false;
    }
    return true;
  }

  // ------------------------------------------------------------------------------------------------- jobs

  function statusOf(job: Job, now: number): JobStatus {
    if (now >= job.endAt) return job.endStatus;
    return now >= job.startAt ? "processing" : "pending";
  }

  /**
   * The job's result, from the render cache. The job holds the promise only while rendering, then just the hash and
   * size: results live in the (bounded) cache, and an evicted one renders again to the same bytes.
   */
  function ensureResult(job: Job): Promise<Result> {
    if (job.result) return job.result;
    const rendering = results.video(job.media).then((r) => {
      job.resultSha256 = r.sha256;
      job.resultBytes = r.length;
      return r;
    });
    job.result = rendering;
    rendering.then(
      () => {
        if (job.result === rendering) job.result = undefined;
      },
      (err) => {
        if (job.result === rendering) job.result = undefined;
        log(`emulator: rendering ${job.id} failed: ${(err as Error).stack ?? err}`);
      },
    );
    return rendering;
  }

  function statusBody(job: Job, status: JobStatus): Buffer {
    if (job.bodyStatus === status && job.body) return job.body;
    const updated = status === "pending" ? job.submittedAt : status === "processing" ? job.startAt : job.endAt;
    const value: Record<string, unknown> = {
      job_id: job.id,
      status,
      model: job.model,
      created_at: iso(job.submittedAt),
      updated_at: iso(updated),
    };
    if (status === "failed" && job.error !== undefined) value.error = job.error;
    job.body = jsonBuffer(value);
    job.bodyStatus = status;
    return job.body;
  }

  function record(job: Job, now: number): JobRecord {
    const status = statusOf(job, now);
    const out: JobRecord = {
      id: job.id,
      model: job.model,
      status,
      submittedAt: job.submittedAt,
      statusReads: job.statusReads,
      contentReads: job.contentReads,
    };
    if (status === "failed" && job.error !== undefined) out.error = job.error;
    if (now >= job.startAt && job.startAt < job.endAt) out.startedAt = job.startAt;
    if (now >= job.endAt) out.completedAt = job.endAt;
    if (job.firstCompletedReadAt !== undefined) out.firstCompletedReadAt = job.firstCompletedReadAt;
    if (job.resultSha256 !== undefined) out.resultSha256 = job.resultSha256;
    if (job.resultBytes !== undefined) out.resultBytes = job.resultBytes;
    return out;
  }

  function countJobRequest(id: string) {
    byJob.set(id, (byJob.get(id) ?? 0) + 1);
  }

  /** Finds a job the principal owns; answers 404 otherwise. */
  function findJob(ctx: Ctx, id: string, principal: Principal): Job | undefined {
    const job = jobs.get(id);
    if (!job || job.ownerId !== principal.accountId) {
      detail(ctx, 404, "Job not found");
      return undefined;
    }
    countJobRequest(id);
    return job;
  }

  function handleStatus(ctx: Ctx, id: string): void {
    const principal = authenticate(ctx);
    if (!principal || !checkId(ctx, id, "job_id")) return;
    const job = findJob(ctx, id, principal);
    if (!job || !applyFault(ctx, "status")) return;
    job.statusReads++;
    const now = Date.now();
    const status = statusOf(job, now);
    if (now >= job.endAt) {
      if (job.firstCompletedReadAt === undefined) job.firstCompletedReadAt = now;
      if (status === "completed") void ensureResult(job).catch(() => {});
    }
    // The hint: how long until this job's next change (processing starts, or the job ends).
    const hint =
      pollHints && now < job.endAt ? [...JSON_HEADERS, "x-poll-after-ms", String(next(job, now) - now)] : null;
    respond(ctx, 200, hint ?? JSON_HEADERS, statusBody(job, status));
  }

  /** When an unfinished job next changes: when processing starts, else when it ends. */
  const next = (job: Job, now: number) => (now < job.startAt && job.startAt < job.endAt ? job.startAt : job.endAt);

  async function handleContent(ctx: Ctx, id: string): Promise<void> {
    const principal = authenticate(ctx);
    if (!principal || !checkId(ctx, id, "job_id")) return;
    const job = findJob(ctx, id, principal);
    if (!job || !applyFault(ctx, "content")) return;
    job.contentReads++;
    const now = Date.now();
    const status = statusOf(job, now);
    if (status !== "completed") {
      const why = status === "failed" && job.error ? ` (${job.error})` : "";
      return json(ctx, 409, { detail: `Job is not completed: its status is '${status}'${why}.`, status });
    }
    if (now > job.endAt + retentionMs) {
      return detail(ctx, 410, "The result of this job is past its retention period and was deleted.");
    }
    const result = await ensureResult(job);
    respond(ctx, 200, [...BASE_HEADERS, "content-type", result.contentType], result);
  }

  // ------------------------------------------------------------------------------------------------- model routes

  async function handleModel(ctx: Ctx, route: ModelRoute): Promise<void> {
    const principal = authenticate(ctx);
    if (!principal) return;
    // A token's models are kept as the models that run (aliases and deprecated names followed), as is the route's.
    if (principal.allowedModels && !principal.allowedModels.has(runs(route.model))) {
      return detail(ctx, 403, `This client token may not use model '${route.model}'.`);
    }
    if (!applyFault(ctx, route.mode)) return;

    const parsed = await readForm(ctx);
    if (!parsed) return;
    const form = validateForm(route.fields, parsed.parts);
    if (form.issues.length === 0) form.issues.push(...checkRules(route.rules, form.given, formSummary(parsed.parts)));
    if (form.issues.length > 0) return invalid(ctx, form.issues);
    const badType = fileTypeProblem(route.fields, form.files);
    if (badType) return detail(ctx, 400, badType);

    const prompt = typeof form.values.get("prompt") === "string" ? (form.values.get("prompt") as string) : "";
    const seed = typeof form.values.get("seed") === "number" ? (form.values.get("seed") as number) : 0;
    const failMatch = FAIL_MARKER.exec(prompt);
    const failReason = failMatch ? failMatch[1]?.trim() || DEFAULT_FAIL_REASON : undefined;
    const stuck = STUCK_MARKER.test(prompt) || ctx.fault?.kind === "stuck";
    const resolution = form.values.get("resolution");
    const orientation = form.values.get("orientation");
    const media: MediaRequest = {
      model: isModelName(route.model) ? canonicalModel(route.model) : route.model,
      modelWidth: route.width,
      modelHeight: route.height,
      ...(route.fps !== undefined ? { modelFps: route.fps } : {}),
      prompt,
      seed,
      ...(typeof resolution === "string" ? { resolution } : {}),
      ...(typeof orientation === "string" ? { orientation } : {}),
    };
    const { pending, processing } = durations(route);

    if (route.mode === "submit") {
      const now = Date.now();
      const startAt = now + pending;
      let endAt = stuck ? Number.POSITIVE_INFINITY : startAt + processing;
      let endStatus: Job["endStatus"] = failReason !== undefined ? "failed" : "completed";
      let error = failReason;
      if (endAt - now > jobTimeoutMs) {
        endAt = now + jobTimeoutMs;
        endStatus = "failed";
        error = `The job did not finish within ${jobTimeoutMs / 1000} seconds and was stopped by the server timeout.`;
      }
      const id = `job_${randomBytes(16).toString("hex")}`;
      sweep(now);
      jobs.set(id, {
        id,
        model: route.model,
        ownerId: principal.accountId,
        submittedAt: now,
        startAt,
        endAt,
        endStatus,
        error,
        media,
        statusReads: 0,
        contentReads: 0,
        firstCompletedReadAt: undefined,
        resultSha256: undefined,
        resultBytes: undefined,
        result: undefined,
        epoch,
        body: undefined,
        bodyStatus: undefined,
      });
      jobsCreated++;
      return json(ctx, 200, { job_id: id, status: "pending" });
    }

    // Synchronous routes (images, and the deprecated synchronous video route): the answer waits for the work.
    if (stuck) {
      await sleep(jobTimeoutMs);
      return detail(ctx, 504, `The generation did not finish within ${jobTimeoutMs / 1000} seconds.`);
    }
    await sleep(pending + processing);
    if (closed) return;
    if (failReason !== undefined) return detail(ctx, 500, failReason);
    const result = route.mode === "process" ? await results.image(media) : await results.video(media);
    respond(ctx, 200, [...BASE_HEADERS, "content-type", result.contentType], result);
  }

  function handleModelPath(ctx: Ctx, path: string, name: string, prefix: "jobs" | "generate"): Promise<void> | void {
    const route = MODEL_ROUTES.get(path);
    if (route) {
      ctx.route = route.mode;
      if (route.mode === "legacy") {
        ctx.extraHeaders = [
          "deprecation",
          "true",
          "warning",
          `299 - "Deprecated: synchronous video generation. Use POST /v1/jobs/${route.model} and poll the job."`,
          "link",
          `</v1/jobs/${route.model}>; rel="successor-version"`,
        ];
      }
      return handleModel(ctx, route);
    }
    ctx.route = prefix === "jobs" ? "submit" : "process";
    if (RETIRED.has(name)) return json(ctx, 410, { detail: "This model has been retired.", model: name });
    if (isModelName(name)) {
      const info = catalogue[name];
      return detail(ctx, 404, `Model '${name}' is not served here; use POST ${info.path}.`);
    }
    return detail(ctx, 404, `Model '${name}' not found.`);
  }

  // ------------------------------------------------------------------------------------------------- tokens

  /** Reads a small body completely; undefined when it is too large (413 answered) or the client went away. */
  function readSmallBody(ctx: Ctx): Promise<Buffer | undefined> {
    const { req } = ctx;
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
          detail(ctx, 413, `Body too large: the limit is ${MAX_JSON_BODY_BYTES} bytes.`);
          finish(undefined);
          drain(req);
          return;
        }
        chunks.push(chunk);
      };
      const onEnd = () => finish(Buffer.concat(chunks));
      const onClose = () => {
        ctx.responded = ctx.responded || !req.complete;
        finish(req.complete ? Buffer.concat(chunks) : undefined);
      };
      req.on("data", onData);
      req.on("end", onEnd);
      req.on("close", onClose);
    });
  }

  async function handleTokens(ctx: Ctx): Promise<void> {
    const principal = authenticate(ctx);
    if (!principal) return;
    if (principal.isClientToken) return detail(ctx, 403, "Cannot create client token from a client token.");
    if (!applyFault(ctx, "tokens")) return;
    const raw = await readSmallBody(ctx);
    if (raw === undefined) return;
    const text = raw.toString("utf8");
    let value: unknown = {};
    if (text.trim() !== "") {
      try {
        value = JSON.parse(text);
      } catch (err) {
        const message = (err as Error).message;
        const at = /position (\d+)/.exec(message);
        return invalid(ctx, [
          issue(["body", at ? Number(at[1]) : 0], "json_invalid", "JSON decode error", {}, { error: message }),
        ]);
      }
    }
    if (value === null) value = {};
    if (typeof value !== "object" || Array.isArray(value)) {
      return invalid(ctx, [
        issue(
          ["body"],
          "model_attributes_type",
          "Input should be a valid dictionary or object to extract fields from",
          value,
        ),
      ]);
    }
    if (depthOver(value, MAX_JSON_DEPTH)) {
      return invalid(ctx, [
        issue(["body"], "value_error", `Value error, JSON nested deeper than ${MAX_JSON_DEPTH} levels`, undefined),
      ]);
    }
    const issues: ValidationIssue[] = [];
    validateJson(TOKEN_SCHEMA, value, ["body"], issues);
    const models = (value as { allowedModels?: unknown }).allowedModels;
    if (issues.length === 0 && Array.isArray(models)) {
      models.forEach((name: string, i) => {
        if (!isModelName(name)) {
          const retired = RETIRED.has(name) ? " (it has been retired)" : "";
          issues.push(
            issue(["body", "allowedModels", i], "value_error", `Value error, unknown model '${name}'${retired}`, name),
          );
        }
      });
    }
    if (issues.length > 0) return invalid(ctx, issues);
    const body = value as {
      expiresIn?: number;
      allowedModels?: string[];
      allowedOrigins?: string[];
      constraints?: Record<string, unknown>;
    };
    const expiresIn = body.expiresIn ?? (TOKEN_SCHEMA.properties?.expiresIn?.default as number | undefined) ?? 60;
    const now = Date.now();
    const allowed = body.allowedModels?.map((m) => runs(m));
    const created = keyStore.createToken(principal, now, expiresIn, allowed, body.allowedOrigins);
    const permissions =
      body.allowedModels || body.allowedOrigins
        ? {
            ...(body.allowedModels ? { models: body.allowedModels } : {}),
            ...(body.allowedOrigins ? { origins: body.allowedOrigins } : {}),
          }
        : null;
    const claims = { sub: principal.accountId, exp: Math.floor(created.expiresAt / 1000), permissions };
    const header = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString("base64url");
    const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
    const signature = createHmac("sha256", tokenSecret).update(`${header}.${payload}`).digest("base64url");
    json(ctx, 200, {
      apiKey: created.apiKey,
      token: `${header}.${payload}.${signature}`,
      expiresAt: iso(created.expiresAt),
      permissions,
      constraints: body.constraints ?? null,
    });
  }

  // ------------------------------------------------------------------------------------------------- files

  function fileReference(f: StoredFile) {
    return {
      id: f.id,
      filename: f.filename,
      mime_type: f.mimeType,
      size_bytes: f.size,
      created_at: iso(f.createdAt),
      expires_at: f.expiresAt === null ? null : iso(f.expiresAt),
    };
  }

  /** Parses a multipart body; on a bad or abandoned one, answers (or gives up on the gone client) and returns nothing. */
  async function readForm(ctx: Ctx) {
    const parsed = await parseForm(ctx.req, { maxFileBytes: maxUploadBytes });
    if (parsed.kind === "aborted") {
      ctx.responded = true;
      return undefined;
    }
    if (parsed.kind === "error") {
      drain(ctx.req);
      detail(ctx, parsed.status, parsed.detail);
      return undefined;
    }
    return parsed;
  }

  async function handleUpload(ctx: Ctx): Promise<void> {
    const principal = authenticate(ctx);
    if (!principal || !applyFault(ctx, "files")) return;
    const parsed = await readForm(ctx);
    if (!parsed) return;
    const form = validateForm(FILE_FIELDS, parsed.parts);
    if (form.issues.length > 0) return invalid(ctx, form.issues);
    const file = form.files.get("file") as FilePart;
    const ttl = form.values.get("ttl_seconds");
    const now = Date.now();
    const stored: StoredFile = {
      id: `file_${randomBytes(16).toString("hex")}`,
      ownerId: principal.accountId,
      filename: file.filename ?? null,
      mimeType: file.sniffedType ?? (file.declaredType || "application/octet-stream"),
      size: file.size,
      createdAt: now,
      expiresAt: ttl === "persistent" ? null : now + (typeof ttl === "number" ? ttl : DEFAULT_FILE_TTL_SECONDS) * 1000,
    };
    sweep(now);
    files.set(stored.id, stored);
    json(ctx, 200, fileReference(stored));
  }

  function handleFile(ctx: Ctx, rawId: string, method: string) {
    const principal = authenticate(ctx);
    if (!principal || !checkId(ctx, rawId, "file_id")) return;
    let id = rawId;
    try {
      id = decodeURIComponent(rawId);
    } catch {
      // not percent-encoded; use as is
    }
    const file = files.get(id);
    const now = Date.now();
    if (file && file.expiresAt !== null && now >= file.expiresAt) files.delete(id);
    if (!file || file.ownerId !== principal.accountId || !files.has(id)) return detail(ctx, 404, "File not found");
    if (!applyFault(ctx, "files")) return;
    if (method === "DELETE") {
      files.delete(id);
      return respond(ctx, 204, BASE_HEADERS, null);
    }
    json(ctx, 200, fileReference(file));
  }

  // ------------------------------------------------------------------------------------------------- admin

  function snapshot(): EmulatorStats {
    const now = Date.now();
    const jobRecords: Record<string, JobRecord> = {};
    for (const job of jobs.values()) if (job.epoch === epoch) jobRecords[job.id] = record(job, now);
    return {
      jobsCreated,
      requests: { total: totalRequests, byRoute: { ...byRoute }, byJob: Object.fromEntries(byJob) },
      faultsInjected: { ...faultsInjected },
      bytesServed,
      jobs: jobRecords,
    };
  }

  function resetStats(): void {
    resetCounters();
    epoch++;
    for (const job of jobs.values()) {
      job.statusReads = 0;
      job.contentReads = 0;
    }
  }

  /** Admin routes take the admin token as `Authorization: Bearer <token>`; anything else answers 401. */
  function adminAllowed(ctx: Ctx): boolean {
    const given = /^Bearer\s+(\S+)\s*$/i.exec(ctx.req.headers.authorization ?? "")?.[1];
    if (given !== undefined && timingSafeEqual(createHash("sha256").update(given).digest(), adminHash)) return true;
    detail(ctx, 401, "Admin routes need the emulator's admin token: send Authorization: Bearer <adminToken>.", [
      "www-authenticate",
      "Bearer",
    ]);
    return false;
  }

  async function handleAdmin(ctx: Ctx, path: string, method: string): Promise<void> {
    if (!adminAllowed(ctx)) return;
    if (path === "/_emulator/stats") {
      if (method !== "GET") return methodNotAllowed(ctx, "GET");
      return json(ctx, 200, snapshot());
    }
    if (path === "/_emulator/reset-stats") {
      if (method !== "POST") return methodNotAllowed(ctx, "POST");
      resetStats();
      ctx.counted = false;
      return respond(ctx, 204, BASE_HEADERS, null);
    }
    if (path === "/_emulator/faults") {
      if (method === "GET") return json(ctx, 200, faultRules);
      if (method !== "POST") return methodNotAllowed(ctx, "GET, POST");
      const raw = await readSmallBody(ctx);
      if (raw === undefined) return;
      try {
        faultRules = normaliseRules(JSON.parse(raw.toString("utf8") || "[]"));
      } catch (err) {
        return detail(ctx, 422, `Bad fault rules: ${(err as Error).message}`);
      }
      return json(ctx, 200, faultRules);
    }
    return notFound(ctx);
  }

  // ------------------------------------------------------------------------------------------------- router

  function route(ctx: Ctx, method: string, path: string): Promise<void> | void {
    if (path.startsWith("/v1/jobs/")) {
      const rest = path.slice(9);
      const slash = rest.indexOf("/");
      if (slash < 0) {
        if (rest === "") return notFound(ctx);
        if (method === "GET") {
          ctx.route = "status";
          return handleStatus(ctx, rest);
        }
        if (method === "POST") return handleModelPath(ctx, path, rest, "jobs");
        return methodNotAllowed(ctx, "GET, POST");
      }
      if (slash > 0 && rest.length === slash + 8 && rest.endsWith("/content")) {
        if (method !== "GET") return methodNotAllowed(ctx, "GET");
        ctx.route = "content";
        return handleContent(ctx, rest.slice(0, slash));
      }
      return notFound(ctx);
    }
    if (path.startsWith("/v1/generate/")) {
      const name = path.slice(13);
      if (name === "" || name.includes("/")) return notFound(ctx);
      if (method !== "POST") return methodNotAllowed(ctx, "POST");
      return handleModelPath(ctx, path, name, "generate");
    }
    if (path === "/v1/client/tokens") {
      if (method !== "POST") return methodNotAllowed(ctx, "POST");
      ctx.route = "tokens";
      return handleTokens(ctx);
    }
    if (path === "/v1/files") {
      if (method !== "POST") return methodNotAllowed(ctx, "POST");
      ctx.route = "files";
      return handleUpload(ctx);
    }
    if (path.startsWith("/v1/files/")) {
      const id = path.slice(10);
      if (id === "" || id.includes("/")) return notFound(ctx);
      if (method !== "GET" && method !== "DELETE") return methodNotAllowed(ctx, "GET, DELETE");
      ctx.route = "files";
      return handleFile(ctx, id, method);
    }
    return notFound(ctx);
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    req.on("error", noop);
    res.on("error", noop);
    const ctx: Ctx = {
      req,
      res,
      requestId: `${requestIdPrefix}${(++requestCounter).toString(36)}`,
      route: "other",
      fault: undefined,
      extraHeaders: undefined,
      responded: false,
      counted: true,
      cors: true,
    };
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? "GET";
    const started = logger ? performance.now() : 0;
    let result: Promise<void> | void | undefined;
    try {
      const hostProblem = checkHost(req);
      if (hostProblem) {
        ctx.cors = false;
        detail(ctx, hostProblem.status, hostProblem.detail);
      } else if (path.startsWith("/_emulator/")) {
        ctx.route = "admin";
        ctx.cors = false;
        result = handleAdmin(ctx, path, method);
      } else if (method === "OPTIONS") {
        const asked = req.headers["access-control-request-headers"];
        respond(
          ctx,
          204,
          [...CORS_PREFLIGHT_HEADERS, "access-control-allow-headers", asked || DEFAULT_ALLOWED_HEADERS],
          null,
        );
      } else {
        result = route(ctx, method, path);
      }
    } catch (err) {
      internalError(ctx, err);
    }
    if (ctx.counted) {
      totalRequests++;
      byRoute[ctx.route] = (byRoute[ctx.route] ?? 0) + 1;
    }
    if (result) {
      result.then(
        () => {
          if (!ctx.responded && !res.headersSent) internalError(ctx, new Error("no answer"));
        },
        (err) => internalError(ctx, err),
      );
    }
    if (logger) {
      res.on("close", () => {
        const ms = (performance.now() - started).toFixed(1);
        log(
          `${method} ${path.length > 200 ? `${path.slice(0, 200)}…` : path} → ${res.statusCode} ${ms}ms ${ctx.requestId}`,
        );
      });
    }
  }

  /** Every request names this server in `Host` (DNS rebinding gives a page's own name instead). */
  function checkHost(req: IncomingMessage): { status: number; detail: string } | undefined {
    const value = req.headers.host;
    if (value === undefined) {
      return req.httpVersionMajor === 1 && req.httpVersionMinor === 0
        ? undefined
        : { status: 400, detail: "Missing Host header (HTTP/1.1 requires one)." };
    }
    const name = hostOfHeader(value);
    if (name !== undefined && hostNames.has(name)) return undefined;
    return {
      status: 421,
      detail: `Host ${JSON.stringify(value.slice(0, 100))} is not a name of this server; use ${[...hostNames].slice(0, 3).join(", ")} (or start it with allowedHosts).`,
    };
  }

  function internalError(ctx: Ctx, err: unknown): void {
    log(`emulator: internal error on ${ctx.requestId}: ${(err as Error)?.stack ?? err}`);
    if (!ctx.res.headersSent && !ctx.res.destroyed) {
      ctx.responded = false;
      ctx.fault = undefined;
      detail(ctx, 500, "Internal emulator error.");
      drain(ctx.req);
    } else {
      ctx.res.destroy();
    }
  }

  // ------------------------------------------------------------------------------------------------- server

  // Node's own answer to a request without Host is a bare 400; checkHost answers it as JSON instead.
  const server: Server = createServer({ requireHostHeader: false }, onRequest);
  // An `Expect` other than 100-continue: Node would answer a bare 417; answer it as JSON like every other error.
  server.on("checkExpectation", (req, res) => {
    totalRequests++;
    byRoute.other = (byRoute.other ?? 0) + 1;
    const body = JSON.stringify({ detail: `Unsupported Expect header: ${String(req.headers.expect).slice(0, 100)}` });
    res.writeHead(417, {
      "content-type": "application/json",
      "x-request-id": `${requestIdPrefix}${(++requestCounter).toString(36)}`,
      connection: "close",
    });
    res.end(body);
    req.resume();
  });
  // CONNECT (a proxy tunnel): Node would close the socket without a word; answer 405 JSON like any wrong method.
  server.on("connect", (_req: IncomingMessage, socket: Socket) => {
    totalRequests++;
    byRoute.other = (byRoute.other ?? 0) + 1;
    socket.on("error", noop);
    const body = JSON.stringify({ detail: "Method Not Allowed" });
    socket.end(
      `HTTP/1.1 405 Method Not Allowed\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nallow: GET, POST, DELETE, OPTIONS\r\nx-request-id: ${requestIdPrefix}${(++requestCounter).toString(36)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
    totalRequests++;
    byRoute.other = (byRoute.other ?? 0) + 1;
    if (!socket.writable || err.code === "ECONNRESET") {
      socket.destroy();
      return;
    }
    const status = err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
    const body = JSON.stringify({ detail: STATUS_CODES[status] ?? "Bad Request" });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestIdPrefix}${(++requestCounter).toString(36)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });

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
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        const waiting = [...timers];
        timers.clear();
        for (const [t, resolveSleep] of waiting) {
          clearTimeout(t);
          resolveSleep();
        }
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    stats: snapshot,
    resetStats,
    setFaults(rules: FaultRule[]) {
      faultRules = normaliseRules(rules);
    },
  };
}

function noop(): void {}
