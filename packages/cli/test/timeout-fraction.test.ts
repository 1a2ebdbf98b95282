/**
 * `--timeout` with a fraction of a millisecond (`2.0005`) is that many whole milliseconds, the fraction dropped, never
 * rounded up: the message of a `Retry-After` past it names `2 s`, not `2.001 s`, which is more than was given.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timeoutMs } from "../src/numbers.js";
import { events, type Loopback, listenOnLoopback, run, tempDir } from "./helpers.js";

let limited: Loopback;
const temp = tempDir();
beforeAll(async () => {
  // Every request answered 429 with `Retry-After: 3`.
  limited = await listenOnLoopback((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(429, { "content-type": "application/json", "retry-after": "3", "x-request-id": "req_limited" });
      res.end(JSON.stringify({ detail: "Too many requests" }));
    });
  });
});
afterAll(async () => {
  await limited?.close();
  temp.remove();
});

describe("--timeout with a fraction of a millisecond", () => {
  it("is whole milliseconds, never more than given", () => {
    for (const [given, ms] of [
      ["2.0005", 2000],
      ["2.9999", 2999],
      ["0.0019", 1],
      ["2.3", 2300],
      ["0.001", 1],
      [".5", 500],
      ["5.", 5000],
      ["2147483", 2_147_483_000],
    ] as const) {
      expect(timeoutMs(given), given).toBe(ms);
    }
  });

  it("jobs submit --timeout 2.0005, Retry-After of 3 s: the message names 2 s, not 2.001 s", async () => {
    const env = {
      DECART_API_KEY: "dct_test_retry_after",
      DECART_BASE_URL: limited.url,
      DECART_JOURNAL: join(temp.dir, "journal.jsonl"),
    };
    const { code, stdout, stderr } = await run(["jobs", "submit", "A lake", "--timeout", "2.0005"], { env });
    expect(code, stderr).toBe(1);
    const error = events(stdout).at(-1)!;
    expect(error).toMatchObject({ type: "error", exit_code: 1, code: "RATE_LIMIT" });
    expect(error.message).toContain(
      "the server asked to wait 3 s (Retry-After), more than the CLI waits for a request (2 s, its --timeout), so it " +
        "was not sent again",
    );
  });
});
