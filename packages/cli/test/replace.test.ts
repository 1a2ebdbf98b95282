/**
 * An `-o` naming a file that is there but that the user cannot replace (made read-only; another user's in a sticky
 * directory such as /tmp, where the rename over it fails EPERM) is refused before anything is sent, as `>` and
 * `curl -o` refuse it: found only at the save, the image or video was paid for and lost.
 */
import {
  chmodSync,
  chownSync,
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { replaceRefusal } from "../src/files.js";
import { NOBODY, root, run, runAsOtherUser, SETPRIV, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f), { ownDir: true });

const runAsUser = (args: string[], home: string) =>
  runAsOtherUser(args, { home, dir, env: { ...env, DECART_JOURNAL: join(home, "jobs.jsonl") } });

describe("replaceRefusal", () => {
  const sticky = 0o41777;
  const plain = 0o40755;
  it("refuses a file the user cannot write, whoever owns it, and passes one it can", () => {
    expect(replaceRefusal({ uid: 1000, mode: 0o100444 }, { uid: 1000, mode: plain }, 1000, false)).toMatch(
      /permissions do not let you write it/,
    );
    expect(replaceRefusal({ uid: 1000, mode: 0o100644 }, { uid: 1000, mode: plain }, 1000, true)).toBeUndefined();
  });
  it("in a sticky directory, refuses another user's file in another user's directory, even one writable by all", () => {
    expect(replaceRefusal({ uid: 0, mode: 0o100666 }, { uid: 0, mode: sticky }, 1000, true)).toMatch(
      /sticky, as \/tmp/,
    );
    // The file's owner, the directory's owner and root may replace it; without the sticky bit, anyone who may write in it.
    expect(replaceRefusal({ uid: 1000, mode: 0o100644 }, { uid: 0, mode: sticky }, 1000, true)).toBeUndefined();
    expect(replaceRefusal({ uid: 0, mode: 0o100666 }, { uid: 1000, mode: sticky }, 1000, true)).toBeUndefined();
    expect(replaceRefusal({ uid: 1000, mode: 0o100666 }, { uid: 1000, mode: sticky }, 0, true)).toBeUndefined();
    expect(replaceRefusal({ uid: 0, mode: 0o100666 }, { uid: 0, mode: 0o40777 }, 1000, true)).toBeUndefined();
    // A system without user ids (Windows): only whether it can be written.
    expect(replaceRefusal({ uid: 0, mode: 0o100666 }, { uid: 0, mode: sticky }, undefined, true)).toBeUndefined();
  });
});

describe("-o a file the user cannot replace", () => {
  it.skipIf(root && !SETPRIV)(
    "a file made read-only (0444): image, video and jobs result refuse it, exit 2, nothing sent, the file kept",
    async () => {
      const home = join(dir, "home");
      mkdirSync(home);
      for (const [command, name] of [
        ["image", "final.png"],
        ["video", "final.mp4"],
      ] as const) {
        const target = join(home, name);
        writeFileSync(target, "keep me");
        if (root) chownSync(target, NOBODY, NOBODY);
        chmodSync(target, 0o444);
        const refused = await runAsUser([command, "A lighthouse", "-o", name, "--no-json"], home);
        expect(refused.code, refused.stderr).toBe(2);
        expect(refused.stderr).toContain(
          `-o ${name}: cannot replace ${target}: its permissions do not let you write it`,
        );
        expect(refused.stderr).toContain("make it writable, or give another path (nothing was sent)");
        expect(readFileSync(target, "utf8")).toBe("keep me");
      }
      const result = await runAsUser(["jobs", "result", "job_0123456789abcdef", "-o", "final.mp4"], home);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain("cannot replace");
      expect(emu.stats().requests.total).toBe(0);
    },
  );

  it.skipIf(!root || !SETPRIV)(
    "another user's file in a sticky directory (as /tmp), writable by all: refused, exit 2, nothing sent",
    async () => {
      const shared = join(dir, "shared");
      mkdirSync(shared);
      chmodSync(shared, 0o1777);
      const home = join(dir, "home");
      mkdirSync(home);
      for (const [command, name] of [
        ["image", "pic.png"],
        ["video", "clip.mp4"],
      ] as const) {
        const target = join(shared, name);
        writeFileSync(target, "old");
        chmodSync(target, 0o666);
        const refused = await runAsUser([command, "A lake", "-o", target, "--no-json"], home);
        expect(refused.code, refused.stderr).toBe(2);
        expect(refused.stderr).toContain(`cannot replace ${target}: another user's file, in a directory where only`);
        expect(readFileSync(target, "utf8")).toBe("old");
      }
      expect(emu.stats().requests.total).toBe(0);
      // The user's own file there is replaced.
      const own = join(shared, "own.png");
      writeFileSync(own, "old");
      chownSync(own, NOBODY, NOBODY);
      const saved = await runAsUser(["image", "A lake", "-o", own, "--no-json"], home);
      expect(saved.code, saved.stderr).toBe(0);
      expect(readFileSync(own).length).toBeGreaterThan(3);
    },
  );
});

