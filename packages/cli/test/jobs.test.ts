/**
 * `jobs wait`, `jobs status`, `jobs result` and the journal: the API a job was made on, the commands printed to pick a job up again, and a large
 * journal compacted by the next command that writes it.
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createDecartClient, models } from "@decart/core";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  events,
  finished,
  KEY,
  type Loopback,
  listenOnLoopback,
  onStderr,
  printed,
  run,
  start,
  useEmulator,
} from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
// `[stuck]` jobs never end while the tests run, so a --timeout of the CLI always runs out first.
useEmulator({ timing: { pendingMs: 100, processingMs: 100 } }, (f) => ({ emu, env, dir } = f));

/**
 * A server that knows no job (404 to everything): the wrong API for the jobs made on the emulator. `reached` counts
 * its requests, `keyed` those that carried the key.
 */
let elsewhere: string;
let reached = 0;
let keyed = 0;
let server: Loopback;
beforeAll(async () => {
  server = await listenOnLoopback((req, res) => {
    req.resume();
    reached++;
    if (req.headers["x-api-key"] === KEY) keyed++;
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ detail: "Not Found" }));
  });
  elsewhere = server.url;
});
afterAll(() => server.close());

/**
 * What a command on one job says when the journal recorded it on another origin than the URL in effect: exit 2,
 * nothing sent, both URLs and the two commands that choose (`words`: the command and its options).
 */
const otherOrigin = (jobId: string, recorded: string, current: string, words: string[]) =>
  `The journal says job ${jobId} was made on ${recorded}, not on the API's URL in effect, ${current} ` +
  "(DECART_BASE_URL); the key is sent to a recorded URL only when it has the same origin (a journal can be edited). " +
  `If you trust that URL, give it: ${printed({ ...env, DECART_BASE_URL: recorded }, ...words)}; or read the job on ` +
  `${current}: ${printed({ ...env, DECART_BASE_URL: current }, ...words)} (nothing was sent)`;

describe("jobs wait", () => {
  it("watches a job on the API the journal recorded it on, of the origin in effect; another origin only by --base-url", async () => {
    for (const submit of [
      ["jobs", "submit", "A lake", "--no-json"],
      ["video", "A lake", "-o", join(dir, "made.mp4")],
    ]) {
      const made = await run(submit, { env, cwd: dir });
      const jobId = submit[0] === "jobs" ? made.stdout.trim() : events(made.stdout)[0]!.job_id;
      expect(jobId, made.stderr).toMatch(/^job_/);
      const out = join(dir, `${jobId}-waited.mp4`);
      // DECART_BASE_URL now names another server: the journal's URL, of another origin, is not used by itself.
      const other = { ...env, DECART_BASE_URL: elsewhere };
      const before = reached;
      const refused = await run(["jobs", "wait", jobId, "-o", out], { env: other });
      expect(refused.code, refused.stderr).toBe(2);
      expect(events(refused.stdout).at(-1)).toEqual({
        type: "error",
        exit_code: 2,
        message: otherOrigin(jobId, emu.url, elsewhere, ["jobs", "wait", jobId, "-o", out]),
      });
      expect(reached).toBe(before);
      // The flag chooses: the recorded URL …
      const waited = await run(["jobs", "wait", jobId, "-o", out, "--base-url", emu.url], { env: other });
      expect(waited.code, waited.stderr).toBe(0);
      expect(statSync(out).size).toBe(emu.job(jobId)!.resultBytes);
      // … or another.
      const flagged = await run(["jobs", "wait", jobId, "-o", out, "--base-url", elsewhere], { env });
      expect(flagged.code).toBe(1);
      expect(flagged.stderr).toContain("Not Found");
    }
  });

  it("the printed commands carry the URL it watches on", async () => {
    const made = await run(["jobs", "submit", "A lake [stuck]", "--no-json"], { env });
    const jobId = made.stdout.trim();
    const out = join(dir, "stuck.mp4");
    const waited = await run(["jobs", "wait", jobId, "-o", out, "--timeout", "2", "--base-url", emu.url], {
      env: { ...env, DECART_BASE_URL: elsewhere },
    });
    expect(waited.code, waited.stderr).toBe(5);
    expect(waited.stderr).toContain(
      `may still finish: ${printed(env, "jobs", "wait", jobId, "-o", out, "--timeout", "2")}`,
    );
  });
});

