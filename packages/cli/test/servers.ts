/** Purpose-built servers that several tests share: each answers every request alike. */
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { events, KEY, type Loopback, listenOnLoopback, run, tempDir } from "./helpers.js";

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

/**
 * A `rateLimited(seconds)` server and a temporary directory for the tests of one file: started before them, closed and
 * removed after; the server's `requests` emptied before each test. `assign` receives them once they are there (the
 * file keeps them in its own variables: `useRateLimited(2, (f) => ({ server, dir } = f))`).
 */
export function useRateLimited(seconds: number, assign: (fixture: { server: AnsweringAll; dir: string }) => void) {
  let server: AnsweringAll | undefined;
  const temp = tempDir();
  beforeAll(async () => {
    server = await rateLimited(seconds);
    assign({ server, dir: temp.dir });
  });
  beforeEach(() => {
    server!.requests.length = 0;
  });
  afterAll(async () => {
    await server?.close();
    temp.remove();
  });
}

/**
 * `decart <args> --timeout <timeout>` against `server` with `KEY`, a journal in `dir` named by the command's second
 * word and `env` besides: it exits 1 after one request, not sent again. Its last event (the error).
 */
export async function failedAfterOneRequest(
  server: AnsweringAll,
  dir: string,
  args: string[],
  timeout: string,
  env: Record<string, string> = {},
) {
  const { code, stdout, stderr } = await run([...args, "--timeout", timeout], {
    env: { DECART_API_KEY: KEY, DECART_BASE_URL: server.url, DECART_JOURNAL: join(dir, `${args[1]}.jsonl`), ...env },
    cwd: dir,
  });
  expect(code, stderr).toBe(1);
  expect(server.requests).toHaveLength(1);
  return events(stdout).at(-1)!;
}
