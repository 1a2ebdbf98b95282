/**
 * A job id the server answers is held to the rule of a job id argument (see job-id.test.ts): one the CLI would refuse
 * given back (`decart jobs wait ../x`) is refused as it comes, exit 1, neither journaled nor watched. Against a server
 * that answers such ids.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { jobIdProblem } from "../src/job-id.js";
import { events, finished, jobRecords, KEY, type Loopback, listenOnLoopback, run, start, tempDir } from "./helpers.js";

/** The job id a submit answers; set by each test. */
let jobId = "job_ok";
/** The requests the server has had (`METHOD path`), reset before each test. */
let requests: string[] = [];
/** The status every job has; and whether its result's download fails (500) instead of answering `VIDEO`. */
type State = "processing" | "completed";
let state: State = "completed";
let contentFails = false;
/**
 * Jobs of their own, by id, run at once: a submit whose prompt is `A lake <prompt>` answers the id, and each read of
 * the id answers its own state and download (else `jobId`, `state` and `contentFails`).
 */
const jobs = new Map<string, { prompt: number; state: State; contentFails: boolean }>();
/** A result as far as its first bytes tell (an MP4's `ftyp` box, which the CLI checks). */
const VIDEO = Buffer.from("\0\0\0\x10ftypmp42\0\0\0\0bytes", "latin1");

let server: Loopback;
let env: Record<string, string>;
let root: string;
let remove: () => void;

beforeAll(async () => {
  server = await listenOnLoopback(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk);
    requests.push(`${req.method} ${req.url}`);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    // The job of a read: the id in its path, with its own state if it has one.
    const id = decodeURIComponent(req.url?.split("/")[3] ?? "");
    const own = jobs.get(id);
    if (req.method === "POST" && req.url?.startsWith("/v1/jobs/")) {
      const body = Buffer.concat(chunks).toString("utf8");
      const prompted = [...jobs.keys()].find((key) => body.includes(`A lake ${jobs.get(key)!.prompt}`));
      return json(200, { job_id: prompted ?? jobId, status: "pending" });
    }
    if (req.method === "GET" && req.url?.endsWith("/content")) {
      if (own?.contentFails ?? contentFails) return json(500, { detail: "Internal Server Error" });
      res.writeHead(200, { "content-type": "video/mp4", "content-length": VIDEO.length });
      return res.end(VIDEO);
    }
    if (req.method === "GET" && req.url?.startsWith("/v1/jobs/"))
      return json(200, { job_id: own ? id : jobId, status: own?.state ?? state });
    json(404, { detail: "Not Found" });
  });
  ({ dir: root, remove } = tempDir());
  env = { DECART_API_KEY: KEY, DECART_BASE_URL: server.url };
});

afterAll(() => {
  server?.close();
  remove?.();
});

beforeEach(() => {
  requests = [];
  state = "completed";
  contentFails = false;
  jobs.clear();
});

