/**
 * An image named as another image (a PNG or a WebP saved as `.jpg`, as browsers and chat apps often save them) is
 * typed by its first bytes, not refused: the API reads a file's bytes, and takes it where its field takes that type.
 * An image named as a video, or a video as an image, is still refused naming `path`.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { models } from "../src/index.js";
import { fileFromPath } from "../src/node.js";
import { useEmulatorClient } from "./helpers.js";

const ctx = useEmulatorClient();
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "decart-core-same-kind-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("fileFromPath: an image named as another image", () => {
  it("a PNG named .jpg is typed image/png and taken by an image input over HTTP", async () => {
    // A real PNG: the emulator's own image.
    const png = Buffer.from(
      await (await ctx.client.process({ model: models.image("lucy-pro-t2i"), prompt: "x" })).arrayBuffer(),
    );
    const path = join(dir, "photo.jpg");
    await writeFile(path, png);
    const file = await fileFromPath(path);
    expect(file.type).toBe("image/png");
    const made = await ctx.client.process({ model: models.image("lucy-image-2"), prompt: "x", data: file });
    expect(made.size).toBeGreaterThan(0);
  });

  it("a WebP named .jpg is typed image/webp; a PNG named .mp4 is still refused naming path", async () => {
    const webp = Buffer.concat([
      Buffer.from("RIFF"),
      Buffer.from([36, 0, 0, 0]),
      Buffer.from("WEBPVP8 "),
      Buffer.alloc(32),
    ]);
    const named = join(dir, "saved.jpg");
    await writeFile(named, webp);
    expect((await fileFromPath(named)).type).toBe("image/webp");
    const video = join(dir, "clip.mp4");
    await writeFile(video, Buffer.concat([Buffer.from("89504e470d0a1a0a", "hex"), Buffer.alloc(32)]));
    await expect(fileFromPath(video)).rejects.toMatchObject({ field: "path" });
  });
});
