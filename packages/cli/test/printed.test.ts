import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { BIN, childEnv, events, finished, KEY, type Run, run, start, useEmulator } from "./helpers.js";

let emu: Emulator;
let dir: string;
useEmulator({}, (f) => ({ emu, dir } = f));

/**
 * The environment of these tests: the key only. The URL and the journal are given as flags, and the default journal
 * (`$XDG_STATE_HOME/decart/jobs.jsonl`) is one of the test's own, so that a printed command that leaves them out
 * reaches another journal (and, for the URL, the real API's address, which the key of these tests cannot use).
 */
function setting(name: string) {
  const home = join(dir, name);
  mkdirSync(home, { recursive: true });
  const env = { DECART_API_KEY: KEY, XDG_STATE_HOME: join(home, "xdg") };
  const flags = ["--base-url", emu.url, "--journal", join(home, "mine.jsonl")];
  return { home, env, flags, defaultJournal: join(home, "xdg", "decart", "jobs.jsonl") };
}

/** Starts the CLI and resolves once `count` events of `type` came (the child still running). */
async function startUntil(args: string[], env: Record<string, string>, cwd: string, type: string, count = 1) {
  const child = start(args, { env, cwd });
  const done = finished(child);
  const seen: Array<Record<string, any>> = [];
  for await (const line of createInterface({ input: child.stdout! })) {
    const event = JSON.parse(line);
    if (event.type === type) seen.push(event);
    if (seen.length === count) return { child, done, seen };
  }
  throw new Error(`fewer than ${count} ${type} events: ${(await done).stderr}`);
}

