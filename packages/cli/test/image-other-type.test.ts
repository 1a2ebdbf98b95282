/**
 * `image` answered with an image type the spec does not list for the Process API (`image/webp`, `image/avif`): the
 * client hands the image on whole with its error, and the CLI keeps it when its bytes are a whole image it saves (a
 * WebP: saved as `.webp`, as one sent as `application/octet-stream` is); else (an AVIF) it says to upgrade and saves
 * nothing. A purpose-built server: the emulator answers the spec's types.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { events, KEY, type Loopback, listenOnLoopback, run, tempDir } from "./helpers.js";

// A whole WebP (its RIFF size the file's), and the start of an AVIF.
const webp = Buffer.concat([
  Buffer.from("RIFF"),
  Buffer.from([100, 0, 0, 0]),
  Buffer.from("WEBPVP8 "),
  Buffer.alloc(92, 3),
]);
const avif = Buffer.concat([Buffer.from([0, 0, 0, 0x1c]), Buffer.from("ftypavif"), Buffer.alloc(100, 2)]);

let api: Loopback;
let dir: { dir: string; remove: () => void };
let answer: [string, Buffer];
beforeEach(async () => {
  dir = tempDir();
  api = await listenOnLoopback((req, res) => {
    req.resume();
    res.writeHead(200, { "content-type": answer[0], "x-request-id": "req_avif" });
    res.end(answer[1]);
  });
});
afterEach(async () => {
  await api.close();
  dir.remove();
});
const image = (out: string) =>
  run(["image", "A lighthouse", "-o", out], {
    env: { DECART_API_KEY: KEY, DECART_BASE_URL: api.url, DECART_JOURNAL: join(dir.dir, "jobs.jsonl") },
  });

describe("an image of a type the spec does not list for process", () => {
  it("a whole WebP labelled image/webp: saved (the image made and billed is kept)", async () => {
    answer = ["image/webp", webp];
    const out = join(dir.dir, "light.webp");
    const result = await image(out);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(out)).toEqual(webp);
  });

  it("a WebP cut short: not saved, the client's error", async () => {
    answer = ["image/webp", webp.subarray(0, 60)];
    const out = join(dir.dir, "cut.webp");
    const result = await image(out);
    expect(result.code, result.stderr).toBe(1);
    expect(existsSync(out)).toBe(false);
  });

  it("an AVIF: exit 1, nothing saved, the message names the type and the upgrade", async () => {
    answer = ["image/avif", avif];
    const out = join(dir.dir, "light.png");
    const result = await image(out);
    expect(result.code, result.stderr).toBe(1);
    expect(existsSync(out)).toBe(false);
    const error = events(result.stdout).at(-1)!;
    expect(error).toMatchObject({ type: "error", code: "INVALID_RESPONSE" });
    expect(error.message).toMatch(
      /: an image of type image\/avif, which @decart\/core \S+ does not take \(upgrade @decart\/cli\) \(HTTP 200, request req_avif\); nothing was saved$/,
    );
  });
});

describe("a batch's image line answered with an image type the spec does not list for process", () => {
  const batch = async (name: string) => {
    const file = join(dir.dir, `${name}.jsonl`);
    writeFileSync(file, `${JSON.stringify({ custom_id: name, model: "lucy-pro-t2i", prompt: "A lighthouse" })}\n`);
    const out = join(dir.dir, "out");
    const result = await run(["batch", file, "--out", out], {
      env: { DECART_API_KEY: KEY, DECART_BASE_URL: api.url, DECART_JOURNAL: join(dir.dir, "jobs.jsonl") },
    });
    return { result, out };
  };

  it("a whole WebP labelled image/webp: kept as <custom_id>.webp, the line completed, as decart image keeps it", async () => {
    answer = ["image/webp", webp];
    const { result, out } = await batch("light");
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(out, "light.webp"))).toEqual(webp);
    expect(events(result.stdout).find((e) => e.type === "line_completed")).toMatchObject({
      custom_id: "light",
      path: join(out, "light.webp"),
    });
  });

  it("a WebP cut short: the line fails with the client's error, nothing saved", async () => {
    answer = ["image/webp", webp.subarray(0, 60)];
    const { result, out } = await batch("cut");
    expect(result.code, result.stderr).toBe(6);
    expect(existsSync(join(out, "cut.webp"))).toBe(false);
    expect(events(result.stdout).find((e) => e.type === "line_failed")?.error).toContain("image/webp");
  });
});
