/**
 * A call refused for an argument past its options (another SDK's `process(params, { signal })`) ends its stream
 * inputs, as a call refused for its options does: a Node stream destroyed (its file closed), a web stream cancelled
 * with the refusal. Nothing is sent.
 */
import { once } from "node:events";
import { createReadStream, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { models } from "../src/index.js";
import { useEmulatorClient } from "./helpers.js";

const env = useEmulatorClient();

const file = join(mkdtempSync(join(tmpdir(), "decart-second-")), "in.jpg");
writeFileSync(file, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]));
const image = models.image("lucy-pro-i2i");
const video = models.video("lucy-pro-i2v");
const calls: [string, (c: any, data: unknown) => Promise<unknown>][] = [
  ["process", (c, data) => c.process({ model: image, prompt: "A", data }, { signal: AbortSignal.abort() })],
  ["generate", (c, data) => c.generate({ model: video, prompt: "A", data }, { signal: AbortSignal.abort() })],
  ["queue.submit", (c, data) => c.queue.submit({ model: video, prompt: "A", data }, { signal: AbortSignal.abort() })],
  ["queue.submitAndPoll", (c, data) => c.queue.submitAndPoll({ model: video, prompt: "A", data }, { signal: null })],
];

it.each(calls)("%s destroys a Node file stream (its file closed)", async (_, call) => {
  const stream = createReadStream(file);
  const closed = once(stream, "close");
  const error = await call(env.client, stream).catch((e) => e);
  expect(error).toMatchObject({ code: "INVALID_INPUT", field: "second argument" });
  expect(stream.destroyed).toBe(true);
  await closed;
  expect(env.emu.stats().requests.total).toBe(0);
});

it.each(calls)("%s cancels a web stream with the refusal", async (_, call) => {
  const reasons: unknown[] = [];
  const stream = new ReadableStream<Uint8Array>({
    pull: (c) => c.enqueue(new Uint8Array([0xff, 0xd8, 0xff])),
    cancel: (reason) => {
      reasons.push(reason);
    },
  });
  const error = await call(env.client, stream).catch((e) => e);
  expect(error).toMatchObject({ code: "INVALID_INPUT", field: "second argument" });
  expect(reasons).toEqual([error]);
  expect(env.emu.stats().requests.total).toBe(0);
});