/** Runs a printed command as a user pastes it into a POSIX shell (`decart` being the built bin). */
function paste(command: string, env: Record<string, string>, cwd: string): Promise<Run> {
  const child = spawn("/bin/sh", ["-c", `decart() { "$DECART_NODE" "$DECART_BIN" "$@"; }\n${command}`], {
    env: childEnv({ ...env, DECART_NODE: process.execPath, DECART_BIN: BIN }),
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return finished(child);
}

describe("the commands the CLI prints", () => {
  it("batch: the resume command printed at Ctrl-C carries --journal, --base-url, -c and --timeout, and pays nothing twice", async () => {
    const { home, env, flags, defaultJournal } = setting("batch");
    writeFileSync(
      join(home, "in.jsonl"),
      [1, 2, 3].map((i) => `${JSON.stringify({ custom_id: `h${i}`, prompt: `[hold] ${i}` })}\n`).join(""),
    );
    const args = [...flags, "batch", "in.jsonl", "--out", "out", "-c", "3", "--timeout", "600"];
    const { child, done, seen } = await startUntil(args, env, home, "submitted", 3);
    child.kill("SIGINT");
    const stopped = await done;
    expect(stopped.code, stopped.stderr).toBe(130);
    const resume = events(stopped.stdout).at(-1)!;
    expect(resume.type).toBe("interrupted");
    expect(resume.resume).toBe(
      `decart --base-url ${emu.url} --journal ${join(home, "mine.jsonl")} batch ${join(home, "in.jsonl")} --out ` +
        `${join(home, "out")} --concurrency 3 --timeout 600 --resume`,
    );
    expect(stopped.stderr).toContain(`Resume with: ${resume.resume}`);
    for (const event of seen) expect(emu.release(event.job_id)).toBe(true);
    expect(emu.stats().jobsCreated).toBe(3);

    // Pasted in another directory (before the fix the batch file was printed as given, relative: not found there).
    const elsewhere = join(home, "elsewhere");
    mkdirSync(elsewhere);
    const resumed = await paste(resume.resume, env, elsewhere);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(events(resumed.stdout).at(-1)).toMatchObject({ type: "summary", total: 3, completed: 3 });
    expect(emu.stats().jobsCreated).toBe(3); // no line paid twice
    expect(existsSync(defaultJournal)).toBe(false);
  });

  it("video: the printed `jobs wait` carries the URL and the journal, and a path with $( ) and $ is not run by the shell", async () => {
    const { home, env, flags, defaultJournal } = setting("video");
    const name = "clip $(touch PWNED) `touch PWNED2` $HOME 'it''s'.mp4";
    const { child, done, seen } = await startUntil([...flags, "video", "[hold] q", "-o", name], env, home, "submitted");
    child.kill("SIGINT");
    const stopped = await done;
    expect(stopped.code, stopped.stderr).toBe(130);
    const { resume } = events(stopped.stdout).at(-1)!;
    expect(resume).toBe(
      `decart --base-url ${emu.url} --journal ${join(home, "mine.jsonl")} jobs wait ${seen[0]!.job_id} -o ` +
        `'${join(home, "clip $(touch PWNED) `touch PWNED2` $HOME '\\''it'\\'''\\''s'\\''.mp4")}'`,
    );
    expect(emu.release(seen[0]!.job_id)).toBe(true);
    const resumed = await paste(resume, env, home);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(readdirSync(home).sort()).toEqual([name, "mine.jsonl"].sort());
    expect(readFileSync(join(home, name)).length).toBeGreaterThan(0);
    expect(existsSync(defaultJournal)).toBe(false);
    expect(emu.stats().jobsCreated).toBe(1);
  });

  it("batch: a path holding U+3000 and U+202F is printed as it is in the resume command on stderr, which reads the same file", async () => {
    const { home, env, flags } = setting("batch-spaces");
    const folder = join(home, "新しい\u3000フォルダー");
    mkdirSync(folder);
    writeFileSync(join(folder, "in.jsonl"), `${JSON.stringify({ custom_id: "s1", prompt: "[hold] s" })}\n`);
    const out = "Screenshot 10.41.07\u202fPM";
    const args = [...flags, "batch", join(folder, "in.jsonl"), "--out", out];
    const { child, done, seen } = await startUntil(args, env, home, "submitted");
    child.kill("SIGINT");
    const stopped = await done;
    expect(stopped.code, stopped.stderr).toBe(130);
    const resume = /Resume with: (.*)$/m.exec(stopped.stderr)?.[1];
    expect(resume, stopped.stderr).toBe(events(stopped.stdout).at(-1)!.resume);
    expect(resume).toContain("\u3000");
    expect(resume).toContain("\u202f");
    expect(emu.release(seen[0]!.job_id)).toBe(true);
    const resumed = await paste(resume!, env, home);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(events(resumed.stdout).at(-1)).toMatchObject({ type: "summary", total: 1, completed: 1 });
    expect(readdirSync(join(home, out))).toContain("s1.mp4");
    expect(emu.stats().jobsCreated).toBe(1);
  });

  it("video: the `jobs wait … -o` hint on stderr keeps U+3000 in the path as it is, and reads the same file", async () => {
    const { home, env, flags } = setting("video-spaces");
    const name = "新しい\u3000動画.mp4";
    const { child, done, seen } = await startUntil([...flags, "video", "[hold] q", "-o", name], env, home, "submitted");
    child.kill("SIGINT");
    const stopped = await done;
    expect(stopped.code, stopped.stderr).toBe(130);
    const hint = /(decart --base-url .* jobs wait .*)$/m.exec(stopped.stderr)?.[1];
    expect(hint, stopped.stderr).toBe(events(stopped.stdout).at(-1)!.resume);
    expect(hint).toContain("\u3000");
    expect(emu.release(seen[0]!.job_id)).toBe(true);
    const resumed = await paste(hint!, env, home);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(readFileSync(join(home, name)).length).toBeGreaterThan(0);
    expect(emu.stats().jobsCreated).toBe(1);
  });

  it("a path holding a line end or U+202E is printed as $'…' with its escape, which bash reads back to that path", async () => {
    const { shellWord } = await import("../src/command.js");
    const { untrusted } = await import("../src/output.js");
    const { commandLine } = await import("../src/command.js");
    const path = join(dir, "a\nb\u202ec\u3000d 'e' \\f");
    const line = commandLine([], ["-o", path]);
    expect(line).toBe(`decart -o ${shellWord(path)}`);
    expect(line).not.toMatch(/[\n\u202e]/);
    expect(untrusted(`Resume with: ${line}`)).toBe(`Resume with: ${line}`);
    expect(untrusted(`id \u3000`)).toBe("id \\u3000");
    const echoed = spawnSync("bash", ["-c", `printf %s ${shellWord(path)}`], { encoding: "utf8" });
    expect(echoed.stdout).toBe(path);
  });

  it("a command printed after many others (a long batch's hints) is kept as printed, the text around it written out", async () => {
    const { commandLine } = await import("../src/command.js");
    const { untrusted } = await import("../src/output.js");
    const globals = ["--base-url", "http://127.0.0.1:1", "--journal", join(dir, "j\u3000.jsonl")];
    // Commands that share their starts and leave one another at every place: ids and paths of many lengths.
    const hints = Array.from({ length: 400 }, (_, i) =>
      commandLine(globals, ["jobs", "wait", `job_${i}`, ...(i % 3 ? ["-o", `out\u3000${i % 7}/${i}.mp4`] : [])]),
    );
    // One that leaves them all within their shared start (another URL): every one of them is still found.
    const elsewhere = commandLine(["--base-url", "http://127.0.0.1:2"], ["jobs", "wait", "-o", "a\u3000b", "job_4"]);
    const short = commandLine(globals, ["jobs", "wait", "job_4"]);
    const last = commandLine(globals, ["jobs", "wait", "job_4", "-o", "新しい\u3000動画.mp4"]);
    expect(last).toContain("\u3000");
    for (const line of [last, hints[1]!, hints[398]!, short, elsewhere])
      expect(untrusted(`\u3000Resume with: ${line}\u3000(${line})`)).toBe(
        `\\u3000Resume with: ${line}\\u3000(${line})`,
      );
    // The longest command printed at a place: `last`, not the `short` one it starts with.
    expect(untrusted(`${last}`)).toBe(last);
    // A command never printed is written out like any other text.
    const other = last.replace("job_4", "job_x");
    expect(untrusted(other)).toBe(other.replaceAll("\u3000", "\\u3000"));
  });

  it("batch --resume that finds no line of the batch in the journal refuses, sending nothing", async () => {
    const { home, env, flags } = setting("nothing");
    writeFileSync(join(home, "in.jsonl"), `${JSON.stringify({ custom_id: "a", prompt: "x" })}\n`);
    const refused = await run([...flags, "batch", "in.jsonl", "--out", "out", "--resume"], { env, cwd: home });
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(`no line of this batch is in the journal ${join(home, "mine.jsonl")}`);
    expect(events(refused.stdout).at(-1)).toMatchObject({ type: "error", exit_code: 2 });
    expect(emu.stats().jobsCreated).toBe(0);
    // Without --resume it runs.
    const ran = await run([...flags, "batch", "in.jsonl", "--out", "out"], { env, cwd: home });
    expect(ran.code, ran.stderr).toBe(0);
    expect(emu.stats().jobsCreated).toBe(1);
  });
});
