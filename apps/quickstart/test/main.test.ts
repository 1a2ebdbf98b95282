// Runs the README's main job as a user would (built, no key) and checks what it leaves behind with ffmpeg.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "quickstart-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function probe(file: string) {
  const json = execFileSync("ffprobe", ["-v", "error", "-of", "json", "-show_streams", file], { encoding: "utf8" });
  return JSON.parse(json).streams[0];
}

describe("the main job with no key", () => {
  const env: NodeJS.ProcessEnv = { ...process.env, QUICKSTART_OUT: out };
  delete env.DECART_API_KEY;
  delete env.DECART_BASE_URL;
  const run = spawnSync(process.execPath, [main], { env, encoding: "utf8", timeout: 120_000 });

  it("exits cleanly after the emulator's lifecycle, in order", () => {
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("embedded emulator");
    expect(run.stdout).toMatch(/Job ID: job_[0-9a-f]{32}/);
    const statuses = [...run.stdout.matchAll(/Status: (\w+)/g)].map((m) => m[1]);
    expect(statuses).toEqual(["pending", "processing", "completed"]);
  });

  it("writes a playable H.264 MP4", () => {
    const video = join(out, "video.mp4");
    expect(existsSync(video)).toBe(true);
    expect(probe(video)).toMatchObject({ codec_name: "h264" });
    const decode = spawnSync("ffmpeg", ["-v", "error", "-err_detect", "explode", "-i", video, "-f", "null", "-"], {
      encoding: "utf8",
    });
    expect(decode.status).toBe(0);
    expect(decode.stderr).toBe("");
  });

  it("writes a decodable landscape image", () => {
    const image = join(out, "image.png");
    expect(existsSync(image)).toBe(true);
    const stream = probe(image);
    expect(stream.codec_name).toBe("png");
    expect(stream.width).toBeGreaterThan(stream.height);
  });
});
