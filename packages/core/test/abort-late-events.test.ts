/** An abort from inside `onSubmitted` or the loop's body at `submitted`: nothing after it is told. */
import type { Emulator } from "@decart/emulator";
import { afterEach, describe, expect, it } from "vitest";
import { AbortError, models } from "../src/index.js";
import { clientFor, startFast } from "./helpers.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const model = models.video("lucy-pro-t2v");

describe("aborted at submitted", () => {
  it("from onSubmitted: no status callback after it; the AbortError carries the job id and the reason", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const controller = new AbortController();
    const reason = new Error("user cancelled");
    const told: string[] = [];
    const error = await client.queue
      .submitAndPoll({
        model,
        prompt: "x",
        signal: controller.signal,
        onSubmitted: (id) => {
          told.push(`submitted ${id}`);
          controller.abort(reason);
        },
        onStatusChange: (job) => told.push(job.status),
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error.cause).toBe(reason);
    expect(told).toEqual([`submitted ${error.jobId}`]);
  });

  it("from the for await body: no event after submitted", async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const controller = new AbortController();
    const seen: string[] = [];
    const error = await (async () => {
      for await (const event of client.queue.submitAndWatch({ model, prompt: "x", signal: controller.signal })) {
        seen.push(event.type);
        if (event.type === "submitted") controller.abort();
      }
    })().catch((e) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error.jobId).toMatch(/\S/);
    expect(seen).toEqual(["submitted"]);
  });
});
