import { createServer } from "node:http";

/** What a `rateLimitedServer`'s 429 says, and which requests it limits. */
export interface RateLimitOptions {
  /** The 429's `Retry-After` (default `"1"`). */
  retryAfter?: string;
  /** The 429's `x-request-id` (default: none). */
  requestId?: string;
  /** Whether any other request than a POST is limited too, counted with the POSTs (default: never limited). */
  limitReads?: boolean;
}

/**
 * A gateway's rate limit on loopback, for the rate-limit gate's tests: at most `perSecond` POSTs in each second since
 * the server started (a wall-clock second), each making a job (`job_` and its number); a POST beyond them gets 429 with
 * `Retry-After: 1` (or `retryAfter`). Any other request reads its job (the URL's last segment) as completed, unless
 * `limitReads`. Counts the requests that came, the jobs made and the 429s. `perSecond` 0 answers every one limited 429.
 */
export async function rateLimitedServer(
  perSecond: number,
  { retryAfter = "1", requestId, limitReads = false }: RateLimitOptions = {},
) {
  let window = -1;
  let used = 0;
  let requests = 0;
  let made = 0;
  let limited = 0;
  const start = Date.now();
  const server = createServer((req, res) => {
    requests++;
    req.resume();
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      const read = req.method !== "POST";
      const completed = () => res.end(JSON.stringify({ job_id: req.url!.split("/").pop(), status: "completed" }));
      if (read && !limitReads) {
        completed();
        return;
      }
      const w = Math.floor((Date.now() - start) / 1000);
      if (w !== window) [window, used] = [w, 0];
      if (used >= perSecond) {
        limited++;
        res
          .writeHead(429, { "retry-after": retryAfter, ...(requestId !== undefined && { "x-request-id": requestId }) })
          .end(JSON.stringify({ detail: "Rate limit exceeded" }));
        return;
      }
      used++;
      if (read) {
        completed();
        return;
      }
      res.end(JSON.stringify({ job_id: `job_${String(++made).padStart(32, "0")}`, status: "pending" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    /** Requests that came, of any method. */
    requests: () => requests,
    /** POSTs let through (jobs made). */
    made: () => made,
    /** POSTs answered 429. */
    limited: () => limited,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
