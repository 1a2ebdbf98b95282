/**
 * `jobs result` of a job the server does not know (404) or whose result it no longer keeps (410) names the job, as
 * `jobs wait`'s 404 does, and gives no command (nothing to download again); a request refused by a 429 without a
 * Retry-After, still refused when the client tried again, says that nothing was made and to run the command again in a
 * while. Against the emulator (its clock moved past a result's retention), and a server
 * of the test's own that answers every request 429.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, fastRetries, KEY, run, useEmulator } from "./helpers.js";
import { type AnsweringAll, answeringAll } from "./servers.js";

let env: Record<string, string>;
let dir: string;
let clock = Date.now();
useEmulator({ now: () => clock, retentionMs: 1000 }, (f) => ({ env, dir } = f), { ownDir: true });

let limited: AnsweringAll;
beforeAll(async () => {
  limited = await answeringAll(429, { "x-request-id": "req_bare" }, { detail: "Too many requests" });
});
afterAll(() => limited?.close());

describe("jobs result of a job gone", () => {
  it("404 (no such job) and 410 (its result deleted): the message names the job, and no command follows", async () => {
    const made = await run(["jobs", "submit", "A lake"], { env });
    const jobId: string = events(made.stdout)[0]!.job_id;
    // Completed (the fast timing: within 80 ms), then past its result's retention (1 s), not yet forgotten (2 s).
    clock += 1500;
    const unknown = `job_${"0".repeat(32)}`;
    for (const [id, status, code] of [
      [unknown, 404, "NOT_FOUND"],
      [jobId, 410, "GONE"],
    ] as const) {
      const result = await run(["jobs", "result", id, "-o", join(dir, `${status}.mp4`)], { env });
      expect(result.code, result.stderr).toBe(1);
      const error = events(result.stdout).at(-1)!;
      expect(error).toMatchObject({ type: "error", code, job_id: id });
      expect(error.message).toMatch(new RegExp(`^Job ${id}: .*\\(HTTP ${status}, request `));
      expect(result.stderr).toContain(`decart: Job ${id}: `);
      expect(result.stderr).not.toContain("may still finish");
      expect(result.stderr).not.toContain("decart --base-url");
    }
  });
});

describe("a 429 without a Retry-After, refused each time", () => {
  it("jobs submit and image: nothing was made, run the command again in a while", async () => {
    const at = { DECART_API_KEY: KEY, DECART_BASE_URL: limited.url, DECART_JOURNAL: join(dir, "j.jsonl") };
    for (const args of [
      ["jobs", "submit", "A lake"],
      ["image", "A lighthouse", "-o", join(dir, "l.png")],
    ]) {
      const refused = await run(args, { env: { ...at, ...fastRetries(dir) } });
      expect(refused.code, refused.stderr).toBe(1);
      const error = events(refused.stdout).at(-1)!;
      expect(error).toMatchObject({ type: "error", code: "RATE_LIMIT" });
      expect(error.message).toBe(
        "Too many requests (HTTP 429, request req_bare); the server's rate limit refused it each time the client " +
          "tried, without saying for how long, and a refused request makes nothing: run the command again in a while",
      );
    }
  });
});
