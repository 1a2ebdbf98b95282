/**
 * A `logger` of yours is diagnostics: a method that throws, or returns a promise that rejects, changes no call's
 * outcome. Over real HTTP against the emulator: a status read answered 503 once (the retry goes to `debug`) and the
 * deprecated `generate()` (its warning goes to `warn`). A watch's retried status read goes to `debug` too.
 */
import type { Emulator } from "@decart/emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Logger, models } from "../src/index.js";
import { clientFor, startFast } from "./helpers.js";

const model = models.video("lucy-pro-t2v");
let emu: Emulator;
beforeEach(async () => {
  emu = await startFast();
});
afterEach(() => emu.close());

/** Status reads answered 503 until `calm()`: the logger calls it when told of the retry. */
const busy = () => emu.setFaults([{ route: "status", kind: "503", retryAfterSeconds: 0 }]);
const calm = () => emu.setFaults([]);

describe("a logger that fails", () => {
  it("one whose debug and warn throw: generate() and the retried status read are answered", async () => {
    const calls: string[] = [];
    const logger: Logger = {
      debug: (m) => {
        calls.push(m);
        calm();
        throw new Error("the log sink is gone");
      },
      warn: (m) => {
        calls.push(m);
        throw new Error("the log sink is gone");
      },
    };
    const client = clientFor(emu, { logger });
    // Its deprecation warning thrown away.
    expect((await client.generate({ model, prompt: "warned to a broken logger" })).size).toBeGreaterThan(0);
    const { job_id } = await client.queue.submit({ model, prompt: "read through a broken logger" });
    busy();
    const status = await client.queue.status(job_id);
    expect(status).toMatchObject({ job_id, status: expect.stringMatching(/^(pending|processing|completed)$/) });
    // The retry was logged (the throw came from there), and the read went on.
    expect(calls).toHaveLength(2);
    expect(calls[0]).toContain("generate() is deprecated");
    expect(calls[1]).toContain("retry 1");
  });

  it("one whose debug and warn return rejected promises: generate() and the retried status read are answered, no rejection is left unhandled", async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", record);
    try {
      const calls: string[] = [];
      const logger: Logger = {
        debug: (m) => {
          calls.push(m);
          calm();
          return Promise.reject(new Error("the debug sink is gone"));
        },
        warn: (m) => {
          calls.push(m);
          return Promise.reject(new Error("the warn sink is gone"));
        },
      };
      const client = clientFor(emu, { logger });
      const data = await client.generate({ model, prompt: "logged to a sink that rejects" });
      expect(data.size).toBeGreaterThan(0);
      const { job_id } = await client.queue.submit({ model, prompt: "read, logged to a sink that rejects" });
      busy();
      expect(await client.queue.status(job_id)).toMatchObject({ job_id });
      expect(calls.some((m) => m.includes("generate() is deprecated"))).toBe(true);
      expect(calls.some((m) => m.includes("retry 1"))).toBe(true);
      // Node reports an unhandled rejection after the microtasks of the turn: one turn later, none came.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", record);
    }
  });
});

describe("what a logger is told", () => {
  it("a watch's status read that fails and is tried again goes to debug, as a request's retry does; nothing to warn", async () => {
    const lines: string[] = [];
    const logger: Logger = { debug: (m) => void lines.push(`debug ${m}`), warn: (m) => void lines.push(`warn ${m}`) };
    // The job's status reads answered 503 from its submit until the watch says it tries again.
    const events: string[] = [];
    let jobId = "";
    for await (const event of clientFor(emu, { logger }).queue.submitAndWatch({
      model,
      prompt: "read through an outage",
    })) {
      events.push(event.type);
      if (event.type === "submitted") {
        jobId = event.jobId;
        busy();
      }
      if (event.type === "retrying") calm();
    }
    expect(events.filter((type) => type === "retrying")).toHaveLength(1);
    expect(events.at(-1)).toBe("completed");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^debug Job ${jobId}: .*\\(HTTP 503, request [^)]+\\); retry 1 in \\d+ ms$`));
  });
});

describe("the logger's info and error", () => {
  it("are never called: a failed call, a failed job, a retry and a deprecation go to debug and warn only", async () => {
    const heard = { debug: 0, info: 0, warn: 0, error: 0 };
    const logger: Logger = {
      debug: () => {
        heard.debug++;
        calm();
      },
      info: () => void heard.info++,
      warn: () => void heard.warn++,
      error: () => void heard.error++,
    };
    const client = clientFor(emu, { logger });
    // A job that fails (its deprecated wrapper: a warning), a read of no such job (404), a read retried once (503).
    expect(await client.generate({ model, prompt: "[fail]" }).catch((e) => e.name)).toBe("JobFailedError");
    expect(await client.queue.status("job_nope").catch((e) => e.code)).toBe("NOT_FOUND");
    const { job_id } = await client.queue.submit({ model, prompt: "read once more" });
    busy();
    expect(await client.queue.status(job_id)).toMatchObject({ job_id });
    expect(heard).toEqual({ debug: 1, info: 0, warn: 1, error: 0 });
  });
});
