/**
 * A stream input's chunk of `null` (a web stream's `enqueue(null)`, an async iterable's `yield null`) is refused saying
 * it gave null, not "an object", as `invalid()` names a null: by the client reading it whole, and by `nodeUpload()`
 * sending it as it comes. No job is made.
 */
import { expect, it } from "vitest";
import { createDecartClient, InvalidInputError, models } from "../src/index.js";
import { nodeUpload } from "../src/node.js";
import { useEmulatorClient } from "./helpers.js";

const env = useEmulatorClient();

it.each([
  [
    "a web stream",
    () =>
      new ReadableStream({
        start(c) {
          c.enqueue(null);
          c.close();
        },
      }),
  ],
  [
    "an async iterable",
    () =>
      (async function* () {
        yield new Uint8Array(3);
        yield null;
      })(),
  ],
])("%s whose chunk is null is refused saying null, nothing sent", async (_, make) => {
  for (const upload of [undefined, nodeUpload()]) {
    const client = createDecartClient({ apiKey: "dct_test", baseUrl: env.emu.url, maxRetries: 0, upload });
    const error = await client.queue
      .submit({ model: models.video("lucy-clip"), prompt: "x", data: make() as never })
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: "data" });
    expect(error.message).toContain('"data": it gave null, not bytes (Uint8Array)');
  }
  expect(env.emu.stats().jobsCreated).toBe(0);
});
