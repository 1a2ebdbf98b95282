/**
 * `savedThrough` takes a named pipe or a character device as given, as the client's `saveResult` opens one: an unnamed
 * pipe's descriptor (`/dev/fd/3` of `3> >(…)`) has no real path (its link reads `pipe:[n]`).
 */
import { execFileSync } from "node:child_process";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { savedThrough } from "../src/files.js";
import { tempDir } from "./helpers.js";

describe("savedThrough of a stream", () => {
  it.runIf(process.platform === "linux")(
    "an unnamed pipe's /dev/fd/N, a link to a named pipe, /dev/null: the path as given",
    async () => {
      const dist = new URL("../dist/files.js", import.meta.url).href;
      // (A child whose descriptor 3 is a pipe, as a shell's `3> >(cat)` gives it.)
      const script = `import { savedThrough } from ${JSON.stringify(dist)}; process.stdout.write(await savedThrough("/dev/fd/3"))`;
      const answered = execFileSync(
        "bash",
        ["-c", 'exec 3> >(cat >/dev/null); "$0" --input-type=module -e "$1"', process.execPath, script],
        { encoding: "utf8" },
      );
      expect(answered).toBe("/dev/fd/3");

      const { dir, remove } = tempDir();
      try {
        const fifo = join(dir, "stream.fifo");
        execFileSync("mkfifo", [fifo]);
        symlinkSync(fifo, join(dir, "link"));
        expect(await savedThrough(join(dir, "link"))).toBe(join(dir, "link"));
        expect(await savedThrough("/dev/null")).toBe("/dev/null");
      } finally {
        remove();
      }
    },
  );
});
