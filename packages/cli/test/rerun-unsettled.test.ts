/**
 * A batch run again without --resume while some of its lines' submits are unsettled (a job may exist) is refused, and
 * its message counts those submits by what the journal holds of how each ended: one answered 500 was answered (its
 * status and request id are journaled), as is one answered with a job id the CLI cannot take, unlike one a killed run
 * never got the answer of.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, finished, journalRecords, proxyTo, run, start, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f), { ownDir: true });

/**
 * A proxy in front of the emulator, one URL for every run (the journal records the server a line was sent to): a
 * submit's answer, once the emulator made its job, is held and never passed on while `held` is set, or its connection
 * cut while `cut` is (the answer lost: its outcome unknown, no status).
 */
let proxy: { url: string; close: () => Promise<void> };
let held: (() => void) | undefined;
let cut = false;
/** Answers a submit 200 with a job id the CLI cannot take (a space in it) while set. */
let badId = false;
beforeAll(async () => {
  proxy = await proxyTo(emu.url, (req, res) => {
    if (!(req.method === "POST" && req.url!.startsWith("/v1/jobs/"))) return false;
    if (badId) {
      res.writeHead(200, { "content-type": "application/json", "x-request-id": "req_bad_job_id" });
      res.end(JSON.stringify({ job_id: "job 1", status: "pending" }));
      return true;
    }
    if (held) {
      held();
      return true;
    }
    if (!cut) return false;
    res.destroy();
    return true;
  });
});
afterAll(() => proxy?.close());

const line = (customId: string, prompt: string) => JSON.stringify({ custom_id: customId, prompt });

describe("a batch run again without --resume, some of its submits unsettled", () => {
  it("says which were answered (HTTP 500), which ended with no status, and which have no answer recorded", async () => {
    const file = join(dir, "lines.jsonl");
    const lines = { a: line("a", "A lake"), b: line("b", "A river"), c: line("c", "A sea") };
    const runEnv = { ...env, DECART_BASE_URL: proxy.url };

    // a: its submit answered 500 (the journal holds its status and request id).
    writeFileSync(file, `${lines.a}\n`);
    emu.setFaults([{ route: "submit", kind: "500" }]);
    const first = await run(["batch", file, "--out", join(dir, "out-a")], { env: runEnv });
    expect(first.code, first.stderr).toBe(6);
    emu.setFaults([]);

    // b: its answer cut short once the job was made (an outcome unknown, with the client's reason but no status).
    writeFileSync(file, `${lines.b}\n`);
    cut = true;
    const second = await run(["batch", file, "--out", join(dir, "out-b")], { env: runEnv });
    cut = false;
    expect(second.code, second.stderr).toBe(6);
    expect(events(second.stdout).find((e) => e.type === "line_failed")).toMatchObject({ outcome_unknown: true });

    // c: the run killed while its submit's answer was held (no answer recorded).
    writeFileSync(file, `${lines.c}\n`);
    const made = new Promise<void>((resolve) => (held = resolve));
    const child = start(["batch", file, "--out", join(dir, "out-c")], { env: runEnv });
    const done = finished(child);
    await made;
    held = undefined;
    child.kill("SIGKILL");
    await done;

    const records = journalRecords(env.DECART_JOURNAL!);
    expect(records.filter((r) => r.event === "submit_unknown")).toEqual([
      expect.objectContaining({ status: 500 }),
      expect.not.objectContaining({ status: expect.anything() }),
    ]);
    const jobs = emu.stats().jobsCreated;

    // The three lines as one batch again, without --resume: refused, nothing sent.
    writeFileSync(file, `${lines.a}\n${lines.b}\n${lines.c}\n`);
    const again = await run(["batch", file, "--out", join(dir, "out")], { env: runEnv });
    expect(again.code, again.stderr).toBe(2);
    expect(again.stderr).toContain(
      "3 line(s) of this batch already have jobs or images in the journal " +
        `(${env.DECART_JOURNAL}), 1 of them a submit answered HTTP 500 (its outcome unknown), 1 a submit whose ` +
        "outcome is unknown, and 1 a submit whose answer was never recorded: add --resume to finish the batch " +
        "without submitting them again",
    );
    expect(emu.stats().jobsCreated).toBe(jobs);
  });

  it("a line answered with a job id the CLI cannot take: said so, not said to have no answer recorded", async () => {
    const file = join(dir, "bad-id.jsonl");
    writeFileSync(file, `${line("a", "A lake")}\n`);
    const runEnv = { ...env, DECART_BASE_URL: proxy.url };
    badId = true;
    const first = await run(["batch", file, "--out", join(dir, "out-bad-id")], { env: runEnv });
    badId = false;
    expect(first.code, first.stderr).toBe(6);
    expect(events(first.stdout).find((e) => e.type === "line_failed")).toMatchObject({ outcome_unknown: true });
    // The refused id is kept out of the journal.
    expect(JSON.stringify(journalRecords(env.DECART_JOURNAL!))).not.toContain("job 1");

    const again = await run(["batch", file, "--out", join(dir, "out-bad-id")], { env: runEnv });
    expect(again.code, again.stderr).toBe(2);
    expect(again.stderr).toContain(
      "1 of them a submit answered with a job id the CLI cannot take: add --resume to finish the batch",
    );
    expect(again.stderr).not.toContain("never recorded");

    const resumed = await run(["batch", file, "--out", join(dir, "out-bad-id"), "--resume"], { env: runEnv });
    expect(resumed.code, resumed.stderr).toBe(6);
    expect(events(resumed.stdout).find((e) => e.type === "line_failed")?.error).toContain(
      "its outcome is unknown (answered with a job id the CLI cannot take; support can find it by its request id, " +
        "req_bad_job_id): a job may exist",
    );
  });

  it("a line answered 500 alone: not said to have no answer recorded", async () => {
    const file = join(dir, "one.jsonl");
    writeFileSync(file, `${line("a", "A lake")}\n`);
    emu.setFaults([{ route: "submit", kind: "500" }]);
    const first = await run(["batch", file, "--out", join(dir, "out-one")], { env });
    expect(first.code, first.stderr).toBe(6);
    emu.setFaults([]);

    const again = await run(["batch", file, "--out", join(dir, "out-one")], { env });
    expect(again.code, again.stderr).toBe(2);
    expect(again.stderr).toContain("1 of them a submit answered HTTP 500 (its outcome unknown): add --resume");
    expect(again.stderr).not.toContain("never recorded");
    expect(emu.stats().jobsCreated).toBe(0);
  });
});
