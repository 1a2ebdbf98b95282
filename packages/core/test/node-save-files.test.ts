import { createHash } from "node:crypto";
import {
  chmod,
  chown,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { models } from "../src/index.js";
import { saveResult, stickyRefuses } from "../src/node.js";
import { clientFor, startFast } from "./helpers.js";

// saveResult over what is already at the path: links (symbolic, dangling, looping, hard), a file's owner, a directory
// where no file can be made.

let emu: Emulator;
let dir: string;
beforeAll(async () => {
  emu = await startFast();
  dir = await mkdtemp(join(tmpdir(), "decart-core-save-"));
});
afterAll(async () => {
  await emu.close();
  await rm(dir, { recursive: true, force: true });
});

async function completedJob() {
  const client = clientFor(emu);
  const job = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "to disk" });
  while ((await client.queue.status(job.job_id)).status !== "completed") await new Promise((r) => setTimeout(r, 10));
  return { client, jobId: job.job_id };
}

const sha = async (path: string) =>
  createHash("sha256")
    .update(await readFile(path))
    .digest("hex");

/** The temporary files left anywhere under `place`. */
const partials = async (place: string) =>
  ((await readdir(place, { recursive: true })) as string[]).filter((f) => f.endsWith(".partial"));

describe("saveResult over links", () => {
  it("writes through a link to no file yet: the file it names is made there, the link stays", async () => {
    const { client, jobId } = await completedJob();
    const place = await mkdtemp(join(dir, "dangling-"));
    await mkdir(join(place, "media"));
    const link = join(place, "latest.mp4");
    await symlink("media/result.mp4", link);
    expect(await saveResult(client, jobId, link)).toEqual({ path: link, bytes: emu.job(jobId)!.resultBytes });
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await sha(join(place, "media", "result.mp4"))).toBe(emu.job(jobId)!.resultSha256);
    expect(await partials(place)).toEqual([]);
  });

  it("follows a chain of links to none, each read against the real directory it is in (`..` as the kernel reads it)", async () => {
    const { client, jobId } = await completedJob();
    const place = await mkdtemp(join(dir, "chain-"));
    await mkdir(join(place, "deep", "inner"), { recursive: true });
    // `alias` is the directory deep/inner under another name: `..` in a link there is deep, not place.
    await symlink(join(place, "deep", "inner"), join(place, "alias"));
    await symlink("../out.mp4", join(place, "alias", "second"));
    await symlink("alias/second", join(place, "first"));
    await saveResult(client, jobId, join(place, "first"));
    expect(await sha(join(place, "deep", "out.mp4"))).toBe(emu.job(jobId)!.resultSha256);
    expect((await lstat(join(place, "first"))).isSymbolicLink()).toBe(true);
    expect((await lstat(join(place, "deep", "inner", "second"))).isSymbolicLink()).toBe(true);
    await expect(lstat(join(place, "out.mp4"))).rejects.toThrow();
    expect(await partials(place)).toEqual([]);
  });

  it("reads `sub/..` in a link to none as the kernel does, `sub` followed first, not dropped by its text", async () => {
    const { client, jobId } = await completedJob();
    const place = await mkdtemp(join(dir, "dotdot-"));
    await mkdir(join(place, "real", "a"), { recursive: true });
    await mkdir(join(place, "other", "deep"), { recursive: true });
    // real/a/sub is other/deep: `a/sub/..` is other (`echo > real/link` makes other/out.mp4), not real/a.
    await symlink("../../other/deep", join(place, "real", "a", "sub"));
    await symlink("a/sub/../out.mp4", join(place, "real", "link"));
    await saveResult(client, jobId, join(place, "real", "link"));
    expect(await sha(join(place, "other", "out.mp4"))).toBe(emu.job(jobId)!.resultSha256);
    await expect(lstat(join(place, "real", "a", "out.mp4"))).rejects.toThrow();
    // Through a missing directory, `..` after it leads nowhere: ENOENT, as an open's, and nothing written by its text.
    await symlink("missing/../kept.mp4", join(place, "real", "gone"));
    const error = await saveResult(client, jobId, join(place, "real", "gone")).catch((e) => e);
    expect(error).toMatchObject({ code: "FILE_WRITE_FAILED", jobId });
    expect(error.cause.code).toBe("ENOENT");
    await expect(lstat(join(place, "real", "kept.mp4"))).rejects.toThrow();
    expect(await partials(place)).toEqual([]);
  });

  it("fails a link to a missing directory with FILE_WRITE_FAILED (ENOENT) before any download; the link stays", async () => {
    const { client, jobId } = await completedJob();
    const place = await mkdtemp(join(dir, "nowhere-"));
    const link = join(place, "out.mp4");
    await symlink("missing/out.mp4", link);
    const error = await saveResult(client, jobId, link).catch((e) => e);
    expect(error).toMatchObject({ code: "FILE_WRITE_FAILED", jobId, path: link, retryable: false });
    expect(error.cause.code).toBe("ENOENT");
    expect(emu.job(jobId)!.contentReads).toBe(0);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
  });

  it("fails a loop of links with FILE_WRITE_FAILED (ELOOP) before any download, as an open would; the links stay", async () => {
    const { client, jobId } = await completedJob();
    const place = await mkdtemp(join(dir, "loop-"));
    await symlink("b", join(place, "a"));
    await symlink("a", join(place, "b"));
    const error = await saveResult(client, jobId, join(place, "a")).catch((e) => e);
    expect(error).toMatchObject({ code: "FILE_WRITE_FAILED", jobId, path: join(place, "a"), retryable: false });
    expect(error.cause.code).toBe("ELOOP");
    expect(emu.job(jobId)!.contentReads).toBe(0);
    for (const name of ["a", "b"]) expect((await lstat(join(place, name))).isSymbolicLink()).toBe(true);
    expect(await readdir(place)).toEqual(["a", "b"]);
  });

  it("replaces the name given of a file with hard links: its other names keep the old content", async () => {
    const { client, jobId } = await completedJob();
    const place = await mkdtemp(join(dir, "hard-"));
    const first = join(place, "first.mp4");
    const second = join(place, "second.mp4");
    await writeFile(first, "OLD");
    await link(first, second);
    await saveResult(client, jobId, second);
    expect(await sha(second)).toBe(emu.job(jobId)!.resultSha256);
    expect(await readFile(first, "utf8")).toBe("OLD");
    expect((await stat(first)).nlink).toBe(1);
    expect((await stat(second)).nlink).toBe(1);
  });
});

