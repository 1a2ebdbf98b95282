/**
 * `image`'s `saved` event gives the image's type as its bytes tell it (the type its name follows), not the answer's
 * label (which it gives as `server_content_type`, as a video's does, and a batch's image line too); an `-o` whose extension names another image type is written as given, with a warning on stderr (not an
 * error). A purpose-built server: the emulator labels its images rightly.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { events, KEY, type Loopback, listenOnLoopback, run, tempDir } from "./helpers.js";

// A JPEG (its start-of-image, a JFIF segment, its end-of-image).
const jpeg = Buffer.from("ffd8ffe000104a46494600010100000100010000ffd9", "hex");
/** A PNG of one pixel. */
const png = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);

/** Content-Type labels an answer may carry, and the media type `server_content_type` gives for each. */
const LABELS = [
  ["image/png", "image/png"],
  ["Image/JPEG; q=1", "image/jpeg"],
  ["application/octet-stream", "application/octet-stream"],
];

let api: Loopback;
let dir: { dir: string; remove: () => void };
let label: string;
/** The image the server answers with (a JPEG unless a test says otherwise). */
let body: Buffer;
beforeEach(async () => {
  body = jpeg;
  dir = tempDir();
  api = await listenOnLoopback((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": label, "x-request-id": "req_jpeg" });
      res.end(body);
    });
  });
});
afterEach(async () => {
  await api.close();
  dir.remove();
});
const image = (...args: string[]) =>
  run(["image", "A lighthouse", ...args], {
    env: { DECART_API_KEY: KEY, DECART_BASE_URL: api.url, DECART_JOURNAL: join(dir.dir, "jobs.jsonl") },
    cwd: dir.dir,
  });

describe("an image's type is what its bytes say", () => {
  it("a JPEG labelled image/png: saved as .jpg, the saved event's content_type image/jpeg, no warning", async () => {
    label = "image/png";
    const result = await image();
    expect(result.code, result.stderr).toBe(0);
    const [saved, ...rest] = events(result.stdout);
    expect(rest).toEqual([]);
    expect(saved).toMatchObject({ type: "saved", bytes: jpeg.length, content_type: "image/jpeg" });
    expect(saved!.path).toMatch(/\.jpg$/);
    expect(readFileSync(saved!.path as string)).toEqual(jpeg);
    expect(result.stderr).not.toContain("its bytes say so");
  });

  it.each(LABELS)(
    "labelled %s: the saved event's server_content_type %s, as a video's, its content_type the bytes'",
    async (given, told) => {
      label = given;
      const result = await image();
      expect(result.code, result.stderr).toBe(0);
      expect(events(result.stdout).find((e) => e.type === "saved")).toMatchObject({
        content_type: "image/jpeg",
        server_content_type: told,
      });
    },
  );

  it.each(LABELS)(
    "a batch's image line labelled %s: its saved event's server_content_type %s, as `image`'s",
    async (given, told) => {
      label = given;
      const lines = join(dir.dir, "b.jsonl");
      writeFileSync(lines, `${JSON.stringify({ custom_id: "a", model: "lucy-pro-t2i", prompt: "A lighthouse" })}\n`);
      const result = await run(["batch", lines, "--out", join(dir.dir, "out")], {
        env: { DECART_API_KEY: KEY, DECART_BASE_URL: api.url, DECART_JOURNAL: join(dir.dir, "jobs.jsonl") },
        cwd: dir.dir,
      });
      expect(result.code, result.stderr).toBe(0);
      expect(events(result.stdout).find((e) => e.type === "saved")).toMatchObject({
        custom_id: "a",
        bytes: jpeg.length,
        server_content_type: told,
      });
    },
  );

  it("-o x.png answered with a JPEG: written there as given, with a warning naming both types", async () => {
    label = "image/jpeg";
    const out = join(dir.dir, "x.png");
    const result = await image("-o", out);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(out)).toEqual(jpeg);
    expect(events(result.stdout)).toEqual([
      {
        type: "saved",
        model: "lucy-pro-t2i",
        path: out,
        bytes: jpeg.length,
        content_type: "image/jpeg",
        server_content_type: "image/jpeg",
      },
    ]);
    expect(result.stderr).toContain(
      `The image is a JPEG (its bytes say so), but -o ${out} names a .png file: written there all the same (a .jpg ` +
        "name would fit it)",
    );
    expect(readdirSync(dir.dir).sort()).toEqual(["x.png"]);
  });

  it("-o with an extension of its type (.jpeg, .JPG) or of none: no warning", async () => {
    label = "image/png";
    for (const name of ["x.jpeg", "x.JPG", "x.out", "x"]) {
      const result = await image("-o", join(dir.dir, name));
      expect(result.code, result.stderr).toBe(0);
      expect(events(result.stdout)[0], name).toMatchObject({ type: "saved", content_type: "image/jpeg" });
      expect(result.stderr, name).not.toContain("its bytes say so");
    }
  });

  it("-o x.apng (an animated PNG's name) answered with a PNG: no warning; -o x.gif or x.jpe: warned", async () => {
    // Each type's extensions are mime-db's (`.apng` an animated PNG's, which is a PNG): before, a hand-written list
    // warned of `.apng` as another type.
    label = "image/png";
    body = png;
    for (const name of ["x.apng", "x.APNG", "x.png"]) {
      const result = await image("-o", join(dir.dir, name));
      expect(result.code, result.stderr).toBe(0);
      expect(events(result.stdout)[0], name).toMatchObject({ type: "saved", content_type: "image/png" });
      expect(result.stderr, name).not.toContain("its bytes say so");
    }
    for (const name of ["x.gif", "x.jpe"]) {
      const result = await image("-o", join(dir.dir, name));
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr, name).toContain(
        `The image is a PNG (its bytes say so), but -o ${join(dir.dir, name)} names a .${name.slice(2)} file`,
      );
    }
  });

  it("-o x.jfif, .jfi, .jif, .pjpeg, .pjp (a JPEG's names, which mime-db lacks): no warning for a JPEG; warned for a PNG", async () => {
    label = "image/jpeg";
    for (const name of ["x.jfif", "x.JFIF", "x.jfi", "x.jif", "x.pjpeg", "x.pjp"]) {
      const result = await image("-o", join(dir.dir, name));
      expect(result.code, result.stderr).toBe(0);
      expect(events(result.stdout)[0], name).toMatchObject({ type: "saved", content_type: "image/jpeg" });
      expect(result.stderr, name).not.toContain("its bytes say so");
    }
    body = png;
    for (const extension of [".jfif", ".jfi", ".jif", ".pjpeg", ".pjp"]) {
      const out = join(dir.dir, `y${extension}`);
      const result = await image("-o", out);
      expect(result.code, result.stderr).toBe(0);
      expect(readFileSync(out)).toEqual(png);
      expect(result.stderr).toContain(
        `The image is a PNG (its bytes say so), but -o ${out} names a ${extension} file: written there all the same ` +
          "(a .png name would fit it)",
      );
    }
  });
});
