/**
 * A job submitted with an alias (`-m lucy-latest`) is named by the model that runs for it (`lucy-2.1`), as the
 * client's own events name it: in the `submitted` event of `video`, `jobs submit` and a batch's line, and in the
 * journal's records (so `jobs list`). A journal written before, which holds the alias, is still read: `jobs wait` of
 * its job watches and saves it, and `jobs list` shows the alias it recorded. So is an image made with an alias
 * (`-m lucy-image-latest`): in the `saved` event of `image` and its default file name, and in the `saved` event of a
 * batch's image line and that line's journal records.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { canonicalModel, catalogue, isImageModelName, isVideoModelName } from "@decart/api";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { events, journalRecords, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({ timing: "fast" }, (f) => ({ emu, env, dir } = f), { ownDir: true });

// An alias of a video model that needs no more than a prompt and a video: the catalogue's, not written here.
const alias = Object.keys(catalogue)
  .filter(isVideoModelName)
  .find((name) => {
    const { aliasOf, deprecated, fields } = catalogue[name] as {
      aliasOf?: string;
      deprecated?: boolean;
      fields: readonly { name: string; required: boolean }[];
    };
    return (
      aliasOf &&
      !deprecated &&
      fields.every((field) => !field.required || field.name === "prompt" || field.name === "data")
    );
  })!;
const canonical = canonicalModel(alias);
/** Not really a video, but one as far as its first bytes tell (an MP4's `ftyp` box). */
const VIDEO = Buffer.concat([Buffer.from("\0\0\0\x10ftypmp42\0\0\0\0", "latin1"), Buffer.alloc(3000, 1)]);

describe(`a job submitted with an alias (${alias}) is named by its model (${canonical})`, () => {
  it("the catalogue has such an alias", () => {
    expect(alias).toBeDefined();
    expect(canonical).not.toBe(alias);
  });

  it("video --json: the submitted event and the journal name the model; jobs list shows it", async () => {
    writeFileSync(join(dir, "in.mp4"), VIDEO);
    const { code, stdout, stderr } = await run(
      ["video", "snow", "data=@in.mp4", "-m", alias, "--json", "-o", join(dir, "out.mp4")],
      { env, cwd: dir },
    );
    expect(code, stderr).toBe(0);
    expect(events(stdout).find((e) => e.type === "submitted")).toMatchObject({ model: canonical });
    // Every record that names a model (the submit's own, written before it is sent, too) names the canonical one.
    const named = journalRecords(env.DECART_JOURNAL!).filter((r) => r.model !== undefined);
    expect(named.length).toBeGreaterThanOrEqual(2);
    expect(named.map((r) => r.model)).toEqual(named.map(() => canonical));
    const list = await run(["jobs", "list", "--json"], { env, cwd: dir });
    expect(events(list.stdout).map((e) => e.model)).toEqual([canonical]);
  });

  it("jobs submit: the submitted event and the journal name the model", async () => {
    writeFileSync(join(dir, "in.mp4"), VIDEO);
    const { code, stdout, stderr } = await run(["jobs", "submit", "snow", "data=@in.mp4", "-m", alias, "--json"], {
      env,
      cwd: dir,
    });
    expect(code, stderr).toBe(0);
    expect(events(stdout).find((e) => e.type === "submitted")).toMatchObject({ model: canonical });
    const named = journalRecords(env.DECART_JOURNAL!).filter((r) => r.model !== undefined);
    expect(named.length).toBeGreaterThanOrEqual(2);
    expect(named.map((r) => r.model)).toEqual(named.map(() => canonical));
  });

  it("a batch line: its submitted event and the journal name the model", async () => {
    writeFileSync(join(dir, "in.mp4"), VIDEO);
    writeFileSync(
      join(dir, "b.jsonl"),
      `${JSON.stringify({ custom_id: "1", model: alias, prompt: "snow", data: "in.mp4" })}\n`,
    );
    const { code, stdout, stderr } = await run(["batch", "b.jsonl", "--json"], { env, cwd: dir });
    expect(code, stderr).toBe(0);
    expect(events(stdout).find((e) => e.type === "submitted")).toMatchObject({ model: canonical });
    const named = journalRecords(env.DECART_JOURNAL!).filter((r) => r.model !== undefined);
    expect(named.length).toBeGreaterThanOrEqual(2);
    expect(named.map((r) => r.model)).toEqual(named.map(() => canonical));
  });

  it("a journal written before, holding the alias: jobs wait watches and saves its job, jobs list shows the alias", async () => {
    writeFileSync(join(dir, "in.mp4"), VIDEO);
    const submitted = await run(["jobs", "submit", "snow", "data=@in.mp4", "-m", alias, "--no-json"], {
      env,
      cwd: dir,
    });
    expect(submitted.code, submitted.stderr).toBe(0);
    const jobId = submitted.stdout.trim();
    const journal = env.DECART_JOURNAL!;
    const old = readFileSync(journal, "utf8").replaceAll(`"model":"${canonical}"`, `"model":"${alias}"`);
    expect(old).toContain(`"model":"${alias}"`);
    writeFileSync(journal, old);
    const waited = await run(["jobs", "wait", jobId, "-o", join(dir, "w.mp4"), "--json"], { env, cwd: dir });
    expect(waited.code, waited.stderr).toBe(0);
    expect(events(waited.stdout).find((e) => e.type === "saved")).toBeDefined();
    const list = await run(["jobs", "list", "--json"], { env, cwd: dir });
    expect(events(list.stdout).find((e) => e.job_id === jobId)).toMatchObject({ model: alias, state: "saved" });
    expect(emu.stats().requests.total).toBeGreaterThan(1);
  });
});

