/**
 * Where results go: every command prints and records absolute paths, and a place that cannot take the result (a file
 * where a directory should be, a directory where a file should be) is a usage error (exit 2) before anything is sent.
 */
import { execFileSync } from "node:child_process";
import { existsSync, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { beforeAll, describe, expect, it } from "vitest";
import { isBelow, type Place, samePlace } from "../src/files.js";
import { events, run, tempDir, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f));
beforeAll(() => {
  writeFileSync(join(dir, "a-file"), "not a directory");
  mkdirSync(join(dir, "a-directory"));
  symlinkSync(join(dir, "nowhere"), join(dir, "a-broken-link"));
  symlinkSync("a-loop", join(dir, "a-loop")); // a link to itself: every lookup through it is ELOOP
  execFileSync("mkfifo", [join(dir, "a-fifo")]); // a named pipe: a read waits for a writer, fsync fails there
  symlinkSync("a-fifo", join(dir, "a-link-to-a-fifo"));
});

const sent = () => emu.stats().requests.total;

describe("output paths", () => {
  it("a relative journal (--journal, DECART_JOURNAL) is printed as its absolute path", async () => {
    const cwd = join(dir, "relative journal");
    mkdirSync(cwd);
    const list = await run(["jobs", "list", "--journal", "rel.jsonl", "--no-json"], { env, cwd });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stderr).toContain(`No jobs in ${join(cwd, "rel.jsonl")}`);
    const video = await run(["video", "A lake", "-o", "v.mp4", "--no-json"], {
      env: { ...env, DECART_JOURNAL: "rel.jsonl" },
      cwd,
    });
    expect(video.code, video.stderr).toBe(0);
    expect(video.stderr).toContain(`(journal: ${join(cwd, "rel.jsonl")})`);
    expect(readFileSync(join(cwd, "rel.jsonl"), "utf8")).toContain(join(cwd, "v.mp4"));
  });

  it("image and video print and record the absolute path of a relative -o, in a directory with spaces and unicode", async () => {
    const cwd = join(dir, "with space ☃");
    mkdirSync(cwd);
    const journal = join(dir, "journal.jsonl");
    const image = await run(["image", "A lighthouse", "-o", "ünï.png"], { env, cwd });
    expect(image.code, image.stderr).toBe(0);
    expect(events(image.stdout)).toEqual([expect.objectContaining({ type: "saved", path: join(cwd, "ünï.png") })]);
    const human = await run(["image", "A lighthouse", "-o", "b.png", "--no-json"], { env, cwd });
    expect(human.stdout.trim()).toBe(join(cwd, "b.png"));
    const video = await run(["video", "A lake", "-o", "lake.mp4", "--no-json", "--journal", journal], { env, cwd });
    expect(video.code, video.stderr).toBe(0);
    expect(video.stdout).toBe(`${join(cwd, "lake.mp4")}\n`);
    const bytes = readFileSync(join(cwd, "lake.mp4")).length;
    expect(video.stderr).toContain(`✓ Video saved (${bytes} bytes) to ${join(cwd, "lake.mp4")}\n`);
  });

  it("video without -o names the file after the job: a directory named job.mp4 beside it is no obstacle", async () => {
    const cwd = join(dir, "default-name");
    mkdirSync(join(cwd, "job.mp4"), { recursive: true });
    const video = await run(["video", "A lake", "--no-json", "--journal", join(dir, "default-name.jsonl")], {
      env,
      cwd,
    });
    expect(video.code, video.stderr).toBe(0);
    const path = video.stdout.trim();
    expect(path).toMatch(new RegExp(`^${cwd}/job_\\w+\\.mp4$`));
    expect(readFileSync(path).length).toBeGreaterThan(0);
  });

  it("video -o through a link: the name checked is that of the file it points to, which the download writes", async () => {
    const place = join(dir, "linked-names");
    mkdirSync(place);
    // A short link to a file whose name leaves no room for the temporary file beside it (240 + 17 > 255 bytes): the
    // download would fail once the job is paid for.
    const long = join(place, `${"r".repeat(236)}.mp4`);
    writeFileSync(long, "OLD");
    symlinkSync(long, join(place, "short.mp4"));
    const refused = await run(["video", "A lake", "-o", join(place, "short.mp4"), "--no-json"], { env });
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(`the name of ${long}, the file it links to, is too long (at most 230 bytes`);
    expect(sent()).toBe(0);
    // A link whose own name is that long, to a file of a short name: the download writes beside the short one.
    const real = join(place, "real.mp4");
    writeFileSync(real, "OLD");
    const link = join(place, `${"l".repeat(236)}.mp4`);
    symlinkSync(real, link);
    const saved = await run(["video", "A lake", "-o", link], { env });
    expect(saved.code, saved.stderr).toBe(0);
    const jobId = events(saved.stdout).at(-1)!.job_id;
    expect(readFileSync(real).length).toBe(emu.job(jobId)!.resultBytes);
  });

  it.each([
    [
      "image -o into a file",
      ["image", "A lighthouse", "-o", "a-file/out.png"],
      /a-file is a file, not a directory; give a path/,
    ],
    ["image -o a directory", ["image", "A lighthouse", "-o", "a-directory"], "a-directory is a directory"],
    [
      "video -o into a file",
      ["video", "A lake", "-o", "a-file/out.mp4"],
      /a-file is a file, not a directory; give a path/,
    ],
    ["video -o a directory", ["video", "A lake", "-o", "a-directory"], "a-directory is a directory"],
    // A path ending in / names a directory: one that is there is refused as one, as without the /; one that is not
    // was written as a file of that name without the / (exit 0).
    ["image -o a directory/", ["image", "A lighthouse", "-o", "a-directory/"], "a-directory is a directory"],
    ...[
      ["image", "image", "A lighthouse", "-o", "no-such-dir/"],
      ["video", "video", "A lake", "-o", "no-such-dir/"],
      ["image, a file there", "image", "A lighthouse", "-o", "a-file/"],
      ["video, /. at the end", "video", "A lake", "-o", "no-such-dir/."],
      ["jobs wait", "jobs", "wait", "job_x", "-o", "no-such-dir/"],
      ["jobs result", "jobs", "result", "job_x", "-o", "no-such-dir/"],
      ["video, the journal", "video", "A lake", "-o", "x.mp4", "--journal", "no-such-dir/"],
    ].map(([name, ...args]) => [
      `${name} -o a path ending in / that is no directory`,
      args,
      /: a path ending in \/ \(or \/\. or \/\.\.\) names a directory, and \/\S+\/(no-such-dir|a-file) is none; give a file name/,
    ]),
    // An empty -o is the current directory, as it is for image.
    ["video -o ''", ["video", "A lake", "-o", ""], /-o : \S+ is a directory/],
    ["jobs result -o a directory", ["jobs", "result", "job_x", "-o", "a-directory"], "a-directory is a directory"],
    ["jobs wait -o into a file", ["jobs", "wait", "job_x", "-o", "a-file/x.mp4"], "a-file is a file"],
    [
      "batch --out a file",
      ["batch", "lines.jsonl", "--out", "a-file"],
      /a-file is a file, not a directory; give a path/,
    ],
    [
      "batch --out below a file",
      ["batch", "lines.jsonl", "--out", "a-file/results"],
      /a-file is a file.*; give a path/,
    ],
    // The journal is j.jsonl in the same directory: a result written there would replace every job id.
    ["video -o the journal", ["video", "A lake", "-o", "j.jsonl"], "is where the command writes (-o j.jsonl"],
    ["jobs wait -o the journal", ["jobs", "wait", "job_x", "-o", "j.jsonl"], "is where the command writes"],
    ["jobs result -o the journal", ["jobs", "result", "job_x", "-o", "j.jsonl"], "is where the command writes"],
    ["image -o the journal", ["image", "A lighthouse", "-o", "j.jsonl"], "is where the command writes (-o j.jsonl"],
    ["jobs submit with the journal a directory", ["jobs", "submit", "A lake", "--journal", "a-directory"], "journal"],
    ["video with the journal below a file", ["video", "A lake", "--journal", "a-file/j.jsonl"], "journal"],
    // A journal that is not a regular file passes the other checks: the submit would be paid for, and its record then
    // fail (fsync on a pipe), or a batch would wait forever reading a pipe that has no writer.
    ...[
      ["jobs submit", "jobs", "submit", "A lake"],
      ["video", "video", "A lake", "-o", "x.mp4"],
      ["batch", "batch", "lines.jsonl", "--out", "fifo-results"],
      ["jobs list", "jobs", "list"],
    ].map(([name, ...args]) => [
      `${name} with the journal a named pipe`,
      [...args, "--journal", "a-fifo"],
      /the journal \/\S+\/a-fifo \(--journal\): \/\S+\/a-fifo is a named pipe \(FIFO\), not a regular file; give a file/,
    ]),
    [
      "jobs submit with the journal a link to a named pipe",
      ["jobs", "submit", "A lake", "--journal", "a-link-to-a-fifo"],
      "is a named pipe (FIFO), not a regular file",
    ],
    ...(existsSync("/dev/null")
      ? [
          [
            "jobs submit with the journal /dev/null",
            ["jobs", "submit", "A lake", "--journal", "/dev/null"],
            "/dev/null is a character device, not a regular file",
          ],
        ]
      : []),
    ["image -o a name too long", ["image", "A lighthouse", "-o", `${"n".repeat(240)}.png`], "file name is too long"],
    ["video -o a name too long", ["video", "A lake", "-o", `${"é".repeat(120)}.mp4`], "at most 230 bytes"],
    [
      "jobs list with the journal a directory",
      ["jobs", "list", "--journal", "a-directory"],
      "a-directory is a directory",
    ],
    [
      "batch --out below a broken link",
      ["batch", "lines.jsonl", "--out", "a-broken-link/results"],
      /cannot create the directory \S+\/a-broken-link \(EEXIST: a link to nowhere.*; give a directory/,
    ],
    // Places where a directory cannot be made, or a file written, whatever the permission bits say (the tests run as
    // root, who passes them): Node's recursive mkdir never returns for /proc/x.
    ...(existsSync("/proc/self")
      ? [
          [
            "batch --out /proc/x",
            ["batch", "lines.jsonl", "--out", "/proc/decart-x"],
            /cannot create the directory \/proc\/decart-x \(E\w+.*; give a directory/,
          ],
          [
            "batch --out /proc",
            ["batch", "lines.jsonl", "--out", "/proc"],
            /cannot write in \/proc \(E\w+\); give a directory/,
          ],
          [
            "image -o /proc/x/y.png",
            ["image", "A lighthouse", "-o", "/proc/decart-x/y.png"],
            /cannot create the directory \/proc\/decart-x \(E\w+/,
          ],
          [
            "video with the journal in /proc/x",
            ["video", "A lake", "--journal", "/proc/decart-x/j.jsonl"],
            /cannot create the directory \/proc\/decart-x \(E\w+/,
          ],
        ]
      : []),
    ...(existsSync("/sys/kernel")
      ? [
          [
            "batch --out /sys/x/y",
            ["batch", "lines.jsonl", "--out", "/sys/decart-x/y"],
            /cannot create the directory \/sys\/decart-x \(E\w+.*; give a directory/,
          ],
        ]
      : []),
  ] as Array<[string, string[], string | RegExp]>)(
    "%s: exit 2 naming the place, nothing sent",
    async (_, args, message) => {
      writeFileSync(join(dir, "lines.jsonl"), '{"custom_id":"a","prompt":"A lake"}\n');
      const result = await run([...args, "--no-json"], {
        env: { ...env, DECART_JOURNAL: join(dir, "j.jsonl") },
        cwd: dir,
      });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain("nothing was sent");
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(sent()).toBe(0);
    },
  );
});

describe("a path ending in /", () => {
  it("-o leaves no file of the name without the /; batch --out takes a directory with or without the /", async () => {
    for (const args of [
      ["image", "A lighthouse", "-o", "made/"],
      ["video", "A lake", "-o", "made/"],
    ]) {
      const refused = await run(args, { env, cwd: dir });
      expect(refused.code, refused.stderr).toBe(2);
      // Before the fix: exit 0, the result saved as the file `made`.
      expect(existsSync(join(dir, "made"))).toBe(false);
    }
    expect(sent()).toBe(0);
    writeFileSync(join(dir, "lines.jsonl"), '{"custom_id":"a","prompt":"A lake"}\n');
    mkdirSync(join(dir, "there"), { recursive: true });
    for (const [i, out] of ["out-new/", "out-plain", "there/", `${join(dir, "out-absolute")}/`].entries()) {
      // A journal of each run's own: the same batch file is a new batch each time.
      const batch = await run(["batch", "lines.jsonl", "--out", out], {
        env: { ...env, DECART_JOURNAL: join(dir, `slash-${i}.jsonl`) },
        cwd: dir,
      });
      expect(batch.code, `${out}: ${batch.stderr}`).toBe(0);
      const saved = join(dir, out.startsWith("/") ? "out-absolute" : out, "a.mp4");
      expect(events(batch.stdout).find((e) => e.type === "line_completed")).toMatchObject({ path: saved });
      expect(existsSync(saved)).toBe(true);
    }
  });
});

describe("places only read, and places that cannot be looked up", () => {
  it.skipIf(!existsSync("/proc/version"))(
    "jobs list only reads the journal: one in a place that takes no file (/proc) lists, nothing is created",
    async () => {
      // /proc refuses any new file (root included): a check that writes there would fail.
      const result = await run(["jobs", "list", "--journal", "/proc/version", "--no-json"], { env, cwd: dir });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain("No jobs in /proc/version");
    },
  );

  it("jobs list shows a hand-edited journal's odd records as text only (no undefined, no [object Object])", async () => {
    const journal = join(dir, "odd.jsonl");
    const records = [
      { job_id: "job_odd1", event: "submitted", model: { name: "lucy-pro-t2v" }, path: 42 },
      { at: 7, job_id: "job_odd1", event: "failed", error: ["no"] },
      { at: "2026-01-01T00:00:00.000Z", job_id: "job_odd2", event: "saved", model: "lucy-clip", path: "b.mp4" },
    ];
    writeFileSync(journal, `${records.map((r) => JSON.stringify(r)).join("\n")}\n`);
    const result = await run(["jobs", "list", "--journal", journal, "--no-json"], { env, cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(/undefined|\[object Object\]|\b42\b/);
    expect(result.stdout).toContain("job_odd1  ?  ?  failed");
    expect(result.stdout).toContain("job_odd2  2026-01-01T00:00:00.000Z  lucy-clip  saved  b.mp4");
  });

  it("jobs list with a journal in a directory that does not exist creates no directory", async () => {
    const journal = join(dir, "not-there", "deeper", "j.jsonl");
    const result = await run(["jobs", "list", "--journal", journal, "--no-json"], { env, cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(dir, "not-there"))).toBe(false);
  });

  it.each([
    ["image -o through a symbolic link loop", ["image", "A lighthouse", "-o", "a-loop/x.png"], "a-loop"],
    ["video -o through a directory name too long", ["video", "A lake", "-o", `${"d".repeat(300)}/x.mp4`], "ddd"],
    ["batch --out through a symbolic link loop", ["batch", "lines.jsonl", "--out", "a-loop/results"], "a-loop"],
    ["jobs list with the journal a symbolic link loop", ["jobs", "list", "--journal", "a-loop"], "a-loop"],
    ["jobs wait with the journal a symbolic link loop", ["jobs", "wait", "job_x", "--journal", "a-loop"], "a-loop"],
    [
      "an input file through a symbolic link loop",
      ["image", "Make it snow", "-m", "lucy-image-2", "data=@a-loop"],
      "a-loop",
    ],
  ] as Array<[string, string[], string]>)(
    "%s: exit 2, one line naming the path, nothing sent",
    async (_, args, path) => {
      writeFileSync(join(dir, "lines.jsonl"), '{"custom_id":"a","prompt":"A lake"}\n');
      const result = await run([...args, "--no-json"], {
        env: { ...env, DECART_JOURNAL: join(dir, "j.jsonl") },
        cwd: dir,
      });
      expect(result.code, result.stderr).toBe(2);
      const lines = result.stderr.trimEnd().split("\n");
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toContain(join(dir, path));
      expect(lines[0]).toMatch(/\((ELOOP|ENAMETOOLONG): /);
      expect(sent()).toBe(0);
    },
  );
});

/** Whether the temporary directory's file system ignores case (a name in capitals finds the file). */
function caseIgnored(): boolean {
  const temp = tempDir();
  try {
    writeFileSync(join(temp.dir, "case"), "");
    return existsSync(join(temp.dir, "CASE"));
  } finally {
    temp.remove();
  }
}

describe("the journal, as the file system sees it", () => {
  /** A directory of the test's own, with a journal that has one job in it. */
  function journalIn(name: string) {
    const place = join(dir, name);
    mkdirSync(place);
    const journal = join(place, "jobs.jsonl");
    const line = `${JSON.stringify({ at: "2026-01-01T00:00:00.000Z", job_id: "job_kept", event: "submitted" })}\n`;
    writeFileSync(journal, line);
    return { place, journal, line };
  }

  it.each([
    ["a symbolic link to it", (journal: string, out: string) => symlinkSync(journal, out)],
    ["a hard link to it", (journal: string, out: string) => linkSync(journal, out)],
  ])("-o %s is the journal: exit 2 before anything is sent, the journal kept", async (name, link) => {
    const { place, journal, line } = journalIn(name.replace(/\W/g, "-"));
    link(journal, join(place, "out.png"));
    for (const args of [
      ["image", "A lighthouse", "-o", "out.png"],
      ["video", "A lake", "-o", "out.png"],
      ["jobs", "result", "job_kept", "-o", "out.png"],
    ]) {
      const result = await run([...args, "--journal", journal, "--no-json"], { env, cwd: place });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`the journal ${journal} (--journal) is where the command writes`);
      expect(result.stderr).toContain(`(-o out.png: ${join(place, "out.png")})`);
    }
    expect(sent()).toBe(0);
    expect(readFileSync(journal, "utf8")).toBe(line);
  });

  it("-o through a link to the journal's directory, the journal not yet written: exit 2, nothing sent", async () => {
    const place = join(dir, "linked-directory");
    mkdirSync(join(place, "state"), { recursive: true });
    symlinkSync(join(place, "state"), join(place, "here"));
    const journal = join(place, "state", "jobs.jsonl");
    const result = await run(["video", "A lake", "-o", "here/jobs.jsonl", "--journal", journal, "--no-json"], {
      env,
      cwd: place,
    });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain("is where the command writes (-o here/jobs.jsonl");
    expect(sent()).toBe(0);
    expect(existsSync(journal)).toBe(false);
  });

  it("a journal that is a link to nowhere, where -o would write: exit 2, nothing sent", async () => {
    const place = join(dir, "journal-link");
    mkdirSync(place);
    // Appending to the link would make lake.mp4 the journal, which the video then replaces.
    symlinkSync("lake.mp4", join(place, "jobs.jsonl"));
    const result = await run(["video", "A lake", "-o", "lake.mp4", "--journal", "jobs.jsonl", "--no-json"], {
      env,
      cwd: place,
    });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain("is where the command writes (-o lake.mp4");
    expect(sent()).toBe(0);
  });

  // A file system that ignores case (macOS, Windows) has one file for the two names: nothing to keep apart there.
  it.skipIf(caseIgnored())(
    "two files whose names differ only in case, on a file system that keeps them apart: -o the other is written",
    async () => {
      const { place, journal, line } = journalIn("case-apart");
      writeFileSync(join(place, "JOBS.JSONL"), "another file");
      const result = await run(["image", "A lighthouse", "-o", "JOBS.JSONL", "--journal", journal, "--no-json"], {
        env,
        cwd: place,
      });
      expect(result.code, result.stderr).toBe(0);
      expect(readFileSync(join(place, "JOBS.JSONL")).subarray(1, 4).toString()).toBe("PNG");
      expect(readFileSync(journal, "utf8")).toBe(line);
    },
  );

  it("a path the CLI would write or record that holds the API key is refused before anything is sent (it would show ***)", async () => {
    const keyed = join(dir, `in-${env.DECART_API_KEY}`);
    mkdirSync(keyed);
    const lines = join(dir, "keyed-lines.jsonl");
    writeFileSync(lines, '{"custom_id":"a","prompt":"A lake"}\n');
    const keyedLines = join(keyed, "lines.jsonl");
    writeFileSync(keyedLines, '{"custom_id":"a","prompt":"A lake"}\n');
    const journal = join(dir, "keyed.jsonl");
    const cases: Array<[string, string[], string?, string?]> = [
      ["image -o", ["image", "A lighthouse", "-o", join(keyed, "a.png")]],
      ["video -o", ["video", "A lake", "-o", join(keyed, "a.mp4")]],
      ["jobs wait -o", ["jobs", "wait", "job_0123456789abcdef", "-o", join(keyed, "a.mp4")]],
      ["jobs result -o", ["jobs", "result", "job_0123456789abcdef", "-o", join(keyed, "a.mp4")]],
      ["batch --out", ["batch", lines, "--out", join(keyed, "out")]],
      ["the batch file", ["batch", keyedLines, "--out", join(dir, "keyed-out")]],
      ["--journal", ["video", "A lake", "-o", join(dir, "a.mp4"), "--journal", join(keyed, "j.jsonl")]],
      ["jobs list's journal", ["jobs", "list", "--journal", join(keyed, "j.jsonl")]],
      // A default name in the current directory.
      ["image in a keyed directory", ["image", "A lighthouse"], keyed],
      ["video in a keyed directory", ["video", "A lake"], keyed],
      ["jobs wait in a keyed directory", ["jobs", "wait", "job_0123456789abcdef"], keyed],
    ];
    for (const [name, args, cwd = dir] of cases) {
      const { code, stdout, stderr } = await run(args, { env: { ...env, DECART_JOURNAL: journal }, cwd });
      expect(code, `${name}: ${stderr}`).toBe(2);
      expect(stderr, name).toContain(`${join(dir, "in-***")}`);
      expect(stderr, name).toContain(
        "holds the API key (*** here), which the CLI never writes: its messages, its events and the journal would " +
          "name another path than that one. Give a path without the key (nothing was sent)",
      );
      expect(events(stdout).at(-1), name).toMatchObject({ type: "error", exit_code: 2 });
    }
    expect(sent()).toBe(0);
    expect(existsSync(journal)).toBe(false);
    expect(existsSync(join(keyed, "out"))).toBe(false);
  });

  it("samePlace: one file when the file system says so (device and inode), whatever the names", () => {
    const at = (real: string, ino?: number): Place => ({ real, file: ino === undefined ? undefined : { dev: 7, ino } });
    // The same inode: a name in another case on a file system that ignores case, a hard link, a symbolic link.
    expect(samePlace(at("/home/me/state/JOBS.JSONL", 42), at("/home/me/state/jobs.jsonl", 42))).toBe(true);
    expect(samePlace(at("/home/me/out.mp4", 42), at("/home/me/state/jobs.jsonl", 42))).toBe(true);
    // Two files, however alike their names (a file system that keeps case apart), or on two devices.
    expect(samePlace(at("/home/me/state/JOBS.JSONL", 43), at("/home/me/state/jobs.jsonl", 42))).toBe(false);
    expect(samePlace(at("/a/jobs.jsonl", 42), { real: "/a/jobs.jsonl", file: { dev: 8, ino: 42 } })).toBe(false);
    // Windows' 64-bit file ids, which two numbers would round to one.
    const big = (ino: bigint): Place => ({ real: "/a/jobs.jsonl", file: { dev: 7n, ino } });
    expect(samePlace(big(2n ** 60n), big(2n ** 60n + 1n))).toBe(false);
    expect(samePlace(big(2n ** 60n), big(2n ** 60n))).toBe(true);
    // One there, the other not: a lookup of the other would have found it.
    expect(samePlace(at("/home/me/state/JOBS.JSONL"), at("/home/me/state/jobs.jsonl", 42))).toBe(false);
    // Neither there yet: the same real path, names that differ only in case (or Unicode form) taken as one.
    expect(samePlace(at("/home/me/state/JOBS.JSONL"), at("/home/me/state/jobs.jsonl"))).toBe(true);
    expect(samePlace(at("/home/me/Caf\u00e9.jsonl"), at("/home/me/cafe\u0301.jsonl"))).toBe(true);
    // As APFS and NTFS fold case, beyond lower case: final sigma, sharp s, long s, µ.
    expect(samePlace(at("/home/me/ΑΣ/jobs.jsonl"), at("/home/me/ας/jobs.jsonl"))).toBe(true);
    expect(samePlace(at("/home/me/STRASSE.jsonl"), at("/home/me/straße.jsonl"))).toBe(true);
    expect(samePlace(at("/home/me/\u00b5.jsonl"), at("/home/me/\u03bc.jsonl"))).toBe(true);
    expect(isBelow(at("/home/me/STRASSE/out.mp4"), at("/home/me/Straße"))).toBe(true);
    // Names no file system takes as one: a full-width letter, an invisible character.
    expect(samePlace(at("/home/me/\uff21.jsonl"), at("/home/me/a.jsonl"))).toBe(false);
    expect(samePlace(at("/home/me/a\u200bb.jsonl"), at("/home/me/ab.jsonl"))).toBe(false);
    expect(samePlace(at("/home/me/state/out.mp4"), at("/home/me/state/jobs.jsonl"))).toBe(false);
  });
});