describe("saveResult over a file", () => {
  // A root process can give a file any owner; another one only a group it is in (if it is in more than one).
  const root = process.getuid!() === 0;
  const otherGroup = process.getgroups!().find((g) => g !== process.getegid!());
  const owner = root
    ? { uid: 4321, gid: 8765 }
    : otherGroup === undefined
      ? undefined
      : { uid: process.getuid!(), gid: otherGroup };

  it.skipIf(!owner)("keeps the file's owner and group (what this process may give), and its permissions", async () => {
    const { client, jobId } = await completedJob();
    const place = await mkdtemp(join(dir, "owned-"));
    const path = join(place, "out.mp4");
    await writeFile(path, "OLD");
    await chown(path, owner!.uid, owner!.gid);
    await chmod(path, 0o640);
    await saveResult(client, jobId, path);
    expect(await sha(path)).toBe(emu.job(jobId)!.resultSha256);
    const after = await stat(path);
    expect({ uid: after.uid, gid: after.gid, mode: after.mode & 0o777 }).toEqual({ ...owner, mode: 0o640 });
  });

  /**
   * Runs `save` as a user who is not root (root writes any file: as nobody, through the effective uid, in a directory
   * of nobody's own), with a file of that user's at `name` of mode `mode`, holding "OLD". Answers the save's result or
   * error, and the path.
   */
  async function saveAsUser(name: string, mode: number) {
    const { client, jobId } = await completedJob();
    const place = await mkdtemp(join(dir, "mode-"));
    const path = join(place, name);
    await writeFile(path, "OLD");
    await chmod(path, mode);
    if (root) {
      await chown(place, 65534, 65534);
      await chown(path, 65534, 65534);
      await chmod(dir, 0o755);
    }
    try {
      if (root) process.seteuid!(65534);
      const outcome = await saveResult(client, jobId, path).catch((e) => e);
      return { outcome, jobId, path, place };
    } finally {
      if (root) process.seteuid!(0);
      await chmod(dir, 0o700);
    }
  }

  // The temporary file, given the file's mode (0200) before its bytes, was opened again to be flushed: EACCES once the
  // whole result was downloaded.
  it("replaces a file of the user's made write-only (0200), flushed through the handle that wrote it; its mode kept", async () => {
    const { outcome, jobId, path, place } = await saveAsUser("out.mp4", 0o200);
    expect(outcome).toEqual({ path, bytes: emu.job(jobId)!.resultBytes });
    expect(await sha(path)).toBe(emu.job(jobId)!.resultSha256);
    expect((await stat(path)).mode & 0o777).toBe(0o200);
    expect(await partials(place)).toEqual([]);
  });

  // It was downloaded whole, then failed EACCES at the flush (a non-root user), or replaced (root would not be asked).
  it("a file the user made read-only (0444): FILE_WRITE_FAILED (EACCES) before any download, as > refuses; the file kept", async () => {
    const { outcome, jobId, path, place } = await saveAsUser("kept.mp4", 0o444);
    expect(outcome).toMatchObject({ code: "FILE_WRITE_FAILED", jobId, path, retryable: false });
    expect(outcome.cause.code).toBe("EACCES");
    expect(outcome.message).toContain("the file is not writable; make it writable, or save elsewhere");
    expect(emu.job(jobId)!.contentReads).toBe(0);
    expect(await readFile(path, "utf8")).toBe("OLD");
    expect(await readdir(place)).toEqual(["kept.mp4"]);
  });

  // It was downloaded whole, then the rename over the file failed EPERM (the sticky-directory rule), the result lost.
  it.skipIf(!root)(
    "another user's file, writable by all, in a sticky directory (as /tmp): FILE_WRITE_FAILED (EPERM) before any download",
    async () => {
      const { client, jobId } = await completedJob();
      const place = await mkdtemp(join(dir, "sticky-"));
      await chmod(place, 0o1777);
      const path = join(place, "theirs.mp4");
      await writeFile(path, "OLD");
      await chown(path, 4321, 4321);
      await chmod(path, 0o666);
      await chmod(dir, 0o755);
      let error: any;
      try {
        process.seteuid!(65534);
        error = await saveResult(client, jobId, path).catch((e) => e);
      } finally {
        process.seteuid!(0);
        await chmod(dir, 0o700);
      }
      expect(error).toMatchObject({ code: "FILE_WRITE_FAILED", jobId, path, retryable: false });
      expect(error.cause.code).toBe("EPERM");
      expect(error.message).toContain("another user's file, in a directory where only a file's owner replaces it");
      expect(emu.job(jobId)!.contentReads).toBe(0);
      expect(await readFile(path, "utf8")).toBe("OLD");
      expect(await readdir(place)).toEqual(["theirs.mp4"]);
    },
  );

  it("stickyRefuses: only another user's file in another user's sticky directory, for a user who is not root", () => {
    const sticky = 0o41777;
    expect(stickyRefuses({ uid: 1 }, { uid: 2, mode: sticky }, 3)).toBe(true);
    expect(stickyRefuses({ uid: 3 }, { uid: 2, mode: sticky }, 3)).toBe(false);
    expect(stickyRefuses({ uid: 1 }, { uid: 3, mode: sticky }, 3)).toBe(false);
    expect(stickyRefuses({ uid: 1 }, { uid: 2, mode: 0o40777 }, 3)).toBe(false);
    expect(stickyRefuses({ uid: 1 }, { uid: 2, mode: sticky }, 0)).toBe(false);
    expect(stickyRefuses({ uid: 1 }, { uid: 2, mode: sticky }, undefined)).toBe(false);
  });

  it("in a directory where no file can be made: FILE_WRITE_FAILED naming the directory and the fix, before any download; the file untouched", async () => {
    const { client, jobId } = await completedJob();
    // A directory this process cannot write (root writes any: the save runs with the effective uid of nobody).
    const place = await mkdtemp(join(dir, "locked-"));
    await chmod(place, 0o755);
    const locked = join(place, "locked");
    await mkdir(locked);
    const path = join(locked, "out.mp4");
    await writeFile(path, "OLD");
    await chmod(path, 0o666);
    await chmod(locked, 0o555);
    await chmod(dir, 0o755);
    let error: any;
    try {
      if (root) process.seteuid!(65534);
      error = await saveResult(client, jobId, path).catch((e) => e);
    } finally {
      if (root) process.seteuid!(0);
      await chmod(locked, 0o755);
      await chmod(dir, 0o700);
    }
    expect(error).toMatchObject({ code: "FILE_WRITE_FAILED", jobId, path, retryable: false });
    expect(error.cause.code).toBe("EACCES");
    expect(error.message).toContain(
      `no file can be created in the directory ${locked}, where the result is downloaded first (into a temporary ` +
        `file, renamed over the file once complete; a file there is never written in place): make ${locked} ` +
        "writable, or save to another directory",
    );
    expect(error.message).toContain(`queue.result("${jobId}")`);
    expect(emu.job(jobId)!.contentReads).toBe(0);
    expect(await readFile(path, "utf8")).toBe("OLD");
    expect(await readdir(locked)).toEqual(["out.mp4"]);
  });
});
