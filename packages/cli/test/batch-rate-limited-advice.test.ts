/**
 * A batch whose lines a 429 refused with a Retry-After beyond what the CLI waits (no job, no image made): each line's
 * error, and the summary, give a command that works, `… batch <file> --out <dir> --resume` (the same command without
 * `--resume` is refused once another line has a job), and one time to run it after: when the last of the server's
 * waits ends. The summary does not send those lines to be fixed. Against the emulator, through a proxy that answers a
 * submit whose prompt says `LIMITED<seconds>` with 429 and that Retry-After while the test limits.
 */
import { writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, fastRetries, type Loopback, listenOnLoopback, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f), { ownDir: true });

let limiting = true;
let proxy: Loopback;
beforeAll(async () => {
  const base = new URL(emu.url);
  proxy = await listenOnLoopback((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const asked = limiting && req.method === "POST" ? /LIMITED(\d+)/.exec(body.toString("latin1")) : null;
      if (asked) {
        res.writeHead(429, { "content-type": "application/json", "retry-after": asked[1], "x-request-id": "req_ra" });
        res.end('{"detail":"slow down"}');
        return;
      }
      const forward = request(
        new URL(req.url!, base),
        { method: req.method, headers: { ...req.headers, host: base.host } },
        (answer) => {
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on("error", () => res.destroy());
      forward.end(body);
    });
  });
});
afterAll(() => proxy?.close());

/** The time a message says to run after (`after 2026-12-08T01:02:03Z`). */
const afterOf = (text: string): string => /after (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)/.exec(text)![1]!;

describe("a batch's lines refused by a long Retry-After", () => {
  it("say to run the batch again with --resume, after the last wait's end; that command sends them", async () => {
    const path = join(dir, "b.jsonl");
    writeFileSync(
      path,
      [
        { custom_id: "lake", prompt: "A lake" },
        { custom_id: "short", prompt: "LIMITED900 snow" },
        { custom_id: "long", prompt: "LIMITED1800 rain" },
        { custom_id: "poster", model: "lucy-pro-t2i", prompt: "LIMITED900 a poster" },
      ]
        .map((line) => `${JSON.stringify(line)}\n`)
        .join(""),
    );
    const at = { ...env, DECART_BASE_URL: proxy.url, ...fastRetries(dir) };
    const first = await run(["batch", path, "--out", join(dir, "out"), "--concurrency", "1"], { env: at });
    expect(first.code, first.stderr).toBe(6);
    const failed = events(first.stdout).filter((e) => e.type === "line_failed");
    expect(failed.map((e) => e.custom_id).sort()).toEqual(["long", "poster", "short"]);
    for (const line of failed) {
      expect(line.error).toMatch(/so it was not sent again: run the batch again with --resume after \d{4}-/);
      expect(line.error).not.toContain("run the command again");
    }
    // One time: the latest of the lines' (the 1800 s wait's).
    const last = failed
      .map((e) => afterOf(e.error))
      .sort()
      .at(-1)!;
    expect(afterOf(failed.find((e) => e.custom_id === "long")!.error)).toBe(last);
    const advice = /refused by the server's rate limit .*\(after (\S+)\), run: (decart .*)$/m.exec(first.stderr);
    expect(advice, first.stderr).not.toBeNull();
    expect(advice![1]).toBe(last);
    expect(first.stderr).not.toContain("fix and run them again");
    const again = advice![2]!;
    expect(again).toMatch(/ batch \S+ --out \S+ --concurrency 1 --resume$/);

    // Run as printed, once the server takes them: the three lines are sent, the finished one is not.
    limiting = false;
    emu.resetStats();
    const resumed = await run(again.split(" ").slice(1), { env: at });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(events(resumed.stdout).at(-1)).toMatchObject({ type: "summary", total: 4, completed: 4, failed: 0 });
    expect(emu.stats().jobsCreated).toBe(2);
    // The command without --resume, which the old advice said to run, is refused: a line has a job.
    const plain = await run(
      again
        .split(" ")
        .slice(1)
        .filter((word) => word !== "--resume"),
      { env: at },
    );
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain("add --resume");
  });
});
