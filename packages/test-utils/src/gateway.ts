import { createServer } from "node:http";

/**
 * A gateway's rate limit on loopback, for the rate-limit gate's tests: at most `perSecond` POSTs in each second since
 * the server started (a wall-clock second), each making a job (`job_` and its number); a POST beyond them gets 429 with
 * `Retry-After: 1`. Any other request reads its job (the URL's last segment) as completed. Counts the requests that
 * came, the jobs made and the 429s.
 */
export async function rateLimitedServer(perSecond: number) {
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
      if (req.method !== "POST") {
        res.end(JSON.stringify({ job_id: req.url!.split("/").pop(), status: "completed" }));
        return;
      }
      const w = Math.floor((Date.now() - start) / 1000);
      if (w !== window) [window, used] = [w, 0];
      if (used >= perSecond) {
        limited++;
        res.writeHead(429, { "retry-after": "1" }).end(JSON.stringify({ detail: "Rate limit exceeded" }));
        return;
      }
      used++;
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
