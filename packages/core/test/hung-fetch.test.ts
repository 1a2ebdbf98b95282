import { describe, expect, it } from "vitest";
import { createDecartClient, models } from "../src/index.js";
import { silent } from "./helpers.js";

// A fetch (or an upload function) that never settles, not even once its request is aborted: the attempt's timer and
// the call's signal end the wait for it all the same. (Nothing is sent: no server is needed.)
const never = () => new Promise<Response>(() => {});
const client = () =>
  createDecartClient({
    apiKey: "k",
    baseUrl: "http://127.0.0.1:9",
    logger: silent,
    maxRetries: 0,
    timeoutMs: 1,
    uploadTimeoutMs: 1,
    fetch: never,
    upload: never,
  });

describe("a fetch that never settles", () => {
  it("ends a read by the attempt's timer (a TimeoutError)", async () => {
    const e = await client()
      .queue.status("job_1")
      .catch((e) => e);
    expect(e.name).toBe("TimeoutError");
  });

  it("ends an upload by the attempt's timer (a TimeoutError)", async () => {
    const e = await client()
      .queue.submit({ model: models.video("lucy-clip"), prompt: "x", data: new Blob([new Uint8Array(4)]) })
      .catch((e) => e);
    expect(e.name).toBe("TimeoutError");
  });

  it("ends by the call's signal (an AbortError)", async () => {
    const controller = new AbortController();
    const call = client()
      .queue.status("job_1", { signal: controller.signal })
      .catch((e) => e);
    controller.abort();
    expect((await call).name).toBe("AbortError");
  });
});
