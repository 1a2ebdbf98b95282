/**
 * A file input whose bytes are not what its size said when it was opened: one appended to after `fileFromPath` (a
 * recording still being written), or one that reads shorter than its size (a /sys or /proc file, a FUSE one). The
 * upload stops with an `InvalidInputError` naming the input and saying so, sent once, never tried again: the short one
 * left the body short of its Content-Length until the server's 408, then was sent again and blamed on its pace; the
 * grown one said only Node's "The blob could not be read". By the default road (fetch's FormData, no `upload`) too: it
 * said `SUBMIT_OUTCOME_UNKNOWN`, "a job (or file) may exist … ask support", though nothing was made; its message names
 * the file, as nodeUpload's does.
 */
import { appendFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { InvalidInputError, models } from "../src/index.js";
import { fileFromPath, nodeUpload } from "../src/node.js";
import { clientFor, startFast } from "./helpers.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "decart-core-changed-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Submits `data` to an emulator of its own (its request timeout short: a body left short of its length, as before,
 * failed in 2 s, not 30), closed once the call settled: its counts are then this call's whole (an aborted request is
 * counted as its connection ends). Answers what the call ended with and the requests the emulator was sent.
 */
async function submitted(data: () => Promise<Blob>, road: "nodeUpload" | "fetch" = "nodeUpload") {
  const emu = await startFast({ requestTimeoutMs: 2000 });
  try {
    const client = clientFor(emu, road === "fetch" ? {} : { upload: nodeUpload() });
    const outcome = await client.queue
      .submit({ model: models.video("lucy-clip"), prompt: "Make it snow", data: await data() } as never)
      .catch((e: unknown) => e);
    return { outcome, emu };
  } finally {
    await emu.close();
  }
}

/** An MP4's first box, then zeros: `size` bytes. */
const mp4 = (size: number) =>
  Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from("ftypisom"), Buffer.alloc(size - 12)]);

describe("a file input that changes under its upload", () => {
  it("appended to after fileFromPath: InvalidInputError naming it, 'the file changed while it was sent', never sent again", async () => {
    const path = join(dir, "rec.mp4");
    writeFileSync(path, mp4(100_000));
    const { outcome, emu } = await submitted(async () => {
      const file = await fileFromPath(path);
      appendFileSync(path, Buffer.alloc(4096)); // the recorder writes on
      return file;
    });
    expect(InvalidInputError.isInstance(outcome), JSON.stringify(outcome)).toBe(true);
    expect(outcome).toMatchObject({ code: "INVALID_INPUT", field: "data" });
    expect((outcome as Error).message).toContain(
      'Could not send the input "data" (rec.mp4): the file changed while it was sent',
    );
    expect(emu.stats().requests.byRoute.submit).toBeLessThanOrEqual(1);
    expect(emu.stats().jobsCreated).toBe(0);
  });

  // A file that reads shorter than its size: a /sys attribute (4096 bytes by stat, a few read), which Linux has; no
  // file a test can make without mounting a file system reads so.
  const sysfs = "/sys/kernel/address_bits";
  it.skipIf(!existsSync(sysfs) || statSync(sysfs).size === 0)(
    "one that reads shorter than its size (a /sys file): 'read N of M bytes', sent once, not left to the server's timeout",
    async () => {
      const size = statSync(sysfs).size;
      const { outcome, emu } = await submitted(() => fileFromPath(sysfs, { type: "video/mp4" }));
      expect(InvalidInputError.isInstance(outcome), JSON.stringify(outcome)).toBe(true);
      expect(outcome).toMatchObject({ code: "INVALID_INPUT", field: "data" });
      expect((outcome as Error).message).toMatch(
        new RegExp(
          `Could not send the input "data" \\(address_bits\\): read \\d+ of ${size} bytes: the file changed while ` +
            "it was sent, or reads shorter than its size says",
        ),
      );
      expect(emu.stats().requests.byRoute.submit).toBe(1);
      expect(emu.stats().jobsCreated).toBe(0);
    },
  );
});

describe("by the default road (fetch, no upload function)", () => {
  // The message names the file (its name), as nodeUpload's does.
  const expectInput = (outcome: unknown, emu: Awaited<ReturnType<typeof submitted>>["emu"], file: string) => {
    expect(InvalidInputError.isInstance(outcome), JSON.stringify(outcome)).toBe(true);
    expect(outcome).toMatchObject({ code: "INVALID_INPUT", field: "data" });
    expect((outcome as Error).message).toBe(
      `Could not send the input "data" (${file}): it changed while it was sent, or reads shorter than its size; nothing was made`,
    );
    expect(emu.stats().requests.byRoute.submit).toBeLessThanOrEqual(1);
    expect(emu.stats().jobsCreated).toBe(0);
  };

  it("a file appended to after fileFromPath: InvalidInputError naming it, not SUBMIT_OUTCOME_UNKNOWN", async () => {
    const path = join(dir, "rec-fetch.mp4");
    writeFileSync(path, mp4(100_000));
    const { outcome, emu } = await submitted(async () => {
      const file = await fileFromPath(path);
      appendFileSync(path, Buffer.alloc(4096));
      return file;
    }, "fetch");
    expectInput(outcome, emu, "rec-fetch.mp4");
  });

  it("its bytes counted again a MiB at a time, never read whole into memory", async () => {
    const path = join(dir, "big-fetch.mp4");
    writeFileSync(path, mp4(3 * 2 ** 20));
    // What is sent is the client's copy of the file (a File of the platform's): the sizes of the reads of it, watched
    // (each read goes on as it would).
    const sizes: number[] = [];
    const arrayBuffer = Blob.prototype.arrayBuffer;
    const read = vi.spyOn(Blob.prototype, "arrayBuffer").mockImplementation(function (this: Blob) {
      sizes.push(this.size);
      return arrayBuffer.call(this);
    });
    try {
      const { outcome, emu } = await submitted(async () => {
        const file = await fileFromPath(path);
        appendFileSync(path, Buffer.alloc(4096));
        return file;
      }, "fetch");
      expectInput(outcome, emu, "big-fetch.mp4");
    } finally {
      read.mockRestore();
    }
    expect(sizes.length).toBeGreaterThan(0);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2 ** 20);
  });

  const sysfs = "/sys/kernel/address_bits";
  it.skipIf(!existsSync(sysfs) || statSync(sysfs).size === 0)(
    "one that reads shorter than its size (a /sys file): InvalidInputError, not SUBMIT_OUTCOME_UNKNOWN",
    async () => {
      const { outcome, emu } = await submitted(() => fileFromPath(sysfs, { type: "video/mp4" }), "fetch");
      expectInput(outcome, emu, "address_bits");
    },
  );
});
