import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDecartClient, models, TimeoutError } from "@decart/core";
import { saveResult } from "@decart/core/node";
import { type Emulator, startEmulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliError } from "../src/exit.js";
import { downloadFailed } from "../src/follow.js";
import { Output } from "../src/output.js";

const JOB = "job_0123456789abcdef";

// Real timeouts of a download, as the client words them: an emulator whose downloads stall after their first bytes,
// and a job it holds completed. One clock, the test's, for the emulator and the client: it never moves, so a budget
// that ends 100 ms on is cut by its timer, never refused as "no time left" by a slow machine.
let emu: Emulator;
let clock = Date.now();
let jobId: string;
let perRead: TimeoutError;
let budget: TimeoutError;
const dir = mkdtempSync(join(tmpdir(), "decart-download-failed-"));
beforeAll(async () => {
  emu = await startEmulator({ now: () => clock, faults: [{ route: "content", kind: "stall" }] });
  const client = (timeoutMs: number) =>
    createDecartClient({
      apiKey: emu.apiKey,
      baseUrl: emu.url,
      timeoutMs,
      maxRetries: 0,
      poll: { now: () => clock },
      logger: { debug() {}, warn() {} },
    });
  ({ job_id: jobId } = await client(60_000).queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "p" }));
  clock += 3_600_000;
  const path = join(dir, "x.mp4");
  perRead = await saveResult(client(100), jobId, path, { maxRetries: 0 }).catch((e) => e);
  budget = await saveResult(client(60_000), jobId, path, { maxRetries: 0, deadline: clock + 100 }).catch((e) => e);
  expect([perRead, budget]).toEqual([expect.any(TimeoutError), expect.any(TimeoutError)]);
  expect(perRead.message).toBe(`GET ${emu.url}/v1/jobs/${jobId}/content: timed out (100 ms per read)`);
  expect(budget.message).toBe(`GET ${emu.url}/v1/jobs/${jobId}/content: timed out (the budget)`);
});
afterAll(async () => {
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("downloadFailed", () => {
  it("a timeout that the deadline's timer ends a little before Date.now reaches it is --timeout's: exit 5", () => {
    // The client's timer for the deadline fires on the event loop's clock, which may lag Date.now: the download
    // ends a few ms before the deadline by Date.now.
    for (const early of [1, 5, 250]) {
      const error = downloadFailed(new Output({ json: true }), JOB, "/tmp/x.mp4", budget, Date.now() + early);
      expect(error, `${early} ms early`).toBeInstanceOf(CliError);
      expect(error, `${early} ms early`).toMatchObject({ exitCode: 5, code: "TIMEOUT" });
      expect((error as Error).message).toMatch(
        /^--timeout ran out while downloading the result of job_0123456789abcdef/,
      );
    }
  });

  it("a read that timed out long before the deadline is no --timeout's: the download's failure, as it is", () => {
    const error = downloadFailed(new Output({ json: true }), JOB, "/tmp/x.mp4", perRead, Date.now() + 30_000);
    expect((error as Error).message).toMatch(/^Could not download the result of job_0123456789abcdef \(/);
    expect((error as Error).message).toContain("timed out (100 ms per read)");
  });
});
