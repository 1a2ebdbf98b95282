/**
 * A batch's image line that fails once its request was answered with success (the answer is no image, or the image
 * cannot be written) carries that answer's request id, which support finds the image by, as every other failed line
 * carries its own: `request_id` in `line_failed` and `results.jsonl`, and in its error. The journal keeps that answer
 * with the line's request (left unsettled: an image was made): `jobs list`, a run again without --resume (refused, the
 * request said to be answered) and --resume (the line not asked for again) tell it.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, proxyTo, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f), { ownDir: true });

/** Takes over an answer it answers true for (the emulator's answer come: the image made). */
let takeOver: ((req: IncomingMessage, res: ServerResponse, answer: IncomingMessage) => boolean) | undefined;
let proxy: { url: string; close: () => Promise<void> };
beforeAll(async () => {
  proxy = await proxyTo(emu.url, (req, res, answer) => takeOver?.(req, res, answer) ?? false);
});
afterAll(() => proxy?.close());

const isImage = (req: IncomingMessage) => req.method === "POST" && req.url!.startsWith("/v1/generate/");
const image = (customId: string, prompt: string) =>
  JSON.stringify({ custom_id: customId, model: "lucy-pro-t2i", prompt });

describe("a batch's image line answered with success, its image not kept", () => {
  it("carries its answer's request id: an answer that is no image, an image that cannot be written", async () => {
    const out = join(dir, "out");
    const file = join(dir, "lines.jsonl");
    writeFileSync(file, `${[image("page", "a page"), image("disk", "a directory in the way")].join("\n")}\n`);
    // One request at a time, told apart by their order: 1 answered 200 with a page as bytes of no type (no image), 2
    // answered with the emulator's image once a directory took the image's place.
    let n = 0;
    const ids: string[] = [];
    takeOver = (req, res, answer) => {
      if (!isImage(req)) return false;
      n++;
      if (n === 1) {
        ids.push("req_page_answered_200");
        answer.resume();
        res.writeHead(200, { "content-type": "application/octet-stream", "x-request-id": ids[0]! });
        res.end("<html><body>Not an image</body></html>");
        return true;
      }
      ids.push(answer.headers["x-request-id"] as string);
      mkdirSync(join(out, "disk.png"), { recursive: true });
      return false;
    };
    const ran = await run(["batch", file, "--out", out, "-c", "1"], { env: { ...env, DECART_BASE_URL: proxy.url } });
    takeOver = undefined;
    expect(ran.code, ran.stderr).toBe(6);
    expect(n).toBe(2);
    expect(ids[1]).toMatch(/^req_/);

    const failed = events(ran.stdout).filter((e) => e.type === "line_failed");
    expect(failed.map((e) => [e.custom_id, e.outcome_unknown, e.request_id])).toEqual([
      ["page", true, ids[0]],
      ["disk", true, ids[1]],
    ]);
    for (const [i, e] of failed.entries()) {
      expect(e.error).toContain(
        `the server answered the request with success, so an image was made (and billed; support can find it by its request id, ${ids[i]}), but`,
      );
    }
    expect(resultLines(out).map((r) => [r.custom_id, r.request_id])).toEqual([
      ["page", ids[0]],
      ["disk", ids[1]],
    ]);

    // The journal holds each answer (its request stays unsettled): `jobs list` shows its request id.
    const list = await run(["jobs", "list"], { env });
    expect(list.code, list.stderr).toBe(0);
    expect(
      events(list.stdout)
        .filter((e) => e.type === "unknown_submit")
        .map((e) => [e.custom_id, e.kind, e.request_id]),
    ).toEqual([
      ["page", "image", ids[0]],
      ["disk", "image", ids[1]],
    ]);

    // Run again without --resume (the directory in the way gone): refused, as answered with success (not as a run killed
    // while it waited), nothing sent.
    rmSync(join(out, "disk.png"), { recursive: true });
    const runEnv = { ...env, DECART_BASE_URL: proxy.url };
    const again = await run(["batch", file, "--out", out], { env: runEnv });
    expect(again.code, again.stderr).toBe(2);
    expect(again.stderr).toContain(
      "2 of them an image request answered HTTP 200, its image not kept: add --resume to finish the batch",
    );
    expect(again.stderr).not.toContain("never recorded");

    // --resume: not asked for again; each line keeps its request id, in its error, line_failed and results.jsonl.
    const resumed = await run(["batch", file, "--out", out, "--resume"], { env: runEnv });
    expect(resumed.code, resumed.stderr).toBe(6);
    expect(n).toBe(2);
    // (In the order given: a resumed batch's lines end in any order.)
    const order = ["page", "disk"];
    const left = events(resumed.stdout)
      .filter((e) => e.type === "line_failed")
      .sort((a, b) => order.indexOf(a.custom_id) - order.indexOf(b.custom_id));
    expect(left.map((e) => [e.custom_id, e.outcome_unknown, e.request_id])).toEqual([
      ["page", true, ids[0]],
      ["disk", true, ids[1]],
    ]);
    for (const [i, e] of left.entries()) {
      expect(e.error).toContain("no image of it was kept (HTTP 200: answered with success: ");
      expect(e.error).toContain(`support can find it by its request id, ${ids[i]})`);
    }
    expect(
      resultLines(out)
        .map((r) => [r.custom_id, r.request_id])
        .sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0])),
    ).toEqual([
      ["page", ids[0]],
      ["disk", ids[1]],
    ]);
  });
});

const resultLines = (out: string) =>
  readFileSync(join(out, "results.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
