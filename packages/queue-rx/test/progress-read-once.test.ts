/**
 * A resultSource of yours answers progress objects: each is read once, as the core reads a value of yours once (a
 * getter's second answer may differ from its first): the `downloading` event carries what was read, and a getter
 * counting its reads counts one for each of `receivedBytes` and `totalBytes`.
 */
import { type DownloadProgress, type JobEvent, models } from "@decart/core";
import type { Emulator } from "@decart/emulator";
import { lastValueFrom, of, toArray } from "rxjs";
import { afterEach, expect, it } from "vitest";
import { watchJob } from "../src/watch.js";
import { clientFor, startFast } from "./helpers.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const model = models.video("lucy-pro-t2v");

it("a progress object's receivedBytes and totalBytes are each read once", async () => {
  emu = await startFast();
  const client = clientFor(emu);
  const { job_id } = await client.queue.submit({ model, prompt: "A lake" });
  const reads = { receivedBytes: 0, totalBytes: 0 };
  // Each read answers a new figure: 5 bytes, then 6, … (what a live counter would answer).
  const progress: DownloadProgress = {
    get receivedBytes() {
      return 5 + reads.receivedBytes++;
    },
    get totalBytes() {
      return 10 + reads.totalBytes++;
    },
  };
  const video = new Blob(["video"]);
  const events = await lastValueFrom(
    watchJob(client, job_id, { model, resultSource: () => of(progress, video) }).pipe(toArray()),
  );
  expect(reads).toEqual({ receivedBytes: 1, totalBytes: 1 });
  const downloads = events.filter((e): e is Extract<JobEvent, { type: "downloading" }> => e.type === "downloading");
  expect(downloads.map((e) => [e.receivedBytes, e.totalBytes])).toEqual([
    [0, undefined],
    [5, 10],
  ]);
  expect(events.at(-1)).toMatchObject({ type: "completed", data: video });
});
