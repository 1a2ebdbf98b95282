/** Purpose-built servers that several tests share: each answers every request alike. */
import { type Loopback, listenOnLoopback } from "./helpers.js";

/** A loopback server (see `listenOnLoopback`) and the requests it answered, `METHOD path` each, in order. */
export interface AnsweringAll extends Loopback {
  /** Emptied by a test as it starts (`requests.length = 0`). */
  requests: string[];
}

/**
 * A server on loopback that answers every request, once its body is in, with `status`, `headers` (and a JSON content
 * type) and `body` as JSON, and records it in `requests`.
 */
export async function answeringAll(
  status: number,
  headers: Record<string, string>,
  body: unknown,
): Promise<AnsweringAll> {
  const requests: string[] = [];
  const server = await listenOnLoopback((req, res) => {
    req.resume();
    req.on("end", () => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    });
  });
  return Object.assign(server, { requests });
}

/**
 * Every request answered 429 with `Retry-After: <seconds>` (whole seconds, as the header is) and `x-request-id:
 * req_limited`.
 */
export const rateLimited = (seconds: number): Promise<AnsweringAll> =>
  answeringAll(429, { "retry-after": String(seconds), "x-request-id": "req_limited" }, { detail: "Too many requests" });
