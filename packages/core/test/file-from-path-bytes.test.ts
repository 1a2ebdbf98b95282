/**
 * `fileFromPath` checks the type its file's extension says against the file's first bytes (the check a file input of
 * no type gets): a PNG named `.mp4`, or an MP4 named `.png`, is refused naming `path` before any request; a type given
 * is taken as given.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError, models } from "../src/index.js";
import { fileFromPath } from "../src/node.js";
import { useEmulatorClient } from "./helpers.js";

const ctx = useEmulatorClient();
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "decart-core-bytes-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const PNG = Buffer.concat([Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"), Buffer.alloc(64, 1)]);
const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from("ftypisom"), Buffer.alloc(64)]);

async function written(name: string, bytes: Buffer) {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

describe("fileFromPath: the extension's type against the first bytes", () => {
  it("a PNG named .mp4, given as a video's data, is refused naming path and both types; nothing is sent", async () => {
    const path = await written("misnamed.mp4", PNG);
    ctx.emu.resetStats();
    const error = await (async () =>
      ctx.client.queue.submit({
        model: models.video("lucy-clip"),
        prompt: "snow",
        data: await fileFromPath(path),
      }))().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: "path" });
    expect((error as Error).message).toBe(
      `fileFromPath("${path}"): its first bytes are image/png's, not video/mp4 as its name says: rename it, or give its type (fileFromPath(path, { type: "image/png" }))`,
    );
    expect(ctx.emu.stats().requests.total).toBe(0);
  });

  it("an MP4 named .png is refused the same", async () => {
    const path = await written("misnamed.png", MP4);
    await expect(fileFromPath(path)).rejects.toMatchObject({
      field: "path",
      message: expect.stringContaining("its first bytes are video/mp4's, not image/png as its name says"),
    });
  });

  it("a file whose bytes are its name's type, or of no type the check knows, is typed by its name", async () => {
    expect((await fileFromPath(await written("still.png", PNG))).type).toBe("image/png");
    expect((await fileFromPath(await written("clip.m4v", MP4))).type).toBe("video/mp4");
    expect((await fileFromPath(await written("clip.mov", MP4))).type).toBe("video/quicktime");
    expect((await fileFromPath(await written("odd.mp4", Buffer.alloc(64, 7)))).type).toBe("video/mp4");
  });

  it("a type given is taken as given: the misnamed PNG sent as the PNG it is", async () => {
    const file = await fileFromPath(await written("given.mp4", PNG), { type: "image/png" });
    expect(file.type).toBe("image/png");
    expect(file.size).toBe(PNG.length);
  });
});
