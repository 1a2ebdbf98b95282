import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, type DecartClient, InvalidInputError, models } from "../src/index.js";
import { clientFor, startFast } from "./helpers.js";

let emu: Emulator;
let client: DecartClient;
beforeAll(async () => {
  emu = await startFast();
  client = clientFor(emu);
});
afterAll(() => emu.close());

const png = () => new Blob([new Uint8Array(8)], { type: "image/png" });
const mp4 = () => new Blob([new Uint8Array(8)], { type: "video/mp4" });
const point = (frame: number) => ({ frame, x: 0.5, y: 0.5 });
// Calls with runtime-wrong inputs: the casts stand for JavaScript callers or `any`-typed data.
const submit = (options: Record<string, unknown>) => client.queue.submit(options as never);
const processImage = (options: Record<string, unknown>) => client.process(options as never);

type Case = [name: string, field: string, run: () => unknown];

const cases: Case[] = [
  ["an unknown video model", "model", () => models.video("lucy-nope" as never)],
  ["an image model asked for as video", "model", () => models.video("lucy-pro-t2i" as never)],
  ["a video model asked for as image", "model", () => models.image("lucy-pro-t2v" as never)],
  ["a model given as a plain string", "model", () => submit({ model: "lucy-pro-t2v", prompt: "x" })],
  ["an image model on the queue", "model", () => submit({ model: models.image("lucy-pro-t2i"), prompt: "x" })],
  ["a video model on process", "model", () => processImage({ model: models.video("lucy-pro-t2v"), prompt: "x" })],
  ["a missing required prompt", "prompt", () => submit({ model: models.video("lucy-pro-t2v") })],
  ["a prompt that is not text", "prompt", () => submit({ model: models.video("lucy-pro-t2v"), prompt: 42 })],
  [
    "an empty prompt where one is required",
    "prompt",
    () => submit({ model: models.video("lucy-pro-t2v"), prompt: "" }),
  ],
  [
    "a prompt over 1000 characters",
    "prompt",
    () => submit({ model: models.video("lucy-pro-t2v"), prompt: "a".repeat(1001) }),
  ],
  [
    "an orientation outside the enum",
    "orientation",
    () => submit({ model: models.video("lucy-pro-t2v"), prompt: "x", orientation: "diagonal" }),
  ],
  [
    "a resolution outside the enum",
    "resolution",
    () => submit({ model: models.video("lucy-pro-t2v"), prompt: "x", resolution: "1080p" }),
  ],
  [
    "a seed that is not an integer",
    "seed",
    () => submit({ model: models.video("lucy-pro-t2v"), prompt: "x", seed: 1.5 }),
  ],
  ["a negative seed", "seed", () => submit({ model: models.video("lucy-pro-t2v"), prompt: "x", seed: -1 })],
  ["a seed given as text", "seed", () => submit({ model: models.video("lucy-pro-t2v"), prompt: "x", seed: "42" })],
  ["an unknown field", "foo", () => submit({ model: models.video("lucy-pro-t2v"), prompt: "x", foo: 1 })],
  [
    "a boolean given as text",
    "enhance_prompt",
    () => submit({ model: models.video("lucy-clip"), prompt: "x", data: mp4(), enhance_prompt: "yes" }),
  ],
  ["a missing required file", "data", () => submit({ model: models.video("lucy-clip"), prompt: "x" })],
  [
    "text where a file is expected",
    "data",
    () => submit({ model: models.video("lucy-clip"), prompt: "x", data: "not a url" }),
  ],
  [
    "a non-http URL for a file",
    "data",
    () => submit({ model: models.video("lucy-pro-i2v"), prompt: "x", data: "ftp://example.org/a.png" }),
  ],
  [
    "a file of the wrong media type",
    "data",
    () => submit({ model: models.video("lucy-clip"), prompt: "x", data: new Blob(["x"], { type: "text/plain" }) }),
  ],
  [
    "a number where a file is expected",
    "data",
    () => submit({ model: models.video("lucy-pro-i2v"), prompt: "x", data: 7 }),
  ],
  [
    "restyle with both prompt and reference_image",
    "prompt|reference_image",
    () => submit({ model: models.video("lucy-restyle-2"), data: mp4(), prompt: "x", reference_image: png() }),
  ],
  [
    "restyle with neither prompt nor reference_image",
    "prompt|reference_image",
    () => submit({ model: models.video("lucy-restyle-2"), data: mp4() }),
  ],
  [
    "enhance_prompt with reference_image",
    "enhance_prompt",
    () => submit({ model: models.video("lucy-restyle-2"), data: mp4(), reference_image: png(), enhance_prompt: true }),
  ],
  [
    "a trajectory with too few points",
    "trajectory",
    () => submit({ model: models.video("lucy-motion"), data: png(), trajectory: [point(0)] }),
  ],
  [
    "a trajectory point without x",
    "trajectory[1].x",
    () => submit({ model: models.video("lucy-motion"), data: png(), trajectory: [point(0), { frame: 1, y: 0 }] }),
  ],
  [
    "a trajectory that is not JSON",
    "trajectory",
    () => submit({ model: models.video("lucy-motion"), data: png(), trajectory: "[{" }),
  ],
  [
    "a negative trajectory frame",
    "trajectory[0].frame",
    () => submit({ model: models.video("lucy-motion"), data: png(), trajectory: [point(-1), point(2)] }),
  ],
  ["an empty job id", "jobId", () => client.queue.status("")],
  ["a job id that is not text", "jobId", () => client.queue.result(5 as never)],
  ["an upload TTL under 60 s", "ttlSeconds", () => client.files.upload(png(), { ttlSeconds: 10 })],
  ["an upload that is not a file", "file", () => client.files.upload({} as never)],
  ["an empty file id", "fileId", () => client.files.get("")],
  ["no API key at all", "apiKey", () => withoutEnvKey(() => createDecartClient({ baseUrl: emu.url }))],
  ["a blank API key", "apiKey", () => withoutEnvKey(() => createDecartClient({ apiKey: "  " }))],
  ["a base URL that is not a URL", "baseUrl", () => createDecartClient({ apiKey: "k", baseUrl: "not a url" })],
  ["both a proxy and a key", "proxy", () => createDecartClient({ apiKey: "k", proxy: "/api/decart" })],
];

