import { fetch as undiciFetch } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { models } from "../src/index.js";
import { useEmulatorClient } from "./helpers.js";

// An app that sets the global fetch to undici 7's (`globalThis.fetch = undici.fetch`, for a dispatcher or a newer
// fetch in Node 20): undici 7 sends Node's own FormData as the text "[object FormData]", and every submit, process and
// upload was answered a false 422 "prompt: Field required". A multipart body goes to the global fetch encoded too.
const ctx = useEmulatorClient();
const real = globalThis.fetch;
beforeEach(() => {
  globalThis.fetch = undiciFetch as unknown as typeof fetch;
});
afterEach(() => {
  globalThis.fetch = real;
});

describe("a multipart request through a global fetch set to undici 7's", () => {
  it("is taken by the server: a submit, process, an upload, and the job is watched to its end", async () => {
    const { client } = ctx;
    const image = await client.process({ model: models.image("lucy-pro-t2i"), prompt: "a lighthouse" });
    expect(image.type).toBe("image/png");
    const done = await client.queue.submitAndPoll({
      model: models.video("lucy-pro-i2v"),
      prompt: "waves",
      data: image,
    });
    expect(done.status).toBe("completed");
    const file = await client.files.upload(new File([image], "lighthouse.png", { type: "image/png" }));
    expect(file.filename).toBe("lighthouse.png");
  });
});
