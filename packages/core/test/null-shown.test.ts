/**
 * A `null` given where something else goes is shown as `null` in the refusal, not as "an object" (`typeof null`):
 * in a model's inputs, a job id, a token's scopes. Nothing is sent.
 */
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type DecartClient, type DecartError, models } from "../src/index.js";
import { clientFor, startFast } from "./helpers.js";

let emu: Emulator;
let client: DecartClient;
beforeAll(async () => {
  emu = await startFast();
  client = clientFor(emu);
});
afterAll(() => emu.close());

const image = new Blob([new Uint8Array(8)], { type: "image/png" });

it.each<[string, () => Promise<unknown>, string]>([
  [
    "a model's input",
    () =>
      client.queue.submit({
        model: models.video("lucy-motion"),
        data: image,
        trajectory: [{ frame: 0, x: 0, y: 0 }, null],
      } as never),
    'Invalid input for lucy-motion: "trajectory[1]" must be an object (got null)',
  ],
  [
    "a job id",
    () => client.queue.status(null as never),
    '"jobId" must be 1 to 256 characters long, not . or .. (got null)',
  ],
  [
    "a token's model",
    () => client.tokens.create({ allowedModels: [null] } as never),
    '"allowedModels[0]" must be models of the catalogue, or definitions with a name (got null)',
  ],
  [
    "a token's origin",
    () => client.tokens.create({ allowedOrigins: [null] } as never),
    '"allowedOrigins[0]" must be a string (got null)',
  ],
])("null as %s is shown as null", async (_, call, words) => {
  const error = (await Promise.resolve()
    .then(call)
    .catch((e) => e)) as DecartError;
  expect(error.code).toBe("INVALID_INPUT");
  expect(error.message).toContain(words);
  expect(emu.stats().requests.total).toBe(0);
});

it("an object is still shown by its kind", async () => {
  const error = (await client.tokens.create({ allowedOrigins: [{}] } as never).catch((e) => e)) as DecartError;
  expect(error.message).toContain('"allowedOrigins[0]" must be a string (got an object)');
});
