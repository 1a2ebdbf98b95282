/**
 * A job this run just submitted cannot be unknown: a 404 on its status reads before one of them answered is a replica
 * that has not seen it yet. `video` and a batch's line watch it again (at most 3 times in a row, with the backoff, each
 * try a `retrying` line) rather than end with "Job not found" (and a batch's line written to errors.jsonl, to be
 * submitted, and billed, again). `jobs wait` of an id given to it takes a 404 as no such job. Against a server whose
 * replicas lag.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { events, KEY, type Loopback, listenOnLoopback, run, tempDir } from "./helpers.js";

/** A result as far as its first bytes tell (an MP4's `ftyp` box, which the CLI checks). */
const VIDEO = Buffer.from("\0\0\0\x10ftypmp42\0\0\0\0bytes", "latin1");

/** How many status reads of each job answer 404 before the job is known (then `completed`). */
let lagging = 1;
let made = 0;
let reads: Record<string, number> = {};
let server: Loopback;
let env: Record<string, string>;
let root: string;
let remove: () => void;

beforeAll(async () => {
  server = await listenOnLoopback((req, res) => {
    req.resume();
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "POST") return json(200, { job_id: `job_lag${++made}`, status: "pending" });
    const id = req.url!.split("/")[3]!;
    if (req.url!.endsWith("/content")) {
      res.writeHead(200, { "content-type": "video/mp4", "content-length": VIDEO.length });
      return res.end(VIDEO);
    }
    reads[id] = (reads[id] ?? 0) + 1;
    if (reads[id] <= lagging) return json(404, { detail: "Job not found" });
    json(200, { job_id: id, status: "completed" });
  });
  ({ dir: root, remove } = tempDir());
  env = { DECART_API_KEY: KEY, DECART_BASE_URL: server.url };
});

afterAll(() => {
  server?.close();
  remove?.();
});

let n = 0;
let dir: string;
beforeEach(() => {
  lagging = 1;
  made = 0;
  reads = {};
  dir = join(root, `t${++n}`);
  mkdirSync(dir);
  env.DECART_JOURNAL = join(dir, "journal.jsonl");
});

describe("a 404 on the status of a job just submitted, before a read answered", () => {
  it("video: watched again, the video saved, one job", async () => {
    const out = join(dir, "out.mp4");
    const { code, stdout, stderr } = await run(["video", "A lake", "-o", out], { env });
    expect(code, stderr).toBe(0);
    expect(readFileSync(out)).toEqual(VIDEO);
    expect(made).toBe(1);
    expect(reads).toEqual({ job_lag1: 2 });
    expect(stderr).toMatch(/job_lag1 retrying \(attempt 1, next try in \d+ ms\): NOT_FOUND \(HTTP 404\)/);
    expect(events(stdout).map((e) => e.type)).toContain("saved");
  });

  it("batch: the line completed, nothing in errors.jsonl to run again, one job", async () => {
    const input = join(dir, "lines.jsonl");
    const out = join(dir, "out");
    writeFileSync(input, '{"custom_id":"l1","prompt":"one"}\n');
    const { code, stdout, stderr } = await run(["batch", input, "--out", out], { env });
    expect(code, stderr).toBe(0);
    expect(readFileSync(join(out, "l1.mp4"))).toEqual(VIDEO);
    expect(existsSync(join(out, "errors.jsonl"))).toBe(false);
    expect(events(stdout).find((e) => e.type === "summary")).toMatchObject({ completed: 1, failed: 0 });
    expect(made).toBe(1);
  });

  it("a 404 that stays: watched 3 times more, then exit 1 naming the job", async () => {
    lagging = 99;
    const { code, stdout, stderr } = await run(["video", "A lake", "-o", join(dir, "out.mp4")], { env });
    expect(code, stderr).toBe(1);
    expect(reads).toEqual({ job_lag1: 4 });
    expect(made).toBe(1);
    expect(events(stdout).at(-1)).toMatchObject({ type: "error", job_id: "job_lag1", code: "NOT_FOUND" });
  });

  it("jobs wait of an id given to it: a 404 is no such job, at once", async () => {
    const { code, stderr } = await run(["jobs", "wait", "job_given", "-o", join(dir, "out.mp4")], { env });
    expect(code, stderr).toBe(1);
    expect(reads).toEqual({ job_given: 1 });
  });
});
