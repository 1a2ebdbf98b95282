/**
 * `fileFromPath` types a file whose extension says no type it knows by its first bytes: an AVI named `.avi` and a GIF
 * named `.dat` are refused by the field that does not take them, naming it, before any request reaches the server.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError, models } from "../src/index.js";
import { fileFromPath, mediaTypeOfFile } from "../src/node.js";
import { clientFor, startFast } from "./helpers.js";

let emu: Emulator;
let dir: string;
beforeAll(async () => {
  emu = await startFast();
  dir = await mkdtemp(join(tmpdir(), "decart-core-type-"));
});
afterAll(async () => {
  await emu.close();
  await rm(dir, { recursive: true, force: true });
});

/** The start of an AVI (a RIFF file of form `AVI `, its header list), then zeros. */
const AVI = Buffer.concat([
  Buffer.from("RIFF\x00\x10\x00\x00AVI LIST\x00\x01\x00\x00hdrlavih", "latin1"),
  Buffer.alloc(4096),
]);
/** A 1×1 GIF. */
const GIF = Buffer.from("474946383961010001000000002c00000000010001000002024401003b", "hex");

async function refusedBeforeSending(send: () => Promise<unknown>): Promise<InvalidInputError> {
  const before = emu.stats().requests.total;
  const error = await send().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(emu.stats().requests.total - before).toBe(0);
  expect(error).toBeInstanceOf(InvalidInputError);
  return error as InvalidInputError;
}

describe("fileFromPath: a type by the first bytes when the extension says none", () => {
  it("refuses an AVI named .avi as a video edit's data before anything is sent", async () => {
    const path = join(dir, "clip.avi");
    await writeFile(path, AVI);
    const data = await fileFromPath(path);
    expect(data.type).toBe("video/vnd.avi");
    const client = clientFor(emu);
    const error = await refusedBeforeSending(() =>
      client.queue.submit({ model: models.video("lucy-clip"), prompt: "Snow", data }),
    );
    expect(error.field).toBe("data");
    expect(error.message).toContain(
      '"data" must be of type video/mp4, video/webm, video/quicktime (got "video/vnd.avi")',
    );
  });

  it("refuses a GIF of an unknown extension as an image edit's data before anything is sent", async () => {
    const path = join(dir, "picture.dat");
    await writeFile(path, GIF);
    const data = await fileFromPath(path);
    expect(data.type).toBe("image/gif");
    const client = clientFor(emu);
    const error = await refusedBeforeSending(() =>
      client.process({ model: models.image("lucy-image-2"), prompt: "Brighter", data }),
    );
    expect(error.field).toBe("data");
    expect(error.message).toContain('"data" must be of type image/png, image/jpeg, image/webp (got "image/gif")');
  });

  it("keeps the type given over the bytes", async () => {
    const path = join(dir, "given.dat");
    await writeFile(path, GIF);
    expect((await fileFromPath(path, { type: "image/webp" })).type).toBe("image/webp");
    expect(await mediaTypeOfFile(path)).toBe("image/gif");
  });
});