// biome-ignore lint/suspicious/noControlCharactersInRegex: what the tests look for
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe("a job id from the server that the CLI cannot take", () => {
  it("jobs submit: exit 1, INVALID_RESPONSE, the id JSON-quoted, nothing journaled nor printed as a command", async () => {
    jobId = "../x";
    const journal = join(root, "submit.jsonl");
    const { code, stdout, stderr } = await run(["jobs", "submit", "A lake"], {
      env: { ...env, DECART_JOURNAL: journal },
    });
    expect(code, stderr).toBe(1);
    expect(requests).toEqual(["POST /v1/jobs/lucy-pro-t2v"]);
    const all = events(stdout);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ type: "error", exit_code: 1, code: "INVALID_RESPONSE" });
    expect(all[0]).not.toHaveProperty("job_id");
    expect(all[0]!.message).toContain(`a job id the CLI cannot take, "../x" (it holds '/')`);
    expect(all[0]!.message).toMatch(
      /give support that id\. Running the command again submits \(and bills\) another one$/,
    );
    expect(stderr).not.toContain("jobs wait ../x");
    expect(jobRecords(journal)).toEqual([]);
  });

  it("video: refused as it comes (nothing watched nor saved), the id escaped on the terminal", async () => {
    jobId = "job_x\u001b[8m\nfake";
    const journal = join(root, "video.jsonl");
    const out = join(root, "video.mp4");
    const { code, stderr } = await run(["video", "A lake", "--no-json", "-o", out], {
      env: { ...env, DECART_JOURNAL: journal },
    });
    expect(code, stderr).toBe(1);
    expect(requests).toEqual(["POST /v1/jobs/lucy-pro-t2v"]);
    expect(stderr).toContain('"job_x\\u001b[8m\\nfake" (it holds "\\u001b")');
    expect(stderr).not.toMatch(CONTROL);
    expect(stderr.split("\n").filter((line) => line.startsWith("fake"))).toEqual([]);
    expect(existsSync(out)).toBe(false);
    expect(jobRecords(journal)).toEqual([]);
  });

  it("batch: the line fails, not resumable, its job id neither journaled nor reported", async () => {
    jobId = "job x";
    const journal = join(root, "batch.jsonl");
    const out = join(root, "batch");
    const { code, stdout, stderr } = await run(["batch", "-", "--out", out], {
      env: { ...env, DECART_JOURNAL: journal },
      input: `${JSON.stringify({ custom_id: "lake", prompt: "A lake" })}\n`,
    });
    expect(code, stderr).toBe(6);
    expect(requests).toEqual(["POST /v1/jobs/lucy-pro-t2v"]);
    const failed = events(stdout).find((event) => event.type === "line_failed")!;
    expect(failed.error).toContain(`a job id the CLI cannot take, "job x" (it holds a space)`);
    // Running the batch again (--resume) does not submit the line again: said so, not a single command's words.
    expect(failed.error).toMatch(
      /give support that id\. --resume does not submit the line again unless given --resubmit-unknown, which bills another one$/,
    );
    expect(failed).not.toHaveProperty("job_id");
    expect(failed.resumable).toBeFalsy();
    // Its job may exist (the server answered it): not among the lines to run again.
    expect(failed.outcome_unknown).toBe(true);
    expect(readdirSync(out).sort()).toEqual(["results.jsonl", "unknown.jsonl"]);
    const journaled = existsSync(journal) ? readFileSync(journal, "utf8") : "";
    expect(journaled).not.toContain("job x");
  });

  it("an id with a lone surrogate (half a character: read back, another id) is refused as it comes: video, jobs submit, batch", async () => {
    // The client refuses it too (an id it cannot send back is no job_id); the CLI's own rule says why (see below).
    jobId = "job_\ud83c";
    for (const args of [
      ["video", "A lake", "-o", join(root, "half.mp4"), "--timeout", "2"],
      ["jobs", "submit", "A lake"],
    ]) {
      requests = [];
      const journal = join(root, `half-${args[0]}.jsonl`);
      const { code, stdout, stderr } = await run(args, { env: { ...env, DECART_JOURNAL: journal } });
      expect(code, stderr).toBe(1);
      // Never watched: the submit alone.
      expect(requests, args[0]).toEqual(["POST /v1/jobs/lucy-pro-t2v"]);
      const all = events(stdout);
      expect(all, args[0]).toEqual([expect.objectContaining({ type: "error", exit_code: 1 })]);
      expect(all[0]).not.toHaveProperty("job_id");
      expect(stderr, args[0]).not.toContain("jobs wait");
      expect(stdout + stderr, args[0]).not.toContain("\ufffd");
      expect(jobRecords(journal), args[0]).toEqual([]);
    }
    requests = [];
    const journal = join(root, "half-batch.jsonl");
    const { code, stdout, stderr } = await run(["batch", "-", "--out", join(root, "half")], {
      env: { ...env, DECART_JOURNAL: journal },
      input: `${JSON.stringify({ custom_id: "lake", prompt: "A lake" })}\n`,
    });
    expect(code, stderr).toBe(6);
    expect(requests).toEqual(["POST /v1/jobs/lucy-pro-t2v"]);
    const failed = events(stdout).find((event) => event.type === "line_failed")!;
    expect(failed).not.toHaveProperty("job_id");
    expect(failed.resumable).toBeFalsy();
    expect(jobRecords(journal)).toEqual([]);
  });

  it("the CLI's rule: an id with a lone surrogate is no job id, said as such (not as a path's . or ..)", () => {
    expect(jobIdProblem("job_\ud83c")).toBe(
      'it holds "\\ud83c", half of a character (a lone surrogate) that no text can carry: read back, it would be another id',
    );
    expect(jobIdProblem("\udf0ajob")).toContain("a lone surrogate");
    expect(jobIdProblem("job_\ud83c\udf0a")).toBeUndefined();
  });

  it("an id of whole characters beyond the BMP (a surrogate pair) is taken", async () => {
    jobId = "job_\ud83c\udf0a";
    const journal = join(root, "pair.jsonl");
    const { code, stdout, stderr } = await run(["jobs", "submit", "A lake", "--no-json"], {
      env: { ...env, DECART_JOURNAL: journal },
    });
    expect(code, stderr).toBe(0);
    expect(stdout).toBe("job_\u{1f30a}\n");
    expect(readFileSync(journal, "utf8")).toContain('"job_id":"job_\u{1f30a}"');
  });

  it("an id the rule takes (a backslash, dots) is journaled and watched as ever", async () => {
    jobId = "..\\ok";
    const journal = join(root, "taken.jsonl");
    const { code, stdout, stderr } = await run(["jobs", "submit", "A lake", "--no-json"], {
      env: { ...env, DECART_JOURNAL: journal },
    });
    expect(code, stderr).toBe(0);
    expect(stdout).toBe("..\\ok\n");
    expect(readFileSync(journal, "utf8")).toContain('"job_id":"..\\\\ok"');
  });
});

