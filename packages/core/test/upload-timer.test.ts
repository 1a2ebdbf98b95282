import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, models, TimeoutError } from "../src/index.js";
import { serve, silent } from "./helpers.js";

// A backend that takes a request's body and never answers: which of the client's timers ends the wait.
let hung: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  hung = await serve(() => new Promise<void>(() => {}));
});
afterAll(() => hung.close());

const client = () =>
  createDecartClient({
    apiKey: "k",
    baseUrl: hung.url,
    logger: silent,
    maxRetries: 0,
    timeoutMs: 300,
    uploadTimeoutMs: 1500,
  });

describe("the timer of a multipart request", () => {
  it("a submit of text parts only (a prompt) has the client's timeoutMs, not uploadTimeoutMs", async () => {
    const e = await client()
      .queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "never answered" })
      .catch((e) => e);
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toContain("timed out (300 ms per read)");
  });

  it("a submit with a file has uploadTimeoutMs", async () => {
    const e = await client()
      .queue.submit({ model: models.video("lucy-clip"), prompt: "x", data: new Blob([new Uint8Array(4)]) })
      .catch((e) => e);
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toContain("timed out (1500 ms per read)");
  });
});
