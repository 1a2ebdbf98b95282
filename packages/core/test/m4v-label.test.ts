import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { models } from "../src/index.js";
import { clientFor, startFast } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

describe("a video labelled video/x-m4v (Safari's label for an .m4v file: an MP4)", () => {
  it("is taken as video/mp4 and sent: the server makes the job", async () => {
    const client = clientFor(emu);
    // An MP4's bytes, as a page's file input gives an .m4v file in Safari.
    const mp4 = await client.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "a clip" });
    if (mp4.status !== "completed") throw new Error(`the clip's job ${mp4.status}`);
    const picked = new File([await mp4.data.arrayBuffer()], "holiday.m4v", { type: "video/x-m4v" });
    const before = emu.stats().requests.byRoute.submit ?? 0;
    const job = await client.queue.submit({ model: models.video("lucy-clip"), prompt: "snow", data: picked });
    expect(job.job_id).toMatch(/^job_/);
    expect(emu.stats().requests.byRoute.submit).toBe(before + 1);
  });
});
