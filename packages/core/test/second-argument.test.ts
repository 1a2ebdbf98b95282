import { describe, expect, it } from "vitest";
import { type DecartError, models, ONCE } from "../src/index.js";
import { useEmulatorClient } from "./helpers.js";

// Options given in an argument past a method's last (another SDK's `create(params, { signal, timeout })`) are refused,
// naming where they go, before anything is sent: not dropped (an aborted signal there made an image), nor taken as an
// internal parameter (`submit`'s budget, `submitAndWatch`'s `download`).
const env = useEmulatorClient();

const video = { model: models.video("lucy-pro-t2v"), prompt: "A lake" };
const image = { model: models.image("lucy-pro-t2i"), prompt: "A lighthouse" };
const extra = { signal: AbortSignal.abort(), deadline: Number.NaN, maxRetries: 0 };
const drain = async (events: AsyncIterable<unknown>) => {
  for await (const _ of events);
};

describe("an argument past a method's last", () => {
  const calls: [string, (c: any) => unknown, "first" | "second"][] = [
    ["process", (c) => c.process(image, extra), "first"],
    ["generate", (c) => c.generate(video, extra), "first"],
    ["queue.submit", (c) => c.queue.submit(video, extra), "first"],
    ["queue.submitAndPoll", (c) => c.queue.submitAndPoll(video, extra), "first"],
    ["queue.submitAndWatch", (c) => drain(c.queue.submitAndWatch(video, extra)), "first"],
    ["queue.status", (c) => c.queue.status("job_1", {}, extra), "second"],
    ["queue.readStatus", (c) => c.queue.readStatus("job_1", undefined, extra), "second"],
    ["queue.result", (c) => c.queue.result("job_1", {}, extra), "second"],
    ["queue.download", (c) => c.queue.download("job_1", {}, extra), "second"],
    ["queue.wait", (c) => c.queue.wait("job_1", {}, extra), "second"],
    ["queue.watch", (c) => drain(c.queue.watch("job_1", {}, extra)), "second"],
    ["queue.createWatch", async (c) => c.queue.createWatch("job_1", {}, extra), "second"],
    ["files.upload", (c) => c.files.upload(new Blob(["x"]), {}, extra), "second"],
    ["files.get", (c) => c.files.get("file_1", {}, extra), "second"],
    ["files.delete", (c) => c.files.delete("file_1", {}, extra), "second"],
  ];
  it.each(calls)("%s refuses it, nothing sent", async (_, call, where) => {
    const before = env.emu.stats().requests.total;
    const error = (await Promise.resolve()
      .then(() => call(env.client))
      .catch((e) => e)) as DecartError & { field: string };
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.field).toBe(where === "first" ? "second argument" : "third argument");
    expect(error.message).toContain(`options go in the ${where} argument`);
    expect(env.emu.stats().requests.total).toBe(before);
  });

  it("queue.submit takes one second argument of its own, under a symbol key: one attempt (queue-rx's submitAll)", async () => {
    const loose = env.client as any;
    for (const budget of [{ [ONCE]: { spare: 0 } }, { [ONCE]: {} }])
      expect((await loose.queue.submit(video, budget)).job_id).toMatch(/^job_/);
    const before = env.emu.stats().requests.total;
    // A plain object is refused, whatever its shape (the budget was once recognised by it: a user's `maxRetries: 0`).
    for (const budget of [
      { maxRetries: 0 },
      { maxRetries: 0, spare: 0 },
      { maxRetries: 0, spare: null },
      { maxRetries: 0, spare: false },
      { spare: false },
      Object.create({ maxRetries: 0 }),
      { maxRetries: 1000 },
      { maxRetries: 0, deadline: 1 },
      {},
      { [ONCE]: undefined },
    ]) {
      const error = await loose.queue.submit(video, budget).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "INVALID_INPUT", field: "second argument" });
    }
    expect(env.emu.stats().requests.total).toBe(before);
  });

  it("an undefined one is no argument", async () => {
    const loose = env.client as any;
    const job = await loose.queue.submit(video, undefined);
    expect((await loose.queue.status(job.job_id, undefined, undefined)).job_id).toBe(job.job_id);
  });
});
