/**
 * What the route handlers share: the settings, the state, the key store and the result cache, and the two steps
 * every API request goes through first: the key check and the fault decision.
 */
import type { KeyStore, Principal } from "./auth.js";
import { ERROR_FAULTS, type Fault, faultApplies, parseFaultHeader, sampleFault } from "./faults.js";
import type { Answering, Ctx } from "./http.js";
import { answersNoBody, detail } from "./http.js";
import type { ResultCache } from "./results.js";
import type { FaultRoute } from "./routes.js";
import type { FileStore, JobStore } from "./state.js";
import type { FaultRule, TimingOptions } from "./types.js";

/** The resolved options of one emulator. */
export interface Settings {
  timing: TimingOptions;
  jobTimeoutMs: number;
  retentionMs: number;
  maxUploadBytes: number;
  maxJobs: number;
  maxClientTokens: number;
  maxClientTokenOriginChars: number;
  pollHints: boolean;
  random: () => number;
  /** The clock (`now` of the options). */
  now: () => number;
}

export interface Emulation extends Answering {
  settings: Settings;
  jobs: JobStore;
  files: FileStore;
  keys: KeyStore;
  results: ResultCache;
  faultRules: FaultRule[];
}

/** The caller's principal, or undefined once 401 (bad key) or 403 (a token used from another origin) is answered. */
export function authenticate(ctx: Ctx, em: Emulation): Principal | undefined {
  // Node joins repeated headers with ", ": say so, rather than "Invalid API key." for two good keys. (Only a value
  // with a comma can be two; the distinct list is built only then, off the hot path.)
  const keys = ctx.req.headers["x-api-key"]?.includes(",") ? (ctx.req.headersDistinct["x-api-key"]?.length ?? 0) : 1;
  if (keys > 1) {
    detail(ctx, 401, `X-API-KEY given ${keys} times: send one key.`);
    return undefined;
  }
  const result = em.keys.authenticate(ctx.req.headers["x-api-key"], em.settings.now());
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
 * Decides the request's fault (forced by header, else sampled from the rules). Answers the error faults and resets at
 * once and returns false then; slow / stall / truncate are applied when answering.
 */
export function applyFault(ctx: Ctx, em: Emulation, route: FaultRoute): boolean {
  const forced = parseFaultHeader(ctx.req.headers["x-emulator-fault"]);
  if (typeof forced === "string") {
    detail(ctx, 400, forced);
    return false;
  }
  const bodiless = answersNoBody(ctx);
  let fault = forced && faultApplies(forced.kind, route, bodiless) ? forced : undefined;
  if (!forced && em.faultRules.length > 0) fault = sampleFault(em.faultRules, route, bodiless, em.settings.random);
  if (!fault) return true;
  em.stats.countFault(fault.kind);
  ctx.fault = fault;
  const error = ERROR_FAULTS[fault.kind];
  if (error) {
    const extra = fault.retryAfterSeconds !== undefined ? ["retry-after", String(fault.retryAfterSeconds)] : undefined;
    ctx.fault = undefined;
    detail(ctx, error.status, error.detail, extra);
    return false;
  }
  if (fault.kind === "reset") {
    ctx.responded = true;
    ctx.cut = "reset fault";
    ctx.req.socket.destroy();
    return false;
  }
  return true;
}

/**
 * A fault the prompt asked for (`[trickle]`), given to a result whose request got none from the header or the rules
 * (those win), and counted as they are (and, as they are, not on a HEAD, whose answer has no body to trickle).
 */
export function applyPromptFault(ctx: Ctx, em: Emulation, fault: Fault, route: FaultRoute): void {
  if (ctx.fault || !faultApplies(fault.kind, route, answersNoBody(ctx))) return;
  em.stats.countFault(fault.kind);
  ctx.fault = fault;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