describe("batch: a line's result the user cannot replace", () => {
  /** Lines `ro` (a video) and `pic` (an image) whose results in `out` are there already; `ok` (a video) free. */
  const batchOf = (home: string) => {
    const file = join(home, "lines.jsonl");
    writeFileSync(
      file,
      [
        { custom_id: "ro", prompt: "A lake" },
        { custom_id: "pic", model: "lucy-pro-t2i", prompt: "A lake" },
        { custom_id: "ok", prompt: "A lake" },
      ]
        .map((line) => `${JSON.stringify(line)}\n`)
        .join(""),
    );
    return file;
  };
  const lineOf = (out: string, customId: string) =>
    readFileSync(join(out, "results.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .find((r) => r.custom_id === customId);

  it.skipIf(root && !SETPRIV)(
    "made read-only (0444): its line fails before it is sent, with the message of image and video; the others run",
    async () => {
      const home = join(dir, "home");
      mkdirSync(home);
      const file = batchOf(home);
      const out = join(home, "out");
      mkdirSync(out);
      if (root) chownSync(out, NOBODY, NOBODY);
      // An image line is refused only when no name its image can take (the spec's PNG or JPEG) can be replaced.
      for (const name of ["ro.mp4", "pic.png", "pic.jpg"]) {
        writeFileSync(join(out, name), "keep me");
        if (root) chownSync(join(out, name), NOBODY, NOBODY);
        chmodSync(join(out, name), 0o444);
      }
      const ran = await runAsUser(["batch", file, "--out", out], home);
      expect(ran.code, ran.stderr).toBe(6);
      const unwritable = "its permissions do not let you write it (`>` and `curl -o` refuse it too)";
      const video = lineOf(out, "ro");
      expect(video.status).toBe("failed");
      expect(video.error).toBe(
        `--out ${out}: cannot replace ${join(out, "ro.mp4")}: ${unwritable}; make it writable, or give another path ` +
          "(nothing was sent)",
      );
      expect(video.job_id).toBeUndefined();
      // The image line's refusal names both names its image may take: fixing the first alone would not let it run.
      const image = lineOf(out, "pic");
      expect(image.status).toBe("failed");
      expect(image.error).toBe(
        `--out ${out}: cannot replace any name the result may take: ${join(out, "pic.png")}: ${unwritable}; nor ` +
          `${join(out, "pic.jpg")}: ${unwritable}; make one of them writable, or give another path (nothing was sent)`,
      );
      for (const name of ["ro.mp4", "pic.png", "pic.jpg"])
        expect(readFileSync(join(out, name), "utf8")).toBe("keep me");
      expect(lineOf(out, "ok").status).toBe("completed");
      // Only the free line's job was made; no image was asked for. Both refused lines are to be run again.
      expect(emu.stats().jobsCreated).toBe(1);
      expect(emu.stats().requests.byRoute.process).toBe(0);
      expect(readFileSync(join(out, "errors.jsonl"), "utf8").trim().split("\n")).toHaveLength(2);
    },
  );

  it.skipIf(!root || !SETPRIV)(
    "another user's, in a sticky directory (as /tmp): its line fails before it is sent; the others run",
    async () => {
      const home = join(dir, "home");
      mkdirSync(home);
      const file = batchOf(home);
      const out = join(dir, "shared");
      mkdirSync(out);
      chmodSync(out, 0o1777);
      for (const name of ["ro.mp4", "pic.png", "pic.jpg"]) {
        writeFileSync(join(out, name), "old");
        chmodSync(join(out, name), 0o666);
      }
      const ran = await runAsUser(["batch", file, "--out", out], home);
      expect(ran.code, ran.stderr).toBe(6);
      const sticky = "another user's file, in a directory where only a file's owner replaces it (sticky, as /tmp)";
      expect(lineOf(out, "ro").error).toBe(
        `--out ${out}: cannot replace ${join(out, "ro.mp4")}: ${sticky}; give another path (nothing was sent)`,
      );
      expect(lineOf(out, "pic").error).toBe(
        `--out ${out}: cannot replace any name the result may take: ${join(out, "pic.png")}: ${sticky}; nor ` +
          `${join(out, "pic.jpg")}: ${sticky}; give another path (nothing was sent)`,
      );
      for (const name of ["ro.mp4", "pic.png", "pic.jpg"]) expect(readFileSync(join(out, name), "utf8")).toBe("old");
      expect(lineOf(out, "ok").status).toBe("completed");
      expect(emu.stats().jobsCreated).toBe(1);
      expect(emu.stats().requests.byRoute.process).toBe(0);
    },
  );

  it.skipIf(root && !SETPRIV)(
    "an image line with one name it may take free is sent: the name its image takes is checked once it is there",
    async () => {
      const home = join(dir, "home");
      mkdirSync(home);
      const file = join(home, "lines.jsonl");
      writeFileSync(
        file,
        [
          { custom_id: "x", model: "lucy-pro-t2i", prompt: "A lake" },
          { custom_id: "y", model: "lucy-pro-t2i", prompt: "A lake" },
        ]
          .map((line) => `${JSON.stringify(line)}\n`)
          .join(""),
      );
      const out = join(home, "out");
      mkdirSync(out);
      if (root) chownSync(out, NOBODY, NOBODY);
      // A stale read-only x.jpg: x's image (the emulator's, a PNG) goes to x.png, never touching it. A read-only
      // y.png: y's image would replace it, which is told once the image is there (it was made, and billed).
      for (const name of ["x.jpg", "y.png"]) {
        writeFileSync(join(out, name), "keep me");
        if (root) chownSync(join(out, name), NOBODY, NOBODY);
        chmodSync(join(out, name), 0o444);
      }
      const ran = await runAsUser(["batch", file, "--out", out], home);
      expect(ran.code, ran.stderr).toBe(6);
      expect(lineOf(out, "x")).toMatchObject({ status: "completed", path: join(out, "x.png") });
      expect(readFileSync(join(out, "x.png")).subarray(1, 4).toString()).toBe("PNG");
      const y = lineOf(out, "y");
      expect(y).toMatchObject({ status: "failed", outcome_unknown: true });
      expect(y.error).toContain(
        `Could not write the image to ${join(out, "y.png")} (its permissions do not let you write it (\`>\` and ` +
          "`curl -o` refuse it too)); nothing was saved; the server answered the request with success, so an image " +
          `was made (and billed; support can find it by its request id, ${y.request_id}), but it was not kept`,
      );
      expect(y.request_id).toMatch(/^req_/);
      for (const name of ["x.jpg", "y.png"]) expect(readFileSync(join(out, name), "utf8")).toBe("keep me");
      expect(emu.stats().requests.byRoute.process).toBe(2);
    },
  );
});

describe("Linux's fs.protected_regular: the journal, opened to append (O_CREAT), in a sticky directory", () => {
  const level = (() => {
    try {
      return Number.parseInt(readFileSync("/proc/sys/fs/protected_regular", "utf8"), 10) || 0;
    } catch {
      return 0;
    }
  })();
  // Where the kernel refuses such an open (fs.protected_regular 1 or 2: most distributions set 1 or 2), as root: a
  // journal of nobody's in root's directory writable by all, sticky, given as it is and through a symbolic link from a
  // directory of root's (the kernel judges the file where it is). Skipped elsewhere: at 0 (as in some containers) the
  // kernel refuses no such open, and only root can give a file away.
  it.skipIf(!root || level < 1)(
    "a journal the kernel would not open to append, or a link to one, is refused before anything is sent (exit 2)",
    async () => {
      const shared = join(dir, "sticky-journal");
      mkdirSync(shared);
      chmodSync(shared, 0o1777);
      const journal = join(shared, "jobs.jsonl");
      writeFileSync(journal, "");
      chownSync(journal, NOBODY, NOBODY);
      chmodSync(journal, 0o666);
      const link = join(dir, "jobs.jsonl");
      symlinkSync(journal, link);
      // The kernel's own word on it.
      expect(() => closeSync(openSync(link, "a"))).toThrow(/EACCES/);
      for (const given of [journal, link]) {
        const refused = await run(["jobs", "submit", "A lake", "--no-json"], {
          env: { ...env, DECART_JOURNAL: given },
          cwd: dir,
        });
        expect(refused.code, `${given}: ${refused.stderr}`).toBe(2);
        expect(refused.stderr).toContain(
          `cannot open ${journal} to append (EACCES: permission denied: another user's file in the sticky directory ` +
            `${shared}, which Linux's fs.protected_regular lets no one, root included, open so); give another journal`,
        );
      }
      expect(emu.stats().requests.total).toBe(0);
      expect(readFileSync(journal, "utf8")).toBe("");
    },
  );
});
