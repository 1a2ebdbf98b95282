/** `POST /v1/client/tokens`: short-lived `ek_…` keys acting for the key that made them, checked against the spec. */
import { createHmac, randomBytes } from "node:crypto";
import type { CreateTokenRequest, CreateTokenResponse } from "@decart/api";
import { requestSchemas } from "@decart/api";
import type { Emulation } from "./emulation.js";
import { applyFault, authenticate, iso } from "./emulation.js";
import type { Ctx } from "./http.js";
import { detail, invalid, json, readSmallBody } from "./http.js";
import { runs, unknownModel } from "./models.js";
import type { JsonSchema, ValidationIssue } from "./validation.js";
import { issue, validateJson } from "./validation.js";

const TOKEN_SCHEMA = requestSchemas.CreateTokenRequest as unknown as JsonSchema;
/** JSON bodies nest at most this deep (the spec's deepest is 3); deeper ones answer 422, never a stack overflow. */
export const MAX_JSON_DEPTH = 32;
/** Signs the JWT-shaped `token` of the answer (random per process: nothing verifies it but the shape). */
const TOKEN_SECRET = randomBytes(32);

/** True when `value` nests arrays / objects deeper than `max` (checked without recursion). */
export function depthOver(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (depth >= max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Parses and checks the body: the request, or undefined once 422 is answered. */
function readRequest(ctx: Ctx, raw: Buffer): CreateTokenRequest | undefined {
  const text = raw.toString("utf8");
  let value: unknown = {};
  if (text.trim() !== "") {
    try {
      value = JSON.parse(text);
    } catch (err) {
      const message = (err as Error).message;
      const at = /position (\d+)/.exec(message);
      invalid(ctx, [
        issue(["body", at ? Number(at[1]) : 0], "json_invalid", "JSON decode error", {}, { error: message }),
      ]);
      return undefined;
    }
  }
  if (value === null) value = {};
  if (typeof value !== "object" || Array.isArray(value)) {
    const msg = "Input should be a valid dictionary or object to extract fields from";
    invalid(ctx, [issue(["body"], "model_attributes_type", msg, value)]);
    return undefined;
  }
  if (depthOver(value, MAX_JSON_DEPTH)) {
    invalid(ctx, [issue(["body"], "value_error", `Value error, JSON nested deeper than ${MAX_JSON_DEPTH} levels`)]);
    return undefined;
  }
  const issues: ValidationIssue[] = [];
  validateJson(TOKEN_SCHEMA, value, ["body"], issues);
  const models = (value as CreateTokenRequest).allowedModels;
  if (issues.length === 0 && models) {
    models.forEach((name, i) => {
      const why = unknownModel(name);
      if (why) issues.push(issue(["body", "allowedModels", i], "value_error", `Value error, ${why}`, name));
    });
  }
  if (issues.length > 0) {
    invalid(ctx, issues);
    return undefined;
  }
  return value as CreateTokenRequest;
}

export async function handleTokens(ctx: Ctx, em: Emulation): Promise<void> {
  const principal = authenticate(ctx, em);
  if (!principal) return;
  if (principal.isClientToken) return detail(ctx, 403, "Cannot create client token from a client token.");
  if (!applyFault(ctx, em, "tokens")) return;
  const raw = await readSmallBody(ctx);
  if (raw === undefined) return;
  const body = readRequest(ctx, raw);
  if (!body) return;
  const expiresIn = body.expiresIn ?? (TOKEN_SCHEMA.properties?.expiresIn?.default as number | undefined) ?? 60;
  // Kept as the models that run, so that a token for an alias works on its target and the other way round.
  const allowed = body.allowedModels?.map(runs);
  const created = em.keys.createToken(principal, em.settings.now(), expiresIn, allowed, body.allowedOrigins);
  const { maxClientTokens, maxClientTokenOriginChars } = em.settings;
  if ("tooLarge" in created) {
    return detail(
      ctx,
      413,
      `allowedOrigins of ${created.tooLarge} characters can never fit: live client tokens hold at most ` +
        `${maxClientTokenOriginChars} characters of allowedOrigins in all (maxClientTokenOriginChars).`,
    );
  }
  if ("retryAfterMs" in created) {
    const seconds = Math.max(1, Math.ceil(created.retryAfterMs / 1000));
    return detail(
      ctx,
      429,
      `The emulator keeps at most ${maxClientTokens} live client tokens (maxClientTokens), their allowedOrigins at ` +
        `most ${maxClientTokenOriginChars} characters in all (maxClientTokenOriginChars); the next one expires in ${seconds} s.`,
      ["retry-after", String(seconds)],
    );
  }
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
  const signature = createHmac("sha256", TOKEN_SECRET).update(`${header}.${payload}`).digest("base64url");
  const answer: CreateTokenResponse = {
    apiKey: created.apiKey,
    token: `${header}.${payload}.${signature}`,
    expiresAt: iso(created.expiresAt),
    permissions,
    constraints: (body.constraints ?? null) as CreateTokenResponse["constraints"],
  };
  json(ctx, 200, answer);
}
