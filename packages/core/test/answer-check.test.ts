// An answer's check against the spec that throws by itself (not the answer's fault: a stale build's @decart/api without
// a schema the core asks for) is thrown on as it is: not cut into a message (`Cannot read …` read `nnot read …`), nor
// reported as an answer that breaks the spec, or as text that is not JSON.
import { describe, expect, it } from "vitest";
import { InvalidResponseError } from "../src/index.js";
import { createGate } from "../src/retry.js";
import { createTransport } from "../src/transport.js";
import { breaks, type Schema } from "../src/validate.js";
import { json, serve, silent } from "./helpers.js";

/** What a stale build's `responseSchemas.FileReference` is: missing. */
const missing = undefined as unknown as Schema;

describe("an answer's check that throws by itself", () => {
  it("breaks() throws it on; its own refusals are what it answers", () => {
    const thrown = (() => {
      try {
        breaks(missing)({ id: "file_1" });
      } catch (e) {
        return e;
      }
    })();
    expect(thrown).toBeInstanceOf(TypeError);
    expect(breaks({ type: "object", properties: { id: { type: "string" } } })({ id: 5 })).toBe(
      '"id" must be a string (got 5)',
    );
    expect(breaks({ type: "object" })([])).toBe("not an object");
  });

  it("through the transport, over HTTP: the error says what was thrown, once, not that the answer breaks the spec", async () => {
    const api = await serve((_req, res) => json(res, 200, { id: "file_1" }));
    const now = Date.now;
    const transport = createTransport(api.url, undefined, {}, fetch, 60_000, {
      maxRetries: 2,
      delay: async () => {},
      now,
      wall: now,
      random: () => 0,
      logger: silent,
      gate: createGate(now),
      timeoutMs: 60_000,
    });
    try {
      const error = await transport("GET", "/v1/files/file_1", { json: breaks(missing) }).catch((e) => e);
      // (As any unexpected throw is: the error of an answer, the TypeError its cause, its message whole.)
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(error.cause).toBeInstanceOf(TypeError);
      expect(error.message).toBe(`Unexpected answer: ${error.cause.message}`);
      expect(error.message).not.toMatch(/not JSON|HTTP 200/);
      expect(api.arrived()).toBe(1);
    } finally {
      await api.close();
    }
  });
});
