/**
 * API keys and client tokens. Keys are stored by their SHA-256; a presented key is hashed, looked up, and the
 * stored hash compared with crypto.timingSafeEqual. Client tokens (`ek_…`) act for the key that created them.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export interface Principal {
  /** Ownership identity: the API key's id; a client token shares the id of the key that created it. */
  accountId: string;
  /** True for `ek_…` client tokens. */
  isClientToken: boolean;
  /** ms since epoch; client tokens only. */
  expiresAt?: number;
  /** Models a client token may use; undefined = all. */
  allowedModels?: ReadonlySet<string>;
  /** Origins a client token may be used from; undefined = all. */
  allowedOrigins?: ReadonlySet<string>;
  hash: Buffer;
}

export type AuthResult = { ok: true; principal: Principal } | { ok: false; detail: string };

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

export class KeyStore {
  private readonly byHash = new Map<string, Principal>();
  private tokensSinceSweep = 0;

  constructor(keys: readonly string[]) {
    keys.forEach((key, i) => {
      const hash = sha256(key);
      this.byHash.set(hash.toString("base64"), { accountId: `key${i}`, isClientToken: false, hash });
    });
  }

  /** Authenticates the value of an X-API-KEY header. */
  authenticate(header: string | string[] | undefined, now: number): AuthResult {
    if (header === undefined || header === "") return { ok: false, detail: "Missing API key: send it in X-API-KEY." };
    if (typeof header !== "string") return { ok: false, detail: "Invalid API key." };
    const hash = sha256(header);
    const found = this.byHash.get(hash.toString("base64"));
    if (!found || !timingSafeEqual(found.hash, hash)) return { ok: false, detail: "Invalid API key." };
    if (found.expiresAt !== undefined && now >= found.expiresAt) {
      this.byHash.delete(hash.toString("base64"));
      return { ok: false, detail: "Client token expired." };
    }
    return { ok: true, principal: found };
  }

  /** Creates an `ek_…` client token acting for `parent`. */
  createToken(
    parent: Principal,
    now: number,
    expiresInSeconds: number,
    allowedModels: readonly string[] | undefined,
    allowedOrigins: readonly string[] | undefined,
  ): { apiKey: string; expiresAt: number } {
    this.sweep(now);
    const apiKey = `ek_${randomBytes(24).toString("base64url")}`;
    const hash = sha256(apiKey);
    const expiresAt = now + expiresInSeconds * 1000;
    this.byHash.set(hash.toString("base64"), {
      accountId: parent.accountId,
      isClientToken: true,
      expiresAt,
      ...(allowedModels ? { allowedModels: new Set(allowedModels) } : {}),
      ...(allowedOrigins ? { allowedOrigins: new Set(allowedOrigins) } : {}),
      hash,
    });
    return { apiKey, expiresAt };
  }

  /** Drops expired tokens now and then, so that creating many tokens does not grow memory. */
  private sweep(now: number): void {
    if (++this.tokensSinceSweep < 256) return;
    this.tokensSinceSweep = 0;
    for (const [k, p] of this.byHash) if (p.expiresAt !== undefined && now >= p.expiresAt) this.byHash.delete(k);
  }
}
