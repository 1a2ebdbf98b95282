import { type DecartClient, models } from "@decart/core";
import { nodeUpload } from "@decart/core/node";
import type { Emulator } from "@decart/emulator";
import { act, renderHook } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { useGenerateImage, useGenerateVideo } from "../src/index.js";
import { clientFor, startFast, strictWith, until } from "./helpers.js";

let emu: Emulator | undefined;

const i2v = models.video("lucy-pro-i2v");
const i2i = models.image("lucy-image-2");

/** A still the emulator takes as an image input. */
const still = async (client: DecartClient) =>
  new Uint8Array(
    await (await client.process({ model: models.image("lucy-pro-t2i"), prompt: "a still" })).arrayBuffer(),
  );

/** An `onUploadProgress` that throws on its last call (nodeUpload's, once the whole body was sent), until `fixed`. */
function breaksAtTheEnd() {
  const bar = {
    fixed: false,
    onUploadProgress: ({ sentBytes, totalBytes }: { sentBytes: number; totalBytes?: number }) => {
      if (!bar.fixed && sentBytes === totalBytes) throw new Error("the progress bar broke at 100%");
    },
  };
  return bar;
}

/** An `onUploadProgress` that throws on its first call (at 0 bytes: nothing sent), until `fixed`. */
function breaksAtOnce() {
  const bar = {
    fixed: false,
    onUploadProgress: () => {
      if (!bar.fixed) throw new Error("the progress bar broke at 0%");
    },
  };
  return bar;
}

/** Resolves after the current task and its microtasks. */
const aTask = () => new Promise((resolve) => setTimeout(resolve, 0));

/** The read-once file inputs: a web stream, and an async iterable (as a Node stream is). */
const readOnce = {
  "a ReadableStream": (bytes: Uint8Array) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    }),
  "an async iterable": (bytes: Uint8Array) =>
    (async function* () {
      yield bytes;
    })(),
};

describe("retry() never sends again what may have made a job or an image", () => {
  it("useGenerateVideo: a CALLBACK_ERROR without a job id (onUploadProgress threw once the body was sent)", async () => {
    emu = await startFast();
    const client = clientFor(emu, { upload: nodeUpload() });
    const bytes = await still(client);
    const { result } = renderHook(() => useGenerateVideo({ download: false }), { ...strictWith(client) });
    const bar = breaksAtTheEnd();
    const data = new Blob([bytes as BlobPart], { type: "image/png" });
    await act(async () => {
      await result.current.submit({
        model: i2v,
        prompt: "sent whole, then the bar broke",
        data,
        onUploadProgress: bar.onUploadProgress,
      });
    });
    const before = result.current;
    expect(before).toMatchObject({ status: "error", jobId: undefined, error: { code: "CALLBACK_ERROR" } });
    expect(emu.stats().jobsCreated).toBe(1); // the server took it
    expect(before.canRetry).toBe(false);
    bar.fixed = true;
    let again: string | undefined = "unset";
    await act(async () => {
      again = await result.current.retry();
    });
    expect(again).toBeUndefined();
    expect(result.current).toEqual(before);
    expect(emu.stats().jobsCreated).toBe(1);
  });

  it("useGenerateImage: a CALLBACK_ERROR (onUploadProgress threw once the body was sent)", async () => {
    emu = await startFast();
    const client = clientFor(emu, { upload: nodeUpload() });
    const bytes = await still(client);
    const { result } = renderHook(() => useGenerateImage(), { ...strictWith(client) });
    const bar = breaksAtTheEnd();
    const data = new Blob([bytes as BlobPart], { type: "image/png" });
    await act(async () => {
      await result.current.submit({
        model: i2i,
        prompt: "sent whole, then the bar broke",
        data,
        onUploadProgress: bar.onUploadProgress,
      });
    });
    const before = result.current;
    expect(before).toMatchObject({ status: "error", error: { code: "CALLBACK_ERROR" }, canRetry: false });
    const processed = emu.stats().requests.byRoute.process;
    bar.fixed = true;
    let again: Blob | undefined | "unset" = "unset";
    await act(async () => {
      again = await result.current.retry();
    });
    expect(again).toBeUndefined();
    expect(result.current).toEqual(before);
    expect(emu.stats().requests.byRoute.process).toBe(processed);
  });
});

