/**
 * An `-o` whose extension names a media type other than the result's is written all the same, with a warning, by every
 * command that saves a result under a name given to it: `video`, `jobs wait` and `jobs result` (an MP4 as `.webm`,
 * `.gif`, `.png`, `.m4a`), and `image` (a PNG as `.mp4`). One of the result's type (`.mp4`, `.m4v`, `.MP4`) or of no
 * media type (`.out`, none) is not warned of.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { events, run, useEmulator } from "./helpers.js";

let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ env, dir } = f), { ownDir: true });

const warned = (out: string, extension: string) =>
  `The video will be an MP4 (video/mp4, a job's result), but -o ${out} names a ${extension} file: it is written ` +
  "there all the same (a .mp4 name would fit it)";
const isMp4 = (path: string) => readFileSync(path).toString("latin1", 4, 8) === "ftyp";

/** A completed job's id, made by `jobs submit` and waited for by `jobs wait` without `-o`. */
async function completedJob(): Promise<string> {
  const submitted = await run(["jobs", "submit", "A lake", "--no-json"], { env, cwd: dir });
  expect(submitted.code, submitted.stderr).toBe(0);
  const id = submitted.stdout.trim();
  const waited = await run(["jobs", "wait", "--", id], { env, cwd: dir });
  expect(waited.code, waited.stderr).toBe(0);
  return id;
}

describe("-o names a file of another media type than the result's", () => {
  it("decart video -o v.webm, v.gif, v.png: written as given, warned", async () => {
    for (const name of ["v.webm", "v.gif", "v.PNG"]) {
      const out = join(dir, name);
      const r = await run(["video", "A lake", "-o", out], { env, cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr, name).toContain(warned(out, name.slice(1).toLowerCase()));
      expect(events(r.stdout).at(-1)).toMatchObject({ type: "saved", path: out });
      expect(isMp4(out)).toBe(true);
    }
  });

  it("decart video -o of the video's type or of none: no warning", async () => {
    for (const name of ["v.mp4", "v.MP4", "v.m4v", "v.out", "v"]) {
      const r = await run(["video", "A lake", "-o", join(dir, name)], { env, cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr, name).not.toContain("The video will be an MP4");
    }
  });

  it("decart jobs result -o r.gif and jobs wait -o w.m4a: warned", async () => {
    const id = await completedJob();
    const result = join(dir, "r.gif");
    const r = await run(["jobs", "result", "-o", result, "--", id], { env, cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(warned(result, ".gif"));
    expect(isMp4(result)).toBe(true);
    const waited = join(dir, "w.m4a");
    const w = await run(["jobs", "wait", "-o", waited, "--", id], { env, cwd: dir });
    expect(w.code, w.stderr).toBe(0);
    expect(w.stderr).toContain(warned(waited, ".m4a"));
    expect(isMp4(waited)).toBe(true);
  });

  it("decart image -o x.mp4: written as given, warned that the image is a PNG", async () => {
    const out = join(dir, "x.mp4");
    const r = await run(["image", "A lighthouse", "-o", out], { env, cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `The image is a PNG (its bytes say so), but -o ${out} names a .mp4 file: written there all the same (a .png ` +
        "name would fit it)",
    );
  });
});