// An image model's alias, not deprecated: the catalogue's.
const imageAlias = Object.keys(catalogue)
  .filter(isImageModelName)
  .find((name) => {
    const { aliasOf, deprecated } = catalogue[name] as { aliasOf?: string; deprecated?: boolean };
    return aliasOf && !deprecated;
  })!;
const imageCanonical = canonicalModel(imageAlias);

describe(`an image made with an alias (${imageAlias}) is named by its model (${imageCanonical})`, () => {
  /** An image to give the model as its input, made by the CLI itself. */
  async function source() {
    const path = join(dir, "source.png");
    const made = await run(["image", "A lighthouse", "-o", path], { env, cwd: dir });
    expect(made.code, made.stderr).toBe(0);
    return path;
  }

  it("the catalogue has such an alias", () => {
    expect(imageAlias).toBeDefined();
    expect(imageCanonical).not.toBe(imageAlias);
  });

  it("image --json: the saved event names the model", async () => {
    const data = await source();
    const { code, stdout, stderr } = await run(
      ["image", "Make it snow", "-m", imageAlias, `data=@${data}`, "-o", join(dir, "out.png"), "--json"],
      { env, cwd: dir },
    );
    expect(code, stderr).toBe(0);
    expect(events(stdout).find((e) => e.type === "saved")).toMatchObject({ model: imageCanonical });
  });

  it("image without -o: its default file is named by the model, as its saved event", async () => {
    const data = await source();
    const cwd = join(dir, "named");
    mkdirSync(cwd);
    const { code, stdout, stderr } = await run(["image", "Make it snow", "-m", imageAlias, `data=@${data}`, "--json"], {
      env,
      cwd,
    });
    expect(code, stderr).toBe(0);
    const saved = events(stdout).find((e) => e.type === "saved")!;
    expect(saved).toMatchObject({ model: imageCanonical });
    // Before: named after the alias as typed.
    expect(basename(saved.path)).toMatch(new RegExp(`^${imageCanonical}-\\d{8}-\\d{6}\\.png$`));
    expect(readdirSync(cwd)).toEqual([basename(saved.path)]);
  });

  it("a batch's image line: its saved event and the journal name the model", async () => {
    const data = await source();
    writeFileSync(
      join(dir, "b.jsonl"),
      `${JSON.stringify({ custom_id: "1", model: imageAlias, prompt: "Make it snow", data })}\n`,
    );
    const { code, stdout, stderr } = await run(["batch", "b.jsonl", "--out", join(dir, "out"), "--json"], {
      env,
      cwd: dir,
    });
    expect(code, stderr).toBe(0);
    expect(events(stdout).find((e) => e.type === "saved")).toMatchObject({ model: imageCanonical });
    // Every record that names a model (the request's own, written before it is sent, too) names the canonical one.
    const named = journalRecords(env.DECART_JOURNAL!).filter((r) => r.model !== undefined);
    expect(named.length).toBeGreaterThanOrEqual(2);
    expect(named.map((r) => r.model)).toEqual(named.map(() => imageCanonical));
    expect(emu.stats().requests.byRoute.process).toBe(2);
  });
});