/**
 * A client of `emu` that sends a submit again after a 500 (`retrySubmit`), whose `poll.delay` throws (until `fixed`): in
 * the wait before that second send, when a job may exist.
 */
function brokenWait(emu: Emulator) {
  const wait = { fixed: false };
  const client = clientFor(emu, {
    retrySubmit: true,
    poll: {
      initialDelayMs: 10,
      intervalMs: 15,
      delay: async () => {
        if (!wait.fixed) throw new Error("the wait broke");
      },
    },
  });
  return { wait, client };
}

describe("a CALLBACK_ERROR of poll.delay in the wait to send a submit again after a 500 (retrySubmit) may have made a job", () => {
  it("useGenerateVideo: it says so (mayExist, the 500's request id); retry() sends nothing", async () => {
    emu = await startFast({ faults: [{ route: "submit", kind: "500" }] });
    const { wait, client } = brokenWait(emu);
    const { result } = renderHook(() => useGenerateVideo({ download: false }), { ...strictWith(client) });
    await act(async () => {
      await result.current.submit({ model: models.video("lucy-pro-t2v"), prompt: "a 500, then the wait broke" });
    });
    const before = result.current;
    expect(before).toMatchObject({
      status: "error",
      error: { code: "CALLBACK_ERROR", mayExist: true },
      canRetry: false,
    });
    expect(before.error?.requestId).toBeTruthy();
    expect(before.error?.message).toContain("a job (or file) may exist");
    const submits = emu.stats().requests.byRoute.submit;
    expect(submits).toBe(1);
    wait.fixed = true;
    await act(async () => {
      await result.current.retry();
    });
    expect(result.current).toEqual(before);
    expect(emu.stats().requests.byRoute.submit).toBe(submits);
  });

  it("useGenerateImage: the same; retry() sends nothing", async () => {
    emu = await startFast({ faults: [{ route: "process", kind: "500" }] });
    const { wait, client } = brokenWait(emu);
    const { result } = renderHook(() => useGenerateImage(), { ...strictWith(client) });
    await act(async () => {
      await result.current.submit({ model: models.image("lucy-pro-t2i"), prompt: "a 500, then the wait broke" });
    });
    const before = result.current;
    expect(before).toMatchObject({
      status: "error",
      error: { code: "CALLBACK_ERROR", mayExist: true },
      canRetry: false,
    });
    expect(emu.stats().requests.byRoute.process).toBe(1);
    wait.fixed = true;
    await act(async () => {
      await result.current.retry();
    });
    expect(result.current).toEqual(before);
    expect(emu.stats().requests.byRoute.process).toBe(1);
  });
});

