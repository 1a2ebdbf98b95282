/**
 * `-o` a symbolic link to nowhere: image and video write the file where it points (its missing directories made), the
 * link staying, as `>`, `curl -o` and the client's saveResult do; the check before sending looks at that place. (The
 * image replaced the link by the file; the video wrote through it, and where it pointed into a missing directory the
 * check passed and the paid job was not saved. Through a directory that is itself a link, a `..` in the link's text
 * was taken as written, not from where that directory points: the image went elsewhere, the video was paid, then lost.)
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { events, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f), { ownDir: true });

describe("-o a link to nowhere", () => {
  it("image and video write where it points, into a directory that exists or one made; the link stays", async () => {
    mkdirSync(join(dir, "exists"));
    for (const [command, extension] of [
      ["image", "png"],
      ["video", "mp4"],
    ] as const) {
      for (const to of [`exists/made.${extension}`, `missing/deeper/made.${extension}`]) {
        const link = join(dir, `${command}-${to.split("/")[0]}.${extension}`);
        symlinkSync(to, link);
        const saved = await run([command, "A lake", "-o", link], { env, cwd: dir });
        expect(saved.code, `${command} -o ${link} -> ${to}: ${saved.stderr}`).toBe(0);
        expect(events(saved.stdout).at(-1)).toMatchObject({ type: "saved", path: link });
        expect(lstatSync(link).isSymbolicLink()).toBe(true);
        expect(readlinkSync(link)).toBe(to);
        expect(readFileSync(join(dir, to)).length, to).toBeGreaterThan(3);
        expect(readFileSync(link)).toEqual(readFileSync(join(dir, to)));
      }
    }
  });

  it("given through a directory that is a link, its `..` climbs from where that directory points", async () => {
    mkdirSync(join(dir, "real", "A"), { recursive: true });
    mkdirSync(join(dir, "real", "B"));
    symlinkSync(join("real", "A"), join(dir, "A"));
    for (const [command, extension] of [
      ["image", "png"],
      ["video", "mp4"],
    ] as const) {
      const to = `../B/sub/x.${extension}`;
      symlinkSync(to, join(dir, "real", "A", `out.${extension}`));
      const link = join(dir, "A", `out.${extension}`);
      const saved = await run([command, "A lake", "-o", link], { env, cwd: dir });
      expect(saved.code, `${command} -o ${link} -> ${to}: ${saved.stderr}`).toBe(0);
      expect(events(saved.stdout).at(-1)).toMatchObject({ type: "saved", path: link });
      expect(readFileSync(join(dir, "real", "B", "sub", `x.${extension}`)).length).toBeGreaterThan(3);
      expect(readFileSync(link)).toEqual(readFileSync(join(dir, "real", "B", "sub", `x.${extension}`)));
    }
    expect(existsSync(join(dir, "B"))).toBe(false);
  });

  it("one that points where no file can be made (below a file): exit 2 before anything is sent", async () => {
    writeFileSync(join(dir, "a-file"), "not a directory");
    for (const [command, extension] of [
      ["image", "png"],
      ["video", "mp4"],
    ] as const) {
      const link = join(dir, `blocked.${extension}`);
      symlinkSync(`a-file/x.${extension}`, link);
      const refused = await run([command, "A lake", "-o", link, "--no-json"], { env, cwd: dir });
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain(`${join(dir, "a-file")} is a file, not a directory`);
    }
    expect(emu.stats().requests.total).toBe(0);
  });

  it("the journal a link to nowhere: judged where it points, its records appended there (its directories made)", async () => {
    writeFileSync(join(dir, "a-file"), "not a directory");
    // Where no file can be made (below a file): exit 2 before anything is sent, not a job paid for and not recorded.
    const blocked = join(dir, "blocked.jsonl");
    symlinkSync("a-file/jobs.jsonl", blocked);
    const refused = await run(["video", "A lake", "-o", join(dir, "a.mp4"), "--no-json"], {
      env: { ...env, DECART_JOURNAL: blocked },
      cwd: dir,
    });
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(`${join(dir, "a-file")} is a file, not a directory`);
    expect(emu.stats().requests.total).toBe(0);

    // Into a directory not there yet: made, as for a journal given as a path, and the job's records are appended there.
    const link = join(dir, "journal.jsonl");
    symlinkSync("missing/deeper/jobs.jsonl", link);
    const saved = await run(["video", "A lake", "-o", join(dir, "b.mp4")], {
      env: { ...env, DECART_JOURNAL: link },
      cwd: dir,
    });
    expect(saved.code, saved.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    const records = readFileSync(join(dir, "missing", "deeper", "jobs.jsonl"), "utf8")
      .trim()
      .split("\n");
    expect(records.map((r) => JSON.parse(r).event)).toContain("saved");
  });
});
