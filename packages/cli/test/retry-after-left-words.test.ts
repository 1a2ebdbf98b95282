/**
 * A `Retry-After` (2 s) within `--timeout` (3 s) but past what is left of it (the answer came 1.5 s in) fails at once,
 * and the message says why: more than was left of `--timeout`, how much was left of how much, not sent again. (It said
 * only "the server asked to wait 2 s (Retry-After): run the command again after …", as if it had not fitted at all.)
 * The CLI's clocks stand still but for 1.5 s at each request's start, so what was left is 1.5 s exactly, however long
 * the machine takes.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { RateLimitError } from "@decart/core";
import { describe, expect, it } from "vitest";
import { retryAfter } from "../src/errors.js";
import { fastRetries, preloads } from "./helpers.js";
import { type AnsweringAll, failedAfterOneRequest, useRateLimited } from "./servers.js";

/** Every request answered 429 with `Retry-After: 2`. */
let server: AnsweringAll;
let dir: string;
useRateLimited(2, (f) => ({ server, dir } = f));

/** `Date.now` and `performance.now` still, but 1.5 s on as each HTTP request starts; `--timeout`'s timer never due. */
const stillClock = () => {
  const module = join(dir, "still-slow-answers.mjs");
  writeFileSync(
    module,
    `import { subscribe } from "node:diagnostics_channel";
const wall = Date.now();
const steady = performance.now();
let offset = 0;
Date.now = () => wall + offset;
performance.now = () => steady + offset;
AbortSignal.timeout = () => new AbortController().signal;
const step = () => {
  offset += 1500;
};
const fetch = globalThis.fetch;
globalThis.fetch = (...args) => {
  step();
  return fetch(...args);
};
subscribe("http.client.request.start", step);
`,
  );
  return { NODE_OPTIONS: `--import=${pathToFileURL(module).href}` };
};

describe("a Retry-After past what is left of --timeout", () => {
  for (const args of [
    ["jobs", "submit", "A lake"],
    ["jobs", "status", "job_abc"],
    ["image", "A lighthouse", "-o", "limited.png"],
  ]) {
    it(`${args.slice(0, 2).join(" ")} --timeout 3: says it was more than was left (1.5 s of 3 s)`, async () => {
      const error = await failedAfterOneRequest(server, dir, args, "3", preloads(stillClock(), fastRetries(dir)));
      expect(error).toMatchObject({ type: "error", code: "RATE_LIMIT" });
      expect(error.message).toMatch(
        /; the server asked to wait 2 s \(Retry-After\), more than was left of --timeout \(1\.5 s of 3 s\), so it was not sent again: run the command again after \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
      );
    });
  }

  it("is said in tenths of a second rounded down, none when nothing was left; a wait that fitted is said as it was", () => {
    const error = new RateLimitError("Too many requests (HTTP 429)", { retryAfterMs: 2000 });
    const at = Date.UTC(2026, 11, 7, 10, 0, 0);
    expect(retryAfter(error, at, 3000, 1999)).toBe(
      "the server asked to wait 2 s (Retry-After), more than was left of --timeout (1.9 s of 3 s), so it was not " +
        "sent again: run the command again after 2026-12-07T10:00:02Z",
    );
    expect(retryAfter(error, at, 3000, -5)).toContain("(0 s of 3 s)");
    expect(retryAfter(error, at, 3000, 2000)).toBe(
      "the server asked to wait 2 s (Retry-After): run the command again after 2026-12-07T10:00:02Z",
    );
  });
});
