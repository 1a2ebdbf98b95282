import { describe, expect, it } from "vitest";
import { childEnv, events, KEY, listenOnLoopback, run } from "./helpers.js";

// A 404 that may be of a wrong URL (here the bare "Not Found" of a path no route serves, with a base URL ending in
// /v1) says what to check in the CLI's words: its flag and variable, not the client's option.
describe("a 404 of a base URL ending in /v1", () => {
  it("names --base-url and DECART_BASE_URL, not baseUrl", async () => {
    const api = await listenOnLoopback((_req, res) =>
      res.writeHead(404, { "content-type": "application/json" }).end('{"detail":"Not Found"}'),
    );
    try {
      const result = await run(["jobs", "status", "job_abc", "--json"], {
        env: childEnv({ DECART_API_KEY: KEY, DECART_BASE_URL: `${api.url}/v1` }),
      });
      expect(result.code, result.stderr).toBe(1);
      const words =
        `Not Found (HTTP 404); GET ${api.url}/v1/v1/jobs/job_abc: if it is no route of the API, check --base-url or ` +
        "DECART_BASE_URL (the API's root: the CLI adds /v1/…)";
      expect(events(result.stdout).at(-1)).toMatchObject({ type: "error", code: "NOT_FOUND", message: words });
      expect(result.stderr).toBe(`decart: ${words}\n`);
    } finally {
      await api.close();
    }
  });
});
