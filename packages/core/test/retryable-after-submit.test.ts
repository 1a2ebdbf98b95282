import { createServer, type Server } from "node:http";
import type { Emulator } from "@decart/emulator";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, type DecartError, models } from "../src/index.js";
import { clientFor, fastPoll, silent, startFast } from "./helpers.js";

// A call that submitted its job and then failed (its result cut short each time, its status answers broken) made the
// job: a wrapper that tries again on `retryable` would make (and bill) another. Its error is not `retryable`, and says
// to follow the job; a watch of a job id keeps its error's `retryable`.
const model = models.video("lucy-pro-t2v");
let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

describe("the result cut short each time", () => {
  const start = async () => {
    emu = await startFast({ faults: [{ route: "content", kind: "truncate" }] });
    return clientFor(emu, { maxRetries: 0 });
  };

  it("submitAndPoll ends not retryable, naming the job made", async () => {
    const client = await start();
    const error = (await client.queue.submitAndPoll({ model, prompt: "A lake" }).catch((e) => e)) as DecartError;
    expect(error.code).toBe("TRUNCATED");
    expect(error.jobId).toMatch(/^job_/);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/was made: follow it with queue\.wait\(jobId\)$/);
    expect(emu!.stats().jobsCreated).toBe(1);
  });

  it("submitAndWatch ends so too; queue.wait of the job keeps retryable", async () => {
    const client = await start();
    let jobId = "";
    const error = (await (async () => {
      for await (const event of client.queue.submitAndWatch({ model, prompt: "A lake" }))
        if (event.type === "submitted") jobId = event.jobId;
    })().catch((e) => e)) as DecartError;
    expect([error.code, error.jobId, error.retryable]).toEqual(["TRUNCATED", jobId, false]);
    const again = (await client.queue.wait(jobId).catch((e) => e)) as DecartError;
    expect([again.code, again.jobId, again.retryable]).toEqual(["TRUNCATED", jobId, true]);
    expect(again.message).not.toMatch(/was made/);
    expect(emu!.stats().jobsCreated).toBe(1);
  });
});

describe("status answers that break the spec", () => {
  let server: Server;
  let url: string;
  let submits = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.setHeader("content-type", "application/json");
        if (req.method === "POST") return res.end(JSON.stringify({ job_id: `job_${++submits}`, status: "pending" }));
        res.end('{"oops":1}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("generate and submitAndPoll end not retryable; queue.wait keeps retryable", async () => {
    const client = createDecartClient({
      apiKey: "dct_test_key_000000000000",
      baseUrl: url,
      logger: silent,
      poll: fastPoll,
    });
    for (const call of [
      () => client.queue.submitAndPoll({ model, prompt: "A" }),
      () => client.generate({ model, prompt: "A" }),
    ]) {
      const error = (await call().catch((e) => e)) as DecartError;
      expect([error.code, error.jobId, error.retryable]).toEqual(["INVALID_RESPONSE", `job_${submits}`, false]);
    }
    expect(submits).toBe(2);
    const again = (await client.queue.wait("job_1").catch((e) => e)) as DecartError;
    expect([again.code, again.retryable]).toEqual(["INVALID_RESPONSE", true]);
  });
});
