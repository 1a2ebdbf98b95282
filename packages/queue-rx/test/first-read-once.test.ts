/**
 * A `submitSource`'s answer is read once, into a copy, and checked: the job followed is the one checked, the copy's
 * id, not the answer's `job_id` read again (a getter may answer another id). Over HTTP, against the emulator: the
 * client's reads name the checked job only. (A watch's `first` option is read into a copy as its options are checked.)
 */
import { type JobEvent, models } from "@decart/core";
import type { Emulator } from "@decart/emulator";
import { lastValueFrom, of, toArray } from "rxjs";
import { watchedFetch } from "test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { submitJob } from "../src/watch.js";
import { clientFor, startFast } from "./helpers.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const model = models.video("lucy-pro-t2v");

/** Two jobs of the emulator's, and an answer whose `job_id` getter names the first once, then the second. */
async function setUp() {
  emu = await startFast();
  const fetch = watchedFetch();
  const client = clientFor(emu, { fetch });
  const a = (await client.queue.submit({ model, prompt: "a" })).job_id;
  const b = (await client.queue.submit({ model, prompt: "b" })).job_id;
  let reads = 0;
  const answer = {
    status: "pending" as const,
    get job_id() {
      return reads++ ? b : a;
    },
  };
  fetch.sent.length = 0;
  return { client, fetch, a, b, answer, reads: () => reads };
}

/** The job ids the client's requests named (the URL's last segment). */
const named = (sent: string[]) => new Set(sent.map((url) => new URL(url).pathname.split("/").pop()));

describe("a submit answer whose job_id getter names a checked job, then another", () => {
  it("submitJob follows the job its submitSource's answer named when checked, and reads the getter once", async () => {
    const { client, fetch, a, answer, reads } = await setUp();
    const events = await lastValueFrom(
      submitJob(client, { model, prompt: "x" }, { download: false, submitSource: () => of(answer) }).pipe(toArray()),
    );
    expect(new Set(events.map((e: JobEvent) => e.jobId))).toEqual(new Set([a]));
    expect(events.at(-1)!.type).toBe("completed");
    expect(named(fetch.sent)).toEqual(new Set([a]));
    expect(reads()).toBe(1);
  });
});
