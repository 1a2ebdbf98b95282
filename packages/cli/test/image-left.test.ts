/**
 * What `--resume` does with an image line's file an earlier run left in `--out`: a whole image its killed process
 * wrote to its temporary file and never renamed is the line's answer (its request unsettled: paid for), while an image
 * of the line as it was before its text changed is not: the changed line is asked for anew.
 */
import { spawnSync } from "node:child_process";
import {
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { events, journalRecords, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({ timing: { pendingMs: 20, processingMs: 20 } }, (f) => ({ emu, env, dir } = f), { ownDir: true });

const image = (customId: string, prompt: string) =>
  JSON.stringify({ custom_id: customId, model: "lucy-pro-t2i", prompt });
const images = () => emu.stats().requests.byRoute.process ?? 0;

/** A temporary file's name, as the CLI gives it, of a process that is gone; dated 20 minutes ago. */
function leftBy(path: string, hex: string): string {
  const pid = String(spawnSync(process.execPath, ["-e", ""]).pid).padStart(7, "0");
  return `${path}.${pid}-${hex}.partial`;
}
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
const age = (path: string) => utimesSync(path, minutesAgo(20), minutesAgo(20));

/**
 * Runs a batch of `lines` once, then makes of each image line's file what a run killed between writing it whole to its
 * temporary file and renaming it leaves: the file under its temporary name, the line's image record not journaled.
 */
async function killedBeforeRename(file: string, out: string, ids: string[]): Promise<Record<string, string>> {
  const first = await run(["batch", file, "--out", out], { env });
  expect(first.code, first.stderr).toBe(0);
  const journal = env.DECART_JOURNAL!;
  const kept = readFileSync(journal, "utf8")
    .split("\n")
    .filter((l) => !(l.includes('"image_saved"') && ids.some((id) => l.includes(`"custom_id":"${id}"`))))
    // Its requests made 30 minutes ago, before their files (dated 20 minutes ago) were written.
    .map((l) => (l.includes('"submitting"') ? l.replace(/"at":"[^"]*"/, `"at":"${minutesAgo(30).toISOString()}"`) : l));
  writeFileSync(journal, kept.join("\n"));
  const partials: Record<string, string> = {};
  for (const id of ids) {
    partials[id] = leftBy(join(out, `${id}.png`), "0a79b04f");
    renameSync(join(out, `${id}.png`), partials[id]);
    age(partials[id]);
  }
  return partials;
}

describe("--resume and an image line's file left in --out", () => {
  it("a whole image left under its temporary name by a killed run is the line's answer: renamed, journaled, not asked for again", async () => {
    const file = join(dir, "lines.jsonl");
    writeFileSync(file, `${[image("i", "a lighthouse"), image("cut", "a harbour")].join("\n")}\n`);
    const out = join(dir, "out");
    const partials = await killedBeforeRename(file, out, ["i", "cut"]);
    const whole = readFileSync(partials.i!);
    // One cut short (killed during the write): no image, not taken.
    truncateSync(partials.cut!, readFileSync(partials.cut!).length - 10);
    // The report's temporary file of a run killed while writing it.
    const report = leftBy(join(out, "results.jsonl"), "00c0ffee");
    writeFileSync(report, "{");
    age(report);
    expect(images()).toBe(2);

    const resumed = await run(["batch", file, "--out", out, "--resume"], { env });
    expect(resumed.code, resumed.stderr).toBe(6); // the line cut short: its outcome unknown
    expect(images()).toBe(2);
    expect(readFileSync(join(out, "i.png")).equals(whole)).toBe(true);
    expect(events(resumed.stdout).find((e) => e.type === "line_failed")).toMatchObject({
      custom_id: "cut",
      outcome_unknown: true,
    });
    expect(journalRecords(env.DECART_JOURNAL!).filter((r) => r.event === "image_saved" && r.custom_id === "i")).toEqual(
      [expect.objectContaining({ path: join(out, "i.png") })],
    );
    // The report's left file swept; the line cut short's kept while its request is unsettled.
    expect(existsSync(report)).toBe(false);
    expect(existsSync(partials.i!)).toBe(false);
    expect(readdirSync(out).filter((name) => name.endsWith(".partial"))).toEqual([partials.cut!.split("/").at(-1)]);
  });

  it("an image of the line as it was before its prompt changed is not its answer: the line is asked for anew", async () => {
    const file = join(dir, "edited.jsonl");
    const out = join(dir, "out");
    const thumb = image("thumb", "a thumbnail");
    writeFileSync(file, `${image("cover", "a red cover")}\n${thumb}\n`);
    const first = await run(["batch", file, "--out", out], { env });
    expect(first.code, first.stderr).toBe(0);
    const before = readFileSync(join(out, "cover.png"));
    writeFileSync(file, `${image("cover", "a blue cover")}\n${thumb}\n`);
    const resumed = await run(["batch", file, "--out", out, "--resume"], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(images()).toBe(3); // the changed line's, alone
    expect(readFileSync(join(out, "cover.png")).equals(before)).toBe(false);
  });

  it("a whole image left under its temporary name by a request of the line's earlier text is not the answer of its new, unsettled request", async () => {
    const file = join(dir, "edited-left.jsonl");
    const out = join(dir, "edited-left");
    const thumb = image("thumb", "a thumbnail");
    // The red cover's run killed before its rename: its file left under its temporary name.
    writeFileSync(file, `${image("cover", "a red cover")}\n${thumb}\n`);
    const partials = await killedBeforeRename(file, out, ["cover"]);
    // Left a minute ago: too recent to be swept as stale, older than the blue request.
    utimesSync(partials.cover!, minutesAgo(1), minutesAgo(1));
    const red = readFileSync(partials.cover!);
    // The line edited to a blue cover, whose request is made now and killed in flight: unsettled, nothing written.
    writeFileSync(file, `${image("cover", "a blue cover")}\n${thumb}\n`);
    const blue = await run(["batch", file, "--out", out, "--resume"], { env });
    expect(blue.code, blue.stderr).toBe(0);
    const journal = env.DECART_JOURNAL!;
    writeFileSync(
      journal,
      readFileSync(journal, "utf8")
        .split("\n")
        .filter((l) => !(l.includes('"image_saved"') && l.includes('"custom_id":"cover"')))
        .join("\n"),
    );
    rmSync(join(out, "cover.png"));
    const made = images();
    const resumed = await run(["batch", file, "--out", out, "--resume"], { env });
    // The red image is not taken as the blue request's answer: that request's outcome stays unknown.
    expect(existsSync(join(out, "cover.png")) && readFileSync(join(out, "cover.png")).equals(red)).toBe(false);
    expect(existsSync(partials.cover!)).toBe(true);
    expect(events(resumed.stdout).find((e) => e.type === "line_failed")).toMatchObject({
      custom_id: "cover",
      outcome_unknown: true,
    });
    expect(images()).toBe(made);
  });

  it("nor is one written in the same second just before that request was made (times to the millisecond)", async () => {
    const file = join(dir, "same-second.jsonl");
    const out = join(dir, "same-second");
    const thumb = image("thumb", "a thumbnail");
    writeFileSync(file, `${image("cover", "a red cover")}\n${thumb}\n`);
    const partials = await killedBeforeRename(file, out, ["cover"]);
    // Left a minute ago: too recent to be swept as stale.
    utimesSync(partials.cover!, minutesAgo(1), minutesAgo(1));
    const red = readFileSync(partials.cover!);
    writeFileSync(file, `${image("cover", "a blue cover")}\n${thumb}\n`);
    const blue = await run(["batch", file, "--out", out, "--resume"], { env });
    expect(blue.code, blue.stderr).toBe(0);
    // The blue request made at .900 of a second a minute ago, unsettled (its image's record and file gone); the red
    // image left at .100 of that same second: 800 ms before the request, not its answer.
    const second = Math.floor(minutesAgo(1).getTime() / 1000) * 1000;
    const journal = env.DECART_JOURNAL!;
    let blueAt = 0;
    writeFileSync(
      journal,
      readFileSync(journal, "utf8")
        .split("\n")
        .filter((l) => !(l.includes('"image_saved"') && l.includes('"custom_id":"cover"')))
        .map((l) => {
          if (!(l.includes('"submitting"') && l.includes('"custom_id":"cover"'))) return l;
          // (The red request's record is dated 30 minutes ago: the last one of the line is the blue one.)
          blueAt += 1;
          return Date.parse(JSON.parse(l).at) > Date.now() - 10 * 60_000
            ? l.replace(/"at":"[^"]*"/, `"at":"${new Date(second + 900).toISOString()}"`)
            : l;
        })
        .join("\n"),
    );
    expect(blueAt).toBe(2);
    utimesSync(partials.cover!, new Date(second + 100), new Date(second + 100));
    rmSync(join(out, "cover.png"));
    const made = images();
    const resumed = await run(["batch", file, "--out", out, "--resume"], { env });
    expect(existsSync(join(out, "cover.png")) && readFileSync(join(out, "cover.png")).equals(red)).toBe(false);
    expect(existsSync(partials.cover!)).toBe(true);
    expect(events(resumed.stdout).find((e) => e.type === "line_failed")).toMatchObject({
      custom_id: "cover",
      outcome_unknown: true,
    });
    expect(images()).toBe(made);
  });

  // The request made at .900 of a second a minute ago; its image written after it, dated before it by the file system:
  // 5 ms before (at .895) by its coarse clock, or at that second's start where it keeps whole seconds only.
  for (const { name, title, dated } of [
    {
      name: "tick-before",
      title:
        "one dated a clock tick before its request was made (Linux dates a file by its coarse clock) is its answer",
      dated: 895,
    },
    {
      name: "whole-second",
      title:
        "one dated at the whole second its request was made in (a file system that keeps whole seconds only) is its answer",
      dated: 0,
    },
  ]) {
    it(title, async () => {
      const file = join(dir, `${name}.jsonl`);
      const out = join(dir, name);
      writeFileSync(file, `${image("i", "a lighthouse")}\n`);
      const partials = await killedBeforeRename(file, out, ["i"]);
      const whole = readFileSync(partials.i!);
      const second = Math.floor(minutesAgo(1).getTime() / 1000) * 1000;
      const journal = env.DECART_JOURNAL!;
      writeFileSync(
        journal,
        readFileSync(journal, "utf8").replace(
          /("at":")[^"]*(","event":"submitting")/,
          `$1${new Date(second + 900).toISOString()}$2`,
        ),
      );
      expect(readFileSync(journal, "utf8")).toContain(
        `"at":"${new Date(second + 900).toISOString()}","event":"submitting"`,
      );
      utimesSync(partials.i!, new Date(second + dated), new Date(second + dated));
      const resumed = await run(["batch", file, "--out", out, "--resume"], { env });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(readFileSync(join(out, "i.png")).equals(whole)).toBe(true);
      expect(images()).toBe(1);
    });
  }
});
