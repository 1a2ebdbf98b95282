/**
 * The admin routes under `/_emulator/`, outside the public spec: stats (counters, and a page of the job list on
 * request), one job's record, fault rules and the stats reset. They take the admin token and never send CORS headers.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Emulation } from "./emulation.js";
import { normaliseRules } from "./faults.js";
import type { Ctx } from "./http.js";
import { detail, json, methodNotAllowed, noContent, notFound, pathId, readSmallBody } from "./http.js";
import type { Match } from "./routes.js";
import { pageOf } from "./state.js";
import type { JobPage } from "./types.js";

/** What the admin routes act on, beyond the shared state. */
export interface Admin {
  /** SHA-256 of the admin token. */
  tokenHash: Buffer;
  snapshot(page?: JobPage): unknown;
  job(id: string): unknown;
  /** Ends a `[hold]` job now (see `release` in state.ts). */
  release(id: string): boolean;
  resetStats(): void;
}

/**
 * What an admin token may be: what `Authorization: Bearer <token>` carries as one word, as it was sent (visible ASCII,
 * no spaces). A line break, a space or a character beyond ASCII could never be sent and matched.
 */
const ADMIN_TOKEN_SAFE = /^[\x21-\x7e]+$/;

/** Why `token` cannot be the admin token (without showing it: it is a secret), or undefined when it can. */
export function adminTokenProblem(token: unknown): string | undefined {
  if (typeof token === "string" && ADMIN_TOKEN_SAFE.test(token)) return undefined;
  const got =
    typeof token !== "string"
      ? `a ${token === null ? "null" : typeof token}`
      : token === ""
        ? "an empty string"
        : "a string with a space, a control character or a character beyond ASCII";
  return `must be a non-empty string that Authorization: Bearer <token> carries as one word: visible ASCII, no spaces (got ${got})`;
}

export function hashToken(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}

/** `Authorization: Bearer <admin token>`; anything else answers 401. */
function allowed(ctx: Ctx, admin: Admin): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(ctx.req.headers.authorization ?? "")?.[1];
  if (given !== undefined && timingSafeEqual(hashToken(given), admin.tokenHash)) return true;
  detail(ctx, 401, "Admin routes need the emulator's admin token: send Authorization: Bearer <adminToken>.", [
    "www-authenticate",
    "Bearer",
  ]);
  return false;
}

/**
 * `?jobs` (or `?offset=` / `?limit=`) asks for a page of the job list. Each number is written in digits and given once,
 * as fault values are (digits however many: beyond 2^53−1, as a number, they are 2^53−1), then checked as `stats(page)`
 * checks it (pageOf; a limit over the page's maximum is that maximum); anything else is the message of a 422, naming
 * the parameter.
 */
function pageQuery(query: URLSearchParams): JobPage | string | undefined {
  if (!query.has("jobs") && !query.has("offset") && !query.has("limit")) return undefined;
  const page: JobPage = {};
  for (const name of ["offset", "limit"] as const) {
    const values = query.getAll(name);
    if (values.length === 0) continue;
    if (values.length > 1 || !/^[0-9]+$/.test(values[0]!)) {
      return `Bad page: ${name} must be a whole number written in digits, given once (got ${JSON.stringify(values.length > 1 ? values : values[0]).slice(0, 200)})`;
    }
    page[name] = Math.min(Number(values[0]), Number.MAX_SAFE_INTEGER);
  }
  try {
    pageOf(page, "");
  } catch (err) {
    return `Bad page: ${(err as Error).message}`;
  }
  return page;
}

/** Answers an admin request, matched in the admin table (routes.ts), once its token is checked. */
export async function handleAdmin(ctx: Ctx, em: Emulation, admin: Admin, match: Match, query: string): Promise<void> {
  if (!allowed(ctx, admin)) return;
  if (match.kind === "not-found") return notFound(ctx);
  if (match.kind === "method") return methodNotAllowed(ctx, match.allow);
  switch (match.endpoint) {
    case "admin-stats": {
      const page = pageQuery(new URLSearchParams(query));
      if (typeof page === "string") return detail(ctx, 422, page);
      return json(ctx, 200, admin.snapshot(page));
    }
    case "admin-release": {
      const id = pathId(ctx, match.param ?? "", "job_id");
      if (id === undefined) return;
      if (!admin.job(id)) return detail(ctx, 404, "Job not found");
      if (!admin.release(id)) return detail(ctx, 409, "Job is not held: no [hold] in its prompt, or it has ended.");
      return json(ctx, 200, admin.job(id));
    }
    case "admin-job": {
      const id = pathId(ctx, match.param ?? "", "job_id");
      if (id === undefined) return;
      const record = admin.job(id);
      return record ? json(ctx, 200, record) : detail(ctx, 404, "Job not found");
    }
    case "admin-reset-stats":
      admin.resetStats();
      ctx.counted = false;
      return noContent(ctx);
    case "admin-faults-read":
      return json(ctx, 200, em.faultRules);
    case "admin-faults-set": {
      const raw = await readSmallBody(ctx);
      if (raw === undefined) return;
      try {
        em.faultRules = normaliseRules(JSON.parse(raw.toString("utf8") || "[]"));
      } catch (err) {
        return detail(ctx, 422, `Bad fault rules: ${(err as Error).message}`);
      }
      return json(ctx, 200, em.faultRules);
    }
    default:
      return notFound(ctx);
  }
}
