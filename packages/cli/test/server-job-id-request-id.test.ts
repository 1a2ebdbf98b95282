/**
 * A submit answered with a job id the CLI cannot take (see server-job-id.test.ts) is refused, and what tells of it
 * names the answer's request id (`x-request-id`), what support finds the answer, and the job, by: the error event's
 * `request_id`, a batch's `line_failed` and results.jsonl, the journal's record of the submit (`jobs list`).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, KEY, run, tempDir } from "./helpers.js";
import { type AnsweringAll, answeringAll } from "./servers.js";

/** Every submit answered 200 with the id `job 1` (a space: refused) and `x-request-id: req_bad`. */
let server: AnsweringAll;
const temp = tempDir();
beforeAll(async () => {
  server = await answeringAll(200, { "x-request-id": "req_bad" }, { job_id: "job 1", status: "queued" });
});
afterAll(async () => {
  await server?.close();
  temp.remove();
});

/** The `unknown_submit` entries `jobs list` shows of `journal`. */
async function listed(journal: string) {
  const { code, stdout, stderr } = await run(["jobs", "list"], {
    env: { DECART_API_KEY: KEY, DECART_BASE_URL: server.url, DECART_JOURNAL: journal },
  });
  expect(code, stderr).toBe(0);
  return events(stdout).filter((event) => event.type === "unknown_submit");
}

describe("a refused job id: the answer's request id is named", () => {
  for (const args of [
    ["video", "A lake"],
    ["jobs", "submit", "A lake"],
  ]) {
    it(`${args.slice(0, -1).join(" ")}: the error event's request_id, the journal's record`, async () => {
      server.requests.length = 0;
      const journal = join(temp.dir, `${args[0]}.jsonl`);
      const env = { DECART_API_KEY: KEY, DECART_BASE_URL: server.url, DECART_JOURNAL: journal };
      const { code, stdout, stderr } = await run([...args, ...(args[0] === "video" ? ["-o", "lake.mp4"] : [])], {
        env,
        cwd: temp.dir,
      });
      expect(code, stderr).toBe(1);
      expect(server.requests).toHaveLength(1);
      expect(events(stdout).at(-1)).toMatchObject({ type: "error", code: "INVALID_RESPONSE", request_id: "req_bad" });
      expect(await listed(journal)).toMatchObject([{ command: args.slice(0, -1).join(" "), request_id: "req_bad" }]);
    });
  }

  it("batch: line_failed, results.jsonl and the journal's record", async () => {
    server.requests.length = 0;
    const journal = join(temp.dir, "batch.jsonl");
    const out = join(temp.dir, "batch");
    const { code, stdout, stderr } = await run(["batch", "-", "--out", out], {
      env: { DECART_API_KEY: KEY, DECART_BASE_URL: server.url, DECART_JOURNAL: journal },
      input: `${JSON.stringify({ custom_id: "lake", prompt: "A lake" })}\n`,
    });
    expect(code, stderr).toBe(6);
    expect(server.requests).toHaveLength(1);
    expect(events(stdout).find((event) => event.type === "line_failed")).toMatchObject({
      custom_id: "lake",
      request_id: "req_bad",
      outcome_unknown: true,
    });
    const results = readFileSync(join(out, "results.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(results).toMatchObject([{ custom_id: "lake", status: "failed", request_id: "req_bad" }]);
    expect(await listed(journal)).toMatchObject([{ command: "batch", custom_id: "lake", request_id: "req_bad" }]);
  });
});
