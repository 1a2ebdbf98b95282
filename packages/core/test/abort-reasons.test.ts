/**
 * The reason of an abort, whatever the phase: `saveResult`'s `AbortError` has the signal's reason as its `cause` in a
 * retry's wait and mid-download alike (as submitAndPoll, result and download have), and a web stream input is
 * cancelled with the call's error as its reason when the signal aborts while it is being read.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { afterEach, expect, it } from "vitest";
import { AbortError, createDecartClient, models } from "../src/index.js";
import { nodeUpload, saveResult } from "../src/node.js";
import { clientFor, silent, startFast, until } from "./helpers.js";

let emu: Emulator | undefined;
let dir: string | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

for (const [phase, fault] of [
  ["in a retry's wait (a 503 with Retry-After: 30)", { route: "content", kind: "503", retryAfterSeconds: 30 }],
  ["mid-download (the body stalls)", { route: "content", kind: "stall" }],
] as const) {
  for (const target of ["a file", "a device"]) {
    it(`saveResult to ${target}, aborted ${phase}: the cause is the signal's reason`, async () => {
      emu = await startFast();
      const client = clientFor(emu);
      const { job_id } = await client.queue.submitAndPoll({
        model: models.video("lucy-pro-t2v"),
        prompt: "saved",
        download: false,
      });
      emu.setFaults([fault as never]);
      dir = await mkdtemp(join(tmpdir(), "abort-reasons-"));
      const controller = new AbortController();
      const reason = new Error("shutdown");
      let received = 0;
      const saving = saveResult(client, job_id, target === "a file" ? join(dir, "out.mp4") : "/dev/null", {
        signal: controller.signal,
        onProgress: (p) => {
          received = p.receivedBytes;
        },
      }).catch((e) => e);
      // A stalled body's first bytes came; a 503 was answered.
      await until(() => (fault.kind === "stall" ? received > 0 : (emu!.stats().faultsInjected["503"] ?? 0) > 0));
      controller.abort(reason);
      const error = await saving;
      expect(error).toBeInstanceOf(AbortError);
      expect(error).toMatchObject({ jobId: job_id, cause: reason });
      expect(await readdir(dir)).toEqual([]);
    });
  }
}

for (const upload of [false, true]) {
  it(`a web stream input being read when the signal aborts is cancelled with the call's error (${upload ? "nodeUpload()" : "fetch"})`, async () => {
    // A server that takes the body as it comes and never answers.
    const server = createServer((req) => req.resume());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const client = createDecartClient({
        apiKey: "dct_test",
        baseUrl: `http://127.0.0.1:${port}`,
        logger: silent,
        ...(upload ? { upload: nodeUpload() } : {}),
      });
      const controller = new AbortController();
      let pulls = 0;
      let reason: unknown = "not cancelled";
      // An MP4's first bytes, then a chunk now and then: the second pull aborts the call while its read waits.
      const data = new ReadableStream<Uint8Array>({
        async pull(c) {
          if (pulls++ === 0) c.enqueue(Buffer.from("000000186674797069736f6d0000020069736f6d69736f32", "hex"));
          else {
            controller.abort(new Error("shutdown"));
            await new Promise((r) => setTimeout(r, 50));
            c.enqueue(new Uint8Array(1000));
          }
        },
        cancel(why) {
          reason = why;
        },
      });
      const error = await client.queue
        .submit({ model: models.video("lucy-clip"), prompt: "x", data, signal: controller.signal })
        .catch((e) => e);
      expect(error).toBeInstanceOf(AbortError);
      await until(() => reason !== "not cancelled");
      expect(reason).toBe(error);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
}
