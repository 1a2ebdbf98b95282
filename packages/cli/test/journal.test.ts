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
});
