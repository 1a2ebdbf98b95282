/**
 * A `poll.delay` of yours that throws in a request's wait to be sent again (a submit's, after a 503 or, under
 * `retrySubmit`, a 500) ends the call with a `CALLBACK_ERROR` whose message names `poll.delay`, as a schedule's names
 * `poll.schedule`. The emulator's faults play the failed submits.
 */
import { describe, expect, it } from "vitest";
import { models } from "../src/index.js";
import { clientFor, firstN, startFast } from "./helpers.js";

const broke = new Error("my delay broke");
const delay = () => {
  throw broke;
};

describe("a poll.delay that throws in a submit's wait to be sent again", () => {
  it("after a 503 (nothing taken): CALLBACK_ERROR naming poll.delay", async () => {
    const emu = await startFast({ faults: [{ route: "submit", kind: "503", rate: 0.5 }], random: firstN(1) });
    try {
      const error = await clientFor(emu, { poll: { delay } })
        .queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x" })
        .catch((e) => e);
      expect(error).toMatchObject({ code: "CALLBACK_ERROR", cause: broke });
      expect(error.mayExist).toBeUndefined();
      expect(error.message).toBe("poll.delay failed (Error: my delay broke)");
      expect(emu.stats().requests.byRoute.submit).toBe(1);
    } finally {
      await emu.close();
    }
  });

  it("after a 500 under retrySubmit (a job may exist): CALLBACK_ERROR naming poll.delay and the 500's request", async () => {
    const emu = await startFast({ faults: [{ route: "submit", kind: "500", rate: 0.5 }], random: firstN(1) });
    try {
      const error = await clientFor(emu, { retrySubmit: true, poll: { delay } })
        .queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "x" })
        .catch((e) => e);
      expect(error).toMatchObject({ code: "CALLBACK_ERROR", cause: broke, mayExist: true });
      expect(error.requestId).toMatch(/^\S+$/);
      expect(error.message).toBe(
        `poll.delay failed (Error: my delay broke); a job (or file) may exist (request ${error.requestId})`,
      );
      expect(emu.stats().requests.byRoute.submit).toBe(1);
    } finally {
      await emu.close();
    }
  });
});
