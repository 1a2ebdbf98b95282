/**
 * `decart video … -o file` run again while the journal holds an unfinished job of the same request (model, inputs,
 * path) on the same server (a run stopped by --timeout or Ctrl-C): refused before anything is sent, naming the command
 * that gets that job, unless given --new; a finished job, or another request, does not block.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { requestHashes, type VideoOptions, videoInputs } from "../src/commands/video.js";
import { jobModel } from "../src/watch.js";
import { events, jobRecords, printed, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f), { ownDir: true });

/** `video` with a held job, stopped by its --timeout: exit 5, the job unfinished. Its job id. */
async function timedOut(args: string[]): Promise<string> {
  const r = await run(["video", ...args, "--timeout", "0.5"], { env });
  expect(r.code, r.stderr).toBe(5);
  return events(r.stdout).find((e) => e.type === "submitted")!.job_id;
}

describe("video run again with the same request", () => {
  it("is refused while its job is unfinished, naming `jobs wait`; --new submits another", async () => {
    const out = join(dir, "lake.mp4");
    const id = await timedOut(["A lake [hold]", "-o", out]);
    // Before: each run again submitted (and billed) another job.
    const again = await run(["video", "A lake [hold]", "-o", out, "--timeout", "0.5"], { env });
    expect(again.code, again.stderr).toBe(2);
    expect(again.stderr).toContain(`job ${id}`);
    expect(again.stderr).toContain(`${printed(env, "jobs", "wait", id, "-o", out, "--timeout", "0.5")}`);
    expect(again.stderr).toContain("--new");
    expect(events(again.stdout).at(-1)).toMatchObject({ type: "error", exit_code: 2 });
    expect(emu.stats().jobsCreated).toBe(1);
    expect(emu.stats().requests.byRoute.submit ?? 0).toBe(1);
    // --new: another job, as asked.
    const other = await timedOut(["A lake [hold]", "-o", out, "--new"]);
    expect(other).not.toBe(id);
    expect(emu.stats().jobsCreated).toBe(2);
  });

  it("a job left unfinished does not block once --new made a later one of the same request", async () => {
    const out = join(dir, "lake.mp4");
    // Left unfinished for good (the server may no longer know it: `jobs wait` answers 404), then a new take asked for.
    await timedOut(["A lake [hold]", "-o", out]);
    const other = await timedOut(["A lake [hold]", "-o", out, "--new"]);
    expect(emu.release(other)).toBe(true);
    const waited = await run(["jobs", "wait", other], { env });
    expect(waited.code, waited.stderr).toBe(0);
    // The latest job of the request is saved: the same request is a new video (before, the first job refused it).
    const fresh = await run(["video", "A lake [hold]", "-o", out, "--timeout", "0.5"], { env });
    expect(fresh.code, fresh.stderr).toBe(5);
    expect(emu.stats().jobsCreated).toBe(3);
  });

  it("with a file input: the same file blocks, another does not", async () => {
    const clip = join(dir, "clip.mp4");
    // An MP4 by its first bytes, as the client checks a file input.
    const mp4 = (size: number) =>
      Buffer.concat([Buffer.from("\0\0\0\x18ftypmp42\0\0\0\0mp42isom", "latin1"), Buffer.alloc(size)]);
    writeFileSync(clip, mp4(4096));
    const out = join(dir, "snow.mp4");
    const id = await timedOut(["-m", "lucy-clip", "Make it snow [hold]", `data=@${clip}`, "-o", out]);
    const again = await run(
      ["video", "-m", "lucy-clip", "Make it snow [hold]", `data=@${clip}`, "-o", out, "--timeout", "0.5"],
      {
        env,
      },
    );
    expect(again.code, again.stderr).toBe(2);
    expect(again.stderr).toContain(`job ${id}`);
    expect(emu.stats().jobsCreated).toBe(1);
    // Another file of that name (another size): another request.
    writeFileSync(clip, mp4(8192));
    await timedOut(["-m", "lucy-clip", "Make it snow [hold]", `data=@${clip}`, "-o", out]);
    expect(emu.stats().jobsCreated).toBe(2);
  });

  it("with a file input: another file of the same name and size (other bytes) does not block; the same file does", async () => {
    const clip = join(dir, "clip.mp4");
    // An MP4 by its first bytes (as the client checks a file input), of the same size whatever `fill`; with `middle`,
    // bytes past its first and last 64 KiB.
    const mp4 = (fill: number, middle = 0) => {
      const head = Buffer.from("\0\0\0\x18ftypmp42\0\0\0\0mp42isom", "latin1");
      const end = Buffer.alloc(middle ? 70_000 : 4096, fill);
      return Buffer.concat([head, end, ...(middle ? [Buffer.alloc(1000, middle), end] : [])]);
    };
    const out = join(dir, "snow.mp4");
    const args = ["-m", "lucy-clip", "Make it snow [hold]", `data=@${clip}`, "-o", out];
    const again = () => run(["video", ...args, "--timeout", "0.5"], { env });
    writeFileSync(clip, mp4(1));
    await timedOut(args);
    // Before: the same name and size were the same request, refused.
    writeFileSync(clip, mp4(2));
    const second = await timedOut(args);
    expect(emu.stats().jobsCreated).toBe(2);
    // The same file again: refused, naming its job.
    const refused = await again();
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(`job ${second}`);
    expect(emu.stats().jobsCreated).toBe(2);
    // The journal holds the identity with the fingerprint; an entry of an earlier version (the identity without it)
    // matches as it did: any file of that name and size.
    const inputs = await videoInputs(args.slice(2, 4), { model: "lucy-clip" } as VideoOptions);
    const { hash, legacy } = await requestHashes({ ...inputs, model: jobModel(inputs.model) });
    expect(hash).not.toBe(legacy);
    expect(jobRecords(env.DECART_JOURNAL!).filter((r) => r.job_id === second && r.line_hash === hash)).not.toEqual([]);
    writeFileSync(env.DECART_JOURNAL!, readFileSync(env.DECART_JOURNAL!, "utf8").replaceAll(hash, legacy));
    writeFileSync(clip, mp4(3));
    const old = await again();
    expect(old.code, old.stderr).toBe(2);
    expect(old.stderr).toContain(`job ${second}`);
    expect(emu.stats().jobsCreated).toBe(2);
    // Files larger than both ends read, which differ only in between: the same request (the fingerprint reads only
    // the ends), as before.
    writeFileSync(clip, mp4(4, 5));
    const large = await timedOut(args);
    writeFileSync(clip, mp4(4, 6));
    const middle = await again();
    expect(middle.code, middle.stderr).toBe(2);
    expect(middle.stderr).toContain(`job ${large}`);
    // Files that differ only in their last bytes (past the first 64 KiB): another request, its own job.
    const tail = mp4(4, 5);
    tail[tail.length - 1] = 7;
    writeFileSync(clip, tail);
    expect(await timedOut(args)).not.toBe(large);
  });

  it("is not refused once the job is finished, nor for another prompt, path or model", async () => {
    const out = join(dir, "lake.mp4");
    const id = await timedOut(["A lake [hold]", "-o", out]);
    // Another request, or the same one to another file: not blocked.
    await timedOut(["A river [hold]", "-o", out]);
    await timedOut(["A lake [hold]", "-o", join(dir, "other.mp4")]);
    expect(emu.stats().jobsCreated).toBe(3);
    // The job finished (saved by jobs wait): the same request is a new video.
    expect(emu.release(id)).toBe(true);
    const waited = await run(["jobs", "wait", id], { env });
    expect(waited.code, waited.stderr).toBe(0);
    const fresh = await run(["video", "A lake [hold]", "-o", out, "--timeout", "0.5"], { env });
    expect(fresh.code, fresh.stderr).toBe(5);
    expect(emu.stats().jobsCreated).toBe(4);
  });
});
