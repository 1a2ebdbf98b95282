import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthenticationError, createDecartClient, models, NotFoundError } from "../src/index.js";
import { nodeUpload } from "../src/node.js";
import { clientFor, sha256, startFast } from "./helpers.js";

/** A 1×1 PNG. */
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

describe("process", () => {
  it("returns the image as a Blob with its type, the same bytes for the same inputs", async () => {
    const client = clientFor(emu);
    const a = await client.process({
      model: models.image("lucy-pro-t2i"),
      prompt: "a fox",
      seed: 1,
      resolution: "480p",
    });
    const b = await client.process({
      model: models.image("lucy-pro-t2i"),
      prompt: "a fox",
      seed: 1,
      resolution: "480p",
    });
    expect(a.type).toMatch(/^image\/(png|jpeg)$/);
    expect(a.size).toBeGreaterThan(100);
    expect(await sha256(a)).toBe(await sha256(b));
  });

  it("edits an image with lucy-image-2 (a file input and a boolean)", async () => {
    const client = clientFor(emu);
    const source = await client.process({ model: models.image("lucy-pro-t2i"), prompt: "a house" });
    const edited = await client.process({
      model: models.image("lucy-image-2"),
      prompt: "paint it red",
      data: new File([source], "house.png", { type: "image/png" }),
      enhance_prompt: false,
    });
    expect(edited.size).toBeGreaterThan(100);
  });
});

describe("tokens", () => {
  it("creates a client token that works as a key, with the permissions asked for", async () => {
    const client = clientFor(emu);
    const token = await client.tokens.create({
      expiresIn: 120,
      allowedModels: ["lucy-pro-t2v"],
      metadata: { user: "u1" },
    });
    expect(token.apiKey).toMatch(/^ek_/);
    expect(Date.parse(token.expiresAt)).toBeGreaterThan(Date.now());
    expect(token.permissions).toEqual({ models: ["lucy-pro-t2v"] });
    const browser = clientFor(emu, { apiKey: token.apiKey });
    const result = await browser.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "with a token" });
    expect(result.status).toBe("completed");
  });

  it("sends {} when called without options", async () => {
    const token = await clientFor(emu).tokens.create();
    expect(token.apiKey).toMatch(/^ek_/);
  });
});

describe("files", () => {
  it("uploads, reads and deletes a file (a File keeps its name)", async () => {
    const client = clientFor(emu);
    const file = new File([new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0, 0])], "frame.png", {
      type: "image/png",
    });
    const stored = await client.files.upload(file, { ttlSeconds: 3600 });
    expect(stored).toMatchObject({ id: expect.stringMatching(/^file_/), filename: "frame.png", size_bytes: 10 });
    expect(await client.files.get(stored.id)).toEqual(stored);
    await expect(client.files.delete(stored.id)).resolves.toBeUndefined();
    const gone = await client.files.get(stored.id).catch((e) => e);
    expect(gone).toBeInstanceOf(NotFoundError);
    const persistent = await client.files.upload(new Blob(["x"]), { ttlSeconds: "persistent" });
    expect(persistent.expires_at).toBeNull();
    expect(persistent.filename).toBe("blob");
  });

  // Node's fetch (undici's FormData) leaves out the filename of a File named "", and the server takes a part without
  // one for text ("Expected UploadFile"): sent named `blob`, as a bare Blob is, by fetch and by nodeUpload() alike.
  it.each([
    ["fetch", {}],
    ["nodeUpload()", { upload: nodeUpload() }],
  ])(
    "a File whose name is empty is sent as a file named blob (%s): files.upload, queue.submit, process",
    async (_, options) => {
      const client = clientFor(emu, options);
      const png = () => new File([Buffer.from(PNG, "base64")], "", { type: "image/png" });
      await expect(client.files.upload(png(), { ttlSeconds: 3600 })).resolves.toMatchObject({ filename: "blob" });
      const job = await client.queue.submit({ model: models.video("lucy-pro-i2v"), prompt: "a lake", data: png() });
      expect(job.job_id).toMatch(/^j/);
      const image = await client.process({ model: models.image("lucy-image-2"), prompt: "a lake", data: png() });
      expect(image.size).toBeGreaterThan(100);
    },
  );

  it("needs a valid key", async () => {
    const client = createDecartClient({ apiKey: "dct_wrong", baseUrl: emu.url });
    await expect(client.files.get("file_x")).rejects.toBeInstanceOf(AuthenticationError);
  });
});
