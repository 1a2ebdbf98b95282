/**
 * A failed job whose `error` the server gives as an object (`{ code, message }`, against the spec's string): the CLI
 * tells it as any failed job, with that reason, and exits 3. A purpose-built server: the emulator's reasons are text.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { events, KEY, type Loopback, listenOnLoopback, run, tempDir } from "./helpers.js";

let api: Loopback;
let dir: { dir: string; remove: () => void };
beforeEach(async () => {
  dir = tempDir();
  api = await listenOnLoopback((req, res) => {
    req.resume();
    res.writeHead(200, { "content-type": "application/json" });
    const reason = { code: "CONTENT_POLICY", message: "The prompt was refused by the content policy" };
    res.end(JSON.stringify({ job_id: "job_1", status: req.method === "POST" ? "pending" : "failed", error: reason }));
  });
});
afterEach(async () => {
  await api.close();
  dir.remove();
});

describe("a failed job whose error is an object", () => {
  it("video: exit 3, the failure told with the object's message, not as a job that may still finish", async () => {
    const env = { DECART_API_KEY: KEY, DECART_BASE_URL: api.url, DECART_JOURNAL: join(dir.dir, "jobs.jsonl") };
    const result = await run(["video", "A lake", "-o", join(dir.dir, "lake.mp4")], { env });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain("Job job_1 failed: The prompt was refused by the content policy");
    expect(result.stderr).not.toContain("may still finish");
    expect(events(result.stdout).at(-1)).toMatchObject({ job_id: "job_1", exit_code: 3 });
  });
});
