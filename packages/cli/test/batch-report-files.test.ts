/**
 * What a batch leaves in --out besides results: errors.jsonl holds only lines that certainly made nothing (to be fixed
 * and run again), unknown.jsonl those that may have made a job or image never received, a line whose job exists is
 * finished by --resume; and neither file is replaced or removed unless the batch wrote it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, printed, proxyTo, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({ timing: { pendingMs: 20, processingMs: 20 } }, (f) => ({ emu, env, dir } = f), { ownDir: true });

/** A proxy in front of the emulator: the answers of the next `cut` image requests are dropped once the image is made. */
let proxy: { url: string; close: () => void };
let url: string;
let cut = 0;
beforeAll(async () => {
  proxy = await proxyTo(emu.url, (req, res) => {
    if (!(cut && req.method === "POST" && req.url!.startsWith("/v1/generate/"))) return false;
    cut--;
    res.destroy();
    return true;
  });
  url = proxy.url;
});
afterAll(() => proxy?.close());

const line = (customId: string, prompt: string, model?: string) =>
  JSON.stringify({ custom_id: customId, prompt, ...(model && { model }) });

describe("errors.jsonl and unknown.jsonl in --out", () => {
  it("a file of the user's own of either name is neither removed nor replaced: the batch is refused, nothing sent", async () => {
    for (const name of ["unknown.jsonl", "errors.jsonl"]) {
      const place = join(dir, name);
      mkdirSync(place);
      const file = join(place, "p.jsonl");
      writeFileSync(file, `${line("a", "one")}\n`);
      const own = '{"my":"own data"}\n';
      writeFileSync(join(place, name), own);
      // Before: the batch ran, and as no line failed, it removed the file.
      const r = await run(["batch", file], { env, cwd: place });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`${join(place, name)} is not a report of this batch`);
      expect(readFileSync(join(place, name), "utf8")).toBe(own);
      expect(emu.stats().jobsCreated).toBe(0);
    }
  });

  it("a report this batch wrote is still replaced, or removed once no line fails", async () => {
    const file = join(dir, "p.jsonl");
    writeFileSync(file, `${line("a", "[fail] one")}\n`);
    const out = join(dir, "out");
    const first = await run(["batch", file, "--out", out], { env });
    expect(first.code, first.stderr).toBe(6);
    expect(readFileSync(join(out, "errors.jsonl"), "utf8")).toBe(`${line("a", "[fail] one")}\n`);
    // The line fixed: a new line of the batch, submitted; the report of the run before is this batch's.
    writeFileSync(file, `${line("a", "one")}\n`);
    const second = await run(["batch", file, "--out", out], { env });
    expect(second.code, second.stderr).toBe(0);
    expect(existsSync(join(out, "errors.jsonl"))).toBe(false);
    // No results.jsonl beside it: a file holding only this batch's lines is one it wrote.
    writeFileSync(join(dir, "other.jsonl"), `${line("b", "two")}\n`);
    const place = join(dir, "lines-only");
    mkdirSync(place);
    writeFileSync(join(place, "unknown.jsonl"), `${line("b", "two")}\n`);
    const third = await run(["batch", join(dir, "other.jsonl"), "--out", place], { env });
    expect(third.code, third.stderr).toBe(0);
    expect(existsSync(join(place, "unknown.jsonl"))).toBe(false);
  });

  it("an image line whose answer was lost once the image was made goes to unknown.jsonl, not errors.jsonl", async () => {
    const file = join(dir, "images.jsonl");
    const lines = [line("i", "a lighthouse", "lucy-pro-t2i"), line("f", "[fail] it fails")];
    writeFileSync(file, `${lines.join("\n")}\n`);
    const out = join(dir, "out");
    cut = 1;
    const r = await run(["batch", file, "--out", out, "-c", "1"], { env: { ...env, DECART_BASE_URL: url } });
    expect(r.code, r.stderr).toBe(6);
    // The server made the image (its answer never came back).
    expect(cut).toBe(0);
    expect(emu.stats().requests.byRoute.process).toBe(1);
    const failed = events(r.stdout).filter((e) => e.type === "line_failed");
    expect(failed.find((e) => e.custom_id === "i")).toMatchObject({ outcome_unknown: true });
    expect(readFileSync(join(out, "unknown.jsonl"), "utf8")).toBe(`${lines[0]}\n`);
    expect(readFileSync(join(out, "errors.jsonl"), "utf8")).toBe(`${lines[1]}\n`);
    expect(events(r.stdout).at(-1)).toMatchObject({ type: "summary", failed: 2, outcome_unknown: 1 });
  });

  it("a line whose job exists (--timeout ran out) is not in errors.jsonl: the report says how many, and the --resume command", async () => {
    const file = join(dir, "held.jsonl");
    const lines = [line("h", "held [hold]"), line("f", "[fail] it fails")];
    writeFileSync(file, `${lines.join("\n")}\n`);
    const out = join(dir, "out");
    const r = await run(["batch", file, "--out", out, "--timeout", "1"], { env });
    expect(r.code, r.stderr).toBe(6);
    const failed = events(r.stdout).filter((e) => e.type === "line_failed");
    expect(failed.find((e) => e.custom_id === "h")).toMatchObject({ resumable: true });
    // Fed back in, it would pay for a second job.
    expect(readFileSync(join(out, "errors.jsonl"), "utf8")).toBe(`${lines[1]}\n`);
    expect(events(r.stdout).at(-1)).toMatchObject({ type: "summary", failed: 2, resumable: 1 });
    expect(r.stderr).toContain(
      "1 failed line(s) have a job whose result was not saved (not the job's failure), not in errors.jsonl (fed back " +
        "in, each would pay for a second job): to watch and download them without new jobs, run: " +
        printed(env, "batch", file, "--out", out, "--timeout", "1", "--resume"),
    );
    // Only the held line resumable: errors.jsonl gone once none is left to run again.
    writeFileSync(file, `${lines[0]}\n`);
    const only = await run(["batch", file, "--out", out, "--timeout", "1", "--resume"], { env });
    expect(only.code, only.stderr).toBe(6);
    expect(existsSync(join(out, "errors.jsonl"))).toBe(false);
    expect(events(only.stdout).at(-1)).not.toHaveProperty("errors");
  });
});
