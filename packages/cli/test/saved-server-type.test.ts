/**
 * A video's `saved` event carries `server_content_type`: the media type the server labelled the result with (its
 * `Content-Type` without parameters, in lower case), whatever its bytes are (checked to be an MP4's): `video/mp4`, or
 * `application/octet-stream`. So for `video`, `jobs wait`, `jobs result` and a batch's line. A purpose-built server:
 * the emulator serves results as `video/mp4` alone.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { events, KEY, run, useTypedResultServer } from "./helpers.js";

const server = useTypedResultServer();

describe("the saved event of a video names the server's media type of the result", () => {
  it.each([
    ["video/mp4", "video/mp4"],
    ["Video/MP4; codecs=avc1", "video/mp4"],
    ["application/octet-stream", "application/octet-stream"],
  ])("served as %s: server_content_type %s (video, jobs wait, jobs result, a batch line)", async (served, told) => {
    server.type = served;
    const env = { DECART_API_KEY: KEY, DECART_BASE_URL: server.url, DECART_JOURNAL: join(server.dir, "jobs.jsonl") };
    writeFileSync(join(server.dir, "b.jsonl"), `${JSON.stringify({ custom_id: "a", prompt: "A lake" })}\n`);
    for (const args of [
      ["video", "A lake", "-o", join(server.dir, "v.mp4")],
      ["jobs", "wait", "-o", join(server.dir, "w.mp4"), "--", "job_1"],
      ["jobs", "result", "-o", join(server.dir, "r.mp4"), "--", "job_1"],
      ["batch", join(server.dir, "b.jsonl"), "--out", join(server.dir, "out")],
    ]) {
      const { code, stdout, stderr } = await run(args, { env, cwd: server.dir });
      expect(code, stderr).toBe(0);
      expect(events(stdout).find((e) => e.type === "saved")).toMatchObject({ bytes: 24, server_content_type: told });
    }
  });
});
