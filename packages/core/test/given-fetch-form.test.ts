import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { models } from "../src/index.js";
import { clientFor, startFast } from "./helpers.js";

// A runtime whose FormData has React Native's shape (append and getParts, no forEach): the client cannot encode it,
// and hands it to the fetch given as it is (that runtime's fetch sends it), instead of failing every submit before
// sending it, as a submit whose outcome is unknown.
class PartsForm {
  _parts: [string, string | Blob][] = [];
  append(name: string, value: string | Blob) {
    this._parts.push([name, value]);
  }
  getParts() {
    return this._parts;
  }
}

let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

describe("a fetch you give, in a runtime whose FormData has no forEach", () => {
  it("gets the form as it is, and the submit is taken", async () => {
    const real = globalThis.FormData;
    const got: unknown[] = [];
    // This runtime's fetch, which knows its own form: here, by writing it into Node's for Node's fetch.
    const fetch: typeof globalThis.fetch = (url, init) => {
      got.push(init?.body);
      let body = init?.body;
      if (body instanceof PartsForm) {
        body = new real();
        for (const [name, value] of (init!.body as unknown as PartsForm).getParts()) body.append(name, value);
      }
      return globalThis.fetch(url, { ...init, body });
    };
    globalThis.FormData = PartsForm as never;
    try {
      const job = await clientFor(emu, { fetch, maxRetries: 0 }).queue.submit({
        model: models.video("lucy-pro-t2v"),
        prompt: "A lake",
      });
      expect(job.job_id).toMatch(/^job_/);
    } finally {
      globalThis.FormData = real;
    }
    expect(got).toHaveLength(1);
    expect(got[0]).toBeInstanceOf(PartsForm);
    expect((got[0] as PartsForm).getParts()).toEqual([["prompt", "A lake"]]);
  });
});
