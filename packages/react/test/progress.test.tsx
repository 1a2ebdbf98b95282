// A result that arrives in many small chunks renders its progress at most once per animation frame, never once per
// chunk, and its last progress and the completed state always render. The emulator sends the result in tens of
// small writes (its `trickle` fault), the page's `fetch` holds the body once part of it has been read (until the test
// lets it go on), and the test is the page's frame clock: `requestAnimationFrame` queues, and the test runs what is
// queued, so renders are counted against frames, not time.

import { models } from "@decart/core";
import type { Emulator } from "@decart/emulator";
import { act, renderHook } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { type GenerationState, useJob } from "../src/index.js";
import { clientFor, countingFetch, startFast, strictWith, until } from "./helpers.js";

// Tens of chunks before the hold and after it: enough to tell a render per frame from one per chunk, few enough that
// a loaded machine gets through the download well within the test's timeout.
const CHUNK = 1024;
const HELD_AT = 16 * CHUNK; // bytes read before the page's fetch holds the body (a clip is 50 to 150 KB)

let emu: Emulator | undefined;

/** The page's frame clock, run by the test: callbacks wait until it calls the answer, which says how many it ran. */
function frameClock() {
  let queued = new Map<number, FrameRequestCallback>();
  let next = 0;
  vi.stubGlobal("requestAnimationFrame", (callback: FrameRequestCallback) => {
    queued.set(++next, callback);
    return next;
  });
  vi.stubGlobal("cancelAnimationFrame", (id: number) => queued.delete(id));
  return () => {
    const run = [...queued.values()];
    queued = new Map();
    for (const callback of run) callback(0);
    return run.length;
  };
}

/**
 * `fetch` that also counts the bytes and chunks of the result's body as the client reads them, and holds it once
 * `HELD_AT` bytes of it were read, until `resume()`.
 */
function chunkCounting() {
  const page = countingFetch();
  const seen = { chunks: 0, bytes: 0 };
  let resume!: () => void;
  const resumed = new Promise<void>((resolve) => {
    resume = resolve;
  });
  let held = false;
  const counted = async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await page(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (!response.body || !url.endsWith("/content")) return response; // the job's status is not counted

    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        async transform(chunk, out) {
          seen.chunks++;
          seen.bytes += chunk.byteLength;
          out.enqueue(chunk);
          if (!held && seen.bytes >= HELD_AT) {
            held = true;
            await resumed;
          }
        },
      }),
    );
    return new Response(body, response);
  };
  return { fetch: counted, seen, resume };
}

describe("download progress", () => {
  it("renders at most once per animation frame however many chunks arrive; the last progress and the end render", async () => {
    const run = frameClock();
    emu = await startFast({ faults: [{ route: "content", kind: "trickle", chunkBytes: CHUNK, delayMs: 0 }] });
    // Watched once it has completed, as the emulator's record of it says: no poll schedule's real-time wait to use up.
    const { job_id } = await clientFor(emu).queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "chunks" });
    await until(() => emu!.job(job_id)?.status === "completed");
    const { fetch, seen, resume } = chunkCounting();
    const client = clientFor(emu, { fetch });
    const rendered: GenerationState[] = [];
    const { result } = renderHook(
      () => {
        const job = useJob(job_id, { model: "lucy-pro-t2v" });
        rendered.push(job);
        return job;
      },
      { ...strictWith(client) },
    );
    /** The progress values rendered while downloading, without repeats (StrictMode renders each state twice). */
    const progressOf = () => [
      ...new Set(rendered.filter((s) => s.status === "downloading").map((s) => s.progress!.receivedBytes)),
    ];
    // The body is held after HELD_AT bytes and more than one chunk, no frame yet: the download's start rendered, and
    // nothing since, however many chunks.
    await until(() => seen.bytes >= HELD_AT);
    const held = seen.bytes;
    expect(seen.chunks).toBeGreaterThan(1);
    expect(progressOf()).toEqual([0]);
    // Frames until the bytes read so far show (the client may still be reading the last chunk at the first).
    let frames = 0;
    while (result.current.progress?.receivedBytes !== held) {
      act(() => {
        frames += run();
      });
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const total = result.current.progress!.totalBytes!;
    expect(total).toBeGreaterThan(2 * held);
    expect(progressOf().length - 1).toBeLessThanOrEqual(frames); // at most one render per frame
    resume();
    await until(() => result.current.status !== "downloading");
    // The end renders at once, with the last progress, and no frame was needed for it.
    expect(result.current.status).toBe("completed");
    expect(result.current.result!.size).toBe(total);
    expect(result.current.progress).toEqual({ receivedBytes: total, totalBytes: total });
    expect(seen.chunks).toBeGreaterThan(frames + 2); // more chunks arrived than frames ran …
    expect(progressOf().length - 1).toBeLessThanOrEqual(frames); // … and no more progress rendered than frames ran
    const ended = rendered.length;
    act(() => {
      run(); // a frame after the end renders nothing more
    });
    expect(rendered.length).toBe(ended);
  });
});
