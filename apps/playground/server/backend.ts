/**
 * What the page talks to besides the API: `GET /api/config` (the API's base URL) and `POST /api/token` (a
 * short-lived client token minted server-side with the long-lived key, which never leaves this process, by
 * `createTokenRoute` of `@decart/core/server`). Both are Fetch-API handlers, mounted on Vite's dev and preview
 * servers by `plugin.ts`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { createTokenRoute } from "@decart/core/server";
import { type Emulator, type EmulatorOptions, startEmulator } from "@decart/emulator";

/** A route in the Fetch-API shape (Next.js route handlers, Hono, Remix and Node adapters take it as is). */
export type FetchHandler = (request: Request) => Promise<Response>;

/** Seconds a client token lives. */
export const TOKEN_SECONDS = 120;

export interface PlaygroundConfig {
  /** Where the page sends API requests (with a client token). */
  baseUrl: string;
}

export interface BackendOptions {
  /** An emulator to use (the caller closes it); by default one is started on loopback and closed with the backend. */
  emulator?: Emulator;
  /** Options of the emulator started when none is given. */
  emulatorOptions?: EmulatorOptions;
}

export interface Backend {
  emulator: Emulator;
  routes: Record<string, FetchHandler>;
  close(): Promise<void>;
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });

/**
 * Only the page itself gets tokens: a request must come from the origin it is sent to (a browser sends `Origin` with
 * every POST; another site's page, or a tool that sends none, is refused). A real app checks the user's session here.
 */
export const sameOrigin = (request: Request): boolean => request.headers.get("origin") === new URL(request.url).origin;

/** Starts (or adopts) the emulator and makes the page's two routes. */
export async function startBackend(options: BackendOptions = {}): Promise<Backend> {
  const own = !options.emulator;
  const emulator = options.emulator ?? (await startEmulator({ timing: "fast", ...options.emulatorOptions }));
  const config: PlaygroundConfig = { baseUrl: emulator.url };
  return {
    emulator,
    routes: {
      "/api/config": async () => json(config),
      "/api/token": createTokenRoute({
        apiKey: emulator.apiKey,
        baseUrl: emulator.url,
        expiresIn: TOKEN_SECONDS,
        authorize: sameOrigin,
      }),
    },
    close: async () => {
      if (own) await emulator.close();
    },
  };
}

/** Answers a Node request with a Fetch-API handler. */
export async function serveFetch(handler: FetchHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const request = new Request(url, {
    method: req.method ?? "GET",
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
  } as RequestInit);
  let response: Response;
  try {
    response = await handler(request);
  } catch (error) {
    response = json({ detail: `The route failed: ${(error as Error).message}` }, 502);
  }
  res.statusCode = response.status;
  response.headers.forEach((value, name) => {
    res.setHeader(name, value);
  });
  res.end(Buffer.from(await response.arrayBuffer()));
}
