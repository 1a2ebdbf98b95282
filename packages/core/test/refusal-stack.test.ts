/**
 * A call refused before anything is sent (`InvalidInputError`) has the caller's line in its stack at Node's default
 * `Error.stackTraceLimit` (10): `submitAndPoll` checks the call before its watch's generator runs, whose frames would
 * otherwise fill the ten. Nothing is sent: the client's base URL is a port where nothing listens.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDecartClient, InvalidInputError, models } from "../src/index.js";
import { closedPort, silent } from "./helpers.js";

let limit: number;
beforeEach(() => {
  limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 10;
});
afterEach(() => {
  Error.stackTraceLimit = limit;
});

describe("a refused call's stack at the default stackTraceLimit", () => {
  it.each([
    ["a prompt of the wrong type", { prompt: 5 }],
    ["an unknown input", { prompt: "x", colour: "red" }],
    ["an option of the wrong type", { prompt: "x", timeoutMs: "5000" }],
  ])("submitAndPoll, %s: the caller's line is in the stack", async (_what, given) => {
    const client = createDecartClient({
      apiKey: "dct_stack_key_0123456789abcdef",
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
      logger: silent,
    });
    const error = await client.queue
      .submitAndPoll({ model: models.video("lucy-pro-t2v"), ...given } as never)
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.stack).toContain("refusal-stack.test.ts");
  });
});
