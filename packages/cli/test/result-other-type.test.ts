/**
 * A completed job whose result is served in a video type the client does not take (`video/webm`,
 * `video/quicktime`): `jobs result` would be refused the same, so the command printed comes after the words that say
 * to upgrade. A purpose-built server: the emulator serves results as `video/mp4`.
 */
import { join } from "node:path";
import { VERSION } from "@decart/core";
import { describe, expect, it } from "vitest";
import { events, KEY, printed, run, useTypedResultServer } from "./helpers.js";

const server = useTypedResultServer();

describe("a result in a video type the client does not take", () => {
  it.each(["video/webm", "video/quicktime"])("%s: exit 1, the remedy an upgrade, then jobs result", async (served) => {
    server.type = served;
    const env = { DECART_API_KEY: KEY, DECART_BASE_URL: server.url, DECART_JOURNAL: join(server.dir, "jobs.jsonl") };
    const out = join(server.dir, "lake.mp4");
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
    server.type = "video/webm";
    const env = { DECART_API_KEY: KEY, DECART_BASE_URL: server.url, DECART_JOURNAL: join(server.dir, "jobs.jsonl") };
    const out = join(server.dir, "result.mp4");
    const result = await run(["jobs", "result", "job_1", "-o", out], { env });
    expect(result.code, result.stderr).toBe(1);
    const error = events(result.stdout).at(-1)!;
    expect(error).toMatchObject({ type: "error", exit_code: 1, code: "INVALID_RESPONSE", job_id: "job_1" });
    expect(error.message).toBe(
      `Could not download the result of job_1 (GET ${server.url}/v1/jobs/job_1/content: a result of type video/webm, ` +
        `not video/mp4 or application/octet-stream (HTTP 200): an answer @decart/core ${VERSION} does not know ` +
        `(upgrade @decart/cli)); it stays on the server: after the upgrade, run ` +
        printed(env, "jobs", "result", "job_1", "-o", out),
    );
  });
});
