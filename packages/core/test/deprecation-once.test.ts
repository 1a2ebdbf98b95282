/**
 * A deprecation is warned once in the process per logger, not once per client: a backend that makes a client per
 * request (a key per tenant) is told once, through the default `console.warn` as through a logger its clients share.
 * Each test uses a model definition of its own (a name no other test submits) or a logger of its own, so that none
 * depends on what another warned before it. Over real HTTP against the emulator.
 */
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Logger, models, type VideoModel } from "../src/index.js";
import { clientFor, startFast } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

/** A deprecated definition of one's own, named for the test alone, that runs as lucy-pro-t2v. */
const deprecated = (name: string): VideoModel<string> => ({
  name,
  kind: "video",
  canonical: name,
  path: "/v1/jobs/lucy-pro-t2v",
  typicalJobSeconds: 5,
  fields: [{ name: "prompt", type: "string", required: true }],
  rules: [],
  deprecated: true,
  deprecatedInFavourOf: "lucy-2.1",
});

describe("a deprecation warning, once in the process per logger", () => {
  it("the default logger (console.warn): three clients, one per request, warn once", async () => {
    const model = deprecated("old-model-default-logger");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      for (let i = 0; i < 3; i++) {
        const client = clientFor(emu, { logger: undefined });
        expect((await client.queue.submit({ model, prompt: "p" })).status).toBe("pending");
      }
      expect(warn.mock.calls.map(([m]) => m).filter((m) => String(m).includes("old-model-default-logger"))).toEqual([
        'Decart: model "old-model-default-logger" is deprecated; use "lucy-2.1"',
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  it("a logger shared by three clients is told once of a model and once of generate(); another logger is told too", async () => {
    const model = deprecated("old-model-shared-logger");
    const lines: string[] = [];
    const shared: Logger = { warn: (m) => void lines.push(m) };
    for (let i = 0; i < 3; i++) {
      const client = clientFor(emu, { logger: shared });
      await client.queue.submit({ model, prompt: "p" });
      expect((await client.generate({ model: models.video("lucy-pro-t2v"), prompt: "p" })).size).toBeGreaterThan(0);
    }
    expect(lines).toEqual([
      'Decart: model "old-model-shared-logger" is deprecated; use "lucy-2.1"',
      "Decart: generate() is deprecated; use queue.submitAndPoll()",
    ]);
    // A client with a logger of its own (another sink) is told as well, once.
    const own: string[] = [];
    const client = clientFor(emu, { logger: { warn: (m) => void own.push(m) } });
    for (let i = 0; i < 2; i++) await client.queue.submit({ model, prompt: "p" });
    expect(own).toEqual(['Decart: model "old-model-shared-logger" is deprecated; use "lucy-2.1"']);
  });
});
