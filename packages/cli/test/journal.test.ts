import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Journal } from "../src/journal.js";
import { tempDir } from "./helpers.js";

const { dir, remove } = tempDir();
afterAll(remove);

describe("the journal", () => {
  it("writes every record of concurrent appends, in call order, each on disk when its append resolves", async () => {
    const path = join(dir, "state", "jobs.jsonl");
    const journal = new Journal(path);
    const onDiskWhenResolved: boolean[] = [];
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        journal.append({ job_id: `job_${i}`, event: "submitted", custom_id: `${i}` }).then(() => {
          onDiskWhenResolved[i] = readFileSync(path, "utf8").includes(`"job_${i}"`);
        }),
      ),
    );
    expect(onDiskWhenResolved).toEqual(Array(100).fill(true));
    expect(journal.records().map((r) => r.job_id)).toEqual(Array.from({ length: 100 }, (_, i) => `job_${i}`));
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("rejects an append it could not write, and writes the next one once it can", async () => {
    // A file where the journal's directory should be: the append fails.
    const blocker = join(dir, "blocker");
    writeFileSync(blocker, "");
    const journal = new Journal(join(blocker, "jobs.jsonl"));
    await expect(journal.append({ job_id: "job_x", event: "submitted" })).rejects.toThrow();
    rmSync(blocker);
    await journal.append({ job_id: "job_y", event: "submitted" });
    expect(journal.jobs()).toMatchObject([{ job_id: "job_y", state: "submitted" }]);
  });

  it("ends a last line cut short (a kill mid-write) before appending: the next record is read, as every whole line", async () => {
    const path = join(dir, "torn.jsonl");
    const whole = JSON.stringify({ at: "2026-01-01T00:00:00.000Z", job_id: "job_a", event: "submitted" });
    writeFileSync(path, `${whole}\n{"at":"2026-01-01T00:00:01.000Z","job_id":"job_o`);
    const journal = new Journal(path);
    await journal.append({ job_id: "job_b", event: "submitted", custom_id: "b" });
    await journal.append({ job_id: "job_b", event: "completed" });
    expect(readFileSync(path, "utf8").split("\n")[1]).toBe('{"at":"2026-01-01T00:00:01.000Z","job_id":"job_o');
    expect(journal.jobs()).toMatchObject([
      { job_id: "job_a", state: "submitted" },
      { job_id: "job_b", state: "completed", custom_id: "b" },
    ]);
  });

  it("reads a record an earlier version glued onto a line cut short", () => {
    const path = join(dir, "glued.jsonl");
    const record = { at: "2026-01-01T00:00:02.000Z", job_id: "job_c", event: "submitted", custom_id: "c" };
    const after = { at: "2026-01-01T00:00:03.000Z", job_id: "job_c", event: "saved", path: '/x/{"at":.mp4' };
    writeFileSync(
      path,
      `{"at":"2026-01-01T00:00:01.000Z","job_id":"job_o${JSON.stringify(record)}\n${JSON.stringify(after)}\n{"at":"2`,
    );
    expect(new Journal(path).jobs()).toMatchObject([
      { job_id: "job_c", state: "saved", custom_id: "c", path: after.path },
    ]);
  });
});
