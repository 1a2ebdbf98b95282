/**
 * `@decartai/sdk`'s `telemetry` option, taken for code written for it: checked like every option (a boolean), and
 * nothing else is sent for it. Its `realtimeBaseUrl` is refused by name (no realtime client here).
 */
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, InvalidInputError, models } from "../src/index.js";
import { clientFor, startFast, watchedFetch } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

const refusal = (options: Record<string, unknown>) => {
  try {
    createDecartClient({ apiKey: "k", ...options } as never);
  } catch (e) {
    return e;
  }
};

describe("options of @decartai/sdk", () => {
  it("takes telemetry: false and true, and sends what it sends without it: the call's request only", async () => {
    for (const telemetry of [false, true]) {
      const fetch = watchedFetch();
      const image = await clientFor(emu, { telemetry, fetch }).process({
        model: models.image("lucy-pro-t2i"),
        prompt: "x",
      });
      expect(image.size).toBeGreaterThan(0);
      expect(fetch.sent).toEqual([`${emu.url}/v1/generate/lucy-pro-t2i`]);
    }
  });

  it("refuses a telemetry that is no boolean, naming it, and realtimeBaseUrl as an unknown name", () => {
    const wrong = refusal({ telemetry: "off" });
    expect(wrong).toBeInstanceOf(InvalidInputError);
    expect(wrong).toMatchObject({ field: "telemetry" });
    expect((wrong as Error).message).toBe('Invalid options: "telemetry" must be a boolean (got "off")');
    expect(refusal({ realtimeBaseUrl: "wss://api3.decart.ai" })).toMatchObject({ field: "realtimeBaseUrl" });
  });
});