describe("a CALLBACK_ERROR thrown before any byte was sent (onUploadProgress at 0 bytes) made nothing", () => {
  it("useGenerateVideo: retry() submits again (no job was made); left on its way, it goes to no onOrphan, as one thrown once the body was sent does", async () => {
    emu = await startFast();
    const client = clientFor(emu, { upload: nodeUpload() });
    const bytes = await still(client);
    const onOrphan = vi.fn();
    const { result } = renderHook(() => useGenerateVideo({ download: false, onOrphan }), {
      ...strictWith(client),
    });
    const data = new Blob([bytes as BlobPart], { type: "image/png" });
    const bar = breaksAtOnce();
    const atZero = { model: i2v, prompt: "the bar broke at once", data, onUploadProgress: bar.onUploadProgress };
    await act(async () => {
      await result.current.submit(atZero);
    });
    expect(result.current).toMatchObject({ status: "error", jobId: undefined, error: { code: "CALLBACK_ERROR" } });
    expect(result.current.error!.mayExist).toBeUndefined();
    expect(emu.stats().jobsCreated).toBe(0);
    expect(result.current.canRetry).toBe(true);
    bar.fixed = true;
    let again: string | undefined;
    await act(async () => {
      again = await result.current.retry();
    });
    expect(again).toMatch(/^job_/);
    expect(emu.stats().jobsCreated).toBe(1);
    // Left on its way by the next submit: at 0 bytes, not told; once the body was sent (a job may exist), told.
    const atTheEnd = {
      ...atZero,
      prompt: "sent whole, then the bar broke",
      onUploadProgress: breaksAtTheEnd().onUploadProgress,
    };
    for (const left of [{ ...atZero, onUploadProgress: breaksAtOnce().onUploadProgress }, atTheEnd]) {
      let sent: Promise<unknown> | undefined;
      let next: Promise<unknown> | undefined;
      act(() => {
        sent = result.current.submit(left);
        next = result.current.submit({ model: i2v, prompt: "the next", data });
      });
      await act(async () => {
        await sent;
        await next;
      });
      await act(aTask);
    }
    expect(onOrphan).toHaveBeenCalledTimes(1);
    expect(onOrphan).toHaveBeenCalledWith(
      expect.objectContaining({ code: "CALLBACK_ERROR", mayExist: true }),
      atTheEnd,
    );
  });

  it("useGenerateImage: retry() sends it again", async () => {
    emu = await startFast();
    const client = clientFor(emu, { upload: nodeUpload() });
    const bytes = await still(client);
    const { result } = renderHook(() => useGenerateImage(), { ...strictWith(client) });
    const bar = breaksAtOnce();
    const data = new Blob([bytes as BlobPart], { type: "image/png" });
    const processed = emu.stats().requests.byRoute.process;
    await act(async () => {
      await result.current.submit({
        model: i2i,
        prompt: "the bar broke at once",
        data,
        onUploadProgress: bar.onUploadProgress,
      });
    });
    expect(result.current).toMatchObject({ status: "error", error: { code: "CALLBACK_ERROR" }, canRetry: true });
    expect(emu.stats().requests.byRoute.process).toBe(processed);
    bar.fixed = true;
    let again: Blob | undefined;
    await act(async () => {
      again = await result.current.retry();
    });
    expect(again).toBeInstanceOf(Blob);
    expect(emu.stats().requests.byRoute.process).toBe(processed! + 1);
  });
});

describe("a file that can be read only once is not sent again by retry()", () => {
  for (const [kind, make] of Object.entries(readOnce)) {
    it(`useGenerateVideo, ${kind}: canRetry false after a 503 (a Blob is sent again)`, async () => {
      emu = await startFast();
      const client = clientFor(emu, { maxRetries: 0 });
      const bytes = await still(client);
      const { result } = renderHook(() => useGenerateVideo({ download: false }), { ...strictWith(client) });
      emu.setFaults([{ route: "submit", kind: "503" }]);
      await act(async () => {
        await result.current.submit({ model: i2v, prompt: "from a stream", data: make(bytes) });
      });
      const before = result.current;
      expect(before).toMatchObject({ status: "error", error: { status: 503 }, canRetry: false });
      emu.setFaults([]);
      let again: string | undefined = "unset";
      await act(async () => {
        again = await result.current.retry();
      });
      expect(again).toBeUndefined();
      expect(result.current).toEqual(before);
      expect(emu.stats().requests.byRoute.submit).toBe(1);
      // The same failure with a Blob: sent again, whole.
      emu.setFaults([{ route: "submit", kind: "503" }]);
      const data = new Blob([bytes as BlobPart], { type: "image/png" });
      await act(async () => {
        await result.current.submit({ model: i2v, prompt: "from a Blob", data });
      });
      expect(result.current.canRetry).toBe(true);
      emu.setFaults([]);
      await act(async () => {
        again = await result.current.retry();
      });
      expect(again).toMatch(/^job_/);
      await until(() => result.current.status === "completed");
    });

    it(`useGenerateImage, ${kind}: canRetry false after a 503`, async () => {
      emu = await startFast();
      const client = clientFor(emu, { maxRetries: 0 });
      const bytes = await still(client);
      const { result } = renderHook(() => useGenerateImage(), { ...strictWith(client) });
      emu.setFaults([{ route: "process", kind: "503" }]);
      const processed = emu.stats().requests.byRoute.process;
      await act(async () => {
        await result.current.submit({ model: i2i, prompt: "from a stream", data: make(bytes) });
      });
      const before = result.current;
      expect(before).toMatchObject({ status: "error", error: { status: 503 }, canRetry: false });
      emu.setFaults([]);
      let again: Blob | undefined | "unset" = "unset";
      await act(async () => {
        again = await result.current.retry();
      });
      expect(again).toBeUndefined();
      expect(result.current).toEqual(before);
      expect(emu.stats().requests.byRoute.process).toBe(processed! + 1);
    });
  }
});
