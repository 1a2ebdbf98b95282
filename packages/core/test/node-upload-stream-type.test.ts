/**
 * A stream input of no type sent by `nodeUpload()` as it comes (a Node Readable, a web ReadableStream) is checked by
 * its first bytes, as a stream collected whole is: a PNG where a video goes is refused naming the field, before any
 * request reaches the server; an MP4 there is sent whole (the bytes read to check it are not lost), its progress told.
 * With `validateInputs: false`, it is sent and the server judges. Against the emulator, which counts what is sent.
 */
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createDecartClient, InvalidInputError, models } from "../src/index.js";
import { nodeUpload } from "../src/node.js";
import { silent, useEmulatorClient } from "./helpers.js";

const env = useEmulatorClient();
const PNG = Buffer.concat([Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"), Buffer.alloc(64)]);
const MP4 = Buffer.concat([
  Buffer.from("000000186674797069736f6d0000020069736f6d69736f32", "hex"),
  Buffer.alloc(4000, 1),
]);
const v2v = models.video("lucy-pro-v2v");

const client = (validateInputs?: boolean) =>
  createDecartClient({
    apiKey: env.emu.apiKey,
    baseUrl: env.emu.url,
    logger: silent,
    upload: nodeUpload(),
    validateInputs,
  });

/** The bytes in chunks of 5 (the first check needs more than one), as a Node Readable or a web ReadableStream. */
const streams = {
  "a Node Readable": (bytes: Buffer) =>
    Readable.from(
      (function* () {
        for (let at = 0; at < bytes.length; at += 5) yield bytes.subarray(at, at + 5);
      })(),
    ),
  "a web ReadableStream": (bytes: Buffer) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 5) controller.enqueue(bytes.subarray(at, at + 5));
        controller.close();
      },
    }),
};

/** What `call` ended with, and how many requests reached the emulator meanwhile. */
const counted = async (call: () => Promise<unknown>) => {
  const before = env.emu.stats().requests.total;
  const outcome: any = await call().catch((e) => e);
  return [outcome, env.emu.stats().requests.total - before] as const;
};

describe.each(Object.entries(streams))("%s of no type, through nodeUpload", (_, stream) => {
  it("of PNG bytes where a video goes: refused naming the field, no request made", async () => {
    const [error, sent] = await counted(() =>
      client().queue.submit({ model: v2v, prompt: "edit", data: stream(PNG) as never }),
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.field).toBe("data");
    expect(error.message).toBe(
      `Invalid input for lucy-pro-v2v: "data" must be of type video/mp4, video/webm, video/quicktime (got "image/png")`,
    );
    expect(sent).toBe(0);
  });

  it("of MP4 bytes where a video goes: sent whole, its progress told to the last byte", async () => {
    const told: number[] = [];
    const [job, sent] = await counted(() =>
      client().queue.submit({
        model: v2v,
        prompt: "edit",
        data: stream(MP4) as never,
        onUploadProgress: ({ sentBytes }) => told.push(sentBytes),
      }),
    );
    expect(job).toMatchObject({ job_id: expect.any(String) });
    expect(sent).toBe(1);
    expect(told.at(-1)).toBe(MP4.length);
  });

  it("with validateInputs: false, of PNG bytes: sent, the server judges", async () => {
    const [, sent] = await counted(() =>
      client(false).queue.submit({ model: v2v, prompt: "edit", data: stream(PNG) as never }),
    );
    expect(sent).toBe(1);
  });
});
