/**
 * A submit that fails once the server has made its job (the client's `INVALID_RESPONSE` for an answer that names a
 * usable `job_id` yet breaks the spec otherwise) loses no job: `video`, `jobs submit` and a batch's line record it in
 * the journal (a `submitted` event first) and print on stderr the command that picks it up, which then finishes it.
 * Against the emulator, through a proxy that answers its submits with a `status` the spec does not have.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, jobRecords, listenOnLoopback, printed, proxyTo, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({ timing: { pendingMs: 50, processingMs: 50 } }, (f) => ({ emu, env, dir } = f), { ownDir: true });

/** The proxy's URL: the emulator's answers as they are, but a submit's with `status: "queued"` (the job is made). */
let broken: string;
let proxy: { url: string; close: () => void };
beforeAll(async () => {
  proxy = await proxyTo(emu.url, (req, res, answer) => {
    if (!(req.method === "POST" && req.url!.startsWith("/v1/jobs/") && answer.statusCode === 200)) return false;
    const parts: Buffer[] = [];
    answer.on("data", (part: Buffer) => parts.push(part));
    answer.on("end", () => {
      const body = JSON.stringify({ ...JSON.parse(Buffer.concat(parts).toString("utf8")), status: "queued" });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
    return true;
  });
  broken = proxy.url;
});
afterAll(() => proxy?.close());

describe("a submit answered against the spec, its job made", () => {
  it("video: exit 1, the job journaled (submitted first) and the command that finishes it on stderr, which does", async () => {
    const at = { ...env, DECART_BASE_URL: broken };
    const out = join(dir, "lake.mp4");
    const made = await run(["video", "A lake", "-o", out], { env: at });
    expect(made.code, made.stderr).toBe(1);
    const [submitted, error] = events(made.stdout);
    expect(submitted).toMatchObject({ type: "submitted", job_id: expect.stringMatching(/^job_/) });
    const jobId: string = submitted!.job_id;
    expect(error).toMatchObject({ type: "error", exit_code: 1, code: "INVALID_RESPONSE", job_id: jobId });
    expect(error!.message).not.toContain("queue.wait");
    expect(emu.job(jobId)).toBeDefined();
    expect(jobRecords(env.DECART_JOURNAL!)).toMatchObject([
      { job_id: jobId, event: "submitted", model: "lucy-pro-t2v", path: out, base_url: broken },
    ]);
    const again = printed(at, "jobs", "wait", jobId, "-o", out);
    // This version cannot read the answer: upgrading is the remedy, then the command printed.
    expect(error!.message).toContain("does not know (upgrade @decart/cli)");
    expect(made.stderr).toContain(`Upgrade @decart/cli, then follow the job ${jobId}: ${again}`);
    expect(made.stderr).not.toContain("may still finish");
    expect(existsSync(out)).toBe(false);
    // The command printed finishes it (the proxy breaks submits only).
    const waited = await run(again.split(" ").slice(1), { env: at });
    expect(waited.code, waited.stderr).toBe(0);
    expect(events(waited.stdout).at(-1)).toMatchObject({ type: "saved", job_id: jobId, path: out });
    expect(emu.stats().jobsCreated).toBe(1);
  });

  it("jobs submit: exit 1, the job journaled with its submitted event, and the command that waits for it", async () => {
    const at = { ...env, DECART_BASE_URL: broken };
    const made = await run(["jobs", "submit", "A lake"], { env: at });
    expect(made.code, made.stderr).toBe(1);
    const [submitted, error] = events(made.stdout);
    expect(submitted).toMatchObject({ type: "submitted", job_id: expect.stringMatching(/^job_/) });
    const jobId: string = submitted!.job_id;
    expect(error).toMatchObject({ type: "error", code: "INVALID_RESPONSE", job_id: jobId });
    expect(jobRecords(env.DECART_JOURNAL!)).toMatchObject([{ job_id: jobId, event: "submitted", base_url: broken }]);
    expect(made.stderr).toContain(
      `Upgrade @decart/cli, then follow the job ${jobId}: ${printed(at, "jobs", "wait", jobId)}`,
    );
    const waited = await run(["jobs", "wait", jobId, "-o", join(dir, "lake.mp4")], { env: at });
    expect(waited.code, waited.stderr).toBe(0);
    expect(emu.stats().jobsCreated).toBe(1);
  });

  it("batch: the line fails resumable, its job journaled at once, and --resume finishes it without a new job", async () => {
    const at = { ...env, DECART_BASE_URL: broken };
    const out = join(dir, "out");
    const input = `${JSON.stringify({ custom_id: "lake", prompt: "A lake" })}\n`;
    const first = await run(["batch", "-", "--out", out], { env: at, input });
    expect(first.code, first.stderr).toBe(6);
    const failed = events(first.stdout).find((event) => event.type === "line_failed")!;
    expect(failed).toMatchObject({ custom_id: "lake", resumable: true, job_id: expect.stringMatching(/^job_/) });
    expect(jobRecords(env.DECART_JOURNAL!)).toMatchObject([
      { job_id: failed.job_id, event: "submitted", custom_id: "lake" },
    ]);
    const resumed = await run(["batch", "-", "--out", out, "--resume"], { env: at, input });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(existsSync(join(out, "lake.mp4"))).toBe(true);
    expect(emu.stats().jobsCreated).toBe(1);
  });
});

describe("a job's status this version does not know (the API moved ahead)", () => {
  it("video: exit 1, the job journaled, the message and the hint say to upgrade, not that it may still finish", async () => {
    // The emulator's answers as they are, but a status read's with `status: "cancelled"`.
    const ahead = await proxyTo(emu.url, (req, res, answer) => {
      if (!(req.method === "GET" && /^\/v1\/jobs\/[^/]+$/.test(req.url!) && answer.statusCode === 200)) return false;
      const parts: Buffer[] = [];
      answer.on("data", (part: Buffer) => parts.push(part));
      answer.on("end", () => {
        const body = JSON.stringify({ ...JSON.parse(Buffer.concat(parts).toString("utf8")), status: "cancelled" });
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        res.end(body);
      });
      return true;
    });
    try {
      const at = { ...env, DECART_BASE_URL: ahead.url };
      const out = join(dir, "cancelled.mp4");
      const made = await run(["video", "A lake", "-o", out], { env: at });
      expect(made.code, made.stderr).toBe(1);
      const [submitted, error] = events(made.stdout);
      const jobId: string = submitted!.job_id;
      expect(error).toMatchObject({ type: "error", code: "INVALID_RESPONSE", job_id: jobId });
      expect(error!.message).toMatch(
        /\(got "cancelled"\) .*: an answer @decart\/core \S+ does not know \(upgrade @decart\/cli\)$/,
      );
      expect(made.stderr).toContain(
        `Upgrade @decart/cli, then follow the job ${jobId}: ${printed(at, "jobs", "wait", jobId, "-o", out)}`,
      );
      expect(made.stderr).not.toContain("may still finish");
    } finally {
      ahead.close();
    }
  });
});

describe("a job_id that is a number (against the spec's string), at submit and on every read", () => {
  it("video: read as that id, the job followed to its end (exit 3, failed)", async () => {
    const api = await listenOnLoopback((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ job_id: 12345, status: req.method === "POST" ? "pending" : "failed", error: "no lake" }),
      );
    });
    try {
      const at = { ...env, DECART_BASE_URL: api.url };
      const out = join(dir, "numbered.mp4");
      const made = await run(["video", "A lake", "-o", out], { env: at });
      expect(made.code, made.stderr).toBe(3);
      const all = events(made.stdout);
      expect(all[0]).toMatchObject({ type: "submitted", job_id: "12345" });
      expect(all.at(-1)).toMatchObject({ job_id: "12345" });
      expect(made.stdout).toContain("no lake");
      expect(made.stdout).not.toContain("does not know");
      expect(jobRecords(env.DECART_JOURNAL!).at(-1)).toMatchObject({ job_id: "12345" });
    } finally {
      await api.close();
    }
  });
});
