/**
 * A `null` given where something else goes is shown as `null` in the refusal, not as "an object" (`typeof null`):
 * in a model's inputs, a job id, a token's scopes. Nothing is sent.
 */
import { expect, it } from "vitest";
import { type DecartError, models } from "../src/index.js";
import { useEmulatorClient } from "./helpers.js";

const env = useEmulatorClient();

const image = new Blob([new Uint8Array(8)], { type: "image/png" });

it.each<[string, () => Promise<unknown>, string]>([
  [
    "a model's input",
    () =>
      env.client.queue.submit({
        model: models.video("lucy-motion"),
        data: image,
        trajectory: [{ frame: 0, x: 0, y: 0 }, null],
      } as never),
    'Invalid input for lucy-motion: "trajectory[1]" must be an object (got null)',
  ],
  [
    "a job id",
    () => env.client.queue.status(null as never),
    '"jobId" must be 1 to 256 characters long, not . or .. (got null)',
  ],
  [
    "a token's model",
    () => env.client.tokens.create({ allowedModels: [null] } as never),
    '"allowedModels[0]" must be models of the catalogue, or definitions with a name (got null)',
  ],
  [
    "a token's origin",
    () => env.client.tokens.create({ allowedOrigins: [null] } as never),
    '"allowedOrigins[0]" must be a string (got null)',
  ],
])("null as %s is shown as null", async (_, call, words) => {
  const error = (await Promise.resolve()
    .then(call)
    .catch((e) => e)) as DecartError;
  expect(error.code).toBe("INVALID_INPUT");
  expect(error.message).toContain(words);
  expect(env.emu.stats().requests.total).toBe(0);
});

it("an object is still shown by its kind", async () => {
  const error = (await env.client.tokens.create({ allowedOrigins: [{}] } as never).catch((e) => e)) as DecartError;
  expect(error.message).toContain('"allowedOrigins[0]" must be a string (got an object)');
});