describe("jobs wait of a job the journal does not know", () => {
  it("records it (as submitted, with its path and API) once the server answers for it: jobs list shows it however the wait ends; an id the server does not know is not recorded", async () => {
    // Jobs made elsewhere (a server, another machine): the journal knows none of them.
    const client = createDecartClient({ apiKey: KEY, baseUrl: emu.url });
    const submit = async (prompt: string) =>
      (await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt })).job_id;
    // One that never ends, whose wait is stopped (Ctrl-C) once its status was read: before, nothing was recorded.
    const stuck = await submit("A lake [stuck]");
    const stuckOut = join(dir, "stuck-elsewhere.mp4");
    const child = start(["jobs", "wait", stuck, "-o", stuckOut], { env });
    const stopped = finished(child);
    await onStderr(child, `${stuck} p`); // the status line (pending or processing)
    child.kill("SIGINT");
    expect((await stopped).code).toBe(130);
    // One that ends: saved.
    const lake = await submit("A lake");
    const lakeOut = join(dir, "lake-elsewhere.mp4");
    const saved = await run(["jobs", "wait", lake, "-o", lakeOut], { env });
    expect(saved.code, saved.stderr).toBe(0);
    // No such job (404): nothing to record.
    const missing = await run(["jobs", "wait", "job_nowhere", "-o", join(dir, "nowhere.mp4")], { env });
    expect(missing.code).toBe(1);
    const listed = await run(["jobs", "list", "--json"], { env });
    expect(events(listed.stdout)).toMatchObject([
      { type: "job", job_id: stuck, state: "submitted", path: stuckOut, base_url: emu.url },
      { type: "job", job_id: lake, state: "saved", path: lakeOut, base_url: emu.url },
    ]);
    expect(events(listed.stdout)).toHaveLength(2);
    // Waited on again, a job the journal knows is not recorded again (its API, its path: the journal's).
    const again = await run(["jobs", "wait", stuck, "--timeout", "2"], { env });
    expect(again.code, again.stderr).toBe(5);
    const submitted = events(readFileSync(env.DECART_JOURNAL!, "utf8")).filter((r) => r.event === "submitted");
    expect(submitted.map((r) => r.job_id)).toEqual([stuck, lake]);
  });
});

describe("jobs status and jobs result", () => {
  it("read and download a job on the API the journal recorded it on, of the origin in effect; another only by --base-url", async () => {
    const made = await run(["jobs", "submit", "A lake", "--no-json"], { env });
    const jobId = made.stdout.trim();
    expect(jobId, made.stderr).toMatch(/^job_/);
    const waited = await run(["jobs", "wait", jobId, "-o", join(dir, "lake-waited.mp4")], { env });
    expect(waited.code, waited.stderr).toBe(0);
    const status = await run(["jobs", "status", jobId, "--no-json"], { env });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toBe("completed\n");
    // DECART_BASE_URL now names another server: the journal's URL, of another origin, is not used by itself.
    const other = { ...env, DECART_BASE_URL: elsewhere };
    const out = join(dir, "lake-result.mp4");
    const before = reached;
    for (const words of [
      ["jobs", "status", jobId, "--timeout", "9"],
      ["jobs", "result", jobId, "-o", out],
    ]) {
      const refused = await run(words, { env: other });
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain(`decart: ${otherOrigin(jobId, emu.url, elsewhere, words)}\n`);
    }
    expect(reached).toBe(before);
    const result = await run(["jobs", "result", jobId, "-o", out, "--base-url", emu.url], { env: other });
    expect(result.code, result.stderr).toBe(0);
    expect(statSync(out).size).toBe(emu.job(jobId)!.resultBytes);
    for (const command of [
      ["jobs", "status", jobId],
      ["jobs", "result", jobId, "-o", out],
    ]) {
      const flagged = await run([...command, "--base-url", elsewhere], { env });
      expect(flagged.code).toBe(1);
      expect(flagged.stderr).toContain("Not Found");
    }
  });

  it("the printed commands carry the URL they used", async () => {
    const made = await run(["jobs", "submit", "A lake [stuck]", "--no-json"], { env });
    const jobId = made.stdout.trim();
    const other = { ...env, DECART_BASE_URL: elsewhere };
    emu.setFaults([{ route: "status", kind: "500" }]);
    const status = await run(["jobs", "status", jobId, "--base-url", emu.url], { env: other });
    expect(status.code, status.stderr).toBe(1);
    expect(status.stderr).toContain(`may still finish: ${printed(env, "jobs", "wait", jobId)}\n`);
    emu.setFaults([{ route: "content", kind: "500" }]);
    const out = join(dir, "stuck-result.mp4");
    const result = await run(["jobs", "result", jobId, "-o", out, "--base-url", emu.url], { env: other });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(printed(env, "jobs", "result", jobId, "-o", out));
  });
});

