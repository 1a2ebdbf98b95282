/**
 * `--timeout` is the whole budget of `jobs submit`, `jobs status` and `image`: the client's tries count in it, not only
 * its waits between them. A 429 whose `Retry-After` (2 s) is within `--timeout` (3 s) but past what is left of it (the
 * answer came 1.5 s in, on the CLI's clock: see `slow-answers.mjs`) fails at once, exit 1, one request, not sent again.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { fastRetries, preloads } from "./helpers.js";
import { type AnsweringAll, failedAfterOneRequest, useRateLimited } from "./servers.js";

/** Every request answered 429 with `Retry-After: 2`. */
let server: AnsweringAll;
let dir: string;
useRateLimited(2, (f) => ({ server, dir } = f));

/** Each request answered 1.5 s in on the CLI's clock; the client's waits cut short (a retry, were one made, is quick). */
const slow = () =>
  preloads(
    { NODE_OPTIONS: `--import=${pathToFileURL(join(import.meta.dirname, "slow-answers.mjs")).href}` },
    fastRetries(dir),
  );

describe("a Retry-After past what is left of --timeout fails at once", () => {
  for (const args of [
    ["jobs", "submit", "A lake"],
    ["jobs", "status", "job_abc"],
    ["image", "A lighthouse", "-o", "limited.png"],
  ]) {
    it(`${args.slice(0, 2).join(" ")} --timeout 3, answered 1.5 s in with Retry-After: 2: exit 1, one request`, async () => {
      const error = await failedAfterOneRequest(server, dir, args, "3", slow());
      expect(error).toMatchObject({ type: "error", exit_code: 1, code: "RATE_LIMIT", request_id: "req_limited" });
      // (What was left in words: retry-after-left-words.test.ts, on a clock that stands still.)
      expect(error.message).toContain("the server asked to wait 2 s (Retry-After), more than was left of --timeout (");
    });
  }
});
