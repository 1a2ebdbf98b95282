/**
 * An `-o` naming a file that is there but that the user cannot replace (made read-only; another user's in a sticky
 * directory such as /tmp, where the rename over it fails EPERM) is refused before anything is sent, as `>` and
 * `curl -o` refuse it: found only at the save, the image or video was paid for and lost.
 */
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { replaceRefusal } from "../src/files.js";
import { NOBODY, root, runAsOtherUser, SETPRIV, useEmulator } from "./helpers.js";

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
