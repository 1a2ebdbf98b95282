import { DecartError, ServerError } from "@decart/core";
import { describe, expect, it } from "vitest";
import { messageOf } from "../src/errors.js";

describe("messageOf", () => {
  it("replaces the client's last clause of an unknown outcome by its code, whatever that clause says", () => {
    const error = new ServerError("Internal error (HTTP 500, request req_1); a job may exist: not repeated", {
      code: "SUBMIT_OUTCOME_UNKNOWN",
      status: 500,
      requestId: "req_1",
    });
    const message = messageOf(error);
    expect(message).toMatch(/^Internal error \(HTTP 500, request req_1\); the server may have taken the request: /);
    expect(message).not.toContain("not repeated");
    expect(message).toMatch(/the request id above lets support find it$/);
  });

  it("says what running it again does: a command sends it again (billed), a batch's --resume does not unless told to", () => {
    const error = new ServerError("Internal error (HTTP 500, request req_1); a job may exist: not repeated", {
      code: "SUBMIT_OUTCOME_UNKNOWN",
      status: 500,
      requestId: "req_1",
    });
    expect(messageOf(error)).toContain(
      "and the CLI did not send it again. Running the command again asks for (and bills) another one; ",
    );
    const inBatch = messageOf(error, "batch");
    expect(inBatch).toContain(
      "and the CLI did not send it again. --resume does not send the line again unless given --resubmit-unknown, " +
        "which bills another one; ",
    );
    expect(inBatch).not.toContain("Running the command again");
  });

  it("leaves every other message as it is, a clause mentioning retrySubmit too", () => {
    const text = "Internal error (HTTP 500); see retrySubmit";
    expect(messageOf(new ServerError(text, { status: 500 }))).toBe(text);
    expect(messageOf(new DecartError(text, { code: "HTTP_ERROR" }))).toBe(text);
  });
});
