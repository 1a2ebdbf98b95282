/**
 * The catalogue is shared by every client of the process: its definitions are frozen through and through, so that one
 * caller's change in place (a field's limit) cannot hold every other client to it.
 */
import { catalogue } from "@decart/api";
import { describe, expect, it } from "vitest";
import { models } from "../src/index.js";
import { clientFor, startFast } from "./helpers.js";

/** Every object and array reachable from `value`, with its path. */
function* objects(value: unknown, path = "catalogue"): Generator<[string, object]> {
  if (!value || typeof value !== "object") return;
  yield [path, value];
  for (const [key, inner] of Object.entries(value)) yield* objects(inner, `${path}.${key}`);
}

describe("the catalogue's definitions", () => {
  it("are frozen through and through: every object and array in the catalogue", () => {
    const thawed = [...objects(catalogue)].filter(([, o]) => !Object.isFrozen(o)).map(([path]) => path);
    expect(thawed).toEqual([]);
  });

  it("a change in place to a definition's field throws, and another client still sends under the spec's limit", async () => {
    const mine = models.video("lucy-pro-t2v");
    const prompt = mine.fields.find((f) => f.name === "prompt")!;
    const limit = prompt.maxLength;
    expect(() => {
      (prompt as { maxLength?: number }).maxLength = 10;
    }).toThrow(TypeError);
    expect(() => (mine.fields as unknown[]).push({ name: "extra" })).toThrow(TypeError);
    const resolution = models.video("lucy-pro-i2v").fields.find((f) => f.name === "resolution")!;
    expect(() => (resolution.enum as unknown as string[]).push("4k")).toThrow(TypeError);
    expect(models.video("lucy-pro-t2v").fields.find((f) => f.name === "prompt")!.maxLength).toBe(limit);

    const emu = await startFast();
    try {
      const job = await clientFor(emu).queue.submit({
        model: models.video("lucy-pro-t2v"),
        prompt: "A serene lake at sunset",
      });
      expect(job.job_id).toMatch(/^job_/);
    } finally {
      await emu.close();
    }
  });
});
