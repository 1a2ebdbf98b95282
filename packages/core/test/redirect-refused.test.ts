/**
 * A redirect the client refuses to follow (more than 5 hops, a Location that is no http(s) URL or carries credentials)
 * on a GET (a status read, a result's download, a watch's reads): final, as a POST's is. Another request would only
 * get the same redirect: it is sent once, whatever `maxRetries` or the wait's budget, and no watch is offered again.
 */
import { afterEach, describe, expect, it } from "vitest";
import { canWatchAgain, createDecartClient } from "../src/index.js";
import { instantDelay, json, serve, silent } from "./helpers.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A server that answers each request with a redirect (`to` its Location for the path, or none: a job's status). */
async function redirecting(to: (path: string) => string | undefined, status = 307) {
  const server = await serve((req, res) => {
    const location = to(req.url!);
    if (location) res.writeHead(status, { location }).end();
    else json(res, 200, { job_id: "job_x", status: "completed" });
  });
  closers.push(server.close);
  return server;
}

const client = (baseUrl: string, delay = instantDelay()) =>
  createDecartClient({ apiKey: "k", baseUrl, maxRetries: 2, logger: silent, poll: { delay } });

// Six hops within the server: /p0 → /p1 … → /p6 (the sixth is refused).
const sixHops = (path: string) => {
  const hop = /^\/p(\d)\//.exec(path);
  return hop ? path.replace(/^\/p\d/, `/p${+hop[1]! + 1}`) : undefined;
};

const refusals: [name: string, to: (path: string) => string | undefined, base: string, said: string, sent: number][] = [
  ["a 307 to an ftp: URL", () => "ftp://files.example/x?sig=s", "", "a redirect to ftp://files.example/x (HTTP 307", 1],
  ["a 307 to a data: URL", () => "data:text/plain,hi", "", "a redirect to data:text/plain,hi (HTTP 307", 1],
  [
    "a 307 to a URL with credentials",
    () => "http://user:pw@127.0.0.1:1/x",
    "",
    "a redirect to http://127.0.0.1:1/x (HTTP 307",
    1,
  ],
  ["six 307s within one origin", sixHops, "/p0", "more than 5 redirects (HTTP 307", 6],
];

describe("a redirect refused on a GET: final, sent once", () => {
  for (const [name, to, base, said, sent] of refusals) {
    it(`${name}, to a status read: retryable false, not retried (maxRetries 2)`, async () => {
      const server = await redirecting(to);
      const delay = instantDelay();
      const e = await client(server.url + base, delay)
        .queue.status("job_x")
        .catch((e) => e);
      expect(e).toMatchObject({ code: "INVALID_RESPONSE", status: 307, retryable: false, jobId: "job_x" });
      expect(e.message).toContain(said);
      expect(server.arrived()).toBe(sent);
      expect(delay.calls).toEqual([]);
      // Another watch would meet the same redirect.
      expect(canWatchAgain(e)).toBe(false);
    });
  }

  it("a result's download redirected to an ftp: URL: final, sent once", async () => {
    const server = await redirecting((path) => (path.endsWith("/content") ? "ftp://cdn.example/r.mp4" : undefined));
    const e = await client(server.url)
      .queue.result("job_x")
      .catch((e) => e);
    expect(e).toMatchObject({ code: "INVALID_RESPONSE", status: 307, retryable: false, jobId: "job_x" });
    expect(e.message).toContain("a redirect to ftp://cdn.example/r.mp4 (HTTP 307");
    expect(server.arrived()).toBe(1);
  });

  it("a watch (queue.wait) whose status read is refused ends at once with it, its budget not spent on retries", async () => {
    const server = await redirecting(() => "ftp://files.example/x");
    const delay = instantDelay();
    const e = await client(server.url, delay)
      .queue.wait("job_x", { timeoutMs: 600_000 })
      .catch((e) => e);
    expect(e).toMatchObject({ code: "INVALID_RESPONSE", status: 307, retryable: false, jobId: "job_x" });
    expect(server.arrived()).toBe(1);
    // The watch's first wait (before its first read), none after the refusal.
    expect(delay.calls.length).toBeLessThanOrEqual(1);
  });
});
