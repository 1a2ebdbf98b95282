/**
 * A key refused while `video` or `jobs wait` watches a job the server answered for (revoked, expired: a 401 to a status
 * read; or not allowed, a 403) ends with exit 4, and the message says to check the key and is followed by the command
 * that picks the job up with a valid key: the job exists and goes on. So does `jobs wait` of a job the journal holds
 * (made there) refused from its first read. A key refused before anything said the job exists (`jobs wait` of an id
 * the journal does not hold, with a wrong key) prints no such command. Against the emulator, through a proxy that sends
 * every request after the first submit with another key: one the emulator refuses (401), or a client token of the key
 * used from an origin it does not allow (403).
 */
import { type IncomingMessage, request } from "node:http";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { events, KEY, type Loopback, listenOnLoopback, printed, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
/** The emulator's clock, which only the tests move: a job stays pending until a test moves it past its phases. */
let clock = Date.now();
useEmulator({ timing: { pendingMs: 1000, processingMs: 1000 }, now: () => clock }, (f) => ({ emu, env, dir } = f), {
  ownDir: true,
});

/** Whether the key the proxy sends from the answer to `req` on is one the emulator refuses (revoked). */
let revokesAfter: (req: IncomingMessage) => boolean;
let revoked = false;
/** How the emulator refuses the key the proxy sends once `revoked`: unknown (401), or not allowed here (403). */
let refusal: 401 | 403 = 401;
/** A client token of `KEY` allowed from one origin only, which the proxy uses from another (403). */
let token = "";
let proxy: Loopback;
beforeAll(async () => {
  const base = new URL(emu.url);
  const made = await fetch(new URL("/v1/client/tokens", base), {
    method: "POST",
    headers: { "x-api-key": KEY, "content-type": "application/json" },
    body: JSON.stringify({ expiresIn: 3600, allowedOrigins: ["https://allowed.example"] }),
  });
  token = ((await made.json()) as { apiKey: string }).apiKey;
  proxy = await listenOnLoopback((req, res) => {
    const headers: Record<string, string | string[] | undefined> = { ...req.headers, host: base.host };
    if (revoked) {
      for (const name of ["x-api-key", "authorization"]) {
        if (headers[name]) headers[name] = refusal === 401 ? "dct_revoked" : token;
      }
      if (refusal === 403) headers.origin = "https://other.example";
    }
    const forward = request(new URL(req.url!, base), { method: req.method, headers }, (answer) => {
      if (revokesAfter(req)) revoked = true;
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
});
const submit = (req: IncomingMessage) => req.method === "POST" && req.url!.startsWith("/v1/jobs/");
beforeEach(() => {
  revoked = false;
  refusal = 401;
  revokesAfter = submit;
});
afterAll(() => proxy?.close());

describe("a key refused while a job is watched", () => {
  it("video: exit 4, and the command that picks the job up with a valid key, which then saves it", async () => {
    const at = { ...env, DECART_BASE_URL: proxy.url };
    const out = join(dir, "lake.mp4");
    const made = await run(["video", "A lake", "-o", out], { env: at });
    expect(made.code, made.stderr).toBe(4);
    const [submitted, error] = events(made.stdout);
    expect(submitted).toMatchObject({ type: "submitted", job_id: expect.stringMatching(/^job_/) });
    const jobId: string = submitted!.job_id;
    expect(error).toMatchObject({ type: "error", exit_code: 4, job_id: jobId });
    expect(emu.job(jobId)).toBeDefined();
    const again = printed(at, "jobs", "wait", jobId, "-o", out);
    expect(made.stderr).toContain(`The job ${jobId} may still finish; with a valid key: ${again}`);
    // With the key the server takes (the proxy's revocation lifted), that command saves the result once the job is done.
    revoked = false;
    clock += 10_000;
    const waited = await run(again.split(" ").slice(1), { env: { ...at, DECART_API_KEY: KEY } });
    expect(waited.code, waited.stderr).toBe(0);
    expect(events(waited.stdout).at(-1)).toMatchObject({ type: "saved", job_id: jobId, path: out });
  });

  it("jobs wait: exit 4 and the same command, once the server answered for the job", async () => {
    // The first status read answers (the job exists, pending), the next ones are refused.
    revokesAfter = (req) => req.method === "GET";
    const at = { ...env, DECART_BASE_URL: proxy.url };
    const made = await run(["jobs", "submit", "A lake"], { env: at });
    expect(made.code, made.stderr).toBe(0);
    const jobId: string = events(made.stdout)[0]!.job_id;
    const out = join(dir, "wait.mp4");
    const waited = await run(["jobs", "wait", jobId, "-o", out], { env: at });
    expect(waited.code, waited.stderr).toBe(4);
    expect(events(waited.stdout)).toMatchObject([
      { type: "status", job_id: jobId, status: "pending" },
      { type: "error", exit_code: 4, job_id: jobId },
    ]);
    expect(waited.stderr).toContain(
      `The job ${jobId} may still finish; with a valid key: ${printed(at, "jobs", "wait", jobId, "-o", out)}`,
    );
  });

  it("jobs wait of a job the journal holds, with a key refused from its first read: exit 4 and the same command", async () => {
    const made = await run(["jobs", "submit", "A lake"], { env });
    const jobId: string = events(made.stdout)[0]!.job_id;
    const out = join(dir, "x.mp4");
    const waited = await run(["jobs", "wait", jobId, "-o", out], {
      env: { ...env, DECART_API_KEY: "dct_wrong_key_0000000000000000" },
    });
    expect(waited.code, waited.stderr).toBe(4);
    expect(events(waited.stdout)).toMatchObject([{ type: "error", exit_code: 4, job_id: jobId }]);
    expect(waited.stderr).toContain("; check the key given by --api-key or DECART_API_KEY");
    expect(waited.stderr).toContain(
      `The job ${jobId} may still finish; with a valid key: ${printed(env, "jobs", "wait", jobId, "-o", out)}`,
    );
  });

  it("jobs wait of an id the journal does not hold, with a key refused from its first read: exit 4 and no command", async () => {
    const made = await run(["jobs", "submit", "A lake"], { env });
    const jobId: string = events(made.stdout)[0]!.job_id;
    const waited = await run(["jobs", "wait", jobId, "-o", join(dir, "x.mp4")], {
      env: { ...env, DECART_API_KEY: "dct_wrong_key_0000000000000000", DECART_JOURNAL: join(dir, "other.jsonl") },
    });
    expect(waited.code, waited.stderr).toBe(4);
    expect(waited.stderr).toContain("; check the key given by --api-key or DECART_API_KEY");
    expect(waited.stderr).not.toContain("may still finish");
    expect(waited.stderr).not.toContain("jobs wait");
  });
});

describe("a key not allowed (403) while a job is watched", () => {
  it("video: exit 4, the key to check, and the command that picks the job up with a valid key", async () => {
    refusal = 403;
    const at = { ...env, DECART_BASE_URL: proxy.url };
    const out = join(dir, "lake.mp4");
    const made = await run(["video", "A lake", "-o", out], { env: at });
    expect(made.code, made.stderr).toBe(4);
    const [submitted, error] = events(made.stdout);
    const jobId: string = submitted!.job_id;
    expect(error).toMatchObject({ type: "error", exit_code: 4, job_id: jobId });
    expect(error!.message).toMatch(
      /may not be used from origin .*; check the key given by --api-key or DECART_API_KEY$/,
    );
    expect(made.stderr).toContain(
      `The job ${jobId} may still finish; with a valid key: ${printed(at, "jobs", "wait", jobId, "-o", out)}`,
    );
  });

  it("jobs wait of a job the journal holds, refused from its first read: the same", async () => {
    const at = { ...env, DECART_BASE_URL: proxy.url };
    const made = await run(["jobs", "submit", "A lake"], { env: at });
    const jobId: string = events(made.stdout)[0]!.job_id;
    refusal = 403;
    const out = join(dir, "x.mp4");
    const waited = await run(["jobs", "wait", jobId, "-o", out], { env: at });
    expect(waited.code, waited.stderr).toBe(4);
    const [error] = events(waited.stdout);
    expect(error).toMatchObject({ type: "error", exit_code: 4, job_id: jobId });
    expect(error!.message).toMatch(
      /may not be used from origin .*; check the key given by --api-key or DECART_API_KEY$/,
    );
    expect(waited.stderr).toContain(
      `The job ${jobId} may still finish; with a valid key: ${printed(at, "jobs", "wait", jobId, "-o", out)}`,
    );
  });
});
