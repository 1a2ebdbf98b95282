import { describe, expect, it } from "vitest";
import { createDecartClient, retryPolicyOf } from "../src/index.js";

// The retry settings of a client made without them are written in one place: a client's own policy and the one
// helpers take for a stand-in client (queue-rx's batch, `saveResult`) agree.
describe("the default retry policy", () => {
  it("a client made without maxRetries or timeoutMs has the settings a stand-in client is given", () => {
    const made = retryPolicyOf(createDecartClient({ apiKey: "dct_test_key_000000000000" }));
    const standIn = retryPolicyOf({ queue: {} });
    expect([made.maxRetries, made.timeoutMs]).toEqual([standIn.maxRetries, standIn.timeoutMs]);
    expect([standIn.maxRetries, standIn.timeoutMs]).toEqual([2, 60_000]);
  });
});
