/**
 * A batch line's fields are the model's inputs: a field named as one of the client's call options (`deadline`,
 * `timeoutMs`, `signal`, `poll`, `onUploadProgress`) is refused as a name the model does not have, nothing sent, the
 * line in errors.jsonl. (A line's `"deadline":5` was the call's deadline: "not sent, no time left", told as an outcome
 * unknown; `"deadline":1e15` or an image line's `"timeoutMs"` taken silently.)
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { catalogue } from "@decart/api";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { events, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f), { ownDir: true });

const known = (model: "lucy-pro-t2v" | "lucy-pro-t2i") =>
  `a known name (one of ${catalogue[model].fields.map((f) => f.name).join(", ")})`;

describe("a batch line naming a call option", () => {
  it.each([
    ["lucy-pro-t2v", "deadline", 5],
    ["lucy-pro-t2v", "deadline", 1e15],
    ["lucy-pro-t2i", "deadline", 5],
    ["lucy-pro-t2i", "timeoutMs", 1],
    ["lucy-pro-t2v", "timeoutMs", 1],
    ["lucy-pro-t2v", "poll", { intervalMs: 1000 }],
    ["lucy-pro-t2i", "signal", null],
    ["lucy-pro-t2i", "onUploadProgress", 1],
  ] as const)("%s with %s %j: refused as no field of the model, nothing sent", async (model, name, value) => {
    const file = join(dir, "b.jsonl");
    writeFileSync(file, `${JSON.stringify({ custom_id: "a", model, prompt: "A lake", [name]: value })}\n`);
    const out = join(dir, `out-${model}-${name}-${value}`);
    const result = await run(["batch", file, "--out", out], { env });
    expect(result.code, result.stderr).toBe(6);
    const failed = events(result.stdout).find((e) => e.type === "line_failed");
    expect(failed).toEqual({
      type: "line_failed",
      custom_id: "a",
      line: 1,
      error: `Invalid input for ${model}: "${name}" must be ${known(model)}`,
    });
    expect(emu.stats().requests.total).toBe(0);
    expect(existsSync(join(out, "unknown.jsonl"))).toBe(false);
    expect(readFileSync(join(out, "errors.jsonl"), "utf8")).toContain(`"${name}":`);
  });
});
