/**
 * A completed job whose result is served in a video type the client does not take (`video/webm`,
 * `video/quicktime`): `jobs result` would be refused the same, so the command printed comes after the words that say
 * to upgrade. A purpose-built server: the emulator serves results as `video/mp4`.
 */
import { join } from "node:path";
import { VERSION } from "@decart/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { events, KEY, type Loopback, listenOnLoopback, printed, run, tempDir } from "./helpers.js";

let api: Loopback;
let dir: { dir: string; remove: () => void };
let type = "";
beforeEach(async () => {
  dir = tempDir();
  api = await listenOnLoopback((req, res) => {
    req.resume();
    if (req.url!.endsWith("/content")) {
      res.writeHead(200, { "content-type": type });
      return res.end(Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from("ftypisom"), Buffer.alloc(12)]));
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ job_id: "job_1", status: req.method === "POST" ? "pending" : "completed" }));
  });
});
afterEach(async () => {
  await api.close();
  dir.remove();
});

describe("a result in a video type the client does not take", () => {
  it.each(["video/webm", "video/quicktime"])("%s: exit 1, the remedy an upgrade, then jobs result", async (served) => {
    type = served;
    const env = { DECART_API_KEY: KEY, DECART_BASE_URL: api.url, DECART_JOURNAL: join(dir.dir, "jobs.jsonl") };
    const out = join(dir.dir, "lake.mp4");
    const result = await run(["video", "A lake", "-o", out], { env });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`a result of type ${served}, not video/mp4`);
    // The upgrade said once, in the client's words (before: those, then "a type this version does not take: upgrade
    // @decart/cli, then run").
    expect(result.stderr).toContain(
      `: an answer @decart/core ${VERSION} does not know (upgrade @decart/cli)); it stays on the server: after the ` +
        `upgrade, run ${printed(env, "jobs", "result", "job_1", "-o", out)}\n`,
    );
    expect(result.stderr.split("upgrade").length - 1).toBe(2);
  });

  it("jobs result of one: the upgrade said once, then the command", async () => {
    type = "video/webm";
    const env = { DECART_API_KEY: KEY, DECART_BASE_URL: api.url, DECART_JOURNAL: join(dir.dir, "jobs.jsonl") };
    const out = join(dir.dir, "result.mp4");
    const result = await run(["jobs", "result", "job_1", "-o", out], { env });
    expect(result.code, result.stderr).toBe(1);
    const error = events(result.stdout).at(-1)!;
    expect(error).toMatchObject({ type: "error", exit_code: 1, code: "INVALID_RESPONSE", job_id: "job_1" });
    expect(error.message).toBe(
      `Could not download the result of job_1 (GET ${api.url}/v1/jobs/job_1/content: a result of type video/webm, ` +
        `not video/mp4 or application/octet-stream (HTTP 200): an answer @decart/core ${VERSION} does not know ` +
        `(upgrade @decart/cli)); it stays on the server: after the upgrade, run ` +
        printed(env, "jobs", "result", "job_1", "-o", out),
    );
  });
});
