/**
 * A batch line refused by 429s without a Retry-After, to every try: its error says to run the batch again with
 * --resume in a while (nothing was made), and the summary says the same, not to fix the line. Against a server made
 * for it, which answers every request 429 without a Retry-After (one line: no other request shares the client's gate).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, type Loopback, listenOnLoopback, run, useEmulator } from "./helpers.js";

let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ env, dir } = f), { ownDir: true });

let limiter: Loopback;
beforeAll(async () => {
  limiter = await listenOnLoopback((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(429, { "content-type": "application/json", "x-request-id": "req_bare" });
      res.end('{"detail":"Too many requests"}');
    });
  });
});
afterAll(() => limiter?.close());

describe("a batch line refused by 429s without a Retry-After", () => {
  it("the line and the summary both say to run the batch again with --resume, not to fix it", async () => {
    const path = join(dir, "b.jsonl");
    writeFileSync(path, `${JSON.stringify({ custom_id: "lake", prompt: "A lake" })}\n`);
    // (The client's own backoff, in real time. Should a try be held past the client's 60 s budget, the line ends on
    // that hold, told with a time: the same advice.)
    const at = { ...env, DECART_BASE_URL: limiter.url };
    const first = await run(["batch", path, "--out", join(dir, "out")], { env: at });
    expect(first.code, first.stderr).toBe(6);
    const failed = events(first.stdout).find((e) => e.type === "line_failed");
    expect(failed?.error).toContain("run the batch again with --resume");
    expect(first.stderr).not.toContain("fix and run them again");
    expect(first.stderr).toMatch(
      /1 failed line\(s\) were refused by the server's rate limit .*in a while.* --resume$/m,
    );
  });
});
