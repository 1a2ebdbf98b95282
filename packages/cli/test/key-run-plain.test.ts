/**
 * A run of the key's secret that is no secret, of fewer than 8 different characters (the emulator's dev key
 * `dct_emulator_dev_key_0000000000000000` ends in sixteen zeros), is not taken for the key: a file name, a custom_id
 * or a prompt that holds twelve zeros is written, and sent, as it is.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startEmulator } from "@decart/emulator";
import { afterAll, beforeAll, expect, it } from "vitest";
import { run, tempDir } from "./helpers.js";

const DEV_KEY = "dct_emulator_dev_key_0000000000000000";
let emu: Awaited<ReturnType<typeof startEmulator>>;
const { dir, remove } = tempDir();
beforeAll(async () => {
  emu = await startEmulator({ timing: "fast", keys: [DEV_KEY] });
});
afterAll(async () => {
  await emu?.close();
  remove();
});
const env = () => ({ DECART_API_KEY: DEV_KEY, DECART_BASE_URL: emu.url, DECART_JOURNAL: join(dir, "jobs.jsonl") });

it("an output named out_0000000000000000.png is saved and named as it is", async () => {
  const path = join(dir, "out_0000000000000000.png");
  const result = await run(["image", "A cat", "-o", path, "--json"], { env: env() });
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toContain(`"path":"${path}"`);
});

it("a batch line whose custom_id and prompt hold twelve zeros is sent, its custom_id reported as it is", async () => {
  const input = join(dir, "in.jsonl");
  const line = { custom_id: "clip_000000000000", model: "lucy-pro-t2i", prompt: "1000000000000 stars" };
  writeFileSync(input, `${JSON.stringify(line)}\n`);
  const result = await run(["batch", input, "--out", join(dir, "out"), "--json"], { env: env() });
  expect(result.code, result.stderr).toBe(0);
  expect(readFileSync(join(dir, "out", "results.jsonl"), "utf8")).toContain('"custom_id":"clip_000000000000"');
});
