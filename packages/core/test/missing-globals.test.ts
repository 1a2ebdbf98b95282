import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, InvalidInputError, models } from "../src/index.js";
import { clientFor, startFast } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

/** Runs `run` with the global `name` taken away (put back after, whatever happens). */
async function without<T>(name: "fetch" | "FormData", run: () => T | Promise<T>): Promise<T> {
  const saved = Object.getOwnPropertyDescriptor(globalThis, name)!;
  delete (globalThis as any)[name];
  try {
    return await run();
  } finally {
    Object.defineProperty(globalThis, name, saved);
  }
}

describe("a runtime without the web globals the client needs", () => {
  it("without a global fetch, and none given, creating a client is refused naming `fetch`", async () => {
    const error = await without("fetch", () => {
      try {
        createDecartClient({ apiKey: emu.apiKey, baseUrl: emu.url });
      } catch (e) {
        return e;
      }
    });
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe("fetch");
    expect((error as Error).message).toMatch(/"fetch" must be given/);
    // One given is used.
    const { fetch } = globalThis;
    await without("fetch", () => {
      const client = createDecartClient({ apiKey: emu.apiKey, baseUrl: emu.url, fetch });
      expect(client.queue).toBeDefined();
    });
  });

  it("without FormData, a submit is refused naming it and nothing is sent; a JSON request still goes", async () => {
    const client = clientFor(emu, { maxRetries: 0 });
    const before = emu.stats().requests.total;
    const error = await without("FormData", () =>
      client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "a lake" }).catch((e) => e),
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.field).toBe("FormData");
    expect(error.retryable).toBe(false);
    expect(emu.stats().requests.total).toBe(before);
    const token = await without("FormData", () => client.tokens.create());
    expect(token.apiKey).toMatch(/^ek_/);
  });
});
