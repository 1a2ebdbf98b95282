/**
 * `batch --resume`'s summary on stderr counts as watched only the lines it watches: a line whose job the journal
 * records as saved (its file whole) or failed is told from the journal, not watched, and is counted apart.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { events, run, useEmulator } from "./helpers.js";

let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ env, dir } = f), { ownDir: true });

describe("batch --resume's summary", () => {
  it("counts the lines saved or failed in the journal apart from those watched", async () => {
    const path = join(dir, "b.jsonl");
    const lines = [
      { custom_id: "lake", prompt: "A lake" },
      { custom_id: "hill", prompt: "A hill [fail]" },
    ];
    writeFileSync(path, lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
    const args = ["batch", path, "--out", join(dir, "out"), "--json"];
    const first = await run(args, { env });
    expect(events(first.stdout).filter((e) => e.type === "line_failed")).toHaveLength(1);
    const again = await run([...args, "--resume"], { env });
    expect(again.stderr).toContain("; 2 line(s) already saved or failed are told from the journal, not asked again");
    expect(again.stderr).not.toContain("are watched");
  });
});
