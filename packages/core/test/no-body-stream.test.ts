import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchTokenFrom, models } from "../src/index.js";
import { createTokenRoute } from "../src/server.js";
import { clientFor, serveBytes, startFast } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

/**
 * A fetch whose answers have no body stream, as React Native's and whatwg-fetch's have: `body` undefined, while
 * `text()`, `json()`, `blob()` and `arrayBuffer()` read the answer (over real HTTP, read whole first).
 */
const { fetch: realFetch } = globalThis;
const streamless: typeof fetch = async (url, init) => {
  const answer = await realFetch(url, init);
  const response = new Response(await answer.arrayBuffer(), answer);
  Object.defineProperty(response, "body", { value: undefined });
  return response;
};

const png = (size: number) => {
  const bytes = new Uint8Array(size);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return bytes;
};

describe("a fetch whose answers have no body stream", () => {
  it("reads a submit's answer (its job id), a status, the result and an image", async () => {
    const client = clientFor(emu, { fetch: streamless });
    const before = emu.stats().jobsCreated;
    const job = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "a lake" });
    expect(job.job_id).toMatch(/^job_/);
    expect(emu.stats().jobsCreated).toBe(before + 1);
    const done = await client.queue.wait(job.job_id);
    if (done.status !== "completed") throw new Error(done.error);
    expect(done.data!.size).toBeGreaterThan(0);
    expect(done.data!.type).toBe("video/mp4");
    const again = await client.queue.result(job.job_id);
    expect(again.size).toBe(done.data!.size);
    const { stream } = await client.queue.download(job.job_id);
    expect((await new Response(stream).blob()).size).toBe(done.data!.size);
    const image = await client.process({ model: models.image("lucy-pro-t2i"), prompt: "a lake" });
    expect(image.type).toBe("image/png");
    expect(image.size).toBeGreaterThan(0);
  });

  it("mints a token (tokens.create), and fetchTokenFrom reads the route's answer", async () => {
    const client = clientFor(emu, { fetch: streamless });
    expect((await client.tokens.create()).apiKey).toMatch(/^ek_/);
    const route = createTokenRoute({ authorize: () => true, apiKey: emu.apiKey, baseUrl: emu.url, fetch: streamless });
    globalThis.fetch = async (url, init) => {
      const answer = await route(new Request(String(url), init));
      Object.defineProperty(answer, "body", { value: undefined });
      return answer;
    };
    try {
      expect((await fetchTokenFrom("http://app.test/token")()).apiKey).toMatch(/^ek_/);
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it("downloads a file input given as a URL whole", async () => {
    const server = await serveBytes(png(5000), "image/png");
    try {
      const client = clientFor(emu, { fetch: streamless });
      const file = await client.files.upload(`${server.url}/in.png`);
      expect(file.size_bytes).toBe(5000);
    } finally {
      await server.close();
    }
  });
});
