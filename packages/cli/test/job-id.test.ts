/**
 * The `<job-id>` of `jobs status`, `jobs wait` and `jobs result`: an argument that cannot be a job id (a `submitted`
 * event's JSON line, a URL, a sentence) is refused before anything is read or sent; the rule keeps to the spec's.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { JOB_ID_MAX_LENGTH } from "../src/job-id.js";
import { events, printed, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f));

const SPEC = new URL("../../../spec/openapi.yaml", import.meta.url);

/** The generic fix the refusal gives, for `name` (`jobs wait`). */
const fix = (name: string) =>
  "give the id alone, as `decart jobs submit … --no-json` prints it (id=$(decart jobs submit … --no-json)), or the " +
  `job_id field of its JSON line (id=$(decart jobs submit … | jq -r .job_id)): decart ${name} -- "$id" (nothing was sent)`;

describe("a job id argument", () => {
  it("keeps to the spec: job_id, a path parameter of 1 to JOB_ID_MAX_LENGTH characters with no pattern", () => {
    const spec = readFileSync(SPEC, "utf8");
    const params = [...spec.matchAll(/- name: job_id\n\s+in: path\n[\s\S]*?\n\s+schema:\n((?:\s{12,}.*\n)+)/g)];
    expect(params.map((p) => p[0].match(/operationId/))).toEqual([null, null]);
    expect(params).toHaveLength(2);
    for (const [, schema] of params) {
      expect(schema!.trim().split(/\n\s+/)).toEqual([
        "type: string",
        "minLength: 1",
        `maxLength: ${JOB_ID_MAX_LENGTH}`,
      ]);
    }
  });

  it("that is a job's JSON line (jobs submit off a terminal) is refused, nothing sent, with the command on its job_id", async () => {
    const submitted = await run(["jobs", "submit", "A lake"], { env });
    expect(submitted.code, submitted.stderr).toBe(0);
    const line = submitted.stdout.trim();
    const jobId = events(line)[0]!.job_id as string;
    expect(jobId).toMatch(/^job_/);
    const out = join(dir, "lake.mp4");
    for (const words of [
      ["jobs", "status", line],
      ["jobs", "wait", line, "-o", out],
      ["jobs", "result", line, "-o", out],
    ]) {
      const sent = emu.stats().requests.total;
      const refused = await run(words, { env });
      expect(refused.code, refused.stderr).toBe(2);
      const again = printed(env, ...words.map((w) => (w === line ? jobId : w)));
      expect(events(refused.stdout)).toEqual([
        {
          type: "error",
          exit_code: 2,
          message: `${JSON.stringify(line)} is not a job id (it holds '{'); it is a line of JSON whose job_id is ${jobId}: ${again} (nothing was sent)`,
        },
      ]);
      expect(emu.stats().requests.total).toBe(sent);
      // The command it gives works (status, then wait, then result: the job is done and saved by then).
      const fixed = await run(
        words.map((w) => (w === line ? jobId : w)),
        { env },
      );
      expect(fixed.code, fixed.stderr).toBe(0);
    }
  });

  it("holding an invisible character (format, or a space not U+0020) is refused showing its code, on a terminal as in NDJSON", async () => {
    // Before the fix: shown as it is, `"job_1​" is not a job id (it holds "​")`: nothing to see.
    for (const [char, code] of [
      ["\u200b", "\\u200b"],
      ["\ufeff", "\\ufeff"],
      ["\u00a0", "\\u00a0"],
      ["\u00ad", "\\u00ad"],
      ["\u2060", "\\u2060"],
      ["\u202f", "\\u202f"],
      ["\u3000", "\\u3000"],
      ["\u{e0001}", "\\udb40\\udc01"],
    ]) {
      const arg = `job_${char}1`;
      const message = `"job_${code}1" is not a job id (it holds "${code}"); ${fix("jobs status")}`;
      const json = await run(["jobs", "status", "--json", "--", arg], { env });
      expect(json.code, json.stderr).toBe(2);
      expect(events(json.stdout).at(-1)!.message).toBe(message);
      const human = await run(["jobs", "status", "--no-json", "--", arg], { env });
      expect(human.code, human.stderr).toBe(2);
      expect(human.stderr).toBe(`decart: ${message}\n`);
    }
    expect(emu.stats().requests.total).toBe(0);
  });

  const long = "j".repeat(JOB_ID_MAX_LENGTH + 1);
  // Shown cut short.
  const longer = "j".repeat(301);
  // (A function: the emulator's URL is known once it runs.)
  const cases = (): Array<[string, string]> => [
    ["", "it is empty"],
    ["job 1", "it holds a space"],
    ["job_1\n", 'it holds "\\n"'],
    ["job\u001b[2J", 'it holds "\\u001b"'],
    // Invisible, written as its code (it was shown as it is: "job1" to the eye).
    ["job\u200b1", 'it holds "\\u200b"'],
    [`${emu.url}/v1/jobs/job_1`, "it holds '/'"],
    ["job_1?x=1", "it holds '?'"],
    ["job_1#x", "it holds '#'"],
    ['"job_1"', "it holds '\"'"],
    ['{"job_id": 7}', "it holds '{'"],
    [long, `it is ${JOB_ID_MAX_LENGTH + 1} characters long, a job id at most ${JOB_ID_MAX_LENGTH}`],
    [longer, `it is 301 characters long, a job id at most ${JOB_ID_MAX_LENGTH}`],
    // Counted in characters (code points), as the spec's maxLength counts them: 257 emoji, not 514.
    [
      "😀".repeat(JOB_ID_MAX_LENGTH + 1),
      `it is ${JOB_ID_MAX_LENGTH + 1} characters long, a job id at most ${JOB_ID_MAX_LENGTH}`,
    ],
    // The URL's path resolves them away: `/v1/jobs/..` is `/v1/`, `/v1/jobs/./content` is `/v1/jobs/content`.
    [".", "it is '.', which a URL's path resolves away"],
    ["..", "it is '..', which a URL's path resolves away"],
  ];

  // One test per command: each runs the CLI once per case (under a loaded machine, ~1 s each).
  it.each([
    ["jobs status", []],
    ["jobs wait", ["x.mp4"]],
    ["jobs result", ["x.mp4"]],
  ] as const)("that cannot be one is refused by %s, nothing sent, saying why", async (name, out) => {
    const extra = out.length ? ["-o", join(dir, out[0])] : [];
    for (const [arg, why] of cases()) {
      const refused = await run([...name.split(" "), arg, ...extra], { env });
      expect(refused.code, `${name} ${JSON.stringify(arg)}: ${refused.stderr}`).toBe(2);
      const shown =
        arg === longer ? JSON.stringify(`${longer.slice(0, 280)}…`) : JSON.stringify(arg).replace("\u200b", "\\u200b");
      expect(events(refused.stdout).at(-1)!.message).toBe(`${shown} is not a job id (${why}); ${fix(name)}`);
      expect(emu.stats().requests.total, `${name} ${JSON.stringify(arg)}`).toBe(0);
    }
  });

  it("that the spec allows is sent (an id the emulator does not know: its longest, and other characters)", async () => {
    for (const arg of [
      "j".repeat(JOB_ID_MAX_LENGTH),
      "😀".repeat(JOB_ID_MAX_LENGTH),
      "job-1.2_3~x:y@z",
      "...",
      "%2e%2e",
    ]) {
      const asked = await run(["jobs", "status", arg], { env });
      expect(asked.code, asked.stderr).toBe(1);
      expect(asked.stderr).toContain("Job not found (HTTP 404");
    }
    expect(emu.stats().requests.total).toBe(5);
  });
});
