import { execFile } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { useEmulatorClient } from "./helpers.js";

// Under frozen intrinsics (`node --frozen-intrinsics`, SES lockdown) a generator's `next`, `return` and `throw` are
// read-only on its prototype, and assigning them on the generator throws (the override mistake): every call that
// watches a job threw a plain `TypeError: Cannot assign to read only property 'next'`.
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ctx = useEmulatorClient();

describe("the built entry under node --frozen-intrinsics", () => {
  it("watches a job to its end, and a watch left early ends", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      "--frozen-intrinsics",
      "--no-warnings",
      join(root, "test/fixtures/frozen-intrinsics.mjs"),
      ctx.emu.url,
      ctx.emu.apiKey,
    ]);
    const line = JSON.parse(stdout.trim());
    expect(line).toEqual({ status: "completed", bytes: expect.any(Number), first: "submitted", frozen: true });
    expect(line.bytes).toBeGreaterThan(1000);
  });
});
