import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { AbortError, InvalidInputError, models } from "../src/index.js";
import { useEmulatorClient } from "./helpers.js";

// A signal of another realm (an iframe's, a `vm` context's) is no `instanceof` this realm's AbortSignal, nor is a
// polyfill's: the client refused both ("must be an AbortSignal"). It takes one by its tag, as it takes another realm's
// Blob, and its listeners are functions (a polyfill's signal calls them: it knows no `handleEvent` object), its
// `throwIfAborted` not needed.
const ctx = useEmulatorClient({ timing: { pendingMs: 300, processingMs: 300 } });

/** A signal made in a `vm` context: tagged "AbortSignal", it calls its listeners, has no `throwIfAborted`. */
const vmSignal = (): { aborted: boolean; size: number; abort(reason: unknown): void } =>
  runInNewContext(`
    class AbortSignal {
      aborted = false;
      reason = undefined;
      #heard = new Set();
      get [Symbol.toStringTag]() { return "AbortSignal"; }
      get size() { return this.#heard.size; }
      addEventListener(type, f) { if (type === "abort") this.#heard.add(f); }
      removeEventListener(type, f) { this.#heard.delete(f); }
      abort(reason) { this.aborted = true; this.reason = reason; for (const f of [...this.#heard]) f({ type: "abort" }); }
    }
    new AbortSignal();
  `);

describe("a signal of a vm realm", () => {
  it("is taken, and aborts a watch: AbortError with the job's id and the reason; its listener is taken off", async () => {
    const signal = vmSignal();
    expect(signal instanceof AbortSignal).toBe(false);
    const seen: string[] = [];
    const error = await ctx.client.queue
      .submitAndPoll({
        model: models.video("lucy-pro-t2v"),
        prompt: "a lake",
        signal: signal as never,
        onStatusChange: (job) => {
          seen.push(job.status);
          if (job.status === "pending") signal.abort("page left");
        },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ code: "ABORT", jobId: expect.stringMatching(/^job_/), cause: "page left" });
    expect(seen).toEqual(["pending"]);
    expect(signal.size).toBe(0);
  });

  it("is read as it is (no `throwIfAborted` of its own) while a file given as a URL is read", async () => {
    const png = Buffer.from(
      await (await ctx.client.process({ model: models.image("lucy-pro-t2i"), prompt: "x" })).arrayBuffer(),
    );
    const server = createServer((_, res) => res.writeHead(200, { "content-type": "image/png" }).end(png));
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    try {
      const data = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/frame.png`);
      const image = await ctx.client.process({
        model: models.image("lucy-pro-i2i"),
        prompt: "x",
        data,
        signal: vmSignal() as never,
      } as never);
      expect(image.type).toBe("image/png");
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("untagged (a bare object with `aborted`), is refused naming what is taken", async () => {
    const signal = runInNewContext("({ aborted: false, addEventListener() {}, removeEventListener() {} })");
    const error = await ctx.client.queue
      .submit({ model: models.video("lucy-pro-t2v"), prompt: "a lake", signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toContain(
      `"signal" must be an AbortSignal: an AbortController's signal (a polyfill's tagged "AbortSignal")`,
    );
  });
});
