/**
 * Client tokens for the browser: fetched from the page's own server (`POST /api/token`), which mints them with the
 * long-lived key it keeps. A token is reused until shortly before it expires, then a new one is fetched.
 */
import { apiKeyHeader } from "@decart/api";

interface Token {
  apiKey: string;
  expiresAt: number;
}

/** How long before its expiry a token is replaced. */
const MARGIN_MS = 15_000;

export function tokenSource(url = "/api/token"): () => Promise<string> {
  let current: Promise<Token> | undefined;
  const mint = async (): Promise<Token> => {
    const res = await fetch(url, { method: "POST" });
    if (!res.ok) throw new Error(`The token route answered ${res.status}`);
    const body = (await res.json()) as { apiKey: string; expiresAt: string };
    return { apiKey: body.apiKey, expiresAt: Date.parse(body.expiresAt) };
  };
  return async () => {
    const token = current && (await current.catch(() => undefined));
    if (token && token.expiresAt - MARGIN_MS > Date.now()) return token.apiKey;
    current = mint();
    return (await current).apiKey;
  };
}

/** A `fetch` that sends each API request with a fresh client token. */
export function fetchWithToken(token: () => Promise<string>): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    request.headers.set(apiKeyHeader, await token());
    return fetch(request);
  };
}
