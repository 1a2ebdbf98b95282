/**
 * API keys and client tokens. Keys are stored by their SHA-256; a presented key is hashed, looked up, and the
 * stored hash compared with crypto.timingSafeEqual. Client tokens (`ek_…`) act for the key that created them. A token
 * carries its expiry, signed by the store (random bytes, the expiry, an HMAC), so that an expired one is told
 * expired however long ago it was dropped from memory.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export interface Principal {
  /** Ownership identity: the API key's id; a client token shares the id of the key that created it. */
  accountId: string;
  /** True for `ek_…` client tokens, and for keys given with that prefix in any letter case. */
  isClientToken: boolean;
  /** ms since epoch; client tokens only. */
  expiresAt?: number;
  /** Models a client token may use; undefined = all. */
  allowedModels?: ReadonlySet<string>;
  /** Origins a client token may be used from; undefined = all. */
  allowedOrigins?: ReadonlySet<string>;
  hash: Buffer;
}

/**
 * Characters of `allowedOrigins` that live client tokens may hold in all (about 16 MiB), whatever their number, unless
 * `maxClientTokenOriginChars` says otherwise.
 */
export const MAX_TOKEN_ORIGIN_CHARS = 16 * 1024 * 1024;

const EXPIRED = "Client token expired.";
/** Bytes of a client token after `ek_`: 18 random, 6 of expiry, 9 of HMAC. */
const KEY_BYTES = 33;

export type AuthResult = { ok: true; principal: Principal } | { ok: false; detail: string };

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/**
 * The keys, and the live client tokens, held within bounds: at most `maxTokens` tokens, whose `allowedOrigins` hold at
 * most `maxOriginChars` characters in all (a token request beyond them answers 429; one whose own origins are more
 * than that, 413).
 */
export class KeyStore {
  private readonly byHash = new Map<string, Principal>();
  private tokensSinceSweep = 0;
  /** The keys in `byHash` (the rest are live tokens). */
  private readonly keyCount: number;
  private originChars = 0;
  /** Signs the expiry a token carries (random per store). */
  private readonly signing = randomBytes(32);

  constructor(
    keys: readonly string[],
    private readonly maxTokens: number,
    private readonly maxOriginChars: number = MAX_TOKEN_ORIGIN_CHARS,
  ) {
    // A key given with a client token's prefix, in any letter case as the client reads it (`ek_…`, `EK_…`), is one:
    // it never expires, and cannot create tokens (the API's own are all lower case).
    keys.forEach((key, i) => {
      const hash = sha256(key);
      this.byHash.set(hash.toString("base64"), { accountId: `key${i}`, isClientToken: /^ek_/i.test(key), hash });
    });
    this.keyCount = this.byHash.size;
  }

  /** Authenticates the value of an X-API-KEY header. */
  authenticate(header: string | string[] | undefined, now: number): AuthResult {
    if (header === undefined || header === "") return { ok: false, detail: "Missing API key: send it in X-API-KEY." };
    if (typeof header !== "string") return { ok: false, detail: "Invalid API key." };
    const hash = sha256(header);
    const found = this.byHash.get(hash.toString("base64"));
    if (!found || !timingSafeEqual(found.hash, hash)) {
      // A token of this store that has expired and been dropped since: still told expired.
      const expiresAt = this.signedExpiry(header);
      if (expiresAt !== undefined && now >= expiresAt) return { ok: false, detail: EXPIRED };
      return { ok: false, detail: "Invalid API key." };
    }
    if (found.expiresAt !== undefined && now >= found.expiresAt) {
      this.drop(hash.toString("base64"), found);
      return { ok: false, detail: EXPIRED };
    }
    return { ok: true, principal: found };
  }

  /**
   * Creates an `ek_…` client token acting for `parent` when it fits within the bounds; else the time (ms) until the
   * live token that expires first is gone, a finite time: a token whose origins alone are over the bound, which no
   * expiry would ever make room for, is `tooLarge` (its origins' characters).
   */
  createToken(
    parent: Principal,
    now: number,
    expiresInSeconds: number,
    allowedModels: readonly string[] | undefined,
    allowedOrigins: readonly string[] | undefined,
  ): { apiKey: string; expiresAt: number } | { retryAfterMs: number } | { tooLarge: number } {
    const origins = allowedOrigins && new Set(allowedOrigins);
    const chars = originChars(origins);
    if (chars > this.maxOriginChars) return { tooLarge: chars };
    // With the store empty of tokens, a token fits (maxTokens is at least 1): when it does not, one is live, and the
    // time until the first expires is finite.
    const fits = () =>
      this.byHash.size - this.keyCount < this.maxTokens && this.originChars + chars <= this.maxOriginChars;
    // Expired tokens are dropped now and then (creating many must not grow memory), and when they are in the way.
    if (++this.tokensSinceSweep >= 256 || !fits()) {
      const first = this.sweep(now);
      if (!fits()) return { retryAfterMs: first - now };
    }
    const expiresAt = now + expiresInSeconds * 1000;
    const apiKey = this.signedKey(expiresAt);
    const hash = sha256(apiKey);
    const token: Principal = {
      accountId: parent.accountId,
      isClientToken: true,
      expiresAt,
      ...(allowedModels ? { allowedModels: new Set(allowedModels) } : {}),
      ...(origins ? { allowedOrigins: origins } : {}),
      hash,
    };
    this.byHash.set(hash.toString("base64"), token);
    this.originChars += chars;
    return { apiKey, expiresAt };
  }

  /** Drops the expired tokens; returns when the live token that expires first expires (Infinity when none). */
  private sweep(now: number): number {
    this.tokensSinceSweep = 0;
    let first = Number.POSITIVE_INFINITY;
    for (const [k, p] of this.byHash) {
      if (p.expiresAt === undefined) continue;
      if (now >= p.expiresAt) this.drop(k, p);
      else first = Math.min(first, p.expiresAt);
    }
    return first;
  }

  /** `ek_` + base64url(18 random bytes, the expiry in ms as 6 bytes, the first 9 bytes of their HMAC). */
  private signedKey(expiresAt: number): string {
    const body = Buffer.alloc(KEY_BYTES);
    randomBytes(18).copy(body, 0);
    body.writeUIntBE(Math.min(expiresAt, 2 ** 48 - 1), 18, 6);
    this.mac(body.subarray(0, 24)).copy(body, 24);
    return `ek_${body.toString("base64url")}`;
  }

  /**
   * The expiry a token of this store carries (undefined for any other key). Its prefix as made, lower case: a key is a
   * secret, compared as sent, so `EK_` and the same characters are no key of this store, expired or not.
   */
  private signedExpiry(key: string): number | undefined {
    if (!key.startsWith("ek_") || key.length !== 3 + Math.ceil((KEY_BYTES * 4) / 3)) return undefined;
    const body = Buffer.from(key.slice(3), "base64url");
    if (body.length !== KEY_BYTES || body.toString("base64url") !== key.slice(3)) return undefined;
    if (!timingSafeEqual(this.mac(body.subarray(0, 24)), body.subarray(24))) return undefined;
    return body.readUIntBE(18, 6);
  }

  private mac(bytes: Buffer): Buffer {
    return createHmac("sha256", this.signing).update(bytes).digest().subarray(0, 9);
  }

  private drop(k: string, token: Principal): void {
    if (!this.byHash.delete(k)) return;
    this.originChars -= originChars(token.allowedOrigins);
  }
}

function originChars(origins: ReadonlySet<string> | undefined): number {
  let n = 0;
  for (const o of origins ?? []) n += o.length;
  return n;
}
