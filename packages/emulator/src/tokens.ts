/** `POST /v1/client/tokens`: short-lived `ek_…` keys acting for the key that made them, checked against the spec. */
import { createHmac, randomBytes } from "node:crypto";
import type { CreateTokenRequest, CreateTokenResponse } from "@decart/api";
import { isModelName, requestSchemas } from "@decart/api";
import type { Emulation } from "./emulation.js";
import { applyFault, authenticate, iso } from "./emulation.js";
import type { Ctx } from "./http.js";
import { detail, invalid, json, readSmallBody } from "./http.js";
import { runs } from "./models.js";
import { MAX_JSON_DEPTH, pyJsonLoads } from "./pyjson.js";
import type { JsonSchema, ValidationIssue } from "./validation.js";
import { issue, validateJson } from "./validation.js";

const TOKEN_SCHEMA = requestSchemas.CreateTokenRequest as unknown as JsonSchema;
/** Signs the JWT-shaped `token` of the answer (random per process: nothing verifies it but the shape). */
const TOKEN_SECRET = randomBytes(32);

/**
 * Whether FastAPI reads a body of this `Content-Type` as JSON (fastapi/routing.py, since 0.65.2): when none is given,
 * or its type is `application/json` or `application/…+json`. The type is read as Python's `email.message` reads it:
 * before any `;`, trimmed, in lower case, and `text/plain` unless it has exactly one `/`. Any other body is handed
 * to the model as bytes, which it does not take: 422 `model_attributes_type`.
 */
