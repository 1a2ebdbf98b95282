/**
 * `image` and `jobs submit` wait between their tries (a 429's or 503's `Retry-After`) within `--timeout` itself: a
 * `Retry-After` past `--timeout` fails at once (exit 1, one request, the message saying so), also one past it by less
 * than a second, which was waited for and then ended by `--timeout` (exit 5).
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type AnsweringAll, failedAfterOneRequest, useRateLimited } from "./servers.js";

/** Every request answered 429 with `Retry-After: 3`. */
let server: AnsweringAll;
let dir: string;
useRateLimited(3, (f) => ({ server, dir } = f));

describe("a Retry-After past --timeout by less than a second fails at once", () => {
  for (const [args, timeout] of [
    [["jobs", "submit", "A lake"], "2"],
    [["jobs", "submit", "A lake"], "2.5"],
    [["image", "A lighthouse", "-o", "limited.png"], "2"],
    [["image", "A lighthouse", "-o", "limited.png"], "2.5"],
  ] as const) {
    it(`${args.slice(0, 2).join(" ")} --timeout ${timeout}, Retry-After: 3: exit 1, one request, said so`, async () => {
      // A journal of the test's own.
      const journal = { DECART_JOURNAL: join(dir, `${args[0]}-${timeout}.jsonl`) };
      const error = await failedAfterOneRequest(server, dir, [...args], timeout, journal);
      expect(error).toMatchObject({ type: "error", exit_code: 1, code: "RATE_LIMIT", request_id: "req_limited" });
      expect(error.message).toContain(
        `the server asked to wait 3 s (Retry-After), more than the CLI waits for a request (${timeout} s, its ` +
          "--timeout), so it was not sent again",
      );
    });
  }
});
