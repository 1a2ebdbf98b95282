/**
 * `jobs wait` of a job whose journal line records an image model (an edited journal, or one written by another
 * version): the model only sets the watch's expected duration, and the client's watch takes video models only, so
 * an image model's name is dropped, not passed on (which was refused: exit 2 `Invalid options: "model"`).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { catalogue, isImageModelName } from "@decart/api";
import type { Emulator } from "@decart/emulator";
import { expect, it } from "vitest";
import { run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({ timing: "fast" }, (f) => ({ emu, env, dir } = f));

it("jobs wait of a job the journal records with an image model watches it to its end (exit 0)", async () => {
  const image = Object.keys(catalogue).find(isImageModelName)!;
  const submitted = await run(["jobs", "submit", "A lake", "--no-json"], { env, cwd: dir });
  expect(submitted.code, submitted.stderr).toBe(0);
  const jobId = submitted.stdout.trim();
  const journal = env.DECART_JOURNAL!;
  const lines = readFileSync(journal, "utf8").trim().split("\n");
  const edited = lines.map((line) => {
    const record = JSON.parse(line);
    return JSON.stringify(record.model ? { ...record, model: image } : record);
  });
  expect(edited.join("\n")).toContain(`"model":"${image}"`);
  writeFileSync(journal, `${edited.join("\n")}\n`);
  const waited = await run(["jobs", "wait", jobId], { env, cwd: dir });
  expect(waited.stderr).not.toContain('"model"');
  expect(waited.code, waited.stderr).toBe(0);
  expect(emu.stats().requests.total).toBeGreaterThan(1);
});