export function readsAsJson(contentType: string | undefined): boolean {
  if (!contentType) return true;
  const parts = contentType.split(";")[0]!.trim().toLowerCase().split("/");
  return parts.length === 2 && parts[0] === "application" && (parts[1] === "json" || parts[1]!.endsWith("+json"));
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * UTF-8 as Python decodes it with `surrogatepass`: strictly, but a surrogate encoded on its own (ED A0..BF 80..BF) is
 * that UTF-16 code unit. Undefined when the bytes are not UTF-8.
 */
function utf8(bytes: Uint8Array): string | undefined {
  let out = "";
  let start = 0;
  try {
    for (let i = bytes.indexOf(0xed); i >= 0 && i + 2 < bytes.length; i = bytes.indexOf(0xed, i + 1)) {
      const b1 = bytes[i + 1]!;
      const b2 = bytes[i + 2]!;
      if (b1 < 0xa0 || b1 > 0xbf || (b2 & 0xc0) !== 0x80) continue;
      out += UTF8.decode(bytes.subarray(start, i)) + String.fromCharCode(0xd000 | ((b1 & 0x3f) << 6) | (b2 & 0x3f));
      start = i + 3;
      i += 2;
    }
    return out + UTF8.decode(bytes.subarray(start));
  } catch {
    return undefined;
  }
}

/** UTF-16 (`le`: little-endian) with `surrogatepass`: every code unit as it is; undefined for an odd length. */
function utf16(bytes: Buffer, le: boolean): string | undefined {
  if (bytes.length % 2 !== 0) return undefined;
  return (le ? bytes : Buffer.from(bytes).swap16()).toString("utf16le");
}

/** UTF-32 with `surrogatepass`; undefined for a length not a multiple of 4 or a code point beyond U+10FFFF. */
function utf32(bytes: Buffer, le: boolean): string | undefined {
  if (bytes.length % 4 !== 0) return undefined;
  let out = "";
  for (let i = 0; i < bytes.length; i += 4) {
    const c = le ? bytes.readUInt32LE(i) : bytes.readUInt32BE(i);
    if (c > 0x10ffff) return undefined;
    out += c >= 0xd800 && c <= 0xdfff ? String.fromCharCode(c) : String.fromCodePoint(c);
  }
  return out;
}

/**
 * The text of a JSON body, decoded as Python's `json.loads` decodes bytes (which Starlette's `Request.json()` hands
 * it): in UTF-8, UTF-16 or UTF-32, told by a byte order mark (dropped; a UTF-8 one too) or else by the zero bytes of
 * the first characters, with `surrogatepass`. Undefined when the bytes are not in that encoding, which FastAPI answers
 * 400 `There was an error parsing the body`.
 */
export function jsonText(raw: Buffer): string | undefined {
  const starts = (...bytes: number[]) => bytes.every((b, i) => raw[i] === b);
  if (starts(0x00, 0x00, 0xfe, 0xff)) return utf32(raw.subarray(4), false);
  if (starts(0xff, 0xfe, 0x00, 0x00)) return utf32(raw.subarray(4), true);
  if (starts(0xfe, 0xff)) return utf16(raw.subarray(2), false);
  if (starts(0xff, 0xfe)) return utf16(raw.subarray(2), true);
  if (starts(0xef, 0xbb, 0xbf)) return utf8(raw.subarray(3));
  if (raw.length >= 4) {
    if (raw[0] === 0) return raw[1] ? utf16(raw, false) : utf32(raw, false);
    if (raw[1] === 0) return raw[2] || raw[3] ? utf16(raw, true) : utf32(raw, true);
  } else if (raw.length === 2) {
    if (raw[0] === 0) return utf16(raw, false);
    if (raw[1] === 0) return utf16(raw, true);
  }
  return utf8(raw);
}

const NOT_AN_OBJECT = "Input should be a valid dictionary or object to extract fields from";

/**
 * Parses and checks the body as FastAPI does (fastapi/routing.py): an empty body is none (the defaults); a body of
 * another type than JSON is bytes, refused (422); JSON bytes that do not decode, JSON nested past what Python's
 * json reads, or an integer of more digits than Python's int() reads, answer 400, JSON that does not parse 422
 * `json_invalid` (read as Python reads it: pyjson.ts). Returns the request, or undefined once answered. An integer
 * beyond 2^53 is a bigint (pyjson.ts), checked and echoed exactly.
 */
function readRequest(ctx: Ctx, raw: Buffer): CreateTokenRequest | undefined {
  let value: unknown = {};
  if (raw.length > 0) {
    if (!readsAsJson(ctx.req.headers["content-type"])) {
      invalid(ctx, [issue(["body"], "model_attributes_type", NOT_AN_OBJECT, raw.toString("utf8"))]);
      return undefined;
    }
    const text = jsonText(raw);
    if (text === undefined) {
      detail(ctx, 400, "There was an error parsing the body");
      return undefined;
    }
    const read = pyJsonLoads(text, MAX_JSON_DEPTH);
    if (read.kind === "too-deep" || read.kind === "too-many-digits") {
      detail(ctx, 400, "There was an error parsing the body");
      return undefined;
    }
    if (read.kind === "error") {
      invalid(ctx, [issue(["body", read.pos], "json_invalid", "JSON decode error", {}, { error: read.msg })]);
      return undefined;
    }
    value = read.value;
  }
  if (value === null) value = {};
  if (typeof value !== "object" || Array.isArray(value)) {
    invalid(ctx, [issue(["body"], "model_attributes_type", NOT_AN_OBJECT, value)]);
    return undefined;
  }
  const issues: ValidationIssue[] = [];
  // The request as pydantic validates it (lax: `"60"` and `true` are integers), checked and taken as it read it.
  // allowedModels is a list of strings, as the spec has it: a name of no model is taken, and allows nothing.
  const request = validateJson(TOKEN_SCHEMA, value, ["body"], issues) as CreateTokenRequest;
  if (issues.length > 0) {
    invalid(ctx, issues);
    return undefined;
  }
  return request;
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
  // Kept as the models that run, so that a token for an alias works on its target and the other way round; a name
  // of no model (or a retired one) is answered before any token is read, so only the catalogue's names are kept.
  const allowed = body.allowedModels?.filter(isModelName).map(runs);
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
