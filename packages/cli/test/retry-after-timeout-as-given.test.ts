/**
 * A `Retry-After` past `--timeout` fails at once, and the message names `--timeout` in seconds as given (`2.5 s`,
 * `3600 s`), neither rounded up (`3 s`) nor put in other units (`60 min`), on each command whose client waits within
 * it (`image`, `jobs submit`, `jobs status`).
 */
import { join } from "node:path";
import { rateLimitedServer } from "test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, run, tempDir } from "./helpers.js";

/** A server answering every request 429 with `Retry-After: <wait>`. */
const limited = (wait: string) =>
  rateLimitedServer(0, { retryAfter: wait, requestId: "req_limited", limitReads: true });

let short: Awaited<ReturnType<typeof limited>>;
let long: Awaited<ReturnType<typeof limited>>;
const temp = tempDir();
beforeAll(async () => {
  short = await limited("3");
  long = await limited("7200");
});
afterAll(async () => {
  await short?.close();
  await long?.close();
  temp.remove();
});

describe("the message names --timeout in seconds as given", () => {
  for (const [args, timeout, wait] of [
    [["image", "A lighthouse", "-o", "limited.png"], "2.5", "3 s"],
    [["jobs", "submit", "A lake"], "2.5", "3 s"],
    [["image", "A lighthouse", "-o", "limited.png"], "3600", "2 h"],
    [["jobs", "submit", "A lake"], "3600", "2 h"],
    [["jobs", "status", "job_1"], "3600", "2 h"],
  ] as const) {
    it(`${args.slice(0, 2).join(" ")} --timeout ${timeout}, Retry-After of ${wait}: "${timeout} s"`, async () => {
      const env = {
        DECART_API_KEY: "dct_test_retry_after",
        DECART_BASE_URL: (wait === "3 s" ? short : long).url,
        DECART_JOURNAL: join(temp.dir, `${args[0]}-${args[1]}-${timeout}.jsonl`),
      };
      const { code, stdout, stderr } = await run([...args, "--timeout", timeout], { env, cwd: temp.dir });
      expect(code, stderr).toBe(1);
      const error = events(stdout).at(-1)!;
      expect(error).toMatchObject({ type: "error", exit_code: 1, code: "RATE_LIMIT", request_id: "req_limited" });
      expect(error.message).toContain(
        `the server asked to wait ${wait} (Retry-After), more than the CLI waits for a request (${timeout} s, its ` +
          "--timeout), so it was not sent again",
      );
    });
  }
});
