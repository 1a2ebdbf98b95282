/**
 * How long a command may take: `--timeout` bounds `image`, `jobs status` and `jobs result` as it bounds `video` and
 * `jobs wait`, and a 429 whose `Retry-After` is more than the CLI waits says how long the server asked for. Against a
 * server made for it: one that never answers, one whose result trickles in, one that answers 429.
 */
import { readdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { events, KEY, run, tempDir } from "./helpers.js";

const JOB = "job_0123456789abcdef0123456789abcdef";

let server: Server;
let base: string;
let root: string;
let remove: () => void;
/** The requests the server has had (`METHOD path`), reset before each test. */
let requests: string[] = [];

/**
 * The first segment of the path is the mode, the rest the API's path: `hang` never answers; `trickle` answers a job as
 * completed and its result one byte at a time, each in time (never a stall), far slower than any test waits;
 * `ra~<value>` answers every request 429 with `Retry-After: <value>`.
 */
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    const [, mode = "", ...rest] = (req.url ?? "").split("/");
    const path = `/${rest.join("/")}`;
    requests.push(`${req.method} ${path}`);
    if (mode === "hang") return;
    if (mode.startsWith("ra~")) {
      res.writeHead(429, { "content-type": "application/json", "retry-after": mode.slice(3) });
      return res.end(JSON.stringify({ detail: "slow down" }));
    }
    if (mode === "trickle" && path.endsWith("/content")) {
      res.writeHead(200, { "content-type": "video/mp4", "content-length": 100_000 });
      const timer = setInterval(() => res.write("x"), 50);
      res.on("close", () => clearInterval(timer));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ job_id: JOB, status: "completed" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ({ dir: root, remove } = tempDir());
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  remove();
});

beforeEach(() => {
  requests = [];
});

const envFor = (mode: string) => ({
  DECART_API_KEY: KEY,
  DECART_BASE_URL: `${base}/${mode}`,
  DECART_JOURNAL: join(root, "journal.jsonl"),
});

describe("--timeout bounds image, jobs status and jobs result", () => {
  it("image: a request that never answers ends at --timeout with exit 5, nothing saved", async () => {
    const out = join(root, "never.png");
    const { code, stdout, stderr } = await run(["image", "A lighthouse", "-o", out, "--timeout", "0.5"], {
      env: envFor("hang"),
    });
    expect(code, stderr).toBe(5);
    expect(events(stdout).at(-1)).toMatchObject({ type: "error", exit_code: 5, code: "TIMEOUT" });
    expect(stderr).toContain("--timeout ran out after 0.5 s while waiting for the image; nothing was saved");
    expect(requests).toEqual(["POST /v1/generate/lucy-pro-t2i"]);
    expect(readdirSync(root).filter((name) => name.startsWith("never"))).toEqual([]);
  });

  it("jobs status: a read that never answers ends at --timeout with exit 5, naming the job", async () => {
    const { code, stdout, stderr } = await run(["jobs", "status", JOB, "--timeout", "0.5"], { env: envFor("hang") });
    expect(code, stderr).toBe(5);
    expect(events(stdout).at(-1)).toMatchObject({ type: "error", exit_code: 5, code: "TIMEOUT", job_id: JOB });
    expect(stderr).toContain(`--timeout ran out after 0.5 s while reading the status of ${JOB}`);
  });

  it("jobs result: a result that trickles in past --timeout: exit 5 with the command that downloads it, no file", async () => {
    const out = join(root, "trickled.mp4");
    const env = envFor("trickle");
    const { code, stdout, stderr } = await run(["jobs", "result", JOB, "-o", out, "--timeout", "1"], { env });
    expect(code, stderr).toBe(5);
    expect(events(stdout).at(-1)).toMatchObject({ type: "error", exit_code: 5, code: "TIMEOUT", job_id: JOB });
    expect(stderr).toContain(`--timeout ran out while downloading the result of ${JOB} (the job is completed`);
    expect(stderr).toContain(`jobs result ${JOB} -o ${out}`);
    expect(readdirSync(root).filter((name) => name.startsWith("trickled"))).toEqual([]);
  });

  it("a --timeout these take is checked as video's, before anything is sent: exit 2", async () => {
    for (const args of [
      ["image", "A lighthouse", "--timeout", "0x10"],
      ["jobs", "status", JOB, "--timeout", "1e3"],
      ["jobs", "result", JOB, "-o", join(root, "x.mp4"), "--timeout", "0"],
    ]) {
      const { code, stderr } = await run(args, { env: envFor("hang"), cwd: root });
      expect(code, args.join(" ")).toBe(2);
      expect(stderr).toContain("--timeout must be a decimal number of seconds");
    }
    expect(requests).toEqual([]);
  });
});

describe("a 429 whose Retry-After is more than the CLI waits", () => {
  it("fails at once (one request), saying how long the server asked to wait and when to run the command again", async () => {
    const { code, stdout, stderr } = await run(["image", "A lighthouse", "-o", join(root, "limited.png")], {
      env: envFor("ra~99999999"),
    });
    expect(code, stderr).toBe(1);
    expect(requests).toEqual(["POST /v1/generate/lucy-pro-t2i"]);
    const error = events(stdout).at(-1)!;
    expect(error).toMatchObject({ type: "error", exit_code: 1, code: "RATE_LIMIT" });
    expect(error.message).toMatch(
      /the server asked to wait 1158 days \(Retry-After\), more than the CLI waits for a request \(60 s\), so it was not sent again: run the command again after \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
    expect(stderr).toContain("the server asked to wait 1158 days (Retry-After)");
  });

  it("the same for a jobs status read (a 429 of two minutes)", async () => {
    const { code, stderr } = await run(["jobs", "status", JOB], { env: envFor("ra~120") });
    expect(code, stderr).toBe(1);
    expect(requests).toEqual([`GET /v1/jobs/${JOB}`]);
    expect(stderr).toContain("the server asked to wait 2 min (Retry-After), more than the CLI waits for a request");
  });
});
