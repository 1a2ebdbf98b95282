import { createServer, type ServerResponse } from "node:http";

/**
 * A limit of `rateLimitedServer` that refuses the first `refuse` POSTs (reads counted with them under `limitReads`;
 * then takes every one), rather than those beyond a number a second: the first `together` of them (default 1: each as it
 * comes; at most `refuse`) held until all came, then answered at once (all sent before any answer), the others as they
 * come.
 */
export interface Refusals {
  refuse: number;
  together?: number | undefined;
}

/** What a `rateLimitedServer`'s 429 says, which requests it limits, and what it records. */
export interface RateLimitOptions {
  /** The 429's `Retry-After` (default `"1"`). */
  retryAfter?: string | undefined;
  /** The 429's `x-request-id` (default: none). */
  requestId?: string | undefined;
  /**
   * Whether any other request than a POST is limited too, counted with the POSTs (in the second, or among the first
   * `refuse`; default: never limited).
   */
  limitReads?: boolean | undefined;
  /** The clock of `seen.sentAt`, the time of each POST on it (default: none recorded). */
  now?: (() => number) | undefined;
}

/**
 * A gateway's rate limit on loopback, for the rate-limit gate's tests. `limit`: at most that many POSTs in each second
 * since the server started (a wall-clock second; 0 answers every one limited 429), or the first `refuse` POSTs refused
 * (`Refusals`). A POST let through makes a job (`job_` and its number); one over the limit gets 429 with `Retry-After:
 * 1` (or `retryAfter`). Any other request reads its job (the URL's last segment) as completed, unless `limitReads`.
 * Counts the requests that came, the jobs made and the 429s; `seen`: the POSTs that came, how many times each prompt was
 * sent (a word `input-N` of its body) and, with `now`, the time of each.
 */
export async function rateLimitedServer(
  limit: number | Refusals,
  { retryAfter = "1", requestId, limitReads = false, now }: RateLimitOptions = {},
) {
  const together = typeof limit === "number" ? 1 : (limit.together ?? 1);
  if (typeof limit !== "number" && together > limit.refuse)
    throw new RangeError(
      `rateLimitedServer: together (${together}) is more than refuse (${limit.refuse}): the requests held would wait ` +
        "for more refusals than come, never answered; give together at most refuse",
    );
  const seen = { posts: 0, prompts: new Map<string, number>(), sentAt: [] as number[] };
  let window = -1;
  let used = 0;
  let requests = 0;
  let made = 0;
  let limited = 0;
  let over429 = 0;
  const held: ServerResponse[] = [];
  const start = Date.now();
  /**
   * Whether the request that just came is over the limit (each limited one is counted: in its second, or among the
   * first `refuse`).
   */
  const over = (): boolean => {
    if (typeof limit !== "number") return ++used <= limit.refuse;
    const w = Math.floor((Date.now() - start) / 1000);
    if (w !== window) [window, used] = [w, 0];
    if (used >= limit) return true;
    used++;
    return false;
  };
  const server = createServer((req, res) => {
    requests++;
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      const read = req.method !== "POST";
      const completed = () => res.end(JSON.stringify({ job_id: req.url!.split("/").pop(), status: "completed" }));
      if (read && !limitReads) return completed();
      if (!read) {
        seen.posts++;
        const prompt = /input-\d+/.exec(body)?.[0];
        if (prompt) seen.prompts.set(prompt, (seen.prompts.get(prompt) ?? 0) + 1);
        if (now) seen.sentAt.push(now());
      }
      if (!over()) {
        if (read) return completed();
        return res.end(JSON.stringify({ job_id: `job_${String(++made).padStart(32, "0")}`, status: "pending" }));
      }
      held.push(res);
      if (++over429 < together) return;
      const headers = { "retry-after": retryAfter, ...(requestId !== undefined && { "x-request-id": requestId }) };
      for (const each of held.splice(0)) {
        limited++;
        each.writeHead(429, headers).end(JSON.stringify({ detail: "Rate limit exceeded" }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    /** Requests that came, of any method. */
    requests: () => requests,
    /** POSTs let through (jobs made). */
    made: () => made,
    /** Requests answered 429 (not those held until the first `together` came). */
    limited: () => limited,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
