import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError, models } from "../src/index.js";
import { clientFor, startFast } from "./helpers.js";

// `queue.submit` and `process` take the model, its inputs, `signal`, `onUploadProgress` (and `process` its own
// `timeoutMs`). A watch's option given to them (an app reusing `submitAndPoll`'s options) would be ignored: it is
// refused before anything is sent, naming the key and where it belongs; `submitAndPoll` still takes every one.
let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

const video = models.video("lucy-pro-t2v");
const image = models.image("lucy-pro-t2i");

describe("a watch's option given to a call that does not watch", () => {
  it.each([
    ["timeoutMs", 800],
    ["onStatusChange", () => {}],
    ["poll", { intervalMs: 10 }],
    ["download", false],
    ["onSubmitted", () => {}],
    ["onProgress", () => {}],
  ])("queue.submit refuses %s before any request", async (key, value) => {
    const before = emu.stats().jobsCreated;
    const call = { model: video, prompt: "a lake", [key]: value };
    const error = await clientFor(emu)
      .queue.submit(call as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: key });
    expect((error as Error).message).toContain("queue.wait");
    expect((error as Error).message).toContain("submitJob's third argument");
    expect(emu.stats().jobsCreated).toBe(before);
  });

  it.each([
    ["onStatusChange", () => {}],
    ["download", false],
  ])("process refuses %s; its own timeoutMs is taken", async (key, value) => {
    const client = clientFor(emu);
    const error = await client
      .process({ model: image, prompt: "a lake", [key]: value } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: key });
    expect((error as Error).message).toContain("queue.wait");
    await expect(client.process({ model: image, prompt: "a lake", timeoutMs: 60_000 })).resolves.toBeInstanceOf(Blob);
  });

  it("submitAndPoll takes them all", async () => {
    const seen: string[] = [];
    const done = await clientFor(emu).queue.submitAndPoll({
      model: video,
      prompt: "a lake",
      timeoutMs: 60_000,
      download: false,
      onSubmitted: () => seen.push("submitted"),
      onStatusChange: (job) => seen.push(job.status),
    });
    expect(done.status).toBe("completed");
    expect(seen[0]).toBe("submitted");
    expect(seen).toContain("completed");
  });
});
