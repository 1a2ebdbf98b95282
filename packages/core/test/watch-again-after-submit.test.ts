import type { Emulator } from "@decart/emulator";
import { afterEach, describe, expect, it } from "vitest";
import { canWatchAgain, type DecartError, models } from "../src/index.js";
import { clientFor, startFast } from "./helpers.js";

// The error that ends submitAndPoll/submitAndWatch/generate after their job was made is not `retryable` (the call
// tried again would make another job), yet another watch of that job can get past a transient failure of its result:
// `canWatchAgain` answers yes by the error's code, and a watch of the job then succeeds.
const model = models.video("lucy-pro-t2v");
let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

describe("canWatchAgain after a call whose job was made", () => {
  for (const [kind, code] of [["truncate", "TRUNCATED"]] as const)
    it(`a result download that failed each time (${kind}): ${code}, not retryable, watched again`, async () => {
      emu = await startFast({ faults: [{ route: "content", kind }] });
      const client = clientFor(emu, { maxRetries: 0 });
      const errors: DecartError[] = [];
      for (const call of [
        () => client.queue.submitAndPoll({ model, prompt: "A lake" }),
        () => client.generate({ model, prompt: "A lake" }),
      ]) {
        const error = (await call().catch((e) => e)) as DecartError;
        expect([error.code, typeof error.jobId, error.retryable]).toEqual([code, "string", false]);
        expect(canWatchAgain(error)).toBe(true);
        errors.push(error);
      }
      // The fault gone, a watch of each job gets past it, and no job is made.
      emu.setFaults([]);
      for (const error of errors) expect((await client.queue.wait(error.jobId!)).status).toBe("completed");
      expect(emu.stats().jobsCreated).toBe(2);
    });
});
