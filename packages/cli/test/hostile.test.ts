/**
 * A server that answers what the emulator never does: job ids that are paths, escape sequences or shell syntax, and
 * reasons that carry terminal escapes. Its text names files and reaches the terminal only in safe forms.
 */
import { mkdirSync, readdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEY, run, tempDir } from "./helpers.js";

/** What the server answers; set by each test. */
const answers = {
  /** The job id a submit answers. */
  jobId: "job_ok",
  /** The status every job has, with its reason when failed. */
  status: "completed" as "completed" | "failed",
  error: "",
  /** The status code and detail of a result download (200: the video). */
  content: { status: 200, detail: "" },
};

let server: Server;
let env: Record<string, string>;
let root: string;
let remove: () => void;
const VIDEO = Buffer.from("not really a video, but bytes of one");

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const url = req.url ?? "";
    if (req.method === "POST" && url.startsWith("/v1/jobs/"))
      return json(200, { job_id: answers.jobId, status: "pending" });
    if (req.method === "GET" && url.endsWith("/content")) {
      if (answers.content.status !== 200) return json(answers.content.status, { detail: answers.content.detail });
      res.writeHead(200, { "content-type": "video/mp4", "content-length": VIDEO.length });
      return res.end(VIDEO);
    }
    if (req.method === "GET" && url.startsWith("/v1/jobs/")) {
      const { status, error } = answers;
      return json(200, { job_id: answers.jobId, status, ...(status === "failed" && { error }) });
    }
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

/** Every file and directory under `dir`, as paths relative to it. */
const tree = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();

const ESC = "\u001b";
const BEL = "\u0007";

describe("a job id the server chose", () => {
  it("names a file in the current directory only, whatever it holds (no path, no new directory)", async () => {
    // An absolute path within the test's own directory: a CLI that took it as a path writes nowhere else.
    const absolute = join(root, "abs");
    const hostile = ["../escaped", absolute, "../newdir/deep/evil", "job_x; touch PWNED", `job_${ESC}]0;title${BEL}x`];
    for (const [n, id] of hostile.entries()) {
      answers.jobId = id;
      answers.status = "completed";
      answers.content = { status: 200, detail: "" };
      const place = join(root, `ids-${n}`);
      const cwd = join(place, "cwd");
      mkdirSync(cwd, { recursive: true });
      const video = await run(["video", "A lake", "--no-json"], { env, cwd });
      expect(video.code, video.stderr).toBe(0);
      // One file, in the current directory, and nothing made beside it.
      expect(tree(place), id).toEqual(["cwd", join("cwd", tree(cwd)[0]!)]);
      expect(tree(cwd)).toHaveLength(1);
      expect(tree(cwd)[0]).toMatch(/^[\w.-]+\.mp4$/);
      expect(tree(cwd)[0]).not.toMatch(/^\./);
    }
    expect(tree(root).filter((name) => name.endsWith(".mp4") && !name.includes("cwd"))).toEqual([]);
  });

  it("jobs wait <id> without -o: the same safe name in the current directory", async () => {
    answers.jobId = "../waited";
    answers.status = "completed";
    answers.content = { status: 200, detail: "" };
    const place = join(root, "wait");
    const cwd = join(place, "cwd");
    mkdirSync(cwd, { recursive: true });
    const wait = await run(["jobs", "wait", "../waited", "--no-json"], { env, cwd });
    expect(wait.code, wait.stderr).toBe(0);
    expect(tree(place)).toEqual(["cwd", join("cwd", "__waited.mp4")]);
  });
});