describe("a job id from the server that starts with -", () => {
  /** The words of a command the CLI printed (`decart …`, no word of it quoted here), to run it. */
  const words = (command: string) => {
    expect(command).not.toContain("'");
    return command.replace(/^decart /, "").split(" ");
  };

  it("every command printed for it takes it: options first, then -- and the id (jobs wait, status, result)", async () => {
    // Each id a job of its own, the ids at once.
    const ids = ["-h", "--help", "-V", "-o"];
    await Promise.all(
      ids.map(async (id, prompt) => {
        const job = { prompt, state: "processing" as State, contentFails: false };
        jobs.set(id, job);
        const journal = join(root, `dash${id}.jsonl`);
        const out = join(root, `dash${id}.mp4`);
        const env1 = { ...env, DECART_JOURNAL: journal };
        // Interrupted while it runs: the command that resumes.
        const child = start(["video", `A lake ${prompt}`, "-o", out], { env: env1 });
        const done = finished(child);
        for await (const line of createInterface({ input: child.stdout! })) {
          if (JSON.parse(line).type === "submitted") break;
        }
        child.kill("SIGINT");
        const stopped = await done;
        expect(stopped.code, `${id}: ${stopped.stderr}`).toBe(130);
        const { resume } = events(stopped.stdout).at(-1)!;
        expect(resume, id).toBe(
          `decart --base-url ${env.DECART_BASE_URL} --journal ${journal} jobs wait -o ${out} -- ${id}`,
        );
        // That command saves the job (`jobs wait -h` would show the help and exit 0, saving nothing).
        job.state = "completed";
        const resumed = await run(words(resume), { env: env1 });
        expect(resumed.code, `${id}: ${resumed.stderr}`).toBe(0);
        expect(events(resumed.stdout).at(-1), id).toMatchObject({ type: "saved", job_id: id, path: out });
        expect(readFileSync(out), id).toEqual(VIDEO);
        // jobs status and jobs result take it after --, as the README says.
        const status = await run(["jobs", "status", "--", id], { env: env1 });
        expect(status.code, `${id}: ${status.stderr}`).toBe(0);
        expect(events(status.stdout).at(-1), id).toMatchObject({ type: "status", job_id: id, status: "completed" });
        // A download that fails for good names the command that downloads it again, which does.
        job.contentFails = true;
        const again = join(root, `again${id}.mp4`);
        const failed = await run(["jobs", "result", "-o", again, "--", id], { env: env1 });
        expect(failed.code, `${id}: ${failed.stderr}`).toBe(1);
        const command = `decart --base-url ${env.DECART_BASE_URL} --journal ${journal} jobs result -o ${again} -- ${id}`;
        expect(failed.stderr, id).toContain(`it stays on the server: ${command}`);
        job.contentFails = false;
        const result = await run(words(command), { env: env1 });
        expect(result.code, `${id}: ${result.stderr}`).toBe(0);
        expect(readFileSync(again), id).toEqual(VIDEO);
      }),
    );
  });

  it("the hint after an error carries it after -- too; the fix for an id refused names -- before it", async () => {
    jobId = "-h";
    state = "processing";
    const journal = join(root, "dash-hint.jsonl");
    const env1 = { ...env, DECART_JOURNAL: journal };
    const timedOut = await run(["video", "A lake", "--timeout", "0.2"], { env: env1 });
    expect(timedOut.code, timedOut.stderr).toBe(5);
    expect(timedOut.stderr).toMatch(/ jobs wait -o \S+\.mp4 --timeout 0\.2 -- -h\n/);
    // An id on the command line that is no job id: the fix names `--` before it.
    const refused = await run(["jobs", "wait", "-o", join(root, "x.mp4"), "--", "a b"], { env: env1 });
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain('decart jobs wait -- "$id"');
  });
});
