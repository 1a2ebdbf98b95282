import { runInNewContext } from "node:vm";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { models } from "../src/index.js";
import { clientFor, startFast } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

/**
 * `value` as another realm (a same-origin iframe) would hand it over: the same object, its prototypes another realm's
 * copies of this one's (the same methods and getters, and `Symbol.toStringTag`), so that it is no `instanceof` this
 * realm's class. A Node vm context makes its own ArrayBuffer (a builtin of the language), but has no Blob or File (they
 * are Node's, not the language's): those are made so.
 */
function foreign<T extends object>(value: T): T {
  const copy = (proto: object | null): object | null =>
    proto === Object.prototype || proto === null
      ? proto
      : Object.create(copy(Object.getPrototypeOf(proto)), Object.getOwnPropertyDescriptors(proto));
  return Object.setPrototypeOf(value, copy(Object.getPrototypeOf(value)));
}

describe("files of another realm (a same-origin iframe's)", () => {
  it("takes an ArrayBuffer, a Blob and a File that are no instanceof this realm's, as inputs and for files.upload", async () => {
    const client = clientFor(emu);
    const png = new Uint8Array(
      await (await client.process({ model: models.image("lucy-pro-t2i"), prompt: "x" })).arrayBuffer(),
    );
    const buffer: ArrayBuffer = runInNewContext("new ArrayBuffer(n)", { n: png.byteLength });
    new Uint8Array(buffer).set(png);
    const blob = foreign(new Blob([png], { type: "image/png" }));
    const file = foreign(new File([png], "frame.png", { type: "image/png" }));
    expect([buffer instanceof ArrayBuffer, blob instanceof Blob, file instanceof File]).toEqual([false, false, false]);

    for (const [i, value] of [buffer, blob, file].entries()) {
      const stored = await client.files.upload(value);
      expect(stored.size_bytes, `upload ${i}`).toBe(png.byteLength);
      const image = await client.process({ model: models.image("lucy-pro-i2i"), prompt: "x", data: value as Blob });
      expect(image.size, `process ${i}`).toBeGreaterThan(0);
    }
    // A Blob's type is checked as this realm's is (a text is no image).
    const wrong = foreign(new Blob(["text"], { type: "text/plain" }));
    await expect(
      client.process({ model: models.image("lucy-pro-i2i"), prompt: "x", data: wrong }),
    ).rejects.toMatchObject({
      code: "INVALID_INPUT",
      field: "data",
    });
  });

  it("sends the bytes of a library's Blob or File (fetch-blob's, node-fetch v3's), not its text; refuses what only bears the tag", async () => {
    const client = clientFor(emu);
    const png = new Uint8Array(
      await (await client.process({ model: models.image("lucy-pro-t2i"), prompt: "x" })).arrayBuffer(),
    );
    /** A Blob as fetch-blob makes it: tagged "Blob" or "File", no Blob of the platform's, read by its own methods. */
    class LibraryBlob {
      constructor(
        readonly tag: string,
        readonly name = "frame.png",
        readonly type = "image/png",
      ) {}
      get [Symbol.toStringTag]() {
        return this.tag;
      }
      get size() {
        return png.byteLength;
      }
      arrayBuffer = async () => png.slice().buffer;
      stream = () => new Blob([png]).stream();
    }
    for (const tag of ["Blob", "File"]) {
      const value = new LibraryBlob(tag) as unknown as Blob;
      const stored = await client.files.upload(value);
      expect(stored.size_bytes, tag).toBe(png.byteLength);
      expect(stored.mime_type, tag).toBe("image/png");
      const image = await client.process({ model: models.image("lucy-pro-i2i"), prompt: "x", data: value });
      expect(image.size, tag).toBeGreaterThan(0);
    }
    // An object tagged "ArrayBuffer" is no bytes: refused, naming the field, before anything is sent.
    const asked: string[] = [];
    const watched = clientFor(emu, {
      fetch: (input, init) => fetch(input, init).finally(() => asked.push(String(input))),
    });
    const fake = { [Symbol.toStringTag]: "ArrayBuffer", byteLength: 8 } as unknown as ArrayBuffer;
    await expect(
      watched.process({ model: models.image("lucy-pro-i2i"), prompt: "x", data: fake }),
    ).rejects.toMatchObject({ code: "INVALID_INPUT", field: "data" });
    await expect(watched.files.upload(fake)).rejects.toMatchObject({ code: "INVALID_INPUT" });
    expect(asked).toEqual([]);
  });
});
