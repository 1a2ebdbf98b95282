/**
 * The catalogue is shared by every client of the process: its definitions are frozen through and through, so that one
 * caller's change in place (a field's limit) cannot hold every other client to it.
 */
import * as api from "@decart/api";
import { catalogue } from "@decart/api";
import { describe, expect, it } from "vitest";
import { errorCodes, models } from "../src/index.js";
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

describe("every other table @decart/api and core export", () => {
  it("is frozen through and through: the spec's schemas, statuses, media types, retired models, docs, error codes", () => {
    const tables = Object.entries({ ...api, errorCodes }).filter(([, v]) => v && typeof v === "object");
    expect(tables.map(([name]) => name).sort()).toEqual(
      [
        "catalogue",
        "errorCodes",
        "imageContentTypes",
        "jobContentTypes",
        "jobStatuses",
        "modelDocs",
        "requestSchemas",
        "responseSchemas",
        "retiredModels",
      ].sort(),
    );
    const thawed = tables.flatMap(([name, table]) =>
      [...objects(table, name)].filter(([, o]) => !Object.isFrozen(o)).map(([path]) => path),
    );
    expect(thawed).toEqual([]);
  });

  it("a change in place to a request limit throws, and a client still creates a token under the spec's limit", async () => {
    const expiresIn = api.requestSchemas.CreateTokenRequest.properties.expiresIn;
    expect(() => {
      (expiresIn as { maximum: number }).maximum = 10;
    }).toThrow(TypeError);
    expect(() => (api.jobStatuses as unknown as string[]).push("lost")).toThrow(TypeError);
    expect(() => (errorCodes as unknown as string[]).push("MINE")).toThrow(TypeError);
    const emu = await startFast();
    try {
      const token = await clientFor(emu).tokens.create({ expiresIn: 60 });
      expect(token.apiKey).toBeTruthy();
    } finally {
      await emu.close();
    }
  });
});