describe("a journal edited to send the key elsewhere", () => {
  it("jobs status, wait and result never send the key to a recorded URL of another origin by themselves", async () => {
    const jobId = "job_0123456789abcdef0123456789abcdef";
    const record = { at: "2026-12-04T20:00:00.000Z", job_id: jobId, event: "submitted", base_url: elsewhere };
    writeFileSync(env.DECART_JOURNAL!, `${JSON.stringify(record)}\n`);
    const out = join(dir, "edited.mp4");
    const [before, beforeKeyed] = [reached, keyed];
    for (const words of [
      ["jobs", "status", jobId],
      ["jobs", "wait", jobId, "-o", out],
      ["jobs", "result", jobId, "-o", out],
    ]) {
      const { code, stdout, stderr } = await run(words, { env });
      expect(code, stderr).toBe(2);
      expect(events(stdout).at(-1)!.message).toBe(otherOrigin(jobId, elsewhere, emu.url, words));
    }
    expect([reached, keyed]).toEqual([before, beforeKeyed]);
    expect(emu.stats().requests.total).toBe(0);
    // Given as the flag, that URL is the user's choice: the key goes there.
    const chosen = await run(["jobs", "status", jobId, "--base-url", elsewhere], { env });
    expect(chosen.code).toBe(1);
    expect(keyed).toBe(beforeKeyed + 1);
  });
});

describe("a journal whose recorded URL the client refuses", () => {
  // It was told as a bad --base-url (or DECART_BASE_URL), which neither was: the journal's line is named instead.
  it("jobs status, wait and result: exit 2 naming the journal and the job, not --base-url; nothing sent", async () => {
    const jobId = "job_1123456789abcdef0123456789abcdef";
    const journal = env.DECART_JOURNAL!;
    const [before, beforeKeyed] = [reached, keyed];
    // Of the emulator's origin (as URL parsing reads the backslash), and of none at all.
    for (const recorded of [`${emu.url}\\@${elsewhere.slice(7)}`, `${emu.url}/v1?x=1`]) {
      const record = { at: "2026-12-04T20:00:00.000Z", job_id: jobId, event: "submitted", base_url: recorded };
      writeFileSync(journal, `${JSON.stringify(record)}\n`);
      for (const words of [
        ["jobs", "status", jobId],
        ["jobs", "wait", jobId, "-o", join(dir, "bad-url.mp4")],
        ["jobs", "result", jobId, "-o", join(dir, "bad-url.mp4")],
      ]) {
        const { code, stdout, stderr } = await run(words, { env });
        expect(code, stderr).toBe(2);
        const { message } = events(stdout).at(-1)!;
        expect(message, words.join(" ")).toContain(
          `The journal ${journal} records job ${jobId} as made on an API URL the CLI cannot use (it must be an ` +
            "http(s) URL without @, ? or #; not shown, as it may hold credentials)",
        );
        expect(message).not.toContain(recorded);
        expect(message).toContain(`read the job on ${emu.url}: ${printed(env, ...words)} (nothing was sent)`);
        expect(message).not.toContain("--base-url must");
      }
    }
    expect([reached, keyed]).toEqual([before, beforeKeyed]);
    expect(emu.stats().requests.total).toBe(0);
  });
});

