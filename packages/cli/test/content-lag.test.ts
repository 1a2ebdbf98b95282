/**
 * A job whose status says `completed` a moment before its content can be read (a deployment's content lagging its
 * status): the content route answers 404 or 409 a few times, then the video. The client's own watch tries that content
 * again; so do the CLI's commands that watch a job, which download the result themselves.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { events, KEY, printed, run, tempDir } from "./helpers.js";

const JOB = "job_lag";
/** Not really a video, but one as far as its first bytes tell (an MP4's `ftyp` box: the CLI checks them). */
const VIDEO = Buffer.from("\0\0\0\x10ftypmp42\0\0\0\0 and bytes of a video", "latin1");

/** What the content route answers first, once per request, before the video (set by each test). */
let lag: number[] = [];
/** The content requests the server was sent. */
let contentReads = 0;

let server: Server;
let env: Record<string, string>;
let root: string;
let remove: () => void;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const url = req.url ?? "";
    if (req.method === "POST" && url.startsWith("/v1/jobs/")) return json(200, { job_id: JOB, status: "pending" });
    if (req.method === "GET" && url.endsWith("/content")) {
      contentReads++;
      const status = lag.shift();
      if (status !== undefined) return json(status, { detail: status === 404 ? "Not found" : "Job is not completed" });
      res.writeHead(200, { "content-type": "video/mp4", "content-length": VIDEO.length });
      return res.end(VIDEO);
    }
    if (req.method === "GET" && url.startsWith("/v1/jobs/")) return json(200, { job_id: JOB, status: "completed" });
    json(404, { detail: "Not Found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  ({ dir: root, remove } = tempDir());
  env = {
    DECART_API_KEY: KEY,
    DECART_BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    DECART_JOURNAL: join(root, "journal.jsonl"),
  };
});
afterAll(() => {
  server?.closeAllConnections();
  server?.close();
  remove?.();
});
beforeEach(() => {
  lag = [];
  contentReads = 0;
});

describe("the result of a job just seen completed, whose content lags its status", () => {
  it("jobs wait: a 404 is tried again, told on stderr, and the video saved", async () => {
    lag = [404];
    const out = join(root, "wait-404.mp4");
    const { code, stdout, stderr } = await run(["jobs", "wait", JOB, "-o", out], { env });
    expect(code, stderr).toBe(0);
    expect(readFileSync(out)).toEqual(VIDEO);
    expect(contentReads).toBe(2);
    expect(stderr).toMatch(
      new RegExp(`↻ ${JOB} retrying \\(attempt 1, next try in (\\d+ ms|\\d\\.\\d s)\\): NOT_FOUND \\(HTTP 404\\)`),
    );
    expect(events(stdout).at(-1)).toMatchObject({ type: "saved", job_id: JOB, path: out, bytes: VIDEO.length });
  });

  it("video: 409s are tried again, three in a row at most, and the video saved", async () => {
    lag = [409, 409, 409];
    const out = join(root, "video-409.mp4");
    const { code, stdout, stderr } = await run(["video", "A lake", "-o", out], { env });
    expect(code, stderr).toBe(0);
    expect(readFileSync(out)).toEqual(VIDEO);
    expect(contentReads).toBe(4);
    expect(stderr).toContain(`${JOB} retrying (attempt 3,`);
    expect(events(stdout).at(-1)).toMatchObject({ type: "saved", job_id: JOB, path: out });
  });

  it("a fourth 404 in a row fails: the message names the job and the command that downloads it later", async () => {
    lag = [404, 404, 404, 404, 404];
    const out = join(root, "never.mp4");
    const { code, stdout, stderr } = await run(["jobs", "wait", JOB, "-o", out, "--no-json"], { env });
    expect(code, stderr).toBe(1);
    expect(contentReads).toBe(4);
    expect(existsSync(out)).toBe(false);
    expect(stdout).toBe("");
    expect(stderr).toContain(
      `Could not download the result of ${JOB} (Not found (HTTP 404)), although the server said the job completed; ` +
        `its result may come later: ${printed(env, "jobs", "result", JOB, "-o", out)}`,
    );
    // In the JSON form, the `error` event carries the job and the client's code.
    lag = [404, 404, 404, 404];
    const json = await run(["jobs", "wait", JOB, "-o", out], { env });
    expect(json.code, json.stderr).toBe(1);
    expect(events(json.stdout).at(-1)).toMatchObject({ type: "error", job_id: JOB, code: "NOT_FOUND", exit_code: 1 });
  });

  it("a batch's line: still 404 after three tries, it is resumable, and --resume downloads it", async () => {
    const path = join(root, "lag.jsonl");
    writeFileSync(path, `${JSON.stringify({ custom_id: "clip", prompt: "A lake" })}\n`);
    const out = join(root, "batch");
    lag = [404, 404, 404, 404];
    const first = await run(["batch", path, "--out", out], { env });
    expect(first.code, first.stderr).toBe(6);
    expect(contentReads).toBe(4);
    const failed = events(first.stdout).find((e) => e.type === "line_failed")!;
    expect(failed).toMatchObject({ custom_id: "clip", job_id: JOB, resumable: true });
    expect(failed.error).toContain(
      `its result may come later: ${printed(env, "batch", path, "--out", out, "--resume")}`,
    );
    const resumed = await run(["batch", path, "--out", out, "--resume"], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(readFileSync(join(out, "clip.mp4"))).toEqual(VIDEO);
  });

  it("jobs result (no watch): a 404 is no such job, not tried again", async () => {
    lag = [404];
    const out = join(root, "result.mp4");
    const { code, stderr } = await run(["jobs", "result", JOB, "-o", out, "--no-json"], { env });
    expect(code, stderr).toBe(1);
    expect(contentReads).toBe(1);
    expect(stderr).toContain("Not found (HTTP 404)");
    expect(stderr).not.toContain("retrying");
    expect(stderr).not.toContain("completed");
    expect(stderr).not.toContain("jobs result");
    expect(existsSync(out)).toBe(false);
  });
});