function withoutEnvKey<T>(run: () => T): T {
  const saved = process.env.DECART_API_KEY;
  delete process.env.DECART_API_KEY;
  try {
    return run();
  } finally {
    if (saved !== undefined) process.env.DECART_API_KEY = saved;
  }
}

describe("client-side validation", () => {
  it(`rejects ${cases.length} kinds of bad input`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases)("rejects %s with a typed InvalidInputError and sends nothing", async (_name, field, run) => {
    const before = emu.stats().requests.total;
    const error = await (async () => run())().then(
      () => undefined,
      (e) => e,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.field).toBe(field);
    expect(error.expected).toEqual(expect.any(String));
    expect(error.message.length).toBeGreaterThan(10);
    expect(emu.stats().requests.total).toBe(before);
  });

  it("names the field and what was expected in the message", async () => {
    const error = await submit({ model: models.video("lucy-pro-t2v"), prompt: "x", orientation: "diagonal" }).catch(
      (e) => e,
    );
    expect(error.message).toBe(
      'Invalid input for lucy-pro-t2v: "orientation" must be one of "landscape", "portrait" (got "diagonal")',
    );
  });

  it("accepts valid inputs of every field kind (the server agrees)", async () => {
    const png = await client.process({
      model: models.image("lucy-pro-t2i"),
      prompt: "a frame",
      orientation: "portrait",
    });
    const job = await client.queue.submit({
      model: models.video("lucy-motion"),
      data: png,
      trajectory: [point(0), point(10)],
      seed: 4294967295,
      resolution: "720p",
    });
    expect(job.status).toBe("pending");
    const asText = await client.queue.submit({
      model: models.video("lucy-motion"),
      data: png,
      trajectory: JSON.stringify([point(0), point(10)]),
    });
    expect(asText.status).toBe("pending");
  });
});