describe("the hint after an error", () => {
  it("`may still finish` names the file the result was going to, and --timeout as given", async () => {
    const out = join(dir, "later.mp4");
    const { code, stdout, stderr } = await run(["video", "[stuck] A lake", "-o", out, "--timeout", "2"], { env });
    expect(code, stderr).toBe(5);
    const jobId = events(stdout)[0]!.job_id;
    expect(stderr).toContain(
      `The job ${jobId} may still finish: ${printed(env, "jobs", "wait", jobId, "-o", out, "--timeout", "2")}\n`,
    );
    // Without -o: the name chosen for it.
    const named = await run(["video", "[stuck] A lake", "--timeout", "2"], { env, cwd: dir });
    const id = events(named.stdout)[0]!.job_id;
    expect(named.stderr).toContain(
      `may still finish: ${printed(env, "jobs", "wait", id, "-o", join(dir, `${id}.mp4`), "--timeout", "2")}\n`,
    );
  });
});

describe("an answer nested deeper than a stack goes", () => {
  it("jobs status writes the job as the server answered it, its event whole (JSON.parse reads any depth)", async () => {
    const depth = 100_000;
    // The key in the deepest string too: scrubbed there as anywhere.
    const deep = `${"[".repeat(depth)}"quota of ${KEY}"${"]".repeat(depth)}`;
    const deepServer = await listenOnLoopback((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(`{"job_id":"job_0123456789abcdef","status":"pending","extra":${deep}}`);
    });
    try {
      const url = deepServer.url;
      const { code, stdout, stderr } = await run(["jobs", "status", "job_0123456789abcdef", "--base-url", url], {
        env,
      });
      // Before the fix: exit 1, "Maximum call stack size exceeded" (JSON.stringify of the event).
      expect(code, stderr).toBe(0);
      const [event, ...rest] = events(stdout);
      expect(rest).toEqual([]);
      expect(event).toMatchObject({ type: "status", job_id: "job_0123456789abcdef", status: "pending" });
      let inner = event!.job.extra;
      for (let i = 0; i < depth; i++) inner = inner[0];
      expect(inner).toBe("quota of ***");
      expect(stdout).not.toContain(KEY);
    } finally {
      await deepServer.close();
    }
  });
});

describe("a large journal", () => {
  it("is compacted by the next command that writes it: every job as it was, the new one after them", async () => {
    // 9 MiB of three records per job, past the 8 MiB at which a command compacts it.
    const lines: string[] = [];
    let size = 0;
    for (let i = 0; size < 9 * 1024 * 1024; i++) {
      for (const event of ["submitted", "completed", "saved"]) {
        const line = JSON.stringify({
          at: "2026-12-04T20:00:00.000Z",
          job_id: `job_${i}`,
          event,
          path: `/tmp/o/${i}.mp4`,
        });
        lines.push(line);
        size += line.length + 1;
      }
    }
    writeFileSync(env.DECART_JOURNAL!, `${lines.join("\n")}\n`);
    const listed = await run(["jobs", "list", "--json"], { env });
    expect(listed.code, listed.stderr).toBe(0);
    // Reading does not compact.
    expect(statSync(env.DECART_JOURNAL!).size).toBe(size);
    const made = await run(["jobs", "submit", "A lake", "--no-json"], { env });
    expect(made.code, made.stderr).toBe(0);
    expect(statSync(env.DECART_JOURNAL!).size).toBeLessThan(size / 2);
    const again = await run(["jobs", "list", "--json"], { env });
    const jobs = events(again.stdout);
    expect(jobs.slice(0, -1)).toEqual(events(listed.stdout));
    expect(jobs.at(-1)).toMatchObject({
      job_id: made.stdout.trim(),
      state: "submitted",
      base_url: env.DECART_BASE_URL,
    });
    expect(readFileSync(env.DECART_JOURNAL!, "utf8").split("\n")[0]).toContain('"event":"compacted"');
  });
});
