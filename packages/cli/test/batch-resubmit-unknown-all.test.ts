/**
 * `--resume --resubmit-unknown` sends again every line whose outcome is unknown, video and image lines alike, not one
 * alone: where a line's error or the summary offers it, the words say so, and how to send only some (a file of just
 * those lines, run as a batch with another --out), which sends only those. Against the emulator, through a proxy that
 * answers a request whose prompt holds `UNKNOWN` with 500 (its outcome unknown) while the test says so.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, type Loopback, listenOnLoopback, printed, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f), { ownDir: true });

let failing = true;
let proxy: Loopback;
beforeAll(async () => {
  const base = new URL(emu.url);
  proxy = await listenOnLoopback((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (failing && req.method === "POST" && body.includes("UNKNOWN")) {
        res.writeHead(500, { "content-type": "application/json", "x-request-id": "req_unknown" });
        res.end('{"detail":"boom"}');
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

const SOME =
  "video and image lines alike; to send only some, put those lines in a file of their own and run it as a batch, " +
  "with another --out)";

describe("--resubmit-unknown", () => {
  it("is offered as sending every unknown line; a file of one of them, run as a batch, sends that one", async () => {
    const file = join(dir, "b.jsonl");
    writeFileSync(
      file,
      [
        { custom_id: "lake", prompt: "A lake" },
        { custom_id: "snow", prompt: "UNKNOWN snow" },
        { custom_id: "poster", model: "lucy-pro-t2i", prompt: "UNKNOWN poster" },
      ]
        .map((line) => `${JSON.stringify(line)}\n`)
        .join(""),
    );
    const at = { ...env, DECART_BASE_URL: proxy.url };
    const out = join(dir, "out");
    const resubmit = `${printed(at, "batch", file, "--out", out, "--resume")} --resubmit-unknown`;
    const first = await run(["batch", file, "--out", out], { env: at });
    expect(first.code, first.stderr).toBe(6);
    // The summary's two offers (the video line's, the image line's): each says it sends both lines.
    const all = `${resubmit} (it sends again the 2 line(s) of ${join(out, "unknown.jsonl")}, ${SOME}`;
    expect(first.stderr.split(all)).toHaveLength(3);

    // --resume leaves them unsent, each line's error offering the command for all.
    const resumed = await run(["batch", file, "--out", out, "--resume"], { env: at });
    const failed = events(resumed.stdout).filter((e) => e.type === "line_failed");
    expect(failed.map((e) => e.custom_id).sort()).toEqual(["poster", "snow"]);
    for (const line of failed)
      expect(line.error).toContain(
        `${resubmit} (it sends again every line whose outcome is unknown, not this one alone, ${SOME}`,
      );

    // Only the video line, in a file of its own: one job, no image asked for.
    failing = false;
    const unknown = readFileSync(join(out, "unknown.jsonl"), "utf8").split("\n");
    const some = join(dir, "some.jsonl");
    writeFileSync(some, `${unknown.find((line) => line.includes('"snow"'))}\n`);
    emu.resetStats();
    const one = await run(["batch", some, "--out", join(dir, "some")], { env: at });
    expect(one.code, one.stderr).toBe(0);
    expect(emu.stats().jobsCreated).toBe(1);
    expect(emu.stats().requests.byRoute.process ?? 0).toBe(0);

    // The command offered: both lines, the image too.
    emu.resetStats();
    const both = await run(resubmit.split(" ").slice(1), { env: at });
    expect(both.code, both.stderr).toBe(0);
    expect(emu.stats().jobsCreated).toBe(1);
    expect(emu.stats().requests.byRoute.process).toBe(1);
    expect(events(both.stdout).filter((e) => e.type === "saved" && e.custom_id === "poster")).toHaveLength(1);
  });
});
